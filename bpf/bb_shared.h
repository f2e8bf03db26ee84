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
