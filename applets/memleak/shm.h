/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memleak's in-process engine: the tables the preloaded object
 * (applets/memleak/preload/mlpreload.c) keeps in a memfd that bpfbox maps
 * too.  The object writes them while the process it was told to follow
 * (active_pid) runs; bpfbox reads them at each report and clears them when
 * that process execs (it is stopped then: no writer).
 *
 * Everything here is plain fixed-size data, the same for both sides (the
 * object is built for the binary's own architecture).  bpfbox treats what
 * it reads as the target's (untrusted): indices and counts are bounded
 * before use.
 */
#ifndef ML_SHM_H
#define ML_SHM_H

#include <stdint.h>

#define ML_SHM_MAGIC	0x32766d68736c6d62ULL	/* "bmlshmv2" */
#define ML_SHM_FRAMES	32			/* = BB_MAX_STACK */
#define ML_SHM_STACKS	16384			/* as the uprobe engine's stack map */
/* Stack ids given to the report: apart from the BPF stack map's. */
#define ML_SHM_STACK_BASE (1 << 28)
/* The environment variable naming the table's descriptor in the target. */
#define ML_SHM_ENV	"BPFBOX_MEMLEAK_FD"
/* A frame past the last one kept (the uprobe engine's marker). */
#define ML_SHM_TRUNCATED 1
#define ML_SHM_MAPS	128			/* executable mappings described */
#define ML_SHM_ROWS	(1 << 20)		/* unwind rows, all files together */

/* The unwind rows bpfbox builds (common/unwind.h), for the object to walk
 * stacks as the uprobe engine's BPF walker does.  cfa: enum bb_cfa. */
struct ml_shm_row {
	uint32_t pc;		/* link-time address (files linked below 4 GiB) */
	int32_t cfa_off;
	int16_t ra_off;
	int16_t fp_off;
	uint8_t cfa;
	uint8_t pad[3];
};

/* One executable mapping of the followed process, by start address. */
struct ml_shm_map {
	uint64_t start, end, bias;
	uint32_t row_first, row_nr;	/* its file's rows; none: walked by libgcc */
};

struct ml_shm_maps {
	uint32_t nr;
	uint32_t pad;
	struct ml_shm_map m[ML_SHM_MAPS];
};

/* One live allocation; addr 0: a free slot (open addressing, linear
 * probing, deletion by backward shift: no tombstones). */
struct ml_shm_alloc {
	uint64_t addr;
	uint64_t size;
	uint64_t ts_ns;		/* CLOCK_BOOTTIME (read coarsely: the tick) */
	int32_t stack;		/* slot in stacks[], -1: not taken */
	uint32_t pad;
};

/* One allocating stack and its outstanding total; hash 0: free slot.
 * Once published (ready), frames never change: the id is the slot. */
struct ml_shm_stack {
	uint64_t hash;
	uint32_t nr;
	uint32_t ready;
	int64_t count, bytes;
	uint64_t frames[ML_SHM_FRAMES];
};

struct ml_shm {
	uint64_t magic;
	uint32_t lock;		/* a spinlock over both tables */
	int32_t active_pid;	/* bpfbox: whose calls are kept (0: nobody's) */
	uint32_t alloc_slots;	/* a power of two, twice --max-allocs at least */
	uint32_t max_allocs;	/* --max-allocs */
	uint32_t live;		/* allocations in the table */
	uint32_t sample_every;	/* -s */
	uint64_t min_size, max_size;	/* -z, -Z */
	uint64_t lost_allocs;	/* table full: not followed */
	uint64_t lost_stacks;	/* stack table full: kept without a stack */
	uint64_t nested;	/* calls made while the thread was inside the engine
				   (a signal handler's): not followed */
	uint32_t loaded_pid;	/* the object's constructor ran in this process */
	uint32_t unwinder;	/* 1: libgcc_s's _Unwind_Backtrace found */
	uint64_t alloc_off;	/* offsets of the tables from the start */
	uint64_t stack_off;
	uint64_t size;		/* of the whole mapping */
	uint64_t mapped_at;	/* where the process mapped it (the leak scan
				   leaves it out: it points at every block) */
	/* bpfbox writes the map tables not in use, then flips maps_cur. */
	uint32_t maps_cur;
	uint32_t rows_used;
	uint64_t rows_off;
	uint64_t maps_off;	/* two struct ml_shm_maps */
	uint64_t walked, fallbacks;	/* stacks by the rows, by libgcc */
	/* A pc in no mapping described (a library dlopen'd since): the object
	 * writes to event_fd (an eventfd bpfbox polls) and waits a moment on
	 * maps_seq (a futex) for bpfbox to describe the mappings again. */
	int32_t event_fd;
	uint32_t maps_seq;
	uint64_t asked;		/* times it asked */
	/* Whether bpfbox is still there (killed, it is not: the process goes
	 * on, unfollowed): the read end of a pipe whose write end only bpfbox
	 * holds reads EOF once it is gone.  Its number in bpfbox (a started
	 * command inherits it as is; an injected engine opens
	 * /proc/<bpfbox_pid>/fd/<alive_fd>), and what it is (a descriptor of
	 * that number may be another file by then).  -1: none. */
	int32_t alive_fd;
	int32_t bpfbox_pid;
	uint64_t alive_dev, alive_ino;
};

static inline uint64_t ml_shm_size(uint32_t alloc_slots)
{
	/* (Whole pages: the mapping's extent is the size.) */
	return (4096 + (uint64_t)alloc_slots * sizeof(struct ml_shm_alloc) +
		(uint64_t)ML_SHM_STACKS * sizeof(struct ml_shm_stack) +
		(uint64_t)ML_SHM_ROWS * sizeof(struct ml_shm_row) +
		2 * sizeof(struct ml_shm_maps) + 4095) & ~4095ULL;
}

/* Where @addr's search starts among @slots (a power of two, 2^10 at
 * least).  Blocks allocated one after the other sit side by side in the
 * table too (the address's low bits kept: cache and TLB friendly); the
 * higher bits, hashed, spread the windows of addresses apart. */
static inline uint32_t ml_shm_alloc_home(uint64_t addr, uint32_t slots)
{
	uint64_t k = addr >> 4;
	int bits = __builtin_ctz(slots);

	return (uint32_t)(k + (((k >> bits) * 0x9e3779b97f4a7c15ULL) >> (64 - bits))) &
	       (slots - 1);
}

#endif
