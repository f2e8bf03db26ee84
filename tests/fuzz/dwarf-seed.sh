#!/usr/bin/env bash
# The seeds of fuzz_dwarf (corpus/dwarf/): tests/e2e/stacks/inlined.c and
# leaks.c built by gcc and clang with DWARF 4 and 5, each as the fuzz
# target reads it: ten u32 section lengths, the sections, then the
# addresses of its call sites (return address - 1).
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus/dwarf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
secs=(info abbrev line str line_str addr str_offsets ranges rnglists aranges)
for src in inlined leaks; do
	for cc in gcc clang; do
		for v in 4 5; do
			command -v $cc >/dev/null || continue
			b=$tmp/$src-$cc$v
			$cc -O2 -g -gdwarf-$v -o "$b" "tests/e2e/stacks/$src.c"
			for s in "${secs[@]}"; do
				{ objcopy --dump-section .debug_$s="$b.$s" "$b" "$tmp/junk" 2>/dev/null && [ -f "$b.$s" ]; } || : >"$b.$s"
			done
			{
				for s in "${secs[@]}"; do
					python3 -c 'import os,struct,sys; sys.stdout.buffer.write(struct.pack("<I", os.path.getsize(sys.argv[1])))' "$b.$s"
				done
				for s in "${secs[@]}"; do cat "$b.$s"; done
				objdump -d --no-show-raw-insn "$b" |
					awk '/\tcall/ { getline nx; split(nx, a, ":"); gsub(/ /, "", a[1]); print a[1] }' |
					python3 -c 'import struct,sys; sys.stdout.buffer.write(b"".join(struct.pack("<Q", int(l, 16) - 1) for l in sys.stdin if l.strip()))'
			} >"$out/$src-$cc-dwarf$v"
		done
	done
done
ls -l "$out"
