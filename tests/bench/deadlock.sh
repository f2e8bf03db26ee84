#!/bin/bash
# tests/bench/deadlock.sh (root): bpfbox deadlock against peers on two
# mutex-heavy workloads (tests/bench/deadlock_loop.c), THREADS threads each:
#   - pure locking: N iterations of lock(a); lock(b); unlock(b); unlock(a)
#     (always in that order), nothing else: the worst case for a tracer
#     that pays per lock call, the best for one that pays per memory access;
#   - a lock per task: N tasks of ~1 us of work on the thread's own heap
#     data, then lock(a), one update of a shared table, unlock(a).
#
# In one run:
#   1, 2. each workload untraced, under bpfbox deadlock, valgrind
#      --tool=helgrind, and built with -fsanitize=thread: ns per iteration
#      (the loop's own clock), ratio to untraced.  Slow tools run fewer
#      iterations; the ratio is per iteration, so it does not depend on N.
#   3. what the probes cost per call: one thread, lock+unlock, trylock+unlock
#      (trylock starts with an emulated push), unlock alone (error-checking
#      mutex not held: EPERM), minus the untraced time of the same phase
#   4. each bpfbox build still finds an ABBA lock-order cycle (exit 1)
#   5. false positives, side by side with helgrind: potential deadlocks
#      reported on programs that cannot deadlock -- threaded SQLite (Debian's
#      libsqlite3, shared cache + WAL: tests/e2e/dl_sqlite.c) and the e2e
#      workloads of recursive mutexes, a lock's memory reused, a gate lock,
#      read after read -- and on two that can (an ABBA through a recursive
#      mutex, the same without its gate): found or not
#
# Knobs (environment):
#   DEADLOCK_N        iterations per thread, untraced (1000000)
#   DEADLOCK_N_TSAN   iterations per thread under TSan (200000)
#   DEADLOCK_N_SLOW   iterations per thread, bpfbox and helgrind (10000)
#   DEADLOCK_N_TASKS  tasks per thread in part 2, untraced and TSan (20000);
#                     bpfbox and helgrind run a tenth of that
#   DEADLOCK_N_HIT    calls per phase in part 3 (20000)
#   DEADLOCK_THREADS  threads (4)
#   DEADLOCK_REPS     rounds of part 1; medians are shown (3)
#   DEADLOCK_EXTRA    more bpfbox builds, "label=/path/to/bpfbox;..."
#   DEADLOCK_PEERS=0  bpfbox only
# Exits 1 if a bpfbox build misses the ABBA cycle or the setup fails;
# never on timings.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
OUT=$ROOT/build/bench
N=${DEADLOCK_N:-1000000}
N_TSAN=${DEADLOCK_N_TSAN:-200000}
N_SLOW=${DEADLOCK_N_SLOW:-10000}
N_TASKS=${DEADLOCK_N_TASKS:-20000}
N_HIT=${DEADLOCK_N_HIT:-20000}
T=${DEADLOCK_THREADS:-4}
REPS=${DEADLOCK_REPS:-3}
PEERS=${DEADLOCK_PEERS:-1}
FAIL=0

say() { printf '%s\n' "$*"; }
die() { say "deadlock bench: $*" >&2; exit 1; }
. "$ROOT/scripts/apt-lib.sh"
. "$ROOT/tests/bench/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x bpfbox ] || die "no ./bpfbox: run make"
command -v gcc > /dev/null || die "needs gcc"
mkdir -p "$OUT"

if [ "$PEERS" = 1 ] && ! command -v valgrind > /dev/null; then
	want_packages valgrind
fi
want_packages libsqlite3-dev || say "note: no libsqlite3-dev: part 5 without SQLite"

gcc -O2 -Wall -pthread -o "$OUT/deadlock_loop" tests/bench/deadlock_loop.c ||
	die "cannot build deadlock_loop"
TSAN=1
if [ "$PEERS" = 1 ] && ! gcc -O2 -fsanitize=thread -pthread -o "$OUT/deadlock_loop-tsan" \
	tests/bench/deadlock_loop.c 2> /dev/null; then
	want_packages libtsan2
	gcc -O2 -fsanitize=thread -pthread -o "$OUT/deadlock_loop-tsan" \
		tests/bench/deadlock_loop.c 2> /dev/null || { TSAN=0; say "note: no TSan"; }
fi
LOOP=$OUT/deadlock_loop

# label=path pairs: this tree's bpfbox first, then DEADLOCK_EXTRA
BUILDS=("bpfbox=$ROOT/bpfbox")
IFS=';' read -r -a extra <<< "${DEADLOCK_EXTRA:-}"
for e in "${extra[@]}"; do [ -n "$e" ] && BUILDS+=("$e"); done

# ns_per_iter from a run's output ("" if it failed)
nspi() { sed -n 's/.*ns_per_iter=\([0-9.]*\).*/\1/p' | tail -1; }

# run LABEL N CMD...: REPS runs of CMD (the loop's args are appended), median ns/iter
declare -A NS ITERS
run() {
	local label=$1 n=$2 r v vals=""
	shift 2
	for ((r = 0; r < REPS; r++)); do
		v=$("$@" "$n" "$T" 2>&1 | nspi)
		[ -n "$v" ] && vals+="$v"$'\n'
	done
	NS[$label]=$(median $vals)
	ITERS[$label]=$n
}

# ratios TITLE N N_SLOW N_TSAN [MODE]: the table of one workload
ratios() {
	local title=$1 n=$2 n_slow=$3 n_tsan=$4 l b
	shift 4
	hr
	say "$title; median of $REPS"
	ORDER=(untraced)
	run untraced "$n" "$LOOP" "$@"
	for b in "${BUILDS[@]}"; do
		ORDER+=("${b%%=*}")
		run "${b%%=*}" "$n_slow" "${b#*=}" deadlock -i 0 -- "$LOOP" "$@"
	done
	if [ "$PEERS" = 1 ] && command -v valgrind > /dev/null; then
		ORDER+=(helgrind)
		run helgrind "$n_slow" valgrind --tool=helgrind -q "$LOOP" "$@"
	fi
	if [ "$PEERS" = 1 ] && [ "$TSAN" = 1 ]; then
		ORDER+=(tsan)
		run tsan "$n_tsan" "$OUT/deadlock_loop-tsan" "$@"
	fi
	printf '%-22s %10s %14s %10s\n' tool "N/thread" "ns/iteration" ratio
	for l in "${ORDER[@]}"; do
		printf '%-22s %10s %14s %10s\n' "$l" "${ITERS[$l]}" "${NS[$l]}" \
			"$(awk -v a="${NS[$l]}" -v b="${NS[untraced]}" 'BEGIN {printf (b > 0 && a == a + 0) ? "%.1fx" : "-", a / b}')"
	done
}

ratios "1. pure locking: $T threads x N of lock(a) lock(b) unlock(b) unlock(a)" \
	"$N" "$N_SLOW" "$N_TSAN"
say "(iteration = 2 locks + 2 unlocks in one thread; ns = wall time / (threads x N))"
ratios "2. a lock per task: $T threads x N of ~1 us of work, lock(a), update, unlock(a)" \
	"$N_TASKS" "$((N_TASKS / 10))" "$N_TASKS" work
say "(iteration = one task: 1 lock + 1 unlock; ns = wall time / (threads x N))"

hr
say "3. per call, one thread, $N_HIT calls a phase: us added by the probes"
phases() { "$@" hit "$N_HIT" 2>&1 | sed -n 's/^\([a-z+]*\) .*ns_per_iter=\([0-9.]*\).*/\1 \2/p'; }
declare -A BASE
while read -r p v; do BASE[$p]=$v; done < <(phases "$LOOP")
printf '%-22s %16s %16s %16s\n' build "lock+unlock" "trylock+unlock" "unlock"
for b in "${BUILDS[@]}"; do
	declare -A H=()
	while read -r p v; do H[$p]=$v; done < <(phases "${b#*=}" deadlock -i 0 -- "$LOOP")
	row=""
	for p in lock+unlock trylock+unlock unlock; do
		row+=$(awk -v a="${H[$p]:-nan}" -v z="${BASE[$p]:-0}" 'BEGIN {printf "%16.2f ", (a - z) / 1000}')
	done
	printf '%-22s %s\n' "${b%%=*}" "$row"
	# derived: lock (entry + return) = (lock+unlock) - unlock; trylock likewise
	awk -v lu="${H[lock+unlock]:-0}" -v tu="${H[trylock+unlock]:-0}" -v u="${H[unlock]:-0}" \
		-v blu="${BASE[lock+unlock]:-0}" -v btu="${BASE[trylock+unlock]:-0}" -v bu="${BASE[unlock]:-0}" \
		'BEGIN {printf "%-22s lock (entry+return) %.2f us, trylock (entry+return) %.2f us, unlock (entry) %.2f us\n",
			"", ((lu - blu) - (u - bu)) / 1000, ((tu - btu) - (u - bu)) / 1000, (u - bu) / 1000}'
	unset H
done
say "(lock/unlock probes sit where the build puts them: see -v \"probed at\")"
for b in "${BUILDS[@]}"; do
	"${b#*=}" deadlock -v -i 0 -- "$LOOP" abba 2>&1 | grep -oE "pthread_[a-z_]* probed at \+[0-9]+( and \+[0-9]+)?" |
		sed "s/^/  ${b%%=*}: /"
done

hr
say "4. an ABBA lock-order cycle is still found (exit status 1)"
for b in "${BUILDS[@]}"; do
	"${b#*=}" deadlock -i 0 -- "$LOOP" abba > /dev/null 2>&1
	rc=$?
	if [ "$rc" = 1 ]; then
		say "  ${b%%=*}: found"
	else
		say "  ${b%%=*}: MISSED (exit $rc)"
		FAIL=1
	fi
done
hr
say "5. potential deadlocks reported (helgrind: \"lock order violated\"); want 0 for the first six"
W=$ROOT/build/work
SQLITE=
gcc -O1 -g -fno-omit-frame-pointer -pthread -o "$OUT/dl_sqlite" tests/e2e/dl_sqlite.c -lsqlite3 \
	2> /dev/null && SQLITE="$OUT/dl_sqlite $OUT/dl_sqlite.db 4 100"
CASES=("sqlite, 4 threads|$SQLITE" "recursive re-entry|$W/dl_recursive"
	"destroy, reuse|$W/dl_reuse" "free, reuse|$W/dl_reuse -f" "gate lock|$W/dl_gate"
	"read after read|$W/dl_rwread" "ABBA via recursive|$W/dl_recursive -x"
	"ABBA, no gate|$W/dl_gate -n")
head="$(printf '%-22s' program)"
for b in "${BUILDS[@]}"; do head+="$(printf ' %10s' "${b%%=*}")"; done
[ "$PEERS" = 1 ] && command -v valgrind > /dev/null && head+="$(printf ' %10s' helgrind)"
say "$head"
for c in "${CASES[@]}"; do
	cmd=${c#*|}
	[ -n "$cmd" ] || { printf '%-22s (not built)\n' "${c%%|*}"; continue; }
	row="$(printf '%-22s' "${c%%|*}")"
	for b in "${BUILDS[@]}"; do
		rm -f "$OUT"/dl_sqlite.db*
		# shellcheck disable=SC2086
		n=$("${b#*=}" deadlock -i 0 -- $cmd 2>&1 >/dev/null |
			sed -n 's/^deadlock: \([0-9]*\) potential.*/\1/p')
		row+="$(printf ' %10s' "${n:--}")"
	done
	if [ "$PEERS" = 1 ] && command -v valgrind > /dev/null; then
		rm -f "$OUT"/dl_sqlite.db*
		# shellcheck disable=SC2086
		n=$(valgrind --tool=helgrind $cmd 2>&1 >/dev/null | grep -c 'lock order .* violated')
		row+="$(printf ' %10s' "$n")"
	fi
	say "$row"
done
hr
exit $FAIL
