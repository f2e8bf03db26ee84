#!/usr/bin/env bash
# End-to-end tests: ./bpfbox on the running kernel, against real dropped
# packets that build/work/dropgen makes in network namespaces of our own.
# Root only.  `make e2e` builds what this needs and runs it.
#
# Every dropwatch run filters on our namespace (--netns): other jobs on the
# machine drop packets too.  Counts are exact: dropgen says how many packets
# it sent, and each one is dropped exactly once.
#
# The last line is "e2e: N passed, N failed"; the exit status is 1 if
# anything failed.  Failed checks show the files they looked at, and the
# work directory is kept then.

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
BB=$TOP/bpfbox
GEN=$TOP/build/work/dropgen
E2E=$TOP/tests/e2e

NS=bbe2e-$$-a			# where the packets are dropped
NS2=bbe2e-$$-b			# another namespace, whose drops must not show
ROOTDIR=			# the chroot test's directory

# ---- the framework --------------------------------------------------------

. "$TOP/tests/e2e/lib.sh"

suite_cleanup() {
	if [ -n "$ROOTDIR" ]; then
		umount "$ROOTDIR/sys/kernel/tracing" 2>/dev/null
		umount "$ROOTDIR/proc" "$ROOTDIR/sys" 2>/dev/null
		rm -rf "$ROOTDIR"
		ROOTDIR=
	fi
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	[ -n "${CG:-}" ] && rmdir "$CG" 2>/dev/null
}
e2e_begin e2e "loads BPF programs, creates network namespaces" "$BB" "$GEN"

nsx() {
	ip netns exec "$NS" "$@"
}

# ---- running dropwatch -----------------------------------------------------

# run NAME GEN [dropwatch options...]
#
# Starts `bpfbox dropwatch --netns $NS OPTIONS` (add `-d SEC` to let the
# duration end it; else it gets -d 30 as a guard and SIGINT once GEN is
# done), waits for its "watching" line on stderr, runs the function GEN
# (with $G the prefix for the files it writes: $G.udp...), and waits for
# dropwatch to exit.  Output in $T/NAME.out and .err; a check that it ran.
# GEN "-" generates nothing.
run() {
	local name=$1 gen=$2 ok=1 rc started=0 by_duration=0 BGPID
	shift 2
	G=$T/$name
	case " $* " in *" -d "*) by_duration=1 ;; esac
	: >"$G.err"
	if [ $by_duration = 1 ]; then
		"$BB" dropwatch --netns "$NS" "$@" >"$G.out" 2>"$G.err" &
	else
		"$BB" dropwatch --netns "$NS" -d 30 "$@" >"$G.out" 2>"$G.err" &
	fi
	BGPID=$!
	BGPIDS+=("$BGPID")
	wait_for "$G.err" '^dropwatch: watching ' 10 "$BGPID" && started=1
	if [ $started = 1 ] && [ "$gen" != - ]; then
		"$gen" 2>"$G.generr" || ok=0
		# Drops are done when dropgen returns (loopback delivers in
		# its syscalls); a moment more in case softirqs were deferred.
		sleep 0.1
	fi
	if [ $started = 1 ] && [ $by_duration = 0 ]; then
		kill -INT "$BGPID"
	elif [ $started = 0 ]; then
		kill "$BGPID" 2>/dev/null
	fi
	wait "$BGPID"
	rc=$?
	forget_bg "$BGPID"
	SHOW=("$G.out" "$G.err" "$G.generr")
	check "$name: dropwatch started, workload ran, exit status 0" \
		eval "[ $started = 1 ] && [ $ok = 1 ] && eq 'exit status' 0 $rc"
}

# ---- workloads (functions for run) ----------------------------------------

N_UDP=5		# datagrams to 127.0.0.1:9
M_TCP=3		# connects to 127.0.0.1:9
K_NF=4		# datagrams to 127.0.0.1:7777, dropped by iptables
N_UDP6=3	# datagrams to [::1]:9
M_TCP6=2	# connects to [::1]:9

gen_mix() {
	nsx "$GEN" udp $N_UDP >"$G.udp" && nsx "$GEN" tcp $M_TCP >"$G.tcp"
}

gen_nf() {
	nsx "$GEN" udp $K_NF 7777 >"$G.nf"
}

gen_all() {
	gen_mix && gen_nf
}

gen_v6() {
	nsx "$GEN" udp6 $N_UDP6 >"$G.udp6" && nsx "$GEN" tcp6 $M_TCP6 >"$G.tcp6"
}

# Our drops plus the same again in $NS2, which --netns $NS must not count.
gen_two_ns() {
	gen_mix && ip netns exec "$NS2" "$GEN" udp 7 >/dev/null &&
		ip netns exec "$NS2" "$GEN" tcp 2 >/dev/null
}

# ---- reading dropwatch's text ---------------------------------------------

# total FILE: the N of the last "total: N drops" line.
total() {
	sed -n 's/^[0-9:.]* total: \([0-9]*\) drops$/\1/p' "$1" | tail -n 1
}

# rows FILE: table rows, as "COUNT SYMBOL REASON" (offsets cut).
rows() {
	awk '$1 ~ /^[0-9]+$/ && NF == 3 && $2 ~ /\+0x[0-9a-f]+$/ {
		sub(/\+0x[0-9a-f]+$/, "", $2); print $1, $2, $3 }' "$1" | sort
}

# expect_rows FILE "COUNT SYMBOL REASON"...: exactly these rows.
expect_rows() {
	local file=$1 want got
	shift
	want=$(printf '%s\n' "$@" | sort)
	got=$(rows "$file")
	[ "$want" = "$got" ] && return 0
	echo "     rows: expected:"; printf '%s\n' "$want" | sed 's/^/       /'
	echo "     got:"; printf '%s\n' "$got" | sed 's/^/       /'
	return 1
}

# events FILE: one line per event, "PROTO SRC DST REASON SYMBOL".
events() {
	awk '$1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9.]+$/ && $2 ~ /^cpu[0-9]+$/ && $8 == ">" {
		sub(/\+0x[0-9a-f]+$/, "", $13); print $6, $7, $9, $12, $13 }' "$1"
}

# event lines in FILE: all of them, and those from dropgen's sockets.
n_events() {
	events "$1" | wc -l
}

# expect_events FILE SRCFILE COUNT_EACH PROTO DST REASON SYMBOL: every
# source dropgen printed sent COUNT_EACH such events.
expect_events() {
	local file=$1 srcs=$2 each=$3 proto=$4 dst=$5 reason=$6 sym=$7 src n
	[ -s "$srcs" ] || { echo "     no sources in $srcs"; return 1; }
	while read -r src; do
		n=$(events "$file" | grep -cxF "$proto $src $dst $reason $sym")
		eq "events '$proto $src > $dst $reason $sym'" "$each" "$n" || return 1
	done <"$srcs"
}

# ---- setup -----------------------------------------------------------------

echo "e2e: $BB, namespaces $NS $NS2, work in $T"
for n in "$NS" "$NS2"; do
	if ! ip netns add "$n" || ! ip -n "$n" link set lo up; then
		echo "e2e: cannot create network namespace $n"
		fail=1
		e2e_end
		exit
	fi
done
HAVE_IPT=0
if nsx iptables -A INPUT -p udp --dport 7777 -j DROP 2>"$T/iptables.err"; then
	HAVE_IPT=1
else
	echo "e2e: iptables failed: $(head -n 1 "$T/iptables.err")"
fi
HAVE_V6=0
for ((i = 0; i < 100; i++)); do
	nsx ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128' && { HAVE_V6=1; break; }
	sleep 0.02
done

UDP="__udp4_lib_rcv NO_SOCKET"
TCP="tcp_v4_rcv NO_SOCKET"

# ---- static binary ---------------------------------------------------------

SHOW=()
readelf -lW "$BB" >"$T/readelf" 2>&1
SHOW=("$T/readelf")
check "static: readelf -l reads the binary" grep -q 'Program Headers' "$T/readelf"
check "static: no INTERP segment" eval "! grep -qw INTERP '$T/readelf'"
check "static: no DYNAMIC segment" eval "! grep -qw DYNAMIC '$T/readelf'"
SIZE=$(stat -c %s "$BB")
check "static: size $SIZE bytes is under 1 MB" test "$SIZE" -lt $((1 << 20))

# ---- aggregate mode -------------------------------------------------------

# The duration ends this one, as a user would run it.
run agg gen_mix -i 0 -d 1.5
check "agg: rows '$N_UDP $UDP' and '$M_TCP $TCP'" \
	expect_rows "$G.out" "$N_UDP $UDP" "$M_TCP $TCP"
check "agg: total is $((N_UDP + M_TCP))" eq total $((N_UDP + M_TCP)) "$(total "$G.out")"
check "agg: one table only (-i 0)" eq tables 1 "$(grep -c ' total: ' "$G.out")"
check "agg: nothing lost" eval "! grep -q 'lost in the kernel' '$G.err'"

for how in tp_btf raw_tp tracepoint; do
	run "attach-$how" gen_mix -i 0 --attach $how
	check "attach-$how: attached with $how" \
		grep -q "^dropwatch: watching skb:kfree_skb ($how)" "$G.err"
	check "attach-$how: rows '$N_UDP $UDP' and '$M_TCP $TCP'" \
		expect_rows "$G.out" "$N_UDP $UDP" "$M_TCP $TCP"
	check "attach-$how: total is $((N_UDP + M_TCP))" \
		eq total $((N_UDP + M_TCP)) "$(total "$G.out")"
done

# Intervals: each batch of drops is followed by a few ticks, so the
# interval tables hold every drop once; the final table holds them all.
gen_batches() {
	nsx "$GEN" udp 2 >/dev/null && sleep 0.5 && nsx "$GEN" udp 3 >/dev/null && sleep 0.5
}
run interval gen_batches -i 0.2
check "interval: the interval tables add up to 5" \
	eq "interval drops" 5 "$(sed -n 's/^[0-9:.]* interval: \([0-9]*\) drops$/\1/p' "$G.out" |
				 awk '{ n += $1 } END { print n + 0 }')"
check "interval: the total is 5" eq total 5 "$(total "$G.out")"
run cumulative gen_batches -i 0.2 -C
check "cumulative: the last interval table counts 5" \
	eq "last interval" 5 "$(sed -n 's/^[0-9:.]* interval: \([0-9]*\) drops$/\1/p' "$G.out" | tail -n 1)"

# --netns: a second namespace's drops are not ours.
run netns gen_two_ns -i 0
check "netns: only $NS's drops: rows '$N_UDP $UDP' and '$M_TCP $TCP'" \
	expect_rows "$G.out" "$N_UDP $UDP" "$M_TCP $TCP"
check "netns: total is $((N_UDP + M_TCP))" eq total $((N_UDP + M_TCP)) "$(total "$G.out")"

# ---- netfilter ---------------------------------------------------------------

if [ $HAVE_IPT = 1 ]; then
	# iptables-nft drops in nft_do_chain, legacy iptables in nf_hook_slow.
	run nf gen_nf -i 0
	NFSYM=$(rows "$G.out" | awk '{ print $2 }')
	check "nf: one row, '$K_NF <netfilter function> NETFILTER_DROP'" \
		eval "[[ '$NFSYM' =~ ^(nf_hook_slow|nft_do_chain)$ ]] &&
		      expect_rows '$G.out' '$K_NF $NFSYM NETFILTER_DROP'"
	check "nf: total is $K_NF" eq total $K_NF "$(total "$G.out")"

	run nf-stack gen_nf -e -s
	check "nf-stack: $K_NF events, each NETFILTER_DROP to 127.0.0.1:7777" \
		expect_events "$G.out" "$G.nf" $K_NF udp 127.0.0.1:7777 NETFILTER_DROP "$NFSYM"
	check "nf-stack: the stacks pass through nf_hook_slow" \
		eq "stacks with nf_hook_slow" $K_NF "$(grep -c '^        nf_hook_slow+0x' "$G.out")"
else
	skip "netfilter tests: iptables does not work here"
fi

# ---- events -----------------------------------------------------------------

for mode in "" --busy-poll; do
	name=events${mode:+-busy-poll}
	run "$name" gen_mix -e $mode
	check "$name: $((N_UDP + M_TCP)) event lines" \
		eq "event lines" $((N_UDP + M_TCP)) "$(n_events "$G.out")"
	check "$name: $N_UDP 'udp 127.0.0.1:PORT > 127.0.0.1:9 NO_SOCKET __udp4_lib_rcv'" \
		expect_events "$G.out" "$G.udp" $N_UDP udp 127.0.0.1:9 NO_SOCKET __udp4_lib_rcv
	check "$name: one 'tcp 127.0.0.1:PORT > 127.0.0.1:9 NO_SOCKET tcp_v4_rcv' per connect" \
		expect_events "$G.out" "$G.tcp" 1 tcp 127.0.0.1:9 NO_SOCKET tcp_v4_rcv
	check "$name: the events name dropgen and lo" \
		eq "lines with 'dropgen lo'" $((N_UDP + M_TCP)) \
		"$(awk '$4 == "dropgen" && $5 == "lo"' "$G.out" | wc -l)"
done

# A ring buffer too small to keep up: what is not shown is counted lost.
N_FLOOD=2000
gen_flood() {
	nsx "$GEN" udp $N_FLOOD >/dev/null
}
run lost gen_flood -e --buffer-size 4K
LOST=$(sed -n 's/^dropwatch: lost in the kernel: \([0-9]*\) events .*/\1/p' "$G.err")
SHOWN=$(n_events "$G.out")
check "lost: events shown ($SHOWN) + events lost (${LOST:-0}) = $N_FLOOD sent" \
	eq "shown + lost" $N_FLOOD $((SHOWN + ${LOST:-0}))
run lost-json gen_flood -e --json --buffer-size 4K
check "lost-json: events + lost_events = $N_FLOOD sent" \
	eq "shown + lost" $N_FLOOD \
	$(( $(jcount "$G.out" reason=NO_SOCKET) + $(jcount "$G.out" --sum lost_events type=lost) ))

# ---- JSON -------------------------------------------------------------------

run json-events gen_mix -e --json
UDPSRC=$(cat "$G.udp")
check "json-events: $((N_UDP + M_TCP)) events" \
	eq events $((N_UDP + M_TCP)) "$(jcount "$G.out" reason=NO_SOCKET dst=127.0.0.1:9)"
check "json-events: $N_UDP udp from $UDPSRC at __udp4_lib_rcv" \
	eq events $N_UDP "$(jcount "$G.out" proto=udp src="$UDPSRC" dst=127.0.0.1:9 \
		location^__udp4_lib_rcv+0x reason=NO_SOCKET comm=dropgen dev=lo)"
check "json-events: $M_TCP tcp at tcp_v4_rcv" \
	eq events $M_TCP "$(jcount "$G.out" proto=tcp dst=127.0.0.1:9 \
		location^tcp_v4_rcv+0x reason=NO_SOCKET comm=dropgen dev=lo)"
check "json-events: every line is a drop or the lost report" \
	eq lines "$(lines "$G.out")" \
	$(( $(jcount "$G.out" reason=NO_SOCKET) + $(jcount "$G.out" type=lost) ))
check "json-events: netns is $NS's inode" \
	eq events $((N_UDP + M_TCP)) \
	"$(jcount "$G.out" netns="$(stat -L -c %i "/run/netns/$NS")")"

run json-agg gen_mix -i 0 --json
check "json-agg: $N_UDP counted at __udp4_lib_rcv" \
	eq count $N_UDP "$(jcount "$G.out" --sum count type=total location^__udp4_lib_rcv+0x reason=NO_SOCKET)"
check "json-agg: $M_TCP counted at tcp_v4_rcv" \
	eq count $M_TCP "$(jcount "$G.out" --sum count type=total location^tcp_v4_rcv+0x reason=NO_SOCKET)"
check "json-agg: two rows, $((N_UDP + M_TCP)) drops in all" \
	eq "rows/drops" "2/$((N_UDP + M_TCP))" \
	"$(jcount "$G.out" type=total)/$(jcount "$G.out" --sum count type=total)"
check "json-agg: no interval rows (-i 0)" eq rows 0 "$(jcount "$G.out" type=interval)"

# ---- record files -----------------------------------------------------------

run write-agg gen_mix -i 0 -w "$T/agg.bbr"
check "write-agg: nothing on stdout while recording" eq "stdout bytes" 0 "$(wc -c <"$G.out")"
"$BB" report "$T/agg.bbr" >"$T/report-agg.out" 2>"$T/report-agg.err"
rc=$?
SHOW=("$T/report-agg.out" "$T/report-agg.err")
check "report agg: exit 0" eq "exit status" 0 $rc
check "report agg: rows '$N_UDP $UDP' and '$M_TCP $TCP'" \
	expect_rows "$T/report-agg.out" "$N_UDP $UDP" "$M_TCP $TCP"
check "report agg: total is $((N_UDP + M_TCP))" \
	eq total $((N_UDP + M_TCP)) "$(total "$T/report-agg.out")"
"$BB" dropwatch -r "$T/agg.bbr" --json >"$T/read-agg.json" 2>"$T/read-agg.err"
rc=$?
SHOW=("$T/read-agg.json" "$T/read-agg.err")
check "dropwatch -r --json agg: exit 0" eq "exit status" 0 $rc
check "dropwatch -r --json agg: $N_UDP at __udp4_lib_rcv, $M_TCP at tcp_v4_rcv, 2 rows" \
	eq "udp/tcp/rows" "$N_UDP/$M_TCP/2" \
	"$(jcount "$T/read-agg.json" --sum count type=total location^__udp4_lib_rcv+0x reason=NO_SOCKET)/$(
	   jcount "$T/read-agg.json" --sum count type=total location^tcp_v4_rcv+0x reason=NO_SOCKET)/$(
	   jcount "$T/read-agg.json" type=total)"

run write-events gen_mix -e -w "$T/events.bbr"
check "write-events: nothing on stdout while recording" eq "stdout bytes" 0 "$(wc -c <"$G.out")"
"$BB" report "$T/events.bbr" >"$T/report-ev.out" 2>"$T/report-ev.err"
rc=$?
SHOW=("$T/report-ev.out" "$T/report-ev.err")
check "report events: exit 0" eq "exit status" 0 $rc
check "report events: $((N_UDP + M_TCP)) event lines" \
	eq "event lines" $((N_UDP + M_TCP)) "$(n_events "$T/report-ev.out")"
check "report events: $N_UDP udp from dropgen's socket at __udp4_lib_rcv" \
	expect_events "$T/report-ev.out" "$G.udp" $N_UDP udp 127.0.0.1:9 NO_SOCKET __udp4_lib_rcv
check "report events: one tcp per connect at tcp_v4_rcv" \
	expect_events "$T/report-ev.out" "$G.tcp" 1 tcp 127.0.0.1:9 NO_SOCKET tcp_v4_rcv
"$BB" dropwatch -r "$T/events.bbr" --json >"$T/read-ev.json" 2>"$T/read-ev.err"
rc=$?
SHOW=("$T/read-ev.json" "$T/read-ev.err")
check "dropwatch -r --json events: exit 0" eq "exit status" 0 $rc
check "dropwatch -r --json events: $N_UDP udp from $(cat "$G.udp"), $M_TCP tcp" \
	eq "udp/tcp" "$N_UDP/$M_TCP" \
	"$(jcount "$T/read-ev.json" proto=udp src="$(cat "$G.udp")" dst=127.0.0.1:9 location^__udp4_lib_rcv+0x reason=NO_SOCKET)/$(
	   jcount "$T/read-ev.json" proto=tcp dst=127.0.0.1:9 location^tcp_v4_rcv+0x reason=NO_SOCKET)"

for f in agg events; do
	size=$(stat -c %s "$T/$f.bbr")
	head -c $((size / 2)) "$T/$f.bbr" >"$T/$f-cut.bbr"
	"$BB" report "$T/$f-cut.bbr" >"$T/report-$f-cut.out" 2>"$T/report-$f-cut.err"
	rc=$?
	SHOW=("$T/report-$f-cut.out" "$T/report-$f-cut.err")
	check "report of a $f file cut at $((size / 2)) of $size bytes: exit 2, says truncated" \
		eval "eq 'exit status' 2 $rc && grep -q truncated '$T/report-$f-cut.err'"
done

# ---- pcap --------------------------------------------------------------------

run pcap gen_mix --pcap "$T/drops.pcap"
if command -v tcpdump >/dev/null; then
	tcpdump -nn -r "$T/drops.pcap" >"$T/tcpdump.out" 2>"$T/tcpdump.err"
	rc=$?
	SHOW=("$T/tcpdump.out" "$T/tcpdump.err")
	check "pcap: tcpdump reads it" eq "exit status" 0 $rc
	check "pcap: $((N_UDP + M_TCP)) packets" \
		eq packets $((N_UDP + M_TCP)) "$(lines "$T/tcpdump.out")"
	check "pcap: $N_UDP UDP datagrams from $(cat "$G.udp") to 127.0.0.1.9" \
		eq packets $N_UDP "$(grep -c "IP $(sed 's/:\([0-9]*\)$/.\1/' "$G.udp") > 127.0.0.1.9: UDP, length 8$" "$T/tcpdump.out")"
	check "pcap: $M_TCP TCP SYNs to 127.0.0.1.9" \
		eq packets $M_TCP "$(grep -c ' > 127\.0\.0\.1\.9: Flags \[S\]' "$T/tcpdump.out")"
else
	skip "pcap: no tcpdump to read the file"
fi

# ---- filters -------------------------------------------------------------------

run proto gen_all -i 0 --proto tcp
check "proto tcp: only '$M_TCP $TCP'" expect_rows "$G.out" "$M_TCP $TCP"
check "proto tcp: total is $M_TCP" eq total $M_TCP "$(total "$G.out")"

if [ $HAVE_IPT = 1 ]; then
	run port gen_all -i 0 --port 7777
	check "port 7777: only '$K_NF $NFSYM NETFILTER_DROP'" \
		expect_rows "$G.out" "$K_NF $NFSYM NETFILTER_DROP"
	check "port 7777: total is $K_NF" eq total $K_NF "$(total "$G.out")"

	run reason gen_all -i 0 --reason NETFILTER_DROP
	check "reason NETFILTER_DROP: only '$K_NF $NFSYM NETFILTER_DROP'" \
		expect_rows "$G.out" "$K_NF $NFSYM NETFILTER_DROP"
	check "reason NETFILTER_DROP: total is $K_NF" eq total $K_NF "$(total "$G.out")"
else
	# Without the firewall, port 7777 is just another closed port.
	run port gen_all -i 0 --port 7777
	check "port 7777: only '$K_NF $UDP'" expect_rows "$G.out" "$K_NF $UDP"
fi

# Task filters: only the drops made by dropgen in our cgroup (v2) count;
# the same datagrams sent from outside it must not.
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$CGROOT" ] && mkdir "$CGROOT/bbe2e-$$" 2>/dev/null; then
	CG=$CGROOT/bbe2e-$$
	# Join the cgroup before `ip netns exec`: it remounts /sys.
	gen_cgroup() {
		nsx "$GEN" udp 3 >/dev/null &&
			sh -c "echo \$\$ > $CG/cgroup.procs && exec ip netns exec $NS $GEN udp $N_UDP" >/dev/null
	}
	run cgroup gen_cgroup -i 0 --cgroup "$CG"
	check "cgroup: only the $N_UDP drops made inside it" expect_rows "$G.out" "$N_UDP $UDP"
	rmdir "$CG"
	CG=
else
	skip "cgroup: no cgroup v2 hierarchy to make a test cgroup in"
fi
# Two more datagrams sent by bash (comm "bash") must not count.
gen_comm() {
	nsx "$GEN" udp $N_UDP >/dev/null &&
		nsx bash -c 'echo x >/dev/udp/127.0.0.1/9; echo y >/dev/udp/127.0.0.1/9'
}
run comm gen_comm -i 0 --comm dropgen
check "comm dropgen: only '$N_UDP $UDP'" expect_rows "$G.out" "$N_UDP $UDP"
run comm-all gen_comm -i 0
check "without --comm: '$((N_UDP + 2)) $UDP'" expect_rows "$G.out" "$((N_UDP + 2)) $UDP"

run reason-tcp gen_all -i 0 --reason no_socket --proto tcp
check "reason no_socket (any case) + proto tcp: only '$M_TCP $TCP'" \
	expect_rows "$G.out" "$M_TCP $TCP"

# ---- stacks --------------------------------------------------------------------

run stack gen_mix -e -s
check "stack: $((N_UDP + M_TCP)) event lines" \
	eq "event lines" $((N_UDP + M_TCP)) "$(n_events "$G.out")"
# Frames under each UDP event: __udp4_lib_rcv, then ip_protocol_deliver_rcu.
awk '$6 == "udp" && $8 == ">" { getline a; getline b; sub(/\+.*/, "", a); sub(/\+.*/, "", b);
	gsub(/ /, "", a); gsub(/ /, "", b); print a, b }' "$G.out" >"$T/stack-udp"
check "stack: every UDP drop's stack is __udp4_lib_rcv, ip_protocol_deliver_rcu, ..." \
	eq "stacks" "$(yes '__udp4_lib_rcv ip_protocol_deliver_rcu' | head -n $N_UDP)" \
	"$(cat "$T/stack-udp")"
awk '$6 == "tcp" && $8 == ">" { getline a; sub(/\+.*/, "", a); gsub(/ /, "", a); print a }' \
	"$G.out" >"$T/stack-tcp"
check "stack: every TCP drop's stack starts at tcp_v4_rcv" \
	eq "stacks" "$(yes tcp_v4_rcv | head -n $M_TCP)" "$(cat "$T/stack-tcp")"

run stack-agg gen_mix -i 0 -s
check "stack-agg: rows '$N_UDP $UDP' and '$M_TCP $TCP'" \
	expect_rows "$G.out" "$N_UDP $UDP" "$M_TCP $TCP"
check "stack-agg: the first frame under each row is its location" \
	eq "rows followed by their own location" 2 \
	"$(awk 'prev != "" { f = $1; sub(/\+.*/, "", f); if (f == prev) n++ }
		{ prev = "" } $1 ~ /^[0-9]+$/ && NF == 3 { prev = $2; sub(/\+.*/, "", prev) }
		END { print n + 0 }' "$G.out")"

# ---- IPv6 ------------------------------------------------------------------------

if [ $HAVE_V6 = 1 ]; then
	run ipv6 gen_v6 -i 0
	check "ipv6: rows '$N_UDP6 __udp6_lib_rcv NO_SOCKET' and '$M_TCP6 tcp_v6_rcv NO_SOCKET'" \
		expect_rows "$G.out" "$N_UDP6 __udp6_lib_rcv NO_SOCKET" "$M_TCP6 tcp_v6_rcv NO_SOCKET"
	run ipv6-events gen_v6 -e
	check "ipv6-events: $N_UDP6 'udp [::1]:PORT > [::1]:9 NO_SOCKET __udp6_lib_rcv'" \
		expect_events "$G.out" "$G.udp6" $N_UDP6 udp "[::1]:9" NO_SOCKET __udp6_lib_rcv
	check "ipv6-events: one 'tcp [::1]:PORT > [::1]:9 NO_SOCKET tcp_v6_rcv' per connect" \
		expect_events "$G.out" "$G.tcp6" 1 tcp "[::1]:9" NO_SOCKET tcp_v6_rcv
	check "ipv6-events: $((N_UDP6 + M_TCP6)) event lines" \
		eq "event lines" $((N_UDP6 + M_TCP6)) "$(n_events "$G.out")"
else
	skip "ipv6: no ::1 in $NS"
fi

# ---- in an empty chroot ------------------------------------------------------------

ROOTDIR=$(mktemp -d /tmp/bpfbox-root.XXXXXX)
mkdir -p "$ROOTDIR/bin" "$ROOTDIR/proc" "$ROOTDIR/sys"
cp "$BB" "$ROOTDIR/bin/bpfbox"
ln -s bpfbox "$ROOTDIR/bin/dropwatch"
# chroot_run NAME ARGS...: /bin/dropwatch in the chroot, drops from gen_mix.
chroot_run() {
	local name=$1 rc BGPID
	shift
	G=$T/$name
	: >"$G.err"
	chroot "$ROOTDIR" /bin/dropwatch --netns "$INO" -i 0 -d 1.5 "$@" >"$G.out" 2>"$G.err" &
	BGPID=$!
	BGPIDS+=("$BGPID")
	wait_for "$G.err" '^dropwatch: watching ' 10 "$BGPID"
	gen_mix 2>"$G.generr"
	wait "$BGPID"
	rc=$?
	forget_bg "$BGPID"
	SHOW=("$G.out" "$G.err" "$G.generr")
	check "$name: /bin/dropwatch (a link to bpfbox) ran, exit 0" eq "exit status" 0 $rc
	check "$name: rows '$N_UDP $UDP' and '$M_TCP $TCP'" \
		expect_rows "$G.out" "$N_UDP $UDP" "$M_TCP $TCP"
	check "$name: total is $((N_UDP + M_TCP))" eq total $((N_UDP + M_TCP)) "$(total "$G.out")"
}

if mount -t proc proc "$ROOTDIR/proc" && mount -t sysfs sysfs "$ROOTDIR/sys"; then
	INO=$(stat -L -c %i "/run/netns/$NS")
	chroot_run chroot
	# The classic tracepoint needs tracefs, which nothing mounted here
	# (as in an initramfs): bpfbox mounts it itself.
	chroot_run chroot-tracepoint --attach tracepoint
	check "chroot: bpfbox mounted tracefs on /sys/kernel/tracing" \
		grep -q " $ROOTDIR/sys/kernel/tracing tracefs " /proc/mounts
else
	SHOW=()
	check "chroot: mount proc and sysfs" false
fi
umount "$ROOTDIR/sys/kernel/tracing" 2>/dev/null
umount "$ROOTDIR/proc" "$ROOTDIR/sys" 2>/dev/null
check "chroot: unmounted" eval "! grep -q ' $ROOTDIR/' /proc/mounts"
rm -rf "$ROOTDIR"
ROOTDIR=

# ---- errors --------------------------------------------------------------------------


if command -v setpriv >/dev/null; then
	fails_with nonroot 'root|CAP_BPF' setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$BB" dropwatch -d 1
elif command -v runuser >/dev/null; then
	fails_with nonroot 'root|CAP_BPF' runuser -u nobody -- "$BB" dropwatch -d 1
else
	skip "nonroot: neither setpriv nor runuser"
fi
fails_with unknown-flag 'unknown option' "$BB" dropwatch --no-such-flag
fails_with bad-netns 'nosuchns' "$BB" dropwatch --netns nosuchns -d 1
PID=$(unused_pid)
fails_with bad-pid "$PID" "$BB" dropwatch -p $PID -d 1
fails_with bad-reason 'BOGUS' "$BB" dropwatch --reason BOGUS -d 1
fails_with bad-attach 'attach' "$BB" dropwatch --attach kprobe -d 1
fails_with extra-arg 'unexpected argument' "$BB" dropwatch -d 1 extra
fails_with not-a-netns 'not a network namespace' "$BB" dropwatch --netns /etc/passwd -d 1
fails_with empty-reason 'reason' "$BB" dropwatch --reason , -d 1
# Output files are opened before anything is loaded: one line, nothing else.
fails_with bad-w-path 'no/such/dir/file' "$BB" dropwatch -w "$T/no/such/dir/file" -d 0.1
fails_with bad-pcap-path 'no/such/dir/file' "$BB" dropwatch --pcap "$T/no/such/dir/file" -d 0.1
fails_with report-garbage 'not a bpfbox record file' "$BB" report /etc/passwd --json

# ---- done ---------------------------------------------------------------------------

e2e_end
