#!/usr/bin/env bash
# End-to-end tests of the user-stack unwinder (bpf/bpfbox.bpf.h's walk,
# common/ustack.c, common/unwind.c) through memleak and deadlock, on
# programs built here with and without frame pointers (tests/e2e/stacks/)
# and on Debian's own python3 (built without them), valgrind as the oracle:
#
# - leaks.c: leaks made inside libc (strdup, getline, fopen) and at the end
#   of a chain of four functions: every leak's stack, caller by caller down
#   to main, equals valgrind memcheck's (inlined frames folded: one frame a
#   return address);
# - cache.cc: a leak through operator new inside app::Cache::put: the same
#   against valgrind, C++ names demangled on both sides, then mangled on
#   both (--demangle=no, --no-demangle);
# - python3 running a script that leaks: the stack reaches Py_BytesMain;
# - lockmain + liblocklib.so (no frame pointers): deadlock's two
#   acquisition stacks of each edge, whole, down to clone3;
# - no stack shows a frame outside code, and [...] only where the walk
#   could not go on (nocfi.c: assembly without CFI);
# - a record of a stripped program, reported without its debug file (no
#   names) and with --debug-dir (named from the debug file by build-id);
# - source lines (common/dwarf.c), addr2line -i -f as the oracle: every
#   frame of the program gets its file:line, and the calls inlined at it
#   (inlined.c: always_inline) a line each above it, with DWARF 4, DWARF 5
#   and compressed sections, live and in a report --debug-dir of a stripped
#   copy; without debug information, names and offsets only;
# - the same through dwz -m (as Debian builds its -dbgsym packages): the
#   inlined functions' names in the alt file two programs share, found by
#   the path it names (live) and by build-id (report --debug-dir of a
#   stripped copy, its debug file by build-id too).
#
# The last line is "e2e-stacks: N passed, N failed"; the exit status is 1
# if anything failed.

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
BB=${BPFBOX:-$TOP/bpfbox}
SRC=$TOP/tests/e2e/stacks

. "$TOP/tests/e2e/lib.sh"
e2e_begin e2e-stacks "loads BPF programs, attaches uprobes" "$BB"

for tool in gcc g++ valgrind jq dwz; do
	if ! command -v $tool >/dev/null; then
		. "$TOP/scripts/apt-lib.sh"
		want_packages gcc g++ valgrind jq dwz
		break
	fi
done
PY=/usr/bin/python3

# ---- fixtures -------------------------------------------------------------------

build() {
	gcc -O2 -g -fno-omit-frame-pointer -o "$T/leaks_fp" "$SRC/leaks.c" &&
	gcc -O2 -g -fomit-frame-pointer -o "$T/leaks_nofp" "$SRC/leaks.c" &&
	g++ -O2 -g -fno-omit-frame-pointer -o "$T/cache_fp" "$SRC/cache.cc" &&
	g++ -O2 -g -fomit-frame-pointer -o "$T/cache_nofp" "$SRC/cache.cc" &&
	gcc -O2 -g -fomit-frame-pointer -shared -fPIC -o "$T/liblocklib.so" "$SRC/locklib.c" &&
	gcc -O2 -g -fomit-frame-pointer -o "$T/lockmain" "$SRC/lockmain.c" \
		-L"$T" -llocklib -Wl,-rpath,"$T" -lpthread
}
check "fixtures build (gcc, g++; with and without frame pointers)" build

# ---- stacks as lists of function names ------------------------------------------

# vg_stacks FILE: valgrind's loss records as "BYTES COUNT: f1;f2;...;main",
# the allocator valgrind replaces dropped (memleak's stacks start at its
# caller; operator new stays: memleak sees the malloc it calls), one name
# per return address (an inlined call shares its caller's), down to main.
vg_stacks() {
	awk '
	/ bytes in [0-9,]+ blocks are / {
		# "N bytes in M blocks", or "T (N direct, I indirect) bytes in M blocks"
		flush(); h = $0; sub(/^==[0-9]+== /, "", h); split(h, w, " ")
		bytes = w[1]; if (w[2] ~ /^\(/) bytes = substr(w[2], 2)
		match(h, /bytes in [0-9,]+ blocks/); n = substr(h, RSTART + 9, RLENGTH - 16)
		gsub(",", "", bytes); gsub(",", "", n)
		head = bytes " " n ":"; frames = ""; last = ""; name = ""; nf = 0; done = 0; next
	}
	/^==[0-9]+==    (at|by) 0x/ && head != "" && !done {
		# "by 0xADDR: NAME (FILE:LINE)": NAME may have blanks (C++)
		addr = $3; sub(":", "", addr); fn = $0
		sub(/^==[0-9]+==    (at|by) 0x[0-9A-Fa-f]+: /, "", fn); sub(/ \([^(]*\)$/, "", fn)
		if (nf == 0 && fn ~ /^(malloc|calloc|realloc)$/) { nf = -1; next }
		if (nf == -1) nf = 0
		if (addr == last) { name = fn; next }	# an inlined frame: its caller wins
		if (name != "") frames = frames (frames == "" ? " " : ";") name
		last = addr; name = fn; nf++
		if (fn == "main") { frames = frames (frames == "" ? " " : ";") fn; name = ""; done = 1 }
		next
	}
	/^==[0-9]+== $/ { flush() }
	function flush() {
		if (head != "" && done) print head frames
		head = ""
	}
	END { flush() }' "$1" | sort
}

# bb_stacks FILE: memleak's final JSON rows the same way ("+0x..  (module)"
# cut off), down to main; rows that never reach main left out.
bb_stacks() {
	jq -r 'select(.type == "final") |
		"\(.bytes) \(.count): " + ([.stack[] | sub("\\+0x[0-9a-f]+.*$"; "")] |
		(index("main") // -1) as $m | if $m < 0 then "" else .[0:$m + 1] | join(";") end)' "$1" |
		grep -v ': $' | sort
}

# ---- memleak against valgrind -----------------------------------------------------

# leak_case NAME DEMANGLE PROGRAM STACKS...: memleak's stacks of PROGRAM
# equal valgrind's, C++ names demangled by both (DEMANGLE yes) or by
# neither (no: --demangle=no, --no-demangle), and the expected ones are
# among them.
leak_case() {
	local name=$1 demangle=$2 prog=$3 vgopt= bbopt=
	shift 3
	G=$T/$name
	SHOW=("$G.bb" "$G.bbs" "$G.vgs" "$G.err")
	[ "$demangle" = no ] && vgopt=--demangle=no bbopt=--no-demangle
	valgrind --leak-check=full --show-leak-kinds=all --num-callers=50 $vgopt \
		"$prog" >/dev/null 2>"$G.vg"
	vg_stacks "$G.vg" >"$G.vgs"
	# Both engines: the in-process one (the default here) and the uprobe one.
	local engine want base=$G
	for engine in inprocess uprobe; do
		G=$base-$engine
		SHOW=("$G.bb" "$G.bbs" "$base.vgs" "$G.err")
		timeout -s INT -k 5 60 "$BB" memleak --engine $engine --json $bbopt -- "$prog" \
			>"$G.bb" 2>"$G.err"
		bb_stacks "$G.bb" >"$G.bbs"
		check "$name ($engine): memleak's stacks down to main equal valgrind's" \
			diff "$base.vgs" "$G.bbs"
		for want in "$@"; do
			check "$name ($engine): the stack '$want'" grep -qxF -- "$want" "$G.bbs"
		done
		# A frame is code (a symbol), a module+offset, or the [...] mark:
		# never an address in no module, nor a frame in the stack's memory.
		check "$name ($engine): no frame outside code" \
			eval "! jq -r '.stack[]?' '$G.bb' | grep -E '^0x|\\[stack\\]|\\[heap\\]'"
	done
	G=$base
}

LIBC_LEAKS=("6 1: strdup;dup_leak;main" "120 1: getdelim;line_leak;main"
	    "472 1: __fopen_internal;open_leak;main" "4444 1: chain4;chain3;chain2;chain1;main")
leak_case leaks_nofp yes "$T/leaks_nofp" "${LIBC_LEAKS[@]}"
leak_case leaks_fp yes "$T/leaks_fp" "${LIBC_LEAKS[@]}"
CXX_PUT="app::Cache::put(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&, int)"
leak_case cache_nofp yes "$T/cache_nofp" "40 1: operator new(unsigned long);$CXX_PUT;main"
leak_case cache_fp yes "$T/cache_fp" "40 1: operator new(unsigned long);$CXX_PUT;main"
leak_case cache_mangled no "$T/cache_nofp" \
	"40 1: _Znwm;_ZN3app5Cache3putERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi;main"

# The outermost frame: the walk stops where the CFI says there is no
# caller (_start), and says nothing more.
check "leaks_nofp: the stacks end at _start, not in [...]" \
	eval "jq -r 'select(.type == \"final\" and (.stack | index(\"main+\") // false)) | .stack[-1]' '$T/leaks_nofp-inprocess.bb' '$T/leaks_nofp-uprobe.bb' 2>/dev/null |
		grep -v '^_start+0x[0-9a-f]* (leaks_nofp)\$' | grep -q . && exit 1; true"

# Code without call frame information nor frame pointer: the stack ends
# with [...] right after it, and the warning names its object.
gcc -O2 -fomit-frame-pointer -o "$T/nocfi" "$SRC/nocfi.c"
G=$T/nocfi
SHOW=("$G.out" "$G.err")
# (The uprobe engine: its walker marks where the rows stop; the in-process
# engine's libgcc unwinder ends the stack there, unmarked.)
timeout -s INT -k 5 60 "$BB" memleak --engine uprobe -- "$T/nocfi" >"$G.out" 2>"$G.err"
check "nocfi: the leak from assembly without CFI: its frame, then [...]" \
	eval "grep -A2 '^	77 bytes in 1 allocations' '$G.out' | tr -d '\t' |
		sed 's/+0x[0-9a-f]* / /' | paste -sd'|' | grep -qx '77 bytes in 1 allocations from stack|asm_leak (nocfi)|\[...\]'"
check "nocfi: the warning names the object where stacks stopped" \
	grep -qx 'memleak: stacks marked \[...\] stop in nocfi: .*' "$G.err"

# ---- Debian's python3 (no frame pointers) ------------------------------------------

# Python frees its objects at exit: the table is read while it sleeps.
cat >"$T/leak.py" <<'EOF'
import time
keep = []
def leaky_function(n):
    for i in range(n):
        keep.append(bytearray(10000000 + i))
leaky_function(3)
time.sleep(60)
EOF
G=$T/python
SHOW=("$G.out" "$G.err")
timeout -s INT -k 5 60 "$BB" memleak --json -d 5 -- "$PY" "$T/leak.py" >"$G.out" 2>"$G.err"
# The three 10 MB bytearrays: their stack (by size) reaches Py_BytesMain
# through the interpreter, no [...] before it.
check "python3: the script's 3 x 10 MB leak has a stack down to Py_BytesMain and main's caller" \
	eval "jq -r 'select(.type == \"final\" and .count == 3 and .bytes >= 30000003 and .bytes < 30001000) |
		[.stack[] | sub(\"\\\\+0x[0-9a-f]+.*$\"; \"\")] | join(\" \")' '$G.out' |
		grep -E ' _PyEval_EvalFrameDefault .* Py_RunMain Py_BytesMain __libc_start_call_main __libc_start_main _start\$'"

# ---- a record made here, reported with and without the debug files ----------------

# A stripped program (as on a small board) whose debug file is elsewhere
# (as on the workstation): the record carries each frame's build-id and
# link-time address, report --debug-dir names them from it.
G=$T/record
SHOW=("$G.plain" "$G.named" "$G.err")
# strip_to PROG COPY DIR: a stripped COPY of PROG, its debug file under
# DIR/.build-id/ (as Debian's -dbgsym packages lay them out).
strip_to() {
	local id
	cp "$1" "$2" &&
	objcopy --only-keep-debug "$2" "$2.debug" &&
	strip --strip-all "$2" &&
	id=$(readelf -n "$2" | sed -n 's/.*Build ID: \([0-9a-f]*\)$/\1/p') &&
	[ -n "$id" ] && mkdir -p "$3/.build-id/${id:0:2}" &&
	mv "$2.debug" "$3/.build-id/${id:0:2}/${id:2}.debug"
}
check "record: a stripped copy of leaks_nofp, its debug file by build-id in another directory" \
	strip_to "$T/leaks_nofp" "$T/leaks_strip" "$T/dbg"
timeout -s INT -k 5 60 "$BB" memleak -w "$G.bbr" -- "$T/leaks_strip" >/dev/null 2>"$G.err"
"$BB" report "$G.bbr" >"$G.plain" 2>>"$G.err"
"$BB" report --debug-dir "$T/dbg" "$G.bbr" >"$G.named" 2>>"$G.err"
# Each stack as "f1;f2;..." (functions, or module+offset when unnamed).
stacks_of() {
	awk '/bytes in/ { if (s != "") print s; s = ""; next }
	     /^\t\t/ { f = $1; sub(/\+0x[0-9a-f]+$/, "", f); if ($1 ~ /^leaks_strip\+/) f = "?"; s = s (s == "" ? "" : ";") f }
	     END { if (s != "") print s }' "$1" | sort
}
check "report without the debug files: the program's frames have no names (module+offset)" \
	grep -qx 'strdup;?;?;__libc_start_call_main;__libc_start_main;?' <(stacks_of "$G.plain")
check "report --debug-dir: strdup;dup_leak;main from the debug file" \
	grep -qx 'strdup;dup_leak;main;__libc_start_call_main;__libc_start_main;_start' <(stacks_of "$G.named")
check "report --debug-dir: the chain of four named, down to _start" \
	grep -qx 'chain4;chain3;chain2;chain1;main;__libc_start_call_main;__libc_start_main;_start' \
	<(stacks_of "$G.named")
check "report --debug-dir: the module stays the recorded one" \
	grep -qE $'^\t\tdup_leak\\+0x9 \\(leaks_strip\\)( \\(leaks\\.c:[0-9]+\\))?$' "$G.named"

# ---- source lines and inlined calls, addr2line as the oracle ----------------------

# frames FILE: the frames of a stack printout, one a line, unindented.
frames() {
	sed -n 's/^\(\t\t\|      \)\([^ \t].*\)$/\2/p' "$1"
}

# oracle_check NAME FILE MODULE BIN: each frame of FILE in MODULE (BIN, its
# unstripped build) and the inlined lines above it, against what
# addr2line -i -f gives for its return address - 1: "fn (file:line)" for
# each inlined call, then "name+0xoff (MODULE) (file:line)".  Frames of
# other modules are left out.  Fails too when no frame is in MODULE.
oracle_check() {
	local name=$1 file=$2 module=$3 bin=$4 line sym off addr fn loc n=0
	local pending=() out=() a2l=()
	: >"$T/$name.ours"
	: >"$T/$name.a2l"
	while IFS= read -r line; do
		case $line in
		*"+0x"*" ($module)"*)
			printf '%s\n' "${pending[@]}" "$line" | grep . >>"$T/$name.ours"
			sym=${line%%+0x*}
			off=${line#*+0x}
			off=${off%% *}
			addr=$(nm "$bin" | awk -v s="$sym" '$3 == s { print $1; exit }')
			[ -n "$addr" ] || { echo "$sym: not in nm $bin"; return 1; }
			mapfile -t a2l < <(addr2line -i -f -s -e "$bin" \
				"$(printf '%x' $((0x$addr + 0x$off - 1)))" | sed 's/ (discriminator [0-9]*)$//')
			out=()
			while [ ${#a2l[@]} -gt 2 ]; do
				out+=("${a2l[0]} (${a2l[1]})")
				a2l=("${a2l[@]:2}")
			done
			loc=" (${a2l[1]})"
			case ${a2l[1]} in *:\?|*:0) loc= ;; esac
			out+=("${line%% (${module})*} ($module)$loc")
			printf '%s\n' "${out[@]}" >>"$T/$name.a2l"
			pending=()
			n=$((n + 1))
			;;
		*"+0x"* | "[...]" | 0x* | "[stack lost]")
			pending=()
			;;
		*)
			pending+=("$line")
			;;
		esac
	done < <(frames "$file")
	[ $n -gt 0 ] || { echo "no frame in $module"; return 1; }
	diff "$T/$name.a2l" "$T/$name.ours"
}

# The leak through two inlined calls, for each kind of debug information.
inl_build() {
	gcc -O2 -g -gdwarf-4 -o "$T/inl_d4" "$SRC/inlined.c" &&
	gcc -O2 -g -gdwarf-5 -o "$T/inl_d5" "$SRC/inlined.c" &&
	gcc -O2 -g -gdwarf-5 -gz -o "$T/inl_gz" "$SRC/inlined.c" &&
	readelf -SW "$T/inl_gz" | grep -q ' \.debug_info .* C ' &&
	gcc -O2 -g0 -o "$T/inl_g0" "$SRC/inlined.c"
}
check "inlined.c builds with DWARF 4, DWARF 5, compressed (-gz), and without -g" inl_build

# The leak's stack, as printed: its lines after "333 bytes in 1 allocations".
leak_333() {
	awk '/^\t333 bytes in 1 allocations/ { on = 1; print; next }
	     /^\t[^\t]/ { on = 0 } on' "$1"
}

for v in d4 d5 gz; do
	G=$T/inl_$v
	SHOW=("$G.out" "$G.err" "$T/src_$v.ours" "$T/src_$v.a2l")
	timeout -s INT -k 5 60 "$BB" memleak -- "$G" >"$G.out" 2>"$G.err"
	leak_333 "$G.out" >"$G.leak"
	check "inl_$v: every frame of the program, inlined calls included, as addr2line -i says" \
		oracle_check "src_$v" "$G.leak" "inl_$v" "$G"
	check "inl_$v: grow and dup_padded inlined into keep_copy, each a line with its file:line" \
		eval "frames '$G.leak' | head -3 | sed 's/[0-9][0-9]*)\$/N)/; s/+0x[0-9a-f]* /+X /' | paste -sd'|' |
		grep -qxF 'grow (inlined.c:N)|dup_padded (inlined.c:N)|keep_copy+X (inl_$v) (inlined.c:N)'"
done

G=$T/inl_d5
SHOW=("$G.json" "$G.out")
timeout -s INT -k 5 60 "$BB" memleak --json -- "$G" >"$G.json" 2>"$G.err"
check "inl_d5 --json: stack_src gives the file, line and inlined calls the text shows" \
	eval "jq -r 'select(.type == \"final\" and .bytes == 333) | .stack_src[0] |
		(.inlined[] | \"\\(.function) (\\(.file):\\(.line))\"), \"(\\(.file):\\(.line))\"' '$G.json' |
		paste -sd'|' | grep -qxF \"\$(frames '$G.leak' | head -3 | sed 's/^keep_copy.* (/(/' | paste -sd'|')\""

G=$T/inl_g0
SHOW=("$G.out" "$G.err")
timeout -s INT -k 5 60 "$BB" memleak -- "$G" >"$G.out" 2>"$G.err"
check "inl_g0 (no debug information): names and offsets, no source line, no inlined line" \
	eval "frames '$G.out' | grep -q '^keep_copy+0x[0-9a-f]* (inl_g0)\$' &&
		! frames '$G.out' | grep -E '\(inl_g0\) \(|^(grow|dup_padded) '"

G=$T/inl_nolines
SHOW=("$G.out" "$G.err")
timeout -s INT -k 5 60 "$BB" memleak --no-lines -- "$T/inl_d5" >"$G.out" 2>"$G.err"
check "inl_d5 --no-lines: names and offsets only, as without debug information" \
	eval "frames '$G.out' | grep -q '^keep_copy+0x[0-9a-f]* (inl_d5)\$' &&
		! frames '$G.out' | grep -E ':[0-9]+\)\$|^(grow|dup_padded) '"

# leaks.c's stacks (no inlining): each frame of the program at its line.
G=$T/leaks_src
SHOW=("$G.out" "$G.err")
timeout -s INT -k 5 60 "$BB" memleak -- "$T/leaks_nofp" >"$G.out" 2>"$G.err"
check "leaks_nofp: every frame of the program in every stack, as addr2line says" \
	oracle_check leaks_src "$G.out" leaks_nofp "$T/leaks_nofp"

# A record of a stripped copy, its debug file by build-id elsewhere: the
# report gives no line without it, addr2line's with --debug-dir.
G=$T/inl_rec
SHOW=("$G.plain" "$G.named" "$G.err" "$T/src_rec.ours" "$T/src_rec.a2l")
check "record: a stripped copy of inl_d5, its debug file by build-id in another directory" \
	strip_to "$T/inl_d5" "$T/inl_strip" "$T/dbg2"
timeout -s INT -k 5 60 "$BB" memleak -w "$G.bbr" -- "$T/inl_strip" >/dev/null 2>"$G.err"
"$BB" report "$G.bbr" >"$G.plain" 2>>"$G.err"
"$BB" report --debug-dir "$T/dbg2" "$G.bbr" >"$G.named" 2>>"$G.err"
check "report without the debug file: no source line for the program's frames" \
	eval "leak_333 '$G.plain' >'$G.leak0' && frames '$G.leak0' | grep -q '^inl_strip+0x[0-9a-f]*\$' &&
		! frames '$G.leak0' | grep -qE 'inl_strip.* \(|^(grow|dup_padded) '"
leak_333 "$G.named" >"$G.leak"
check "report --debug-dir: the program's frames and inlined calls, as addr2line says" \
	oracle_check src_rec "$G.leak" inl_strip "$T/inl_d5"
check "report --debug-dir: the inlined calls are there" \
	eval "frames '$G.leak' | head -2 | grep -c '^\(grow\|dup_padded\) (inlined.c:[0-9]*)\$' | grep -qx 2"

# ---- dwz: the inlined functions' names in the alt file ------------------------------

# inl_dwz and inl_dwz2 (inlined.c with and without frame pointers) share an
# alt file (dwz -m): grow's and dup_padded's abstract instances, which name
# the inlined calls, are in its partial unit.  dwz leaves the code as it
# was: addr2line's oracle is inl_d5, the same build before dwz.
dwz_build() {
	mkdir -p "$T/dwz" &&
	cp "$T/inl_d5" "$T/inl_dwz" &&
	gcc -O2 -g -gdwarf-5 -fno-omit-frame-pointer -o "$T/inl_dwz2" "$SRC/inlined.c" &&
	dwz -m "$T/dwz/common.debug" -M "$T/dwz/common.debug" "$T/inl_dwz" "$T/inl_dwz2" &&
	readelf -SW "$T/inl_dwz" | grep -q ' \.gnu_debugaltlink ' &&
	readelf --debug-dump=info "$T/dwz/common.debug" | awk '/DW_TAG_partial_unit/ { pu = 1 }
		/DW_AT_name.*: grow$/ && pu { found = 1 } END { exit !found }'
}
if command -v dwz >/dev/null; then
	check "dwz -m: inl_dwz and inl_dwz2 share an alt file, grow() in its partial unit" dwz_build

	G=$T/inl_dwz
	SHOW=("$G.out" "$G.err" "$T/src_dwz.ours" "$T/src_dwz.a2l")
	timeout -s INT -k 5 60 "$BB" memleak -- "$G" >"$G.out" 2>"$G.err"
	leak_333 "$G.out" >"$G.leak"
	check "inl_dwz (alt file by its path): every frame and inlined call, as addr2line says of inl_d5" \
		eval "sed 's/(inl_dwz)/(inl_d5)/' '$G.leak' >'$G.leak5' &&
			oracle_check src_dwz '$G.leak5' inl_d5 '$T/inl_d5'"
	check "inl_dwz: grow and dup_padded named, inlined into keep_copy" \
		eval "frames '$G.leak' | head -3 | sed 's/[0-9][0-9]*)\$/N)/; s/+0x[0-9a-f]* /+X /' | paste -sd'|' |
		grep -qxF 'grow (inlined.c:N)|dup_padded (inlined.c:N)|keep_copy+X (inl_dwz) (inlined.c:N)'"

	# Stripped, its debug file and the alt file by build-id elsewhere.
	G=$T/dwz_rec
	SHOW=("$G.named" "$G.err" "$T/src_dwzrec.ours" "$T/src_dwzrec.a2l")
	alt_by_id() {
		local id
		id=$(readelf -n "$T/dwz/common.debug" | sed -n 's/.*Build ID: \([0-9a-f]*\)$/\1/p') &&
		[ -n "$id" ] && mkdir -p "$T/dbg3/.build-id/${id:0:2}" &&
		mv "$T/dwz/common.debug" "$T/dbg3/.build-id/${id:0:2}/${id:2}.debug"
	}
	check "record: a stripped copy of inl_dwz, its debug file and the alt file by build-id elsewhere" \
		eval "strip_to '$T/inl_dwz' '$T/dwz_strip' '$T/dbg3' && alt_by_id"
	timeout -s INT -k 5 60 "$BB" memleak -w "$G.bbr" -- "$T/dwz_strip" >/dev/null 2>"$G.err"
	"$BB" report --debug-dir "$T/dbg3" "$G.bbr" >"$G.named" 2>>"$G.err"
	leak_333 "$G.named" >"$G.leak"
	check "report --debug-dir: the program's frames and inlined calls, as addr2line says of inl_d5" \
		eval "sed 's/(dwz_strip)/(inl_d5)/' '$G.leak' >'$G.leak5' &&
			oracle_check src_dwzrec '$G.leak5' inl_d5 '$T/inl_d5'"
	check "report --debug-dir: grow and dup_padded named from the alt file" \
		eval "frames '$G.leak' | head -2 | grep -c '^\(grow\|dup_padded\) (inlined.c:[0-9]*)\$' | grep -qx 2"
else
	skip "dwz: not installed (apt-get install dwz failed)"
fi

# ---- deadlock through a library without frame pointers ----------------------------

G=$T/lock
SHOW=("$G.out" "$G.err")
timeout -s INT -k 5 60 "$BB" deadlock -- "$T/lockmain" >"$G.out" 2>"$G.err"
# Each stack as one line of names after its "taken at:" / "requested at:".
awk '/ (taken|requested) at:$/ { if (s != "") print s; s = ($0 ~ /taken/ ? "taken:" : "requested:"); next }
     /^      / && s != "" { f = $1; sub(/\+0x.*/, "", f); s = s " " f; next }
     { if (s != "") print s; s = "" }
     END { if (s != "") print s }' "$G.out" | sort >"$G.stacks"
SHOW+=("$G.stacks")
for side in forward backward; do
	check "deadlock: $side's first lock, taken through the library, down to clone3" \
		grep -qxF "taken: take lock_first lock_both $side start_thread clone3" "$G.stacks"
	check "deadlock: $side's second lock, requested, down to clone3" \
		grep -qxF "requested: take lock_second lock_both $side start_thread clone3" "$G.stacks"
done
check "deadlock: the four acquisition stacks, nothing else" eq "stacks" 4 "$(wc -l <"$G.stacks")"
check "deadlock: the frames in lockmain and liblocklib.so at their lines, as addr2line says" \
	eval "oracle_check lock_main '$G.out' lockmain '$T/lockmain' &&
		oracle_check lock_lib '$G.out' liblocklib.so '$T/liblocklib.so'"

e2e_end
