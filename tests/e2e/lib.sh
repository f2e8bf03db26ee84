# shellcheck shell=bash
# The end-to-end suites' little framework, sourced by tests/run-e2e*.sh:
# counters, check/eq/skip, and what a failing check shows.

pass=0
fail=0
SHOW=()		# files a failing check prints

# check "description" cmd...: passes when cmd succeeds (in a subshell: it
# only looks).  What it prints shows when it fails.
check() {
	local desc=$1 f out
	shift
	if out=$("$@" 2>&1); then
		pass=$((pass + 1))
		echo "ok   $desc"
	else
		fail=$((fail + 1))
		echo "FAIL $desc"
		[ -n "$out" ] && printf '%s\n' "$out"
		echo "     command: $*"
		for f in "${SHOW[@]}"; do
			[ -s "$f" ] || continue
			echo "     --- $f"
			head -n 40 "$f" | sed 's/^/     | /'
		done
	fi
}

# eq WHAT EXPECTED ACTUAL: for check, says what differed.
eq() {
	[ "$2" = "$3" ] && return 0
	echo "     $1: expected '$2', got '$3'"
	return 1
}

skip() {
	echo "skip $*"
}

# lines FILE: its number of lines.
lines() {
	local n
	n=$(wc -l <"$1")
	echo $((n))
}

# fails_with NAME PATTERN cmd...: exit status 2, one line on stderr matching
# PATTERN, nothing on stdout (files in $T).
fails_with() {
	local name=$1 pattern=$2 rc
	shift 2
	timeout -k 5 30 "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	rc=$?
	SHOW=("$T/$name.out" "$T/$name.err")
	check "$name: exit 2, one line matching '$pattern', nothing on stdout" \
		eval "eq 'exit status' 2 $rc && eq 'stderr lines' 1 \$(lines '$T/$name.err') &&
		      eq 'stdout lines' 0 \$(lines '$T/$name.out') && grep -qE -- '$pattern' '$T/$name.err'"
}
