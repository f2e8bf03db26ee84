// SPDX-License-Identifier: GPL-2.0
/*
 * Lock-order graph: see lockgraph.h.
 *
 * Finding cycles: Tarjan's SCCs first (a cycle never leaves its SCC, and
 * most of a lock graph is acyclic), then inside each SCC of two nodes or
 * more a length-bounded search from every node s in id order, over the
 * SCC's nodes with a bigger id only: so each elementary cycle is found
 * exactly once, from its smallest node, already rotated as reported.  A
 * backward BFS from s first gives each node's distance back to s, so the
 * forward search only follows paths that can still close within max_len
 * (without it a big SCC costs degree^max_len per start node).
 *
 * Incremental reports: an edge stays "pending" while a cycle through it
 * may not have been reported.  SCCs without a pending edge inside are not
 * searched again, and the set of cycles reported so far keeps an SCC that
 * is searched again (it got a new edge, or the last call stopped at
 * max_cycles) from reporting a cycle twice.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "bpfbox.h"
#include "lockgraph.h"

#define NONE UINT32_MAX

/* Open addressing u64 -> u32; NONE marks an empty slot, so any key is valid. */
struct lg_map {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, nr;		/* cap: 0 or a power of two */
};

struct lg_list {
	uint32_t *v;
	uint32_t nr, cap;
};

struct lg_node {
	uint64_t id;
	struct lg_list out, in;	/* edge indexes */
};

struct lg_edge {
	uint32_t from, to;	/* node indexes */
	void *data;
	bool pending;		/* may be on a cycle not reported yet */
};

/* A reported cycle: its ids are pool[off .. off + n). */
struct lg_cycle {
	size_t off, n;
	uint64_t hash;
};

struct bb_lockgraph {
	struct lg_map node_map;		/* id -> node index */
	struct lg_map edge_map;		/* from << 32 | to -> edge index */
	struct lg_node *nodes;
	size_t nr_nodes, cap_nodes;
	struct lg_edge *edges;
	size_t nr_edges, cap_edges;
	size_t nr_pending;
	/*
	 * Every unreported cycle up to this long has a pending edge.  A call
	 * with a longer max_len must look at every SCC again.
	 */
	size_t clean_len;
	/* The cycles reported so far: a hash set of indexes into cycles[]. */
	uint64_t *pool;
	size_t pool_nr, pool_cap;
	struct lg_cycle *cycles;
	size_t nr_cycles, cap_cycles;
	uint32_t *cycle_slots;
	size_t cycle_cap;
};

/* splitmix64's finalizer: lock addresses share their low bits. */
static uint64_t lg_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static size_t map_slot(const struct lg_map *m, uint64_t key)
{
	size_t mask = m->cap - 1, i = lg_hash(key) & mask;

	while (m->vals[i] != NONE && m->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

static uint32_t map_get(const struct lg_map *m, uint64_t key)
{
	return m->cap ? m->vals[map_slot(m, key)] : NONE;
}

static void map_grow(struct lg_map *m)
{
	struct lg_map n = { .cap = m->cap ? m->cap * 2 : 64, .nr = m->nr };
	size_t i, s;

	n.keys = bb_xcalloc(n.cap, sizeof(*n.keys));
	n.vals = bb_xcalloc(n.cap, sizeof(*n.vals));
	memset(n.vals, 0xff, n.cap * sizeof(*n.vals));
	for (i = 0; i < m->cap; i++) {
		if (m->vals[i] == NONE)
			continue;
		s = map_slot(&n, m->keys[i]);
		n.keys[s] = m->keys[i];
		n.vals[s] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	*m = n;
}

/* @key must not be in the map yet. */
static void map_put(struct lg_map *m, uint64_t key, uint32_t val)
{
	size_t s;

	if ((m->nr + 1) * 2 > m->cap)
		map_grow(m);
	s = map_slot(m, key);
	m->keys[s] = key;
	m->vals[s] = val;
	m->nr++;
}

static void list_push(struct lg_list *l, uint32_t v)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = bb_xrealloc(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->nr++] = v;
}

struct bb_lockgraph *bb_lockgraph_new(void)
{
	return bb_xcalloc(1, sizeof(struct bb_lockgraph));
}

void bb_lockgraph_free(struct bb_lockgraph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nr_nodes; i++) {
		free(g->nodes[i].out.v);
		free(g->nodes[i].in.v);
	}
	free(g->nodes);
	free(g->edges);
	free(g->node_map.keys);
	free(g->node_map.vals);
	free(g->edge_map.keys);
	free(g->edge_map.vals);
	free(g->pool);
	free(g->cycles);
	free(g->cycle_slots);
	free(g);
}

static uint32_t lg_node(struct bb_lockgraph *g, uint64_t id)
{
	uint32_t i = map_get(&g->node_map, id);

	if (i != NONE)
		return i;
	/* Node indexes are u32, and NONE is taken. */
	if (g->nr_nodes >= NONE - 1)
		bb_die("lock graph: too many nodes");
	if (g->nr_nodes == g->cap_nodes) {
		g->cap_nodes = g->cap_nodes ? g->cap_nodes * 2 : 64;
		g->nodes = bb_xrealloc(g->nodes, g->cap_nodes, sizeof(*g->nodes));
	}
	i = g->nr_nodes++;
	memset(&g->nodes[i], 0, sizeof(g->nodes[i]));
	g->nodes[i].id = id;
	map_put(&g->node_map, id, i);
	return i;
}

int bb_lockgraph_add_edge(struct bb_lockgraph *g, uint64_t from, uint64_t to, void *data)
{
	uint32_t f, t, e;
	uint64_t key;

	/* A recursive lock taken again is not an ordering between two locks. */
	if (from == to)
		return 0;
	f = lg_node(g, from);
	t = lg_node(g, to);
	key = (uint64_t)f << 32 | t;
	if (map_get(&g->edge_map, key) != NONE)
		return 0;
	if (g->nr_edges >= NONE - 1)
		bb_die("lock graph: too many edges");
	if (g->nr_edges == g->cap_edges) {
		g->cap_edges = g->cap_edges ? g->cap_edges * 2 : 64;
		g->edges = bb_xrealloc(g->edges, g->cap_edges, sizeof(*g->edges));
	}
	e = g->nr_edges++;
	g->edges[e] = (struct lg_edge){ .from = f, .to = t, .data = data, .pending = true };
	g->nr_pending++;
	map_put(&g->edge_map, key, e);
	list_push(&g->nodes[f].out, e);
	list_push(&g->nodes[t].in, e);
	return 1;
}

size_t bb_lockgraph_edges(const struct bb_lockgraph *g)
{
	return g->nr_edges;
}

int bb_lockgraph_touch(struct bb_lockgraph *g, uint64_t from, uint64_t to)
{
	uint32_t f = map_get(&g->node_map, from), t = map_get(&g->node_map, to), e;

	if (f == NONE || t == NONE)
		return -1;
	e = map_get(&g->edge_map, (uint64_t)f << 32 | t);
	if (e == NONE)
		return -1;
	if (!g->edges[e].pending) {
		g->edges[e].pending = true;
		g->nr_pending++;
	}
	return 0;
}

/* ---- the reported cycles -------------------------------------------------- */

static uint64_t lg_cycle_hash(const uint64_t *ids, size_t n)
{
	uint64_t h = n;
	size_t i;

	for (i = 0; i < n; i++)
		h = lg_hash(h ^ ids[i]) + i;
	return h;
}

static size_t lg_cycle_slot(const struct bb_lockgraph *g, uint64_t h, const uint64_t *ids,
			    size_t n)
{
	size_t mask = g->cycle_cap - 1, i = h & mask;
	const struct lg_cycle *c;

	for (; g->cycle_slots[i] != NONE; i = (i + 1) & mask) {
		c = &g->cycles[g->cycle_slots[i]];
		if (c->hash == h && c->n == n && ids &&
		    !memcmp(g->pool + c->off, ids, n * sizeof(*ids)))
			break;
	}
	return i;
}

static void lg_cycles_grow(struct bb_lockgraph *g)
{
	size_t i;

	free(g->cycle_slots);
	g->cycle_cap = g->cycle_cap ? g->cycle_cap * 2 : 64;
	g->cycle_slots = bb_xcalloc(g->cycle_cap, sizeof(*g->cycle_slots));
	memset(g->cycle_slots, 0xff, g->cycle_cap * sizeof(*g->cycle_slots));
	/* ids == NULL: they are all different, find a free slot. */
	for (i = 0; i < g->nr_cycles; i++)
		g->cycle_slots[lg_cycle_slot(g, g->cycles[i].hash, NULL, 0)] = i;
}

static bool lg_reported(const struct bb_lockgraph *g, const uint64_t *ids, size_t n)
{
	return g->cycle_cap &&
	       g->cycle_slots[lg_cycle_slot(g, lg_cycle_hash(ids, n), ids, n)] != NONE;
}

/* Adds a cycle, not reported yet, to the reported ones. */
static void lg_remember(struct bb_lockgraph *g, const uint64_t *ids, size_t n)
{
	uint64_t h = lg_cycle_hash(ids, n);
	size_t s;

	if ((g->nr_cycles + 1) * 2 > g->cycle_cap)
		lg_cycles_grow(g);
	s = lg_cycle_slot(g, h, ids, n);
	if (g->nr_cycles >= NONE - 1)
		bb_die("lock graph: too many cycles");
	while (g->pool_nr + n > g->pool_cap) {
		g->pool_cap = g->pool_cap ? g->pool_cap * 2 : 256;
		g->pool = bb_xrealloc(g->pool, g->pool_cap, sizeof(*g->pool));
	}
	if (g->nr_cycles == g->cap_cycles) {
		g->cap_cycles = g->cap_cycles ? g->cap_cycles * 2 : 64;
		g->cycles = bb_xrealloc(g->cycles, g->cap_cycles, sizeof(*g->cycles));
	}
	memcpy(g->pool + g->pool_nr, ids, n * sizeof(*ids));
	g->cycles[g->nr_cycles] = (struct lg_cycle){ .off = g->pool_nr, .n = n, .hash = h };
	g->pool_nr += n;
	g->cycle_slots[s] = g->nr_cycles++;
}

/* ---- strongly connected components ------------------------------------- */

/*
 * Tarjan's algorithm without recursion: a chain of ten thousand locks
 * must not overflow the stack.  Sets comp[v]; returns the number of SCCs.
 */
static uint32_t lg_scc(const struct bb_lockgraph *g, uint32_t *comp)
{
	size_t n = g->nr_nodes;
	uint32_t *index = bb_xcalloc(n, sizeof(*index));
	uint32_t *low = bb_xcalloc(n, sizeof(*low));
	uint32_t *pos = bb_xcalloc(n, sizeof(*pos));	/* next out edge */
	uint32_t *stack = bb_xcalloc(n, sizeof(*stack));
	uint32_t *call = bb_xcalloc(n, sizeof(*call));
	bool *on = bb_xcalloc(n, sizeof(*on));
	uint32_t next = 0, sp = 0, depth, nr_comp = 0, r, v, w;

	memset(index, 0xff, n * sizeof(*index));
	for (r = 0; r < n; r++) {
		if (index[r] != NONE)
			continue;
		depth = 0;
		call[depth++] = r;
		index[r] = low[r] = next++;
		stack[sp++] = r;
		on[r] = true;
		while (depth) {
			v = call[depth - 1];
			if (pos[v] < g->nodes[v].out.nr) {
				w = g->edges[g->nodes[v].out.v[pos[v]++]].to;
				if (index[w] == NONE) {
					index[w] = low[w] = next++;
					stack[sp++] = w;
					on[w] = true;
					call[depth++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			depth--;
			if (depth && low[v] < low[call[depth - 1]])
				low[call[depth - 1]] = low[v];
			if (low[v] != index[v])
				continue;
			do {
				w = stack[--sp];
				on[w] = false;
				comp[w] = nr_comp;
			} while (w != v);
			nr_comp++;
		}
	}
	free(index);
	free(low);
	free(pos);
	free(stack);
	free(call);
	free(on);
	return nr_comp;
}

/* ---- bounded cycle search ------------------------------------------------ */

struct lg_search {
	struct bb_lockgraph *g;
	const uint32_t *comp;
	uint32_t *rank;		/* position in its SCC sorted by id */
	uint32_t *dist;		/* edges back to the start; NONE: out of reach */
	bool *onpath;
	uint32_t *queue;
	uint32_t *path_v, *path_e, *iter;	/* the current path, max_len + 1 */
	uint64_t *locks;
	void **data;
	size_t max_cycles, reported;
	bb_lockgraph_cycle_fn fn;
	void *ctx;
};

struct lg_member {
	uint64_t id;
	uint32_t v, comp;
};

static int lg_member_cmp(const void *a, const void *b)
{
	const struct lg_member *x = a, *y = b;

	if (x->comp != y->comp)
		return x->comp < y->comp ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Backward BFS from @s over the nodes of its SCC with a bigger id: sets
 * dist[] up to @len - 1.  Returns how many nodes it set (queue[0..n)).
 */
static size_t lg_bfs(struct lg_search *S, uint32_t s, size_t len)
{
	const struct bb_lockgraph *g = S->g;
	size_t head = 0, tail = 0, i;
	const struct lg_list *in;
	uint32_t v, u;

	S->dist[s] = 0;
	S->queue[tail++] = s;
	while (head < tail) {
		v = S->queue[head++];
		if (S->dist[v] + 1 >= len)
			continue;
		in = &g->nodes[v].in;
		for (i = 0; i < in->nr; i++) {
			u = g->edges[in->v[i]].from;
			if (S->comp[u] != S->comp[s] || S->rank[u] <= S->rank[s] ||
			    S->dist[u] != NONE)
				continue;
			S->dist[u] = S->dist[v] + 1;
			S->queue[tail++] = u;
		}
	}
	return tail;
}

/* Reports the cycle on path[0..n); false once max_cycles were reported. */
static bool lg_emit(struct lg_search *S, size_t n)
{
	const struct bb_lockgraph *g = S->g;
	size_t i;

	for (i = 0; i < n; i++) {
		S->locks[i] = g->nodes[S->path_v[i]].id;
		S->data[i] = g->edges[S->path_e[i]].data;
	}
	if (lg_reported(S->g, S->locks, n) || !S->fn(S->locks, S->data, n, S->ctx))
		return true;
	lg_remember(S->g, S->locks, n);
	return ++S->reported < S->max_cycles;
}

/*
 * Every cycle from @s through bigger nodes, up to @len edges, without
 * recursion.  dist[] (lg_bfs) marks the nodes allowed and prunes paths
 * that could not close in time.  Returns false once max_cycles were
 * reported.
 */
static bool lg_dfs(struct lg_search *S, uint32_t s, size_t len)
{
	const struct bb_lockgraph *g = S->g;
	const struct lg_list *out;
	bool more = true;
	size_t d = 0;
	uint32_t v, w, e;

	S->path_v[0] = s;
	S->iter[0] = 0;
	S->onpath[s] = true;
	for (;;) {
		v = S->path_v[d];
		out = &g->nodes[v].out;
		if (!more || S->iter[d] == out->nr) {
			S->onpath[v] = false;
			if (!d)
				return more;
			d--;
			continue;
		}
		e = out->v[S->iter[d]++];
		w = g->edges[e].to;
		if (w == s) {
			S->path_e[d] = e;
			if (d && !lg_emit(S, d + 1))
				more = false;
			continue;
		}
		if (S->dist[w] == NONE || S->onpath[w] || d + 1 + S->dist[w] > len)
			continue;
		S->path_e[d++] = e;
		S->path_v[d] = w;
		S->iter[d] = 0;
		S->onpath[w] = true;
	}
}

/* Searches one SCC (m[0..n) sorted by id); false once max_cycles were reported. */
static bool lg_search_scc(struct lg_search *S, const struct lg_member *m, size_t n,
			  size_t max_len)
{
	size_t len = max_len < n ? max_len : n, k, i, reached;
	bool more = true;

	for (k = 0; k < n; k++)
		S->rank[m[k].v] = k;
	/* The biggest node has no bigger one to go through. */
	for (k = 0; more && k + 1 < n; k++) {
		reached = lg_bfs(S, m[k].v, len);
		more = lg_dfs(S, m[k].v, len);
		for (i = 0; i < reached; i++)
			S->dist[S->queue[i]] = NONE;
	}
	return more;
}

size_t bb_lockgraph_report_cycles(struct bb_lockgraph *g, size_t max_len, size_t max_cycles,
				  bb_lockgraph_cycle_fn fn, void *ctx)
{
	struct lg_search S = { .g = g, .max_cycles = max_cycles, .fn = fn, .ctx = ctx };
	size_t n = g->nr_nodes, len, nr_m = 0, i, j;
	struct lg_member *m;
	struct lg_edge *e;
	bool *dirty, *done;
	uint32_t nr_comp, *comp;

	if (max_len < 2 || !max_cycles)
		return 0;
	if (max_len > g->clean_len) {
		for (i = 0; i < g->nr_edges; i++)
			g->edges[i].pending = true;
		g->nr_pending = g->nr_edges;
	}
	g->clean_len = max_len;
	if (!g->nr_pending)
		return 0;

	comp = bb_xcalloc(n, sizeof(*comp));
	nr_comp = lg_scc(g, comp);
	dirty = bb_xcalloc(nr_comp, sizeof(*dirty));
	done = bb_xcalloc(nr_comp, sizeof(*done));
	for (i = 0; i < g->nr_edges; i++) {
		e = &g->edges[i];
		if (e->pending && comp[e->from] == comp[e->to])
			dirty[comp[e->from]] = true;
	}
	m = bb_xcalloc(n, sizeof(*m));
	for (i = 0; i < n; i++)
		if (dirty[comp[i]])
			m[nr_m++] = (struct lg_member){ g->nodes[i].id, i, comp[i] };
	qsort(m, nr_m, sizeof(*m), lg_member_cmp);

	len = max_len < n ? max_len : n;
	S.comp = comp;
	S.rank = bb_xcalloc(n, sizeof(*S.rank));
	S.dist = bb_xcalloc(n, sizeof(*S.dist));
	memset(S.dist, 0xff, n * sizeof(*S.dist));
	S.onpath = bb_xcalloc(n, sizeof(*S.onpath));
	S.queue = bb_xcalloc(n, sizeof(*S.queue));
	S.path_v = bb_xcalloc(len + 1, sizeof(*S.path_v));
	S.path_e = bb_xcalloc(len + 1, sizeof(*S.path_e));
	S.iter = bb_xcalloc(len + 1, sizeof(*S.iter));
	S.locks = bb_xcalloc(len + 1, sizeof(*S.locks));
	S.data = bb_xcalloc(len + 1, sizeof(*S.data));

	for (i = 0; i < nr_m; i = j) {
		for (j = i + 1; j < nr_m && m[j].comp == m[i].comp; j++)
			;
		if (!lg_search_scc(&S, m + i, j - i, max_len))
			break;
		done[m[i].comp] = true;
	}

	/* Edges between SCCs are on no cycle; a searched SCC has none left to report. */
	for (i = 0; i < g->nr_edges; i++) {
		e = &g->edges[i];
		if (e->pending && (comp[e->from] != comp[e->to] || done[comp[e->from]])) {
			e->pending = false;
			g->nr_pending--;
		}
	}

	free(comp);
	free(dirty);
	free(done);
	free(m);
	free(S.rank);
	free(S.dist);
	free(S.onpath);
	free(S.queue);
	free(S.path_v);
	free(S.path_e);
	free(S.iter);
	free(S.locks);
	free(S.data);
	return S.reported;
}
