#!/bin/sh
# shellcheck shell=dash
# The kernel matrix, guest side: /etc/bpfbox/run of the image that
# tests/run-matrix.sh boots in each kernel (busybox sh: POSIX, and local).
# /init (scripts/initramfs.sh) has mounted proc, sysfs and devtmpfs and
# brought lo up; nothing else.
#
# Every applet of `bpfbox --list` is checked on this kernel with the
# workloads of tests/work, built static (the image has no libc): dropgen,
# leaky, dl_abba, tl_seq (and busybox's httpd and wget for deeptrace).
# Nothing else runs in the guest, so drop counts are
# exact without any namespace or filter.  Each applet's default run shows
# the attach method the loader picked here; forced runs (--attach) prove
# the fallbacks work on this kernel too.  An applet without a test here
# fails: add one.
#
# Results, on the console and on a second serial port (which the runner
# reads: printk never writes there):
#   MATRIX-BOOT KERNEL SHA256-OF-BPFBOX                (the first line)
#   MATRIX KERNEL APPLET PASS|FAIL TEST[: what differed]
#   MATRIX-ATTACH KERNEL APPLET HOOK METHOD PROGRAM    (default runs)
#   MATRIX-VERDICT KERNEL PASS|FAIL PASSED FAILED      (the last line)
# A failed check shows the files it looked at on the console.

K=$(uname -r)
T=/tmp/matrix
mkdir -p $T
# The results' port: bpfbox.results=ttyS0 on the kernel command line (arm64:
# the console is the PL011, ttyAMA0, and ttyS0 a PCI serial port), else
# x86's second serial port.
RES=ttyS1
for w in $(cat /proc/cmdline); do
	case $w in
	bpfbox.results=*) RES=${w#bpfbox.results=} ;;
	esac
done
if [ -c /dev/$RES ]; then
	stty -F /dev/$RES raw -echo 2>/dev/null
	exec 3>/dev/$RES
else
	exec 3>/dev/null
fi
pass=0
fail=0
SHOW=

emit() {
	echo "$*"
	echo "$*" >&3
}

# ---- the framework -------------------------------------------------------------

# check APPLET TEST CMD...: PASS when CMD succeeds.  What it prints is the
# detail of a failure (its first line on the result line, all of it on the
# console, with the files in $SHOW).
check() {
	local app=$1 test=$2 out f
	shift 2
	if out=$("$@" 2>&1); then
		pass=$((pass + 1))
		emit "MATRIX $K $app PASS $test"
		return 0
	fi
	fail=$((fail + 1))
	emit "MATRIX $K $app FAIL $test${out:+: $(echo "$out" | head -n 1)}"
	[ -n "$out" ] && echo "$out" | sed 's/^/     /'
	for f in $SHOW; do
		[ -s "$f" ] || continue
		echo "     --- $f"
		head -n 40 "$f" | sed 's/^/     | /'
	done
	return 1
}

# eq WHAT EXPECTED ACTUAL: for check, says what differed.
eq() {
	[ "$2" = "$3" ] && return 0
	echo "$1: expected '$2', got '$3'"
	return 1
}

# same EXPECTED-LINES GOT-LINES: for check, both shown when they differ.
same() {
	[ "$1" = "$2" ] && return 0
	echo "expected: $(echo "$1" | tr '\n' '|') got: $(echo "$2" | tr '\n' '|')"
	return 1
}

# has FILE ERE: for check, a line of FILE matches.
has() {
	grep -qE -- "$2" "$1" && return 0
	echo "no line matching '$2' in $1"
	return 1
}

# wait_for FILE ERE PID [SECONDS]: until a line of FILE matches (60 s: the
# guest is emulated, loading is slow); gives up early when PID has exited.
wait_for() {
	local i=0
	while [ $i -lt $((${4:-60} * 10)) ]; do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { grep -qE -- "$2" "$1" 2>/dev/null; return; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# attached APPLET FILE: a MATRIX-ATTACH line for each hook the loader
# attached (its -v lines "HOOK: attached PROG (METHOD)").
attached() {
	sed -n "s/^$1: \(.*\): attached \([^ ]*\) (\([^)]*\))\$/\1 \3 \2/p" "$2" |
		while read -r hook method prog; do
			emit "MATRIX-ATTACH $K $1 $hook $method $prog"
		done
}

# Drop reasons came in Linux 5.17: older kernels pass none.
kernel_at_least() {
	local maj=${K%%.*} rest=${K#*.}
	local min=${rest%%[!0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# ---- dropwatch --------------------------------------------------------------------

# Without reasons, every kfree_skb() counts: 5.10's icmpv6_rcv frees the
# port-unreachable errors that the IPv6 datagrams bring back that way
# (newer kernels say NOT_SPECIFIED there, hidden without --all).
if kernel_at_least 5 17; then
	R=NO_SOCKET
	ROWS="2 __udp6_lib_rcv $R
3 tcp_v4_rcv $R
5 __udp4_lib_rcv $R"
	NEVENTS=10
elif grep -q ' kfree_skb\.part\.0$' /proc/kallsyms; then
	# Debian's 5.10 arm64 build: GCC split kfree_skb, and the part that
	# traces (kfree_skb.part.0) passes its own return address, into
	# kfree_skb, as every drop's location (the stacks show the callers).
	R=-
	ROWS="12 kfree_skb $R"
	NEVENTS=12
else
	R=-
	ROWS="2 __udp6_lib_rcv $R
2 icmpv6_rcv $R
3 tcp_v4_rcv $R
5 __udp4_lib_rcv $R"
	NEVENTS=12
fi

# The drops: each datagram to a closed port is dropped once, each SYN to a
# closed port once (then refused: nothing is resent).
gen() {
	dropgen udp 5 && dropgen tcp 3 && dropgen udp6 2
}

# dw NAME OPTIONS...: `dropwatch -v -i 0 OPTIONS` in the background until
# gen is done, then SIGINT.  Output in $G.out and $G.err, exit status in
# RC; STARTED=1 when it said it was watching.
dw() {
	local name=$1 pid
	shift
	G=$T/dw-$name
	: >$G.err
	dropwatch -v -i 0 -d 300 "$@" >$G.out 2>$G.err &
	pid=$!
	STARTED=0
	if wait_for $G.err '^dropwatch: watching ' $pid; then
		STARTED=1
		gen >$G.gen 2>&1 || echo "gen failed" >>$G.gen
		# Loopback delivers in the senders' syscalls; a moment for softirqs.
		sleep 0.2
	fi
	kill -INT $pid 2>/dev/null
	wait $pid
	RC=$?
	SHOW="$G.out $G.err $G.gen"
}

# ran: dropwatch started, gen worked, exit status 0.
ran() {
	[ $STARTED = 1 ] || { echo "dropwatch never said it was watching"; return 1; }
	grep -q 'failed' $G.gen && { echo "dropgen failed"; return 1; }
	eq "exit status" 0 $RC
}

# rows FILE: the table's rows as "COUNT FUNCTION REASON" (offsets cut).
rows() {
	awk '$1 ~ /^[0-9]+$/ && NF == 3 && $2 ~ /\+0x[0-9a-f]+$/ {
		sub(/\+0x[0-9a-f]+$/, "", $2); print $1, $2, $3 }' "$1" | sort
}

exact() {
	ran && same "$ROWS" "$(rows $1)"
}

dropwatch_tests() {
	local m

	# ::1 comes with lo up, from addrconf: a moment after.
	local i=0
	while [ $i -lt 50 ] && ! ip -6 addr show dev lo | grep -q 'inet6 ::1/128'; do
		sleep 0.1
		i=$((i + 1))
	done

	dw default
	attached dropwatch $G.err
	check dropwatch "default: exact counts, reason $R" exact $G.out
	if [ "$R" = - ]; then
		check dropwatch "default: says the kernel passes no drop reasons" \
			has $G.err '^dropwatch: this kernel passes no drop reasons'
	fi
	for m in tp_btf raw_tp tracepoint; do
		dw attach-$m --attach $m
		check dropwatch "--attach $m: exact counts" exact $G.out
		check dropwatch "--attach $m: watched with $m" \
			has $G.err "^dropwatch: watching skb:kfree_skb \\($m\\)"
	done
	# The classic tracepoint needs tracefs (and 5.10 its format file for
	# reason names): nothing here mounted it.
	check dropwatch "bpfbox mounted tracefs itself" \
		has /proc/mounts '^tracefs /sys/kernel/tracing tracefs '

	dw stacks -s
	check dropwatch "-s: kernel stacks through __udp4_lib_rcv, tcp_v4_rcv, __udp6_lib_rcv" \
		eval "ran && has $G.out '^ +__udp4_lib_rcv\+0x' && has $G.out '^ +tcp_v4_rcv\+0x' &&
		      has $G.out '^ +__udp6_lib_rcv\+0x'"

	dw events -e
	check dropwatch "events: $NEVENTS event lines, reason $R" \
		eval "ran && eq 'event lines' $NEVENTS \$(awk '\$2 ~ /^cpu[0-9]+\$/ && \$8 == \">\" && \$12 == \"$R\"' $G.out | wc -l)"

	dwl=$T/dw-reasons
	dropwatch --list-reasons >$dwl.out 2>$dwl.err
	RC=$?
	SHOW="$dwl.out $dwl.err"
	if [ "$R" = - ]; then
		check dropwatch "--list-reasons: none before 5.17, and says so" \
			eval "eq 'exit status' 0 $RC && has $dwl.out 'passes no drop reasons'"
	else
		check dropwatch "--list-reasons: names from this kernel (NO_SOCKET, NETFILTER_DROP)" \
			eval "eq 'exit status' 0 $RC && has $dwl.out '(^| )NO_SOCKET( |\$)' &&
			      has $dwl.out '(^| )NETFILTER_DROP( |\$)'"
	fi
}

# ---- report (records written by dropwatch -w) --------------------------------------

report_tests() {
	dw record -w $T/drops.bbr
	check report "dropwatch -w: nothing on stdout" \
		eval "ran && eq 'stdout bytes' 0 \$(wc -c <$G.out)"
	report $T/drops.bbr >$T/report.out 2>$T/report.err
	RC=$?
	SHOW="$T/report.out $T/report.err"
	check report "report: the recorded counts, exact" \
		eval "eq 'exit status' 0 $RC && same \"\$ROWS\" \"\$(rows $T/report.out)\""
}

# applet_run APPLET NAME ARGS...: `APPLET -v ARGS` in the foreground,
# output in $T/APPLET-NAME.out and .err, exit status in RC (SIGINT after
# 120 s: a hang is a failure, not the end of the matrix).
applet_run() {
	local applet=$1 name=$2
	shift 2
	G=$T/$applet-$name
	timeout -s INT -k 10 120 $applet -v "$@" >$G.out 2>$G.err </dev/null
	RC=$?
	SHOW="$G.out $G.err"
}

# ---- memleak -------------------------------------------------------------------------

# What leaky leaks (built with musl: no pvalloc), as memleak-sums.awk sums it.
LEAKS="leak_aligned_alloc 512 1
leak_calloc 400 2
leak_malloc 300 3
leak_memalign 1024 1
leak_mmap 8192 1
leak_mremap 16384 1
leak_posix_memalign 512 2
leak_realloc 300 1
leak_reallocarray 400 1
leak_valloc 2048 1"

# leaky built with glibc (dynamic: libc.so.6 is traced): pvalloc too.
LEAKS_GLIBC=$(printf '%s\nleak_pvalloc 3000 1\n' "$LEAKS" | LC_ALL=C sort)

# ml NAME ARGS...: memleak's run (see applet_run).
ml() {
	applet_run memleak "$@"
}

leaks() {
	eq "exit status" 0 $RC &&
		same "${1:-$LEAKS}" "$(awk -f /bin/memleak-sums.awk $G.out | grep '^leak_')"
}

# nothing_lost: memleak followed every call (-v says so).
nothing_lost() {
	has $G.err '^memleak: no events lost$'
}

# reallocs: leaky's 1001 reallocs, each an event (musl grows 338 of them
# in place: before 6.4 those were lost, see remember() in memleak.bpf.c).
reallocs() {
	eq "exit status" 0 $RC &&
		eq "realloc events" 1001 "$(awk '$5 == "realloc"' $G.out | wc -l)"
}

# libc_stacks: ml_libc's two leaks, each 41 bytes through strdup, whole
# down to main (what=stacks: "BYTES COUNT F1;F2;...", from the allocator).
libc_stacks() {
	same "41 1 strdup;leak_strdup;main
41 1 strdup;leak_strdup;main" \
		"$(awk -f /bin/memleak-sums.awk -v what=stacks $G.out | cut -d';' -f1-3 | sort)"
}

memleak_tests() {
	ml default -- /bin/leaky
	emit "MATRIX-ATTACH $K memleak uprobes $(sed -n 's/^memleak: tracing .*(\(.*\)); Ctrl-C to stop$/\1/p' $G.err) -"
	check memleak "default: leaky's leaks, exact" leaks
	check memleak "default: nothing lost in the kernel" nothing_lost
	ml uprobe --attach uprobe,uretprobe -- /bin/leaky
	check memleak "--attach uprobe,uretprobe: leaky's leaks, exact" leaks
	check memleak "--attach uprobe,uretprobe: traced with single uprobes" \
		has $G.err '^memleak: tracing .*\(uprobe\); Ctrl-C'
	check memleak "--attach uprobe,uretprobe: nothing lost in the kernel" nothing_lost
	ml events --events --attach uprobe,uretprobe -- /bin/leaky
	check memleak "--events: all 1001 reallocs (in place too), nothing lost" \
		eval "reallocs && nothing_lost"
	ml glibc --engine uprobe -- /bin/leaky-glibc
	check memleak "glibc, uprobes: leaky-glibc's leaks, exact" leaks "$LEAKS_GLIBC"
	check memleak "glibc, uprobes: nothing lost in the kernel" nothing_lost
	check memleak "glibc, uprobes: traced in libc.so.6 (found in /lib/$(uname -m)-linux-gnu)" \
		has $G.err '^memleak: tracing malloc and friends in libc\.so\.6 \(glibc\), pid '
	# The default for a started glibc program: the in-process engine
	# (preloaded from a memfd), its stacks walked by the same unwind rows.
	ml inproc -- /bin/leaky-glibc
	check memleak "glibc, in-process (default): leaky-glibc's leaks, exact" leaks "$LEAKS_GLIBC"
	check memleak "glibc, in-process (default): traced in-process" \
		has $G.err '^memleak: tracing malloc and friends in-process, pid '

	# Leaks through strdup at main's start, in a glibc built without frame
	# pointers: libc's unwind rows in place before main (run to the entry).
	ml libc --engine uprobe -- /bin/ml_libc-glibc
	check memleak "glibc, uprobes: strdup's leaks at main's start, strdup <- leak_strdup <- main" \
		eval "eq 'exit status' 0 $RC && libc_stacks"
	ml libc-inproc -- /bin/ml_libc-glibc
	check memleak "glibc, in-process: strdup's leaks at main's start, strdup <- leak_strdup <- main" \
		eval "eq 'exit status' 0 $RC && libc_stacks"

	ml kernel -d 1
	attached memleak $G.err
	check memleak "kernel allocations: kmem tracepoints, exit status 0" \
		eval "eq 'exit status' 0 $RC && has $G.err '^memleak: tracing kernel allocations'"
}

# ---- deadlock --------------------------------------------------------------------------

# dl NAME ARGS...: deadlock's run (see applet_run).
dl() {
	applet_run deadlock "$@"
}

# dl_abba's one cycle, m1 <-> m2; exit status 1 (found something).
abba() {
	eq "exit status" 1 $RC &&
		has $G.err '^deadlock: 1 potential, 0 live deadlocks?; 2 lock-order edges$' &&
		has $G.out '^potential deadlock: lock-order cycle of 2 locks: m[12] \(0x[0-9a-f]+\) -> m[12] '
}

# The stacks of the cycle, with their source lines (the guest's programs
# are built with -g; musl's start, not): each lock taken in take_ab or take_ba (the
# return address at the lock function's entry: *sp on x86-64, the link
# register on arm64), called from musl's thread start (their frame
# record, walked through the frame pointer, %rbp or x29).
stacks() {
	has $G.out '^      take_ab\+0x[0-9a-f]+ \(dl_abba\) \(dl_abba\.c:[0-9]+\)$' &&
		has $G.out '^      take_ba\+0x[0-9a-f]+ \(dl_abba\) \(dl_abba\.c:[0-9]+\)$' &&
		eq "take_ab/take_ba frames not followed by start+ (dl_abba)" 0 \
			"$(awk '/^      take_(ab|ba)\+/ { getline n
				if (n !~ /^      start\+0x[0-9a-f]+ \(dl_abba\)$/) bad++ }
				END { print bad + 0 }' $G.out)"
}

deadlock_tests() {
	local m

	dl default -- /bin/dl_abba
	emit "MATRIX-ATTACH $K deadlock uprobes $(sed -n 's/^deadlock: tracing .*(\(.*\)); Ctrl-C to stop$/\1/p' $G.err) -"
	attached deadlock $G.err
	check deadlock "default: dl_abba's cycle m1 <-> m2" abba
	check deadlock "default: the stacks, take_ab/take_ba <- start" stacks
	for m in raw_tp tracepoint; do
		dl $m --attach uprobe,uretprobe,$m -- /bin/dl_abba
		check deadlock "--attach uprobe,uretprobe,$m: the cycle" abba
		check deadlock "--attach uprobe,uretprobe,$m: process exits seen with $m" \
			has $G.err "^deadlock: sched:sched_process_exit: attached [^ ]* \\($m\\)\$"
	done
}

# ---- deeptrace -------------------------------------------------------------------------

# A loopback pair from busybox: httpd (a process per connection, forked
# after accept) and wget.  deeptrace runs in the background for -d SEC
# once attached; the requests go out once it says it traces.
dt() {
	local name=$1
	shift
	G=$T/deeptrace-$name
	SHOW="$G.out $G.err"
	deeptrace -v --json -d 6 "$@" >$G.out 2>$G.err </dev/null &
	local pid=$!
	if ! wait_for $G.err "tracing socket syscalls" $pid 120; then
		wait $pid
		RC=$?
		dt_why
		return
	fi
	busybox wget -q -O /dev/null http://127.0.0.1:8000/index.html
	busybox wget -q -O /dev/null http://127.0.0.1:8000/nope 2>/dev/null
	wait $pid
	RC=$?
	[ $RC = 0 ] || dt_why
}

# The verifier says why at the end of its log (checks show the start).
dt_why() {
	echo "     --- the end of $G.err"
	tail -n 8 $G.err | sed 's/^/     | /'
}

# Both exchanges, each as wget's client span with httpd's server span as
# its child (the same TCP sequence), statuses 200 and 404.
dt_pair() {
	eq "exit status" 0 $RC &&
		same "client GET /index.html 200 root
server GET /index.html 200 tcp_seq
client GET /nope 404 root
server GET /nope 404 tcp_seq" "$(sed -n 's/.*"link":"\([a-z_]*\)".*"kind":"\([a-z]*\)".*"endpoint":"\([^"]*\)","status":\([0-9]*\).*/\2 \3 \4 \1/p' $G.out)"
}

deeptrace_tests() {
	local m

	mkdir -p $T/www
	echo hello >$T/www/index.html
	busybox httpd -p 127.0.0.1:8000 -h $T/www
	dt default
	attached deeptrace $G.err
	check deeptrace "default: wget -> httpd, two traces of two spans" dt_pair
	for m in raw_tp tracepoint; do
		dt $m --attach $m
		check deeptrace "--attach $m: the same traces" dt_pair
		check deeptrace "--attach $m: attached with $m" \
			has $G.err "^deeptrace: raw_syscalls:sys_exit: attached [^ ]* \\($m\\)\$"
	done
}

# ---- traceloop -------------------------------------------------------------------------

# tl NAME ARGS...: traceloop's run (see applet_run).
tl() {
	applet_run traceloop "$@"
}

# tl_seq's crash (static musl: open, not openat): the sequence, the signal,
# the stack by name.
tl_crash() {
	local d=$T/tl-crash
	eq "exit status" 0 $RC &&
		has $G.out '^=== traceloop: pid [0-9]+, dump at crash: the last [0-9]+ calls; 0 older ones overwritten ===$' &&
		has $G.out "^[0-9:.]+ read\([0-9]+, \"hello\", 5\) = 5 <" &&
		has $G.out "^[0-9:.]+ write\([0-9]+, \"ping\", 4\) = 4 <" &&
		has $G.out "^[0-9:.]+ open(at)?\((AT_FDCWD, )?\"$d/missing\", O_RDONLY[|A-Z_]*\) = -1 ENOENT \(No such file or directory\) <" &&
		has $G.out "^[0-9:.]+ connect\([0-9]+, \{sa_family=AF_INET, sin_port=htons\(1\), sin_addr=inet_addr\(\"127.0.0.1\"\)\}, 16\) = -1 ECONNREFUSED" &&
		has $G.out '^--- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0\} ---$' &&
		eq stack "crash_here run_and_crash main" \
			"$(sed -n 's/^ *\([a-z_]*\)+0x[0-9a-f]* (tl_seq) (tl_seq\.c:[0-9]*)$/\1/p' $G.out | head -n 3 | tr '\n' ' ' | sed 's/ $//')"
}

traceloop_tests() {
	local m total

	mkdir -p $T/tl-crash
	tl default -- /bin/tl_seq crash $T/tl-crash
	attached traceloop $G.err
	check traceloop "default: tl_seq's sequence, SIGSEGV and its stack" tl_crash
	for m in raw_tp tracepoint; do
		rm -f $T/tl-crash/*
		tl $m --attach $m -- /bin/tl_seq crash $T/tl-crash
		check traceloop "--attach $m: the sequence, the signal, the stack" tl_crash
		check traceloop "--attach $m: syscalls recorded with $m" \
			has $G.err "^traceloop: raw_syscalls:sys_exit: attached [^ ]* \\($m\\)\$"
	done
	tl ring-all --size 5000 -- /bin/tl_seq loop 1000
	total=$(sed -n 's/^=== .* the last \([0-9]*\) calls; 0 older ones overwritten ===$/\1/p' $G.out)
	tl ring --size 20 -- /bin/tl_seq loop 1000
	check traceloop "--size 20: the last 20 of $total calls, $((total - 20)) overwritten" \
		eval "[ -n '$total' ] && has $G.out '^=== traceloop: pid [0-9]+, dump at exit: the last 20 calls; $((total - 20)) older ones overwritten ===\$' &&
		      eq 'close(-1) shown' 19 \$(grep -c ' close(-1) = -1 EBADF' $G.out)"
}

# ---- main --------------------------------------------------------------------------------

emit "MATRIX-BOOT $K $(sha256sum /bin/bpfbox | cut -d' ' -f1)"
# bpfbox mounts tracefs when it needs it (the classic tracepoints, reason
# names without BTF): see dropwatch's "bpfbox mounted tracefs itself".
SHOW=/proc/mounts
check bpfbox "tracefs is not mounted at boot" eval "! grep -q ' tracefs ' /proc/mounts"
for app in $(bpfbox --list); do
	case $app in
	dropwatch) dropwatch_tests ;;
	report) report_tests ;;
	memleak) memleak_tests ;;
	deadlock) deadlock_tests ;;
	deeptrace) deeptrace_tests ;;
	traceloop) traceloop_tests ;;
	*) check "$app" "a guest test" eval "echo 'no guest test for $app: add one to tests/matrix/guest.sh'; false" ;;
	esac
done
if [ $fail = 0 ]; then
	emit "MATRIX-VERDICT $K PASS $pass $fail"
else
	emit "MATRIX-VERDICT $K FAIL $pass $fail"
fi
