/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Source lines and inlined calls from DWARF 2 to 5: what addr2line -i -f
 * prints for one address.  A compact reader, not libdw (which would add
 * 40-60 KB to the binary, see README "User stacks"): .debug_line programs
 * and, of .debug_info, only the subprograms and inlined subroutines that
 * hold an address, their names and call sites.  Little-endian only.
 *
 * Everything is read lazily and kept: a compile unit's line table and
 * abbreviations when an address in it is first looked up.  The section
 * bytes come from outside (any ELF file) and are untrusted: every read is
 * bounded, a malformed unit gives no answer, never a crash.
 */
#ifndef BB_DWARF_H
#define BB_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bb_dw_section {
	BB_DW_INFO, BB_DW_ABBREV, BB_DW_LINE, BB_DW_STR, BB_DW_LINE_STR, BB_DW_ADDR,
	BB_DW_STR_OFFSETS, BB_DW_RANGES, BB_DW_RNGLISTS, BB_DW_ARANGES, BB_DW_NR
};

/* ".debug_info", ... in the order above. */
extern const char *const bb_dwarf_section_names[BB_DW_NR];

struct bb_dwarf_sections {
	const uint8_t *p[BB_DW_NR];
	size_t len[BB_DW_NR];
};

/* One frame of addr2line -i's answer; strings live as long as the reader. */
struct bb_srcline {
	const char *name;	/* function (linkage name when there is one); NULL: unknown */
	const char *file;	/* the source file's base name; NULL: unknown */
	unsigned line;		/* 0: unknown */
};

struct bb_dwarf;

/*
 * Where the supplementary ("alt") file is: dwz -m moves what objects share
 * (types, inlined functions' abstract instances, strings) to one file,
 * named in .gnu_debugaltlink (GNU) or .debug_sup (DWARF 5).
 */
struct bb_dwarf_link {
	const char *path;	/* absolute, or from the directory of the file naming it */
	const uint8_t *id;	/* its build-id (.debug_sup: its checksum, dwz's build-id) */
	size_t id_len;
	bool supplementary;	/* .debug_sup of the alt file itself: no path */
};

/* @p, @len: .gnu_debugaltlink, or .debug_sup when @sup; false: malformed
 * (the pointers are into @p). */
bool bb_dwarf_link(const uint8_t *p, size_t len, bool sup, struct bb_dwarf_link *out);

/* A reader of @s, which it takes: each p[] is free()d by bb_dwarf_free(). */
struct bb_dwarf *bb_dwarf_new(const struct bb_dwarf_sections *s);
void bb_dwarf_free(struct bb_dwarf *d);
/* References to the alt file's DIEs and strings are read in @alt, which
 * must outlive @d; NULL: they are unknown. */
void bb_dwarf_set_alt(struct bb_dwarf *d, struct bb_dwarf *alt);

/*
 * The source of link-time address @pc: out[0] the innermost inlined
 * function and where in it, then each caller it is inlined into and the
 * line of the call, out[n-1] the function the code belongs to.  Returns n
 * (at most @max), 0 when the DWARF does not say.
 */
int bb_dwarf_lookup(struct bb_dwarf *d, uint64_t pc, struct bb_srcline *out, int max);

#endif
