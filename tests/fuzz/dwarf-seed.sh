#!/usr/bin/env bash
# The seeds of fuzz_dwarf (corpus/dwarf/): tests/e2e/stacks/inlined.c and
# leaks.c built by gcc and clang with DWARF 4 and 5, and gcc's dwz'd (in
# the file; -m with an alt file, .gnu_debugaltlink and -5's .debug_sup),
# each as the fuzz target reads it: 21 u32 lengths (the object's ten
# sections, the alt file's ten, the link), those bytes, then the addresses
# of its call sites (return address - 1).
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus/dwarf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
secs=(info abbrev line str line_str addr str_offsets ranges rnglists aranges)

# dump FILE SECTION: the section's bytes in FILE.SECTION (empty if none).
dump() {
	{ objcopy --dump-section "$2=$1$2" "$1" "$tmp/junk" 2>/dev/null &&
		[ -f "$1$2" ]; } || : >"$1$2"
}

# seed NAME BIN [ALT]
seed() {
	local b=$2 alt=${3:-} files=() s
	for s in "${secs[@]}"; do dump "$b" .debug_$s; files+=("$b.debug_$s"); done
	for s in "${secs[@]}"; do
		if [ -n "$alt" ]; then dump "$alt" .debug_$s; files+=("$alt.debug_$s"); else files+=(/dev/null); fi
	done
	dump "$b" .gnu_debugaltlink
	[ -s "$b.gnu_debugaltlink" ] || { dump "$b" .debug_sup && cp "$b.debug_sup" "$b.gnu_debugaltlink"; }
	files+=("$b.gnu_debugaltlink")
	{
		python3 -c 'import os,struct,sys; sys.stdout.buffer.write(b"".join(struct.pack("<I", os.path.getsize(f)) for f in sys.argv[1:]))' "${files[@]}"
		cat "${files[@]}"
		objdump -d --no-show-raw-insn "$b" |
			awk '/\tcall/ { getline nx; split(nx, a, ":"); gsub(/ /, "", a[1]); print a[1] }' |
			python3 -c 'import struct,sys; sys.stdout.buffer.write(b"".join(struct.pack("<Q", int(l, 16) - 1) for l in sys.stdin if l.strip()))'
	} >"$out/$1"
}

for src in inlined leaks; do
	for cc in gcc clang; do
		for v in 4 5; do
			command -v $cc >/dev/null || continue
			b=$tmp/$src-$cc$v
			$cc -O2 -g -gdwarf-$v -o "$b" "tests/e2e/stacks/$src.c"
			seed "$src-$cc-dwarf$v" "$b"
		done
	done
done

# dwz: the unit tests' fixture (inlined functions in a header two units
# include), two programs sharing an alt file.
if command -v dwz >/dev/null; then
	f=tests/unit/fixtures/dwz
	for v in 4 5; do
		gcc -O2 -g -gdwarf-$v -o "$tmp/a$v" $f/main.c $f/one.c $f/two.c
		gcc -O2 -g -gdwarf-$v -o "$tmp/b$v" $f/two.c $f/main.c $f/one.c
		cp "$tmp/a$v" "$tmp/s$v" && dwz "$tmp/s$v"
		seed "dwz-single-dwarf$v" "$tmp/s$v"
		for m in gnu sup; do
			[ $m = sup ] && [ $v = 4 ] && continue
			d=$tmp/$m$v && mkdir -p "$d" && cp "$tmp/a$v" "$tmp/b$v" "$d/"
			(cd "$d" && dwz -m common.debug $([ $m = sup ] && echo -5) -M "$d/common.debug" a$v b$v)
			seed "dwz-alt-$m-dwarf$v" "$d/a$v" "$d/common.debug"
		done
	done
fi
ls -l "$out"
