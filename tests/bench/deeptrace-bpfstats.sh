#!/bin/bash
# tests/bench/deeptrace-bpfstats.sh [BPFBOX...] (root): where deeptrace's
# kernel-side time goes.  For each binary given (default ./bpfbox), in
# turn, REPS times: redis-server in a network namespace of its own,
# redis-benchmark GET (50 connections, N requests) under deeptrace -w,
# with kernel.bpf_stats_enabled=1; prints each program that ran: its run
# count and mean run time (run_cnt counts every syscall of the host: the
# hooks are raw_syscalls'), and the recorder's own CPU (user + system).
# Alternate binaries to compare them in one run; ARGS (e.g. "--attach
# raw_tp") go to deeptrace.  Knobs: N (30000), REPS (3).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
N=${N:-30000}
REPS=${REPS:-3}
say() { printf '%s\n' "$*"; }
die() { say "deeptrace-bpfstats: $*" >&2; exit 1; }
. "$ROOT/scripts/apt-lib.sh"
[ "$(id -u)" = 0 ] || die "needs root (BPF)"
need_packages redis-server redis-tools bpftool jq
[ $# -gt 0 ] || set -- ./bpfbox
NS=bbdtst$$
D=$(mktemp -d)
T=
cleanup() {
	[ -n "$T" ] && kill -INT "$T" 2>/dev/null && wait "$T"
	sysctl -qw kernel.bpf_stats_enabled=0
	[ -f "$D/r.pid" ] && kill "$(cat "$D/r.pid")" 2>/dev/null
	sleep 0.3
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
ip netns add "$NS" && ip -n "$NS" link set lo up || die "no network namespace"
ip netns exec "$NS" redis-server --port 6391 --save '' --appendonly no --daemonize yes \
	--pidfile "$D/r.pid" --logfile "$D/r.log" || die "redis-server did not start"
sleep 0.5
say "| binary | GET req/s | recorder CPU ms | program: runs, mean ns |"
say "|---|---|---|---|"
for ((r = 0; r < REPS; r++)); do
	for bin in "$@"; do
		[ -x "$bin" ] || die "$bin: not executable"
		sysctl -qw kernel.bpf_stats_enabled=1
		# shellcheck disable=SC2086 # ARGS: words
		"$bin" deeptrace ${ARGS:-} --netns "$NS" -w "$D/x.bbr" 2>"$D/err" >/dev/null &
		T=$!
		for ((i = 0; i < 500; i++)); do
			grep -q "tracing socket" "$D/err" && break
			sleep 0.02
		done
		c0=$(awk '{ print $14 + $15 }' "/proc/$T/stat")
		rps=$(ip netns exec "$NS" redis-benchmark -p 6391 -c 50 -n "$N" -t get -q 2>/dev/null |
			tr '\r' '\n' | awk '/requests per second/ { v = $2 } END { print v ? v : "-" }')
		c1=$(awk '{ print $14 + $15 }' "/proc/$T/stat")
		# This tracer's programs only (another deeptrace may be running).
		ids=$(grep -h '^prog_id:' /proc/$T/fdinfo/* 2>/dev/null | awk '{ print $2 }' |
			sort -u | paste -sd,)
		progs=$(bpftool -j prog show | jq -r --arg ids "$ids" '($ids | split(",")) as $mine |
			.[] | select((.id | tostring) as $i | $mine | index($i)) |
			select(.name | startswith("dt_")) | select((.run_cnt // 0) > 0) |
			"\(.name) \(.run_cnt // 0), \(if (.run_cnt // 0) > 0 then
				(.run_time_ns / .run_cnt | round) else 0 end); "' | tr -d '\n')
		kill -INT "$T"
		wait "$T"
		T=
		sysctl -qw kernel.bpf_stats_enabled=0
		rm -f "$D/x.bbr"
		say "| $bin | $rps | $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) )) | $progs |"
	done
done
