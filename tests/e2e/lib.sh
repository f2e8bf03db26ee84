# shellcheck shell=bash
# The end-to-end suites' little framework, sourced by tests/run-e2e*.sh:
# counters, check/eq/skip, and what a failing check shows.

pass=0
fail=0
SHOW=()		# files a failing check prints

# e2e_begin SUITE WHY FILE...: a suite's start: root (needed for WHY), the
# FILEs it runs present, a work directory $T, traps that stop what runs in
# the background and call the suite's own suite_cleanup, if it has one.
# Exits, as one failure, when something is missing.
e2e_begin() {
	SUITE=$1
	local why=$2 f
	shift 2
	if [ "$(id -u)" != 0 ]; then
		echo "$SUITE: needs root ($why)"
		echo "$SUITE: 0 passed, 1 failed"
		exit 1
	fi
	for f in "$@"; do
		if [ ! -x "$f" ]; then
			echo "$SUITE: $f is missing: run 'make'"
			echo "$SUITE: 0 passed, 1 failed"
			exit 1
		fi
	done
	T=$(mktemp -d "/tmp/bpfbox-$SUITE.XXXXXX")
	START=$SECONDS
	trap 'e2e_stop; exit 1' INT TERM
	trap e2e_stop EXIT
}

e2e_stop() {
	cleanup_bg
	if declare -F suite_cleanup >/dev/null; then
		suite_cleanup
	fi
}

# e2e_end: a suite's end: background processes stopped, $T removed unless
# a check failed, the last line "SUITE: N passed, N failed"; its status is
# the suite's.
e2e_end() {
	e2e_stop
	trap - EXIT
	if [ $fail = 0 ]; then
		rm -rf "$T"
	else
		echo "$SUITE: files kept in $T"
	fi
	echo "$SUITE: took $((SECONDS - START))s"
	echo "$SUITE: $pass passed, $fail failed"
	[ $fail = 0 ]
}

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

# ---- processes in the background --------------------------------------------

BGPIDS=()		# tools and workloads running in the background

# Kills what is still running; the suites call it on exit.
cleanup_bg() {
	local p
	for p in "${BGPIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	BGPIDS=()
}

forget_bg() {
	local p keep=()
	for p in "${BGPIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	BGPIDS=("${keep[@]}")
}

# wait_for FILE ERE [SECONDS [PID]]: until a line of FILE matches (default
# 10 s); gives up early when PID (the writer) has exited.
wait_for() {
	local file=$1 re=$2 secs=${3:-10} pid=${4:-} i
	for ((i = 0; i < secs * 50; i++)); do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			grep -qE -- "$re" "$file" 2>/dev/null
			return
		fi
		sleep 0.02
	done
	return 1
}

# unused_pid: a pid no process has (for "no such process" tests).
unused_pid() {
	local pid=999999
	while [ -e /proc/$pid ]; do pid=$((pid + 1)); done
	echo $pid
}

# gone PID [SECONDS]: until PID has exited (default 10 s).
gone() {
	local i
	for ((i = 0; i < ${2:-10} * 50; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.02
	done
	return 1
}

# reap PID [SECS]: the background PID is given SECS (10) to end by itself,
# else it is interrupted (SIGINT, as a user would) and ok=0; its exit
# status in RC, and it is no longer among BGPIDS.
reap() {
	gone "$1" "${2:-10}" || { ok=0; kill -INT "$1"; }
	wait "$1"
	RC=$?
	forget_bg "$1"
}

# jcount FILE [--sum FIELD] COND...: how many lines of FILE, JSON objects
# all of them, match every COND -- KEY=VALUE (the value, as text, is
# VALUE) or KEY^PREFIX (it starts with PREFIX) -- or, with --sum, the sum
# of their FIELD.  A line that is not a JSON object fails it (jq says
# where), and prints nothing.
jcount() {
	local file=$1 sum=
	shift
	[ "${1:-}" = --sum ] && { sum=$2; shift 2; }
	jq -n --arg sum "$sum" '
		def text: if type == "string" then . else tojson end;
		def cond: capture("^(?<k>[^=^]*)(?<op>[=^])(?<v>.*)$");
		def matches($o): all($ARGS.positional[] | cond;
			. as $c | ($o | has($c.k)) and ($o[$c.k] | text |
				if $c.op == "=" then . == $c.v else startswith($c.v) end));
		reduce (inputs | if type == "object" then . else error("not a JSON object") end |
			select(matches(.))) as $o
			(0; . + (if $sum == "" then 1 else ($o[$sum] // 0) end))' "$file" --args "$@"
}
