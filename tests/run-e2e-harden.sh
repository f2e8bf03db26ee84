#!/usr/bin/env bash
# End-to-end tests of what a careless user or an attacker can do to the
# real binary on the running kernel (root): output files (links, existing
# files, one file for two outputs, modes), a recording killed with -9
# under a flood, deadlock's --dot (opened before tracing, write errors,
# names that would inject Graphviz), the started target reaped on
# SIGINT/SIGTERM, options refused up front.  Drops are made in a network
# namespace of our own.
#
# The last line is "e2e-harden: N passed, N failed".

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
BB=${BPFBOX:-$TOP/bpfbox}
W=$TOP/build/work
GEN=$W/dropgen
NS=bbharden-$$

. "$TOP/tests/e2e/lib.sh"
suite_cleanup() {
	ip netns del "$NS" 2>/dev/null
}
e2e_begin e2e-harden "loads BPF programs, creates a network namespace" "$BB" "$GEN" \
	"$W/dl_abba" "$W/dl_real" "$W/leaky"
ip netns add "$NS" && ip -n "$NS" link set lo up || { echo "cannot make $NS"; exit 1; }
NSINO=$(stat -L -c %i "/run/netns/$NS")

# ---- output files ------------------------------------------------------------

echo precious >"$T/victim"
chmod 644 "$T/victim"
ln -s "$T/victim" "$T/link"
fails_with out-link 'symbolic link' "$BB" dropwatch --netns "$NSINO" -d 0.2 -w "$T/link"
fails_with out-link-force 'symbolic link' "$BB" dropwatch --netns "$NSINO" -d 0.2 -w "$T/link" --force
fails_with out-pcap-link 'symbolic link' "$BB" dropwatch --netns "$NSINO" -d 0.2 --pcap "$T/link"
fails_with out-exists 'exists.*--force' "$BB" dropwatch --netns "$NSINO" -d 0.2 -w "$T/victim"
check "outputs refused: the file behind the link and the existing one are untouched" \
	eq content precious "$(cat "$T/victim")"
fails_with out-same 'same file' "$BB" dropwatch --netns "$NSINO" -d 0.2 -w "$T/both" \
	--pcap "$T/both"
fails_with out-same-dot 'same file' "$BB" deadlock -w "$T/both2" --dot "$T/both2" -- "$W/dl_abba"
fails_with out-dir 'is a directory' "$BB" dropwatch --netns "$NSINO" -d 0.2 -w "$T"

chmod 666 "$T/victim"
(umask 0; "$BB" dropwatch --netns "$NSINO" -d 0.3 -w "$T/victim" --force >"$T/force.out" \
	2>"$T/force.err"; echo $? >"$T/force.rc")
(umask 0; "$BB" dropwatch --netns "$NSINO" -d 0.3 -w "$T/new.bbr" --events \
	--pcap "$T/new.pcap" >/dev/null 2>&1)
SHOW=("$T/force.err")
check "--force: replaces a 0666 file with a 0600 record file" \
	eval "eq rc 0 \$(cat '$T/force.rc') && eq mode 600 \$(stat -c %a '$T/victim') &&
	      '$BB' report '$T/victim' >/dev/null"
check "umask 0: -w and --pcap files are still 0600 (they hold kernel addresses)" \
	eval "eq modes '600 600' \"\$(stat -c %a '$T/new.bbr' '$T/new.pcap' | xargs)\""

# ---- a recording killed with -9 under a flood ----------------------------------

G=$T/killed
"$BB" dropwatch --netns "$NSINO" --events -w "$G.bbr" 2>"$G.err" &
DW=$!
BGPIDS+=("$DW")
wait_for "$G.err" '^dropwatch: watching ' 10 "$DW"
ip netns exec "$NS" sh -c "while :; do '$GEN' udp 20000 >/dev/null; done" &
FLOOD=$!
BGPIDS+=("$FLOOD")
sleep 3
kill -9 "$DW"
wait "$DW" 2>/dev/null
forget_bg "$DW"
kill "$FLOOD"
wait "$FLOOD" 2>/dev/null
forget_bg "$FLOOD"
"$BB" report "$G.bbr" >"$G.out" 2>"$G.rerr"
rc=$?
SHOW=("$G.rerr" "$G.err")
n=$(grep -c NO_SOCKET "$G.out")
check "killed after 3 s of flood: the file holds events ($(stat -c %s "$G.bbr") bytes, $n events)" \
	eval "[ $n -gt 1000 ]"
check "killed recording: report reads it to its last whole record (exit 0, or 2 saying truncated)" \
	eval "[ $rc = 0 ] || { [ $rc = 2 ] && grep -q 'truncated' '$G.rerr'; }"

# A slow one: 500 drops, then kill -9 two seconds later (once the stdio
# buffer held them all, and the file was empty).
G=$T/killed-slow
"$BB" dropwatch --netns "$NSINO" --events -w "$G.bbr" 2>"$G.err" &
DW=$!
BGPIDS+=("$DW")
wait_for "$G.err" '^dropwatch: watching ' 10 "$DW"
ip netns exec "$NS" "$GEN" udp 500 >/dev/null
sleep 2
kill -9 "$DW"
wait "$DW" 2>/dev/null
forget_bg "$DW"
"$BB" report "$G.bbr" >"$G.out" 2>"$G.rerr"
SHOW=("$G.rerr" "$G.err")
check "killed 2 s after 500 drops: report shows exactly 500 udp NO_SOCKET events" \
	eq events 500 "$(grep -c ' udp .* NO_SOCKET ' "$G.out")"

# ---- dropwatch's packet length: the IP packet's, with tcpdump as the oracle --------

G=$T/biglen
"$BB" dropwatch --netns "$NSINO" --pcap "$G.pcap" -d 30 >"$G.out" 2>"$G.err" &
DW=$!
BGPIDS+=("$DW")
wait_for "$G.err" '^dropwatch: watching ' 10 "$DW"
ip netns exec "$NS" bash -c 'printf "%500s" x >/dev/udp/127.0.0.1/9'
wait_for "$G.out" 'len' 5
kill -INT "$DW"
wait "$DW"
forget_bg "$DW"
SHOW=("$G.out" "$G.err")
check "a 528-byte IP packet (500 bytes of UDP payload) dropped: the event says len 528" \
	grep -q ' udp .* > 127\.0\.0\.1:9 len 528 NO_SOCKET ' "$G.out"
if command -v tcpdump >/dev/null; then
	tcpdump -nn -v -r "$G.pcap" >"$G.tcpdump" 2>&1
	SHOW=("$G.tcpdump")
	check "tcpdump: the pcap's packet is 528 bytes long, none missing (snaplen 128)" \
		eval "grep -q 'proto UDP (17), length 528' '$G.tcpdump' &&
		      grep -q 'UDP, length 500' '$G.tcpdump' && ! grep -q 'missing' '$G.tcpdump'"
fi

# ---- deadlock --dot ----------------------------------------------------------------

fails_with dot-bad-path 'cannot create' "$BB" deadlock --dot "$T/no/such/dir/x.dot" -- "$W/dl_abba"
check "dot-bad-path: refused before the target ran (no 'tracing' line)" \
	eval "! grep -q tracing '$T/dot-bad-path.err'"

timeout -k 5 30 "$BB" deadlock --dot /dev/full -- "$W/dl_abba" >"$T/dotfull.out" 2>"$T/dotfull.err"
rc=$?
SHOW=("$T/dotfull.out" "$T/dotfull.err")
check "--dot /dev/full: the cycle and the summary printed, then the write error, exit 2" \
	eval "eq rc 2 $rc && grep -q 'potential deadlock' '$T/dotfull.out' &&
	      grep -q '1 potential' '$T/dotfull.err' && grep -q 'writing /dev/full' '$T/dotfull.err'"

# A program named like a Graphviz statement: its threads' comm is its name.
EVIL="$T/q\"];evil[x=\""
cp "$W/dl_abba" "$EVIL"
timeout -k 5 30 "$BB" deadlock --dot "$T/evil.dot" -- "$EVIL" >"$T/evil.out" 2>"$T/evil.err"
SHOW=("$T/evil.dot" "$T/evil.err")
check "--dot: a thread named q\"];evil[x=\" stays inside its quoted label" \
	eval "grep -qF 'q\\\"];evil[x=\\\"' '$T/evil.dot' && ! grep -qF 'q\"];evil[' '$T/evil.dot'"
if command -v dot >/dev/null; then
	check "--dot: Graphviz reads the file, 2 nodes" \
		eval "eq nodes 2 \"\$(dot -Tplain '$T/evil.dot' | grep -c '^node')\""
fi

# ---- options refused up front (silently accepted, or misleading, before) ----------

fails_with opt-minmax 'above -Z' "$BB" memleak -z 100 -Z 10 -- /bin/true
fails_with opt-netns0 'no namespace' "$BB" dropwatch --netns 0 -d 0.1
fails_with opt-cgroup-empty 'empty path' "$BB" dropwatch --cgroup '' -d 0.1
fails_with opt-bufsize-4g '4K to 1G' "$BB" dropwatch --buffer-size 4G -d 0.1
fails_with opt-max-allocs 'from 1 to' "$BB" memleak --max-allocs 60000000 -- /bin/true
fails_with opt-btf-zero 'not a BTF file' "$BB" dropwatch --btf /dev/zero -d 0.1
fails_with opt-snaplen 'for --pcap' "$BB" dropwatch --snaplen 64 -d 0.1
fails_with opt-cumulative-events 'counted tables' "$BB" dropwatch -e -C -d 0.1
fails_with opt-events-allocs 'for the reports' "$BB" memleak --events -a -- /bin/true

# Misleading before: "has no malloc" for a script without #!, "process gone" for a thread.
printf 'echo hi\n' >"$T/noshebang"
chmod +x "$T/noshebang"
fails_with target-noshebang 'neither an ELF executable nor a #! script' \
	"$BB" memleak -- "$T/noshebang"
"$W/dl_real" >/dev/null 2>&1 &
DLR=$!
BGPIDS+=("$DLR")
for _ in 1 2 3 4 5 6 7 8 9 10; do
	TID=$(ls "/proc/$DLR/task" 2>/dev/null | grep -vx "$DLR" | head -1)
	[ -n "$TID" ] && break
	sleep 0.1
done
fails_with target-thread "is a thread of process $DLR: give -p $DLR" \
	"$BB" memleak -p "${TID:-0}" -d 0.2
kill -9 "$DLR"
wait "$DLR" 2>/dev/null
forget_bg "$DLR"

# ---- the started target is reaped on SIGINT and SIGTERM ------------------------------

for sig in INT TERM; do
	G=$T/reap-$sig
	"$BB" memleak -- /bin/sleep 60 >"$G.out" 2>"$G.err" &
	ML=$!
	BGPIDS+=("$ML")
	wait_for "$G.err" 'tracing' 10 "$ML"
	child=$(sed -n 's/.*, pid \([0-9]*\) .*/\1/p' "$G.err")
	kill -"$sig" "$ML"
	wait "$ML"
	rc=$?
	forget_bg "$ML"
	sleep 0.2
	SHOW=("$G.err")
	check "SIG$sig: memleak exits 0 and its child ${child:-?} is gone, not a zombie" \
		eval "eq rc 0 $rc && [ -n '$child' ] && ! [ -e /proc/$child ]"
done

e2e_end
