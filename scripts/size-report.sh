#!/usr/bin/env bash
# What the bytes of a bpfbox binary are, by part, from the linker's map:
#
#   scripts/size-report.sh BIN BIN.map
#
# Each input section the link kept is counted for the part its object is
# from: an applet (applets/X.c and applets/X/*.c), common/, each library
# (libbpf, libelf, zlib, the demangler, musl with the C runtime), and each
# embedded BPF object on its own (X_bpf_gz, gzip-compressed, inside its
# applet's object).  .bss takes no room in the file and is left out, as is
# what strip removes; "ELF headers, padding" is the rest of BIN's size.
# The link prints this table (make, make dist, CI), so growth is seen where
# it happens; README's "Binary size" has the figures.
set -euo pipefail

[[ $# -eq 2 && -f $1 && -f $2 ]] || { echo "usage: $0 BIN BIN.map" >&2; exit 2; }
bin=$1 map=$2
file_size=$(stat -c %s "$bin")

awk -v file_size="$file_size" -v bin="$bin" '
	# (mawk, the default awk on Debian, has no strtonum.)
	function hex(s,   v, i) {
		v = 0
		s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function part(file, sec,   p) {
		if (sec ~ /_bpf_gz$/) {
			p = sec; sub(/.*\.rodata\./, "", p); sub(/_bpf_gz$/, "", p)
			return "bpf object: " p " (gzip)"
		}
		if (file ~ /\/applets\//) {
			p = file; sub(/.*\/applets\//, "", p); sub(/[\/.].*/, "", p)
			return "applet: " p
		}
		if (file ~ /\/common\//)
			return "common/"
		if (file ~ /libbpf\.a/)
			return "libbpf"
		if (file ~ /libelf\.a/)
			return "libelf"
		if (file ~ /libz\.a/)
			return "zlib"
		if (file ~ /libdemangle\.a/)
			return "demangler (libiberty)"
		return "musl libc, C runtime, libgcc"
	}
	# Sections that take no room in the stripped file.
	function counted(osec) {
		return osec != "" &&
		       osec !~ /^\.(t?bss|debug|comment|stab|note\.GNU-stack|gnu\.attributes|eh_frame)/
	}
	function add(sec, size, file) {
		if (!counted(osec) || file == "" || sec == "*fill*")
			return
		sum[part(file, sec)] += hex(size)
	}
	/^Linker script and memory map/ { in_map = 1; next }
	!in_map { next }
	# An output section: its name in the first column.
	# .eh_frame: what the link kept of its input sections is less than
	# their sum (duplicates merged, dropped functions removed): counted whole.
	/^[^ ]/ {
		osec = $1; pending = ""
		if (osec ~ /^\.eh_frame/ && NF >= 3)
			sum[".eh_frame (unwind tables, all parts)"] += hex($3)
		next
	}
	# An input section whose name was too long: its figures follow.
	pending != "" && /^ +0x/ && NF == 3 && $2 ~ /^0x/ { add(pending, $2, $3); pending = ""; next }
	/^ [.C]/ && NF == 1 { pending = $1; next }
	/^ [.C]/ && NF == 4 && $2 ~ /^0x/ && $3 ~ /^0x/ { add($1, $3, $4); pending = ""; next }
	{ pending = "" }
	END {
		n = 0
		for (p in sum) { names[++n] = p }
		# bpf objects first, then by size.
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++) {
				bi = names[i] ~ /^bpf/; bj = names[j] ~ /^bpf/
				if (bj > bi || (bj == bi && sum[names[j]] > sum[names[i]])) {
					t = names[i]; names[i] = names[j]; names[j] = t
				}
			}
		printf "%s by part:\n", bin
		total = 0
		for (i = 1; i <= n; i++) {
			printf "  %-36s %8d\n", names[i], sum[names[i]]
			total += sum[names[i]]
		}
		printf "  %-36s %8d\n", "ELF headers, padding", file_size - total
	}
' "$map"
