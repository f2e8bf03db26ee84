/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memleak's leak kinds, as valgrind's memcheck tells them: a conservative
 * scan of a stopped process's memory for pointers to its outstanding
 * blocks.  From the roots (writable memory outside the allocator's:
 * globals, stacks), a block pointed to at its start is still reachable,
 * one pointed to only inside possibly lost (its contents scanned as
 * possible too); the blocks no root leads to are lost: definitely, or
 * indirectly when only other lost blocks point to them.
 */
#ifndef ML_LEAKSCAN_H
#define ML_LEAKSCAN_H

#include <stddef.h>
#include <stdint.h>

enum ml_kind {
	ML_KIND_UNKNOWN,	/* not scanned (a running process, -p) */
	ML_DEFINITELY,
	ML_INDIRECTLY,
	ML_POSSIBLY,
	ML_REACHABLE,
	ML_KIND_NR,
};

extern const char *const ml_kind_names[ML_KIND_NR];

struct ml_block {
	uint64_t addr, size;
	uint32_t tgid;
	uint8_t kind;		/* enum ml_kind, the result */
	uint8_t state;		/* the scan's */
};

struct ml_region {
	uint64_t start, end;
};

/* Reads up to @len bytes at @addr of the process: how many it could. */
typedef size_t (*ml_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/* Sorts @blocks by address and sets each one's kind, the roots being
 * @roots (read through @read). */
void ml_classify(struct ml_block *blocks, size_t n, const struct ml_region *roots,
		 size_t nr_roots, ml_read_fn read, void *ctx);

#endif
