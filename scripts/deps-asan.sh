#!/usr/bin/env bash
# The sanitized build's dependencies (make check's ASan+UBSan replay, make
# fuzz): a glibc libbpf built with gcc into build/asan-deps/, linked with
# Debian's libelf-dev and zlib1g-dev; clang and libclang-rt (libFuzzer,
# ASan) for the fuzz targets.  libbpf is the same pinned source deps.sh
# fetched (build/apt/src), so both builds read the same library.
#
#   scripts/deps-asan.sh     # run by make (build/asan-deps/.stamp)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/asan-deps
SRC=$ROOT/build/apt/src
LIBBPF_UP=1.5.0

say() { printf 'deps-asan: %s\n' "$*"; }
die() { printf 'deps-asan: error: %s\n' "$*" >&2; exit 1; }
. "$ROOT/scripts/apt-lib.sh"
need_packages gcc clang libclang-rt-14-dev libelf-dev zlib1g-dev pkg-config

tarball=$SRC/libbpf_$LIBBPF_UP.orig.tar.gz
[[ -f $tarball ]] || die "$tarball missing (run scripts/deps.sh first)"
rm -rf "$OUT"
mkdir -p "$OUT/src" "$OUT/lib" "$OUT/include" "$OUT/uapi"
tar -xf "$tarball" -C "$OUT/src" --strip-components=1
# Debian's patches (the security fix among them), as deps.sh applies them.
if [[ -f $SRC/libbpf_$LIBBPF_UP-3.debian.tar.xz ]]; then
    tar -xf "$SRC/libbpf_$LIBBPF_UP-3.debian.tar.xz" -C "$OUT/src"
    while read -r p _; do
        [[ -z $p || $p == \#* ]] && continue
        patch -d "$OUT/src" -p1 -s -N <"$OUT/src/debian/patches/$p" >/dev/null
    done <"$OUT/src/debian/patches/series"
fi
# And bpfbox's own (scripts/patches/libbpf), as deps.sh applies them.
for p in "$ROOT"/scripts/patches/libbpf/*.patch; do
    patch -d "$OUT/src" -p1 -s -N <"$p" >/dev/null || die "our libbpf patch ${p##*/} does not apply"
done
make -C "$OUT/src/src" -j2 BUILD_STATIC_ONLY=1 OBJDIR="$OUT/obj" \
     DESTDIR="$OUT" PREFIX= LIBDIR=/lib INCLUDEDIR=/include \
     CFLAGS="-O1 -g -fPIC" install >"$OUT/build.log" 2>&1 \
    || { tail -20 "$OUT/build.log" >&2; exit 1; }
cp -a "$OUT"/src/include/uapi/linux "$OUT/uapi/"
rm -rf "$OUT/src" "$OUT/obj"
touch "$OUT/.stamp"
echo "deps-asan: glibc libbpf in $OUT"
