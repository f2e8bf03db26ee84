/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by every BPF program and the user-space core: the
 * aggregator's value layout, the lost-event counters and the filter
 * configuration.  Included from both sides, so only fixed-width types.
 */
#ifndef BB_SHARED_H
#define BB_SHARED_H

#define BB_COMM_LEN 16
#define BB_HIST_SLOTS 32
#define BB_MAX_STACK 32
/* A frame value that is no address: the stack goes on, but its next frame
 * could not be found for sure (printed "[...]").  Page 0 is never code. */
#define BB_FRAME_TRUNCATED 1

/* One aggregated key's value (per CPU in the kernel, summed by user space). */
struct bb_agg_val {
	__u64 count;
	__u64 bytes;
	__u64 first_ns;		/* bpf_ktime_get_boot_ns() of the first hit */
	__u64 last_ns;
};

/* Same, with a log2 histogram of the "bytes" argument (latency, size...). */
struct bb_agg_hval {
	struct bb_agg_val v;
	__u32 slots[BB_HIST_SLOTS];
};

/*
 * Indices into the per-CPU "bb_lost" array.  Everything the kernel side
 * had to throw away is counted here and shown to the user.
 */
enum bb_lost_kind {
	BB_LOST_RINGBUF,	/* ring buffer full: event not delivered */
	BB_LOST_AGG,		/* aggregation map full: key not counted */
	BB_LOST_STACK,		/* stack could not be stored */
	BB_LOST_APPLET,		/* applet-specific (e.g. map overflow) */
	BB_LOST_NR,
};

/*
 * Unwinding user stacks without frame pointers (bpfbox.bpf.h walks them,
 * common/ustack.c fills the maps): each object's unwind rows (from its
 * .eh_frame, see common/unwind.h) in one array, found through a page index,
 * and each traced process's executable mappings with the object they hold.
 */
#define BB_UNWIND_MAPS 128	/* executable mappings of a process */
#define BB_UNWIND_PROCS 64	/* processes followed at once */
#define BB_UNWIND_ROWS (1 << 18)	/* rows of every object, 16 bytes each */
#define BB_UNWIND_PAGES (1 << 16)	/* 4 KiB pages of code, 8 bytes each */
#define BB_UNWIND_PAGE_SHIFT 12
#define BB_UNWIND_PAGE_ROWS 1023	/* rows one page may have (10 halvings) */

struct bb_unwind_map {
	__u64 start, end;	/* the process's addresses */
	__u64 bias;		/* address - link-time address */
	__u32 page_base;	/* its file's first page in bb_unwind_pages; 0: no
				 * rows (frame pointers) */
	__u32 pages;		/* how many */
	__u64 first_page;	/* the link-time page of page_base */
};

struct bb_unwind_proc {
	__u32 nr;		/* maps[] used, sorted by start */
	__u32 pad;
	struct bb_unwind_map maps[BB_UNWIND_MAPS];
};

struct bb_unwind_page {
	__u32 first, nr;	/* rows[first, first + nr): the one in force at the
				 * page's start, then those inside it; nr 0: none */
};

/* How an unwind row finds the caller's frame (the CFA). */
enum bb_cfa {
	BB_CFA_UNKNOWN,		/* no rule a walk can follow (or no row) */
	BB_CFA_SP,		/* CFA = stack pointer + cfa_off */
	BB_CFA_FP,		/* CFA = frame pointer + cfa_off */
	BB_CFA_END,		/* no caller: the return address is undefined (_start) */
};

/* common/unwind.h's row, for the kernel: link-time addresses below 4 GiB. */
struct bb_unwind_krow {
	__u32 pc;
	__s32 cfa_off;
	__s16 ra_off, fp_off;
	__u8 cfa;		/* enum bb_cfa (common/unwind.h) */
	__u8 pad[3];
};

/* Counters (per CPU) of the walker, for user space. */
enum bb_unwind_stat {
	BB_UNWIND_UNMAPPED,	/* a pc in no known mapping: a dlopen to catch up with */
	BB_UNWIND_CUT,		/* stacks ended with BB_FRAME_TRUNCATED */
	BB_UNWIND_STATS,
};

/* Filters every applet can apply in the kernel; 0 means "no filter". */
struct bb_filter {
	__u32 tgid;
	__u32 pid;		/* thread id */
	__u64 cgroup_id;
	__u32 netns;		/* inode number of a network namespace */
	__u32 mntns;
	char comm[BB_COMM_LEN];
	__u8 has_comm;
	__u8 pad[7];
};

#endif
