# memleak's text tables, summed by the function of each stack's first frame.
#
#   awk -f memleak-sums.awk [-v table=final|last|any] [-v what=sums|allocs] FILE
#
# table: which tables count: the final one (default), the last one printed
# (last: interval or final), the last interval table (interval), or every
# table (any).  Lines that are not part of
# a table (the workload's own output) are skipped.
#
# what=sums (default): one line per function, "FUNC BYTES COUNT", sorted.
# what=allocs: one line per stack, "FUNC BYTES COUNT NADDR ADDRBYTES",
# with NADDR the "addr = ... size = N" lines listed under it (-a) and
# ADDRBYTES the sum of their sizes.
# what=stacks: one line per stack, "BYTES COUNT F1;F2;...", the frames'
# functions from the allocating one to the root, in the printed order.
#
# pid=N (-f tables): only the rows under "  process N (...)".
# kind=definitely|indirectly|possibly|still|outstanding: only the rows under
# "  -- KIND ...: B bytes in N blocks"; what=kinds: those lines, as
# "KIND BYTES BLOCKS" (the first word of the kind).
#
# A function is the first frame without its offset and module:
# "leak_malloc+0x18 (leaky)" counts for leak_malloc.
function name(frame) {
	sub(/^\t\t/, "", frame)
	sub(/ \(.*\)$/, "", frame)
	sub(/\+0x[0-9a-f]+$/, "", frame)
	return frame
}
function flush() {
	if (fn == "")
		return
	if (what == "allocs")
		out[++nout] = fn " " b " " c " " na " " nb
	else if (what == "stacks")
		out[++nout] = b " " c " " frames
	else {
		B[fn] += b
		C[fn] += c
	}
	fn = ""
}
BEGIN {
	if (table == "")
		table = "final"
	if (what == "")
		what = "sums"
}
/^\[[0-9:.]+\] Top [0-9]+ stacks with outstanding allocations/ {
	flush()
	final = / \(final\):$/
	cur_kind = ""
	if (table == "last" || (table == "final" && final) || (table == "interval" && !final)) {
		delete B; delete C; delete K; delete out; nout = 0
	}
	in_table = table == "any" || table == "last" || (table == "final") == final
	next
}
in_table && /^  process [0-9]+ \(/ {
	flush()
	proc = $2
	cur_kind = ""
	next
}
in_table && /^  -- [a-z ]+: [0-9]+ bytes in [0-9]+ blocks$/ {
	flush()
	cur_kind = $2
	if (what == "kinds" && (pid == "" || proc == pid))
		K[cur_kind] = $(NF - 4) " " $(NF - 1)
	next
}
in_table && /^\t[0-9]+ bytes in [0-9]+ allocations from stack$/ && (pid == "" || proc == pid) &&
    (kind == "" || cur_kind == kind) {
	flush()
	b = $1; c = $4; na = 0; nb = 0
	if ((getline line) > 0)
		fn = name(line)
	else
		fn = "[eof]"
	frames = fn
	next
}
in_table && fn != "" && /^\t\taddr = 0x[0-9a-f]+ size = [0-9]+ age = [0-9.]+s$/ {
	na++
	nb += $6
	next
}
in_table && fn != "" && /^\t\t/ {
	frames = frames ";" name($0)
	next
}
{ flush() }
END {
	flush()
	if (what == "kinds") {
		for (k in K)
			print k, K[k] | "sort"
	} else if (what == "allocs" || what == "stacks") {
		for (i = 1; i <= nout; i++)
			print out[i] | "sort"
	} else {
		for (k in B)
			print k, B[k], C[k] | "sort"
	}
}
