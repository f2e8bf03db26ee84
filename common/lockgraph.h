/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A directed graph of u64 nodes for the deadlock applet: "lock A was held
 * while lock B was taken" (nodes are lock addresses), or "thread A waits
 * for thread B" (nodes are thread ids).  A cycle is a potential deadlock.
 * Edges are only ever added; cycles are reported once, incrementally.
 */
#ifndef BB_LOCKGRAPH_H
#define BB_LOCKGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bb_lockgraph;

struct bb_lockgraph *bb_lockgraph_new(void);
void bb_lockgraph_free(struct bb_lockgraph *g);

/*
 * Edge from -> to, carrying @data (the caller's, not freed).  A second add
 * of the same (from, to) keeps the first data and returns 0; a new edge
 * returns 1.  from == to is ignored (returns 0).
 */
int bb_lockgraph_add_edge(struct bb_lockgraph *g, uint64_t from, uint64_t to, void *data);
size_t bb_lockgraph_edges(const struct bb_lockgraph *g);
/*
 * Edge from -> to changed (the caller learnt more about it): cycles
 * through it that @fn declined are offered again.  0, or -1 if no such edge.
 */
int bb_lockgraph_touch(struct bb_lockgraph *g, uint64_t from, uint64_t to);

/*
 * Calls @fn for every elementary cycle (length 2..max_len) not reported by
 * an earlier call on this graph, rotated so it starts at its smallest node
 * id.  locks[i] -> locks[(i + 1) % n] is the edge whose data is data[i].
 * @fn returns whether it reported the cycle: one it declines (it cannot
 * deadlock, as far as the edges' data tells) is offered again only once
 * an edge on it is touched.  At most @max_cycles are reported per call
 * (the rest in later calls).  Returns how many were reported in this call.
 */
typedef bool (*bb_lockgraph_cycle_fn)(const uint64_t *locks, void *const *data, size_t n,
				      void *ctx);
size_t bb_lockgraph_report_cycles(struct bb_lockgraph *g, size_t max_len, size_t max_cycles,
				  bb_lockgraph_cycle_fn fn, void *ctx);

#endif
