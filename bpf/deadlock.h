/* SPDX-License-Identifier: GPL-2.0 */
/* deadlock: structs shared by bpf/deadlock.bpf.c and applets/deadlock.c. */
#ifndef DEADLOCK_H
#define DEADLOCK_H

#include "bb_shared.h"

#define DL_MAX_HELD 32		/* locks one thread holds at once, at most (power of 2) */

/* Which lock function; the uprobe.multi cookie. */
enum dl_op {
	DL_LOCK, DL_TRYLOCK, DL_UNLOCK,
	DL_RDLOCK, DL_WRLOCK, DL_TRYRDLOCK, DL_TRYWRLOCK, DL_RWUNLOCK,
	DL_CUSTOM_LOCK,		/* --lock-symbols: its return value means nothing */
	DL_OP_NR,
};

/* "from was held when to was taken": an edge of the lock-order graph. */
struct dl_edge_key {
	__u64 from;
	__u64 to;
};

struct dl_edge {
	__u32 tid;
	__s32 from_stack;	/* where @from was taken */
	__s32 to_stack;		/* where @to was requested */
	__u32 pad;
	char comm[BB_COMM_LEN];
};

struct dl_held {
	__u64 lock;
	__s32 stack_id;		/* where it was taken */
	__u32 pad;
};

/* A thread inside a lock call: blocked there, if it stays. */
struct dl_wait {
	__u64 lock;		/* 0: in no lock call */
	__u64 ts_ns;
	__s32 stack_id;		/* where it was requested */
	__u32 op;
};

/* A thread: the lock call it is in, and the locks it holds. */
struct dl_thread {
	struct dl_wait wait;
	__u32 nr;
	__u32 pad;
	struct dl_held held[DL_MAX_HELD];
};

#endif
