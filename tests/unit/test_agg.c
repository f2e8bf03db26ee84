// SPDX-License-Identifier: GPL-2.0
/* The user-space aggregator (common/agg.c): put, sort, top-N, delta, copy. */
#include "unit.h"
#include "bpfbox.h"
#include "agg.h"

#define KEY 4	/* keys are 4 bytes: "aaa\0", "bbb\0"... */

static struct bb_agg_val val(__u64 count, __u64 bytes, __u64 first, __u64 last)
{
	return (struct bb_agg_val){ count, bytes, first, last };
}

static void put(struct bb_agg_table *t, const char *key, __u64 count, __u64 bytes,
		__u64 first, __u64 last)
{
	struct bb_agg_val v = val(count, bytes, first, last);
	char k[KEY] = {};

	memcpy(k, key, strnlen(key, KEY));
	bb_agg_put(t, k, &v, NULL);
}

static const struct bb_agg_row *row(const struct bb_agg_table *t, const char *key)
{
	char k[KEY] = {};

	memcpy(k, key, strnlen(key, KEY));
	return bb_agg_find(t, k);
}

/* Checks one row's value exactly. */
static void check_row(const struct bb_agg_table *t, const char *what, const char *key,
		      __u64 count, __u64 bytes, __u64 first, __u64 last)
{
	const struct bb_agg_row *r = row(t, key);

	if (!CHECK(r, "%s: row %s present", what, key))
		return;
	CHECK_U64(r->val.count, count, "%s: %s count", what, key);
	CHECK_U64(r->val.bytes, bytes, "%s: %s bytes", what, key);
	CHECK_U64(r->val.first_ns, first, "%s: %s first_ns", what, key);
	CHECK_U64(r->val.last_ns, last, "%s: %s last_ns", what, key);
}

/* The rows' keys in table order, joined by spaces: "ccc aaa ddd". */
static const char *order(const struct bb_agg_table *t)
{
	static char buf[256];
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < t->nr && n + KEY + 1 < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%.*s", i ? " " : "", KEY,
			      (const char *)t->rows[i].key);
	return buf;
}

static void test_put(void)
{
	struct bb_agg_table t;
	char k[KEY] = "kkk";
	struct bb_agg_val v = val(1, 1, 1, 1);

	bb_agg_init(&t, KEY, false);
	CHECK(t.key_size == KEY && !t.hist && !t.nr, "init: key size, no rows");
	put(&t, "aaa", 2, 100, 50, 60);
	put(&t, "bbb", 1, 10, 40, 40);
	put(&t, "aaa", 3, 5, 30, 70);
	CHECK_U64(t.nr, 2, "put: same key merged into one row");
	check_row(&t, "put", "aaa", 5, 105, 30, 70);
	check_row(&t, "put", "bbb", 1, 10, 40, 40);
	put(&t, "aaa", 4, 1, 45, 55);
	check_row(&t, "put inside range", "aaa", 9, 106, 30, 70);
	/* A per-CPU slot that saw nothing must not drag first_ns to 0. */
	put(&t, "aaa", 0, 0, 0, 0);
	check_row(&t, "put zero count", "aaa", 9, 106, 30, 70);
	CHECK_U64(t.total_count, 10, "totals: count over all rows");
	CHECK_U64(t.total_bytes, 116, "totals: bytes over all rows");
	CHECK_U64(t.total_rows, 2, "totals: rows");
	CHECK(!row(&t, "zzz"), "find: missing key is NULL");

	bb_agg_put(&t, k, &v, NULL);
	memcpy(k, "xxx", KEY);
	CHECK(row(&t, "kkk") && !row(&t, "xxx"), "put copies the key");

	bb_agg_clear(&t);
	CHECK(!t.nr && !t.total_count && !t.total_bytes && !t.total_rows,
	      "clear: no rows, totals zero");
	put(&t, "aaa", 1, 2, 3, 4);
	check_row(&t, "reuse after clear", "aaa", 1, 2, 3, 4);
	bb_agg_free(&t);
	CHECK(!t.nr && !t.rows && !t.cap, "free: table empty");
}

static void test_many(void)
{
	struct bb_agg_table t;
	unsigned i, k, bad = 0;

	bb_agg_init(&t, sizeof(k), false);
	for (i = 0; i < 1000; i++) {
		struct bb_agg_val v = val(1, i % 300, 1000 + i, 1000 + i);

		k = i % 300;
		bb_agg_put(&t, &k, &v, NULL);
	}
	CHECK_U64(t.nr, 300, "1000 puts over 300 keys: 300 rows (table grows)");
	for (k = 0; k < 300; k++) {
		const struct bb_agg_row *r = bb_agg_find(&t, &k);
		__u64 n = k < 100 ? 4 : 3;

		if (!r || r->val.count != n || r->val.bytes != n * k ||
		    r->val.first_ns != 1000 + k || r->val.last_ns != 1000 + k + 300 * (n - 1))
			bad++;
	}
	CHECK_U64(bad, 0, "300 rows all merged exactly");
	CHECK_U64(t.total_count, 1000, "total count after 1000 puts");
	bb_agg_free(&t);
}

static void test_hist(void)
{
	struct bb_agg_table t;
	__u32 s1[BB_HIST_SLOTS] = {}, s2[BB_HIST_SLOTS] = {};
	struct bb_agg_val v = val(1, 8, 1, 1);
	const struct bb_agg_row *r;
	char k[KEY] = "hhh";

	s1[0] = 1;
	s1[3] = 5;
	s2[3] = 2;
	s2[BB_HIST_SLOTS - 1] = 7;
	bb_agg_init(&t, KEY, true);
	bb_agg_put(&t, k, &v, s1);
	bb_agg_put(&t, k, &v, s2);
	bb_agg_put(&t, k, &v, NULL);
	r = bb_agg_find(&t, k);
	if (CHECK(r, "hist: row present")) {
		CHECK(r->slots[0] == 1 && r->slots[3] == 7 && r->slots[BB_HIST_SLOTS - 1] == 7 &&
		      r->slots[1] == 0, "hist: slots summed");
		CHECK_U64(r->val.count, 3, "hist: count");
	}
	bb_agg_free(&t);

	bb_agg_init(&t, KEY, false);
	bb_agg_put(&t, k, &v, s1);
	r = bb_agg_find(&t, k);
	CHECK(r && !r->slots[0] && !r->slots[3], "no hist: slots ignored");
	bb_agg_free(&t);
}

static void fill_sort(struct bb_agg_table *t)
{
	bb_agg_init(t, KEY, false);
	put(t, "ddd", 5, 10, 1, 1);
	put(t, "aaa", 5, 300, 1, 1);
	put(t, "ccc", 9, 300, 1, 1);
	put(t, "bbb", 1, 300, 1, 1);
	put(t, "eee", 5, 10, 1, 1);
}

static void test_sort(void)
{
	struct bb_agg_table t;

	fill_sort(&t);
	bb_agg_sort(&t, BB_AGG_BY_COUNT, 0);
	CHECK_STR(order(&t), "ccc aaa ddd eee bbb", "sort by count, ties by key bytes");
	bb_agg_sort(&t, BB_AGG_BY_BYTES, 0);
	CHECK_STR(order(&t), "aaa bbb ccc ddd eee", "sort by bytes, ties by key bytes");
	bb_agg_sort(&t, BB_AGG_BY_COUNT, 5);
	CHECK_STR(order(&t), "ccc aaa ddd eee bbb", "top == rows keeps all");
	bb_agg_sort(&t, BB_AGG_BY_COUNT, 9);
	CHECK_U64(t.nr, 5, "top > rows keeps all");
	bb_agg_sort(&t, BB_AGG_BY_COUNT, 2);
	CHECK_STR(order(&t), "ccc aaa", "top 2 by count");
	CHECK_U64(t.nr, 2, "top 2: two rows");
	CHECK_U64(t.total_rows, 5, "top-N keeps total_rows of before");
	CHECK_U64(t.total_count, 25, "top-N keeps total_count of before");
	CHECK_U64(t.total_bytes, 920, "top-N keeps total_bytes of before");
	CHECK(!row(&t, "ddd"), "rows cut by top-N are gone");
	bb_agg_free(&t);

	fill_sort(&t);
	bb_agg_sort(&t, BB_AGG_BY_BYTES, 1);
	CHECK_STR(order(&t), "aaa", "top 1 by bytes");
	bb_agg_free(&t);

	bb_agg_init(&t, KEY, false);
	bb_agg_sort(&t, BB_AGG_BY_COUNT, 3);
	CHECK_U64(t.nr, 0, "sorting an empty table");
	bb_agg_free(&t);
}

static void test_delta(void)
{
	struct bb_agg_table prev, cur, out;
	__u32 s[BB_HIST_SLOTS] = {};
	struct bb_agg_val v;
	const struct bb_agg_row *r;
	char k[KEY] = "hhh";

	bb_agg_init(&prev, KEY, false);
	bb_agg_init(&cur, KEY, false);
	bb_agg_init(&out, KEY, false);
	put(&prev, "aaa", 10, 1000, 100, 200);
	put(&prev, "bbb", 5, 50, 10, 20);
	put(&prev, "ccc", 7, 70, 1, 2);			/* gone from cur */
	put(&cur, "aaa", 15, 1500, 100, 300);		/* moved */
	put(&cur, "bbb", 5, 50, 10, 20);		/* did not move */
	put(&cur, "ddd", 2, 20, 250, 260);		/* new */
	cur.ts_ns = 12345;
	put(&out, "zzz", 1, 1, 1, 1);			/* stale content */

	bb_agg_delta(&cur, &prev, &out);
	CHECK_U64(out.nr, 2, "delta: only keys that moved");
	check_row(&out, "delta moved", "aaa", 5, 500, 200, 300);
	check_row(&out, "delta new", "ddd", 2, 20, 250, 260);
	CHECK(!row(&out, "bbb"), "delta: unmoved key omitted");
	CHECK(!row(&out, "ccc"), "delta: vanished key omitted");
	CHECK(!row(&out, "zzz"), "delta: output cleared first");
	CHECK_U64(out.total_count, 7, "delta: total_count");
	CHECK_U64(out.total_bytes, 520, "delta: total_bytes");
	CHECK_U64(out.total_rows, 2, "delta: total_rows");
	CHECK_U64(out.ts_ns, 12345, "delta: time of cur");

	bb_agg_delta(&cur, &cur, &out);
	CHECK_U64(out.nr, 0, "delta of a table with itself is empty");
	CHECK_U64(out.total_count, 0, "empty delta: total_count 0");
	bb_agg_free(&prev);
	bb_agg_free(&cur);
	bb_agg_free(&out);

	/* Histograms subtract slot by slot. */
	bb_agg_init(&prev, KEY, true);
	bb_agg_init(&cur, KEY, true);
	bb_agg_init(&out, KEY, true);
	s[2] = 3;
	v = val(3, 30, 1, 2);
	bb_agg_put(&prev, k, &v, s);
	s[2] = 5;
	s[4] = 1;
	v = val(6, 60, 1, 9);
	bb_agg_put(&cur, k, &v, s);
	bb_agg_delta(&cur, &prev, &out);
	r = bb_agg_find(&out, k);
	if (CHECK(r, "hist delta: row present"))
		CHECK(r->slots[2] == 2 && r->slots[4] == 1 && r->val.count == 3,
		      "hist delta: slots and count subtracted");
	bb_agg_free(&prev);
	bb_agg_free(&cur);
	bb_agg_free(&out);
}

static void test_copy(void)
{
	struct bb_agg_table src, dst;
	const struct bb_agg_row *r;

	bb_agg_init(&src, KEY, true);
	bb_agg_init(&dst, 1, false);	/* copy takes the source's shape */
	put(&src, "aaa", 2, 20, 5, 6);
	put(&src, "bbb", 7, 70, 1, 9);
	bb_agg_sort(&src, BB_AGG_BY_COUNT, 1);
	src.ts_ns = 777;
	src.rows[0].slots[1] = 42;
	bb_agg_copy(&dst, &src);
	CHECK(dst.key_size == KEY && dst.hist, "copy: key size and hist");
	CHECK_STR(order(&dst), "bbb", "copy: rows in the same order");
	CHECK(dst.ts_ns == 777 && dst.total_count == 9 && dst.total_bytes == 90 &&
	      dst.total_rows == 2, "copy: time and totals (of before top-N)");
	r = row(&dst, "bbb");
	CHECK(r && r->key != src.rows[0].key && r->slots[1] == 42, "copy: deep copy with slots");
	bb_agg_free(&src);
	check_row(&dst, "copy survives the source", "bbb", 7, 70, 1, 9);
	bb_agg_init(&src, KEY, false);
	bb_agg_copy(&dst, &src);
	CHECK(!dst.nr && !dst.hist && !dst.total_count, "copy from an empty table empties");
	bb_agg_free(&dst);
}

int main(void)
{
	test_put();
	test_many();
	test_hist();
	test_sort();
	test_delta();
	test_copy();
	return unit_done();
}
