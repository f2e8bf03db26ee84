// SPDX-License-Identifier: GPL-2.0
/*
 * The DWARF reader (common/dwarf.c) on any bytes.  The input starts with
 * ten little-endian u32 lengths, one a section in dwarf.h's order
 * (.debug_info, .debug_abbrev, .debug_line, .debug_str, .debug_line_str,
 * .debug_addr, .debug_str_offsets, .debug_ranges, .debug_rnglists,
 * .debug_aranges); the sections follow, each cut to what is left; the
 * rest is u64 addresses to look up.  Each section is a copy of its own
 * size: a read past its end is ASan's to see.  Seeds (corpus/dwarf/):
 * small programs' sections (gcc and clang, DWARF 4 and 5, inlined calls)
 * with their call sites' addresses, made by tests/fuzz/dwarf-seed.sh.
 */
#include <stdlib.h>
#include <string.h>
#include "dwarf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bb_dwarf_sections s = { 0 };
	struct bb_srcline out[8];
	size_t at = 4 * BB_DW_NR, i, len;
	struct bb_dwarf *d;
	uint32_t len32;
	uint64_t pc;
	int n, k;

	if (size < at)
		return 0;
	for (i = 0; i < BB_DW_NR; i++) {
		memcpy(&len32, data + 4 * i, 4);
		len = len32 < size - at ? len32 : size - at;
		if (!len)
			continue;
		s.p[i] = malloc(len);
		memcpy((void *)s.p[i], data + at, len);
		s.len[i] = len;
		at += len;
	}
	d = bb_dwarf_new(&s);
	for (i = 0; at + 8 <= size && i < 64; i++, at += 8) {
		memcpy(&pc, data + at, 8);
		/* Twice: the second from what the first cached. */
		for (k = 0; k < 2; k++) {
			n = bb_dwarf_lookup(d, pc, out, 8);
			if (n < 0 || n > 8)
				abort();
			/* Strings end inside their sections: ASan reads them. */
			while (n--)
				if ((out[n].name && strlen(out[n].name) >= size) ||
				    (out[n].file && strlen(out[n].file) >= size))
					abort();
		}
	}
	bb_dwarf_free(d);
	return 0;
}
