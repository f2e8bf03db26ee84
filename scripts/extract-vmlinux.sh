#!/usr/bin/env bash
# Extract the uncompressed kernel (an ELF vmlinux) from a bzImage.
#
#   scripts/extract-vmlinux.sh BZIMAGE OUT
#
# The matrix boots the ELF itself: qemu enters it through its PVH note
# (CONFIG_PVH), which skips the bzImage's real-mode setup and its own
# decompressor, and boots in 3-4 s under TCG.
#
# How (as the kernel's scripts/extract-vmlinux does): a bzImage carries its
# payload compressed with one of a few methods; look for each method's magic
# bytes, try to decompress from every hit, and keep the first result that is
# an ELF file.  Decompressors complain about the bytes after the payload (and
# fail outright on false hits): their exit status means nothing here, the
# result's first bytes decide.
set -euo pipefail

say() { printf 'extract-vmlinux: %s\n' "$*"; }
die() { printf 'extract-vmlinux: error: %s\n' "$*" >&2; exit 1; }

(($# == 2)) || die "usage: extract-vmlinux.sh BZIMAGE OUT"
IMG=$1
OUT=$2
[[ -r $IMG ]] || die "cannot read $IMG"

# Byte-wise matching of the magics below, whatever the caller's locale.
export LC_ALL=C

# "magic (as grep -P bytes) decompressor...", most likely first for Debian
# kernels (xz up to 6.1, zstd since).
METHODS=(
    '\xfd7zXZ\x00|xz -dc'
    '\x28\xb5\x2f\xfd|zstd -dcq'
    '\x1f\x8b\x08|gzip -dc'
    '\x02\x21\x4c\x18|lz4 -dc'
    'BZh|bzip2 -dc'
    '\x5d\x00\x00\x00|xz -dc --format=lzma'
)

is_elf() {
    [[ $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]
}

# try MAGIC DECOMPRESSOR...: decompress from each hit of MAGIC until an ELF
# comes out; succeeds then.
try() {
    local magic=$1 off
    shift
    command -v "$1" >/dev/null || return 1
    while read -r off; do
        tail -c +$((off + 1)) "$IMG" | "$@" >"$OUT.tmp" 2>/dev/null || true
        if [[ -s $OUT.tmp ]] && is_elf "$OUT.tmp"; then
            mv "$OUT.tmp" "$OUT"
            return 0
        fi
    done < <(grep -obUaP "$magic" "$IMG" | cut -d: -f1)
    return 1
}

# Already an ELF (someone passed a vmlinux): nothing to do but copy.
if is_elf "$IMG"; then
    cp "$IMG" "$OUT"
    exit 0
fi
trap 'rm -f "$OUT.tmp"' EXIT
for m in "${METHODS[@]}"; do
    # shellcheck disable=SC2086  # the decompressor's words
    if try "${m%%|*}" ${m#*|}; then
        say "$(basename "$IMG"): ${m#*|} -> $OUT ($(stat -c %s "$OUT") bytes)"
        exit 0
    fi
done
die "no compressed ELF kernel found in $IMG"
