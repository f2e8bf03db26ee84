#!/usr/bin/env bash
# End-to-end tests of `bpfbox deadlock` on the running kernel, against the
# build/work/dl_* workloads (tests/work/dl_*.c), each with a known lock
# order: dl_abba (m1<->m2), dl_three (ma->mb->mc->ma), dl_ordered (28
# edges, no cycle), dl_trylock (a failed trylock: no edge, no cycle),
# dl_rwlock (rw1<->rw2) and dl_real (two threads really deadlocked on d1
# and d2); lock semantics: dl_recursive (recursive re-entry, error-checking
# relock; -x an ABBA through a recursive mutex), dl_reuse (a heap mutex
# destroyed or freed, another made at its address), dl_gate (a cycle under
# a gate lock; -n without it), dl_rwread (read after read), dl_spin (a
# library's own spinlock, --lock-symbols), dl_hung (waiting, in no
# deadlock: for deadlock -p's look without probes), and threaded SQLite
# (tests/e2e/dl_sqlite.c, Debian's libsqlite3: helgrind reports no lock
# order violation there, and neither must deadlock).  Root only.
#
# The Makefile builds the musl-static variant of dl_abba and a static
# program with no libc (tests/e2e/memleak-nomalloc.c), for "no
# pthread_mutex_lock".
#
# The last line is "e2e-deadlock: N passed, N failed"; the exit status is
# 1 if anything failed.  Failed checks show the files they looked at, and
# the work directory is kept then.

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
BB=${BPFBOX:-$TOP/bpfbox}	# BPFBOX=path tests another build
W=$TOP/build/work
MUSL=$W/dl_abba-musl
E2E=$TOP/tests/e2e
WORKLOADS="dl_abba dl_three dl_ordered dl_trylock dl_rwlock dl_real dl_recursive dl_reuse dl_gate
	dl_rwread dl_spin dl_hung dl_heap"

. "$TOP/tests/e2e/lib.sh"
ROOT=$TOP . "$TOP/scripts/apt-lib.sh"
NOLIBC=$W/nolibc
e2e_begin e2e-deadlock "loads BPF programs, attaches uprobes" "$BB" $(printf "$W/%s " $WORKLOADS) \
	"$MUSL" "$NOLIBC"

# ---- running deadlock ------------------------------------------------------

# dl NAME ARGS...: `bpfbox deadlock ARGS` in the foreground, stdin from
# /dev/null, output in $T/NAME.out and .err, exit status in RC.  A 20 s
# timeout (SIGINT, then SIGKILL) guards against a hang: RC 124 then.
dl() {
	local name=$1
	shift
	G=$T/$name
	timeout -s INT -k 5 20 "$BB" deadlock "$@" >"$G.out" 2>"$G.err" </dev/null
	RC=$?
	SHOW=("$G.out" "$G.err")
}

# summary N-POTENTIAL N-LIVE N-EDGES: the summary line on stderr, exact.
summary() {
	local s1=s s2=s
	[ $(($1 + $2)) = 1 ] && s1=
	[ "$3" = 1 ] && s2=
	local want="deadlock: $1 potential, $2 live deadlock$s1; $3 lock-order edge$s2"
	grep -qxF "$want" "$G.err" && return 0
	echo "     no line '$want' on stderr"
	return 1
}

# cycles FILE: the "potential deadlock" header lines, one per cycle, with
# the locks by bare name: "N: L1 L2 ... L1".
cycles() {
	sed -n 's/^potential deadlock: lock-order cycle of \([0-9]*\) locks: \(.*\)$/\1: \2/p' "$1" |
		sed -E 's/ \(0x[0-9a-f]+\)//g; s/ -> / /g'
}

# edges FILE: one line per edge of the reported cycles:
# "FROM TO HELD-FRAMES REQUESTED-FRAMES", locks by bare name, frames as
# F1;F2;... bare function names.
edges() {
	awk '
	function bare(s) { sub(/ \(0x[0-9a-f]+\)/, "", s); return s }
	function flush() { if (from != "") print from, to, (held == "" ? "-" : held), (req == "" ? "-" : req); from = "" }
	/^  thread [0-9]+ \(.*\) took .*, then asked for / {
		flush()
		s = $0; sub(/^.* took /, "", s)
		split(s, p, ", then asked for ")
		from = bare(p[1]); to = bare(p[2]); held = ""; req = ""; where = ""
		next
	}
	/^    .* taken at:$/ { where = "held"; next }
	/^    .* requested at:$/ { where = "req"; next }
	/^      / && from != "" {
		f = $1; sub(/\+0x.*/, "", f)
		if (where == "held") held = held (held == "" ? "" : ";") f
		else if (where == "req") req = req (req == "" ? "" : ";") f
		next
	}
	{ flush() }
	END { flush() }' "$1"
}

# has_edge FILE FROM TO FUNC: an edge FROM -> TO whose two stacks both
# go through FUNC.
has_edge() {
	local got
	got=$(edges "$1")
	printf '%s\n' "$got" | awk -v a="$2" -v b="$3" -v f="$4" '
		function in_stack(s,   n, x, i) { n = split(s, x, ";"); for (i = 1; i <= n; i++) if (x[i] == f) return 1; return 0 }
		$1 == a && $2 == b && in_stack($3) && in_stack($4) { ok = 1 } END { exit !ok }' && return 0
	echo "     no edge $2 -> $3 with $4 in both stacks; edges:"
	printf '%s\n' "$got" | sed 's/^/       /'
	return 1
}

# one_cycle FILE N LOCK...: exactly one cycle reported, of N locks, and
# these are its locks (in any rotation).
one_cycle() {
	local file=$1 n=$2 got l
	shift 2
	got=$(cycles "$file")
	if [ "$(printf '%s' "$got" | grep -c .)" != 1 ]; then
		echo "     expected one cycle, got:"
		printf '%s\n' "$got" | sed 's/^/       /'
		return 1
	fi
	[[ $got == "$n: "* ]] || { echo "     not a cycle of $n locks: $got"; return 1; }
	for l in "$@"; do
		[[ " ${got#*: } " == *" $l "* ]] || { echo "     $l not in the cycle: $got"; return 1; }
	done
	# N distinct locks, the first repeated at the end.
	printf '%s\n' "${got#*: }" | awk -v n="$n" '{ for (i = 1; i < NF; i++) s[$i] = 1 }
		END { for (k in s) c++; exit !(NF == n + 1 && $1 == $NF && c == n) }' ||
		{ echo "     not a closed cycle of $n distinct locks: $got"; return 1; }
}

# tracing_pid: the target pid from "deadlock: tracing ... pid N (...)".
tracing_pid() {
	sed -n 's/^deadlock: tracing pthread locks in .*, pid \([0-9]*\) .*/\1/p' "$G.err" | head -n 1
}

# ---- setup -----------------------------------------------------------------------

echo "e2e-deadlock: $BB, work in $T"

# ---- dl_abba: one 2-lock cycle --------------------------------------------------

dl abba -- "$W/dl_abba"
check "abba: exit status 1, the workload ran to 'done'" \
	eval "eq 'exit status' 1 $RC && grep -qx done '$G.out'"
check "abba: traced libc.so.6 of the workload's pid" \
	grep -qE '^deadlock: tracing pthread locks in libc\.so\.6, pid [0-9]+ ' "$G.err"
check "abba: exactly one cycle, of 2 locks: m1 and m2" one_cycle "$G.out" 2 m1 m2
check "abba: edge m1 -> m2, both stacks through take_ab" has_edge "$G.out" m1 m2 take_ab
check "abba: edge m2 -> m1, both stacks through take_ba" has_edge "$G.out" m2 m1 take_ba
check "abba: two edges, by two threads" \
	eval "eq edges 2 \$(edges '$G.out' | wc -l) &&
	      eq threads 2 \$(grep -E '^  thread [0-9]+ \\(dl_abba\\) took ' '$G.out' | awk '{ print \$2 }' | sort -u | wc -l)"
check "abba: frames name function+offset, module and source line ('take_ba+0x.. (dl_abba) (dl_abba.c:N)')" \
	grep -qE '^      take_ba\+0x[0-9a-f]+ \(dl_abba\) \(dl_abba\.c:[0-9]+\)$' "$G.out"
check "abba: summary '1 potential, 0 live; 2 edges'" summary 1 0 2

# File mode: nothing on stdout while recording; `bpfbox report` prints the
# same cycle, names and stacks afterwards, the process long gone.
dl abba-record -w "$T/abba.bbr" -- "$W/dl_abba"
check "abba -w: exit status 1, only the workload's lines on stdout" \
	eval "eq 'exit status' 1 $RC && eq 'stdout' 'ready done' \"\$(tr '\\n' ' ' < '$G.out' | sed 's/ \$//')\""
"$BB" report "$T/abba.bbr" >"$T/abba-report.out" 2>"$T/abba-report.err"
G=$T/abba-report
SHOW=("$G.out" "$G.err")
check "abba -w, report: the cycle of m1 and m2" one_cycle "$G.out" 2 m1 m2
check "abba -w, report: edge m1 -> m2 through take_ab" has_edge "$G.out" m1 m2 take_ab
check "abba -w, report: edge m2 -> m1 through take_ba" has_edge "$G.out" m2 m1 take_ba

# Every kind of mutex: glibc's pthread_mutex_lock splits robust and PI
# mutexes off to another path at its first test, and deadlock probes both
# ways past that test (-v says where; +0 where the build differs).
for kind in recursive errorcheck robust pi; do
	dl "abba-$kind" -v -- "$W/dl_abba" -k $kind
	check "abba -k $kind: one cycle of m1 and m2, edges through take_ab and take_ba" \
		eval "one_cycle '$G.out' 2 m1 m2 && has_edge '$G.out' m1 m2 take_ab &&
		      has_edge '$G.out' m2 m1 take_ba && summary 1 0 2"
done
check "abba -v: says where pthread_mutex_lock is probed" \
	grep -qE '^deadlock: pthread_mutex_lock probed at \+[0-9]+( and \+[0-9]+, the two ways past its first test|, an instruction the kernel emulates)$' "$G.err"

# Entries and returns attach each their own way: single uprobes for both,
# and, where the kernel has uprobe.multi (6.6+), either mix of the two.
ATTACH="uprobe,uretprobe"
if grep -q '(uprobe.multi)' "$T/abba.err"; then
	ATTACH="$ATTACH uprobe.multi,uretprobe uprobe,uretprobe.multi"
fi
for a in $ATTACH; do
	dl "abba-$a" --attach "$a,tp_btf,raw_tp,tracepoint" -- "$W/dl_abba"
	check "abba --attach $a: one cycle of m1 and m2" \
		eval "one_cycle '$G.out' 2 m1 m2 && summary 1 0 2"
done

# ---- dl_three: one 3-lock cycle ---------------------------------------------------

dl three -- "$W/dl_three"
check "three: exit status 1" eq 'exit status' 1 $RC
check "three: exactly one cycle, of 3 locks: ma, mb, mc" one_cycle "$G.out" 3 ma mb mc
check "three: edge ma -> mb through take_ab" has_edge "$G.out" ma mb take_ab
check "three: edge mb -> mc through take_bc" has_edge "$G.out" mb mc take_bc
check "three: edge mc -> ma through take_ca" has_edge "$G.out" mc ma take_ca
check "three: summary '1 potential, 0 live; 3 edges'" summary 1 0 3

# ---- dl_ordered: 28 edges, no cycle --------------------------------------------------

dl ordered -- "$W/dl_ordered"
check "ordered: exit status 0, the workload ran to 'done'" \
	eval "eq 'exit status' 0 $RC && grep -qx done '$G.out'"
check "ordered: no cycle reported" eval "! grep -q '^potential deadlock' '$G.out'"
check "ordered: summary '0 potential, 0 live; 28 edges'" summary 0 0 28

# --max-held 4: locks 5-8 of each nesting are requested while 4 are held
# (4 x 4 edges more than the 6 among the first four) but not tracked:
# 4 threads x 1000 rounds x 4 locks, counted on the loss line.
dl ordered-held --max-held 4 -- "$W/dl_ordered"
check "ordered --max-held 4: 22 edges, no cycle" \
	eval "summary 0 0 22 && ! grep -q '^potential deadlock' '$G.out'"
check "ordered --max-held 4: '16000 locks not tracked' on the loss line" \
	grep -qE '^deadlock: lost in the kernel: .* 16000 locks not tracked \(a thread held more than --max-held' "$G.err"
check "ordered --max-held 4: the 4 threads named, each 'held 8 locks at once (4 tracked)'" \
	eq 'thread lines' 4 "$(grep -cE '^deadlock: thread [0-9]+ held 8 locks at once \(4 tracked: --max-held\)$' "$G.err")"

# ---- dl_trylock: a failed trylock adds no edge -----------------------------------------

dl trylock -- "$W/dl_trylock"
check "trylock: the workload's trylock failed as intended (trylock=EBUSY)" \
	grep -qx 'trylock=EBUSY' "$G.out"
check "trylock: exit status 0, no cycle" \
	eval "eq 'exit status' 0 $RC && ! grep -q '^potential deadlock' '$G.out'"
check "trylock: summary '0 potential, 0 live; 1 edge' (t1 -> t2 only)" summary 0 0 1

# ---- dl_rwlock: a reader/writer inversion ------------------------------------------------

dl rwlock -- "$W/dl_rwlock"
check "rwlock: exit status 1" eq 'exit status' 1 $RC
check "rwlock: exactly one cycle, of 2 locks: rw1 and rw2" one_cycle "$G.out" 2 rw1 rw2
check "rwlock: edge rw1 -> rw2 through read_then_write" has_edge "$G.out" rw1 rw2 read_then_write
check "rwlock: edge rw2 -> rw1 through write_then_read" has_edge "$G.out" rw2 rw1 write_then_read
check "rwlock: summary '1 potential, 0 live; 2 edges'" summary 1 0 2

# ---- dl_real: a live deadlock ------------------------------------------------------------

# live FILE: "TID LOCK HOLDER FRAMES" per thread of the LIVE DEADLOCK
# report (frames F1;F2;... bare names).
live() {
	awk '
	function flush() { if (tid != "") print tid, lock, holder, (fr == "" ? "-" : fr); tid = "" }
	/^LIVE DEADLOCK: threads blocked in a cycle, now:$/ { in_live = 1; next }
	in_live && /^  thread [0-9]+ waits for .*, held by thread [0-9]+, at:$/ {
		flush()
		tid = $2; lock = $5; s = $0; sub(/.*held by thread /, "", s); sub(/,.*/, "", s)
		holder = s; fr = ""; next
	}
	in_live && /^      / && tid != "" { f = $1; sub(/\+0x.*/, "", f); fr = fr (fr == "" ? "" : ";") f; next }
	{ flush(); in_live = 0 }
	END { flush() }' "$1"
}

# live_ok FILE: two threads, each waiting for the lock the other holds:
# d1 from grab_d1_holding_d2, d2 from grab_d2_holding_d1.
live_ok() {
	live "$1" | awk '
		{ n++; t[n] = $1; h[n] = $3; l[n] = $2; f[n] = ";" $4 ";" }
		END {
			if (n != 2 || t[1] == t[2] || h[1] != t[2] || h[2] != t[1]) exit 1
			for (i = 1; i <= 2; i++) {
				if (l[i] == "d1" && f[i] ~ /;grab_d1_holding_d2;/) d1 = 1
				if (l[i] == "d2" && f[i] ~ /;grab_d2_holding_d1;/) d2 = 1
			}
			exit !(d1 && d2)
		}' && return 0
	echo "     live report (TID LOCK HOLDER FRAMES):"
	live "$1" | sed 's/^/       /'
	return 1
}

dl real --dot "$T/real.dot" -- "$W/dl_real"
RPID=$(tracing_pid)
SHOW+=("$T/real.dot")
check "real: deadlock stopped by itself (not the 20 s timeout) with status 1" \
	eq 'exit status' 1 $RC
check "real: the workload deadlocked ('deadlocked', no 'done')" \
	eval "grep -qx deadlocked '$G.out' && ! grep -qx done '$G.out'"
check "real: a 'LIVE DEADLOCK' report" grep -qx 'LIVE DEADLOCK: threads blocked in a cycle, now:' "$G.out"
check "real: both threads, waiting for d1 and d2, each held by the other, stacks through grab_*" \
	live_ok "$G.out"
check "real: summary '1 potential, 1 live; 2 edges' (the blocked requests are edges too)" \
	summary 1 1 2
check "real: dot: d1 -> d2 and d2 -> d1, both red" \
	eval "eq 'red edges' 2 \$(grep -- ' -> ' '$T/real.dot' | grep -c 'color=red') &&
	      grep -qE '^	\"d1 \\(0x[0-9a-f]+\\)\" -> \"d2 ' '$T/real.dot' &&
	      grep -qE '^	\"d2 \\(0x[0-9a-f]+\\)\" -> \"d1 ' '$T/real.dot'"
check "real: the hung workload (pid ${RPID:-?}) was killed" \
	eval "[ -n '$RPID' ] && { gone '$RPID' 5 || { ps -o pid,stat,comm -p '$RPID'; false; }; }"
[ -n "$RPID" ] && kill -KILL "$RPID" 2>/dev/null	# if not: never left hanging

# ---- musl, static ------------------------------------------------------------------------

dl musl -- "$MUSL"
check "musl: exit status 1" eq 'exit status' 1 $RC
check "musl: traced the static executable itself" \
	grep -qE '^deadlock: tracing pthread locks in dl_abba-musl, pid [0-9]+ ' "$G.err"
check "musl: exactly one cycle, of 2 locks: m1 and m2" one_cycle "$G.out" 2 m1 m2
check "musl: edge m1 -> m2 through take_ab" has_edge "$G.out" m1 m2 take_ab
check "musl: edge m2 -> m1 through take_ba" has_edge "$G.out" m2 m1 take_ba
check "musl: summary '1 potential, 0 live; 2 edges'" summary 1 0 2

# ---- -p PID -------------------------------------------------------------------------------

# dl_abba -w, its stdin a fifo; deadlock attaches, then the work is let go
# and dl_abba exits: deadlock reports and exits on its own.
pid_run() {
	local fifo=$T/pid.fifo
	ok=1
	G=$T/pid
	SHOW=("$G.out" "$G.err" "$T/pid.lk")
	mkfifo "$fifo"
	"$W/dl_abba" -w <"$fifo" >"$T/pid.lk" 2>&1 &
	WPID=$!
	BGPIDS+=("$WPID")
	exec {WFD}>"$fifo"
	wait_for "$T/pid.lk" '^ready$' 10 "$WPID" || ok=0
	"$BB" deadlock -p "$WPID" >"$G.out" 2>"$G.err" </dev/null &
	DPID=$!
	BGPIDS+=("$DPID")
	wait_for "$G.err" '^deadlock: tracing ' 10 "$DPID" || ok=0
	echo go >&$WFD
	exec {WFD}>&-
	wait "$WPID"
	WRC=$?
	forget_bg "$WPID"
	reap "$DPID"
}
pid_run
check "pid: attached, dl_abba ran to 'done' (0), deadlock then exited by itself with 1" \
	eval "[ $ok = 1 ] && eq 'workload status' 0 $WRC && eq 'exit status' 1 $RC &&
	      grep -qx done '$T/pid.lk'"
check "pid: traced libc.so.6 of pid $WPID" \
	grep -qE "^deadlock: tracing pthread locks in libc\\.so\\.6, pid $WPID " "$G.err"
check "pid: exactly one cycle, of 2 locks: m1 and m2" one_cycle "$G.out" 2 m1 m2
check "pid: edges m1 -> m2 (take_ab) and m2 -> m1 (take_ba)" \
	eval "has_edge '$G.out' m1 m2 take_ab && has_edge '$G.out' m2 m1 take_ba"
check "pid: summary '1 potential, 0 live; 2 edges'" summary 1 0 2

# ---- -c CMD ---------------------------------------------------------------------------------

dl command -c "$W/dl_abba"
check "command: exit status 1" eq 'exit status' 1 $RC
check "command: exactly one cycle, of 2 locks: m1 and m2" one_cycle "$G.out" 2 m1 m2
check "command: summary '1 potential, 0 live; 2 edges'" summary 1 0 2

# A target that exits at once, before taking any lock: deadlock follows it out.
dl early -- /bin/true
check "early exit (/bin/true): exit status 0, summary '0 potential, 0 live; 0 edges'" \
	eval "eq 'exit status' 0 $RC && summary 0 0 0"

# ---- --json, --dot ----------------------------------------------------------------------------

dl json --json --dot "$T/locks.dot" -- "$W/dl_abba"
SHOW+=("$T/locks.dot")
check "json: exit status 1" eq 'exit status' 1 $RC
check "json: every line on stdout from '{' is JSON" eval "grep '^{' '$G.out' | jq -e . >/dev/null"
check "json: one 'potential' line: 2 locks (m1, m2), 2 edges with tid and both stacks" \
	eval "grep '^{' '$G.out' | jq -e -s '[.[] | select(.type == \"potential\")] |
		length == 1 and (.[0] | (.locks | length == 2 and
		    (map(sub(\" \\\\(0x.*\"; \"\")) | sort) == [\"m1\", \"m2\"]) and
		  (.edges | length == 2 and all(.tid > 0 and (.held_stack | length > 0) and
		    (.requested_stack | length > 0))))' >/dev/null"
check "json: the edges' stacks go through take_ab and take_ba" \
	eval "grep '^{' '$G.out' | jq -e -s '[.[] | select(.type == \"potential\") | .edges[] |
		(.held_stack + .requested_stack) | map(sub(\"\\\\+0x.*\"; \"\"))] |
		(any(index(\"take_ab\")) and any(index(\"take_ba\")))' >/dev/null"
check "json: no 'potential deadlock' text" eval "! grep -q '^potential deadlock' '$G.out'"
check "dot: a digraph, 2 edges, both red" \
	eval "head -n 1 '$T/locks.dot' | grep -q '^digraph ' &&
	      eq edges 2 \$(grep -c -- ' -> ' '$T/locks.dot') &&
	      eq 'red edges' 2 \$(grep -- ' -> ' '$T/locks.dot' | grep -c 'color=red') &&
	      grep -qE '^	\"m1 \\(0x[0-9a-f]+\\)\" -> \"m2 \\(0x[0-9a-f]+\\)\"' '$T/locks.dot' &&
	      tail -n 1 '$T/locks.dot' | grep -qx '}'"

# ---- lock semantics ---------------------------------------------------------------------

# no_cycle NAME EDGES: exit 0, no potential deadlock, the summary exact.
no_cycle() {
	eq 'exit status' 0 $RC && ! grep -q '^potential deadlock' "$G.out" && summary 0 0 "$1"
}

dl recursive -- "$W/dl_recursive"
check "recursive: the error-checking relock failed (relock=EDEADLK), the workload ran to 'done'" \
	eval "grep -qx relock=EDEADLK '$G.out' && grep -qx done '$G.out'"
check "recursive: re-entry of R while C is held is no C -> R: no cycle, 4 edges (R->C R->D C->D E->C)" \
	no_cycle 4

dl recursive-abba -- "$W/dl_recursive" -x
check "recursive -x: an ABBA through a recursive mutex: one cycle of R and A" \
	eval "eq 'exit status' 1 $RC && one_cycle '$G.out' 2 R A && summary 1 0 2"
check "recursive -x: edges R -> A (take_rra) and A -> R (take_ar)" \
	eval "has_edge '$G.out' R A take_rra && has_edge '$G.out' A R take_ar"

for how in destroy free; do
	flag=; [ $how = free ] && flag=-f
	dl "reuse-$how" -- "$W/dl_reuse" $flag
	check "reuse ($how): the new mutex is at the old one's address ('reused')" \
		grep -qx reused "$G.out"
	check "reuse ($how): A -> M and N -> A at one address are no cycle: 2 edges" no_cycle 2
	check "reuse ($how): the lock made again is named '#1'" \
		eval "dl 'reuse-$how-dot' --dot '$T/reuse-$how.dot' -- '$W/dl_reuse' $flag &&
		      grep -qE '^	\"0x[0-9a-f]+ #1\" -> \"A ' '$T/reuse-$how.dot'"
done

dl gate -- "$W/dl_gate"
check "gate: A <-> B, both orders under G: no potential deadlock, 4 edges, 1 gated cycle" \
	eval "eq 'exit status' 0 $RC && ! grep -q '^potential deadlock' '$G.out' &&
	      grep -qxF 'deadlock: 0 potential, 0 live deadlocks; 4 lock-order edges; 1 cycle under a gate lock (no deadlock)' '$G.err'"
check "gate: reported apart: 'no deadlock: ... under gate lock G'" \
	eval "eq 'gated lines' 1 \$(grep -cE '^no deadlock: lock-order cycle of 2 locks under gate lock G \\(0x[0-9a-f]+\\): [AB] ' '$G.out')"
dl gate-json --json -- "$W/dl_gate"
grep '^{' "$G.out" >"$G.json"
check "gate --json: one 'gated' line, gate G, locks A and B; summary gated 1" \
	eval "eq gated 1 \$(jcount '$G.json' type=gated gate^'G (0x') &&
	      eq summary 1 \$(jcount '$G.json' type=summary potential=0 gated=1) &&
	      grep '\"type\":\"gated\"' '$G.json' | jq -e '.locks | map(sub(\" .*\"; \"\")) | sort == [\"A\", \"B\"]' >/dev/null"
dl gate-open -- "$W/dl_gate" -n
check "gate -n: B -> A taken without G: one cycle of A and B" \
	eval "eq 'exit status' 1 $RC && one_cycle '$G.out' 2 A B && summary 1 0 4"

dl rwread -- "$W/dl_rwread"
check "rwread: r1 <-> r2, read after read only: no cycle, 2 edges" no_cycle 2

# Heap locks named by their block (glibc's chunk headers), while the
# process lives: dl_heap waits on a fifo until the cycle is reported.
mkfifo "$T/heap.fifo"
"$BB" deadlock -- "$W/dl_heap" <"$T/heap.fifo" >"$T/heap.out" 2>"$T/heap.err" &
DPID=$!
BGPIDS+=("$DPID")
exec {HFD}>"$T/heap.fifo"
G=$T/heap
SHOW=("$G.out" "$G.err")
ok=1
wait_for "$G.out" '^potential deadlock' 20 "$DPID" || ok=0
exec {HFD}>&-
reap "$DPID"
check "heap: the ABBA found, exit 1" eval "[ $ok = 1 ] && eq 'exit status' 1 $RC && summary 1 0 2"
check "heap: named by their blocks: 'heap 0x.. (a block of 40 bytes)', '(in a block of 72 bytes, at +24)'" \
	eval "grep -qE '^potential deadlock: lock-order cycle of 2 locks: .*heap 0x[0-9a-f]+ \\(a block of 40 bytes\\)' '$G.out' &&
	      grep -qE '^potential deadlock: .*heap 0x[0-9a-f]+ \\(in a block of 72 bytes, at \\+24\\)' '$G.out'"

# ---- --lock-symbols: a library's own spinlock --------------------------------------------

for how in name obj; do
	lk=dl_spin_lock ulk=dl_spin_unlock
	[ $how = obj ] && lk=libdlspin:dl_spin_lock ulk=libdlspin.so:dl_spin_unlock
	dl "spin-$how" --lock-symbols $lk --unlock-symbols $ulk -- "$W/dl_spin"
	check "spin ($lk): both functions found in libdlspin.so" \
		eval "grep -qx 'deadlock: tracing dl_spin_lock in libdlspin.so' '$G.err' &&
		      grep -qx 'deadlock: tracing dl_spin_unlock in libdlspin.so' '$G.err'"
	check "spin ($lk): one cycle of s1 and s2, edges through take_ab and take_ba" \
		eval "eq 'exit status' 1 $RC && one_cycle '$G.out' 2 s1 s2 && summary 1 0 2 &&
		      has_edge '$G.out' s1 s2 take_ab && has_edge '$G.out' s2 s1 take_ba"
done
fails_with spin-wrong-obj 'no file of .* named libc defines dl_spin_lock' \
	"$BB" deadlock --lock-symbols libc:dl_spin_lock -- "$W/dl_spin"
fails_with spin-none 'defines no_such_lock' \
	"$BB" deadlock --lock-symbols no_such_lock -- "$W/dl_spin"
fails_with spin-bad 'bad lock function' "$BB" deadlock --lock-symbols libdlspin: -- "$W/dl_spin"

# ---- deadlock -p on a process hung already ---------------------------------------------

# start_bg NAME CMD...: CMD in the background (stdout in $T/NAME.lk) until
# it says "deadlocked" or "waiting"; its pid in WPID.
start_bg() {
	local name=$1
	shift
	"$@" >"$T/$name.lk" 2>&1 &
	WPID=$!
	BGPIDS+=("$WPID")
	wait_for "$T/$name.lk" '^(deadlocked|waiting)$' 10 "$WPID"
}

# ms: milliseconds since the epoch.
ms() { echo $(($(date +%s%N) / 1000000)); }

for how in attach snapshot; do
	opt=; [ $how = snapshot ] && opt=--snapshot
	start_bg "hung-$how" "$W/dl_real"
	t0=$(ms)
	dl "hung-$how" $opt -p "$WPID"
	t1=$(ms)
	check "hung ($how): deadlock -p on a process deadlocked before: exit 1 within a second ($((t1 - t0)) ms)" \
		eval "eq 'exit status' 1 $RC && [ $((t1 - t0)) -lt 1000 ]"
	check "hung ($how): looked, probed nothing: 'pid N now: 2 threads waiting for a mutex'" \
		eval "grep -qx 'deadlock: pid $WPID now: 2 threads waiting for a mutex' '$G.err' &&
		      ! grep -q '^deadlock: tracing' '$G.err'"
	check "hung ($how): both threads, waiting for d1 and d2, each held by the other, stacks through grab_*" \
		live_ok "$G.out"
	check "hung ($how): each stack goes up to its thread function (thread_a, thread_b)" \
		eval "live '$G.out' | grep -q ';thread_a;' && live '$G.out' | grep -q ';thread_b;'"
	check "hung ($how): summary '0 potential, 1 live; 0 edges'" summary 0 1 0
	kill -KILL "$WPID"; wait "$WPID" 2>/dev/null; forget_bg "$WPID"
done

start_bg hung-record "$W/dl_real"
dl hung-record -w "$T/hung.bbr" -p "$WPID"
kill -KILL "$WPID"; wait "$WPID" 2>/dev/null; forget_bg "$WPID"
"$BB" report "$T/hung.bbr" >"$T/hung-report.out" 2>"$T/hung-report.err"
G=$T/hung-report
SHOW=("$G.out" "$G.err")
check "hung -w, report: the live deadlock with its names and stacks, the process gone" live_ok "$G.out"

for how in c r; do
	start_bg "wait-$how" "$W/dl_hung" -$how
	dl "wait-$how" --snapshot -p "$WPID"
	n=0; [ $how = r ] && n=1
	check "dl_hung -$how: waiting in no deadlock: exit 0, $n thread(s) waiting for a mutex, nothing reported" \
		eval "eq 'exit status' 0 $RC && summary 0 0 0 && [ ! -s '$G.out' ] &&
		      grep -qE '^deadlock: pid $WPID now: $n threads? waiting for a mutex$' '$G.err'"
	kill -KILL "$WPID"; wait "$WPID" 2>/dev/null; forget_bg "$WPID"
done
fails_with snapshot-launched 'give -p PID' "$BB" deadlock --snapshot -- "$W/dl_abba"

# ---- real software: threaded SQLite ------------------------------------------------------

if want_packages libsqlite3-dev >/dev/null 2>&1 &&
   gcc -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o "$T/dl_sqlite" \
	"$E2E/dl_sqlite.c" -lsqlite3 -lpthread; then
	dl sqlite -- "$T/dl_sqlite" "$T/sqlite.db" 4 200
	check "sqlite: 4 threads x 200 inserts and selects ran ('done 800')" grep -qx 'done 800' "$G.out"
	check "sqlite: shared cache + WAL: no potential deadlock (helgrind: none), exit 0" \
		eval "eq 'exit status' 0 $RC && ! grep -q '^potential deadlock' '$G.out' &&
		      grep -qE '^deadlock: 0 potential, 0 live deadlocks; [0-9]+ lock-order edges$' '$G.err'"
else
	check "sqlite: libsqlite3-dev installed and dl_sqlite built" false
fi

# ---- real software: redis, whose jemalloc holds its many locks across fork ------------------

if want_packages redis-server redis-tools >/dev/null 2>&1; then
	mkdir -p "$T/redis"
	"$BB" deadlock -d 8 -- redis-server --port 0 --unixsocket "$T/redis/sock" --dir "$T/redis" \
		--io-threads 4 --save "" >"$T/redis.out" 2>"$T/redis.err" </dev/null &
	DPID=$!
	BGPIDS+=("$DPID")
	G=$T/redis
	SHOW=("$G.out" "$G.err")
	ok=1
	wait_for "$G.out" '[Rr]eady to accept connections' 10 "$DPID" || ok=0
	for i in 1 2 3; do
		redis-cli -s "$T/redis/sock" set "k$i" v >/dev/null &&
			redis-cli -s "$T/redis/sock" bgsave >/dev/null || ok=0
		sleep 0.5
	done
	reap "$DPID" 15
	check "redis (io-threads 4, 3 BGSAVEs: jemalloc's fork handler holds ~60 locks): ran, no cycle" \
		eval "[ $ok = 1 ] && eq 'exit status' 0 $RC && ! grep -q '^potential deadlock' '$G.out' &&
		      grep -qE '^deadlock: 0 potential, 0 live deadlocks; [0-9]+ lock-order edges$' '$G.err'"
	check "redis: every lock held was tracked (nothing on the loss line)" \
		eval "! grep -q 'locks not tracked' '$G.err' && ! grep -q '^deadlock: thread .* held' '$G.err'"
else
	check "redis: redis-server installed" false
fi

# ---- bad input ------------------------------------------------------------------------------

PID=$(unused_pid)
fails_with no-target 'one target' "$BB" deadlock
fails_with bad-pid "$PID" "$BB" deadlock -p $PID
fails_with no-such-cmd '/nonexistent' "$BB" deadlock -- /nonexistent
fails_with nolibc 'no pthread_mutex_lock' "$BB" deadlock -- "$NOLIBC"

# ---- done ---------------------------------------------------------------------------------

e2e_end
