/* SPDX-License-Identifier: GPL-2.0 */
/*
 * deadlock's look at a process as it is, without probes: the threads
 * asleep in futex() on a mutex, each mutex's owner, their stacks.
 */
#ifndef DL_SNAPSHOT_H
#define DL_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "bb_shared.h"

struct bb_usyms;

/* A thread asleep waiting for a mutex. */
struct dl_blocked {
	int tid;
	uint64_t lock;		/* the pthread_mutex_t */
	int owner;		/* the thread holding it; 0: unknown */
	int nr_frames;
	uint64_t frames[BB_MAX_STACK];	/* innermost first */
};

/*
 * The threads of process @pid blocked on a mutex now (at most @max),
 * reading the mutexes as glibc (@glibc) or musl lays them out.  @syms:
 * the process's address space, to tell return addresses on its stacks.
 */
size_t dl_snapshot(int pid, bool glibc, struct bb_usyms *syms, struct dl_blocked *out,
		   size_t max);

/*
 * The block of glibc's main heap (starting at @heap, the [heap] mapping)
 * that holds @addr: its start and usable size.  False if the walk does not
 * get there (another allocator, a corrupt heap).
 */
bool dl_heap_block(int pid, uint64_t heap, uint64_t addr, uint64_t *block, uint64_t *usable);

#endif
