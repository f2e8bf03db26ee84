/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel enum names, read from the running kernel (BTF or tracefs). */
#ifndef BB_KENUM_H
#define BB_KENUM_H

#include <stdint.h>

/* Adds every enumerator of the running kernel's enum @type, minus @prefix,
 * to names @table (its BTF: mapped where it can be, else parsed).  Returns
 * how many (0: no such enum). */
int bb_kenum_from_btf(uint32_t table, const char *type, const char *prefix);
/* The name (minus @prefix) of @value in enum @type; NULL when it has none. */
const char *bb_kenum_name(const char *type, long long value, const char *prefix);
/* From `__print_symbolic(REC->field, { v, "NAME" }, ...)` in the format file
 * of tracefs event @event ("skb/kfree_skb").  Returns how many. */
int bb_kenum_from_tracefs(uint32_t table, const char *event, const char *field);

#endif
