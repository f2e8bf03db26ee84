#!/bin/bash
# tests/bench/run.sh (make bench, root): bpfbox dropwatch against peers.
#
# A UDP drop flood (tests/bench/flood.c) runs in a network namespace of
# its own; every tracer filters on it, so drops elsewhere on the machine
# do not count.  Measures, in this one run:
#   1. the flood: the cheapest drop path of a few (chosen by measuring)
#   2. aggregate mode: dropwatch total == drops generated (and kernel counters);
#      and over a long flood, printing every second: exact, RSS at start and end
#   3. events mode: lines delivered + lost == drops generated
#   4. CPU per drop added by bpfbox (aggregating, events) and by bpftrace
#   5. time from exec to attached
#   6. sizes
# and prints ratios.  It never fails on timings; it exits 1 only if a
# count does not add up (a correctness bug) or the setup cannot be made.
#
# Knobs (environment): BENCH_DURATION seconds per flood (1.5), BENCH_REPS
# repetitions of the CPU runs (5), BENCH_STARTS exec-to-attach runs (5),
# BENCH_LONG seconds of the long flood (30: exact count, RSS at start and end),
# BENCH_THREADS flood threads of the CPU runs (1: a core stays free for
# the tracers' user space), BENCH_STRESS_THREADS of the count checks (nproc),
# BENCH_BPFTRACE=0 to leave bpftrace out.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BB=$ROOT/bpfbox
OUT=$ROOT/build/bench
DUR=${BENCH_DURATION:-1.5}
REPS=${BENCH_REPS:-5}
STARTS=${BENCH_STARTS:-5}
LONG=${BENCH_LONG:-30}
THREADS=${BENCH_THREADS:-1}
STRESS=${BENCH_STRESS_THREADS:-$(nproc)}
PORT=9
FAIL=0

say() { printf '%s\n' "$*"; }
die() { say "bench: $*" >&2; exit 1; }
. "$ROOT/scripts/apt-lib.sh"
. "$ROOT/tests/bench/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (network namespace, BPF)"
[ -x "$BB" ] || die "no ./bpfbox: run make"
need_packages iproute2 nftables
for t in ip nft nstat gcc; do
	command -v $t >/dev/null || die "needs $t"
done

mkdir -p "$OUT"
gcc -O2 -Wall -Wextra -o "$OUT/flood" tests/bench/flood.c -lpthread || die "cannot build flood"
gcc -O2 -Wall -Wextra -o "$OUT/startup" tests/bench/startup.c || die "cannot build startup"

NS=bpfbox-bench-$$
TMP=$(mktemp -d /tmp/bpfbox-bench.XXXXXX)
# The tree is shared: a rebuild during the run must not change the subject.
cp "$BB" "$TMP/bpfbox" || die "cannot copy $BB"
BB=$TMP/bpfbox
# Floods are pinned to CPU 0 (thread i on CPU i); tracers' user space to the last CPU.
PIN=()
[ "$(nproc)" -ge 2 ] && command -v taskset > /dev/null && PIN=(taskset -c $(($(nproc) - 1)))
TRACERS=()

cleanup() {
	local p
	for p in "${TRACERS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || die "cannot create network namespace $NS"
ip -n "$NS" link set lo up
INUM=$(stat -L -c %i "/run/netns/$NS")
nsx() { ip netns exec "$NS" "$@"; }

# ---------------------------------------------------------------- helpers




# vm_kb PID FIELD: a /proc/PID/status figure (VmRSS, VmHWM) in KiB.
vm_kb() { awk -v f="$2:" '$1 == f { print $2 }' /proc/"$1"/status 2>/dev/null; }

# On-CPU time (ns) of a process, all threads.
proc_cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

# Kernel counters of the namespace that count the flood's drops.
snmp() { nsx nstat -asz "$@" 2>/dev/null | awk 'NR > 1 { printf "%s=%s ", $1, $2 }'; }
nft_count() { nsx nft list ruleset 2>/dev/null | awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'; }

# Drop paths: set up / tear down / kernel counter(s) to check against.
MODES="closed nft-prerouting nft-egress"
mode_desc() {
	case $1 in
	closed) say "UDP to a closed port on lo (NO_SOCKET; ICMP unreachable, not rate-limited on lo)";;
	nft-prerouting) say "nft inet prerouting (prio -300) 'udp dport $PORT counter drop' (NETFILTER_DROP)";;
	nft-egress) say "nft netdev egress hook on lo 'counter drop' (NETFILTER_DROP, in sendmsg, no softirq)";;
	esac
}
mode_setup() {
	case $1 in
	closed) ;;
	nft-prerouting)
		nsx nft add table inet bench &&
		nsx nft add chain inet bench pre '{ type filter hook prerouting priority -300; }' &&
		nsx nft add rule inet bench pre udp dport $PORT counter drop;;
	nft-egress)
		nsx nft add table netdev bench &&
		nsx nft add chain netdev bench eg '{ type filter hook egress device lo priority 0; }' &&
		nsx nft add rule netdev bench eg counter drop;;
	esac
}
mode_teardown() { nsx nft flush ruleset 2>/dev/null; }
mode_snmp() {
	case $1 in
	closed) say "UdpNoPorts";;
	nft-prerouting) say "IpInReceives";;
	nft-egress) say "UdpSndbufErrors IpOutDiscards";;
	esac
}

# kernel_counters: "name=value ..." of the mode's counters (nft rule included).
kernel_counters() {
	local s
	s=$(snmp $(mode_snmp "$MODE"))
	[ "$MODE" != closed ] && s="${s}nft=$(nft_count)"
	say "$s"
}
# counters_delta BEFORE AFTER EXPECTED: "name +delta OK|MISMATCH ..." and status.
counters_delta() {
	awk -v a="$1" -v b="$2" -v want="$3" 'BEGIN {
		n = split(a, x, " "); split(b, y, " "); bad = 0
		for (i = 1; i <= n; i++) {
			split(x[i], p, "="); split(y[i], q, "=")
			d = q[2] - p[2]; ok = d == want ? "OK" : "MISMATCH"; if (d != want) bad = 1
			printf "%s +%d %s; ", p[1], d, ok
		}
		exit bad }'
}

# flood FILE THREADS SECONDS: run the generator in the namespace.
flood() {
	nsx "$OUT/flood" -a 127.0.0.1 -p $PORT -t "$2" -d "$3" > "$1" 2> "$1.err"
	local rc=$?
	[ $rc = 0 ] || say "  flood failed (rc $rc): $(cat "$1.err")"
	return $rc
}

# wait_line FILE PATTERN PID: until FILE has PATTERN (0), PID died or 60 s (1).
wait_line() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { grep -q -- "$2" "$1" 2>/dev/null; return; }
		sleep 0.05
	done
	return 1
}

# stop PID: SIGINT, then wait for it (SIGKILL after 30 s); returns its status.
stop() {
	local i
	kill -INT "$1" 2>/dev/null
	for ((i = 0; i < 600; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$1" 2>/dev/null && { say "  pid $1 ignored SIGINT for 30 s: killed"; kill -KILL "$1"; }
	wait "$1" 2>/dev/null
}

# settle PID: until the process stops using CPU (start-up work after the
# attach message, e.g. reading /proc/kallsyms), at most 5 s.
settle() {
	local a b i
	for ((i = 0; i < 50; i++)); do
		a=$(proc_cpu_ns "$1"); sleep 0.1; b=$(proc_cpu_ns "$1")
		[ $((b - a)) -lt 2000000 ] && return
	done
}

# Other jobs' BPF programs on kfree_skb add their cost to every figure
# here (the untraced baseline too): name them.  Call with none of ours up.
FOREIGN=""
foreign_check() {
	local pid desc
	command -v bpftool > /dev/null || return
	while read -r _ pid _; do
		desc="pid $pid ($(tr '\0' ' ' < /proc/"$pid"/cmdline 2>/dev/null | cut -c1-60))"
		say "  warning: $desc has a BPF program on kfree_skb"
		case $FOREIGN in *"$desc"*) ;; *) FOREIGN+="$desc; ";; esac
	done < <(bpftool perf show 2>/dev/null | grep -w kfree_skb)
}

BT_PROG="tracepoint:skb:kfree_skb /((struct sk_buff *)args->skbaddr)->dev->nd_net.net->ns.inum == $INUM/ { @[args->location, args->reason] = count(); } BEGIN { printf(\"ready\\n\"); }"
BT_NOTE=""

# start_tracer KIND OUTFILE: starts it, waits until attached; sets TPID.
#   bpfbox: aggregating; bpfbox-e: events to /dev/null; bpftrace.
start_tracer() {
	local kind=$1 out=$2 ready
	# Output of a previous run would say "attached" before this one is.
	rm -f "$out" "$out.err"
	case $kind in
	bpfbox)
		"${PIN[@]}" "$BB" dropwatch --netns "$NS" -i 0 -v > "$out" 2> "$out.err" &
		TPID=$!; ready=watching; out=$out.err;;
	bpfbox-e)
		"${PIN[@]}" "$BB" dropwatch --netns "$NS" -e -v --buffer-size 64M > /dev/null 2> "$out.err" &
		TPID=$!; ready=watching; out=$out.err;;
	bpftrace)
		# In its own directory: it writes nothing, but keeps ROOT clean.
		(cd "$TMP" && exec "${PIN[@]}" bpftrace -e "$BT_PROG") > "$out" 2>&1 &
		TPID=$!; ready=ready;;
	esac
	TRACERS+=("$TPID")
	if ! wait_line "$out" "$ready" "$TPID"; then
		say "  $kind did not attach:"; sed 's/^/    /' "$out" | tail -5
		kill -KILL "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null
		return 1
	fi
	settle "$TPID"
}

# Values printed by the tracers at exit.
bb_total() { awk '/ total: [0-9]+ drops/ { for (i = 1; i <= NF; i++) if ($i == "total:") t = $(i + 1) } END { print t + 0 }' "$1"; }
bb_lost() {	# ring buffer losses and missed hits, from the -v summary
	awk '/lost in the kernel:/ { for (i = 1; i <= NF; i++) { if ($i == "kernel:") r = $(i + 1); if ($i == "hits") m = $(i - 1) } }
	     END { print r + 0, m + 0 }' "$1"
}
bt_total() { awk -F': ' '/^@\[/ { s += $NF } END { print s + 0 }' "$1"; }


say "bpfbox bench: kernel $(uname -r), $(nproc) CPUs, netns $NS (inode $INUM), ${DUR}s floods"
say "bpfbox: $(stat -c %s "$BB") bytes; bpftrace: $(command -v bpftrace >/dev/null && bpftrace --version 2>&1 || echo none)"

# bpftrace: install if missing (Debian's is 0.17), go on without it.
HAVE_BT=${BENCH_BPFTRACE:-1}
if [ "$HAVE_BT" = 1 ] && ! command -v bpftrace >/dev/null; then
	want_packages bpftrace || HAVE_BT=0
fi

foreign_check

# ------------------------------------------------- 1. the flood: calibrate
hr
say "1. drop flood: the fastest drop path (1 thread, 0.5 s each, untraced)"
BEST= BEST_RATE=0
for m in $MODES; do
	mode_setup $m > "$TMP/setup.log" 2>&1 || { say "  $m: setup failed: $(tail -1 "$TMP/setup.log")"; mode_teardown; continue; }
	MODE=$m
	k0=$(kernel_counters)
	flood "$TMP/cal" 1 0.5 || { mode_teardown; continue; }
	k1=$(kernel_counters)
	r=$(kv "$TMP/cal" rate)
	sent=$(kv "$TMP/cal" sent)
	chk=$(counters_delta "$k0" "$k1" "$sent") || FAIL=1
	printf '  %-16s %9s drops/s  (kernel: %s)\n' "$m" "$r" "$chk"
	if [ "${r%.*}" -gt "$BEST_RATE" ]; then BEST=$m; BEST_RATE=${r%.*}; fi
	mode_teardown
done
[ -n "$BEST" ] || die "no drop path works"
MODE=$BEST
mode_setup "$MODE" > /dev/null 2>&1 || die "cannot set up $MODE"
say "  using $MODE: $(mode_desc "$MODE")"
flood "$TMP/max" "$STRESS" 1
MAX_RATE=$(kv "$TMP/max" rate)
say "  $STRESS threads, untraced: $MAX_RATE drops/s"

# --------------------------------------------- 2. aggregate mode: exact count
hr
say "2. aggregate mode, exact count ($STRESS flood threads, ${DUR}s)"
AGG_RESULT=MISMATCH
if start_tracer bpfbox "$TMP/agg"; then
	k0=$(kernel_counters)
	flood "$TMP/f.agg" "$STRESS" "$DUR"
	k1=$(kernel_counters)
	stop "$TPID"
	gen=$(kv "$TMP/f.agg" expected_drops)
	tot=$(bb_total "$TMP/agg")
	read -r lost missed < <(bb_lost "$TMP/agg.err")
	kchk=$(counters_delta "$k0" "$k1" "$gen") || FAIL=1
	[ "$tot" = "$gen" ] && AGG_RESULT=OK || FAIL=1
	say "  generated $gen ($(kv "$TMP/f.agg" rate) drops/s), bpfbox total $tot: $AGG_RESULT"
	say "  kernel counters: $kchk"
	[ "$lost$missed" = 00 ] || say "  bpfbox reported losses: ring $lost, missed $missed"
	sed -n '/total:/,$p' "$TMP/agg" | sed 's/^/    | /'
	grep -v -e watching -e 'attached dw_' -e '^$' "$TMP/agg.err" | sed 's/^/    stderr: /'
else
	FAIL=1
fi

# ------------------------------- 2b. a long flood: exact count, flat RSS
hr
say "2b. long flood, printing every second: exact count, RSS ($STRESS flood threads, ${LONG}s)"
# RSS: after attach, after the first table (the kernel's symbols are read
# when the first one is printed), and at the end.
LONG_RESULT=MISMATCH RSS0=- RSS1=- RSS2=- HWM=-
"${PIN[@]}" "$BB" dropwatch --netns "$NS" -i 1 -v > "$TMP/long" 2> "$TMP/long.err" &
TPID=$!; TRACERS+=("$TPID")
if wait_line "$TMP/long.err" watching "$TPID"; then
	settle "$TPID"
	RSS0=$(vm_kb "$TPID" VmRSS)
	flood "$TMP/f.long" "$STRESS" "$LONG" &
	FPID=$!
	wait_line "$TMP/long" " interval: " "$TPID" && sleep 1.5 && RSS1=$(vm_kb "$TPID" VmRSS)
	wait "$FPID"
	RSS2=$(vm_kb "$TPID" VmRSS)
	HWM=$(vm_kb "$TPID" VmHWM)
	stop "$TPID"
	gen=$(kv "$TMP/f.long" expected_drops)
	tot=$(bb_total "$TMP/long")
	[ "$tot" = "$gen" ] && LONG_RESULT=OK || FAIL=1
	say "  generated $gen ($(kv "$TMP/f.long" rate) drops/s), bpfbox total $tot: $LONG_RESULT;" \
	    "$(grep -c ' interval: ' "$TMP/long") tables printed"
	say "  bpfbox RSS: ${RSS0} KiB after attach, ${RSS1} KiB after its first tables," \
	    "${RSS2} KiB at the end (peak ${HWM} KiB)"
else
	say "  bpfbox did not attach: $(tail -3 "$TMP/long.err")"; FAIL=1
	kill -KILL "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null
fi

# ---------------------------------------- 3. events mode: delivered + lost
hr
say "3. events mode (-e --buffer-size 64M, lines counted by wc), ${DUR}s"
EV_RESULT=()
for th in $THREADS $STRESS; do
	[ "$th" = "$THREADS" ] && [ "$th" = "$STRESS" ] && [ ${#EV_RESULT[@]} -gt 0 ] && continue
	rm -f "$TMP/ev.fifo" "$TMP/ev.err" "$TMP/ev.lines"; mkfifo "$TMP/ev.fifo"
	wc -l < "$TMP/ev.fifo" > "$TMP/ev.lines" &
	WCPID=$!
	"${PIN[@]}" "$BB" dropwatch --netns "$NS" -e -v --buffer-size 64M > "$TMP/ev.fifo" 2> "$TMP/ev.err" &
	TPID=$!; TRACERS+=("$TPID")
	if ! wait_line "$TMP/ev.err" watching "$TPID"; then
		say "  bpfbox -e did not attach: $(tail -3 "$TMP/ev.err")"; FAIL=1
		kill -KILL "$TPID" 2>/dev/null; wait "$TPID" "$WCPID" 2>/dev/null; continue
	fi
	c0=$(proc_cpu_ns "$TPID")
	k0=$(kernel_counters)
	flood "$TMP/f.ev" "$th" "$DUR"
	k1=$(kernel_counters)
	c1=$(proc_cpu_ns "$TPID")
	stop "$TPID"
	wait "$WCPID"
	gen=$(kv "$TMP/f.ev" expected_drops)
	kchk=$(counters_delta "$k0" "$k1" "$gen") || { FAIL=1; say "  kernel counters disagree: $kchk"; }
	lines=$(awk '{ print $1 }' "$TMP/ev.lines")
	read -r lost missed < <(bb_lost "$TMP/ev.err")
	sum=$((lines + lost + missed))
	[ "$sum" = "$gen" ] && r=OK || { r=MISMATCH; FAIL=1; }
	EV_RESULT+=("$r")
	say "  $th flood thread(s): generated $gen ($(kv "$TMP/f.ev" rate)/s): delivered $lines + lost $lost + missed $missed = $sum: $r" \
	    "($(calc "100 * $lines / $gen" %.1f)% delivered; bpfbox user space $(calc "($c1 - $c0) / 1e6" %.0f) ms CPU)"
	grep -v -e watching -e 'attached dw_' "$TMP/ev.err" | sed 's/^/    stderr: /'
done

# ------------------------------------------------------ 4. CPU per drop
hr
say "4. CPU per drop: $THREADS flood thread(s) on CPU 0, ${DUR}s, $REPS interleaved runs each"
say "   cpu/drop = (flood user+sys + tracer process CPU during the flood) / drops"
say "   sys/drop = all CPUs' busy time (/proc/stat, includes other jobs) / drops"
KINDS="none bpfbox bpfbox-e"
if [ $HAVE_BT = 1 ]; then
	if start_tracer bpftrace "$TMP/bt.probe"; then
		stop "$TPID"
		KINDS="$KINDS bpftrace"
	else
		# Retry without the namespace filter (the brief's one-liner).
		BT_PROG='tracepoint:skb:kfree_skb { @[args->location, args->reason] = count(); } BEGIN { printf("ready\n"); }'
		if start_tracer bpftrace "$TMP/bt.probe"; then
			stop "$TPID"; KINDS="$KINDS bpftrace"
			BT_NOTE="bpftrace ran WITHOUT the netns filter (its struct access failed): counts include other drops"
			say "  $BT_NOTE"
		else
			HAVE_BT=0; BT_NOTE="bpftrace failed on this kernel: see above"; say "  $BT_NOTE"
		fi
	fi
fi
declare -A RATE CPD FPD TPD SYS	# per "kind,rep"
BT_COUNTS="-"
case " $KINDS " in *" bpftrace "*) BT_COUNTS="OK ($REPS runs)";; esac
printf '   %-9s %3s %10s %9s %10s %10s %10s %9s  %s\n' tracer run drops drops/s flood-cpu tracer-cpu cpu/drop sys/drop "count check"
for ((rep = 1; rep <= REPS; rep++)); do
	for kind in $KINDS; do
		tcpu=0 check=""
		if [ "$kind" != none ]; then
			start_tracer "$kind" "$TMP/t.$kind" || { FAIL=1; continue; }
			c0=$(proc_cpu_ns "$TPID")
		fi
		flood "$TMP/f.cpu" "$THREADS" "$DUR" || continue
		if [ "$kind" != none ]; then
			c1=$(proc_cpu_ns "$TPID")
			tcpu=$((c1 - c0))
			stop "$TPID"
		fi
		sent=$(kv "$TMP/f.cpu" expected_drops)
		case $kind in
		none) ;;
		bpfbox-e)
			read -r l m < <(bb_lost "$TMP/t.$kind.err")
			check="lost $l, missed $m";;
		*)
			if [ $kind = bpfbox ]; then n=$(bb_total "$TMP/t.$kind"); else n=$(bt_total "$TMP/t.$kind"); fi
			if [ "$n" = "$sent" ]; then
				check="$n OK"
			else
				check="$n MISMATCH"
				[ $kind = bpftrace ] && BT_COUNTS="MISMATCH (bpftrace)"
				[ $kind = bpftrace ] && [ -n "$BT_NOTE" ] || FAIL=1
			fi;;
		esac
		fcpu=$(kv "$TMP/f.cpu" cpu_ns)
		rate=$(kv "$TMP/f.cpu" rate)
		cpd=$(calc "($fcpu + $tcpu) / $sent")
		sys=$(calc "$(kv "$TMP/f.cpu" sys_busy_ns) / $sent")
		RATE[$kind,$rep]=$rate CPD[$kind,$rep]=$cpd SYS[$kind,$rep]=$sys
		FPD[$kind,$rep]=$(calc "$fcpu / $sent") TPD[$kind,$rep]=$(calc "$tcpu / $sent")
		printf '   %-9s %3d %10d %9d %8sms %8sms %8sns %7sns  %s\n' "$kind" "$rep" "$sent" "$rate" \
		    "$(calc "$fcpu / 1e6" %.0f)" "$(calc "$tcpu / 1e6" %.0f)" "$(calc "$cpd" %.1f)" "$(calc "$sys" %.0f)" "$check"
	done
done
foreign_check
# Each traced run is compared with the untraced run just before it (the
# machine is shared: its speed drifts), and the medians of those are shown.
# paired ARRAY KIND EXPR: median over the reps of EXPR (awk), in which the
# literal $a stands for ARRAY[KIND,rep] and $b for ARRAY[none,rep].
paired() {
	local -n arr=$1
	local r e vals=()
	for ((r = 1; r <= REPS; r++)); do
		[ -n "${arr[$2,$r]:-}" ] && [ -n "${arr[none,$r]:-}" ] || continue
		e=${3//'$a'/${arr[$2,$r]}}
		vals+=("$(calc "${e//'$b'/${arr[none,$r]}}")")
	done
	median "${vals[@]}"
}
declare -A M_RATE ADD ADD_K USER TPUT ADD_SYS
say "   medians (of each traced run against the untraced run before it):"
printf '   %-9s %9s %10s %12s %14s %12s %12s\n' tracer drops/s throughput "added/drop" "in the flood" "in tracer" "added(sys)"
for kind in $KINDS; do
	vals=()
	for ((r = 1; r <= REPS; r++)); do [ -n "${RATE[$kind,$r]:-}" ] && vals+=("${RATE[$kind,$r]}"); done
	M_RATE[$kind]=$(median "${vals[@]}")
	TPUT[$kind]=$(paired RATE "$kind" '100 * $a / $b')
	ADD[$kind]=$(paired CPD "$kind" '$a - $b')
	ADD_K[$kind]=$(paired FPD "$kind" '$a - $b')
	USER[$kind]=$(paired TPD "$kind" '$a')
	ADD_SYS[$kind]=$(paired SYS "$kind" '$a - $b')
	printf '   %-9s %9s %9s%% %10sns %12sns %10sns %10sns\n' "$kind" "$(calc "${M_RATE[$kind]}" %.0f)" \
	    "$(calc "${TPUT[$kind]}" %.1f)" "$(calc "${ADD[$kind]}" %.1f)" "$(calc "${ADD_K[$kind]}" %.1f)" \
	    "$(calc "${USER[$kind]}" %.1f)" "$(calc "${ADD_SYS[$kind]}" %.0f)"
done
say "   (added/drop = in the flood, i.e. the BPF program in the dropping thread, + in the tracer's process)"

# ------------------------------------------------ 5. exec to attached
hr
say "5. exec to attached: median of $STARTS runs"
BB_START=() BT_START=() BT_ATT=()
for ((i = 0; i < STARTS; i++)); do
	t=$("$OUT/startup" -T 30 -m watching -- "$BB" dropwatch --netns "$NS" -i 0 | awk '{ print $1 }')
	BB_START+=("$t")
	if [ $HAVE_BT = 1 ]; then
		read -r a r < <(cd "$TMP" && "$OUT/startup" -T 60 -m Attaching -m ready -- bpftrace -e "$BT_PROG" |
				awk '{ printf "%s ", $1 }')
		BT_ATT+=("$a") BT_START+=("$r")
	fi
done
M_BB_START=$(median "${BB_START[@]}")
say "  bpfbox   (until 'watching' on stderr):  ${BB_START[*]} ms -> median $M_BB_START ms"
# The other applets, on a process of our own (until their "tracing" line).
sleep 600 & IDLE=$!; TRACERS+=("$IDLE")
for a in "memleak -p $IDLE:tracing" "deadlock -p $IDLE:tracing" "traceloop -p $IDLE:recording" \
	 "deeptrace:tracing"; do
	ts=()
	for ((i = 0; i < STARTS; i++)); do
		# shellcheck disable=SC2086 # the applet's words
		ts+=("$("$OUT/startup" -T 30 -m "${a##*:}" -- "$BB" ${a%%:*} | awk '{ print $1 }')")
	done
	say "  bpfbox ${a%%:*}: ${ts[*]} ms -> median $(median "${ts[@]}") ms"
done
kill "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null
M_BT_START=-
if [ $HAVE_BT = 1 ]; then
	M_BT_ATT=$(median "${BT_ATT[@]}")
	M_BT_START=$(median "${BT_START[@]}")
	say "  bpftrace (until 'Attaching N probes'): ${BT_ATT[*]} ms -> median $M_BT_ATT ms"
	say "  bpftrace (until its BEGIN probe ran, i.e. all attached): ${BT_START[*]} ms -> median $M_BT_START ms"
fi

# -------------------------------------------------------------- 6. sizes
hr
say "6. sizes"
BB_SIZE=$(stat -c %s "$BB")
BB_LINK="dynamically linked"
file -b "$BB" 2>/dev/null | grep -q 'static' && BB_LINK="static, no dependencies"
say "  bpfbox:   $BB_SIZE bytes ($(file -b "$BB" 2>/dev/null))"
BT_SIZE=- BT_LIBS=- BT_NLIBS=0
if command -v bpftrace > /dev/null; then
	BT_BIN=$(readlink -f "$(command -v bpftrace)")
	BT_SIZE=$(stat -c %s "$BT_BIN")
	read -r BT_NLIBS BT_LIBS < <(ldd "$BT_BIN" | awk '$3 ~ /^\// { print $3 }' | xargs -r readlink -f | sort -u |
		xargs -r stat -c %s | awk '{ s += $1; n++ } END { print n + 0, s + 0 }')
	ls -l "$BT_BIN" | sed 's/^/  /'
	say "  bpftrace: $BT_SIZE bytes + $BT_NLIBS shared libraries, $BT_LIBS bytes; largest:"
	ldd "$BT_BIN" | awk '$3 ~ /^\// { print $3 }' | xargs -r readlink -f | sort -u | xargs -r ls -l |
		sort -k5,5 -g -r | head -3 | awk '{ printf "    %10d %s\n", $5, $NF }'
fi

# ------------------------------------------------------------- summary
hr
mb() { calc "$1 / 1048576" %.1f; }
# A table row; figures that could not be measured read "-".
row() { say "$*" | sed 's/ - (-%) / - /g; s/ - ns / - /g; s/ - ms / - /g'; }
BTV=$(bpftrace --version 2>/dev/null | awk '{ print $2 }')
say "Summary: kernel $(uname -r), $(nproc) CPUs; flood = $MODE: $MAX_RATE drops/s with $STRESS threads,"
say "${M_RATE[none]%.*} drops/s with $THREADS (the CPU runs); medians of $REPS runs of ${DUR}s"
say ""
row "| | bpfbox dropwatch | bpftrace ${BTV:-(none)} | bpftrace / bpfbox |"
row "|---|---|---|---|"
row "| drops/s while counting (untraced: ${M_RATE[none]%.*}) | $(calc "${M_RATE[bpfbox]}" %.0f) ($(calc "${TPUT[bpfbox]}" %.0f)%) | $(calc "${M_RATE[bpftrace]:--}" %.0f) ($(calc "${TPUT[bpftrace]:--}" %.0f)%) | $(ratio "${M_RATE[bpftrace]:--}" "${M_RATE[bpfbox]}" %.2f) |"
row "| CPU added per drop, counting in the kernel | $(calc "${ADD[bpfbox]}" %.0f) ns | $(calc "${ADD[bpftrace]:--}" %.0f) ns | $(ratio "${ADD[bpftrace]:--}" "${ADD[bpfbox]}") |"
row "| CPU added per drop, one event per drop (-e > /dev/null) | $(calc "${ADD[bpfbox-e]}" %.0f) ns (kernel ~$(calc "${ADD_K[bpfbox-e]}" %.0f), user space ~$(calc "${USER[bpfbox-e]}" %.0f)); $(calc "${TPUT[bpfbox-e]}" %.0f)% throughput | - | - |"
row "| exec to attached (median of $STARTS) | $(calc "$M_BB_START" %.0f) ms | $(calc "$M_BT_START" %.0f) ms | $(ratio "$M_BT_START" "$M_BB_START") |"
row "| size on disk | $(mb "$BB_SIZE") MB, $BB_LINK | $(mb "$BT_SIZE") MB + $(mb "$BT_LIBS") MB in $BT_NLIBS shared libs | $(ratio "$BT_SIZE + $BT_LIBS" "$BB_SIZE") |"
row "| exact total, aggregating ($STRESS threads) | $AGG_RESULT | $BT_COUNTS | |"
row "| ${LONG} s flood, printing every second: exact total; RSS after the first tables -> at the end | $LONG_RESULT; $RSS1 -> $RSS2 KiB | - | |"
row "| events: delivered + lost = generated | ${EV_RESULT[*]:-not run} | - | |"
[ -z "$BT_NOTE" ] || say "" "note: $BT_NOTE"
[ -z "$FOREIGN" ] || say "" "note: other BPF programs were attached to kfree_skb during the run (their cost is in every figure, the untraced baseline included): $FOREIGN"
say ""
if [ $FAIL = 0 ]; then say "bench: all counts add up"; else say "bench: COUNT MISMATCH (see above)"; fi
exit $FAIL
