// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's traces: spans linked to their parents, rule by rule, and
 * printed as a tree per trace once every span of it has ended.
 *
 * Rules, in order (the first that finds a parent wins; a span says which):
 *   thread    a client span sent under the kernel's thread context of a
 *             server span of the same process (the thread was serving that
 *             request when it sent this one).  Not used for contexts
 *             opened while another request of the thread was unanswered
 *             (event loops): those prove nothing.
 *   tcp_seq   a server span whose request has the connection and TCP
 *             sequence number of a client span's request: both ends of
 *             the same bytes.
 *   header    spans that carry the same traceparent / x-request-id /
 *             uber-trace-id: a server span joins the client span of
 *             another process that carried it around it, a client span the
 *             server span of its own process that did.
 *   heuristic a client span of a process joins a server span of the same
 *             process that encloses it in time: the one whose thread
 *             context it was sent (or its connection opened) under, even
 *             an overlapped one; else the one with the fewest such
 *             children so far, then the earliest (a proxy makes one
 *             upstream request per request, in order).
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "../../common/bpfbox.h"
#include "span.h"

#define HEURISTIC_SCAN 512	/* server spans looked at per client span */

struct node {
	struct dt_span s;
	struct node *parent, *child, *sibling;
	unsigned guessed_children;	/* heuristic children so far */
	bool tried;			/* linking was attempted */
	bool gone;			/* printed: freed at the end of the flush */
};

static struct dt_trace_opts opts;
/* Every span not yet printed; pool[0..pool_sorted) is in start order (the
 * last flush sorted it), the spans added since follow in any order. */
static struct node **pool;
static size_t pool_n, pool_cap, pool_sorted;
/* As large as the pool: merges and the heuristic's server list. */
static struct node **scratch, **servers;
static size_t scratch_cap;
/* Printed nodes, for the next spans (sibling links them): a span a
 * syscall or two, malloc and free would churn pages. */
static struct node *free_nodes;
static uint64_t next_id = 1;

static const char *const link_names[] = { "root", "thread", "tcp_seq", "header", "heuristic" };

const char *dt_link_name(enum dt_link l)
{
	return l < ARRAY_SIZE(link_names) ? link_names[l] : "?";
}

void dt_trace_init(const struct dt_trace_opts *o)
{
	opts = *o;
}

static struct node *node_new(void)
{
	struct node *n = free_nodes;

	if (!n)
		return bb_xcalloc(1, sizeof(*n));
	free_nodes = n->sibling;
	memset(n, 0, sizeof(*n));
	return n;
}

static void node_free(struct node *n)
{
	n->sibling = free_nodes;
	free_nodes = n;
}

void dt_trace_add(const struct dt_span *s)
{
	struct node *n = node_new();

	n->s = *s;
	n->s.id = next_id++;
	if (pool_n == pool_cap) {
		pool_cap = pool_cap ? 2 * pool_cap : 256;
		pool = bb_xrealloc(pool, pool_cap, sizeof(*pool));
	}
	pool[pool_n++] = n;
}

/* ---- an index: 64-bit keys to nodes (several per key), open addressing ---- */

struct index {
	uint64_t *keys;
	struct node **nodes;
	size_t mask, cap;	/* cap: allocated slots, kept from flush to flush */
};

/* Empty, with room for @n nodes. */
static void index_reset(struct index *ix, size_t n)
{
	size_t size = 64;

	while (size < 2 * n)
		size *= 2;
	if (size > ix->cap) {
		free(ix->keys);
		free(ix->nodes);
		ix->keys = bb_xcalloc(size, sizeof(*ix->keys));
		ix->nodes = bb_xcalloc(size, sizeof(*ix->nodes));
		ix->cap = size;
	} else {
		memset(ix->nodes, 0, size * sizeof(*ix->nodes));	/* keys: unread */
	}
	ix->mask = size - 1;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = mix(h, *b++);
	return h;
}

static void index_add(struct index *ix, uint64_t key, struct node *n)
{
	size_t i = key & ix->mask;

	while (ix->nodes[i])
		i = (i + 1) & ix->mask;
	ix->keys[i] = key;
	ix->nodes[i] = n;
}

/* The nodes under @key, one by one: *pos starts at 0. */
static struct node *index_next(const struct index *ix, uint64_t key, size_t *pos)
{
	size_t i;

	for (i = ((key & ix->mask) + *pos) & ix->mask; ix->nodes[i]; i = (i + 1) & ix->mask) {
		(*pos)++;
		if (ix->keys[i] == key)
			return ix->nodes[i];
	}
	return NULL;
}

/* ---- keys ---- */

static uint64_t ctx_key(const struct dt_span *s)
{
	return mix(mix(1, s->pid), s->ctx_id);
}

static uint64_t addr_key(uint64_t h, const struct dt_addr *a)
{
	return mix(mix_bytes(h, a->addr, a->family == AF_INET ? 4 : 16), a->port);
}

/* The exchange as the client names it: client address, server address, seq. */
static uint64_t seq_key(const struct dt_addr *client, const struct dt_addr *server, uint32_t seq)
{
	return mix(addr_key(addr_key(2, client), server), seq);
}

/* The trace header a span's request carries, or NULL. */
static const char *trace_header(const struct dt_span *s)
{
	if (s->req.traceparent[0])
		return s->req.traceparent;
	if (s->req.request_id[0])
		return s->req.request_id;
	if (s->req.uber_trace_id[0])
		return s->req.uber_trace_id;
	return NULL;
}

static uint64_t header_key(const char *h)
{
	return mix_bytes(3, h, strlen(h));
}

static bool encloses(const struct dt_span *outer, const struct dt_span *inner)
{
	return outer->start_ns <= inner->start_ns && inner->end_ns <= outer->end_ns;
}

/* ---- the rules ---- */

struct indexes {
	struct index ctx, seq, header;
};

static struct node *by_thread(const struct indexes *ix, const struct node *n)
{
	size_t pos = 0;
	struct node *m;

	if (n->s.kind != DT_SPAN_CLIENT || !n->s.ctx_id || n->s.ctx_overlap)
		return NULL;
	while ((m = index_next(&ix->ctx, ctx_key(&n->s), &pos)))
		if (m != n && m->s.pid == n->s.pid && m->s.ctx_id == n->s.ctx_id)
			return m;
	return NULL;
}

static struct node *by_seq(const struct indexes *ix, const struct node *n)
{
	size_t pos = 0;
	struct node *m;

	if (n->s.kind != DT_SPAN_SERVER || !n->s.has_seq)
		return NULL;
	while ((m = index_next(&ix->seq, seq_key(&n->s.peer, &n->s.local, n->s.req_seq), &pos)))
		if (m->s.req_seq == n->s.req_seq && dt_same_addr(&m->s.local, &n->s.peer) &&
		    dt_same_addr(&m->s.peer, &n->s.local))
			return m;
	return NULL;
}

static struct node *by_header(const struct indexes *ix, const struct node *n)
{
	const char *h = trace_header(&n->s), *mh;
	struct node *m, *best = NULL;
	size_t pos = 0;

	if (!h)
		return NULL;
	while ((m = index_next(&ix->header, header_key(h), &pos))) {
		mh = trace_header(&m->s);
		if (m == n || !mh || strcmp(mh, h) || !encloses(&m->s, &n->s))
			continue;
		/* A server span's caller is in another process; a client span's
		 * server span in its own. */
		if (n->s.kind == DT_SPAN_SERVER ? m->s.kind != DT_SPAN_CLIENT || m->s.pid == n->s.pid
						 : m->s.kind != DT_SPAN_SERVER || m->s.pid != n->s.pid)
			continue;
		if (!best || m->s.start_ns > best->s.start_ns)
			best = m;
	}
	return best;
}

/* Server spans sorted by (pid, start): the heuristic's candidates. */
struct servers {
	struct node **v;
	size_t n;
};

static struct node *by_heuristic(const struct servers *sv, const struct node *n)
{
	struct node *best = NULL, *m;
	size_t lo = 0, hi = sv->n, scanned;

	if (n->s.kind != DT_SPAN_CLIENT)
		return NULL;
	/* The first server span of this pid starting after n. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		m = sv->v[mid];
		if (m->s.pid < n->s.pid || (m->s.pid == n->s.pid && m->s.start_ns <= n->s.start_ns))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (scanned = 0; lo-- > 0 && scanned < HEURISTIC_SCAN; scanned++) {
		m = sv->v[lo];
		if (m->s.pid != n->s.pid)
			break;
		if (!encloses(&m->s, &n->s))
			continue;
		/* The kernel's context, unproven (overlapped), is the best hint. */
		if (n->s.ctx_id && m->s.ctx_id == n->s.ctx_id)
			return m;
		if (!best || m->guessed_children < best->guessed_children ||
		    (m->guessed_children == best->guessed_children &&
		     m->s.start_ns <= best->s.start_ns))
			best = m;
	}
	return best;
}

static void attach(struct node *child, struct node *parent, enum dt_link how)
{
	child->parent = parent;
	child->s.parent = parent->s.id;
	child->s.link = how;
	child->sibling = parent->child;
	parent->child = child;
}

static bool in_subtree(const struct node *root, const struct node *n)
{
	for (; n; n = n->parent)
		if (n == root)
			return true;
	return false;
}

static void try_link(const struct indexes *ix, const struct servers *sv, struct node *n)
{
	struct node *(*const rules[])(const struct indexes *, const struct node *) = {
		by_thread, by_seq, by_header,
	};
	static const enum dt_link how[] = { DT_LINK_THREAD, DT_LINK_TCP_SEQ, DT_LINK_HEADER };
	struct node *p;
	size_t i;

	n->tried = true;
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		p = rules[i](ix, n);
		if (p && !in_subtree(n, p)) {	/* never a cycle */
			attach(n, p, how[i]);
			return;
		}
	}
	p = by_heuristic(sv, n);
	if (p && !in_subtree(n, p)) {
		attach(n, p, DT_LINK_HEURISTIC);
		p->guessed_children++;
	}
}

/* ---- ordering: a stable merge sort of node pointers (qsort moves
 * each element with a memcpy call; this runs once a second on every span
 * of the last seconds) ---- */

typedef bool (*node_less)(const struct node *x, const struct node *y);

static bool by_start(const struct node *x, const struct node *y)
{
	if (x->s.start_ns != y->s.start_ns)
		return x->s.start_ns < y->s.start_ns;
	return x->s.id < y->s.id;
}

static bool by_pid(const struct node *x, const struct node *y)
{
	return x->s.pid < y->s.pid;
}

/* @a and @b, each sorted, into @out; on ties @a's first. */
static void merge_runs(struct node **a, size_t na, struct node **b, size_t nb,
		       struct node **out, node_less less)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na && j < nb)
		out[k++] = less(b[j], a[i]) ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

/* Sorts @v (@tmp: as long), keeping the order of equals. */
static void sort_nodes(struct node **v, size_t n, struct node **tmp, node_less less)
{
	struct node **src = v, **dst = tmp, **t;
	size_t w, i, na, nb;

	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			na = n - i < w ? n - i : w;
			nb = n - i - na < w ? n - i - na : w;
			merge_runs(src + i, na, src + i + na, nb, dst + i, less);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/* sort_pool swaps pool and scratch: both as large. */
static void grow_scratch(void)
{
	if (scratch_cap == pool_cap)
		return;
	scratch_cap = pool_cap;
	free(scratch);
	free(servers);
	scratch = bb_xcalloc(scratch_cap, sizeof(*scratch));
	servers = bb_xcalloc(scratch_cap, sizeof(*servers));
}

/* The pool in order of start: the spans added since the last flush,
 * sorted, merged into the rest (sorted then). */
static void sort_pool(void)
{
	struct node **t;

	sort_nodes(pool + pool_sorted, pool_n - pool_sorted, scratch, by_start);
	merge_runs(pool, pool_sorted, pool + pool_sorted, pool_n - pool_sorted, scratch, by_start);
	t = pool;
	pool = scratch;
	scratch = t;
	pool_sorted = pool_n;
}

static void link_settled(uint64_t settled_ns)
{
	static struct indexes ix;
	struct servers sv;
	const char *h;
	size_t i;

	grow_scratch();
	sv.v = servers;
	sv.n = 0;
	/* In order of start: the heuristic hands out requests in order. */
	sort_pool();
	index_reset(&ix.ctx, pool_n);
	index_reset(&ix.seq, pool_n);
	index_reset(&ix.header, pool_n);
	for (i = 0; i < pool_n; i++) {
		struct node *n = pool[i];

		if (n->s.kind == DT_SPAN_SERVER) {
			if (n->s.ctx_id)
				index_add(&ix.ctx, ctx_key(&n->s), n);
			sv.v[sv.n++] = n;
		} else if (n->s.has_seq) {
			index_add(&ix.seq, seq_key(&n->s.local, &n->s.peer, n->s.req_seq), n);
		}
		h = trace_header(&n->s);
		if (h)
			index_add(&ix.header, header_key(h), n);
	}
	/* By pid, then start (they came in start order). */
	sort_nodes(sv.v, sv.n, scratch, by_pid);
	for (i = 0; i < pool_n; i++)
		if (!pool[i]->tried && pool[i]->s.end_ns <= settled_ns)
			try_link(&ix, &sv, pool[i]);
}

/* ---- printing ---- */

/* @v's decimal digits at @p; returns the end. */
static char *put_uint(char *p, unsigned v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* "1.2.3.4:80", "[::1]:80".  IPv4 by hand: inet_ntop and snprintf, two
 * per span, were a quarter of the assembly's time under load. */
static void format_addr(const struct dt_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?", *p = buf;
	int i;

	if (a->family != AF_INET || len < sizeof("255.255.255.255:65535")) {
		inet_ntop(a->family, a->addr, ip, sizeof(ip));
		snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, a->port);
		return;
	}
	for (i = 0; i < 4; i++) {
		p = put_uint(p, a->addr[i]);
		*p++ = i < 3 ? '.' : ':';
	}
	p = put_uint(p, a->port);
	*p = 0;
}

static bool subtree_settled(const struct node *n, uint64_t settled_ns)
{
	const struct node *c;

	if (!n->tried || n->s.end_ns > settled_ns)
		return false;
	for (c = n->child; c; c = c->sibling)
		if (!subtree_settled(c, settled_ns))
			return false;
	return true;
}

static bool subtree_has_proto(const struct node *n, enum dt_proto p)
{
	const struct node *c;

	if (n->s.req.proto == p)
		return true;
	for (c = n->child; c; c = c->sibling)
		if (subtree_has_proto(c, p))
			return true;
	return false;
}

/* The trace's id: a traceparent's trace id if any span carried one. */
static void trace_id(const struct node *n, char *buf, size_t len, bool *found)
{
	const struct node *c;
	const char *tp = n->s.req.traceparent;

	if (!*found && strlen(tp) >= 35 && tp[2] == '-' && tp[35] == '-') {
		snprintf(buf, len, "%.32s", tp + 3);
		*found = true;
	}
	for (c = n->child; c; c = c->sibling)
		trace_id(c, buf, len, found);
}

static const char *status_text(const struct dt_span *s)
{
	return s->detail[0] ? s->detail : s->unparsed ? "-" : "(no reply)";
}

static void print_span_text(const struct node *n, uint64_t t0, int depth)
{
	char peer[64];

	format_addr(&n->s.peer, peer, sizeof(peer));
	printf("%10.3f %10.3f  %*s%s %s %s -> %s%s  %s[%u/%u] peer %s",
	       (n->s.start_ns - t0) / 1e6, (n->s.end_ns - n->s.start_ns) / 1e6, 2 * depth, "",
	       n->s.kind == DT_SPAN_SERVER ? "server" : "client", dt_proto_name(n->s.req.proto),
	       n->s.req.endpoint, status_text(&n->s), n->s.error ? " ERROR" : "", n->s.comm,
	       n->s.pid, n->s.tid, peer);
	if (depth)
		printf(" link=%s", dt_link_name(n->s.link));
	printf("\n");
}

static void print_span_json(const struct node *n, const char *tid, int depth)
{
	char buf[64];
	struct bb_json j;

	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "span");
	bb_json_str(&j, "trace_id", tid);
	bb_json_u64(&j, "span_id", n->s.id);
	bb_json_u64(&j, "parent_id", n->s.parent);
	bb_json_str(&j, "link", dt_link_name(n->s.link));
	bb_json_u64(&j, "depth", depth);
	bb_json_str(&j, "kind", n->s.kind == DT_SPAN_SERVER ? "server" : "client");
	bb_json_str(&j, "protocol", dt_proto_name(n->s.req.proto));
	bb_json_str(&j, "endpoint", n->s.req.endpoint);
	if (n->s.status)
		bb_json_u64(&j, "status", n->s.status);
	bb_json_str(&j, "reply", n->s.detail);
	bb_json_raw(&j, "error", n->s.error ? "true" : "false");
	bb_json_raw(&j, "unparsed", n->s.unparsed ? "true" : "false");
	bb_json_u64(&j, "start_ns", n->s.start_ns);
	bb_json_u64(&j, "duration_ns", n->s.end_ns - n->s.start_ns);
	bb_json_u64(&j, "pid", n->s.pid);
	bb_json_u64(&j, "tid", n->s.tid);
	bb_json_str(&j, "comm", n->s.comm);
	bb_json_u64(&j, "cgroup", n->s.cgroup);
	bb_json_u64(&j, "netns", n->s.netns);
	format_addr(&n->s.local, buf, sizeof(buf));
	bb_json_str(&j, "local", buf);
	format_addr(&n->s.peer, buf, sizeof(buf));
	bb_json_str(&j, "peer", buf);
	bb_json_u64(&j, "request_bytes", n->s.req_bytes);
	bb_json_u64(&j, "response_bytes", n->s.resp_bytes);
	if (n->s.req.host[0])
		bb_json_str(&j, "host", n->s.req.host);
	if (n->s.req.traceparent[0])
		bb_json_str(&j, "traceparent", n->s.req.traceparent);
	if (n->s.req.request_id[0])
		bb_json_str(&j, "x_request_id", n->s.req.request_id);
	if (n->s.req.uber_trace_id[0])
		bb_json_str(&j, "uber_trace_id", n->s.req.uber_trace_id);
	bb_json_end(&j);
}

/* Children in order of start. */
static void sort_children(struct node *n)
{
	struct node *sorted = NULL, *c, *next, **p;

	for (c = n->child; c; c = next) {
		next = c->sibling;
		for (p = &sorted; *p && (*p)->s.start_ns <= c->s.start_ns; p = &(*p)->sibling)
			;
		c->sibling = *p;
		*p = c;
	}
	n->child = sorted;
}

static size_t count_spans(const struct node *n)
{
	const struct node *c;
	size_t k = 1;

	for (c = n->child; c; c = c->sibling)
		k += count_spans(c);
	return k;
}

static void print_tree(struct node *n, const char *tid, uint64_t t0, int depth)
{
	struct node *c;

	sort_children(n);
	if (opts.json)
		print_span_json(n, tid, depth);
	else
		print_span_text(n, t0, depth);
	for (c = n->child; c; c = c->sibling)
		print_tree(c, tid, t0, depth + 1);
}

static void print_trace(struct node *root)
{
	char tid[40];
	bool found = false;

	snprintf(tid, sizeof(tid), "%016llx", (unsigned long long)root->s.id);
	trace_id(root, tid, sizeof(tid), &found);
	if (!opts.json) {
		printf("trace %s: %s, %zu span%s, %.3f ms\n", tid, root->s.req.endpoint,
		       count_spans(root), count_spans(root) == 1 ? "" : "s",
		       (root->s.end_ns - root->s.start_ns) / 1e6);
		printf("%10s %10s  %s\n", "START(ms)", "DUR(ms)", "SPAN");
	}
	print_tree(root, tid, root->s.start_ns, 0);
	if (!opts.json)
		printf("\n");
}

static bool wanted(const struct node *root)
{
	if (root->s.end_ns - root->s.start_ns < opts.min_duration_ns)
		return false;
	return opts.only_proto == DT_PROTO_NR || subtree_has_proto(root, opts.only_proto);
}

/* A printed (or filtered out) trace leaves the pool. */
static void retire(struct node *n)
{
	struct node *c;

	n->gone = true;
	for (c = n->child; c; c = c->sibling)
		retire(c);
}

void dt_trace_flush(uint64_t settled_ns)
{
	size_t i, kept = 0;

	if (!pool_n)
		return;
	link_settled(settled_ns);
	/* Pool order is start order: roots print in the order they began. */
	for (i = 0; i < pool_n; i++) {
		struct node *n = pool[i];

		if (n->parent || !subtree_settled(n, settled_ns))
			continue;
		if (wanted(n))
			print_trace(n);
		retire(n);
	}
	for (i = 0; i < pool_n; i++) {
		if (pool[i]->gone)
			node_free(pool[i]);
		else
			pool[kept++] = pool[i];
	}
	pool_n = pool_sorted = kept;
	fflush(stdout);
}
