/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decoder's private pieces: a bounded output buffer with snprintf's
 * contract, strace's quoting of strings, and value/flag tables ("xlat")
 * printed as strace prints them.  Shared by decode.c and its tables.
 */
#ifndef TL_FMT_H
#define TL_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes at most @size bytes (NUL included) into @buf; @len counts every
 * byte that was wanted, so the caller gets snprintf's return value. */
struct tl_out {
	char *buf;
	size_t size;
	size_t len;
};

void tl_out_init(struct tl_out *o, char *buf, size_t size);
void tl_put(struct tl_out *o, const char *s);
void tl_putn(struct tl_out *o, const char *s, size_t n);
void tl_putc(struct tl_out *o, char c);
void tl_putf(struct tl_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "NULL" or 0x... */
void tl_put_ptr(struct tl_out *o, uint64_t v);
/* 0 as "0", anything else as 0x... (strace's %#lx) */
void tl_put_hex(struct tl_out *o, uint64_t v);

/* How a quoted string is written: strace's default (octal escapes), or
 * every byte in \x.. (getrandom's buffer). */
#define TL_QUOTE_HEX	0x01
/*
 * @n bytes as a C string in double quotes, escaped as strace escapes them;
 * "..." follows when @more (more existed than was captured).
 */
void tl_put_quoted(struct tl_out *o, const uint8_t *s, size_t n, bool more, unsigned how);

/* One named value of a table; tables end with a NULL name. */
struct tl_xlat {
	uint64_t val;
	const char *name;
};

const char *tl_xlat_find(const struct tl_xlat *x, uint64_t val);
/* A value: its name, or 0x1c /\* PREFIX??? *\/ (@unknown is the comment's
 * text, "F_???"), 0 written as 0. */
void tl_put_xval(struct tl_out *o, const struct tl_xlat *x, uint64_t val, const char *unknown);
/*
 * Flags: the names of the bits set, in the table's order, then the bits
 * left in hex (A|B|0x40); none known: 0x40 /\* PREFIX??? *\/; 0: the
 * table's zero name (PROT_NONE) or 0.  Entries may cover several bits
 * (O_TMPFILE): they match when all their bits are set.
 */
void tl_put_flags(struct tl_out *o, const struct tl_xlat *x, uint64_t val, const char *unknown);
/* The same, without the zero case: for a part after "|" (returns whether
 * anything was written). */
bool tl_put_flag_bits(struct tl_out *o, const struct tl_xlat *x, uint64_t val,
		      const char *unknown);

#endif
