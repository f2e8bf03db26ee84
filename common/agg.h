/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space half of the aggregator (bpf/bpfbox.bpf.h BB_AGG_MAP): read
 * the per-CPU map into a table, turn cumulative counts into per-interval
 * deltas, sort, keep the top N, and print or record it every interval.
 */
#ifndef BB_AGG_H
#define BB_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/bb_shared.h"

struct bb_agg_row {
	const void *key;		/* key_size bytes, owned by the table */
	struct bb_agg_val val;
	__u32 slots[BB_HIST_SLOTS];	/* log2 histogram, when the map has one */
};

struct bb_agg_table {
	size_t key_size;
	bool hist;
	size_t nr, cap;
	struct bb_agg_row *rows;
	uint64_t ts_ns;			/* CLOCK_BOOTTIME of the read */
	uint64_t total_count;		/* over all rows, before top-N */
	uint64_t total_bytes;
	size_t total_rows;		/* before top-N */
	/* Key lookup: open addressing over row numbers, rebuilt when stale
	 * (sorting moves rows), so merging and deltas stay linear. */
	size_t *index;			/* row + 1; 0 is an empty slot */
	size_t index_cap;		/* a power of two, >= 2 * nr when valid */
	bool index_ok;
};

/* How a table row is stored in a record file, before key and value. */
struct bb_agg_row_hdr {
	__u32 key_size;
	__u32 hist;
};

enum bb_agg_order { BB_AGG_BY_COUNT, BB_AGG_BY_BYTES };

void bb_agg_init(struct bb_agg_table *t, size_t key_size, bool hist);
void bb_agg_clear(struct bb_agg_table *t);
void bb_agg_free(struct bb_agg_table *t);
/* Add (or merge into) a row; merging sums counts and widens first/last. */
void bb_agg_put(struct bb_agg_table *t, const void *key, const struct bb_agg_val *v,
		const __u32 *slots);
struct bb_agg_row *bb_agg_find(const struct bb_agg_table *t, const void *key);
/* Sum one per-CPU BB_AGG_MAP into @t (cleared first). 0 or -errno. */
int bb_agg_read_map(int map_fd, struct bb_agg_table *t);
/* out = cur - prev, keeping only keys that moved. */
void bb_agg_delta(const struct bb_agg_table *cur, const struct bb_agg_table *prev,
		  struct bb_agg_table *out);
/* Drops the rows whose count is 0 (figures that went back to nothing). */
void bb_agg_drop_empty(struct bb_agg_table *t);
/* Sort (ties broken by key bytes, so output is stable) and keep @top rows. */
void bb_agg_sort(struct bb_agg_table *t, enum bb_agg_order order, size_t top);
void bb_agg_copy(struct bb_agg_table *dst, const struct bb_agg_table *src);

/*
 * The interval driver: every tick reads the map, makes the delta unless
 * cumulative, sorts, and hands the table to the applet's print_table (or
 * the record file).
 */
struct bb_agg_view {
	int map_fd;
	bool cumulative;
	enum bb_agg_order order;
	struct bb_agg_table prev, cur, shown;
};
void bb_agg_view_init(struct bb_agg_view *v, int map_fd, size_t key_size, bool hist);
void bb_agg_view_tick(void *view, bool final);	/* a bb_loop tick callback */
/* Print or record one table as the current applet wants it. */
void bb_agg_emit(const struct bb_agg_table *t, bool final);

#endif
