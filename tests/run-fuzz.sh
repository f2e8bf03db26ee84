#!/usr/bin/env bash
# make fuzz: each libFuzzer target for SECONDS, starting from its corpus
# (tests/fuzz/corpus/NAME/).  New inputs go to build/fuzz/corpus/NAME (not
# the tree); a crash is copied into tests/fuzz/corpus/NAME/ as crash-*, so
# that make asan replays it from then on, and fails this run.
#
#   tests/run-fuzz.sh SECONDS NAME...
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
secs=$1; shift
F=$root/build/fuzz
export ASAN_OPTIONS=detect_leaks=0
rc=0
for name in "$@"; do
	seeds=$root/tests/fuzz/corpus/$name
	work=$F/corpus/$name
	crashes=$F/crashes/$name
	rm -rf "$crashes"	# an earlier run's were copied into the tree already
	mkdir -p "$seeds" "$work" "$crashes"
	log=$F/$name.log
	"$F/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$crashes/" -print_final_stats=1 \
		"$work" "$seeds" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	found=$(find "$crashes" -type f | wc -l)
	if [ "$status" = 0 ] && [ "$found" = 0 ]; then
		echo "ok - fuzz $name: ${runs:-?} runs in ${secs}s, no crash"
	else
		echo "not ok - fuzz $name: exit $status after ${runs:-?} runs; crashers kept:"
		for c in "$crashes"/*; do
			[ -f "$c" ] || continue
			cp "$c" "$seeds/" && echo "  tests/fuzz/corpus/$name/$(basename "$c")"
		done
		grep -m1 -A12 'ERROR\|runtime error' "$log"
		rc=1
	fi
done
exit $rc
