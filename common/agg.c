// SPDX-License-Identifier: GPL-2.0
/* User-space aggregator: see agg.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpfbox.h"
#include "agg.h"
#include "record.h"

void bb_agg_init(struct bb_agg_table *t, size_t key_size, bool hist)
{
	memset(t, 0, sizeof(*t));
	t->key_size = key_size;
	t->hist = hist;
}

void bb_agg_clear(struct bb_agg_table *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		free((void *)t->rows[i].key);
	t->nr = 0;
	t->index_ok = false;
	t->total_count = t->total_bytes = 0;
	t->total_rows = 0;
}

void bb_agg_free(struct bb_agg_table *t)
{
	bb_agg_clear(t);
	free(t->rows);
	free(t->index);
	t->rows = NULL;
	t->index = NULL;
	t->cap = t->index_cap = 0;
}

static size_t key_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static void index_insert(struct bb_agg_table *t, size_t row)
{
	size_t mask = t->index_cap - 1, i = key_hash(t->rows[row].key, t->key_size) & mask;

	while (t->index[i])
		i = (i + 1) & mask;
	t->index[i] = row + 1;
}

static void index_rebuild(struct bb_agg_table *t)
{
	size_t cap = 64, i;

	while (cap < 2 * t->nr + 2)
		cap *= 2;
	if (cap != t->index_cap) {
		free(t->index);
		t->index = bb_xcalloc(cap, sizeof(*t->index));
		t->index_cap = cap;
	} else {
		memset(t->index, 0, cap * sizeof(*t->index));
	}
	for (i = 0; i < t->nr; i++)
		index_insert(t, i);
	t->index_ok = true;
}

struct bb_agg_row *bb_agg_find(const struct bb_agg_table *ct, const void *key)
{
	/* The index is a cache: looking up does not change the table. */
	struct bb_agg_table *t = (struct bb_agg_table *)ct;
	size_t mask, i;

	if (!t->nr)
		return NULL;
	if (!t->index_ok)
		index_rebuild(t);
	mask = t->index_cap - 1;
	for (i = key_hash(key, t->key_size) & mask; t->index[i]; i = (i + 1) & mask)
		if (!memcmp(t->rows[t->index[i] - 1].key, key, t->key_size))
			return &t->rows[t->index[i] - 1];
	return NULL;
}

static void merge_val(struct bb_agg_val *d, const struct bb_agg_val *s)
{
	if (!s->count)
		return;
	if (!d->count || s->first_ns < d->first_ns)
		d->first_ns = s->first_ns;
	if (s->last_ns > d->last_ns)
		d->last_ns = s->last_ns;
	d->count += s->count;
	d->bytes += s->bytes;
}

static struct bb_agg_row *append(struct bb_agg_table *t, const void *key)
{
	struct bb_agg_row *r;
	void *k;

	if (t->nr == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->rows = bb_xrealloc(t->rows, t->cap, sizeof(*t->rows));
	}
	k = bb_xcalloc(1, t->key_size);
	memcpy(k, key, t->key_size);
	r = &t->rows[t->nr++];
	memset(r, 0, sizeof(*r));
	r->key = k;
	if (t->index_ok && t->index_cap >= 2 * t->nr + 2)
		index_insert(t, t->nr - 1);
	else
		t->index_ok = false;
	return r;
}

static void put_row(struct bb_agg_table *t, struct bb_agg_row *r,
		    const struct bb_agg_val *v, const __u32 *slots)
{
	int i;

	merge_val(&r->val, v);
	if (t->hist && slots)
		for (i = 0; i < BB_HIST_SLOTS; i++)
			r->slots[i] += slots[i];
	t->total_count += v->count;
	t->total_bytes += v->bytes;
	t->total_rows = t->nr;
}

void bb_agg_put(struct bb_agg_table *t, const void *key, const struct bb_agg_val *v,
		const __u32 *slots)
{
	struct bb_agg_row *r = bb_agg_find(t, key);

	put_row(t, r ? r : append(t, key), v, slots);
}

int bb_agg_read_map(int map_fd, struct bb_agg_table *t)
{
	size_t vsize = t->hist ? sizeof(struct bb_agg_hval) : sizeof(struct bb_agg_val);
	int ncpu = libbpf_num_possible_cpus(), cpu, err = 0;
	char *key = bb_xcalloc(2, t->key_size), *next = key + t->key_size;
	char *vals = bb_xcalloc(ncpu > 0 ? ncpu : 1, vsize);
	void *prev = NULL;

	bb_agg_clear(t);
	t->ts_ns = bb_now_ns(CLOCK_BOOTTIME);
	/* Keys are never deleted while we walk, so the walk is complete. */
	while (!bpf_map_get_next_key(map_fd, prev, next)) {
		struct bb_agg_row *r;

		memcpy(key, next, t->key_size);
		prev = key;
		if (bpf_map_lookup_elem(map_fd, key, vals))
			continue;
		r = append(t, key);
		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct bb_agg_hval *h = (const void *)(vals + cpu * vsize);

			put_row(t, r, &h->v, t->hist ? h->slots : NULL);
		}
	}
	if (errno != ENOENT)
		err = -errno;
	free(key);
	free(vals);
	return err;
}

void bb_agg_delta(const struct bb_agg_table *cur, const struct bb_agg_table *prev,
		  struct bb_agg_table *out)
{
	size_t i;
	int s;

	bb_agg_clear(out);
	out->ts_ns = cur->ts_ns;
	for (i = 0; i < cur->nr; i++) {
		const struct bb_agg_row *c = &cur->rows[i];
		const struct bb_agg_row *p = bb_agg_find(prev, c->key);
		struct bb_agg_row *r;

		if (p && p->val.count == c->val.count)
			continue;	/* nothing new for this key */
		r = append(out, c->key);
		r->val = c->val;
		memcpy(r->slots, c->slots, sizeof(r->slots));
		if (p) {
			r->val.count -= p->val.count;
			r->val.bytes -= p->val.bytes;
			/* first_ns of the interval is unknown; last_ns is exact. */
			r->val.first_ns = p->val.last_ns;
			for (s = 0; s < BB_HIST_SLOTS; s++)
				r->slots[s] -= p->slots[s];
		}
		out->total_count += r->val.count;
		out->total_bytes += r->val.bytes;
	}
	out->total_rows = out->nr;
}

static enum bb_agg_order sort_order;
static size_t sort_key_size;

static int cmp_rows(const void *a, const void *b)
{
	const struct bb_agg_row *x = a, *y = b;
	__u64 vx = sort_order == BB_AGG_BY_BYTES ? x->val.bytes : x->val.count;
	__u64 vy = sort_order == BB_AGG_BY_BYTES ? y->val.bytes : y->val.count;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return memcmp(x->key, y->key, sort_key_size);
}

void bb_agg_sort(struct bb_agg_table *t, enum bb_agg_order order, size_t top)
{
	size_t i;

	sort_order = order;
	sort_key_size = t->key_size;
	if (t->nr)	/* qsort of NULL is undefined, even for no rows */
		qsort(t->rows, t->nr, sizeof(*t->rows), cmp_rows);
	t->index_ok = false;	/* rows moved */
	if (!top || top >= t->nr)
		return;
	for (i = top; i < t->nr; i++)
		free((void *)t->rows[i].key);
	t->nr = top;
}

void bb_agg_copy(struct bb_agg_table *dst, const struct bb_agg_table *src)
{
	size_t i;

	bb_agg_clear(dst);
	dst->key_size = src->key_size;
	dst->hist = src->hist;
	for (i = 0; i < src->nr; i++) {
		struct bb_agg_row *r = append(dst, src->rows[i].key);

		r->val = src->rows[i].val;
		memcpy(r->slots, src->rows[i].slots, sizeof(r->slots));
	}
	dst->ts_ns = src->ts_ns;
	dst->total_count = src->total_count;
	dst->total_bytes = src->total_bytes;
	dst->total_rows = src->total_rows;
}

void bb_agg_view_init(struct bb_agg_view *v, int map_fd, size_t key_size, bool hist)
{
	memset(v, 0, sizeof(*v));
	v->map_fd = map_fd;
	bb_agg_init(&v->prev, key_size, hist);
	bb_agg_init(&v->cur, key_size, hist);
	bb_agg_init(&v->shown, key_size, hist);
}

static void record_table(const struct bb_agg_table *t, bool final)
{
	struct { __u64 ts; __u8 final; __u8 pad[7]; } end = { t->ts_ns, final, {0} };
	size_t i, vsize = t->hist ? sizeof(struct bb_agg_hval) : sizeof(struct bb_agg_val);
	char buf[sizeof(struct bb_agg_row_hdr) + 512 + sizeof(struct bb_agg_hval)];
	struct bb_agg_row_hdr rh = { t->key_size, t->hist };

	if (t->key_size > 512)
		bb_die("internal error: aggregation key of %zu bytes", t->key_size);
	for (i = 0; i < t->nr; i++) {
		struct bb_agg_hval hv;

		hv.v = t->rows[i].val;
		memcpy(hv.slots, t->rows[i].slots, sizeof(hv.slots));
		if (bb_current->mark_addrs)
			bb_current->mark_addrs(t->rows[i].key, t->key_size, BB_MARK_KEY);
		memcpy(buf, &rh, sizeof(rh));
		memcpy(buf + sizeof(rh), t->rows[i].key, t->key_size);
		memcpy(buf + sizeof(rh) + t->key_size, &hv, vsize);
		bb_record_write(BB_REC_AGG_ROW, buf, sizeof(rh) + t->key_size + vsize, NULL, 0);
	}
	bb_record_write(BB_REC_AGG_END, &end, sizeof(end), NULL, 0);
}

void bb_agg_emit(const struct bb_agg_table *t, bool final)
{
	if (bb_recording())
		record_table(t, final);
	else
		bb_current->print_table(t, final);
}

void bb_agg_view_tick(void *view, bool final)
{
	struct bb_agg_view *v = view;
	int err = bb_agg_read_map(v->map_fd, &v->cur);
	struct bb_agg_table tmp;

	if (err)
		bb_die("cannot read the aggregation map: %s", strerror(-err));
	/* The last table is the whole run's: what the user waited for. */
	if (v->cumulative || final)
		bb_agg_copy(&v->shown, &v->cur);
	else
		bb_agg_delta(&v->cur, &v->prev, &v->shown);
	bb_agg_sort(&v->shown, v->order, bb_opts.top);
	bb_agg_emit(&v->shown, final);
	/* This reading is the next one's previous: swapped, not copied (the
	 * next read clears what it overwrites). */
	tmp = v->prev;
	v->prev = v->cur;
	v->cur = tmp;
}

void bb_agg_drop_empty(struct bb_agg_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++) {
		if (t->rows[i].val.count) {
			t->rows[n++] = t->rows[i];
			continue;
		}
		free((void *)t->rows[i].key);
	}
	t->nr = n;
	t->index_ok = false;	/* rows moved */
}
