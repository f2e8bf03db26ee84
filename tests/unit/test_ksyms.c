// SPDX-License-Identifier: GPL-2.0
/* Kernel symbolizer (common/ksyms.c): parsing, lookup, format, tracking. */
#include "unit.h"
#include "bpfbox.h"
#include "ksyms.h"

/*
 * kallsyms as the kernel prints it: modules after the image, their
 * addresses not sorted, data symbols (D d B b R r) mixed in.
 */
static const char fixture[] =
	"ffffffffc0002000 t bar\t[mod2]\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81000100 t helper\n"
	"ffffffff81000200 D some_data\n"
	"ffffffff81000300 T kfree_skb\n"
	"ffffffff81000400 b bss_thing\n"
	"ffffffff81000500 W weak_fn\n"
	"ffffffffc0001000 t foo\t[mod]\n"
	"ffffffff81000600 r rodata_thing\n"
	"ffffffff81000700 d data_thing\n"
	"ffffffffc0001800 T foo_exit\t[mod]\n"
	"ffffffffc0001c00 d foo_data\t[mod]\n"
	"ffffffffc0002100 w weak_mod\t[mod2]\n"
	"garbage line\n"
	"\n";

static const char restricted_fixture[] =
	"0000000000000000 T _stext\n"
	"0000000000000000 t helper\n"
	"0000000000000000 D some_data\n"
	"0000000000000000 t foo\t[mod]\n";

static struct bb_ksyms *load_text(const char *name, const char *text)
{
	char *path = unit_path(name);
	struct bb_ksyms *ks;

	unit_write_file(path, text, strlen(text));
	ks = bb_ksyms_load(path);
	free(path);
	return ks;
}

static void check_format(const struct bb_ksyms *ks, uint64_t addr, const char *want)
{
	char buf[128];

	bb_ksyms_format(ks, addr, buf, sizeof(buf));
	CHECK_STR(buf, want, "format 0x%" PRIx64 " is %s", addr, want);
}

static void check_lookup(const struct bb_ksyms *ks, uint64_t addr, const char *name,
			 uint64_t sym_addr, const char *module)
{
	const struct bb_ksym *s = bb_ksyms_lookup(ks, addr);

	if (!name) {
		CHECK(!s, "lookup 0x%" PRIx64 " finds nothing", addr);
		return;
	}
	if (!CHECK(s, "lookup 0x%" PRIx64 " finds %s", addr, name))
		return;
	CHECK_STR(s->name, name, "lookup 0x%" PRIx64 " name", addr);
	CHECK_U64(s->addr, sym_addr, "lookup 0x%" PRIx64 " symbol address", addr);
	if (module)
		CHECK_STR(s->module, module, "lookup 0x%" PRIx64 " module", addr);
	else
		CHECK(!s->module, "lookup 0x%" PRIx64 " is in the kernel image", addr);
}

static void test_load(void)
{
	struct bb_ksyms *ks = load_text("kallsyms", fixture);

	if (!CHECK(ks, "load a kallsyms fixture"))
		return;
	/* bar _stext helper kfree_skb weak_fn foo foo_exit weak_mod */
	CHECK_U64(bb_ksyms_count(ks), 8, "text symbols kept, data symbols and garbage ignored");
	CHECK(!bb_ksyms_restricted(ks), "real addresses: not restricted");

	check_lookup(ks, 0xffffffff81000000, "_stext", 0xffffffff81000000, NULL);
	check_lookup(ks, 0xffffffff81000300, "kfree_skb", 0xffffffff81000300, NULL);
	check_lookup(ks, 0xffffffff81000310, "kfree_skb", 0xffffffff81000300, NULL);
	check_lookup(ks, 0xffffffff810002ff, "helper", 0xffffffff81000100, NULL);
	check_lookup(ks, 0xffffffff81000200, "helper", 0xffffffff81000100, NULL);
	check_lookup(ks, 0xffffffff81000450, "kfree_skb", 0xffffffff81000300, NULL);
	check_lookup(ks, 0xffffffff81000650, "weak_fn", 0xffffffff81000500, NULL);
	check_lookup(ks, 0xffffffff80ffffff, NULL, 0, NULL);
	check_lookup(ks, 0, NULL, 0, NULL);
	check_lookup(ks, 0xffffffffc0001000, "foo", 0xffffffffc0001000, "mod");
	check_lookup(ks, 0xffffffffc00017ff, "foo", 0xffffffffc0001000, "mod");
	check_lookup(ks, 0xffffffffc0001c08, "foo_exit", 0xffffffffc0001800, "mod");
	check_lookup(ks, 0xffffffffc0002000, "bar", 0xffffffffc0002000, "mod2");
	/* After the last symbol: the last one (kallsyms has no sizes). */
	check_lookup(ks, 0xffffffffc0002abc, "weak_mod", 0xffffffffc0002100, "mod2");
	check_lookup(ks, UINT64_MAX, "weak_mod", 0xffffffffc0002100, "mod2");

	check_format(ks, 0xffffffff81000310, "kfree_skb+0x10");
	check_format(ks, 0xffffffff81000000, "_stext+0x0");
	check_format(ks, 0xffffffffc0001000, "foo+0x0 [mod]");
	check_format(ks, 0xffffffffc0001804, "foo_exit+0x4 [mod]");
	check_format(ks, 0xffffffffc0002010, "bar+0x10 [mod2]");
	check_format(ks, 0xffffffff80001234, "0xffffffff80001234");
	check_format(ks, 0, "0x0");
	check_format(NULL, 0xffffffff81000310, "0xffffffff81000310");
	{
		char small[8];

		bb_ksyms_format(ks, 0xffffffff81000310, small, sizeof(small));
		CHECK_STR(small, "kfree_s", "format truncates to the buffer, NUL-terminated");
	}
	bb_ksyms_free(ks);
}

static void test_missing(void)
{
	struct bb_ksyms *ks;
	char *path = unit_path("does-not-exist");

	errno = 0;
	ks = bb_ksyms_load(path);
	CHECK(!ks && errno == ENOENT, "missing file: NULL with errno ENOENT");
	free(path);
	bb_ksyms_free(NULL);
	ks = load_text("empty", "");
	if (CHECK(ks, "empty file loads")) {
		CHECK_U64(bb_ksyms_count(ks), 0, "empty file: no symbols");
		CHECK(!bb_ksyms_restricted(ks), "empty table is not 'restricted'");
		CHECK(!bb_ksyms_lookup(ks, 0xffffffff81000000), "empty table: lookup NULL");
		check_format(ks, 0x1234, "0x1234");
	}
	bb_ksyms_free(ks);
}

static void test_restricted(void)
{
	struct bb_ksyms *ks = load_text("kallsyms.zero", restricted_fixture);

	if (!CHECK(ks, "load an all-zero fixture"))
		return;
	CHECK_U64(bb_ksyms_count(ks), 3, "all-zero: text symbols still parsed");
	CHECK(bb_ksyms_restricted(ks), "all-zero addresses: restricted");
	CHECK(!bb_ksyms_lookup(ks, 0), "restricted: lookup 0 is NULL");
	CHECK(!bb_ksyms_lookup(ks, 0xffffffff81000000), "restricted: lookup is NULL");
	check_format(ks, 0xffffffff81000010, "0xffffffff81000010");
	bb_ksyms_free(ks);
}

/* What the first-use callback of tracking saw, in call order. */
static struct {
	int n;
	const char *names[8];
	uint64_t addrs[8];
} used;

static void on_first_use(const struct bb_ksym *s)
{
	if (used.n < (int)ARRAY_SIZE(used.names)) {
		used.names[used.n] = s->name;
		used.addrs[used.n] = s->addr;
	}
	used.n++;
}

static void test_track(void)
{
	struct bb_ksyms *ks = load_text("kallsyms.track", fixture);
	char buf[64];

	if (!CHECK(ks, "load fixture for tracking"))
		return;
	used.n = 0;
	bb_ksyms_lookup(ks, 0xffffffff81000310);
	CHECK_U64(used.n, 0, "no tracking: no callback");

	bb_ksyms_track(ks, on_first_use);
	bb_ksyms_lookup(ks, 0xffffffffc0001004);	/* foo */
	bb_ksyms_lookup(ks, 0xffffffff81000310);	/* kfree_skb */
	bb_ksyms_format(ks, 0xffffffff81000300, buf, sizeof(buf));	/* again */
	bb_ksyms_lookup(ks, 0xffffffffc0001008);	/* foo again */
	bb_ksyms_lookup(ks, 0x1000);			/* nothing */
	if (CHECK_U64(used.n, 2, "tracking: called once for each of the two symbols used")) {
		CHECK_STR(used.names[0], "foo", "first use: foo (in lookup order)");
		CHECK_U64(used.addrs[0], 0xffffffffc0001000, "first use: the symbol's address");
		CHECK_STR(used.names[1], "kfree_skb", "second use: kfree_skb");
	}

	bb_ksyms_track(ks, on_first_use);	/* restart: forget what was used */
	bb_ksyms_lookup(ks, 0xffffffff81000310);
	CHECK(used.n == 3 && !strcmp(used.names[2], "kfree_skb"),
	      "tracking again: a symbol used before is new again");

	bb_ksyms_track(ks, NULL);
	bb_ksyms_lookup(ks, 0xffffffffc0002abc);	/* weak_mod, the last */
	CHECK_U64(used.n, 3, "track(NULL): no more callbacks");
	bb_ksyms_free(ks);
}

/* bb_ksym_mark() looks up in the table bb_kernel_syms() returns. */
static void test_kernel_mark(void)
{
	struct bb_ksyms *ks = load_text("kallsyms.mark", fixture);

	bb_kernel_syms_set(ks);
	CHECK(bb_kernel_syms() == ks, "bb_kernel_syms_set replaces the kernel table");
	used.n = 0;
	bb_kernel_syms_track(on_first_use);
	bb_ksym_mark(0xffffffff81000104);
	bb_ksym_mark(0xffffffff81000108);
	bb_ksym_mark(0x10);
	if (CHECK_U64(used.n, 1, "bb_ksym_mark on a tracked kernel table: one symbol"))
		CHECK_STR(used.names[0], "helper", "bb_ksym_mark found the covering symbol");
	bb_kernel_syms_track(NULL);
	bb_ksym_mark(0xffffffff81000310);
	CHECK_U64(used.n, 1, "bb_kernel_syms_track(NULL) stops tracking");
	bb_kernel_syms_set(NULL);
	bb_ksym_mark(0xffffffff81000104);	/* no table: harmless */
	bb_ksyms_free(ks);
}

/* 100k symbols in random order against a linear search over the input. */
#define BIG 100000
#define BASE 0xffffffff81000000ULL

struct big {
	uint64_t addr[BIG];
	unsigned order[BIG];
};

static long linear_find(const struct big *b, uint64_t addr)
{
	long best = -1;
	int i;

	for (i = 0; i < BIG; i++)
		if (b->addr[i] <= addr && (best < 0 || b->addr[i] > b->addr[best]))
			best = i;
	return best;
}

static struct bb_ksyms *big_table(struct big *b, uint64_t *seed)
{
	struct bb_ksyms *ks = bb_ksyms_new();
	char name[32];
	int i;

	for (i = 0; i < BIG; i++) {
		/* strictly increasing with i, irregular gaps */
		b->addr[i] = BASE + (uint64_t)i * 64 + unit_rand(seed) % 48;
		b->order[i] = i;
	}
	for (i = BIG - 1; i > 0; i--) {
		unsigned j = unit_rand(seed) % (i + 1), t = b->order[i];

		b->order[i] = b->order[j];
		b->order[j] = t;
	}
	for (i = 0; i < BIG; i++) {
		unsigned k = b->order[i];

		snprintf(name, sizeof(name), "sym%u", k);
		bb_ksyms_add(ks, b->addr[k], name, k % 7 ? NULL : "m");
	}
	bb_ksyms_sort(ks);
	return ks;
}

static uint64_t big_query(const struct big *b, uint64_t *seed, int i)
{
	uint64_t span = BIG * 64ULL + 256;

	switch (i % 4) {
	case 0:
		return b->addr[unit_rand(seed) % BIG];			/* exact */
	case 1:
		return b->addr[unit_rand(seed) % BIG] - 1;		/* just before */
	default:
		return BASE - 128 + unit_rand(seed) % span;		/* anywhere */
	}
}

static void test_big(void)
{
	static struct big b;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct bb_ksyms *ks = big_table(&b, &seed);
	int i, bad = 0, first_bad = -1;
	char buf[64], want[64];
	uint64_t far;

	CHECK_U64(bb_ksyms_count(ks), BIG, "big table holds 100k symbols");
	for (i = 0; i < 1200; i++) {
		uint64_t q = big_query(&b, &seed, i);
		long w = linear_find(&b, q);
		const struct bb_ksym *s = bb_ksyms_lookup(ks, q);
		bool ok = w < 0 ? !s : s && s->addr == b.addr[w];

		if (ok && s) {
			snprintf(want, sizeof(want), "sym%ld", w);
			ok = !strcmp(s->name, want) && !s->module == !!(w % 7);
		}
		if (!ok && !bad++)
			first_bad = i;
	}
	if (!CHECK(!bad, "big table: 1200 random lookups agree with a linear search"))
		unit_diag("%d mismatches, first at query %d", bad, first_bad);
	CHECK(!bb_ksyms_lookup(ks, BASE - 1), "big table: before the first symbol is NULL");
	far = BASE + BIG * 64ULL + 0x100000;
	snprintf(want, sizeof(want), "sym%d+0x%" PRIx64, BIG - 1, far - b.addr[BIG - 1]);
	bb_ksyms_format(ks, far, buf, sizeof(buf));
	CHECK_STR(buf, want, "big table: far after the last symbol is the last one");

	/* Tracking across bitmap bytes: indexes 9, 8, 9 again and the last. */
	used.n = 0;
	bb_ksyms_track(ks, on_first_use);
	bb_ksyms_lookup(ks, b.addr[9] + 3);
	bb_ksyms_lookup(ks, b.addr[8]);
	bb_ksyms_lookup(ks, b.addr[9]);
	bb_ksyms_lookup(ks, b.addr[BIG - 1]);
	if (CHECK_U64(used.n, 3, "big table: three symbols used")) {
		CHECK_STR(used.names[0], "sym9", "big table: first use symbol 9");
		CHECK_STR(used.names[1], "sym8", "big table: then symbol 8");
		snprintf(want, sizeof(want), "sym%d", BIG - 1);
		CHECK_STR(used.names[2], want, "big table: then the last symbol");
	}
	bb_ksyms_free(ks);
}

int main(void)
{
	test_load();
	test_missing();
	test_restricted();
	test_track();
	test_kernel_mark();
	test_big();
	return unit_done();
}
