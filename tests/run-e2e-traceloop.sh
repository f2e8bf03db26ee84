#!/usr/bin/env bash
# End-to-end tests of `bpfbox traceloop` on the running kernel, against
# build/work/tl_seq (tests/work/tl_seq.c), whose syscalls are known: a
# sequence (a file created, written, read back 5 bytes; a pipe written; a
# failing openat; a nanosleep; a refused connect), then SIGSEGV, exit(3),
# a loop of close(-1), threads, or a wait.  strace is the oracle for the
# whole run's calls, jq reads the JSON and the Perfetto trace.  Root only.
#
# The last line is "e2e-traceloop: N passed, N failed"; the exit status is
# 1 if anything failed.  Failed checks show the files they looked at, and
# the work directory is kept then.

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
BB=${BPFBOX:-$TOP/bpfbox}	# BPFBOX=path tests another build
SEQ=$TOP/build/work/tl_seq

. "$TOP/tests/e2e/lib.sh"
e2e_begin e2e-traceloop "loads BPF programs" "$BB" "$SEQ"
ROOT=$TOP
say() { printf 'e2e-traceloop: %s\n' "$*"; }
die() { say "$*"; echo "e2e-traceloop: 0 passed, 1 failed"; exit 1; }
. "$TOP/scripts/apt-lib.sh"
need_packages strace jq

CG=

suite_cleanup() {
	[ -n "$CG" ] && [ -d "$CG" ] && { cat "$CG/cgroup.procs" 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.2; rmdir "$CG"; }
	CG=
}

# tl NAME ARGS...: `bpfbox traceloop ARGS` in the foreground, output in
# $T/NAME.out and .err, exit status in RC; 30 s at most (SIGINT, then KILL).
tl() {
	local name=$1
	shift
	G=$T/$name
	timeout -s INT -k 5 30 "$BB" traceloop "$@" >"$G.out" 2>"$G.err" </dev/null
	RC=$?
	SHOW=("$G.out" "$G.err")
}

# calls FILE: the dumped calls, without time, duration and [pid N]: "name(args) = ret".
calls() {
	sed -nE '/^(\[pid +[0-9]+\] )?[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} /{
		s/^\[pid +[0-9]+\] //; s/^[^ ]+ //; s/ <[0-9]+\.[0-9]{6}>$//; p }' "$1"
}

names() {
	calls "$1" | sed -E 's/\(.*//'
}

# has FILE TEXT: a line of FILE holds TEXT.
has() {
	grep -qF -- "$2" "$1" && return 0
	echo "     no line with '$2' in $1"
	return 1
}

# ---- a crash: the sequence, the signal, the stack ----------------------------------

D=$T/crash
mkdir -p "$D"
tl crash -- "$SEQ" crash "$D"
SEQUENCE="openat write close openat read close pipe2 write openat clock_nanosleep socket connect"
check "crash: exit 0, one dump at the crash" eval "eq 'exit status' 0 $RC &&
	eq dumps 1 \$(grep -c '^=== traceloop: pid [0-9]*, dump at crash: the last [0-9]* calls; 0 older ones overwritten ===\$' $G.out)"
check "crash: the sequence, in order, is the last thing before the signal" \
	eval "eq sequence '$SEQUENCE' \"\$(names $G.out | tail -n 12 | tr '\n' ' ' | sed 's/ \$//')\""
check "crash: openat of the created file, flags decoded, fd 3" \
	has "$G.out" "openat(AT_FDCWD, \"$D/file\", O_WRONLY|O_CREAT|O_TRUNC, 0600) = 3"
check "crash: read of 5 bytes, the data shown" has "$G.out" 'read(3, "hello", 5) = 5'
check "crash: write to the pipe" has "$G.out" 'write(4, "ping", 4) = 4'
check "crash: the failing openat, errno named" \
	has "$G.out" "openat(AT_FDCWD, \"$D/missing\", O_RDONLY) = -1 ENOENT (No such file or directory)"
check "crash: connect, its address decoded, refused" eval "calls $G.out | grep -E '^connect\(5, .*127\.0\.0\.1.*= -1 ECONNREFUSED \(Connection refused\)\$'"
check "crash: the signal, its code and address" \
	has "$G.out" "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0} ---"
check "crash: the crashing stack, symbolized" eval "sed -n '/^--- SIGSEGV/,/^+++/p' $G.out |
	sed -nE 's/^ +([a-z_]+)\+0x[0-9a-f]+ \(tl_seq\)( \(tl_seq\.c:[0-9]+\))?\$/\1/p' | tr '\n' ' ' | grep -qx 'crash_here run_and_crash main '"
check "crash: the end, killed by SIGSEGV" has "$G.out" "+++ pid "
check "crash: nothing lost" eval "! grep -i lost $G.err"

# ---- strace as the oracle -------------------------------------------------------

# normalize: "name path ret" per call from execve on; addresses and pids
# (which differ between two runs) as words.
normalize() {
	sed -nE '/^execve\(/,$p' | grep -vE '^(\+\+\+|---) ' | awk '
	{
		name = $0; sub(/\(.*/, "", name)
		ret = $0; if (!sub(/.* = /, "", ret)) ret = "?"
		sub(/ .*/, "", ret)
		if (ret ~ /^0x/ || (ret ~ /^[0-9]+$/ && ret > 65535)) ret = "ADDR"
		if (name ~ /^(set_tid_address|getpid|gettid)$/) ret = "PID"
		path = ""
		if (name ~ /^(execve|open|openat|access|faccessat|newfstatat|stat|lstat|statx|unlink|readlink)$/ &&
		    match($0, /"[^"]*"/))
			path = substr($0, RSTART, RLENGTH)
		print name, path, ret
	}'
}

D=$T/oracle
mkdir -p "$D"
strace -f -qq -o "$T/strace.txt" "$SEQ" seq "$D"
sed -E 's/^[0-9]+ +//' "$T/strace.txt" | normalize >"$T/strace.norm"
rm -f "$D"/*
tl oracle -- "$SEQ" seq "$D"
calls "$G.out" | normalize >"$T/traceloop.norm"
SHOW=("$T/strace.norm" "$T/traceloop.norm" "$G.err")
check "oracle: strace -f and traceloop see the same calls, paths and results ($(lines "$T/strace.norm") calls)" \
	eval "[ $(lines "$T/strace.norm") -gt 20 ] && diff $T/strace.norm $T/traceloop.norm"
check "oracle: exit status shown" has "$G.out" "+++ pid "
check "oracle: exited with 3" eval "grep -qE '^\+\+\+ pid [0-9]+ exited with 3 \+\+\+\$' $G.out"

# Real programs nobody here wrote: cat, and sqlite3 making a table (Debian's).
oracle_real() {
	local name=$1
	shift
	# (its standard files as under traceloop: output to a file, input /dev/null)
	strace -f -qq -o "$T/$name.strace" "$@" >"$T/$name.stdout" 2>&1 </dev/null
	sed -E 's/^[0-9]+ +//' "$T/$name.strace" | normalize >"$T/$name.strace.norm"
	rm -f "$T/db.sqlite"
	tl "$name" -s 64 -- "$@"
	calls "$G.out" | normalize >"$T/$name.norm"
	rm -f "$T/db.sqlite"
	SHOW=("$T/$name.strace.norm" "$T/$name.norm" "$G.err")
	check "oracle: $name under strace -f and traceloop: same calls, paths and results ($(lines "$T/$name.strace.norm") calls)" \
		eval "[ $(lines "$T/$name.strace.norm") -gt 20 ] && diff $T/$name.strace.norm $T/$name.norm"
}
echo "one line" >"$T/cat.txt"
oracle_real cat cat "$T/cat.txt"
if command -v sqlite3 >/dev/null || want_packages sqlite3; then
	rm -f "$T/db.sqlite"
	oracle_real sqlite3 sqlite3 "$T/db.sqlite" "create table t(a); insert into t values (1); select * from t;"
else
	skip "oracle: sqlite3 (not installed)"
fi

# ---- a ring smaller than the run: exactly the last N, the overwritten count exact -----

tl ring-all --size 100000 -- "$SEQ" loop 1000
TOTAL=$(sed -nE 's/^=== .* the last ([0-9]+) calls; 0 older ones overwritten ===$/\1/p' "$G.out")
tl failed -Z --size 100000 -- "$SEQ" loop 1000
check "-Z: only failed calls, the 1000 close(-1) among them" eval "eq failed 1000 \$(calls $G.out | grep -cxF 'close(-1) = -1 EBADF (Bad file descriptor)') &&
	eq 'calls that did not fail' 0 \$(calls $G.out | grep -cv ' = -1 E')"
tl ring --size 50 -- "$SEQ" loop 1000
check "ring: --size 50 holds the last 50 calls, $((TOTAL - 50)) overwritten (a run holds $TOTAL)" \
	eval "[ -n '$TOTAL' ] && has $G.out '=== traceloop: pid' &&
	grep -qE '^=== traceloop: pid [0-9]+, dump at exit: the last 50 calls; $((TOTAL - 50)) older ones overwritten ===\$' $G.out &&
	eq shown 50 \$(calls $G.out | wc -l) &&
	eq 'close(-1) shown' 49 \$(calls $G.out | grep -cxF 'close(-1) = -1 EBADF (Bad file descriptor)') &&
	eq last 'exit_group(0) = ?' \"\$(calls $G.out | tail -n 1)\""

# ---- threads ----------------------------------------------------------------------

D=$T/threads
mkdir -p "$D"
tl threads -- "$SEQ" threads 3 "$D"
# Per thread i: i+1 failing openat of missing-i, all from one thread, its own.
thread_calls() {
	grep -F "\"$D/missing-$1\"" "$G.out" | grep -F 'ENOENT' | sed -nE 's/^\[pid +([0-9]+)\] .*/\1/p'
}
check "threads: each thread's calls under its own [pid TID], in order" eval '
	a=$(thread_calls 0 | sort -u); b=$(thread_calls 1 | sort -u); c=$(thread_calls 2 | sort -u)
	eq "thread 0 calls" 1 $(thread_calls 0 | wc -l) && eq "thread 1 calls" 2 $(thread_calls 1 | wc -l) &&
	eq "thread 2 calls" 3 $(thread_calls 2 | wc -l) &&
	eq "distinct tids" 3 $(printf "%s\n" "$a" "$b" "$c" | sort -u | grep -c .) &&
	eq order "0 1 1 2 2 2" "$(grep -oE "missing-[0-9]" $G.out | sed "s/missing-//" | tr "\n" " " | sed "s/ $//")"'

# ---- SIGUSR1 while it runs, and -p ----------------------------------------------------

D=$T/usr1
mkdir -p "$D"
G=$T/usr1
SHOW=("$G.out" "$G.err")
"$BB" traceloop -- "$SEQ" wait "$D" >"$G.out" 2>"$G.err" </dev/null &
BGPIDS+=($!)
B=$!
for _ in $(seq 100); do grep -q recording "$G.err" && break; sleep 0.1; done
sleep 0.5
kill -USR1 $B
for _ in $(seq 50); do grep -q "SIGUSR1: rings dumped" "$G.err" && break; sleep 0.1; done
sleep 0.3
touch "$D/stop"
wait $B
RC=$?
check "SIGUSR1: a dump while it runs, where it went said, then the one at exit" eval "eq 'exit status' 0 $RC &&
	has $G.err 'SIGUSR1: rings dumped to standard output; still recording' &&
	grep -qE '^=== traceloop: pid [0-9]+, dump at SIGUSR1: the last [0-9]+ calls' $G.out &&
	grep -qE '^=== traceloop: pid [0-9]+, dump at exit: the last [0-9]+ calls' $G.out &&
	eq 'SIGUSR1 dump before the exit one' 'SIGUSR1 exit' \"\$(sed -nE 's/^=== .*dump at ([A-Za-z0-9]+):.*/\1/p' $G.out | tr '\n' ' ' | sed 's/ \$//')\" &&
	calls $G.out | grep -qxF 'close(-1) = -1 EBADF (Bad file descriptor)' &&
	has $G.out 'access(\"$D/stop\", F_OK) = 0'"

"$SEQ" wait "$D.p" >/dev/null 2>&1 &
W=$!
BGPIDS+=($W)
mkdir -p "$D.p"
G=$T/pid
SHOW=("$G.out" "$G.err")
"$BB" traceloop -p $W >"$G.out" 2>"$G.err" </dev/null &
B=$!
BGPIDS+=($B)
for _ in $(seq 100); do grep -q recording "$G.err" && break; sleep 0.1; done
sleep 0.3
touch "$D.p/stop"
wait $B
check "-p: a running process, dumped when it exits" eval "
	grep -qE '^=== traceloop: pid $W, dump at exit' $G.out && has $G.out 'access(\"$D.p/stop\", F_OK) = 0' &&
	grep -qE '^\+\+\+ pid $W exited with 0 \+\+\+\$' $G.out"

# A call in progress at a dump: sleep(1)'s nanosleep, <unfinished ...>.
G=$T/unfinished
SHOW=("$G.out" "$G.err")
"$BB" traceloop -- sleep 30 >"$G.out" 2>"$G.err" </dev/null &
B=$!
BGPIDS+=($B)
for _ in $(seq 100); do grep -q recording "$G.err" && break; sleep 0.1; done
W=$(sed -nE 's/.* syscalls of pid ([0-9]+) .*/\1/p' "$G.err")
sleep 0.5
kill -USR1 $B
for _ in $(seq 50); do grep -q "SIGUSR1: rings dumped" "$G.err" && break; sleep 0.1; done
[ -n "$W" ] && kill -TERM "$W"
wait $B
check "a call in progress at a dump: <unfinished ...>; cut by the end: = ?" eval "
	sed -n '/dump at SIGUSR1/,/dump at/p' $G.out | grep -qE '^[0-9:.]+ clock_nanosleep\(.* <unfinished \.\.\.>\$' &&
	calls $G.out | tail -n 1 | grep -qE '^clock_nanosleep\(.*\) = (\?|-1 .*)\$' && has $G.out '--- SIGTERM'"

# SIGKILL from outside (as the OOM killer sends it): a crash dump too.
D=$T/kill
mkdir -p "$D"
G=$T/kill
SHOW=("$G.out" "$G.err")
"$BB" traceloop -- "$SEQ" wait "$D" >"$G.out" 2>"$G.err" </dev/null &
B=$!
BGPIDS+=($B)
for _ in $(seq 100); do grep -q recording "$G.err" && break; sleep 0.1; done
W=$(sed -nE 's/.* syscalls of pid ([0-9]+) .*/\1/p' "$G.err")
sleep 0.3
[ -n "$W" ] && kill -KILL "$W"
wait $B
check "SIGKILL: the ring dumped with the signal and the stack; the last call the sleep it cut short" eval "[ -n '$W' ] &&
	grep -qE '^=== traceloop: pid $W, dump at crash' $G.out && has $G.out '--- SIGKILL {si_signo=SIGKILL' &&
	grep -qE '^\+\+\+ pid $W killed by SIGKILL \+\+\+\$' $G.out &&
	calls $G.out | tail -n 1 | grep -qE '^(clock_nanosleep|nanosleep)\(' &&
	sed -n '/^--- SIGKILL/,/^+++/p' $G.out | grep -qE '^ +main\+0x[0-9a-f]+ \(tl_seq\) \(tl_seq\.c:[0-9]+\)\$'"

# ---- --cgroup: only the process in it -------------------------------------------------

CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$CG2" ]; then
	CG=$CG2/bpfbox-tl-$$
	mkdir "$CG"
	mkdir -p "$T/in" "$T/out"
	sh -c "echo \$\$ > $CG/cgroup.procs && exec $SEQ wait $T/in" &
	IN=$!
	"$SEQ" wait "$T/out" &
	OUT=$!
	BGPIDS+=($IN $OUT)
	tl cgroup --cgroup "$CG" -d 1.5 --json
	touch "$T/in/stop" "$T/out/stop"
	wait $IN $OUT
	check "--cgroup: one ring, the process in the cgroup; the other one, same code, not traced" eval "
		jq -e . $G.out >/dev/null &&
		eq 'dumped pids' $IN \"\$(jq -r 'select(.type==\"dump\") | .pid' $G.out | sort -u | tr '\n' ' ' | sed 's/ \$//')\" &&
		eq 'pids of calls' $IN \"\$(jq -r 'select(.type==\"call\") | .pid' $G.out | sort -u | tr '\n' ' ' | sed 's/ \$//')\" &&
		[ \$(jq -r 'select(.type==\"call\" and .syscall==\"close\" and .errno==\"EBADF\") | .pid' $G.out | wc -l) -ge 10 ]"
	suite_cleanup
else
	skip "--cgroup: no cgroup v2 here"
fi

# ---- no target: a ring per process, --max-procs of them, the others counted ---------------

mkdir -p "$T/np1" "$T/np2"
"$SEQ" wait "$T/np1" &
P1=$!
"$SEQ" wait "$T/np2" &
P2=$!
BGPIDS+=($P1 $P2)
sleep 0.2
tl maxprocs --comm tl_seq --max-procs 1 -d 1.5
touch "$T/np1/stop" "$T/np2/stop"
wait $P1 $P2
check "no target, --max-procs 1: one process's ring dumped at the end, the other's calls counted as lost" eval "
	eq dumps 1 \$(grep -cE '^=== traceloop: pid ($P1|$P2), dump at end: the last [0-9]+ calls; 0 older ones overwritten ===\$' $G.out) &&
	grep -qE ' [1-9][0-9]* syscalls not recorded \(no free ring' $G.err"

# ---- JSON and Perfetto ----------------------------------------------------------------

D=$T/json
mkdir -p "$D"
tl json --json --perfetto "$T/trace.json" -- "$SEQ" crash "$D"
SHOW=("$G.out" "$G.err" "$T/trace.json")
# jqs FILTER: the JSON lines of $G.out as one array, through FILTER.
jqs() {
	jq -sr "$1" "$G.out"
}
check "--json: every line an object; the ENOENT call, the signal with its stack" eval "
	eq objects true \$(jqs 'all(.[]; type == \"object\")') &&
	eq 'failing openat' 1 \$(jqs '[.[] | select(.type==\"call\" and .syscall==\"openat\" and .errno==\"ENOENT\")] | length') &&
	eq 'read of 5' 5 \$(jqs '.[] | select(.type==\"call\" and .syscall==\"read\" and (.line | test(\"hello\"))) | .ret') &&
	eq signal SIGSEGV \$(jqs '.[] | select(.type==\"signal\") | .signal') &&
	eq 'crash_here in the stack' true \$(jqs '[.[] | select(.type==\"signal\")][0].stack | map(test(\"^crash_here\")) | any')"
HELD=$(jq -r 'select(.type=="dump") | .held' "$G.out")
check "--perfetto: a Chrome trace, one slice per call dumped ($HELD), its thread named" eval "
	eq slices $HELD \$(jq '[.traceEvents[] | select(.ph==\"X\")] | length' $T/trace.json) &&
	eq 'thread names' 1 \$(jq '[.traceEvents[] | select(.ph==\"M\" and .name==\"thread_name\")] | length' $T/trace.json) &&
	eq 'slices named connect' 1 \$(jq '[.traceEvents[] | select(.ph==\"X\" and .name==\"connect\")] | length' $T/trace.json)"

# ---- record file, report --------------------------------------------------------------

D=$T/rec
mkdir -p "$D"
tl rec -w "$T/rec.bbr" -- "$SEQ" crash "$D"
"$BB" report "$T/rec.bbr" >"$T/report.out" 2>"$T/report.err"
RC=$?
SHOW=("$T/report.out" "$T/report.err")
check "-w + report: the dump, the signal and the symbolized stack from the file" eval "eq 'exit status' 0 $RC &&
	has $T/report.out 'dump at crash' &&
	has $T/report.out \"openat(AT_FDCWD, \\\"$D/missing\\\", O_RDONLY) = -1 ENOENT (No such file or directory)\" &&
	has $T/report.out '--- SIGSEGV' && grep -qE '^ +run_and_crash\+0x[0-9a-f]+ \(tl_seq\) \(tl_seq\.c:[0-9]+\)\$' $T/report.out"

# ---- filters, follow, summary ----------------------------------------------------------

D=$T/filter
mkdir -p "$D"
tl filter -e trace=openat,connect -- "$SEQ" seq "$D"
check "-e trace=openat,connect: only those" eval "eq other 0 \$(names $G.out | grep -cvxE 'openat|connect') &&
	eq connect 1 \$(names $G.out | grep -cx connect) && [ \$(names $G.out | grep -cx openat) -ge 3 ]"
rm -f "$D"/*
tl class -e trace=%network -- "$SEQ" seq "$D"
check "-e trace=%network: socket and connect" eval "eq calls 'socket connect' \"\$(names $G.out | tr '\n' ' ' | sed 's/ \$//')\""
rm -f "$D"/*
tl follow -f -- "$SEQ" seq "$D"
check "-f: each call as it returns, no dump" eval "! grep -q '^=== traceloop' $G.out &&
	has $G.out \"openat(AT_FDCWD, \\\"$D/missing\\\", O_RDONLY) = -1 ENOENT (No such file or directory)\" &&
	eq sequence '$SEQUENCE' \"\$(names $G.out | grep -v '^exit_group' | tail -n 12 | tr '\n' ' ' | sed 's/ \$//')\""
tl summary -C -- "$SEQ" loop 1000
check "-C: close counted with its 1000 errors" eval "awk '\$NF == \"close\" && \$5 == 1000 { ok = 1 } END { exit !ok }' $G.out &&
	grep -qE '^100\.00 +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ total\$' $G.out"

tl summary-json -C --json -- "$SEQ" loop 1000
check "-C --json: a summary object per syscall, close with its 1000 errors" eval "
	eq 'close errors' 1000 \$(jq -sr '.[] | select(.type==\"summary\" and .syscall==\"close\") | .errors' $G.out)"

# ---- bad input: one line, exit 2 --------------------------------------------------------

fails_with bad-syscall "nosuchcall" "$BB" traceloop -e trace=nosuchcall -- "$SEQ" loop 1
fails_with bad-class "%nope" "$BB" traceloop -e trace=%nope -- "$SEQ" loop 1
fails_with bad-size "size" "$BB" traceloop --size 0 -- "$SEQ" loop 1
fails_with bad-pid "4194303" "$BB" traceloop -p 4194303
fails_with bad-expr "trace=" "$BB" traceloop -e signal=none -- "$SEQ" loop 1
fails_with bad-perfetto "exists|File exists" "$BB" traceloop --perfetto "$T/trace.json" -- "$SEQ" loop 1

e2e_end
