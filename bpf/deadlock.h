/* SPDX-License-Identifier: GPL-2.0 */
/* deadlock: structs shared by bpf/deadlock.bpf.c and applets/deadlock.c. */
#ifndef DEADLOCK_H
#define DEADLOCK_H

#include "bb_shared.h"

#define DL_MAX_HELD 64		/* locks one thread holds at once, at most (power of 2) */

/*
 * A lock's id: its address, and above it how many times the memory at
 * that address was destroyed (pthread_mutex_destroy...) or freed while
 * deadlock watched.  A lock made later at the same address is another
 * lock: no false cycle joins the two.
 */
#define DL_GEN_SHIFT 48
#define DL_ADDR_MASK ((1ULL << DL_GEN_SHIFT) - 1)

/* Which lock function; the uprobe.multi cookie. */
enum dl_op {
	DL_LOCK, DL_TRYLOCK, DL_UNLOCK,
	DL_RDLOCK, DL_WRLOCK, DL_TRYRDLOCK, DL_TRYWRLOCK, DL_RWUNLOCK,
	DL_CUSTOM_LOCK,		/* --lock-symbols: its return value means nothing */
	DL_DESTROY,		/* pthread_mutex_destroy...: the lock is gone */
	DL_FREE,		/* free(): a lock that starts the block is gone */
	DL_OP_NR,
};
/* How an edge's locks were used: its key's modes. */
enum {
	DL_FROM_READ = 1,	/* @from was held for reading */
	DL_TO_READ = 2,		/* @to was asked for reading */
};

/* "from was held when to was taken": an edge of the lock-order graph. */
struct dl_edge_key {
	__u64 from;
	__u64 to;
	__u32 modes;
	__u32 pad;
};

struct dl_edge {
	__u64 gate;		/* a lock held, besides @from, every time (0: none) */
	__u32 tid;
	__s32 from_stack;	/* where @from was taken */
	__s32 to_stack;		/* where @to was requested */
	__u32 pad;
	char comm[BB_COMM_LEN];
};

struct dl_held {
	__u64 lock;		/* id */
	__s32 stack_id;		/* where it was taken */
	__u16 depth;		/* taken again by its holder (recursive), times */
	__u8 read;		/* held for reading */
	__u8 pad;
};

/* A thread inside a lock call: blocked there, if it stays. */
struct dl_wait {
	__u64 lock;		/* id; 0: in no lock call */
	__u64 ts_ns;
	__s32 stack_id;		/* where it was requested */
	__u32 op;		/* enum dl_op */
};

/* A thread: the lock call it is in, and the locks it holds. */
struct dl_thread {
	struct dl_wait wait;
	__u32 nr;
	__u32 over;		/* holds beyond --max-held now: not tracked */
	struct dl_held held[DL_MAX_HELD];
};

#endif
