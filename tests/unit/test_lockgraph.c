// SPDX-License-Identifier: GPL-2.0
/*
 * The lock-order graph (common/lockgraph.c): edges, cycles reported once
 * and rotated to their smallest node, max_len and max_cycles, and speed
 * on a big acyclic graph.  Random graphs are checked against a brute
 * force count of their elementary cycles.
 */
#include "unit.h"
#include <time.h>
#include "bpfbox.h"
#include "lockgraph.h"

#define MAXN 64		/* longest cycle the collector keeps */

struct cyc {
	size_t n;
	uint64_t locks[MAXN];
	void *data[MAXN];
};

/* What the callback saw, over one or more calls. */
struct got {
	size_t nr, cap;
	struct cyc *c;
	size_t by_len[MAXN + 1];
	bool bad;		/* a cycle too long to keep */
	size_t offered;		/* cycles the callback saw, declined ones too */
	bool decline;		/* decline every cycle (not reported) */
};

/* Every edge the tests add carries this, so data[] can be checked. */
static void *tag(uint64_t from, uint64_t to)
{
	return (void *)(uintptr_t)(from * 100000 + to + 1);
}

static bool collect(const uint64_t *locks, void *const *data, size_t n, void *ctx)
{
	struct got *g = ctx;
	struct cyc *c;

	g->offered++;
	if (g->decline)
		return false;
	if (n > MAXN) {
		g->bad = true;
		return true;
	}
	if (g->nr == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->c = realloc(g->c, g->cap * sizeof(*g->c));
		if (!g->c)
			abort();
	}
	c = &g->c[g->nr++];
	c->n = n;
	memcpy(c->locks, locks, n * sizeof(*locks));
	memcpy(c->data, data, n * sizeof(*data));
	g->by_len[n]++;
	return true;
}

static void got_reset(struct got *g)
{
	free(g->c);
	memset(g, 0, sizeof(*g));
}

static size_t report(struct bb_lockgraph *lg, size_t max_len, size_t max_cycles, struct got *g)
{
	return bb_lockgraph_report_cycles(lg, max_len, max_cycles, collect, g);
}

/* Cycle i as "a b c" (decimal ids). */
static const char *cyc_str(const struct got *g, size_t i)
{
	static char buf[512];
	size_t k, n = 0;

	buf[0] = 0;
	for (k = 0; i < g->nr && k < g->c[i].n && n + 24 < sizeof(buf); k++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%" PRIu64, k ? " " : "",
			      g->c[i].locks[k]);
	return buf;
}

/*
 * Every cycle: at least 2 long, starts at its smallest node, no node
 * twice, data[i] is the tag of locks[i] -> locks[i + 1]; and no cycle
 * reported twice.
 */
static int cyc_cmp(const void *a, const void *b)
{
	const struct cyc *x = a, *y = b;
	size_t i;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	for (i = 0; i < x->n; i++)
		if (x->locks[i] != y->locks[i])
			return x->locks[i] < y->locks[i] ? -1 : 1;
	return 0;
}

static void check_cycles(struct got *g, const char *what)
{
	size_t i, j, k, bad = 0, dups = 0;
	struct cyc *c;

	for (i = 0; i < g->nr; i++) {
		c = &g->c[i];
		if (c->n < 2)
			bad++;
		for (j = 0; j < c->n; j++) {
			if (c->locks[j] < c->locks[0] ||
			    c->data[j] != tag(c->locks[j], c->locks[(j + 1) % c->n]))
				bad++;
			for (k = j + 1; k < c->n; k++)
				if (c->locks[j] == c->locks[k])
					bad++;
		}
	}
	if (g->nr)
		qsort(g->c, g->nr, sizeof(*g->c), cyc_cmp);
	for (i = 1; i < g->nr; i++)
		if (!cyc_cmp(&g->c[i - 1], &g->c[i]))
			dups++;
	CHECK(!g->bad && !bad, "%s: every cycle elementary, rotated, with its edges' data", what);
	CHECK_U64(dups, 0, "%s: no cycle reported twice", what);
}

static int add(struct bb_lockgraph *lg, uint64_t from, uint64_t to)
{
	return bb_lockgraph_add_edge(lg, from, to, tag(from, to));
}

/* A declined cycle is not reported, not offered again until one of its
 * edges is touched, and then reported once. */
static void test_decline_touch(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = { .decline = true };

	add(lg, 1, 2);
	add(lg, 2, 1);
	add(lg, 2, 3);
	CHECK_U64(report(lg, 16, 64, &g), 0, "decline: nothing reported");
	CHECK_U64(g.offered, 1, "decline: the cycle offered once");
	CHECK_U64(report(lg, 16, 64, &g), 0, "decline: again, nothing");
	CHECK_U64(g.offered, 1, "decline: not offered again untouched");
	CHECK_U64(bb_lockgraph_touch(lg, 3, 1), -1, "touch: no edge 3 -> 1");
	CHECK_U64(bb_lockgraph_touch(lg, 2, 3), 0, "touch: 2 -> 3, on no cycle");
	CHECK_U64(report(lg, 16, 64, &g), 0, "touch off the cycle: nothing");
	CHECK_U64(g.offered, 1, "touch off the cycle: not offered");
	CHECK_U64(bb_lockgraph_touch(lg, 2, 1), 0, "touch: 2 -> 1");
	g.decline = false;
	CHECK_U64(report(lg, 16, 64, &g), 1, "touched: reported");
	CHECK_U64(g.offered, 2, "touched: offered again");
	CHECK_U64(report(lg, 16, 64, &g), 0, "reported once");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_empty(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};

	CHECK_U64(bb_lockgraph_edges(lg), 0, "empty: no edges");
	CHECK_U64(report(lg, 16, 100, &g), 0, "empty: no cycle");
	CHECK_U64(g.nr, 0, "empty: callback not called");
	bb_lockgraph_free(lg);
	bb_lockgraph_free(NULL);
	CHECK(1, "free(NULL) is a no-op");
}

static void test_single_edge(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};

	CHECK_U64(add(lg, 1, 2), 1, "single edge: new edge returns 1");
	CHECK_U64(bb_lockgraph_edges(lg), 1, "single edge: one edge");
	CHECK_U64(report(lg, 16, 100, &g), 0, "single edge: no cycle");
	bb_lockgraph_free(lg);
}

static void test_abba(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};

	add(lg, 0x2000, 0x1000);
	add(lg, 0x1000, 0x2000);
	CHECK_U64(report(lg, 16, 100, &g), 1, "ABBA: one cycle");
	if (CHECK_U64(g.nr, 1, "ABBA: callback called once")) {
		CHECK_STR(cyc_str(&g, 0), "4096 8192", "ABBA: starts at the smaller lock");
		CHECK(g.c[0].data[0] == tag(0x1000, 0x2000) &&
		      g.c[0].data[1] == tag(0x2000, 0x1000), "ABBA: data of each edge");
	}
	CHECK_U64(report(lg, 16, 100, &g), 0, "ABBA: not reported again");
	add(lg, 0x2000, 0x3000);
	add(lg, 0x3000, 0x1000);
	CHECK_U64(report(lg, 16, 100, &g), 1, "ABBA + 3-cycle added later: only the new one");
	if (g.nr == 2)
		CHECK_STR(cyc_str(&g, 1), "4096 8192 12288", "new cycle: the 3-cycle");
	CHECK_U64(report(lg, 16, 100, &g), 0, "then nothing more");
	check_cycles(&g, "ABBA");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

static void test_three(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};

	add(lg, 30, 10);
	add(lg, 20, 30);
	CHECK_U64(report(lg, 16, 100, &g), 0, "3-cycle: open chain has none");
	add(lg, 10, 20);
	CHECK_U64(report(lg, 16, 100, &g), 1, "3-cycle: one cycle once closed");
	CHECK_STR(cyc_str(&g, 0), "10 20 30", "3-cycle: order from the smallest");
	check_cycles(&g, "3-cycle");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

static void test_disjoint(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};

	add(lg, 1, 2);
	add(lg, 2, 1);
	add(lg, 7, 5);
	add(lg, 5, 6);
	add(lg, 6, 7);
	add(lg, 2, 5);	/* joins them one way: still two SCCs */
	CHECK_U64(report(lg, 16, 100, &g), 2, "two disjoint cycles: both");
	check_cycles(&g, "disjoint");
	CHECK_STR(cyc_str(&g, 0), "1 2", "disjoint: the 2-cycle");
	CHECK_STR(cyc_str(&g, 1), "5 6 7", "disjoint: the 3-cycle");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

static void test_chain(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};
	uint64_t i;

	/* Always taken in address order: never a cycle. */
	for (i = 0; i < 2000; i++) {
		add(lg, 0xffff0000 + i * 64, 0xffff0000 + (i + 1) * 64);
		add(lg, 0xffff0000 + i * 64, 0xffff0000 + (i + 3) * 64);
	}
	CHECK_U64(bb_lockgraph_edges(lg), 4000, "chain: 4000 edges");
	CHECK_U64(report(lg, 64, 100, &g), 0, "chain in a consistent order: no cycle");
	bb_lockgraph_free(lg);
}

static void test_self_and_dups(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};
	int a, b;

	CHECK_U64(add(lg, 5, 5), 0, "self edge: returns 0");
	CHECK_U64(bb_lockgraph_edges(lg), 0, "self edge: not added");
	CHECK_U64(report(lg, 16, 100, &g), 0, "self edge: no cycle");

	a = bb_lockgraph_add_edge(lg, 1, 2, &a);
	b = bb_lockgraph_add_edge(lg, 1, 2, &b);
	CHECK(a == 1 && b == 0, "duplicate edge: 1 then 0");
	CHECK_U64(bb_lockgraph_edges(lg), 1, "duplicate edge: counted once");
	bb_lockgraph_add_edge(lg, 2, 1, &g);
	add(lg, 2, 2);
	CHECK_U64(report(lg, 16, 100, &g), 1, "duplicate edge: one cycle");
	CHECK(g.nr == 1 && g.c[0].data[0] == &a && g.c[0].data[1] == &g,
	      "duplicate edge: keeps the first data");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

static struct bb_lockgraph *complete5(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	uint64_t i, j;

	/* Added in a scrambled order: the result must not depend on it. */
	for (i = 5; i >= 1; i--)
		for (j = 1; j <= 5; j++)
			if (i != j)
				add(lg, i * 11, j * 11);
	return lg;
}

static void test_complete5(void)
{
	struct bb_lockgraph *lg = complete5();
	struct got g = {};

	CHECK_U64(bb_lockgraph_edges(lg), 20, "K5: 20 edges");
	CHECK_U64(report(lg, 5, 1000, &g), 84, "K5: 84 elementary cycles");
	CHECK(g.by_len[2] == 10 && g.by_len[3] == 20 && g.by_len[4] == 30 && g.by_len[5] == 24,
	      "K5: 10, 20, 30, 24 of length 2, 3, 4, 5");
	check_cycles(&g, "K5");
	CHECK_U64(report(lg, 5, 1000, &g), 0, "K5: nothing on a second call");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

static void test_max_len(void)
{
	struct bb_lockgraph *lg = complete5();
	struct got g = {};

	CHECK_U64(report(lg, 0, 1000, &g), 0, "max_len 0: nothing");
	CHECK_U64(report(lg, 1, 1000, &g), 0, "max_len 1: nothing");
	CHECK_U64(report(lg, 2, 1000, &g), 10, "max_len 2: the 10 2-cycles");
	CHECK_U64(report(lg, 3, 1000, &g), 20, "then max_len 3: the 20 3-cycles only");
	CHECK_U64(report(lg, 3, 1000, &g), 0, "max_len 3 again: nothing");
	CHECK_U64(report(lg, 2, 1000, &g), 0, "max_len 2 again: nothing");
	CHECK_U64(report(lg, 100, 1000, &g), 54, "then max_len 100: the 54 longer ones");
	CHECK(g.by_len[2] == 10 && g.by_len[3] == 20 && g.by_len[4] == 30 && g.by_len[5] == 24,
	      "max_len steps: every length once");
	check_cycles(&g, "max_len");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

static void test_paging(void)
{
	struct bb_lockgraph *lg = complete5();
	struct got g = {};
	size_t calls = 0, r, full = 0;

	CHECK_U64(report(lg, 5, 0, &g), 0, "max_cycles 0: nothing");
	while ((r = report(lg, 5, 7, &g)) && calls < 100) {
		calls++;
		full += r == 7;
	}
	CHECK_U64(g.nr, 84, "paging by 7: 84 cycles in all");
	CHECK(calls == 12 && full == 12, "paging by 7: 12 full calls, then 0");
	check_cycles(&g, "paging");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

/* ---- random graphs ------------------------------------------------------- */

struct rgraph {
	size_t n;
	bool adj[32][32];
};

/* Brute force: every closed simple path from every start, / its length. */
static void brute_dfs(const struct rgraph *r, size_t s, size_t v, size_t d, size_t max_len,
		      bool *on, size_t *by_len)
{
	size_t w;

	for (w = 0; w < r->n; w++) {
		if (!r->adj[v][w])
			continue;
		if (w == s && d + 1 >= 2 && d + 1 <= max_len)
			by_len[d + 1]++;
		if (w == s || on[w] || d + 1 >= max_len)
			continue;
		on[w] = true;
		brute_dfs(r, s, w, d + 1, max_len, on, by_len);
		on[w] = false;
	}
}

static void brute_count(const struct rgraph *r, size_t max_len, size_t *by_len)
{
	bool on[32] = {};
	size_t s, k;

	memset(by_len, 0, (MAXN + 1) * sizeof(*by_len));
	for (s = 0; s < r->n; s++) {
		on[s] = true;
		brute_dfs(r, s, s, 0, max_len, on, by_len);
		on[s] = false;
	}
	/* Found once from each of its nodes. */
	for (k = 2; k <= MAXN; k++)
		by_len[k] /= k;
}

/* Node ids not in index order, to check the rotation uses ids. */
static uint64_t rid(size_t i)
{
	return (i * 7919) % 101 + 1000;
}

static void test_random_brute(void)
{
	static const size_t lens[] = { 2, 4, 7, 30 };
	size_t want[MAXN + 1], seed, li, i, k, added, mism = 0, bad = 0, total = 0;
	uint64_t st;

	for (seed = 1; seed <= 20; seed++) {
		struct rgraph r = { .n = 30 };
		size_t from[60], to[60];

		st = seed * 0x9e3779b97f4a7c15ULL;
		for (added = 0; added < 60;) {
			size_t a = unit_rand(&st) % r.n, b = unit_rand(&st) % r.n;

			if (a == b || r.adj[a][b])
				continue;
			r.adj[a][b] = true;
			from[added] = a;
			to[added++] = b;
		}
		for (li = 0; li < ARRAY_SIZE(lens); li++) {
			struct bb_lockgraph *lg = bb_lockgraph_new();
			struct got g = {};

			brute_count(&r, lens[li], want);
			/*
			 * Edges one by one, a small page after each: the
			 * incremental bookkeeping must still report every
			 * cycle exactly once.
			 */
			for (i = 0; i < 60; i++) {
				add(lg, rid(from[i]), rid(to[i]));
				report(lg, lens[li], 3, &g);
			}
			while (report(lg, lens[li], 3, &g))
				;
			for (k = 0; k <= MAXN; k++)
				if (g.by_len[k] != want[k]) {
					if (!mism++)
						unit_diag("seed %zu max_len %zu length %zu: got %zu, want %zu",
							  seed, lens[li], k, g.by_len[k], want[k]);
				}
			total += g.nr;
			check_cycles(&g, "random");
			bad += g.bad;
			got_reset(&g);
			bb_lockgraph_free(lg);
		}
	}
	CHECK_U64(mism, 0, "random 30 nodes / 60 edges: cycles per length match brute force");
	unit_diag("random graphs: %zu cycles in all", total);
	CHECK(total > 100, "random graphs: had cycles to find");
}

#define DAG_NODES 10000
#define DAG_EDGES 50000
#define DAG_LEN 8

/* Random DAG (edges from lower to higher id), then one back edge. */
static void test_big_dag(void)
{
	static uint32_t from[DAG_EDGES + 1], to[DAG_EDGES + 1];
	static uint64_t cur[DAG_NODES], nxt[DAG_NODES];
	struct bb_lockgraph *lg = bb_lockgraph_new();
	uint64_t st = 42, want = 0;
	size_t nr = 0, i, k, hop, bad = 0;
	uint32_t a, b;
	struct got g = {};
	double t;

	while (nr < DAG_EDGES) {
		uint32_t x = unit_rand(&st) % DAG_NODES, y = unit_rand(&st) % DAG_NODES;

		if (x == y)
			continue;
		if (x > y) {
			uint32_t tmp = x;

			x = y;
			y = tmp;
		}
		if (add(lg, x, y)) {
			from[nr] = x;
			to[nr++] = y;
		}
	}
	CHECK_U64(bb_lockgraph_edges(lg), DAG_EDGES, "DAG: 50000 edges");
	t = now();
	CHECK_U64(report(lg, DAG_LEN, 1000000, &g), 0, "DAG: no cycle");
	t = now() - t;
	unit_diag("DAG 10k/50k: %.3f s", t);
	CHECK(t < 1.0, "DAG: searched in under a second");

	/* The back edge closes a random 3-hop path from a to b. */
	a = from[unit_rand(&st) % nr];
	b = a;
	for (hop = 0; hop < 3; hop++) {
		for (i = 0; i < nr && from[i] != b; i++)
			;
		if (i == nr)
			break;
		b = to[i];
	}
	/* Cycles through b -> a = paths a ~> b of 1..DAG_LEN-1 edges. */
	memset(cur, 0, sizeof(cur));
	cur[a] = 1;
	for (k = 1; k < DAG_LEN; k++) {
		memset(nxt, 0, sizeof(nxt));
		for (i = 0; i < nr; i++)
			nxt[to[i]] += cur[from[i]];
		want += nxt[b];
		memcpy(cur, nxt, sizeof(cur));
	}
	CHECK(a != b && want > 0, "DAG: back edge %u -> %u closes %" PRIu64 " paths", b, a, want);
	add(lg, b, a);
	t = now();
	CHECK_U64(report(lg, DAG_LEN, 1000000, &g), want, "DAG + back edge: the cycles through it");
	t = now() - t;
	unit_diag("DAG + back edge: %zu cycles, %.3f s", g.nr, t);
	CHECK(t < 1.0, "DAG + back edge: searched in under a second");
	for (i = 0; i < g.nr; i++)
		if (g.c[i].locks[0] != a || g.c[i].locks[g.c[i].n - 1] != b)
			bad++;
	CHECK_U64(bad, 0, "DAG + back edge: every cycle goes b -> a");
	check_cycles(&g, "DAG");
	CHECK_U64(report(lg, DAG_LEN, 1000000, &g), 0, "DAG + back edge: nothing on a second call");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

/*
 * The hard case for the search: one SCC of all 10,000 nodes (a DAG of
 * short hops from higher to lower ids, closed by 0 -> 9999), every node
 * a start, and no cycle short enough to report.
 */
static void test_big_scc(void)
{
	struct bb_lockgraph *lg = bb_lockgraph_new();
	struct got g = {};
	uint64_t st = 7, x, y;
	double t;

	while (bb_lockgraph_edges(lg) < DAG_EDGES) {
		x = unit_rand(&st) % DAG_NODES;
		y = x + 1 + unit_rand(&st) % 20;
		if (y < DAG_NODES)
			add(lg, y, x);
	}
	for (x = 1; x < DAG_NODES; x++)	/* so that it is one SCC */
		add(lg, x, x - 1);
	add(lg, 0, DAG_NODES - 1);
	t = now();
	CHECK_U64(report(lg, DAG_LEN, 1000000, &g), 0, "one 10k-node SCC: no cycle of 8 or less");
	t = now() - t;
	unit_diag("one 10k-node SCC, max_len %d: %.3f s", DAG_LEN, t);
	CHECK(t < 1.0, "one 10k-node SCC: searched in under a second");
	add(lg, 5000, 5003);
	CHECK(report(lg, DAG_LEN, 1000000, &g) > 0, "one 10k-node SCC: a short cycle added is found");
	check_cycles(&g, "big SCC");
	got_reset(&g);
	bb_lockgraph_free(lg);
}

int main(void)
{
	test_empty();
	test_single_edge();
	test_abba();
	test_three();
	test_disjoint();
	test_chain();
	test_self_and_dups();
	test_complete5();
	test_max_len();
	test_paging();
	test_random_brute();
	test_big_dag();
	test_big_scc();
	test_decline_touch();
	return unit_done();
}
