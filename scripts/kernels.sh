#!/usr/bin/env bash
# Fetch the kernels of the matrix (tests/run-matrix.sh): real Debian kernel
# packages, found by name with apt (scripts/apt-lib.sh: a private apt
# configuration), unpacked, and their kernel image made into what qemu
# boots: for amd64 the ELF vmlinux inside the bzImage, for arm64 the
# uncompressed Image.
#
#   scripts/kernels.sh [LABEL...]   fetch what is missing (default: all)
#   scripts/kernels.sh --list [ARCH]  the labels (of ARCH: x86_64, aarch64),
#                                   one per line
#   REFRESH=1 scripts/kernels.sh    look for newer packages; fetch them
#
# Each series takes the newest package whose name matches at fetch time:
# the archive drops old ABI versions (linux-image-5.10.0-30-amd64 goes
# when -46 comes), so a pinned name would stop working.  What was fetched
# stays cached, and is used without any network access, until REFRESH=1.
#
# Result, per LABEL, in build/kernels/LABEL/:
#   vmlinux   x86_64: the uncompressed kernel (ELF with a PVH entry point)
#   Image     aarch64: the uncompressed kernel (arm64 boot Image)
#   config    its build configuration
#   package   "NAME VERSION RELEASE" of the package it came from
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/kernels

say() { printf 'kernels: %s\n' "$*"; }
die() { printf 'kernels: error: %s\n' "$*" >&2; exit 1; }

. "$ROOT/scripts/apt-lib.sh"

# LABEL|ARCH|RELEASE|package name (extended regex).  Each name exists in
# its release only: bookworm's 6.12 backports are +deb12, bullseye's 6.1
# backports 6.1.0-0.deb11.N.  trixie's kernel is taken unsigned: its
# signed package often lags behind.  arm64's are the generic ARMv8 flavour
# (4k pages); unsigned from trixie and bookworm (as amd64 6.12), signed
# from bullseye (its -unsigned packages are not on the mirror).
KERNELS=(
    '5.10|x86_64|bullseye|^linux-image-5\.10\.0-[0-9]+-amd64$'
    '6.1|x86_64|bookworm|^linux-image-6\.1\.0-[0-9]+-amd64$'
    '6.12|x86_64|trixie|^linux-image-6\.12\.[0-9]+\+deb13(\.[0-9]+)?-amd64-unsigned$'
    '5.10-arm64|aarch64|bullseye|^linux-image-5\.10\.0-[0-9]+-arm64$'
    '6.1-arm64|aarch64|bookworm|^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$'
    '6.12-arm64|aarch64|trixie|^linux-image-6\.12\.[0-9]+\+deb13(\.[0-9]+)?-arm64-unsigned$'
)

# labels [ARCH]: every label, or those of ARCH.
labels() {
    local k label arch
    for k in "${KERNELS[@]}"; do
        IFS='|' read -r label arch _ <<<"$k"
        [[ -z ${1:-} || $1 == "$arch" ]] && echo "$label"
    done
    return 0
}

# Debian's name of an architecture (uname -m's).
debian_arch() {
    case $1 in
    x86_64) echo amd64 ;;
    aarch64) echo arm64 ;;
    *) die "no Debian architecture for $1" ;;
    esac
}

# newest REGEX: the package names matching REGEX, the highest-versioned
# first (ABI numbers and upstream versions are in the names: a version
# sort does).
newest() {
    apt_query search --names-only "$1" | cut -d' ' -f1 | sort -rV
}

# boot_image ARCH TMP: what qemu boots, from TMP/boot/vmlinuz-*.
boot_image() {
    local img=("$2"/boot/vmlinuz-*)
    if [[ $1 == x86_64 ]]; then
        "$ROOT/scripts/extract-vmlinux.sh" "${img[0]}" "$2/vmlinux" >/dev/null
        grep -q '^CONFIG_PVH=y' "$2/config" || die "$label: $pkg has no CONFIG_PVH: qemu cannot boot its vmlinux"
        return
    fi
    # arm64's vmlinuz is the boot Image, gzip'd (qemu 7.2 cannot boot
    # the EFI zboot images newer kernels may come as: check for the
    # Image's magic).
    if [[ $(head -c 2 "${img[0]}" | od -An -tx1 | tr -d ' \n') == 1f8b ]]; then
        gzip -dc <"${img[0]}" >"$2/Image"
    else
        cp "${img[0]}" "$2/Image"
    fi
    [[ $(tail -c +57 "$2/Image" | head -c 4) == $'ARM\x64' ]] ||
        die "$label: $pkg's vmlinuz is not an arm64 boot Image"
}

# fetch LABEL ARCH RELEASE PACKAGE: download, unpack /boot, make the boot
# image; build/kernels/LABEL is replaced only once everything worked.
fetch() {
    local label=$1 arch=$2 release=$3 pkg=$4 dir=$OUT/$1 tmp=$OUT/.$1.tmp deb ver
    rm -rf "$tmp"
    mkdir -p "$tmp"
    say "$label: downloading $pkg ($release)"
    if ! (cd "$tmp" && apt_fetch download "$pkg" >"$tmp/download.log" 2>&1); then
        say "$label: apt-get download $pkg failed: $(grep -m1 '^E:' "$tmp/download.log")"
        rm -rf "$tmp"
        return 1
    fi
    deb=$(echo "$tmp"/*.deb)
    [[ -f $deb ]] || die "$label: no .deb after downloading $pkg"
    ver=$(dpkg-deb -f "$deb" Version)
    # Only /boot: the modules (most of the package) are not needed, the
    # tests use what is built in.
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*' \
        || die "$label: cannot unpack /boot from $deb"
    mv "$tmp"/boot/config-* "$tmp/config"
    boot_image "$arch" "$tmp"
    grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$tmp/config" || die "$label: $pkg has no BTF"
    echo "$pkg $ver $release" >"$tmp/package"
    rm -rf "${tmp:?}/boot" "$deb" "$tmp/download.log"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    local img=$dir/vmlinux
    [[ $arch == x86_64 ]] || img=$dir/Image
    say "$label: $pkg $ver -> ${img#"$ROOT"/} ($(($(stat -c %s "$img") >> 20)) MB)"
}

# want LABEL: fetch it if missing, or if REFRESH finds a newer package.
want() {
    local k label arch release re pkg
    for k in "${KERNELS[@]}"; do
        IFS='|' read -r label arch release re <<<"$k"
        [[ $label == "$1" ]] && break
        label=
    done
    [[ -n $label ]] || die "unknown kernel '$1' (known: $(labels | tr '\n' ' '))"
    if [[ -f $OUT/$label/package && -z ${REFRESH:-} ]]; then
        return 0
    fi
    apt_arch "$(debian_arch "$arch")"
    apt_fresh
    # The newest that downloads: a mirror may list packages whose files
    # it does not have (seen: every arm64 5.10 of bullseye-security, so
    # the last of bullseye itself, 5.10.0-32).
    for pkg in $(newest "$re"); do
        if [[ -f $OUT/$label/package && $(cut -d' ' -f1 "$OUT/$label/package") == "$pkg" ]]; then
            say "$label: $pkg is still the newest"
            return 0
        fi
        fetch "$label" "$arch" "$release" "$pkg" && return 0
    done
    die "$label: no package matching $re in $release could be downloaded"
}

if [[ ${1:-} == --list ]]; then
    labels "${2:-}"
    exit 0
fi
# dpkg-deb, and the decompressors Debian's kernels use (xz up to 6.1,
# zstd since).
need_packages xz-utils zstd
mkdir -p "$OUT"
if (($# == 0)); then
    mapfile -t all < <(labels)
    set -- "${all[@]}"
fi
for l in "$@"; do
    want "$l"
done
