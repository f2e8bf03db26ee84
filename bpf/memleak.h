/* SPDX-License-Identifier: GPL-2.0 */
/* memleak: structs shared by bpf/memleak.bpf.c and applets/memleak.c. */
#ifndef MEMLEAK_H
#define MEMLEAK_H

#include "bb_shared.h"

/* What an allocator call was; also the --events "op" field. */
enum memleak_op {
	ML_MALLOC, ML_CALLOC, ML_REALLOC, ML_REALLOCARRAY, ML_POSIX_MEMALIGN,
	ML_ALIGNED_ALLOC, ML_MEMALIGN, ML_VALLOC, ML_PVALLOC, ML_MMAP, ML_MREMAP,
	ML_FREE, ML_MUNMAP,
	ML_KMALLOC, ML_KMEM_CACHE_ALLOC, ML_PAGE_ALLOC,
	ML_KFREE, ML_KMEM_CACHE_FREE, ML_PAGE_FREE,
	ML_OP_NR,
};

/* Aggregation key: outstanding memory per allocating stack and process. */
struct memleak_key {
	__s32 stack_id;		/* -1: the stack could not be taken */
	__u32 tgid;		/* the allocating process; 0 in kernel mode */
};

/* An outstanding allocation's key: a forked child has its parent's
 * addresses, each process its own blocks. */
struct memleak_addr {
	__u64 addr;
	__u32 tgid;		/* 0 in kernel mode (freed by any task) */
	__u32 pad;
};

/* One outstanding allocation, keyed by its address. */
struct memleak_alloc {
	__u64 size;
	__u64 ts_ns;		/* CLOCK_BOOTTIME of the allocation */
	__s32 stack_id;
	__u32 pad;
};

/* The allocator library's code in one process, [lo, hi): the mmaps
 * called from there are its own (glibc's thread stacks, locale archive). */
struct memleak_text {
	__u64 lo, hi;
};

/* An allocator call in --events mode. */
struct memleak_event {
	__u64 ts_ns;
	__u64 addr;		/* returned / freed address */
	__u64 size;
	__u64 old_addr;		/* realloc/mremap: the previous block */
	__u32 tgid;
	__u32 tid;
	__u32 op;
	__s32 stack_id;
	char comm[BB_COMM_LEN];
};

#endif
