# shellcheck shell=bash
# What the benchmark scripts (tests/bench/*.sh) share; sourced after they
# define say.

hr() { say "------------------------------------------------------------------------ ${SECONDS}s"; }

# kv FILE KEY: value of "KEY value" in FILE.
kv() { awk -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null; }

# calc EXPR [FORMAT]: floating point arithmetic; "-" if it cannot be done.
calc() {
	local r
	r=$(awk "BEGIN { printf \"${2:-%.6f}\", $1 }" 2>/dev/null) && [ -n "$r" ] && say "$r" || say -
}

# ratio A B [FORMAT]: A / B, one decimal by default.
ratio() { calc "($1) / ($2)" "${3:-%.1f}"; }

# median VALUE...: of the values that are numbers ("-" marks a failed run); "-" if none.
median() {
	printf '%s\n' "$@" | grep -v '^-*$' | sort -g |
		awk '{ a[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
