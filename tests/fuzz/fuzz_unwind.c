// SPDX-License-Identifier: GPL-2.0
/*
 * The CFI parser (common/unwind.c) on any bytes.  The first byte picks
 * the section kind (bit 0: .eh_frame, else .debug_frame) and the machine
 * (bit 1: arm64, else x86_64); the rest is the section, loaded at
 * 0x1000.  Then the rows are sorted and looked up at every address the
 * input names: no crash, no leak, every row found one of the four kinds.
 * Seeds: real .eh_frame and .debug_frame sections (corpus/unwind/).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include "unwind.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bb_unwind_rows rows = { 0 };
	const struct bb_unwind_row *r;
	uint8_t *sec;
	uint64_t pc;
	size_t i;

	if (!size)
		return 0;
	/* A copy of its own size: a read past the end is ASan's to see. */
	sec = malloc(size - 1 ? size - 1 : 1);
	memcpy(sec, data + 1, size - 1);
	bb_unwind_parse(&rows, sec, size - 1, 0x1000, data[0] & 1,
			data[0] & 2 ? EM_AARCH64 : EM_X86_64);
	bb_unwind_sort(&rows);
	for (i = 0; i + 8 <= size - 1 && i < 4096; i += 13) {
		memcpy(&pc, sec + i, 8);
		r = bb_unwind_find(&rows, pc);
		if (r && r->cfa > BB_CFA_END)
			abort();
		r = bb_unwind_find(&rows, 0x1000 + i);
		if (r && r->cfa > BB_CFA_END)
			abort();
	}
	for (i = 1; i < rows.nr; i++)
		if (rows.v[i - 1].pc >= rows.v[i].pc)
			abort();	/* sorted, one row an address */
	bb_unwind_free(&rows);
	free(sec);
	return 0;
}
