#!/bin/bash
# tests/bench/traceloop.sh (root): what recording every syscall costs, bpfbox
# traceloop against peers, in one run (tests/bench/tl_loop.c):
#   1. a tight getppid() loop: untraced; under traceloop (every call into its
#      ring); a bpftrace one-liner that only counts raw_syscalls; libbpf-tools'
#      syscount (Debian's libbpf-tools); strace -f; perf trace -s if perf is
#      there.  ns per call (the loop's own clock), ratio to untraced, and ns
#      added per call (the ratio depends on how slow this machine's
#      syscalls are, the added time less).  Medians of REPS interleaved rounds.
#      Times are the loop's own CPU time (user + system), where the BPF tools'
#      programs are counted and other load on the machine is not; strace and
#      perf trace work in their own process: wall time for them.
#   2. an openat + read(64) + close loop (a path and a buffer captured per
#      round): untraced, traceloop, strace -f.
#   3. the getppid loop untraced while traceloop records another process
#      (-p of a sleeping one): what the processes not traced pay.
#   4. a dump of a full ring (--size 4096 and 65536): its time (-v) and the
#      ring's memory.
#
# Knobs (environment):
#   TL_BENCH_N       getppid calls per run, untraced and the BPF tools (2000000)
#   TL_BENCH_N_SLOW  the same under strace and perf trace (100000)
#   TL_BENCH_REPS    rounds of part 1 and 2 (3)
#   TL_BENCH_PEERS=0 bpfbox only
# Exits 1 if a run of bpfbox fails; never on timings.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
OUT=$ROOT/build/bench
N=${TL_BENCH_N:-2000000}
N_SLOW=${TL_BENCH_N_SLOW:-100000}
REPS=${TL_BENCH_REPS:-3}
PEERS=${TL_BENCH_PEERS:-1}
FAIL=0

say() { printf '%s\n' "$*"; }
die() { say "traceloop bench: $*" >&2; exit 1; }
. "$ROOT/scripts/apt-lib.sh"
. "$ROOT/tests/bench/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x bpfbox ] || die "no ./bpfbox: run make"
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/tl_loop" tests/bench/tl_loop.c || die "cannot build tl_loop"
LOOP=$OUT/tl_loop
FILE=$OUT/tl_file
head -c 4096 /dev/urandom >"$FILE"

HAVE_BT=0 HAVE_SC=0 HAVE_STRACE=0 HAVE_PERF=0
if [ "$PEERS" = 1 ]; then
	want_packages bpftrace && HAVE_BT=1
	want_packages libbpf-tools && [ -x /usr/sbin/syscount ] && HAVE_SC=1
	want_packages strace && HAVE_STRACE=1
	command -v perf >/dev/null && perf trace -s -o /dev/null -- true 2>/dev/null && HAVE_PERF=1
fi

# wait_line FILE ERE PID: until FILE has a line matching ERE (30 s), or PID ended.
wait_line() {
	local i
	for i in $(seq 300); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# bg_tool LOG READY-ERE CMD...: a system-wide tool in the background, once ready.
bg_tool() {
	local log=$1 ready=$2
	shift 2
	"$@" >"$log" 2>&1 &
	BG=$!
	wait_line "$log" "$ready" $BG ||
		{ say "note: $1 never got ready: $(tail -n 1 "$log")" >&2; kill $BG 2>/dev/null; wait $BG; BG=; }
}

stop_bg() {
	[ -n "${BG:-}" ] && { kill -INT $BG 2>/dev/null; wait $BG 2>/dev/null; }
	BG=
}

# run TOOL MODE N [ARG]: ns per call (or round) of tl_loop MODE N under TOOL; "-" if it failed.
run() {
	local tool=$1 mode=$2 n=$3 arg=${4:-} r=-
	case $tool in
	untraced) r=$("$LOOP" "$mode" "$n" $arg) ;;
	traceloop)
		# (the loop's line among the dump's: a number alone)
		r=$("$ROOT/bpfbox" traceloop -- "$LOOP" "$mode" "$n" $arg 2>"$OUT/tl.err" |
			grep -E '^[0-9]+\.[0-9]$' | head -n 1)
		[ -n "$r" ] || { say "traceloop failed: $(tail -n 2 "$OUT/tl.err")" >&2; FAIL=1; r=-; } ;;
	bpftrace)
		bg_tool "$OUT/bt.log" '^Attaching' bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @n = count(); }'
		[ -n "$BG" ] && r=$("$LOOP" "$mode" "$n" $arg)
		stop_bg ;;
	syscount)
		bg_tool "$OUT/sc.log" '^Tracing' stdbuf -oL /usr/sbin/syscount
		[ -n "$BG" ] && r=$("$LOOP" "$mode" "$n" $arg)
		stop_bg ;;
	strace) r=$(TL_LOOP_WALL=1 strace -f -qq -o /dev/null "$LOOP" "$mode" "$n" $arg) ;;
	perf) r=$(TL_LOOP_WALL=1 perf trace -s -o /dev/null -- "$LOOP" "$mode" "$n" $arg 2>/dev/null |
		head -n 1) ;;
	esac
	say "${r:--}"
}

declare -A RES
tools=(untraced traceloop)
[ $HAVE_BT = 1 ] && tools+=(bpftrace)
[ $HAVE_SC = 1 ] && tools+=(syscount)
[ $HAVE_STRACE = 1 ] && tools+=(strace)
[ $HAVE_PERF = 1 ] && tools+=(perf)

calls_for() {
	case $1 in strace|perf) say "$N_SLOW" ;; *) say "$N" ;; esac
}

say "traceloop bench: kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
hr
say "1. getppid() loop, ns per call (medians of $REPS rounds)"
for rep in $(seq "$REPS"); do
	for t in "${tools[@]}"; do
		RES[$t,$rep]=$(run "$t" getppid "$(calls_for "$t")")
	done
done
table_head() {	# unit
	printf '| %-44s | %8s | %6s | %8s |\n' "tool" "$1" "ratio" "added ns"
	printf '|%s|%s|%s|%s|\n' "----------------------------------------------" "----------" "--------" "----------"
}
row() {	# label tool base: median, ratio, added ns
	local vals=() rep m
	for rep in $(seq "$REPS"); do vals+=("${RES[$2,$rep]}"); done
	m=$(median "${vals[@]}")
	printf '| %-44s | %8s | %6s | %8s |\n' "$1" "$m" "x$(ratio "$m" "$3" %.2f)" "$(calc "$m - $3" %.0f)"
}
base=$(median $(for rep in $(seq "$REPS"); do say "${RES[untraced,$rep]}"; done))
table_head ns/call
row "untraced" untraced "$base"
row "bpfbox traceloop (every call into its ring)" traceloop "$base"
[ $HAVE_BT = 1 ] && row "bpftrace: count raw_syscalls:sys_enter" bpftrace "$base"
[ $HAVE_SC = 1 ] && row "libbpf-tools syscount" syscount "$base"
[ $HAVE_STRACE = 1 ] && row "strace -f (wall time)" strace "$base"
[ $HAVE_PERF = 1 ] && row "perf trace -s (wall time)" perf "$base"

hr
say "2. openat + read(64) + close loop, ns per round (medians of $REPS rounds)"
tools2=(untraced traceloop)
[ $HAVE_STRACE = 1 ] && tools2+=(strace)
for rep in $(seq "$REPS"); do
	for t in "${tools2[@]}"; do
		n=$((N / 10))
		[ "$t" = strace ] && n=$((N_SLOW / 5))
		RES[$t,$rep]=$(run "$t" openread "$n" "$FILE")
	done
done
base=$(median $(for rep in $(seq "$REPS"); do say "${RES[untraced,$rep]}"; done))
table_head ns/round
row "untraced" untraced "$base"
row "bpfbox traceloop (paths and data captured)" traceloop "$base"
[ $HAVE_STRACE = 1 ] && row "strace -f (wall time)" strace "$base"

hr
say "3. processes not traced: the getppid loop while traceloop records another process"
sleep 1000 &
SLEEPER=$!
un=() ot=()
for rep in $(seq "$REPS"); do
	un+=("$("$LOOP" getppid "$N")")
	"$ROOT/bpfbox" traceloop -p $SLEEPER >/dev/null 2>"$OUT/other.err" &
	B=$!
	if wait_line "$OUT/other.err" recording $B; then
		ot+=("$("$LOOP" getppid "$N")")
	else
		say "traceloop -p failed: $(tail -n 1 "$OUT/other.err")"
		FAIL=1
	fi
	kill -INT $B 2>/dev/null
	wait $B 2>/dev/null
done
kill $SLEEPER
wait $SLEEPER 2>/dev/null
m1=$(median "${un[@]}")
m2=$(median "${ot[@]}")
say "untraced: $m1 ns/call; while another process is recorded: $m2 ns/call (x$(ratio "$m2" "$m1" %.2f), $(calc "$m2 - $m1" %.0f) ns added)"

hr
say "4. dumping a full ring (at the loop's exit)"
for size in 4096 65536; do
	/usr/bin/time -f 'maxrss_kb %M' -o "$OUT/dump.time" "$ROOT/bpfbox" traceloop -v --size $size \
		-- "$LOOP" getppid $((size * 2)) >"$OUT/dump.out" 2>"$OUT/dump.err" || FAIL=1
	ms=$(sed -nE 's/.*: [0-9]+ calls dumped in ([0-9.]+) ms$/\1/p' "$OUT/dump.err" | tail -n 1)
	lines=$(grep -c ' getppid() = ' "$OUT/dump.out")
	say "--size $size: $lines calls read, decoded and printed in ${ms:-?} ms; ring $(calc "$size * 680 / 1048576" %.1f) MiB (kernel memory, mmap'ed); bpfbox max RSS $(calc "$(kv "$OUT/dump.time" maxrss_kb) / 1024" %.1f) MiB (the ring's pages mapped)"
done
hr
exit $FAIL
