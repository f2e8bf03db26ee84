#!/bin/bash
# tests/bench/deeptrace.sh (root): bpfbox deeptrace on the chain of
# tests/e2e/deeptrace-chain.sh (curl -> nginx -> Python backend -> Redis and
# PostgreSQL, the latter from tests/e2e/deeptrace-sql.sh,
# in a network namespace of its own), in one run:
#   1. accuracy: DT_REQS requests at concurrency 1, 8 and 32, each for its
#      own user id, which every hop passes on (the ground truth: a span's
#      parent is right when it names the same id); the share of right
#      parents per link rule; for GET /user/N (the backend asks Redis) and
#      GET /account/N (Redis, then PostgreSQL: traced with --no-redact, so
#      that the SQL spans name the id too);
#   2. cost: redis-benchmark, one connection, PING (each request is one
#      write and one read on each side: four traced syscalls): the CPU
#      added per traced syscall (the chain's processes, the load
#      generator and the tracer, user + system), untraced vs traced;
#   3. throughput and CPU per request: redis-benchmark (50 connections,
#      GET/SET) and ab against nginx's own /ping (32 concurrent),
#      untraced vs traced.
# Medians of DT_REPS rounds, each running every kind (and binary) once.
# Traced runs, in 2 and 3 three kinds: spans assembled live (deeptrace
# --netns --json, its CPU counting too), events recorded with -w (the
# capture alone; spans are made later by bpfbox report), and the hooks
# alone (-w with a --comm no task has: every syscall of the host still
# passes deeptrace's two programs, which return at once: the floor a
# raw_syscalls tracer costs here).  Exits 1 if the setup fails; never on
# figures.
#
# Knobs: DT_REQS (200 per concurrency), DT_REPS (3), DT_N (redis requests
# per throughput run, 100000), DT_AB_N (ab requests, 20000), DT_ACCURACY=0
# (skip part 1), DT_BIN (the binary, ./bpfbox; several, space-separated:
# interleaved in parts 2 and 3, the first one for part 1).

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
OUT=$ROOT/build/bench/deeptrace
REQS=${DT_REQS:-200}
ACCURACY=${DT_ACCURACY:-1}
REPS=${DT_REPS:-3}
N=${DT_N:-100000}
AB_N=${DT_AB_N:-20000}
# shellcheck disable=SC2206 # DT_BIN: words
BINS=(${DT_BIN:-./bpfbox})
BIN=${BINS[0]}

say() { printf '%s\n' "$*"; }
die() { say "deeptrace bench: $*" >&2; exit 1; }
. "$ROOT/scripts/apt-lib.sh"
. "$ROOT/tests/bench/lib.sh"
. "$ROOT/tests/e2e/deeptrace-chain.sh"
. "$ROOT/tests/e2e/deeptrace-sql.sh"

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
for b in "${BINS[@]}"; do
	[ -x "$b" ] || die "no $b: run make"
done
need_packages apache2-utils
rm -rf "$OUT"
mkdir -p "$OUT"
trap 'stop_tracer; sql_down; chain_down' EXIT
T=$OUT
chain_up "$OUT"
sql_up

TRACER='' TRACER_SH='' TRACER_CPU=0
TRACE_OPTS=()	# more options of the live runs
# start_tracer FILE [record|hooks]: spans assembled live (--json > FILE),
# the events only recorded (-w FILE.bbr: the capture's cost alone), or
# the hooks alone (every task filtered out at entry).  Its CPU time (user
# + system, seconds) goes to FILE.cpu when it ends: stop_tracer sets
# TRACER_CPU from it.
start_tracer() {
	# The same names come back run after run: the last run's "tracing
	# socket" line must not say this one is ready (its SIGINT would be
	# lost, and stop_tracer wait forever).
	rm -f "$1.err"
	(
		TIMEFORMAT='%U %S'
		case ${2:-} in
		record) time "$BIN" deeptrace --netns "$CHAIN_NS" -w "$1.bbr" >"$1" 2>"$1.err" ;;
		hooks) time "$BIN" deeptrace --comm bb-none-such -w "$1.bbr" >"$1" 2>"$1.err" ;;
		*) time "$BIN" deeptrace --netns "$CHAIN_NS" --json "${TRACE_OPTS[@]}" >"$1" 2>"$1.err" ;;
		esac
	) 2>"$1.cpu" &
	TRACER_SH=$! TRACER_FILE=$1
	local i
	for ((i = 0; i < 1000; i++)); do
		TRACER=$(pgrep -P "$TRACER_SH" | head -n 1)
		[ -n "$TRACER" ] && grep -q "tracing socket" "$1.err" 2>/dev/null && return 0
		sleep 0.02
	done
	die "deeptrace did not start: $(cat "$1.err")"
}
stop_tracer() {
	[ -n "$TRACER" ] || return 0
	sleep 1.2
	kill -INT "$TRACER" 2>/dev/null
	wait "$TRACER_SH" 2>/dev/null
	TRACER_CPU=$(awk '{ print $1 + $2 }' "$TRACER_FILE.cpu")
	TRACER=
}

say "deeptrace bench: $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
hr
[ "$ACCURACY" = 1 ] && {
say "1. parent accuracy, $REQS requests per concurrency (ground truth: the user id on every hop)"
say "| path | concurrency | spans | right parents | thread | tcp_seq | header | heuristic | roots (want $REQS) |"
say "|---|---|---|---|---|---|---|---|---|"
for path in user account; do
[ $path = account ] && TRACE_OPTS=(--no-redact)
for c in 1 8 32; do
	f=$OUT/acc-$path-$c.json
	start_tracer "$f"
	seq 1 "$REQS" | in_ns xargs -P "$c" -I{} curl -s -o /dev/null "http://127.0.0.1:$NPORT/$path/{}"
	stop_tracer
	dt_parents "$f" >"$f.rules"
	rule() { awk -v r="$1" '$1 == r { print $2 "/" $2 + $3; f = 1 } END { if (!f) print "-" }' "$f.rules"; }
	right=$(awk '{ r += $2; t += $2 + $3 } END { printf "%d/%d (%.1f%%)", r, t, t ? 100 * r / t : 0 }' "$f.rules")
	say "| /$path/N | $c | $(grep -c '"type":"span"' "$f") | $right | $(rule thread) | $(rule tcp_seq) | $(rule header) | $(rule heuristic) | $(grep -c '"parent_id":0,' "$f") |"
done
done
TRACE_OPTS=()
}

hr
say "2. and 3.: CPU per request and throughput, untraced vs traced (medians of $REPS runs, the"
say "   binaries and kinds of tracing interleaved; CPU: the chain's processes, the load generator and"
say "   the tracer, user + system: steadier than req/s on a shared machine)"
# The loads print "REQ/S CPU": requests per second, and the load
# generator's CPU time (user + system, seconds).
rb() {	# TEST [CONNECTIONS]
	local cpu
	cpu=$( { TIMEFORMAT='%U %S'; time in_ns redis-benchmark -p $RPORT -c "${2:-50}" -n "$N" \
		-t "$1" -q >"$OUT/load.out" 2>/dev/null; } 2>&1 )
	tr '\r' '\n' <"$OUT/load.out" |
		awk -v c="$cpu" '/requests per second/ { v = $2 } END { split(c, t, " ");
			print (v ? v : "-"), t[1] + t[2] }'
}
abrun() {
	local cpu
	cpu=$( { TIMEFORMAT='%U %S'; time in_ns ab -q -n "$AB_N" -c 32 \
		"http://127.0.0.1:$NPORT/ping" >"$OUT/load.out" 2>/dev/null; } 2>&1 )
	awk -v c="$cpu" '/^Requests per second/ { v = $4 } END { split(c, t, " ");
		print (v ? v : "-"), t[1] + t[2] }' "$OUT/load.out"
}
# CPU seconds (user + system) of the chain's processes (redis, nginx...).
ns_cpu() {
	local p
	for p in $(ip netns pids "$CHAIN_NS"); do
		awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null
	done | awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { print s / hz }'
}
# measure LOAD REQUESTS [TRACER_KIND|none]: "REQ/S CPU_US_PER_REQUEST",
# the CPU of the servers, the load generator and the tracer (from the
# load's start to its exit: its loading is not counted, its last spans are).
measure() {
	local before out start=0
	TRACER_CPU=0
	if [ "$3" != none ]; then
		start_tracer "$OUT/tp-$3.json" "$3"
		start=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$TRACER/stat")
	fi
	before=$(ns_cpu)
	out=$($1)
	[ "$3" = none ] || stop_tracer
	rm -f "$OUT"/tp-*.json.bbr
	set -- "$out" "$(ns_cpu)" "$before" "$2" "$(calc "$TRACER_CPU - $start")"
	awk -v o="$1" -v a="$2" -v b="$3" -v t="$5" -v n="$4" 'BEGIN {
		split(o, f, " "); printf "%s %.2f\n", f[1], (a - b + f[2] + t) * 1e6 / n }'
}
KINDS="live record hooks"
# run_load LOAD REQUESTS: REPS rounds of untraced, then each binary's
# kinds; "REQ/S CPU" lines in $OUT/m-none and $OUT/m-BINARY#-KIND.
run_load() {
	local r i k
	rm -f "$OUT"/m-*
	for ((r = 0; r < REPS; r++)); do
		measure "$1" "$2" none >>"$OUT/m-none"
		for i in "${!BINS[@]}"; do
			BIN=${BINS[$i]}
			for k in $KINDS; do
				measure "$1" "$2" "$k" >>"$OUT/m-$i-$k"
			done
		done
	done
	BIN=${BINS[0]}
}
# col N FILE: the median of column N.
col() {
	local vals
	mapfile -t vals < <(awk -v c="$1" '{ print $c }' "$OUT/m-$2")
	median "${vals[@]}"
}

say
say "Added CPU per traced syscall: redis-benchmark -c 1 PING_MBULK, $N requests (4 traced syscalls"
say "each: a write and a read on each side):"
run_load "rb ping_mbulk 1" "$N"
say "| binary | untraced µs/request | assembled live | recorded (-w) | hooks alone |"
say "|---|---|---|---|---|"
u=$(col 2 none)
for i in "${!BINS[@]}"; do
	row="| ${BINS[$i]} | $u |"
	for k in $KINDS; do
		c=$(col 2 "$i-$k")
		row+=" $c: $(calc "($c - $u) * 1000 / 4" %.0f) ns per traced syscall |"
	done
	say "$row"
done

say
say "Throughput (req/s, share of untraced) and CPU µs per request (added):"
say "| load | binary | untraced | assembled live | recorded (-w) | hooks alone |"
say "|---|---|---|---|---|---|"
for load in "rb get" "rb set" abrun; do
	n=$N
	[ "$load" = abrun ] && n=$AB_N
	run_load "$load" "$n"
	case $load in
	"rb get") name="redis-benchmark GET, 50 connections" ;;
	"rb set") name="redis-benchmark SET, 50 connections" ;;
	*) name="ab -c 32 nginx /ping" ;;
	esac
	u=$(col 1 none) uc=$(col 2 none)
	for i in "${!BINS[@]}"; do
		row="| $name | ${BINS[$i]} | $u req/s, $uc µs |"
		for k in $KINDS; do
			v=$(col 1 "$i-$k") c=$(col 2 "$i-$k")
			row+=" $v ($(calc "100 * $v / $u" %.0f)%), $c µs (+$(calc "$c - $uc" %.1f)) |"
		done
		say "$row"
	done
done
say "events lost in the kernel (ring buffer full), per traced run:"
grep -h 'lost' "$OUT"/*.json.err "$OUT"/*.json 2>/dev/null | grep -o '"lost_events":[0-9]*\|lost in the kernel: [0-9]* events' | sort | uniq -c
hr
