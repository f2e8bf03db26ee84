/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel enum names, read from the running kernel (BTF or tracefs). */
#ifndef BB_KENUM_H
#define BB_KENUM_H

#include <stdint.h>

struct btf;

/* Adds every enumerator of enum @type, minus @prefix, to names @table.
 * Returns how many (0: no such enum). */
int bb_kenum_from_btf(const struct btf *btf, uint32_t table, const char *type,
		      const char *prefix);
/* The value of one enumerator; 0, or -1 when the kernel lacks it. */
int bb_kenum_value(const struct btf *btf, const char *type, const char *name,
		   long long *out);
/* From `__print_symbolic(REC->field, { v, "NAME" }, ...)` in the format file
 * of tracefs event @event ("skb/kfree_skb").  Returns how many. */
int bb_kenum_from_tracefs(uint32_t table, const char *event, const char *field);

#endif
