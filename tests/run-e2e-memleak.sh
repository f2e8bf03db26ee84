#!/usr/bin/env bash
# End-to-end tests of `bpfbox memleak` on the running kernel, against
# build/work/leaky (tests/work/leaky.c), whose leak_* functions each leak
# known sizes through one allocator function.  Root only.
#
# Counts are exact: a function's leak is the sum over the rows (stacks)
# whose first frame is that function (a loop of 2-3 calls may be unrolled
# into several call sites, so several stacks).  Only the final table is
# read, unless a test says otherwise.
#
# The Makefile builds the musl-static variant of leaky and a static
# program with no libc at all (tests/e2e/memleak-nomalloc.c, for "no
# allocator found").
#
# The last line is "e2e-memleak: N passed, N failed"; the exit status is
# 1 if anything failed.  Failed checks show the files they looked at, and
# the work directory is kept then.

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
BB=${BPFBOX:-$TOP/bpfbox}	# BPFBOX=path tests another build
LEAKY=$TOP/build/work/leaky
MUSL=$TOP/build/work/leaky-musl
E2E=$TOP/tests/e2e

. "$TOP/tests/e2e/lib.sh"
NOMALLOC=$TOP/build/work/nolibc
e2e_begin e2e-memleak "loads BPF programs, attaches uprobes" "$BB" "$LEAKY" "$MUSL" "$NOMALLOC" \
	"$TOP/build/work/ml_inject"
ROOT=$TOP
. "$TOP/scripts/apt-lib.sh"
need_packages strace	# a process traced already (--engine inject's refusal)

# ---- running memleak ---------------------------------------------------------

# ml NAME ARGS...: `bpfbox memleak ARGS` in the foreground, stdin from
# /dev/null, output in $T/NAME.out and .err, exit status in RC.  A 60 s
# timeout (SIGINT, as a user would) guards against a hang.  Every stack
# is kept (the stack map has room for all of a run's): a "[stack lost]"
# row fails the exact counts, no run is made twice.
ml() {
	local name=$1
	shift
	G=$T/$name
	timeout -s INT -k 5 60 "$BB" memleak "$@" >"$G.out" 2>"$G.err" </dev/null
	RC=$?
	SHOW=("$G.out" "$G.err")
}

# ok_run NAME: the checks every run gets: exit 0, and it said what it traced.
ok_run() {
	check "$1: exit status 0, 'tracing ...' on stderr" \
		eval "eq 'exit status' 0 $RC && grep -q '^memleak: tracing ' '$G.err'"
}

# ---- reading memleak's tables ----------------------------------------------------

# sums FILE [awk -v assignments]: "FUNC BYTES COUNT" per first-frame
# function of the final table (tests/e2e/memleak-sums.awk).
sums() {
	local file=$1
	shift
	awk "$@" -f "$E2E/memleak-sums.awk" "$file"
}

# stacks FILE: "BYTES COUNT F1;F2;..." per stack of the final table.
stacks() {
	sums "$1" -v what=stacks
}

# same TEXT-EXPECTED TEXT-GOT: for check, shows both when they differ.
same() {
	[ "$1" = "$2" ] && return 0
	echo "     expected:"; printf '%s\n' "$1" | sed 's/^/       /'
	echo "     got:"; printf '%s\n' "$2" | sed 's/^/       /'
	return 1
}

# expect_leaks FILE [LINE...] [-v table=...]: the leak_* sums are exactly
# these lines (in the final table, or the one -v table= says).
expect_leaks() {
	local file=$1 want got opts=()
	shift
	while [ $# -ge 2 ] && [ "${*: -2:1}" = -v ]; do
		opts+=(-v "${*: -1}")
		set -- "${@:1:$#-2}"
	done
	want=$(printf '%s\n' "$@" | sort)
	got=$(sums "$file" "${opts[@]}" | grep '^leak_')
	same "$want" "$got"
}

# What leaky leaks in one round, through glibc: FUNC BYTES COUNT.
LEAKS=(
	"leak_malloc 300 3"
	"leak_calloc 400 2"
	"leak_realloc 300 1"
	"leak_reallocarray 400 1"
	"leak_posix_memalign 512 2"
	"leak_aligned_alloc 512 1"
	"leak_memalign 1024 1"
	"leak_valloc 2048 1"
	"leak_pvalloc 3000 1"
	"leak_mmap 8192 1"
	"leak_mremap 16384 1"
)
# musl has no pvalloc.
LEAKS_MUSL=()
for l in "${LEAKS[@]}"; do
	[[ $l == leak_pvalloc* ]] || LEAKS_MUSL+=("$l")
done

# scaled K LINE...: the lines with bytes and counts multiplied by K.
scaled() {
	local k=$1
	shift
	printf '%s\n' "$@" | awk -v k="$k" '{ print $1, $2 * k, $3 * k }'
}

# select_leaks FILTER-AWK-CONDITION: the LEAKS lines (one allocation's size
# is $2/$3) for which the condition holds.
select_leaks() {
	printf '%s\n' "${LEAKS[@]}" | awk "$1"
}

# no_churn FILE: churn() frees all it allocates: no stack goes through it.
no_churn() {
	! stacks "$1" | grep -E '(^| |;)churn(;|$)'
}

# nothing_lost ERR-FILE: memleak followed every call (no "lost in the
# kernel" line: no allocation missed its table entry).
nothing_lost() {
	! grep '^memleak: lost in the kernel' "$1"
}

# leak_stacks_via FILE ROOTS-ERE: every leak_* stack is leak_X;main;ROOTS...
leak_stacks_via() {
	local bad
	bad=$(stacks "$1" | awk '$3 ~ /^leak_/' | grep -vE "^[0-9]+ [0-9]+ leak_[a-z_]+;main;($2)(;|\$)")
	[ -z "$bad" ] && [ -n "$(stacks "$1" | awk '$3 ~ /^leak_/')" ] && return 0
	echo "     stacks not through main and $2:"
	printf '%s\n' "$bad" | sed 's/^/       /'
	return 1
}

# ---- setup -----------------------------------------------------------------------

echo "e2e-memleak: $BB, work in $T"

# The two long runs of the sampling test (-n 200: 800k allocator calls)
# go in the background now, and are looked at later.
"$BB" memleak -i 0 -- "$LEAKY" -n 200 >"$T/nosample.out" 2>"$T/nosample.err" </dev/null &
SAMPLE_A=$!
"$BB" memleak -i 0 -s 2 -- "$LEAKY" -n 200 >"$T/sample.out" 2>"$T/sample.err" </dev/null &
SAMPLE_B=$!
BGPIDS+=("$SAMPLE_A" "$SAMPLE_B")

# ---- glibc, -- CMD ARGS --------------------------------------------------------

ml glibc -- "$LEAKY" hello "two words" "it's \"quoted\""
ok_run glibc
LPID=$(sed -n 's/^leaky: pid \([0-9]*\) args:.*/\1/p' "$G.out")
check "glibc: the arguments arrived intact" \
	grep -qxF "leaky: pid $LPID args: [hello] [two words] [it's \"quoted\"]" "$G.out"
# A started dynamic glibc program: the in-process engine by default.
check "glibc: the in-process engine chosen, said in one line" \
	grep -qx "memleak: in-process engine (preloaded: no trap per call; --engine uprobe for the other)" "$G.err"
check "glibc: traced in-process in leaky's pid" \
	grep -qxE "memleak: tracing malloc and friends in-process, pid $LPID \\(preload\\); Ctrl-C to stop" "$G.err"
check "glibc: leaky ran to the end before the final table" \
	eval "grep -qx 'leaky: done' '$G.out' && grep -q '(final):\$' '$G.out'"
check "glibc: exact bytes and counts of every leak_* function" expect_leaks "$G.out" "${LEAKS[@]}"
check "glibc: nothing else outstanding (stdio's buffer: a default suppression)" \
	same "$(printf '%s\n' "${LEAKS[@]}" | sort)" "$(sums "$G.out")"
# (leaky's keep[] is never read: the compiler drops the stores, valgrind too
# finds the blocks definitely lost.)
check "glibc: every leak_* block definitely lost" \
	same "$(printf '%s\n' "${LEAKS[@]}" | sort)" "$(sums "$G.out" -v kind=definitely)"
check "glibc: no stack through churn" no_churn "$G.out"
check "glibc: nothing lost in the kernel" nothing_lost "$G.err"
check "glibc: leak stacks are leak_X;main;__libc_start_call_main" \
	leak_stacks_via "$G.out" __libc_start_call_main
check "glibc: the realloc'ed 10-byte block is not there" \
	eval "! stacks '$G.out' | grep -q '^10 '"
check "glibc: the frames name their module, then their source line (built -g)" \
	grep -qE '^		leak_malloc\+0x[0-9a-f]+ \(leaky\) \(leaky\.c:[0-9]+\)$' "$G.out"

# The uprobe engine on the same program: the same report, stacks and all.
GLIBC_INPROC=$G
ml glibc-engine-uprobe --engine uprobe -- "$LEAKY" hello
ok_run glibc-engine-uprobe
LPID=$(sed -n 's/^leaky: pid \([0-9]*\) args:.*/\1/p' "$G.out")
# (An attach method in parentheses may follow the pid.)
check "glibc-engine-uprobe: traced libc.so.6 of leaky's pid" \
	grep -qxE "memleak: tracing malloc and friends in libc\\.so\\.6 \\(glibc\\), pid $LPID( \\([a-z_.]+\\))?; Ctrl-C to stop" "$G.err"
check "glibc-engine-uprobe: the note says why" \
	grep -qx "memleak: uprobe engine: asked for (--engine uprobe)" "$G.err"
check "glibc-engine-uprobe: exact bytes and counts of every leak_* function" \
	expect_leaks "$G.out" "${LEAKS[@]}"
check "both engines: the same stacks, bytes and counts" \
	same "$(stacks "$GLIBC_INPROC.out" | sort)" "$(stacks "$G.out" | sort)"
check "both engines: the same leak kinds" \
	same "$(sums "$GLIBC_INPROC.out" -v kind=definitely)" "$(sums "$G.out" -v kind=definitely)"

# Threads: four at once, churning and leaking (ml_threads): exact under
# both engines (the in-process engine's table under one lock).
THREADS=$TOP/build/work/ml_threads
for engine in inprocess uprobe; do
	ml "threads-$engine" --engine "$engine" -- "$THREADS"
	ok_run "threads-$engine"
	check "threads-$engine: thread_leak 19200 bytes in 400, exact" \
		eq thread_leak "thread_leak 19200 400" "$(sums "$G.out" | grep '^thread_leak ')"
	check "threads-$engine: nothing lost" nothing_lost "$G.err"
done

# mmap'd blocks (ml_bigmap): glibc's malloc maps requests of 128 KiB and
# more itself; the program maps and remaps directly; two threads' stacks
# are glibc's own mappings.  Both engines: exactly the program's blocks,
# the same stacks; glibc's internal mmaps (the thread stacks: 8 MB), which
# the in-process engine cannot see, are left out by the uprobe engine too.
BIGMAP_SUMS="leak_big 200000 1
leak_calloc_big 250000 1
leak_map 65536 1
leak_mremap 131072 1
leak_realloc_big 400000 1
thread_leak 100 2"
for engine in inprocess uprobe; do
	ml "bigmap-$engine" --engine "$engine" -- "$TOP/build/work/ml_bigmap"
	ok_run "bigmap-$engine"
	check "bigmap-$engine: exactly the program's blocks, mmap'd ones too" \
		same "$BIGMAP_SUMS" "$(sums "$G.out")"
done
check "bigmap: both engines, the same stacks, bytes and counts" \
	same "$(stacks "$T/bigmap-inprocess.out" | sort)" "$(stacks "$G.out" | sort)"

# fork without -f: the child's calls are not written into the parent's
# tables (the in-process engine: the child is no longer the followed pid).
ml fork-inproc -- "$TOP/build/work/ml_fork"
ok_run fork-inproc
check "fork-inproc: parent_leak 77 in 1, nothing of the child's" \
	eq parent "parent_leak 77 1" "$(sums "$G.out" | grep _leak)"

# The other attach method: one uprobe (and uretprobe) per function, as
# on kernels without uprobe.multi.
ml glibc-uprobe --engine uprobe --attach uprobe,uretprobe -- "$LEAKY"
ok_run glibc-uprobe
check "glibc-uprobe: attached with uprobe" grep -qE '^memleak: tracing .*\(uprobe\); Ctrl-C' "$G.err"
check "glibc-uprobe: exact bytes and counts of every leak_* function" \
	expect_leaks "$G.out" "${LEAKS[@]}"
check "glibc-uprobe: no stack through churn" no_churn "$G.out"
check "glibc-uprobe: nothing lost in the kernel" nothing_lost "$G.err"

# A realloc that grows its block in place (bookworm's glibc does it for 89 of
# leaky's 1001, leak_realloc's among them) replaces the table's entry for
# that address.  Before 6.4 the map update's -EEXIST came back as a
# 32-bit value: compared as 64 bits it failed, and every in-place realloc
# was lost, its old size kept (leak_realloc 10 bytes, "89 allocations not
# followed").  --events shows each one: all 1001, some in place.
ml realloc-uprobe --events --attach uprobe,uretprobe -- "$LEAKY"
ok_run realloc-uprobe
check "realloc-uprobe: every one of leaky's 1001 reallocs, some in place, nothing lost" \
	eval "eq 'realloc events, in place' '1001 in-place' \
		\"\$(awk '\$5 == \"realloc\" { n++; if (\$6 == \$9) p++ }
			  END { print n, (p ? \"in-place\" : \"none-in-place\") }' '$G.out')\" &&
	      nothing_lost '$G.err'"
# The compiled check itself: the -EEXIST test is done on 32 bits (a 64-bit
# "if rN != -17" is the bug); kernels since 6.4 never show it.
check "memleak.bpf.o: no 64-bit compare with a negative errno (-1 is MAP_FAILED)" \
	eval "! llvm-objdump -d --no-show-raw-insn '$TOP/build/bpf/memleak.bpf.o' |
		grep -E 'if r[0-9]+ [!=<>s]+ -([2-9]|[1-9][0-9]+) goto'"

# ---- glibc, -c 'CMD ARGS', -n 3 --------------------------------------------------

ml command -c "'$LEAKY' -n 3 'it'\\''s x' \"q \\\"d\\\"\"  plain 'two  spaces'"
ok_run command
check "command: -c split the words like a shell" \
	grep -qE "^leaky: pid [0-9]+ args: \\[it's x\\] \\[q \"d\"\\] \\[plain\\] \\[two  spaces\\]\$" "$G.out"
check "command: -n 3 triples every leak" expect_leaks "$G.out" "$(scaled 3 "${LEAKS[@]}")"
check "command: no stack through churn" no_churn "$G.out"

# ---- musl, static -----------------------------------------------------------------

ml musl -- "$MUSL" a "b c"
ok_run musl
check "musl: the arguments arrived intact" grep -qE '^leaky: pid [0-9]+ args: \[a\] \[b c\]$' "$G.out"
check "musl: traced the static executable itself" \
	grep -qE '^memleak: tracing malloc and friends in leaky-musl \(musl\), pid [0-9]+' "$G.err"
check "musl: a note says pvalloc is not traced" grep -qE 'pvalloc.*not traced' "$G.err"
check "musl: static: the uprobe engine, and why" \
	grep -qxF "memleak: uprobe engine: $MUSL is static (the in-process engine preloads into dynamic glibc programs)" "$G.err"
check "musl: exact bytes and counts (no pvalloc)" expect_leaks "$G.out" "${LEAKS_MUSL[@]}"
check "musl: no stack through churn" no_churn "$G.out"
check "musl: leak stacks are leak_X;main;libc_start_main_stage2" \
	leak_stacks_via "$G.out" libc_start_main_stage2

ml musl-uprobe --attach uprobe,uretprobe -- "$MUSL"
ok_run musl-uprobe
check "musl-uprobe: exact bytes and counts (no pvalloc)" \
	expect_leaks "$G.out" "${LEAKS_MUSL[@]}"
check "musl-uprobe: nothing lost in the kernel (musl grows 338 reallocs in place)" \
	nothing_lost "$G.err"

ml musl-n3 -- "$MUSL" -n 3
ok_run musl-n3
check "musl-n3: -n 3 triples every leak" expect_leaks "$G.out" "$(scaled 3 "${LEAKS_MUSL[@]}")"

# ---- -p PID -------------------------------------------------------------------------

# start_leaky NAME ARGS...: leaky in the background, its stdin a fifo
# (written through fd $LKFD), its output in $T/NAME.lk; pid in LKPID.
start_leaky() {
	local name=$1
	shift
	rm -f "$T/$name.fifo"
	mkfifo "$T/$name.fifo"
	"$LEAKY" "$@" <"$T/$name.fifo" >"$T/$name.lk" 2>&1 &
	LKPID=$!
	BGPIDS+=("$LKPID")
	exec {LKFD}>"$T/$name.fifo"
	# Until then $LKPID may still be the shell that opens the fifo.
	wait_for "$T/$name.lk" '^leaky: pid ' 10 "$LKPID"
}

# attach NAME ARGS...: `memleak -p $LKPID ARGS` in the background, pid in
# MLPID; returns when it says it is tracing (1 if it never does).
attach() {
	local name=$1
	shift
	G=$T/$name
	"$BB" memleak -p "$LKPID" "$@" >"$G.out" 2>"$G.err" </dev/null &
	MLPID=$!
	BGPIDS+=("$MLPID")
	SHOW=("$G.out" "$G.err" "$T/$name.lk")
	wait_for "$G.err" '^memleak: tracing ' 10 "$MLPID"
}

# Leaks while attached, seen in an interval table, then a SIGINT.
pid_run() {
	ok=1
	start_leaky pid -w -k attached || ok=0
	attach pid -i 1 -d 30 || ok=0
	echo go >&$LKFD
	wait_for "$T/pid.lk" '^leaky: done$' 10 "$LKPID" || ok=0
	# An interval table after the leaks holds them all.
	for ((i = 0; i < 250; i++)); do
		[ "$(sums "$G.out" -v table=interval | grep -c '^leak_')" = ${#LEAKS[@]} ] && break
		sleep 0.02
	done
	kill -INT "$MLPID"
	reap "$MLPID"
	exec {LKFD}>&-
	kill "$LKPID" 2>/dev/null
	wait "$LKPID" 2>/dev/null
	forget_bg "$LKPID"
}
pid_run
check "pid: attached, leaky leaked, SIGINT ended memleak with status 0" \
	eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
check "pid: traced libc.so.6 of pid $LKPID" \
	grep -qE "^memleak: tracing malloc and friends in libc\\.so\\.6 \\(glibc\\), pid $LKPID[; ]" "$G.err"
check "pid: the last interval table shows the leaks, exact" \
	expect_leaks "$G.out" "${LEAKS[@]}" -v table=interval
check "pid: final table: exact bytes and counts" expect_leaks "$G.out" "${LEAKS[@]}"
check "pid: no stack through churn" no_churn "$G.out"

# The process exits before memleak reports: memleak sees it go, prints the
# final table with its symbols still named, and exits on its own.
# leaky_to_exit NAME [MEMLEAK-OPTIONS...]: memleak attached to a waiting
# leaky, which then leaks and exits; its status in LKRC, memleak's in RC.
leaky_to_exit() {
	local name=$1
	shift
	ok=1
	start_leaky "$name" -w || ok=0
	attach "$name" "$@" -i 0 -d 30 || ok=0
	echo go >&$LKFD
	wait_for "$T/$name.lk" '^leaky: done$' 10 "$LKPID" || ok=0
	echo go >&$LKFD
	exec {LKFD}>&-
	wait "$LKPID"
	LKRC=$?
	forget_bg "$LKPID"
	reap "$MLPID"
}
leaky_to_exit pid-exit
check "pid-exit: leaky exited (0), then memleak on its own with status 0" \
	eval "[ $ok = 1 ] && eq 'leaky status' 0 $LKRC && eq 'exit status' 0 $RC"
check "pid-exit: exact bytes and counts, names resolved after the exit" \
	expect_leaks "$G.out" "${LEAKS[@]}"
check "pid-exit: leak stacks are leak_X;main;__libc_start_call_main" \
	leak_stacks_via "$G.out" __libc_start_call_main

# ---- -p PID --engine inject -----------------------------------------------------------------

# The in-process engine loaded into the running leaky through ptrace,
# before it leaks: the same sums as the uprobe engine's -p run above, and
# leaky runs on and exits normally once memleak detached.
leaky_to_exit inject --engine inject
check "inject: leaky exited (0), then memleak on its own with status 0" \
	eval "[ $ok = 1 ] && eq 'leaky status' 0 $LKRC && eq 'exit status' 0 $RC"
check "inject: said it injected, and that only later allocations are followed" \
	grep -qE "^memleak: tracing malloc and friends in-process, pid $LKPID .*injected through ptrace, [0-9]+ GOT slots.*only allocations made from now on" "$G.err"
check "inject: the final report says only later allocations are followed" \
	grep -qx "memleak: the engine was injected into the running pid $LKPID: only allocations made after the injection are followed" "$G.err"
check "inject: exact bytes and counts" expect_leaks "$G.out" "${LEAKS[@]}"
check "inject: the same leak sums as the uprobe engine's -p run" \
	same "$(sums "$T/pid-exit.out" | grep '^leak_')" "$(sums "$G.out" | grep '^leak_')"
check "inject: leak stacks are leak_X;main;__libc_start_call_main" \
	leak_stacks_via "$G.out" __libc_start_call_main
check "inject: leaky's own output untouched" \
	same "$(printf 'leaky: pid %s args:\nleaky: done' "$LKPID")" "$(cat "$T/inject.lk")"

# Refusals: a started program, a static process, a process traced already.
fails_with inject-command '^memleak: --engine inject is for a running process \(-p PID\)' \
	"$BB" memleak --engine inject -- "$LEAKY"
mkfifo "$T/inject-static.fifo"
"$MUSL" -w <"$T/inject-static.fifo" >"$T/inject-static.lk" &
ISPID=$!
BGPIDS+=("$ISPID")
exec {ISFD}>"$T/inject-static.fifo"
wait_for "$T/inject-static.lk" '^leaky: pid ' 10 "$ISPID"
fails_with inject-static "^memleak: --engine inject: pid $ISPID is a static program" \
	"$BB" memleak --engine inject -p $ISPID -d 1
exec {ISFD}>&-
wait "$ISPID"
forget_bg "$ISPID"
mkfifo "$T/inject-traced.fifo"
strace -o /dev/null "$LEAKY" -w <"$T/inject-traced.fifo" >"$T/inject-traced.lk" 2>&1 &
ITPID=$!
BGPIDS+=("$ITPID")
exec {ITFD}>"$T/inject-traced.fifo"
wait_for "$T/inject-traced.lk" '^leaky: pid ' 10 "$ITPID"
TRACEE=$(sed -n 's/^leaky: pid \([0-9]*\) args:.*/\1/p' "$T/inject-traced.lk")
fails_with inject-traced "^memleak: --engine inject: pid $TRACEE is traced already \\(by pid $ITPID\\)" \
	"$BB" memleak --engine inject -p "$TRACEE" -d 1
echo go >&$ITFD
echo go >&$ITFD
exec {ITFD}>&-
wait "$ITPID"
check "inject-traced: the refused process ran on and exited normally (0)" \
	eval "eq 'status' 0 $? && grep -qx 'leaky: done' '$T/inject-traced.lk'"
forget_bg "$ITPID"

# Threads inside system calls at the injection: build/work/ml_inject's main
# thread blocked in read() (MODE "") or in a long nanosleep() (MODE sleep,
# ended by a SIGUSR1), a second thread sleeping 20 ms at a time.  The calls
# come out whole (read() gets the line written after; no sleep fails or
# ends early), and the leaks made after the injection are exact.  (The
# kernel matrix runs the same on both architectures.)
INJECT=$TOP/build/work/ml_inject
INJECT_SUMS=$'inject_leak_calloc 240 1\ninject_leak_malloc 300 3\nsleeper_leak 555 1'
# inject_in_call NAME [sleep]: memleak -v --engine inject -p on a waiting
# ml_inject, then "leak" to it; its pid in IJPID, status in IJRC, memleak's in RC.
inject_in_call() {
	local name=$1 mode=${2:-}
	ok=1
	G=$T/$name
	SHOW=("$G.out" "$G.err" "$G.lk")
	mkfifo "$G.fifo"
	"$INJECT" $mode <"$G.fifo" >"$G.lk" 2>&1 &
	IJPID=$!
	BGPIDS+=("$IJPID")
	exec {IJFD}>"$G.fifo"
	wait_for "$G.lk" '^ml_inject: pid [0-9]+ ready$' 10 "$IJPID" || ok=0
	"$BB" memleak -v --engine inject -p "$IJPID" -i 0 -d 30 >"$G.out" 2>"$G.err" </dev/null &
	MLPID=$!
	BGPIDS+=("$MLPID")
	wait_for "$G.err" '^memleak: tracing ' 10 "$MLPID" || ok=0
	echo leak >&$IJFD
	exec {IJFD}>&-
	[ -z "$mode" ] || kill -USR1 "$IJPID"
	wait "$IJPID"
	IJRC=$?
	forget_bg "$IJPID"
	reap "$MLPID"
}

# inject_in_call_checks NAME SYSCALL-NUMBER WHAT
inject_in_call_checks() {
	check "$1: ml_inject (0) and memleak (0) exited, the later leaks exact" \
		eval "[ $ok = 1 ] && eq 'ml_inject status' 0 $IJRC && eq 'exit status' 0 $RC &&
		      same \"\$INJECT_SUMS\" \"\$(sums '$G.out')\""
	check "$1: the leader taken in $3 (system call $2), said with -v" \
		grep -qE "^memleak: --engine inject: pid $IJPID taken in system call $2( |\$)" "$G.err"
	check "$1: read() gave the line written after; no sleep failed or ended early" \
		eval "grep -qx \"ml_inject: read returned 5: 'leak'\" '$G.lk' &&
		      grep -qx 'ml_inject: some sleeps: 0 short, 0 failed' '$G.lk'"
}
# read(), and glibc's nanosleep() as the kernel restarts it: x86_64 keeps
# clock_nanosleep in orig_rax, arm64 shows restart_syscall (inject.c).
case $(uname -m) in
aarch64) NR_READ=63 NR_SLEEP=128 ;;
*) NR_READ=0 NR_SLEEP=230 ;;
esac
inject_in_call inject-read
inject_in_call_checks inject-read $NR_READ "read()"
inject_in_call inject-sleep sleep
inject_in_call_checks inject-sleep $NR_SLEEP "nanosleep()"

# ---- memleak killed (SIGKILL): the program goes on ------------------------------------------

# ml_busy (tests/work/ml_busy.c): four threads churning malloc/realloc/free,
# then a fork and an exec of itself.  memleak is killed half-way through
# the threads; the program must end as it would have alone: exit 0, every
# line of its output written (the same as its untraced run's), and not
# much later than untraced: its untraced time twice plus 3 s from the kill
# (traced, the threads take ten times as long: the engine must stop
# following when memleak is gone; a bound for hangs, not a timing).
BUSY=$TOP/build/work/ml_busy
REAPER=$TOP/build/work/ml_reaper
BUSY_ROUNDS=10000000
t0=$EPOCHREALTIME
"$BUSY" "$T/busy-plain.txt" $BUSY_ROUNDS
BUSY_RC=$?
BUSY_US=$(( (${EPOCHREALTIME/./} - ${t0/./}) ))
check "busy: ml_busy alone: exit 0, its four lines" \
	eval "eq status 0 $BUSY_RC && eq lines 4 \$(wc -l <'$T/busy-plain.txt')"
BUSY_BOUND_US=$((2 * BUSY_US + 3000000))
echo "     (ml_busy untraced: $((BUSY_US / 1000)) ms; bound after the kill: $((BUSY_BOUND_US / 1000)) ms)"

# busy_lines FILE: its lines, the pid made PID (to compare with the untraced run's).
busy_lines() {
	sed 's/pid [0-9]*/pid PID/' "$1"
}

# until_gone PID SECS: waits while PID lives (not our child: polled).
until_gone() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# A started program (the in-process engine): memleak runs under ml_reaper,
# a subreaper, so that the program, orphaned, is reaped there and its exit
# status told.
G=$T/kill-start
"$REAPER" "$G.reaped" "$BB" memleak -- "$BUSY" "$G.txt" $BUSY_ROUNDS \
	>"$G.out" 2>"$G.err" </dev/null &
RPID=$!
BGPIDS+=("$RPID")
wait_for "$G.txt" '^ml_busy: started' 20 "$RPID"
sleep 0.5
MLPID=$(sed -n 's/^\([0-9]*\) started$/\1/p' "$G.reaped")
BUSYPID=$(sed -n 's/^ml_busy: started, pid \([0-9]*\)$/\1/p' "$G.txt")
kill -9 "$MLPID"
t0=$EPOCHREALTIME
until_gone "$RPID" 60
KILL_US=$(( (${EPOCHREALTIME/./} - ${t0/./}) ))
wait "$RPID"
forget_bg "$RPID"
SHOW=("$G.reaped" "$G.txt" "$G.err")
check "kill-start: memleak traced ml_busy in-process" \
	grep -q "^memleak: tracing malloc and friends in-process, pid $BUSYPID " "$G.err"
check "kill-start: memleak was killed (signal 9), ml_busy exited with status 0" \
	eval "grep -qx '$MLPID signal 9' '$G.reaped' && grep -qx '$BUSYPID exit 0' '$G.reaped'"
check "kill-start: ml_busy's output whole (threads, fork, exec), as untraced" \
	same "$(busy_lines "$T/busy-plain.txt")" "$(busy_lines "$G.txt")"
echo "     (kill-start: ml_busy ended $((KILL_US / 1000)) ms after the kill)"
check "kill-start: ml_busy ended within $((BUSY_BOUND_US / 1000)) ms of the kill" \
	test "$KILL_US" -le "$BUSY_BOUND_US"

# --engine inject -p: the running program must neither die nor hang nor
# stay slowed when memleak is killed after the injection.
G=$T/kill-inject
"$BUSY" "$G.txt" $BUSY_ROUNDS &
BUSYPID=$!
BGPIDS+=("$BUSYPID")
wait_for "$G.txt" '^ml_busy: started' 20 "$BUSYPID"
"$BB" memleak --engine inject -p "$BUSYPID" >"$G.out" 2>"$G.err" </dev/null &
MLPID=$!
BGPIDS+=("$MLPID")
wait_for "$G.err" 'injected through ptrace' 20 "$MLPID"
sleep 0.5
kill -9 "$MLPID"
t0=$EPOCHREALTIME
wait "$MLPID" 2>/dev/null	# (bash's "Killed" line: expected)
forget_bg "$MLPID"
until_gone "$BUSYPID" 60
KILL_US=$(( (${EPOCHREALTIME/./} - ${t0/./}) ))
wait "$BUSYPID"
BUSY_RC=$?
forget_bg "$BUSYPID"
SHOW=("$G.txt" "$G.err")
check "kill-inject: the engine was injected into ml_busy" \
	grep -q "^memleak: tracing malloc and friends in-process, pid $BUSYPID .*injected" "$G.err"
check "kill-inject: memleak killed, ml_busy exited with status 0" eq status 0 "$BUSY_RC"
check "kill-inject: ml_busy's output whole (threads, fork, exec), as untraced" \
	same "$(busy_lines "$T/busy-plain.txt")" "$(busy_lines "$G.txt")"
echo "     (kill-inject: ml_busy ended $((KILL_US / 1000)) ms after the kill)"
check "kill-inject: ml_busy ended within $((BUSY_BOUND_US / 1000)) ms of the kill" \
	test "$KILL_US" -le "$BUSY_BOUND_US"

# ---- exec, children (-f) ----------------------------------------------------------------

# A wrapper execs the program: only the program's leaks, none of env's.
ml env -- env X=1 "$LEAKY"
ok_run env
LPID=$(sed -n 's/^leaky: pid \([0-9]*\) args:.*/\1/p' "$G.out")
check "env: the exec into leaky was followed" \
	grep -qE "^memleak: pid $LPID execs $LEAKY: its allocations start over\$" "$G.err"
check "env: exactly leaky's leaks, nothing of env's" \
	same "$(printf '%s\n' "${LEAKS[@]}" | sort)" "$(sums "$G.out")"
check "env: no frame-pointer warning about env" eval "! grep -q 'frame pointers' '$G.err'"

# A shell-script wrapper, as pyenv's shims are.
mkdir -p "$T/shims"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$LEAKY" >"$T/shims/leaky"
chmod +x "$T/shims/leaky"
PATH=$T/shims:$PATH ml shim -- leaky a
ok_run shim
check "shim: the script's exec followed: leaky's exact leaks" expect_leaks "$G.out" "${LEAKS[@]}"

# -f: the parent and the forked child, each on its own with its pid.
FORK=$TOP/build/work/ml_fork
ml fork -f -- "$FORK"
ok_run fork
read -r PPID_ CPID_ <<<"$(sed -n 's/^ml_fork: parent \([0-9]*\), child \([0-9]*\) exited with 3$/\1 \2/p' "$G.out")"
check "fork: ml_fork ran, its child exited with 3" test -n "${CPID_:-}"
check "fork: -f: the uprobe engine, and why" \
	grep -qx "memleak: uprobe engine: -f: the in-process engine follows one process" "$G.err"
check "fork: the child was followed" \
	grep -qE "^memleak: following pid ${CPID_:-none} \\($FORK\\): libc\\.so\\.6 \\(glibc\\)\$" "$G.err"
check "fork: parent's table: parent_leak 77 bytes in 1, and no child_leak" \
	eq parent "parent_leak 77 1" "$(sums "$G.out" -v pid="${PPID_:-none}" | grep _leak)"
check "fork: child's table: child_leak 5000 bytes in 5, and no parent_leak" \
	eq child "child_leak 5000 5" "$(sums "$G.out" -v pid="${CPID_:-none}" | grep _leak)"
check "fork: both ends reported (child: status 3)" \
	eval "grep -qx 'memleak: pid ${CPID_:-none} ($FORK) exited with status 3' '$G.err' &&
	      grep -qx 'memleak: pid ${PPID_:-none} ($FORK) exited with status 0' '$G.err'"

# -f over a shell running two programs: each program's own leaks, exact.
ml fork-sh -f -i 0 -- sh -c "'$LEAKY' one; '$LEAKY' -n 2 two"
ok_run fork-sh
P1=$(sed -n 's/^leaky: pid \([0-9]*\) args: \[one\]$/\1/p' "$G.out")
P2=$(sed -n 's/^leaky: pid \([0-9]*\) args: \[two\]$/\1/p' "$G.out")
check "fork-sh: the first leaky's table: its leaks, exact" \
	expect_leaks "$G.out" "${LEAKS[@]}" -v pid="${P1:-none}"
check "fork-sh: the second leaky's table: its leaks twice, exact" \
	expect_leaks "$G.out" "$(scaled 2 "${LEAKS[@]}")" -v pid="${P2:-none}"
check "fork-sh: a table for each of the three processes" \
	eq processes 3 "$(grep -cE '^  process [0-9]+ \(' "$G.out")"
fails_with fork-pid '-f follows the children of a program memleak starts' \
	"$BB" memleak -f -p $$

# ---- the program's end, the exit status, -o FILE -----------------------------------------

ml segv -- sh -c 'kill -SEGV $$'
check "segv: the program's fatal signal said, memleak's status 128 + 11" \
	eval "eq 'exit status' 139 $RC && grep -qE '^memleak: pid [0-9]+ \\(sh -c kill -SEGV \\\$\\\$\\) killed by signal 11 ' '$G.err'"
ml exit5 -- sh -c 'exit 5'
check "exit5: the program's status said and returned" \
	eval "eq 'exit status' 5 $RC && grep -qE '^memleak: pid [0-9]+ \\(sh -c exit 5\\) exited with status 5\$' '$G.err'"
KINDS=$TOP/build/work/ml_kinds
ml gate --error-exitcode 7 -- "$KINDS"
check "gate: --error-exitcode 7, blocks definitely lost: 7" eq 'exit status' 7 $RC
printf 'lose_blocks\nlose_list\n' >"$T/supp-lost"
ml gate-none --error-exitcode 7 --suppress "$T/supp-lost" -- "$KINDS"
check "gate-none: --error-exitcode 7, the lost blocks suppressed: the program's 0" \
	eq 'exit status' 0 $RC

ml ofile -o "$T/report.txt" -- "$LEAKY" x
ok_run ofile
check "ofile: -o: the program's output alone on stdout" \
	same "$(printf 'leaky: pid %s args: [x]\nleaky: done' "$(sed -n 's/^leaky: pid \([0-9]*\).*/\1/p' "$G.out")")" "$(cat "$G.out")"
check "ofile: the report in the file, exact" expect_leaks "$T/report.txt" "${LEAKS[@]}"
check "ofile: the file is 0600" eq mode 600 "$(stat -c %a "$T/report.txt")"
echo keep >"$T/exists"
ln -s "$T/exists" "$T/link"
fails_with ofile-exists 'exists: not overwriting it' "$BB" memleak -o "$T/exists" -- "$LEAKY"
fails_with ofile-link 'is a symbolic link: not following it' "$BB" memleak -o "$T/link" -- "$LEAKY"
check "ofile: an existing file and a link's target are left as they were" \
	eq content keep "$(cat "$T/exists")"
fails_with ofile-number '--older 500' "$BB" memleak -o 500 -- "$LEAKY"
ml jsonexit --json -- sh -c 'exit 4'
check "jsonexit: an 'exit' record in the JSON stream" \
	eval "grep '^{' '$G.out' | jq -e -s 'map(select(.type == \"exit\")) | length == 1 and .[0].how == \"exited with status 4\"' >/dev/null"

# ---- leak kinds, suppressions ---------------------------------------------------------------

# ml_kinds leaks one of each kind; valgrind's summary is the oracle.
# valgrind_kinds FILE: its summary as "KIND BYTES BLOCKS" lines.
valgrind_kinds() {
	sed -nE 's/^==[0-9]+== +(definitely|indirectly|possibly) lost: ([0-9,]+) bytes in ([0-9,]+) blocks$/\1 \2 \3/p;
		 s/^==[0-9]+== +(still) reachable: ([0-9,]+) bytes in ([0-9,]+) blocks$/\1 \2 \3/p' "$1" |
		tr -d , | awk '$2 > 0' | sort
}
ml kinds -- "$KINDS"
ok_run kinds
check "kinds: the report leads with definitely lost" \
	eval "grep -m1 '^  -- ' '$G.out' | grep -q '^  -- definitely lost: '"
check "kinds: exact bytes and blocks of each kind (ml_kinds' own figures)" \
	same "$(printf '%s\n' 'definitely 364 4' 'indirectly 96 2' 'possibly 512 1' 'still 800 4')" \
	"$(sums "$G.out" -v what=kinds)"
check "kinds: definitely lost: lose_blocks 3 x 100 and the list's 64-byte head" \
	same "$(printf '%s\n' 'lose_blocks 300 3' 'node 64 1')" "$(sums "$G.out" -v kind=definitely)"
if command -v valgrind >/dev/null; then
	valgrind --leak-check=full --show-leak-kinds=all "$KINDS" 2>"$T/kinds.vg"
	check "kinds: the same figures as valgrind's memcheck" \
		same "$(valgrind_kinds "$T/kinds.vg")" "$(sums "$G.out" -v what=kinds)"
else
	skip "kinds: no valgrind to compare with (scripts/deps.sh installs it)"
fi
printf '# what ml_kinds loses on purpose\nlose_blocks\n' >"$T/supp"
ml kinds-supp --suppress "$T/supp" -- "$KINDS"
ok_run kinds-supp
check "kinds-supp: --suppress lose_blocks: only the list's head left definitely lost" \
	same "$(printf '%s\n' 'definitely 64 1' 'indirectly 96 2' 'possibly 512 1' 'still 800 4')" \
	"$(sums "$G.out" -v what=kinds)"
check "kinds-supp: no stack through lose_blocks" eval "! grep -q lose_blocks '$G.out'"
printf 'ml_kinds\n' >"$T/supp-obj"
ml kinds-obj --suppress "$T/supp-obj" -- "$KINDS"
check "kinds-obj: --suppress naming the executable: every stack through it left out" \
	eval "eq 'exit status' 0 $RC && same '' \"\$(sums '$G.out')\""
ml kinds-json --json -- "$KINDS"
check "kinds-json: each final row has its kind; definitely lost 364 bytes" \
	eval "grep '^{' '$G.out' | jq -e -s '[.[] | select(.type == \"final\")] | all(has(\"kind\")) and
		([.[] | select(.kind == \"definitely lost\") | .bytes] | add) == 364' >/dev/null"
fails_with supp-missing 'cannot read' "$BB" memleak --suppress "$T/nosuch" -- "$KINDS"

# ---- another allocator: jemalloc (linked, preloaded, Debian's redis-server) ---------------

# leaky linked to Debian's libjemalloc2: jemalloc has no pvalloc, mmap,
# mremap (leaky's pvalloc is glibc's own, its mmaps are libc's).
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
LEAKS_JE=()
for l in "${LEAKS[@]}"; do
	[[ $l == leak_pvalloc* || $l == leak_mmap* || $l == leak_mremap* ]] || LEAKS_JE+=("$l")
done
# traced_in NAME-ERE ALLOCATOR: the "tracing" line names that object and allocator.
traced_in() {
	grep -qE "^memleak: tracing malloc and friends in $1 \\($2\\), pid [0-9]+" "$G.err"
}
if [ -e "$JEMALLOC" ] && gcc -O1 -g -fno-omit-frame-pointer -o "$T/leaky-je" \
	tests/work/leaky.c "$JEMALLOC" 2>"$T/leaky-je.cc"; then
	ml jemalloc -- "$T/leaky-je"
	ok_run jemalloc
	check "jemalloc: linked libjemalloc.so.2 found without -O, named jemalloc" \
		traced_in 'libjemalloc\.so\.2' jemalloc
	check "jemalloc: exact bytes and counts (no pvalloc, mmap, mremap)" \
		expect_leaks "$G.out" "${LEAKS_JE[@]}"
	LD_PRELOAD=libjemalloc.so.2 ml preload -- "$LEAKY"
	ok_run preload
	check "preload: LD_PRELOAD=libjemalloc.so.2 traced, not libc" \
		traced_in 'libjemalloc\.so\.2' jemalloc
	check "preload: exact bytes and counts" expect_leaks "$G.out" "${LEAKS_JE[@]}"
else
	skip "jemalloc: no $JEMALLOC, or leaky does not link with it (scripts/deps.sh installs it)"
fi

# redis NAME ARGS...: Debian's redis-server on a unix socket in $T, its
# pid in RDPID (started by memleak ARGS -- when ARGS end with --, else
# alone); SETs 10 values of 100000 bytes through redis-cli.
REDIS_ARGS=(--port 0 --save '' --appendonly no --dir "$T")
redis_sets() {
	local i sock=$1
	for ((i = 0; i < 100; i++)); do
		redis-cli -s "$sock" ping 2>/dev/null | grep -q PONG && break
		sleep 0.1
	done
	for ((i = 0; i < 10; i++)); do
		head -c 100000 /dev/zero | tr '\0' x | redis-cli -s "$sock" -x SET "key$i" >/dev/null ||
			return 1
	done
}
# holds_sets FILE [MAX]: the final table holds the 10 values (redis keeps a
# big argument's query buffer as the value, or copies it: one stack or
# two), and no more than MAX bytes in all.
holds_sets() {
	local total
	total=$(stacks "$1" | awk '{ s += $1 } END { print s + 0 }')
	[ "$total" -ge 1000000 ] && [ "$total" -le "${2:-$total}" ] ||
		{ echo "     outstanding: $total bytes"; false; }
}
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
	G=$T/redis-c
	"$BB" memleak -i 0 -- redis-server "${REDIS_ARGS[@]}" --unixsocket "$T/rc.sock" \
		>"$G.out" 2>"$G.err" </dev/null &
	MLPID=$!
	BGPIDS+=("$MLPID")
	SHOW=("$G.out" "$G.err")
	ok=1
	wait_for "$G.err" '^memleak: tracing ' 10 "$MLPID" || ok=0
	redis_sets "$T/rc.sock" || ok=0
	kill -INT "$MLPID"
	reap "$MLPID"
	check "redis-c: started redis-server, SETs done, SIGINT: status 0" \
		eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
	check "redis-c: its libjemalloc.so.2 traced, named jemalloc" \
		traced_in 'libjemalloc\.so\.2' jemalloc
	check "redis-c: the 10 x 100000 bytes SET are outstanding" holds_sets "$G.out"

	redis-server "${REDIS_ARGS[@]}" --unixsocket "$T/rp.sock" >"$T/rp.log" 2>&1 &
	RDPID=$!
	BGPIDS+=("$RDPID")
	G=$T/redis-p
	SHOW=("$G.out" "$G.err" "$T/rp.log")
	ok=1
	redis-cli -s "$T/rp.sock" ping >/dev/null 2>&1 || sleep 0.5
	"$BB" memleak -i 0 -p "$RDPID" >"$G.out" 2>"$G.err" </dev/null &
	MLPID=$!
	BGPIDS+=("$MLPID")
	wait_for "$G.err" '^memleak: tracing ' 10 "$MLPID" || ok=0
	redis_sets "$T/rp.sock" || ok=0
	kill -INT "$MLPID"
	reap "$MLPID"
	redis-cli -s "$T/rp.sock" ping >"$T/rp.ping" 2>&1
	redis-cli -s "$T/rp.sock" shutdown nosave >/dev/null 2>&1
	wait "$RDPID" 2>/dev/null
	forget_bg "$RDPID"
	check "redis-p: attached to redis-server, SETs done, SIGINT: status 0" \
		eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
	check "redis-p: the jemalloc its malloc slot points to traced" \
		traced_in 'libjemalloc\.so\.2' jemalloc
	check "redis-p: the 10 x 100000 bytes SET are outstanding, little else" \
		holds_sets "$G.out" 1200000
	check "redis-p: held still for the leak scan, then let go: it answers PING" \
		grep -qx PONG "$T/rp.ping"
	check "redis-p: the final table has leak kinds, the SET values not lost" \
		eval "grep -q '^  -- still reachable: ' '$G.out' &&
		      [ \$(sums '$G.out' -v kind=still | awk '{ s += \$2 } END { print s + 0 }') -ge 1000000 ]"
else
	skip "redis: no redis-server or redis-cli (scripts/deps.sh installs them)"
fi

# ---- --older MS -----------------------------------------------------------------------

# older ARGS...: memleak ARGS -- leaky -w, the leaks released at once, the
# exit 1.2 s later.  Output in $T/older-$TAG.out.
older() {
	local tag=$1 fifo
	shift
	G=$T/older-$tag
	fifo=$G.fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	"$BB" memleak "$@" -- "$LEAKY" -w <"$fifo" >"$G.out" 2>"$G.err" &
	MLPID=$!
	BGPIDS+=("$MLPID")
	exec {OFD}>"$fifo"
	SHOW=("$G.out" "$G.err")
	ok=1
	wait_for "$G.err" '^memleak: tracing ' 10 "$MLPID" || ok=0
	wait_for "$G.out" '^leaky: pid ' 10 "$MLPID" || ok=0
	echo go >&$OFD
	wait_for "$G.out" '^leaky: done$' 10 "$MLPID" || ok=0
	sleep 1.2
	echo go >&$OFD
	exec {OFD}>&-
	reap "$MLPID"
}
older 60000 -i 0 --older 60000
check "older-60000: ran, exit status 0" eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
check "older-60000: --older 60000: none of the 1 s old leaks" \
	eval "grep -q '(final):\$' '$G.out' && same '' \"\$(sums '$G.out')\""
older 500 -i 0 --older 500
check "older-500: ran, exit status 0" eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
check "older-500: --older 500: all the 1.2 s old leaks, exact" expect_leaks "$G.out" "${LEAKS[@]}"
older plain -i 0
check "older-plain: ran, exit status 0" eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
check "older-plain: no -o: all the leaks, exact" expect_leaks "$G.out" "${LEAKS[@]}"

# ---- -a -----------------------------------------------------------------------------

ml allocs -a -- "$LEAKY"
ok_run allocs
check "allocs: exact bytes and counts" expect_leaks "$G.out" "${LEAKS[@]}"
check "allocs: 3 'addr = 0x... size = 100' lines under leak_malloc" \
	eq "leak_malloc stack: bytes count addr-lines addr-bytes" "300 3 3 300" \
	"$(sums "$G.out" -v what=allocs | awk '$1 == "leak_malloc" { print $2, $3, $4, $5 }')"
check "allocs: every stack lists its allocations, and their sizes add up" \
	eval "sums '$G.out' -v what=allocs | awk '\$4 != (\$3 < 10 ? \$3 : 10) || (\$3 <= 10 && \$5 != \$2) { print \"     bad: \" \$0; bad = 1 } END { exit bad }'"

# ---- task filters ---------------------------------------------------------------------------

# Only the calls of the tasks the filters keep are followed.
ml comm-other -i 0 --comm nosuch -- "$LEAKY"
check "--comm nosuch: leaky's calls not followed, no leaks" \
	eval "eq 'exit status' 0 $RC && same '' \"\$(sums '$G.out')\""
ml comm-leaky -i 0 --comm leaky -- "$LEAKY"
check "--comm leaky: all the leaks, exact" expect_leaks "$G.out" "${LEAKS[@]}"

# ---- -s N ---------------------------------------------------------------------------

# bg_done PID NAME: waits for the background memleak PID, whose output
# is $T/NAME.out and .err.
bg_done() {
	ok=1
	reap "$1" 60
	G=$T/$2
	SHOW=("$G.out" "$G.err")
}
bg_done "$SAMPLE_A" nosample
check "nosample: -n 200 ran, exit status 0" eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
check "nosample: -n 200: leak_malloc exactly 60000 bytes in 600" \
	eq "leak_malloc" "leak_malloc 60000 600" "$(sums "$G.out" | grep '^leak_malloc ')"
check "nosample: -n 200: every leak 200 times" expect_leaks "$G.out" "$(scaled 200 "${LEAKS[@]}")"
bg_done "$SAMPLE_B" sample
check "sample: -s 2 -n 200 ran, exit status 0" eval "[ $ok = 1 ] && eq 'exit status' 0 $RC"
N=$(sums "$G.out" | awk '$1 == "leak_malloc" { print $3 }')
B=$(sums "$G.out" | awk '$1 == "leak_malloc" { print $2 }')
check "sample: -s 2: leak_malloc count ${N:-none} is in 200..400 (of 600), 100 bytes each" \
	eval "[ -n '$N' ] && [ '$N' -ge 200 ] && [ '$N' -le 400 ] && eq bytes $((${N:-0} * 100)) '$B'"

# ---- -z / -Z ------------------------------------------------------------------------

ml min-size -z 1000 -- "$LEAKY"
ok_run min-size
check "min-size: -z 1000: exactly the leaks of blocks >= 1000 bytes" \
	expect_leaks "$G.out" "$(select_leaks '$2 / $3 >= 1000')"
check "min-size: no row with blocks under 1000 bytes" \
	eval "! stacks '$G.out' | awk '\$1 / \$2 < 1000 { print; bad = 1 } END { exit !bad }'"
ml max-size -Z 500 -- "$LEAKY"
ok_run max-size
check "max-size: -Z 500: exactly the leaks of blocks <= 500 bytes" \
	expect_leaks "$G.out" "$(select_leaks '$2 / $3 <= 500')"
check "max-size: no row with blocks over 500 bytes" \
	eval "! stacks '$G.out' | awk '\$1 / \$2 > 500 { print; bad = 1 } END { exit !bad }'"

# ---- --sort count, -T -----------------------------------------------------------------

ml sort-count --sort count -T 2 -- "$LEAKY"
ok_run sort-count
check "sort-count: --sort count -T 2: two rows, leak_malloc's (3 allocations) first" \
	eval "eq rows 2 \$(grep -c ' allocations from stack\$' '$G.out') &&
	      grep -A1 -m1 ' allocations from stack\$' '$G.out' | grep -q '^		leak_malloc+'"

# ---- --events -------------------------------------------------------------------------

ml events --events -- "$LEAKY"
ok_run events
LPID=$(sed -n 's/^leaky: pid \([0-9]*\) args:.*/\1/p' "$G.out")
# TIME PID TID COMM OP ADDR SIZE [from OLD]
ev() {
	awk -v pid="$LPID" '$2 == pid && $3 == pid && $4 == "leaky" && $6 ~ /^0x[0-9a-f]+$/ &&
		$7 ~ /^[0-9]+$/' "$G.out"
}
check "events: at least 3 'malloc ... 100' lines (leak_malloc)" \
	eval "n=\$(ev | awk '\$5 == \"malloc\" && \$7 == 100' | wc -l); [ \$n -ge 3 ] || { echo \"     \$n lines\"; false; }"
check "events: at least 1000 'free' lines (churn)" \
	eval "n=\$(ev | awk '\$5 == \"free\"' | wc -l); [ \$n -ge 1000 ] || { echo \"     \$n lines\"; false; }"
# leak_realloc: malloc(10) at A, then realloc to 300 "from A".  (churn
# reallocs to 300 once too, from a block of 236.)
check "events: 'malloc A 10', then 'realloc ... 300 from A' (leak_realloc)" \
	eval "ev | awk '\$5 == \"malloc\" && \$7 == 10 { a[\$6] = 1 }
		\$5 == \"realloc\" && \$7 == 300 && \$8 == \"from\" && (\$9 in a) { n++ } END { exit n != 1 }'"
check "events: 'mremap ... 16384 from 0x...' and a munmap of 4096" \
	eval "ev | awk '\$5 == \"mremap\" && \$7 == 16384 && \$8 == \"from\" { a++ } \$5 == \"munmap\" && \$7 == 4096 { b++ } END { exit !(a == 1 && b == 1) }'"
check "events: no tables" eval "! grep -q 'stacks with outstanding' '$G.out'"
# leaky writes to the same stdout as memleak (its "leaky: done" while
# memleak still prints churn's events): whole lines, never one inside
# another (stdio wrote a full buffer out mid-line: 1 run in 15 here).
check "events: leaky's lines and memleak's whole, none inside another" \
	eval "grep -vE '^(leaky: (pid [0-9]+ args:|done)\$|[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} +$LPID +$LPID leaky +[a-z_]+ +0x[0-9a-f]+ +[0-9]+( from 0x[0-9a-f]+)?\$)' '$G.out'
	      [ \$? = 1 ]"

# ---- --json -----------------------------------------------------------------------------

ml json --json -- "$LEAKY"
ok_run json
# The JSON lines as "FUNC BYTES COUNT" text rows of a final table.
json_rows() {
	grep '^{' "$1" | jq -r 'select(.type == "final") |
		"\t\(.bytes) bytes in \(.count) allocations from stack\n\t\t\(.stack[0])"' |
		sed '1i [00:00:00.000000] Top 0 stacks with outstanding allocations (final):'
}
check "json: every line on stdout from '{' is JSON" eval "grep '^{' '$G.out' | jq -e . >/dev/null"
check "json: final rows have bytes, count and a stack array of strings" \
	eval "grep '^{' '$G.out' | jq -e -s '[.[] | select(.type == \"final\")] | length > 0 and
		all(.bytes > 0 and .count > 0 and (.stack | type == \"array\" and length > 0 and
		    all(type == \"string\")))' >/dev/null"
check "json: exact bytes and counts" expect_leaks <(json_rows "$G.out") "${LEAKS[@]}"

# ---- --folded ---------------------------------------------------------------------------

ml folded --folded -- "$LEAKY"
ok_run folded
FOLD=$(grep -vE '^leaky: ' "$G.out")
check "folded: a line '_start;__libc_start_main;__libc_start_call_main;main;leak_mremap 16384' (root first, bare names)" \
	eval "grep -qx '_start;__libc_start_main;__libc_start_call_main;main;leak_mremap 16384' '$G.out'"
check "folded: every line is 'F1;F2;... BYTES' with no module or offset" \
	eval "bad=\$(printf '%s\n' \"\$FOLD\" | grep -vE '^[^ ;+()]+(;[^ ;+()]+)* [0-9]+\$'); [ -z \"\$bad\" ] || { printf '%s\n' \"\$bad\" | sed 's/^/     /'; false; }"
check "folded: the leak_malloc lines add up to 300" \
	eq bytes 300 "$(printf '%s\n' "$FOLD" | awk '{ n = split($1, f, ";"); sub(/\+0x.*/, "", f[n]) } f[n] == "leak_malloc" { s += $2 } END { print s + 0 }')"
check "folded: no table text" eval "! grep -q 'stacks with outstanding' '$G.out'"

# ---- -w FILE, bpfbox report FILE -----------------------------------------------------------

ml write -w "$T/leaky.rec" -- "$LEAKY"
ok_run write
check "write: the record file is there" test -s "$T/leaky.rec"
check "write: no table on stdout while recording" eval "! grep -q 'stacks with outstanding' '$G.out'"
"$BB" report "$T/leaky.rec" >"$T/report.out" 2>"$T/report.err"
RC=$?
G=$T/report
SHOW=("$G.out" "$G.err")
check "report: exit status 0" eq 'exit status' 0 $RC
check "report: exact bytes and counts, names as recorded" expect_leaks "$G.out" "${LEAKS[@]}"
check "report: leak stacks are leak_X;main;__libc_start_call_main" \
	leak_stacks_via "$G.out" __libc_start_call_main
"$BB" memleak -r "$T/leaky.rec" >"$T/read.out" 2>"$T/read.err"
RC=$?
G=$T/read
SHOW=("$G.out" "$G.err")
check "read: memleak -r prints the same as bpfbox report" \
	eval "eq 'exit status' 0 $RC && cmp '$T/report.out' '$T/read.out'"

# ---- kernel mode ----------------------------------------------------------------------------

ml kernel -d 1
check "kernel: exit status 0, 'tracing kernel allocations'" \
	eval "eq 'exit status' 0 $RC && grep -q '^memleak: tracing kernel allocations' '$G.err'"
check "kernel: a final table with a stack of kernel functions (no module)" \
	eval "grep -q '(final):\$' '$G.out' &&
	      grep -qE '^		[A-Za-z_][A-Za-z0-9_.]*\\+0x[0-9a-f]+\$' '$G.out'"

# ---- bad input ------------------------------------------------------------------------------


PID=$(unused_pid)
fails_with bad-pid "$PID" "$BB" memleak -p $PID
fails_with unknown-flag 'unknown option' "$BB" memleak --no-such-flag
fails_with c-and-p 'one target' "$BB" memleak -c "$LEAKY" -p $$
fails_with c-and-args 'one target' "$BB" memleak -c "$LEAKY" -- "$LEAKY"
fails_with unbalanced 'unbalanced' "$BB" memleak -c "$LEAKY 'unbalanced \"quote"
fails_with no-such-cmd '/nonexistent/cmd' "$BB" memleak -- /nonexistent/cmd
fails_with not-an-object 'no allocator found.*/etc/passwd' "$BB" memleak -O /etc/passwd -- "$LEAKY"
fails_with bad-sample 'sample' "$BB" memleak -s 0 -- "$LEAKY"
fails_with bad-sort 'sort' "$BB" memleak --sort bytes -- "$LEAKY"
fails_with engine-inprocess-pid '^memleak: --engine inprocess: -p: ' \
	"$BB" memleak --engine inprocess -p $$
fails_with engine-inprocess-static "^memleak: --engine inprocess: $MUSL is static " \
	"$BB" memleak --engine inprocess -- "$MUSL"
fails_with engine-bad 'neither inprocess, uprobe nor inject' "$BB" memleak --engine fast -- "$LEAKY"
fails_with nomalloc 'no allocator found' "$BB" memleak -- "$NOMALLOC"
# The same, attached: a running static process with no allocator.
mkfifo "$T/nomalloc.fifo"
"$NOMALLOC" <"$T/nomalloc.fifo" >"$T/nomalloc.lk" &
NMPID=$!
BGPIDS+=("$NMPID")
exec {NFD}>"$T/nomalloc.fifo"
wait_for "$T/nomalloc.lk" '^nomalloc: hello$' 5 "$NMPID"
fails_with nomalloc-pid 'no allocator found' "$BB" memleak -p $NMPID -d 1
exec {NFD}>&-
wait "$NMPID"
forget_bg "$NMPID"

# ---- done ---------------------------------------------------------------------------------

e2e_end
