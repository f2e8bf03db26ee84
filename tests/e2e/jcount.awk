# jcount.py without python: the same conditions, matched as text.
#   awk -f jcount.awk -v sum=FIELD FILE COND...   (sum may be empty)
# Good enough for bpfbox's JSON lines: flat objects, no spaces, and the
# strings compared here hold no escapes.
BEGIN {
	for (i = 2; i < ARGC; i++) {
		c = ARGV[i]
		eq = index(c, "="); pre = index(c, "^")
		if (eq && (!pre || eq < pre)) {
			key[i] = substr(c, 1, eq - 1); op[i] = "="; val[i] = substr(c, eq + 1)
		} else if (pre) {
			key[i] = substr(c, 1, pre - 1); op[i] = "^"; val[i] = substr(c, pre + 1)
		} else {
			print "jcount: bad condition " c > "/dev/stderr"; bad = 1; exit 2
		}
		n = i
		delete ARGV[i]
	}
	total = 0
}
{
	if ($0 !~ /^\{.*\}$/) {
		print "jcount: " FILENAME ":" FNR ": not JSON: " $0 > "/dev/stderr"
		bad = 1; exit 1
	}
	line = substr($0, 1, length($0) - 1) ","
	ok = 1
	for (i = 2; i <= n; i++) {
		k = "\"" key[i] "\":"
		if (op[i] == "=") {
			if (!index(line, k "\"" val[i] "\",") && !index(line, k val[i] ","))
				{ ok = 0; break }
		} else if (!index(line, k "\"" val[i])) {
			ok = 0; break
		}
	}
	if (!ok)
		next
	if (sum == "") {
		total++
	} else if (match(line, "\"" sum "\":[0-9]+")) {
		total += substr(line, RSTART + length(sum) + 3, RLENGTH - length(sum) - 3)
	}
}
END {
	if (!bad)
		print total
}
