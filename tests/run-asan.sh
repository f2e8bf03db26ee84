#!/usr/bin/env bash
# make asan: the unit tests (and the command-line checks of the ASan
# bpfbox), then every fuzz target's corpus (seeds and the crashers kept in
# tests/fuzz/corpus/NAME/), all built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build/asan).  Any sanitizer report fails.
#
#   tests/run-asan.sh NAME...     the fuzz targets to replay
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
A=$root/build/asan
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0

UNIT_TIMEOUT=180 BPFBOX=$A/bpfbox "$root/tests/run-unit.sh" "$A"/tests/* | sed 's/^unit:/asan unit:/'
[ "${PIPESTATUS[0]}" = 0 ] || rc=1

for name in "$@"; do
	dir=$root/tests/fuzz/corpus/$name
	n=$(find "$dir" -type f 2>/dev/null | wc -l)
	if [ "$n" = 0 ]; then
		echo "not ok - asan replay $name: no corpus in $dir"
		rc=1
		continue
	fi
	if out=$("$A/fuzz/fuzz_$name" "$dir" 2>&1); then
		echo "ok - asan replay $name: $n inputs, no sanitizer report"
	else
		echo "not ok - asan replay $name: $n inputs"
		echo "$out" | grep -v '^    #[0-9]' | tail -n 30
		rc=1
	fi
done
exit $rc
