#!/usr/bin/env bash
# Build bpfbox's C dependencies (libbpf, libelf, zlib, and libiberty's C++
# demangler) as static musl libraries under build/deps/, from pinned Debian
# source packages.
#
#   scripts/deps.sh          # as root, on Debian 12 (bookworm) x86_64
#   FORCE=1 scripts/deps.sh  # rebuild even if build/deps/.stamp is current
#   scripts/deps.sh aarch64  # the same for arm64, cross-built, in
#                            # build/deps-arm64/ (see "Cross builds" below)
#
# Result (prefix build/deps/):
#   lib/libbpf.a lib/libelf.a lib/libz.a lib/libdemangle.a (__cxa_demangle)
#   include/  bpf/*.h, libelf.h, gelf.h, nlist.h, zlib.h, zconf.h
#   uapi/     Linux UAPI headers (linux/, asm/, asm-generic/) -- use with
#             -idirafter, never -I: musl ships none and they must not shadow
#             musl's own headers.
#   logs/     build logs
#
# Why from source: bookworm has no musl builds of these libraries, and its
# libbpf (1.1) is too old.  Sources come from Debian's own mirror (the only
# network access we can rely on) via `apt-get source`, with a private apt
# configuration so the host's /etc/apt stays untouched.
#
# Cross builds (aarch64): the same sources, built with Debian's cross gcc
# (gcc-aarch64-linux-gnu) against Debian's arm64 musl-dev and the arm64
# UAPI headers of linux-libc-dev, both bookworm's, downloaded (never
# installed: the host's dpkg architectures stay as they are) with the
# private apt configuration of scripts/apt-lib.sh.  They are unpacked in
# build/deps-arm64/sysroot/, and bin/aarch64-linux-musl-gcc is the
# musl-gcc of that sysroot (what musl-tools' musl-gcc is for the host).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARCH=${1:-x86_64}
CROSS=
case $ARCH in
x86_64)  DEPS=$ROOT/build/deps ;;
aarch64) DEPS=$ROOT/build/deps-arm64 CROSS=aarch64-linux-gnu DEB_ARCH=arm64 ;;
*) echo "deps: error: no recipe for $ARCH (x86_64 or aarch64)" >&2; exit 1 ;;
esac
APTDIR=$ROOT/build/apt
LOGS=$DEPS/logs
WORK=$DEPS/src            # scratch: extracted sources and objects

MIRROR=http://deb.debian.org/debian
SUITE=trixie
LIBBPF_VER=1.5.0-3
ELFUTILS_VER=0.192-4
ZLIB_VER=1:1.3.dfsg+really1.3.1-1
# libiberty from bookworm: trixie's .dsc is missing from the mirror.
LIBIBERTY_VER=20230104-1
LIBIBERTY_SUITE=bookworm
# Bump whenever the recipe below changes, so existing trees get rebuilt.
RECIPE=5
# bpfbox's own libbpf patches, applied after Debian's (each says why):
# their checksum is in the stamp, so editing one rebuilds.
PATCHES=$ROOT/scripts/patches/libbpf
STAMP="recipe=$RECIPE libbpf=$LIBBPF_VER elfutils=$ELFUTILS_VER zlib=$ZLIB_VER libiberty=$LIBIBERTY_VER"
STAMP+=" patches=$(cat "$PATCHES"/*.patch | cksum | cut -d' ' -f1)"
# Cross builds: the target's musl and UAPI headers, bookworm's as the
# host's (musl 1.2.3, Linux 6.1).
CROSS_SUITE=bookworm
CROSS_PKGS=(musl-dev linux-libc-dev)
[[ -z $CROSS ]] || STAMP+=" arch=$ARCH cross=${CROSS_PKGS[*]}/$CROSS_SUITE"

JOBS=$(nproc)
export DEBIAN_FRONTEND=noninteractive
# Keep the build independent of whatever the caller has in the environment.
unset CFLAGS CPPFLAGS LDFLAGS MAKEFLAGS

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# run LOGNAME CMD...: keep the noise in logs/, show the tail only on failure.
run() {
    local log=$LOGS/$1.log; shift
    if ! "$@" >>"$log" 2>&1; then
        printf 'deps: error: "%s" failed; last lines of %s:\n' "$*" "$log" >&2
        tail -n 25 "$log" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------------------
# 1. Host tools.  patch applies Debian's quilt series (see fetch below);
#    tcpdump/iptables/iproute2, redis, jemalloc and valgrind (the leak
#    kinds' oracle) are needed only by the test suite.
# ---------------------------------------------------------------------------
TOOLS=(clang llvm bpftool musl-tools make gcc linux-libc-dev xz-utils bzip2
       patch tcpdump iptables iproute2 jq redis-server redis-tools libjemalloc2
       valgrind)
# (libc6-dev: the matrix's guests include a glibc program.)
[[ -z $CROSS ]] || TOOLS+=("gcc-$CROSS" "libc6-dev-$DEB_ARCH-cross")
. "$ROOT/scripts/apt-lib.sh"
need_packages "${TOOLS[@]}"

# ---------------------------------------------------------------------------
# 2. Cache check.
# ---------------------------------------------------------------------------
if [[ -z ${FORCE:-} && -f $DEPS/.stamp && "$(cat "$DEPS/.stamp")" == "$STAMP" ]]; then
    say "up to date ($STAMP)"
    touch "$DEPS/.stamp"    # newer than this script: make asks no more
    exit 0
fi

SECONDS=0
rm -rf "$DEPS"
mkdir -p "$DEPS/lib" "$DEPS/include" "$DEPS/uapi" "$LOGS" "$WORK"

# ---------------------------------------------------------------------------
# 3. Fetch source packages.  Downloads are kept in build/apt/src and reused;
#    a .ok marker per package guards against half-finished downloads.
# ---------------------------------------------------------------------------
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/src"
printf 'deb-src %s %s main\n' "$MIRROR" "$SUITE" "$MIRROR" "$LIBIBERTY_SUITE" \
    >"$APTDIR/sources.list"
SRC_APT_OPTS=(
    -o "Dir::Etc::SourceList=$APTDIR/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$APTDIR/lists"
    -o "Dir::Cache=$APTDIR/cache"
    # The private dirs are root-owned; don't drop privileges to _apt just
    # to have it warn that it cannot write there.
    -o "APT::Sandbox::User=root"
)
want=()
for spec in "libbpf=$LIBBPF_VER" "elfutils=$ELFUTILS_VER" "zlib=$ZLIB_VER" \
            "libiberty=$LIBIBERTY_VER"; do
    [[ -f $APTDIR/src/${spec/=/_}.ok ]] || want+=("$spec")
done
if ((${#want[@]})); then
    say "fetching ${want[*]} from $SUITE"
    run fetch apt-get "${SRC_APT_OPTS[@]}" update
    (cd "$APTDIR/src" && run fetch apt-get "${SRC_APT_OPTS[@]}" source --download-only "${want[@]}")
    for spec in "${want[@]}"; do touch "$APTDIR/src/${spec/=/_}.ok"; done
fi

# unpack NAME DEBVERSION: extract the .orig tarball into $WORK/NAME and apply
# Debian's patch series, so we build exactly what the pinned version ships
# (libbpf 1.5.0-3 carries a security fix, CVE-2025-29481).
unpack() {
    local name=$1 ver=${2#*:}          # drop the epoch: not part of file names
    local up=${ver%-*} dir=$WORK/$1 tarballs
    tarballs=("$APTDIR/src/${name}_${up}.orig.tar."*)
    [[ -f ${tarballs[0]} ]] || die "no orig tarball for $name $ver"
    mkdir -p "$dir"
    tar -xf "${tarballs[0]}" -C "$dir" --strip-components=1
    local deb=$APTDIR/src/${name}_${ver}.debian.tar.xz
    [[ -f $deb ]] || return 0           # native / no Debian changes
    tar -xf "$deb" -C "$dir"
    [[ -f $dir/debian/patches/series ]] || return 0
    local p
    while read -r p _; do
        [[ -z $p || $p == \#* ]] && continue
        patch -d "$dir" -p1 -s -N <"$dir/debian/patches/$p" >>"$LOGS/patch.log" 2>&1 \
            || die "$name: Debian patch $p does not apply (see $LOGS/patch.log)"
    done <"$dir/debian/patches/series"
}
say "unpacking"
unpack libbpf "$LIBBPF_VER"
for p in "$PATCHES"/*.patch; do
    patch -d "$WORK/libbpf" -p1 -s -N <"$p" >>"$LOGS/patch.log" 2>&1 \
        || die "libbpf: our patch ${p##*/} does not apply (see $LOGS/patch.log)"
done
unpack elfutils "$ELFUTILS_VER"
unpack zlib "$ZLIB_VER"
unpack libiberty "$LIBIBERTY_VER"

# ---------------------------------------------------------------------------
# 4. Cross builds: the target's musl and headers (see the top), and a
#    musl-gcc for them.
# ---------------------------------------------------------------------------
SYSROOT=
AR=ar
CC=musl-gcc
if [[ -n $CROSS ]]; then
    say "fetching ${CROSS_PKGS[*]} ($DEB_ARCH, $CROSS_SUITE)"
    SYSROOT=$DEPS/sysroot
    mkdir -p "$WORK/debs" "$SYSROOT"
    apt_arch "$DEB_ARCH"
    apt_fresh
    (cd "$WORK/debs" && run fetch apt_fetch download "${CROSS_PKGS[@]/%//$CROSS_SUITE}")
    for deb in "$WORK"/debs/*.deb; do
        dpkg-deb -x "$deb" "$SYSROOT"
    done
    M=$SYSROOT/usr/lib/$ARCH-linux-musl
    [[ -f $M/libc.a ]] || die "no $M/libc.a in musl-dev:$DEB_ARCH"
    mkdir -p "$DEPS/bin"
    # musl-tools' specs, with the sysroot's paths; libgcc and crtbegin
    # come from the cross gcc itself.
    cat >"$DEPS/bin/musl-gcc.specs" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $SYSROOT/usr/include/$ARCH-linux-musl -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $SYSROOT/usr/include/$ARCH-linux-musl -isystem include%s

*link_libgcc:
-L$M -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{!shared: $M/Scrt1.o} $M/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $M/crtn.o

*link:
-dynamic-linker /lib/ld-musl-$ARCH.so.1 -nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

EOF
    printf '#!/bin/sh\nexec %s-gcc "$@" -specs "%s"\n' "$CROSS" "$DEPS/bin/musl-gcc.specs" \
        >"$DEPS/bin/$ARCH-linux-musl-gcc"
    chmod 755 "$DEPS/bin/$ARCH-linux-musl-gcc"
    CC=$DEPS/bin/$ARCH-linux-musl-gcc
    AR=$CROSS-ar
fi

# ---------------------------------------------------------------------------
# 5. Linux UAPI headers.  musl has none; take linux-libc-dev's (bookworm:
#    6.1; the target's for a cross build), then overlay libbpf's newer
#    copies (bpf.h, btf.h, if_link.h, ...) because libbpf's public headers
#    use enums that 6.1 does not have.
# ---------------------------------------------------------------------------
cp -a "$SYSROOT"/usr/include/linux "$SYSROOT"/usr/include/asm-generic "$DEPS/uapi/"
if [[ -n $SYSROOT ]]; then
    cp -a "$SYSROOT/usr/include/$ARCH-linux-gnu/asm" "$DEPS/uapi/asm"
else
    cp -a /usr/include/x86_64-linux-gnu/asm "$DEPS/uapi/asm"
fi
cp "$WORK"/libbpf/include/uapi/linux/*.h "$DEPS/uapi/linux/"

# Small: the libraries are most of bpfbox's 1 MiB budget.  -Os (libbpf
# 260 -> 167 KB; nothing of theirs is hot: libbpf's ring-buffer loop is a
# few lines), a section per function so the link drops what bpfbox never
# calls, and no unwind tables (.eh_frame: nothing unwinds bpfbox itself; a
# debugger has bpfbox.unstripped's .debug_frame).  README "Binary size".
OPT="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"

# ---------------------------------------------------------------------------
# 6. zlib (libelf needs it for compressed sections).
# ---------------------------------------------------------------------------
say "building zlib"
(
    cd "$WORK/zlib"
    run zlib env CC="$CC" AR="$AR" CFLAGS="$OPT" ./configure --static --prefix="$DEPS"
    run zlib make -j"$JOBS" AR="$AR" libz.a
    run zlib make install
)
rm -rf "$DEPS/share"            # man page

# ---------------------------------------------------------------------------
# 7. libelf only, without elfutils' autotools: every libelf/*.c plus
#    lib/eu-search.c (libelf's tsearch wrappers).  crc32/next_prime come in
#    via libelf_crc32.c / libelf_next_prime.c.  config.h answers what
#    configure would have found for musl 1.2.3.  Thread safety (USE_LOCKS)
#    stays off, as in Debian's build.
# ---------------------------------------------------------------------------
say "building libelf"
ELF=$WORK/elfutils
mkdir -p "$ELF/musl"
cat >"$ELF/musl/config.h" <<'EOF'
#define PACKAGE_NAME "elfutils"
#define PACKAGE_VERSION "0.192"
#define VERSION "0.192"
#define HAVE_DECL_MEMPCPY 1
#define HAVE_DECL_MEMRCHR 1
#define HAVE_DECL_POWEROF2 1
#define HAVE_DECL_REALLOCARRAY 1
/* musl has no rawmemchr; elf_getarsym.c falls back to memchr. */
#define HAVE_DECL_RAWMEMCHR 0
/* musl has err.h, not glibc's error.h (libelf itself never calls error()). */
#define HAVE_ERR_H 1
#define HAVE_FALLTHROUGH 1
#define HAVE_GCC_STRUCT 1
#define HAVE_MREMAP 1
#define HAVE_STDATOMIC_H 1
#define HAVE_VISIBILITY 1
#define USE_ZLIB 1
#include <eu-config.h>
EOF
# -I libelf also picks up elfutils' own elf.h ahead of musl's, as upstream's
# build does; libelf needs constants musl's copy lacks.
(
    cd "$ELF/musl"
    printf '%s\n' ../libelf/*.c ../lib/eu-search.c | run libelf xargs -P "$JOBS" -I{} \
        "$CC" -std=gnu99 $OPT -Wall -D_GNU_SOURCE -DHAVE_CONFIG_H \
            -I. -I../libelf -I../lib -I"$DEPS/include" \
            -c {} -o {}.o
    run libelf "$AR" rcs libelf.a ../libelf/*.c.o ../lib/eu-search.c.o
)
install -m 644 "$ELF/musl/libelf.a" "$DEPS/lib/"
# Not elf.h: consumers use musl's <elf.h>; libelf.h fills in the gaps.
install -m 644 "$ELF"/libelf/{libelf.h,gelf.h,nlist.h} "$DEPS/include/"

# ---------------------------------------------------------------------------
# 8. libbpf.  NO_PKG_CONFIG so the host's (glibc) libelf/zlib .pc files
#    cannot leak in; it sees the freshly installed headers instead.
# ---------------------------------------------------------------------------
say "building libbpf"
run libbpf make -C "$WORK/libbpf/src" -j"$JOBS" \
    BUILD_STATIC_ONLY=1 NO_PKG_CONFIG=1 V=1 \
    CC="$CC" AR="$AR" CFLAGS="$OPT -Wall -std=gnu89" OBJDIR="$WORK/libbpf/obj" \
    PREFIX="$DEPS" LIBDIR="$DEPS/lib" INCLUDEDIR="$DEPS/include" \
    EXTRA_CFLAGS="-I$DEPS/include -idirafter $DEPS/uapi" \
    install
# libbpf.pc would point at a libelf.pc that does not exist: consumers use
# the explicit flags from the smoke test below instead of pkg-config.
rm -rf "$DEPS/lib/pkgconfig"

# ---------------------------------------------------------------------------
# 8b. The C++ demangler: libiberty's cp-demangle.c alone (what GCC's
#     libstdc++ and binutils use), built as libstdc++ builds it
#     (IN_GLIBCPP_V3: only __cxa_demangle is exported, no xmalloc, no
#     other libiberty file needed).
# ---------------------------------------------------------------------------
say "building the demangler"
IB=$WORK/libiberty
(
    cd "$IB/libiberty"
    run demangle $CC -std=gnu99 $OPT -Wall -DIN_GLIBCPP_V3 -DHAVE_STRING_H -DHAVE_STDLIB_H \
        -DHAVE_LIMITS_H -I../include -c cp-demangle.c -o cp-demangle.o
    run demangle $AR rcs "$DEPS/lib/libdemangle.a" cp-demangle.o
)

# ---------------------------------------------------------------------------
# 9. Smoke test: the flags and link order a consumer must use (a cross
#    build's is checked for its machine: it cannot run here).
# ---------------------------------------------------------------------------
say "verifying"
T=$WORK/smoke
mkdir -p "$T"
cat >"$T/smoke.c" <<'EOF'
#include <stdio.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <gelf.h>
#include <zlib.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>

char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

int main(void)
{
	char *name = __cxa_demangle("_ZN3app5Cache3putEi", NULL, NULL, NULL);

	if (elf_version(EV_CURRENT) == EV_NONE || !name || strcmp(name, "app::Cache::put(int)"))
		return 1;
	free(name);
	printf("libbpf %s, zlib %s, XDP_FLAGS_DRV_MODE=%d\n",
	       libbpf_version_string(), zlibVersion(), XDP_FLAGS_DRV_MODE);
	return 0;
}
EOF
run smoke "$CC" -static -O2 -Wall -Werror -I"$DEPS/include" -idirafter "$DEPS/uapi" \
    "$T/smoke.c" -o "$T/smoke" \
    -L"$DEPS/lib" -lbpf -lelf -lz -ldemangle
[[ $(readelf -l "$T/smoke") != *INTERP* ]] || die "smoke test binary is not static"
if [[ -n $CROSS ]]; then
    out=$(readelf -h "$T/smoke" | sed -n 's/^ *Machine: *//p')
    [[ $out == AArch64 ]] || die "smoke test binary is for '$out', not $ARCH"
    out="static $out"
else
    out=$("$T/smoke") || die "smoke test binary failed"
fi
say "smoke test: $out"

rm -rf "$WORK"
echo "$STAMP" >"$DEPS/.stamp"
say "done in ${SECONDS}s -> ${DEPS#"$ROOT"/}"
