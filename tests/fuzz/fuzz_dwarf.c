// SPDX-License-Identifier: GPL-2.0
/*
 * The DWARF reader (common/dwarf.c) on any bytes.  The input starts with
 * 21 little-endian u32 lengths: ten the object's sections in dwarf.h's
 * order (.debug_info, .debug_abbrev, .debug_line, .debug_str,
 * .debug_line_str, .debug_addr, .debug_str_offsets, .debug_ranges,
 * .debug_rnglists, .debug_aranges), ten its dwz alt file's (all empty: no
 * alt file), one a link (.gnu_debugaltlink or .debug_sup, read both ways);
 * the sections follow, each cut to what is left; the rest is u64
 * addresses to look up.  Each section is a copy of its own size: a read
 * past its end is ASan's to see.  Seeds (corpus/dwarf/): small programs'
 * sections (gcc and clang, DWARF 4 and 5, inlined calls, dwz'd in the file
 * and with an alt file) with their call sites' addresses, made by
 * tests/fuzz/dwarf-seed.sh.
 */
#include <stdlib.h>
#include <string.h>
#include "dwarf.h"

#define NR_LENGTHS (2 * BB_DW_NR + 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next section of the input, a copy of its own size; NULL if empty. */
static uint8_t *take(const uint8_t *data, size_t size, int i, size_t *at, size_t *len)
{
	uint32_t len32;
	uint8_t *p;

	memcpy(&len32, data + 4 * i, 4);
	*len = len32 < size - *at ? len32 : size - *at;
	if (!*len)
		return NULL;
	p = malloc(*len);
	memcpy(p, data + *at, *len);
	*at += *len;
	return p;
}

/* A link read as either section: its path and id inside its bytes. */
static void link_both_ways(const uint8_t *p, size_t len)
{
	struct bb_dwarf_link l;
	int sup;

	for (sup = 0; sup < 2; sup++)
		if (bb_dwarf_link(p, len, sup, &l) &&
		    ((const uint8_t *)l.path < p || (const uint8_t *)l.path + strlen(l.path) >= p + len ||
		     l.id < p || l.id + l.id_len > p + len))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bb_dwarf_sections s = { 0 }, alt = { 0 };
	struct bb_dwarf *d, *a = NULL;
	struct bb_srcline out[8];
	size_t at = 4 * NR_LENGTHS, i, len;
	uint8_t *link;
	uint64_t pc;
	int n, k;

	if (size < at)
		return 0;
	for (i = 0; i < BB_DW_NR; i++)
		s.p[i] = take(data, size, i, &at, &s.len[i]);
	for (i = 0; i < BB_DW_NR; i++)
		alt.p[i] = take(data, size, BB_DW_NR + i, &at, &alt.len[i]);
	link = take(data, size, 2 * BB_DW_NR, &at, &len);
	link_both_ways(link, link ? len : 0);
	free(link);
	d = bb_dwarf_new(&s);
	for (i = 0; i < BB_DW_NR && !a; i++)
		if (alt.p[i])
			a = bb_dwarf_new(&alt);
	bb_dwarf_set_alt(d, a);
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
	bb_dwarf_free(a);
	return 0;
}
