#!/bin/bash
# tests/bench/memleak.sh (root): bpfbox memleak against peers on a
# malloc/free loop (tests/bench/memleak_loop.c: N x { p = malloc(32..64);
# free(p); } plus LEAK blocks of 48 bytes never freed).
#
# In one run:
#   1. the loop untraced, under bpfbox memleak (and -s 100), heaptrack,
#      valgrind memcheck --leak-check=full, a bpftrace uprobe counting
#      malloc, and an LD_PRELOAD tracker prototype (memleak_preload.c):
#      ns per iteration (the loop's own clock: start-up and teardown of
#      the tools are not in it), ratio to untraced, and whether each
#      found the LEAK blocks
#   2. what one probe hit costs: uprobe on malloc, uretprobe on malloc,
#      uprobe on free (+0), memleak's probe set with empty programs, and
#      by probed instruction on memleak_probes.c (emulated, single-stepped,
#      optimized nop5), plus a plain system call
#   3. bpfbox's BPF programs: run time per call (kernel.bpf_stats_enabled,
#      restored afterwards), per build
#   4. real programs, each tool once: python3 building a dict of
#      MEMLEAK_PY_KEYS keys as JSON with PYTHONMALLOC=malloc (seconds: the
#      whole run, and the work alone by python3's own clock, so that a
#      tool's start and final report are told from its cost per call), and
#      Debian's redis-server (jemalloc) under redis-benchmark SETs, attached
#      with -p where the tool can attach (bpfbox: the uprobe engine, and
#      the in-process engine loaded through ptrace, --engine inject)
#      (requests/s)
#
# Slow tracers run fewer iterations (N_SLOW) and the ratio is per
# iteration, so it does not depend on N; the table says which N each used.
#
# Knobs (environment):
#   MEMLEAK_N          iterations for untraced, heaptrack, bpftrace, preload (5000000)
#   MEMLEAK_N_SLOW     iterations for valgrind and bpfbox (300000)
#   MEMLEAK_N_HIT      iterations of the per-hit runs (300000; free+0: a third)
#   MEMLEAK_REPS       rounds of part 1; medians are shown (3)
#   MEMLEAK_EXTRA      more bpfbox builds to compare, "label=/path/to/bpfbox;..."
#                      (e.g. prototypes built in a copy of the tree)
#   MEMLEAK_PEERS=0    bpfbox only (no heaptrack, valgrind, bpftrace)
#   MEMLEAK_PY_KEYS    keys of the python3 workload (200000)
#   MEMLEAK_REDIS_N    SET requests of the redis workload (100000)
#   MEMLEAK_REAL=0     no part 4
#   MEMLEAK_REAL_REPS  rounds of part 4; medians are shown (1)
#   MEMLEAK_PARTS      the parts to run ("1 1b 2 3 4"), e.g. MEMLEAK_PARTS=4
#                      MEMLEAK_PY_KEYS=20000 MEMLEAK_REDIS_N=10000 for a short
#                      run of the real programs alone
# It never fails on timings; it exits 1 if a leak check fails for bpfbox
# or the setup cannot be made.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
OUT=$ROOT/build/bench
N=${MEMLEAK_N:-5000000}
N_SLOW=${MEMLEAK_N_SLOW:-300000}
N_HIT=${MEMLEAK_N_HIT:-300000}
REPS=${MEMLEAK_REPS:-3}
PEERS=${MEMLEAK_PEERS:-1}
LEAK=3
FAIL=0
PARTS=" ${MEMLEAK_PARTS:-1 1b 2 3 4} "
part() { [[ $PARTS == *" $1 "* ]]; }

say() { printf '%s\n' "$*"; }
die() { say "memleak bench: $*" >&2; exit 1; }
. "$ROOT/scripts/apt-lib.sh"
. "$ROOT/tests/bench/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x bpfbox ] || die "no ./bpfbox: run make"
command -v gcc > /dev/null || die "needs gcc"

TMP=$(mktemp -d /tmp/bpfbox-memleak.XXXXXX)
BGPIDS=()
OLD_STATS=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
cleanup() {
	local p
	for p in "${BGPIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	sysctl -qw kernel.bpf_stats_enabled="$OLD_STATS" 2>/dev/null
	for e in free0 freeskip; do
		[ -d "${TRACEFS:-/nonexistent}/events/${EVGROUP:-none}/$e" ] || continue
		echo 0 > "$TRACEFS/events/$EVGROUP/$e/enable"
		echo "-:$EVGROUP/$e" >> "$TRACEFS/uprobe_events"
	done 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
# Frame pointers: every tracer here walks them (bpfbox, the preload tracker)
# or can use them; -fno-builtin keeps the malloc/free pair in the loop.
gcc -O2 -g -fno-omit-frame-pointer -fno-builtin -Wall -Wextra -o "$OUT/mallocloop" \
	tests/bench/memleak_loop.c || die "cannot build mallocloop"
gcc -O2 -g -fno-omit-frame-pointer -fno-builtin -fcf-protection=full -DOWN_ALLOCATOR -Wall -Wextra \
	-o "$OUT/mallocloop-cet" tests/bench/memleak_loop.c || die "cannot build mallocloop-cet"
gcc -O2 -g -fno-omit-frame-pointer -fPIC -shared -Wall -Wextra -o "$OUT/memleak_preload.so" \
	tests/bench/memleak_preload.c || die "cannot build memleak_preload.so"
gcc -O2 -Wall -Wextra -o "$OUT/memleak_probes" tests/bench/memleak_probes.c ||
	die "cannot build memleak_probes"
LOOP=$OUT/mallocloop
PROBES=$OUT/memleak_probes

# The tree is shared: a rebuild during the run must not change the subject.
cp bpfbox "$TMP/bpfbox" || die "cannot copy ./bpfbox"
BUILDS=("bpfbox=$TMP/bpfbox")
IFS=';' read -r -a EXTRA <<< "${MEMLEAK_EXTRA:-}"
for e in "${EXTRA[@]}"; do
	[ -n "$e" ] || continue
	lbl=${e%%=*} path=${e#*=}
	[ -x "$path" ] || die "MEMLEAK_EXTRA: $path is not executable"
	cp "$path" "$TMP/bb.$lbl" || die "cannot copy $path"
	BUILDS+=("$lbl=$TMP/bb.$lbl")
done

LIBC=$(ldd "$LOOP" | awk '$1 ~ /^libc\.so/ { print $3 }')
LIBC=$(readlink -f "$LIBC")
[ -r "$LIBC" ] || die "cannot find the loop's libc"

# Peers: install what is missing, go on without what cannot be had.
NOTES=()
have() { command -v "$1" > /dev/null; }
if [ "$PEERS" = 1 ]; then
	for t in heaptrack valgrind bpftrace gdb; do
		have $t && continue
		want_packages $t || NOTES+=("$t: not installed (see build/apt-deb/install.log)")
	done
fi

# ---------------------------------------------------------------- helpers


# One traced (or not) run of the loop: run_kind KIND ITERATIONS OUTFILE.
# Prints nothing; OUTFILE holds the loop's and the tool's output.
run_kind() {
	local kind=$1 n=$2 out=$3 bb
	case $kind in
	untraced)
		"$LOOP" "$n" $LEAK > "$out" 2>&1;;
	bb:*)	# bb:LABEL (a build), bb:LABEL:s100 (with -s 100)
		bb=${kind#bb:}
		bb=$(build_path "${bb%%:*}")
		case $kind in
		*:s100) "$bb" memleak -s 100 -- "$LOOP" "$n" $LEAK > "$out" 2>&1;;
		*) "$bb" memleak -- "$LOOP" "$n" $LEAK > "$out" 2>&1;;
		esac;;
	heaptrack)
		(cd "$TMP" && heaptrack -o "$TMP/ht" "$LOOP" "$n" $LEAK) > "$out" 2>&1
		rm -f "$TMP"/ht*;;
	valgrind)
		valgrind --tool=memcheck --leak-check=full "$LOOP" "$n" $LEAK > "$out" 2>&1;;
	bpftrace)
		(cd "$TMP" && bpftrace -e "uprobe:$LIBC:malloc /pid == cpid/ { @n = count(); }" \
			-c "$LOOP $n $LEAK") > "$out" 2>&1;;
	preload)
		LD_PRELOAD=$OUT/memleak_preload.so "$LOOP" "$n" $LEAK > "$out" 2>&1;;
	esac
}
build_path() {
	local b
	for b in "${BUILDS[@]}"; do
		[ "${b%%=*}" = "$1" ] && { say "${b#*=}"; return; }
	done
}

# leak_check KIND OUTFILE: did the tool see the LEAK blocks (and only them)?
leak_check() {
	local kind=$1 out=$2 bytes=$((LEAK * 48)) n
	case $kind in
	untraced) say "-";;
	*:s100) say "(sampled)";;
	bb:*)
		# The final report: LEAK blocks from leak() (rows of any leak kind),
		# no block of the churn.
		if [ "$(awk -v what=stacks -f tests/e2e/memleak-sums.awk "$out" |
			awk '$3 ~ /(^|;)leak(;|$)/ { b += $1; c += $2 } END { print b + 0, c + 0 }')" = \
		     "$bytes $LEAK" ] &&
		   ! awk '/\(final\)/ { f = 1 } f' "$out" | grep -q 'churn'; then
			say "OK"
		else
			say "WRONG"
		fi;;
	heaptrack)
		n=$(awk -F'\t' '/leaked allocations:/ { print $NF + 0 }' "$out")
		# + the stdio buffer, which glibc does not free at exit
		[ "$n" = $((LEAK + 1)) ] && say "OK" || say "WRONG (${n:-none})";;
	valgrind)
		grep -q "in use at exit: $bytes bytes in $LEAK blocks" "$out" && say "OK" || say "WRONG";;
	bpftrace)
		n=$(awk '/^@n:/ { print $2 }' "$out")
		say "counts ${n:-?} mallocs";;
	preload)
		grep -q "outstanding $((LEAK + 1)) allocations, $((bytes + 4096)) bytes" "$out" &&
			say "OK" || say "WRONG";;
	esac
}

say "bpfbox memleak bench: kernel $(uname -r), $(nproc) CPUs, $(ldd --version | head -1)"
say "loop: $LOOP (N x malloc(32..64)+free, then $LEAK x malloc(48) leaked), libc $LIBC"
for b in "${BUILDS[@]}"; do say "build ${b%%=*}: $(stat -c %s "${b#*=}") bytes"; done
for t in heaptrack valgrind bpftrace; do
	have $t && say "$t: $($t --version 2>&1 | head -1)"
done
# Where the probes land in this libc: the first instructions of malloc and free.
for f in malloc free; do
	a=$(nm -D "$LIBC" | awk -v f=$f '$3 == f || index($3, f "@@") == 1 { print $1; exit }')
	[ -n "$a" ] || continue
	say "$f+0: $(objdump -d --no-show-raw-insn --start-address=0x$a \
		--stop-address=$(printf '0x%x' $((0x$a + 12))) "$LIBC" | awk -F'\t' 'NF > 1 { printf "%s; ", $2 }')"
done

# ------------------------------------------- 1. the loop under each tracer
declare -A M RATIO
if part 1; then	# (parts are not indented)
hr
say "1. ns per loop iteration, $REPS rounds (each traced run against the untraced run of its round)"
KINDS=(untraced)
for b in "${BUILDS[@]}"; do KINDS+=("bb:${b%%=*}" "bb:${b%%=*}:s100"); done
if [ "$PEERS" = 1 ]; then
	have heaptrack && KINDS+=(heaptrack)
	have valgrind && KINDS+=(valgrind)
	have bpftrace && KINDS+=(bpftrace)
fi
KINDS+=(preload)
iters() {
	case $1 in
	bb:* | valgrind) say "$N_SLOW";;
	*) say "$N";;
	esac
}
declare -A NS CHECK WALL
for ((r = 1; r <= REPS; r++)); do
	for k in "${KINDS[@]}"; do
		n=$(iters "$k")
		t0=$(date +%s%N)
		run_kind "$k" "$n" "$TMP/run.out"
		t1=$(date +%s%N)
		v=$(kv "$TMP/run.out" ns_per_iter)
		c=$(leak_check "$k" "$TMP/run.out")
		NS[$k,$r]=${v:--}
		WALL[$k,$r]=$(calc "($t1 - $t0) / 1e9" %.2f)
		# A check that failed in any round stays failed.
		case ${CHECK[$k]:-} in WRONG*) ;; *) CHECK[$k]=$c;; esac
		[ -n "$v" ] || { say "  $k: no result; its output:"; tail -5 "$TMP/run.out" | sed 's/^/    | /'; }
		case $k in bb:*) [ "$c" = WRONG ] && { FAIL=1; cp "$TMP/run.out" "$TMP/bad.$k"; };; esac
		printf '  round %d %-20s N=%-8s %10s ns/iter  wall %6ss  %s\n' "$r" "$k" "$n" "${v:--}" \
			"${WALL[$k,$r]}" "$c"
	done
done
for k in "${KINDS[@]}"; do
	[ "${CHECK[$k]}" = WRONG ] || continue
	case $k in bb:*) say "  $k: final report does not show the $LEAK leaked blocks:"
		sed 's/^/    | /' "$TMP/bad.$k" 2>/dev/null | tail -20;; esac
done
for k in "${KINDS[@]}"; do
	vals=() rats=()
	for ((r = 1; r <= REPS; r++)); do
		vals+=("${NS[$k,$r]}")
		[ "${NS[$k,$r]}" != - ] && [ "${NS[untraced,$r]}" != - ] &&
			rats+=("$(calc "${NS[$k,$r]} / ${NS[untraced,$r]}" %.2f)")
	done
	M[$k]=$(median "${vals[@]}")
	RATIO[$k]=$(median "${rats[@]}")
done
fi	# part 1

# ------------------- 1b. an allocator whose functions start with endbr64
CET=()
if part 1b; then
hr
say "1b. the loop with its own malloc/free (endbr64; jmp __libc_*): CET-built libcs look like this"
declare -A CNS
for ((r = 1; r <= REPS; r++)); do
	CNS[untraced,$r]=$(kv <("$OUT/mallocloop-cet" "$N" $LEAK) ns_per_iter)
	for b in "${BUILDS[@]}"; do
		"${b#*=}" memleak -- "$OUT/mallocloop-cet" $((N_SLOW / 3)) $LEAK > "$TMP/cet.out" 2>&1
		CNS[${b%%=*},$r]=$(kv "$TMP/cet.out" ns_per_iter)
		c=$(leak_check bb: "$TMP/cet.out")
		say "  round $r ${b%%=*}: ${CNS[${b%%=*},$r]:--} ns/iter (untraced ${CNS[untraced,$r]}), leaks: $c"
	done
done
for b in untraced "${BUILDS[@]}"; do
	l=${b%%=*} vals=()
	for ((r = 1; r <= REPS; r++)); do vals+=("${CNS[$l,$r]:--}"); done
	m=$(median "${vals[@]}")
	CET+=("| $l | $([ "$l" = untraced ] && say "$N" || say $((N_SLOW / 3))) | $(calc "$m" %.0f) | $(calc "$m / $(median $(for ((r = 1; r <= REPS; r++)); do say "${CNS[untraced,$r]}"; done))" %.1f) |")
done
fi	# part 1b

# ------------------------------------------------ 2. cost of one probe hit
TRACEFS=/sys/kernel/tracing
[ -d "$TRACEFS/events" ] || TRACEFS=/sys/kernel/debug/tracing
EVGROUP=mlbench$$
# The file offset of link-time address $2 in ELF file $1.
file_offset() {
	local typ off va pa fs rest a=$(($2))
	while read -r typ off va pa fs rest; do
		[ "$typ" = LOAD ] || continue
		if ((a >= va && a < va + fs)); then say $((a - va + off)); return; fi
	done < <(readelf -lW "$1")
}
# uprobe_event_cost NAME FILE_OFFSET ITERATIONS: ns per hit of a tracefs
# uprobe event (system-wide, filtered so that nothing is recorded).
uprobe_event_cost() {
	local b t
	echo "p:$EVGROUP/$1 $LIBC:$(printf '0x%x' "$2")" >> "$TRACEFS/uprobe_events" 2>/dev/null || return 1
	echo 'common_pid == 1' > "$TRACEFS/events/$EVGROUP/$1/filter"
	b=$(kv <("$LOOP" "$3" 0) ns_per_iter)
	echo 1 > "$TRACEFS/events/$EVGROUP/$1/enable"
	t=$(kv <("$LOOP" "$3" 0) ns_per_iter)
	echo 0 > "$TRACEFS/events/$EVGROUP/$1/enable"
	echo "-:$EVGROUP/$1" >> "$TRACEFS/uprobe_events"
	calc "$t - $b" %.0f
}
free_skip_rows() {
	local a insns next c0 c9
	[ -w "$TRACEFS/uprobe_events" ] || return
	a=$(nm -D "$LIBC" | awk '$3 == "free" || index($3, "free@@") == 1 { print $1; exit }')
	[ -n "$a" ] || return
	insns=$(objdump -d --no-show-raw-insn --start-address=0x$a \
		--stop-address=$(printf '0x%x' $((0x$a + 16))) "$LIBC" | awk -F'\t' 'NF > 1 { print $1 "\t" $2 }')
	# The first instruction after "test %rdi,%rdi; je ...", if free starts so.
	next=$(say "$insns" | awk -F'\t' 'NR == 1 && $2 !~ /^test +%rdi,%rdi/ { exit }
		NR == 2 && $2 !~ /^je / { exit } NR == 3 { sub(":", "", $1); gsub(" ", "", $1); print $1; exit }')
	[ -n "$next" ] || return
	c0=$(uprobe_event_cost free0 "$(file_offset "$LIBC" 0x$a)" $((N_HIT / 3)))
	c9=$(uprobe_event_cost freeskip "$(file_offset "$LIBC" 0x$next)" "$N_HIT")
	PH+=("| tracefs uprobe event on free+0 (test: single-stepped) | $c0 ns |")
	PH+=("| tracefs uprobe event on free+$((0x$next - 0x$a)) ($(say "$insns" | awk -F'\t' 'NR == 3 { print $2 }'): emulated) | $c9 ns |")
}
hr
PH=()	# rows of the per-hit table
declare -A HIT
if ! part 2; then
	say "2. skipped (MEMLEAK_PARTS)"
elif have bpftrace; then
	say "2. one probe hit (bpftrace, count-only programs; per hit = traced - untraced ns per iteration)"
	NF0=$((N_HIT / 3))
	hit_run() {	# hit_run LABEL ITER PROGRAM...: median of 3 ns/iter of the loop under bpftrace
		local label=$1 n=$2 prog=$3 i v vals=()
		for i in 1 2 3; do
			(cd "$TMP" && bpftrace -e "$prog" -c "$LOOP $n 0") > "$TMP/hit.out" 2>&1
			v=$(kv "$TMP/hit.out" ns_per_iter)
			[ -n "$v" ] && vals+=("$v")
		done
		[ ${#vals[@]} -gt 0 ] || { say "  $label: bpftrace failed: $(grep -m1 ERROR "$TMP/hit.out")"; }
		HIT[$label]=$(median "${vals[@]}")
	}
	base=()
	for i in 1 2 3; do base+=("$(kv <("$LOOP" "$N_HIT" 0) ns_per_iter)"); done
	HIT[none]=$(median "${base[@]}")
	F="/pid == cpid/ { @n = count(); }"
	hit_run malloc "$N_HIT" "uprobe:$LIBC:malloc $F"
	hit_run malloc-ret "$N_HIT" "uretprobe:$LIBC:malloc $F"
	hit_run malloc-both "$N_HIT" "uprobe:$LIBC:malloc $F uretprobe:$LIBC:malloc $F"
	hit_run free "$NF0" "uprobe:$LIBC:free $F"
	hit_run set "$NF0" "uprobe:$LIBC:malloc $F uretprobe:$LIBC:malloc $F uprobe:$LIBC:free $F"
	d() { calc "${HIT[$1]} - ${HIT[none]}" %.0f; }
	PH+=("| uprobe on malloc+0 (push %r12: emulated) | $(d malloc) ns |")
	PH+=("| uretprobe on malloc (its entry trap + the return) | $(d malloc-ret) ns |")
	PH+=("| ... of which the return (uretprobe - uprobe) | $(calc "${HIT[malloc-ret]} - ${HIT[malloc]}" %.0f) ns |")
	PH+=("| uprobe + uretprobe on malloc (one shared entry trap) | $(d malloc-both) ns |")
	PH+=("| uprobe on free+0 (test %rdi,%rdi: single-stepped) | $(d free) ns |")
	PH+=("| memleak's probe set, empty programs (malloc entry+return, free+0), per iteration | $(d set) ns (x$(calc "${HIT[set]} / ${HIT[none]}" %.0f)) |")
	say "  untraced ${HIT[none]} ns/iter; malloc ${HIT[malloc]}, uretprobe malloc ${HIT[malloc-ret]}," \
	    "both ${HIT[malloc-both]}, free ${HIT[free]}, set ${HIT[set]} (N=$N_HIT, free: $NF0)"
	# By probed instruction, on functions of memleak_probes (only this process runs them).
	for kind in push nop nop5 endbr test; do
		n=$N_HIT
		case $kind in endbr | test) n=$((N_HIT / 10));; esac
		b=$(kv <("$PROBES" "$kind" "$n") ns_per_call)
		vals=()
		for i in 1 2 3; do
			(cd "$TMP" && bpftrace -e "uprobe:$PROBES:f_$kind { @n = count(); }" -c "$PROBES $kind $n") \
				> "$TMP/p.out" 2>&1
			vals+=("$(kv "$TMP/p.out" ns_per_call)")
		done
		HIT[i.$kind]=$(calc "$(median "${vals[@]}") - $b" %.0f)
	done
	vals=()
	for i in 1 2 3; do
		(cd "$TMP" && bpftrace -e "uretprobe:$PROBES:f_push { @n = count(); }" -c "$PROBES push $N_HIT") \
			> "$TMP/p.out" 2>&1
		vals+=("$(kv "$TMP/p.out" ns_per_call)")
	done
	HIT[i.ret]=$(calc "$(median "${vals[@]}") - $(kv <("$PROBES" push "$N_HIT") ns_per_call)" %.0f)
	HIT[syscall]=$(kv <("$PROBES" syscall "$N_HIT") ns_per_call)
	# glibc's free past "test %rdi,%rdi; je": bpftrace 0.17 cannot put a
	# uprobe at an offset, so a tracefs uprobe event does (filtered to
	# nothing, not recorded), at free+0 and there.
	free_skip_rows
	PH+=("| by probed instruction: push (emulated) | ${HIT[i.push]} ns |")
	PH+=("| nop (emulated) | ${HIT[i.nop]} ns |")
	PH+=("| nop5 (6.18: call to the uprobe trampoline, a syscall, no trap) | ${HIT[i.nop5]} ns |")
	PH+=("| endbr64 (single-stepped: CET-built libcs start functions with it) | ${HIT[i.endbr]} ns |")
	PH+=("| test %rdi,%rdi (single-stepped) | ${HIT[i.test]} ns |")
	PH+=("| uretprobe on a push (entry trap + return) | ${HIT[i.ret]} ns |")
	PH+=("| a getppid() system call, for scale | ${HIT[syscall]} ns |")
else
	say "2. skipped: no bpftrace"
fi

# ------------------------------------- 3. bpfbox's BPF programs, per call
hr
say "3. BPF run time per call (kernel.bpf_stats_enabled=1 during this part only; was $OLD_STATS)"
BS=()
part 3 || say "  skipped (MEMLEAK_PARTS)"
# bpf_snap PID: "id name run_time_ns run_cnt" of the programs PID holds
# (by their fds: other jobs may run programs of the same names).
bpf_snap() {
	local ids
	ids=$(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { printf "%s ", $2 }')
	bpftool prog show 2>/dev/null | awk -v ids=" $ids" '
		/^[0-9]+: / { id = $1; sub(":", "", id); name = ""; rt = 0; rc = 0
			for (i = 1; i <= NF; i++) {
				if ($i == "name") name = $(i + 1)
				if ($i == "run_time_ns") rt = $(i + 1)
				if ($i == "run_cnt") rc = $(i + 1)
			}
			if (index(ids, " " id " ")) print id, name, rt, rc }'
}
if ! part 3; then
	:
elif have bpftool && sysctl -qw kernel.bpf_stats_enabled=1; then
	for b in "${BUILDS[@]}"; do
		lbl=${b%%=*} bb=${b#*=}
		"$LOOP" 2000000000 0 > /dev/null 2>&1 &
		LPID=$!; BGPIDS+=("$LPID")
		# -p needs the loop, not the shell that has not exec'd it yet.
		for ((i = 0; i < 100; i++)); do
			[ "$(readlink /proc/"$LPID"/exe)" = "$LOOP" ] && break
			sleep 0.02
		done
		"$bb" memleak -p "$LPID" -i 0 > "$TMP/st.out" 2>&1 &
		TPID=$!; BGPIDS+=("$TPID")
		for ((i = 0; i < 100; i++)); do grep -q tracing "$TMP/st.out" && break; sleep 0.1; done
		sleep 1
		# Iterations from the programs' run counts, time from the clock: the
		# loop's CPU time is not usable here (with the tick stopped on a task
		# that never sleeps, neither schedstat nor utime/stime keep up).
		bpf_snap "$TPID" > "$TMP/s1"; c0=$(date +%s%N)
		sleep 2
		bpf_snap "$TPID" > "$TMP/s2"; c1=$(date +%s%N)
		alive=1
		kill -0 "$LPID" 2>/dev/null || alive=0
		kill -INT "$TPID"; wait "$TPID" 2>/dev/null
		kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
		if [ $alive = 0 ] || ! grep -q tracing "$TMP/st.out"; then
			say "  $lbl: the run failed (loop alive: $alive):"; tail -3 "$TMP/st.out" | sed 's/^/    | /'
			continue
		fi
		rows=$(join <(sort "$TMP/s1") <(sort "$TMP/s2") | awk '{ dc = $7 - $4; dt = $6 - $3
			if (dc > 0) printf "%s %d %.0f\n", $2, dc, dt / dc }')
		# Every design runs 3 programs (or one program 3 times) an iteration:
		# malloc's entry, its return, free's entry.
		calls=$(say "$rows" | awk '{ n += $2 } END { printf "%d", n / 3 }')
		tot=$(say "$rows" | awk '{ t += $2 * $3 } END { printf "%d", t }')
		say "  $lbl: $(say "$rows" | awk '{ printf "%s %s ns (%d runs); ", $1, $3, $2 }')"
		if [ -n "$calls" ] && [ "$calls" -gt 0 ]; then
			it=$(calc "($c1 - $c0) / $calls" %.0f)
			say "    per loop iteration: BPF $(calc "$tot / $calls" %.0f) ns of $it ns" \
			    "(the rest: traps, uprobe dispatch, the loop; bpf_stats adds ~2 clock reads a run)"
			BS+=("| $lbl | $(say "$rows" | awk '{ printf "%s %s ns; ", $1, $3 }') | $(calc "$tot / $calls" %.0f) ns | $it ns |")
		fi
	done
	sysctl -qw kernel.bpf_stats_enabled="$OLD_STATS"
else
	say "  skipped: no bpftool, or kernel.bpf_stats_enabled cannot be set"
fi

# --------------------------------- 4. real programs: python3, redis-server
# python3 building a dict of PY_KEYS keys and dumping it as JSON, every
# object through malloc (PYTHONMALLOC=malloc): wall time of the whole run.
# redis-server (Debian's, jemalloc) on a unix socket, attached (-p, or
# started under the tool when it cannot attach), under redis-benchmark
# SETs: requests per second.
PY_KEYS=${MEMLEAK_PY_KEYS:-200000}
REAL_REPS=${MEMLEAK_REAL_REPS:-1}
REDIS_N=${MEMLEAK_REDIS_N:-100000}
REAL=()
PYPROG=$TMP/json_dict.py
# (The work's own time on stderr, "work_s S": the run's part that is
# the tool's cost per call, without its start and its final report.)
printf 'import json, sys, time\nt = time.perf_counter()\nd = {str(i): [i, str(i)] for i in range(%d)}\nprint(len(json.dumps(d)))\nprint("work_s %%.3f" %% (time.perf_counter() - t), file=sys.stderr)\n' \
	"$PY_KEYS" > "$PYPROG"
# py_run KIND: seconds of the python3 run under KIND ("-" if it failed, or
# not for python3); the work's own seconds in $TMP/pywork.KIND.
# KIND.LABEL: with the build LABEL of MEMLEAK_EXTRA (bb.before, bbi.before).
kind_bin() { case $1 in *.*) build_path "${1#*.}";; *) say "$TMP/bpfbox";; esac; }
py_run() {
	local t0 t1 rc bb
	case $1 in bbi*) say -; return;; esac	# (--engine inject: for a running process)
	bb=$(kind_bin "$1")
	t0=$(date +%s%N)
	case ${1%%.*} in
	untraced) PYTHONMALLOC=malloc "$PY3" "$PYPROG";;
	bb) PYTHONMALLOC=malloc "$bb" memleak -i 0 -T 3 -- "$PY3" "$PYPROG";;
	bbu) PYTHONMALLOC=malloc "$bb" memleak --engine uprobe -i 0 -T 3 -- "$PY3" "$PYPROG";;
	heaptrack) (cd "$TMP" && PYTHONMALLOC=malloc heaptrack -o "$TMP/htpy" "$PY3" "$PYPROG");;
	valgrind) PYTHONMALLOC=malloc valgrind --tool=memcheck --leak-check=full "$PY3" "$PYPROG";;
	bpftrace) (cd "$TMP" && PYTHONMALLOC=malloc bpftrace -e \
		"uprobe:$LIBC:malloc /pid == cpid/ { @n = count(); }" -c "$PY3 $PYPROG");;
	esac > "$TMP/py.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	rm -f "$TMP"/htpy*
	kv "$TMP/py.out" work_s > "$TMP/pywork.$1"
	grep -q "^[0-9]\{6,\}$" "$TMP/py.out" && [ $rc = 0 ] && calc "($t1 - $t0) / 1e9" %.2f || say -
}
REDIS_SOCK=$TMP/redis.sock
REDIS_ARGS=(--port 0 --unixsocket "$REDIS_SOCK" --save '' --appendonly no --dir "$TMP")
redis_up() {
	local i
	for ((i = 0; i < 300; i++)); do
		redis-cli -s "$REDIS_SOCK" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	return 1
}
# redis_rps: SET requests per second redis-benchmark sees.
redis_rps() {
	redis-benchmark -s "$REDIS_SOCK" -t set -n "$REDIS_N" -r 100000 -d 64 -q 2>/dev/null |
		tr '\r' '\n' | awk '/^SET: / { print $2 }' | tail -1
}
# redis_run KIND: requests/s with redis-server under KIND ("-" if it failed).
redis_run() {
	local rpid tpid rps bb
	bb=$(kind_bin "$1")
	rm -f "$REDIS_SOCK"
	case $1 in
	valgrind) valgrind --tool=memcheck --leak-check=full redis-server "${REDIS_ARGS[@]}" \
		> "$TMP/rd.log" 2>&1 &;;
	*) redis-server "${REDIS_ARGS[@]}" > "$TMP/rd.log" 2>&1 &;;
	esac
	rpid=$!; BGPIDS+=("$rpid")
	redis_up || { say -; kill "$rpid" 2>/dev/null; return; }
	tpid=
	case ${1%%.*} in
	bb|bbu|bbi)
	    if [ "${1%%.*}" = bbi ]; then
		    "$bb" memleak --engine inject -i 0 -T 3 -p "$rpid" > "$TMP/rt.out" 2>&1 &
	    else
		    "$bb" memleak -i 0 -T 3 -p "$rpid" > "$TMP/rt.out" 2>&1 &
	    fi
	    tpid=$!
	    for ((i = 0; i < 300; i++)); do grep -qs '^memleak: tracing' "$TMP/rt.out" && break; sleep 0.1; done
	    # Not tracing (it failed, or is too slow): no figure, not an untraced one.
	    grep -qs '^memleak: tracing' "$TMP/rt.out" || rps=-;;
	heaptrack) (cd "$TMP" && heaptrack -o "$TMP/htrd" -p "$rpid") > "$TMP/rt.out" 2>&1 &
	    tpid=$!
	    for ((i = 0; i < 300; i++)); do grep -q 'injecting\|heaptrack output will be written' "$TMP/rt.out" && break; sleep 0.1; done
	    sleep 2;;
	bpftrace) bpftrace -p "$rpid" -e "uprobe:$JEMALLOC:malloc { @n = count(); }" > "$TMP/rt.out" 2>&1 &
	    tpid=$!
	    for ((i = 0; i < 100; i++)); do grep -q '^Attaching' "$TMP/rt.out" && break; sleep 0.1; done
	    sleep 1;;
	esac
	[ -n "$tpid" ] && BGPIDS+=("$tpid")
	[ "${rps:-}" = - ] || rps=$(redis_rps)
	redis-cli -s "$REDIS_SOCK" shutdown nosave > /dev/null 2>&1
	wait "$rpid" 2>/dev/null
	[ -n "$tpid" ] && { kill -INT "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null; }
	rm -f "$TMP"/htrd*
	say "${rps:--}"
}
JEMALLOC=$(ldd "$(command -v redis-server 2>/dev/null || echo /nonexistent)" 2>/dev/null |
	awk '$1 ~ /^libjemalloc/ { print $3 }')
hr
# python3 itself, not a wrapper that execs it (pyenv's shims are shell
# scripts: valgrind would trace the shell and not the python3 it execs).
PY3=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if part 4 && [ "${MEMLEAK_REAL:-1}" = 1 ] && [ -x "$PY3" ] && have redis-server && have redis-benchmark; then
	say "python3: $PY3 ($("$PY3" --version 2>&1))"
	say "4. real programs: python3 JSON ($PY_KEYS keys, PYTHONMALLOC=malloc), seconds;" \
	    "redis-server SET ($REDIS_N requests, 64-byte values), requests/s"
	RK=(untraced bb bbu bbi)
	# The other builds: their in-process engine (python3 preloaded, redis injected).
	for b in "${BUILDS[@]:1}"; do RK+=("bb.${b%%=*}" "bbi.${b%%=*}"); done
	if [ "$PEERS" = 1 ]; then
		have heaptrack && RK+=(heaptrack)
		have valgrind && RK+=(valgrind)
		have bpftrace && RK+=(bpftrace)
	fi
	declare -A PY PW RD PYR PWR RDR
	for ((r = 1; r <= REAL_REPS; r++)); do
		for k in "${RK[@]}"; do
			PY[$k,$r]=$(py_run "$k")
			PW[$k,$r]=$(cat "$TMP/pywork.$k" 2>/dev/null)
			PW[$k,$r]=${PW[$k,$r]:--}
			RD[$k,$r]=$(redis_run "$k")
			say "  round $r $k: python3 ${PY[$k,$r]} s (its work ${PW[$k,$r]} s)," \
			    "redis ${RD[$k,$r]} requests/s"
			case $k in bb*) [ -s "$TMP/rt.out" ] &&
				grep '^memleak: ' "$TMP/rt.out" | head -3 | sed 's/^/    | /';; esac
		done
	done
	# Medians of the rounds; ratios against the same round's untraced run.
	for k in "${RK[@]}"; do
		py=() pw=() rd=() pyr=() pwr=() rdr=()
		for ((r = 1; r <= REAL_REPS; r++)); do
			py+=("${PY[$k,$r]}") pw+=("${PW[$k,$r]}") rd+=("${RD[$k,$r]}")
			pyr+=("$(ratio "${PY[$k,$r]}" "${PY[untraced,$r]}" %.2f)")
			pwr+=("$(ratio "${PW[$k,$r]}" "${PW[untraced,$r]}" %.2f)")
			rdr+=("$(ratio "${RD[untraced,$r]}" "${RD[$k,$r]}" %.2f)")
		done
		PY[$k]=$(median "${py[@]}") PW[$k]=$(median "${pw[@]}") RD[$k]=$(median "${rd[@]}")
		PYR[$k]=$(median "${pyr[@]}") PWR[$k]=$(median "${pwr[@]}") RDR[$k]=$(median "${rdr[@]}")
	done
	rlabel() {
		case $1 in
		bb.*) say "${1#*.}: bpfbox memleak (python3: the in-process engine)";;
		bbi.*) say "${1#*.}: bpfbox memleak --engine inject (redis)";;
		untraced) say "untraced";;
		bb) say "bpfbox memleak (python3: the in-process engine; redis: -p, uprobes)";;
		bbu) say "bpfbox memleak --engine uprobe (redis: -p, uprobes)";;
		bbi) say "bpfbox memleak --engine inject (redis: -p, the in-process engine loaded through ptrace)";;
		heaptrack) say "heaptrack (redis: heaptrack -p, injected through gdb)";;
		valgrind) say "valgrind memcheck --leak-check=full (redis: started under it)";;
		bpftrace) say "bpftrace: uprobe on malloc, count only (redis: -p)";;
		esac
	}
	for k in "${RK[@]}"; do
		REAL+=("| $(rlabel "$k") | ${PY[$k]} s | $(calc "${PYR[$k]}" %.1f) | ${PW[$k]} s | $(calc "${PWR[$k]}" %.1f) | $(calc "${RD[$k]}" %.0f) | $(calc "${RDR[$k]}" %.1f) |")
	done
else
	say "4. skipped: MEMLEAK_PARTS, MEMLEAK_REAL=0, or no python3 / redis-server / redis-benchmark"
fi

# ------------------------------------------------------------------ summary
hr
say "Summary: kernel $(uname -r), $(nproc) CPUs, parts:$PARTS"
label() {
	case $1 in
	untraced) say "untraced";;
	*:s100) local b=${1#bb:}; say "${b%%:*} memleak -s 100 (1 in 100 tracked)";;
	heaptrack) say "heaptrack (LD_PRELOAD, pipe to an interpreter)";;
	valgrind) say "valgrind memcheck --leak-check=full";;
	bpftrace) say "bpftrace: uprobe on malloc, count only";;
	preload) say "LD_PRELOAD tracker prototype (memleak_preload.c): stacks + outstanding";;
	bb:*) say "${1#bb:} memleak";;
	esac
}
if part 1; then
	say "the loop untraced: ${M[untraced]} ns/iteration (N=$N); medians of $REPS rounds;" \
	    "ratio = traced / untraced ns per iteration of the loop (its own clock)"
	say ""
	say "| tracer | iterations | ns/iteration | x untraced | leaks found |"
	say "|---|---|---|---|---|"
	for k in "${KINDS[@]}"; do
		say "| $(label "$k") | $(iters "$k") | $(calc "${M[$k]}" %.0f) | $(calc "${RATIO[$k]}" %.1f) | ${CHECK[$k]} |"
	done
fi
if [ ${#CET[@]} -gt 0 ]; then
	say ""
	say "| allocator with endbr64 at entry (mallocloop-cet) | iterations | ns/iteration | x untraced |"
	say "|---|---|---|---|"
	printf '%s\n' "${CET[@]}"
fi
if [ ${#PH[@]} -gt 0 ]; then
	say ""
	say "| one probe hit (count-only bpftrace program) | cost |"
	say "|---|---|"
	printf '%s\n' "${PH[@]}"
fi
if [ ${#BS[@]} -gt 0 ]; then
	say ""
	say "| build | BPF ns per program run | BPF per iteration | ns per iteration (-p, bpf_stats on) |"
	say "|---|---|---|---|"
	printf '%s\n' "${BS[@]}"
fi
if [ ${#REAL[@]} -gt 0 ]; then
	say ""
	say "| tracer | python3 JSON, $PY_KEYS keys, whole run | x untraced | its work (own clock) | x untraced | redis SET requests/s | x slower |"
	say "|---|---|---|---|---|---|---|"
	printf '%s\n' "${REAL[@]}"
fi
for n in "${NOTES[@]}"; do say "note: $n"; done
say ""
[ $FAIL = 0 ] && say "memleak bench: bpfbox found the leaks" || say "memleak bench: bpfbox LEAK CHECK FAILED"
exit $FAIL
