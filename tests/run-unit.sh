#!/usr/bin/env bash
# Unit tests: runs every test binary given (build/tests/*), then checks the
# command line of the real ./bpfbox (built first if needed; no root needed).
#
# Test binaries print "ok - what" / "not ok - what" lines (TAP-like) and exit
# nonzero on failure.  "not ok - what # TODO known bug: ..." marks a bug
# found in the code under test and not fixed yet: shown, counted apart, not
# a failure.  The last line is always "unit: N passed, N failed".
#
#   UNIT_VERBOSE=1 tests/run-unit.sh build/tests/*   every line, not only failures
#   BPFBOX=path                                      the binary to check (./bpfbox)
#   UNIT_TIMEOUT=SEC                                 per test binary (30; make asan: 180)
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
verbose=${UNIT_VERBOSE:-0}
pass=0 fail=0 todo=0

# ---- result lines ----------------------------------------------------------

say_ok() {
	pass=$((pass + 1))
	[ "$verbose" = 1 ] && echo "ok - $*"
	return 0
}

say_not_ok() {
	fail=$((fail + 1))
	echo "not ok - $*"
}

say_todo() {
	todo=$((todo + 1))
	echo "not ok - $1 # TODO known bug: $2"
}

# summary NAME PASSED FAILED TODO: one comment line per binary
summary() {
	local extra=""

	[ "$4" -gt 0 ] && extra=", $4 known bugs"
	echo "# $1: $2 passed, $3 failed$extra"
}

# ---- the test binaries -------------------------------------------------------

# Counts one binary's lines; prints failures (and what follows them) or all.
run_binary() {
	local bin=$1 name out status line p=0 f=0 t=0 show=0

	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		say_not_ok "$name: not an executable test binary"
		return
	fi
	out=$(cd "$root" && timeout -k 2 "${UNIT_TIMEOUT:-30}" "$bin" 2>&1)
	status=$?
	while IFS= read -r line; do
		case $line in
		"ok "* | ok)
			p=$((p + 1)); show=0 ;;
		"not ok "*"# TODO"*)
			t=$((t + 1)); show=1 ;;
		"not ok "*)
			f=$((f + 1)); show=1 ;;
		"#   "*)
			;;
		*)
			show=0 ;;
		esac
		case $line in
		"#   "*) [ "$show" = 1 ] && echo "$line" ;;
		"not ok "*) echo "$line" ;;
		*) [ "$verbose" = 1 ] && echo "$line" ;;
		esac
	done <<<"$out"
	pass=$((pass + p))
	fail=$((fail + f))
	todo=$((todo + t))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		say_not_ok "$name exited with status $status without saying why"
		f=1
	elif [ "$status" -eq 0 ] && [ "$f" -ne 0 ]; then
		say_not_ok "$name exited 0 after failures"
		f=$((f + 1))
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		say_not_ok "$name ran no checks"
		f=1
	fi
	summary "$name" "$p" "$f" "$t"
}

# ---- CLI checks against the real binary -----------------------------------

tmp=$(mktemp -d /tmp/bbunit-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# run CMD...: sets $rc, $out, $err (never hangs: as root a bug could trace).
run() {
	timeout -k 1 5 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# The first 160 printable characters of $1, on one line.
excerpt() {
	printf '%s' "$1" | head -c 160 | tr -c '[:print:]' '?'
}

nlines() {
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi
}

# check WHAT CONDITION-COMMAND...: ok when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then
		say_ok "cli: $what"
	else
		say_not_ok "cli: $what"
		echo "#   exit $rc; stdout: $(excerpt "$out")"
		echo "#   stderr: $(excerpt "$err")"
	fi
}


# Exit 2 with exactly one line on stderr containing $1, nothing on stdout.
usage_error() {
	[ "$rc" = 2 ] && [ "$(nlines "$err")" = 1 ] && [ -z "$out" ] &&
		grep -qF -- "$1" <<<"$err"
}

lists_dropwatch() {
	[ "$rc" = 0 ] && grep -qE '^  dropwatch +[^ ]' <<<"$out"
}

# Exit 0 with the help of applet $1.
help_of() {
	[ "$rc" = 0 ] && grep -q "^Usage: $1 " <<<"$out"
}

exits() {
	[ "$rc" = "$1" ]
}

# The conditions below are single-quoted on purpose: check() evals them
# after run() has set $rc, $out and $err.
# shellcheck disable=SC2016

cli_checks() {
	local bb=$1 app applets d

	run "$bb"
	check "bpfbox (no arguments) exits 0 and lists dropwatch" lists_dropwatch
	run "$bb" --help
	check "bpfbox --help exits 0 and lists dropwatch" lists_dropwatch
	check "bpfbox --help has a usage line" grep -q '^Usage: bpfbox APPLET' <<<"$out"
	run "$bb" -h
	check "bpfbox -h is --help" lists_dropwatch

	run "$bb" --list
	applets=$out
	check "bpfbox --list exits 0 with one applet per line" \
		eval '[ "$rc" = 0 ] && [ -z "$err" ] && ! grep -qv "^[a-z0-9_-]\+$" <<<"$out"'
	check "bpfbox --list names dropwatch and report" \
		eval 'grep -qx dropwatch <<<"$out" && grep -qx report <<<"$out"'
	check "bpfbox --list has no duplicates" \
		eval '[ "$(sort <<<"$out" | uniq -d)" = "" ]'
	run "$bb" --help
	for app in $applets; do
		check "bpfbox --help lists $app" grep -qE "^  $app +[^ ]" <<<"$out"
	done

	run "$bb" --version
	check "bpfbox --version exits 0, names bpfbox and libbpf" \
		eval '[ "$rc" = 0 ] && grep -qE "^bpfbox [0-9]+\.[0-9]+" <<<"$out" &&
		      grep -qE "^libbpf v?[0-9]+\.[0-9]+" <<<"$out"'

	run "$bb" no-such-applet
	check "unknown applet: exit 2, one line on stderr naming it" \
		usage_error "no-such-applet"
	run "$bb" --no-such-option
	check "bpfbox --no-such-option: exit 2, one line" usage_error "--no-such-option"

	run "$bb" dropwatch --help
	check "bpfbox dropwatch --help: exit 0, Usage: dropwatch" help_of dropwatch
	run "$bb" dropwatch --bogus
	check "dropwatch --bogus: exit 2 with a message" usage_error "--bogus"
	run "$bb" dropwatch -Z
	check "dropwatch -Z: exit 2 with a message" usage_error "-Z"
	run "$bb" dropwatch --port
	check "dropwatch --port (no value): exit 2" usage_error "missing value"
	# "ARGS|what the one line must mention"
	while IFS='|' read -r a want; do
		# shellcheck disable=SC2086
		run "$bb" dropwatch $a
		check "dropwatch $a: exit 2" usage_error "$want"
	done <<-'EOF'
		--port 0|--port
		--port abc|--port
		--port 65536|--port
		--port -1|--port
		--duration -1|--duration
		--duration abc|--duration
		--interval x|--interval
		--top -3|--top
		--proto nope|--proto
		--proto 256|--proto
		--snaplen 0|--snaplen
		--buffer-size 1k|--buffer-size
		--comm 0123456789abcdefg|--comm
		--pid 0|'0'
		--pid 999999999|999999999
		--tid abc|'abc'
		--netns /etc/passwd|--netns
		--netns no-such-netns|--netns
		--mntns nope|--mntns
		--cgroup /no/such/cgroup|--cgroup
		--reason ,|--reason
	EOF
	# Values a lax parser would let through: the bad value exits 2 before
	# --help is seen; nothing starts tracing.
	run "$bb" dropwatch --duration nan --help
	check "dropwatch --duration nan: exit 2" usage_error "--duration"
	run "$bb" dropwatch --interval 20000000m --help
	check "dropwatch --interval 20000000m (over 1e9 s): exit 2" usage_error "--interval"
	run "$bb" dropwatch --buffer-size 17179869185G --help
	check "dropwatch --buffer-size 17179869185G: exit 2" usage_error "--buffer-size"
	run "$bb" dropwatch --reason ""
	check "dropwatch --reason '': exit 2" usage_error "--reason"
	run "$bb" dropwatch unexpected-operand
	check "dropwatch OPERAND: exit 2" usage_error "unexpected-operand"

	# argv[0] dispatch through links named after the applet
	d=$tmp/links
	mkdir -p "$d"
	ln -s "$bb" "$d/dropwatch"
	ln -s "$bb" "$d/report"
	run "$d/dropwatch" --help
	check "link dropwatch (absolute path) --help: Usage: dropwatch" help_of dropwatch
	cd "$d" || return
	run ./dropwatch --help
	cd "$root" || return
	check "link ./dropwatch --help: Usage: dropwatch" help_of dropwatch
	PATH="$d:$PATH" run dropwatch --help
	check "link dropwatch through PATH --help: Usage: dropwatch" help_of dropwatch
	run "$d/dropwatch" --port 0
	check "link dropwatch --port 0: exit 2, message from dropwatch" usage_error "dropwatch: "
	run "$d/report" --help
	check "link report --help: Usage: report" help_of report

	# --install DIR: one link per applet of --list, to this binary
	d=$tmp/install
	mkdir -p "$d"
	run "$bb" --install "$d"
	check "bpfbox --install DIR exits 0" exits 0
	for app in $applets; do
		check "--install made $app -> bpfbox" \
			eval '[ -L "$d/$app" ] && [ "$d/$app" -ef "$bb" ]'
	done
	check "--install made nothing else" \
		eval '[ "$(ls "$d" | sort)" = "$(sort <<<"$applets")" ]'
	run "$bb" --install "$d"
	check "--install again: exit 0, existing links left alone" \
		eval '[ "$rc" = 0 ] && grep -q "^0 links" <<<"$out"'
	run "$bb" --install "$tmp/no/such/dir"
	check "--install into a missing directory: exit 2" usage_error "not a directory"

	# report on files that are not records
	run "$bb" report /nonexistent
	check "report /nonexistent: exit 2" usage_error "/nonexistent"
	run "$bb" report
	check "report without a file: exit 2" usage_error "report"
	printf 'hello\n' >"$tmp/short"
	run "$bb" report "$tmp/short"
	check "report on a short garbage file: exit 2, not a bpfbox record file" \
		usage_error "$tmp/short: not a bpfbox record file"
	for _ in $(seq 12); do printf 'this is not a record file at all\n'; done >"$tmp/garbage"
	run "$bb" report "$tmp/garbage"
	check "report on a garbage file: exit 2, not a bpfbox record file" \
		usage_error "$tmp/garbage: not a bpfbox record file"
	run "$bb" dropwatch -r "$tmp/garbage"
	check "dropwatch -r garbage: exit 2" exits 2
}

# ---- main ----------------------------------------------------------------

for bin in "$@"; do
	run_binary "$bin"
done

# (`make unit` builds ./bpfbox first.)
bb=${BPFBOX:-$root/bpfbox}
if [ -x "$bb" ]; then
	bb=$(cd "$(dirname "$bb")" && pwd)/$(basename "$bb")
	f0=$fail t0=$todo p0=$pass
	cli_checks "$bb"
	summary cli $((pass - p0)) $((fail - f0)) $((todo - t0))
else
	say_not_ok "cli: $bb is missing (run make)"
fi

if [ "$todo" -gt 0 ]; then
	echo "unit: $todo known bugs (not ok # TODO: not counted as failures)"
fi
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
