/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call frame information (.eh_frame, .debug_frame) turned into compact
 * unwind rows: for each address range of an object, where the caller's
 * frame is (the CFA: the stack pointer or the frame pointer plus an
 * offset) and where, relative to it, the return address and the caller's
 * frame pointer were saved.  That is all a frame-pointer or a stack-pointer
 * walk needs; anything else a row cannot say (a DWARF expression, a CFA in
 * another register) makes the row BB_CFA_UNKNOWN, and the walk stops there
 * instead of guessing.
 *
 * The parser takes untrusted bytes (any ELF file a process maps): every
 * length and pointer is checked, the CFA programs run in bounded time and
 * state, and a malformed entry is skipped, never a crash.
 */
#ifndef BB_UNWIND_H
#define BB_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "bb_shared.h"	/* enum bb_cfa */


/* One per change of rule, link-time addresses. */
struct bb_unwind_row {
	uint64_t pc;		/* the row holds from here to the next row's pc */
	int32_t cfa_off;	/* (32 bits: 64 KiB frames exist, python3 has some) */
	int16_t ra_off;		/* return address at CFA + ra_off; 0: not saved (a link register) */
	int16_t fp_off;		/* caller's frame pointer at CFA + fp_off; 0: not saved */
	uint8_t cfa;		/* enum bb_cfa */
};

struct bb_unwind_rows {
	struct bb_unwind_row *v;
	size_t nr, cap;
};

/*
 * Appends the rows of one CFI section: @sec (@len bytes) is .eh_frame
 * (@eh) or .debug_frame, loaded at link-time address @sec_addr (pc-relative
 * pointers count from it); @machine the ELF e_machine (EM_X86_64,
 * EM_AARCH64: which DWARF registers are the stack and frame pointers).
 * Returns the number of FDEs read (0 for an unknown machine or garbage).
 * Rows are in section order: bb_unwind_sort() before lookups.
 */
size_t bb_unwind_parse(struct bb_unwind_rows *rows, const uint8_t *sec, size_t len,
		       uint64_t sec_addr, bool eh, unsigned machine);
/* Sorts by pc; where two FDEs cover one address the first one wins. */
void bb_unwind_sort(struct bb_unwind_rows *rows);
/* The row covering @pc, or NULL (then nothing is known there). */
const struct bb_unwind_row *bb_unwind_find(const struct bb_unwind_rows *rows, uint64_t pc);
void bb_unwind_free(struct bb_unwind_rows *rows);

/* The standard frame-pointer frame: CFA = fp + 16, the caller's fp at
 * CFA - 16 and the return address at CFA - 8 (x86_64 and arm64 alike).
 * Only there does the frame pointer lead to the caller's frame. */
static inline bool bb_unwind_is_fp_frame(const struct bb_unwind_row *r)
{
	return r->cfa == BB_CFA_FP && r->cfa_off == 16 && r->fp_off == -16 && r->ra_off == -8;
}

#endif
