#!/usr/bin/env bash
# Fetch the kernels of the matrix (tests/run-matrix.sh): real Debian kernel
# packages, found by name with apt (scripts/apt-lib.sh: a private apt
# configuration), unpacked, and their bzImage turned into the ELF vmlinux
# that qemu boots.
#
#   scripts/kernels.sh [LABEL...]   fetch what is missing (default: all)
#   scripts/kernels.sh --list       the labels, one per line
#   REFRESH=1 scripts/kernels.sh    look for newer packages; fetch them
#
# Each series takes the newest package whose name matches at fetch time:
# the archive drops old ABI versions (linux-image-5.10.0-30-amd64 goes
# when -46 comes), so a pinned name would stop working.  What was fetched
# stays cached, and is used without any network access, until REFRESH=1.
#
# Result, per LABEL, in build/kernels/LABEL/:
#   vmlinux   the uncompressed kernel (ELF with a PVH entry point)
#   config    its build configuration
#   package   "NAME VERSION RELEASE" of the package it came from
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/kernels

say() { printf 'kernels: %s\n' "$*"; }
die() { printf 'kernels: error: %s\n' "$*" >&2; exit 1; }

. "$ROOT/scripts/apt-lib.sh"

# LABEL|RELEASE|package name (extended regex).  Each name exists in its
# release only: bookworm's 6.12 backports are +deb12, bullseye's 6.1
# backports 6.1.0-0.deb11.N.  trixie's kernel is taken unsigned: its
# signed package often lags behind.
KERNELS=(
    '5.10|bullseye|^linux-image-5\.10\.0-[0-9]+-amd64$'
    '6.1|bookworm|^linux-image-6\.1\.0-[0-9]+-amd64$'
    '6.12|trixie|^linux-image-6\.12\.[0-9]+\+deb13(\.[0-9]+)?-amd64-unsigned$'
)

labels() {
    local k
    for k in "${KERNELS[@]}"; do
        echo "${k%%|*}"
    done
}

# newest REGEX: the highest-versioned package name matching REGEX (ABI
# numbers and upstream versions are in the names: a version sort does).
newest() {
    apt_query search --names-only "$1" | cut -d' ' -f1 | sort -V | tail -n 1
}

# fetch LABEL RELEASE PACKAGE: download, unpack /boot, extract vmlinux;
# build/kernels/LABEL is replaced only once everything worked.
fetch() {
    local label=$1 release=$2 pkg=$3 dir=$OUT/$1 tmp=$OUT/.$1.tmp deb ver
    rm -rf "$tmp"
    mkdir -p "$tmp"
    say "$label: downloading $pkg ($release)"
    (cd "$tmp" && apt_fetch download "$pkg" >"$tmp/download.log" 2>&1) \
        || { tail -n 5 "$tmp/download.log" >&2; die "$label: apt-get download $pkg failed"; }
    deb=$(echo "$tmp"/*.deb)
    [[ -f $deb ]] || die "$label: no .deb after downloading $pkg"
    ver=$(dpkg-deb -f "$deb" Version)
    # Only /boot: the modules (most of the package) are not needed, the
    # tests use what is built in.
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*' \
        || die "$label: cannot unpack /boot from $deb"
    "$ROOT/scripts/extract-vmlinux.sh" "$tmp"/boot/vmlinuz-* "$tmp/vmlinux" >/dev/null
    mv "$tmp"/boot/config-* "$tmp/config"
    grep -q '^CONFIG_PVH=y' "$tmp/config" || die "$label: $pkg has no CONFIG_PVH: qemu cannot boot its vmlinux"
    grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$tmp/config" || die "$label: $pkg has no BTF"
    echo "$pkg $ver $release" >"$tmp/package"
    rm -rf "${tmp:?}/boot" "$deb" "$tmp/download.log"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    say "$label: $pkg $ver -> ${dir#"$ROOT"/}/vmlinux ($(($(stat -c %s "$dir/vmlinux") >> 20)) MB)"
}

# want LABEL: fetch it if missing, or if REFRESH finds a newer package.
want() {
    local k label release re pkg
    for k in "${KERNELS[@]}"; do
        IFS='|' read -r label release re <<<"$k"
        [[ $label == "$1" ]] && break
        label=
    done
    [[ -n $label ]] || die "unknown kernel '$1' (known: $(labels | tr '\n' ' '))"
    if [[ -f $OUT/$label/package && -z ${REFRESH:-} ]]; then
        return 0
    fi
    apt_fresh
    pkg=$(newest "$re")
    [[ -n $pkg ]] || die "$label: no package matching $re in $release"
    if [[ -f $OUT/$label/package && $(cut -d' ' -f1 "$OUT/$label/package") == "$pkg" ]]; then
        say "$label: $pkg is still the newest"
        return 0
    fi
    fetch "$label" "$release" "$pkg"
}

if [[ ${1:-} == --list ]]; then
    labels
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
