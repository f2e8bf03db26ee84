// SPDX-License-Identifier: GPL-2.0
/*
 * Record files (common/record.c, common/report.c): a recording read back
 * record by record, printed back through a test applet's printers, then
 * cut and corrupted in every interesting place.  Also the names table.
 */
#include "unit.h"
#include <time.h>
#include <sys/utsname.h>
#include "bpfbox.h"
#include "agg.h"
#include "ksyms.h"
#include "output.h"
#include "record.h"

#define FLAGS 0x5a5a
#define A_KFREE 0xffffffff81000310ULL	/* kfree_skb+0x10 */
#define A_FOO 0xffffffffc0001004ULL	/* foo+0x4 [mod] */

/* ---- a test applet whose printers log what they get ---- */

struct rec {
	int type;
	uint32_t len;
	unsigned char *data;
};

struct log {
	int n;
	struct rec r[64];
};

static struct log printed;		/* print_event calls */
static char printed_sym[64];		/* the 8-byte event's address, formatted */
static bool print_lines;		/* also say it on stdout (children) */
static int tables, table_rows, report_ends;
static bool table_final;
static uint64_t table_ts, table_count0;

static void log_add(struct log *l, int type, const void *data, uint32_t len)
{
	struct rec *r;

	if (l->n >= (int)ARRAY_SIZE(l->r)) {
		l->n++;
		return;
	}
	r = &l->r[l->n++];
	r->type = type;
	r->len = len;
	r->data = malloc(len ? len : 1);
	if (len)
		memcpy(r->data, data, len);
}

static void log_free(struct log *l)
{
	int i;

	for (i = 0; i < l->n && i < (int)ARRAY_SIZE(l->r); i++)
		free(l->r[i].data);
	l->n = 0;
}

static void rec_print_event(const void *data, size_t len)
{
	uint64_t a;

	log_add(&printed, BB_REC_EVENT, data, len);
	if (len == 8) {
		memcpy(&a, data, 8);
		bb_ksyms_format(bb_kernel_syms(), a, printed_sym, sizeof(printed_sym));
	}
	if (print_lines)
		printf("event %zu\n", len);
}

static void rec_print_table(const struct bb_agg_table *t, bool final)
{
	tables++;
	table_rows = t->nr;
	table_final = final;
	table_ts = t->ts_ns;
	table_count0 = t->nr ? t->rows[0].val.count : 0;
	if (print_lines)
		printf("table %zu\n", t->nr);
}

/* The 8-byte event and the aggregation keys are kernel addresses. */
static void rec_mark(const void *data, size_t len, enum bb_mark_kind kind)
{
	uint64_t a;

	if (len != 8)
		return;
	memcpy(&a, data, 8);
	(void)kind;
	bb_ksym_mark(a);
}

static void rec_report_end(void)
{
	report_ends++;
}

static int rec_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Events of any length up to 1 MiB: the reader's framing is under test. */
static const struct bb_rec_shape rec_event_shape = { .max_len = 1 << 20 };

BB_APPLET(unitrec,
	.name = "unitrec",
	.summary = "records things for the unit tests",
	.main = rec_main,
	.print_event = rec_print_event,
	.event_shape = &rec_event_shape,
	.print_table = rec_print_table,
	.agg_key_sizes = { 8 },
	.mark_addrs = rec_mark,
	.report_end = rec_report_end,
);

/* ---- the names table ---- */

static void test_names(void)
{
	char buf[16] = "mutable", name300[301];
	uint64_t v = 0;

	bb_names_clear();
	CHECK(!bb_names_get(1, 1), "names: empty table has nothing");
	bb_names_add(1, 1, "A");
	bb_names_add(2, 1, "B");
	bb_names_add(1, 2, "C");
	bb_names_add(1, 1, "Z");		/* first one wins */
	CHECK_STR(bb_names_get(1, 1), "A", "names: table 1 value 1");
	CHECK_STR(bb_names_get(2, 1), "B", "names: same value in another table");
	CHECK_STR(bb_names_get(1, 2), "C", "names: table 1 value 2");
	CHECK(!bb_names_get(3, 1) && !bb_names_get(1, 3), "names: unknown table or value");
	CHECK(!bb_names_find(1, "C", &v) && v == 2, "names_find: by name");
	CHECK(bb_names_find(2, "C", &v) == -1 && v == 2, "names_find: name of another table");
	bb_names_add(5, 0xffffffffffffffffULL, buf);
	strcpy(buf, "changed");
	CHECK_STR(bb_names_get(5, 0xffffffffffffffffULL), "mutable",
		  "names: name copied, u64 value");
	memset(name300, 'x', 300);
	name300[300] = 0;
	bb_names_add(6, 6, name300);
	CHECK_STR(bb_names_get(6, 6), name300, "names: 300-char name kept whole in memory");
	bb_names_clear();
	CHECK(!bb_names_get(1, 1) && !bb_names_get(6, 6), "names: clear empties the table");
}

/* ---- a recording with every kind of record the core writes ---- */

static struct log expected;
static int expected_ksyms;
static struct rec want_ksym[2];
static char longname[301];
static uint64_t agg_ts;

static void pattern(unsigned char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

static void emit(size_t len, unsigned seed)
{
	unsigned char *p = malloc(len ? len : 1);

	pattern(p, len, seed);
	bb_emit_event(p, len);
	log_add(&expected, BB_REC_EVENT, p, len);
	free(p);
}

static void expect_name(uint32_t table, uint64_t value, const char *name, size_t keep)
{
	unsigned char buf[512];

	memcpy(buf, &table, 4);
	memcpy(buf + 4, &value, 8);
	memcpy(buf + 12, name, keep);
	buf[12 + keep] = 0;
	log_add(&expected, BB_REC_NAME, buf, 12 + keep + 1);
}

static void make_ksym(struct rec *r, uint64_t addr, const char *name, const char *mod)
{
	size_t nl = strlen(name) + 1, ml = strlen(mod) + 1;

	r->type = BB_REC_KSYM;
	r->len = 8 + nl + ml;
	r->data = malloc(r->len);
	memcpy(r->data, &addr, 8);
	memcpy(r->data + 8, name, nl);
	memcpy(r->data + 8 + nl, mod, ml);
}

static struct bb_ksyms *fake_kernel(void)
{
	struct bb_ksyms *ks = bb_ksyms_new();

	bb_ksyms_add(ks, 0xffffffffc0001000ULL, "foo", "mod");
	bb_ksyms_add(ks, 0xffffffff81000000ULL, "_stext", NULL);
	bb_ksyms_add(ks, 0xffffffff81000300ULL, "kfree_skb", NULL);
	bb_ksyms_sort(ks);
	return ks;
}

static void emit_table(void)
{
	struct bb_agg_table t;
	struct bb_agg_val v1 = { 5, 500, 10, 20 }, v2 = { 2, 0, 30, 40 };
	uint64_t k1 = A_FOO, k2 = A_KFREE;
	struct { __u64 ts; __u8 final; __u8 pad[7]; } end = { 0, 1, {0} };
	struct bb_agg_row_hdr rh = { 8, 0 };
	unsigned char buf[64];

	bb_agg_init(&t, 8, false);
	bb_agg_put(&t, &k1, &v1, NULL);
	bb_agg_put(&t, &k2, &v2, NULL);
	t.ts_ns = agg_ts = 987654321;
	bb_agg_emit(&t, true);
	bb_agg_free(&t);

	memcpy(buf, &rh, 8);
	memcpy(buf + 8, &k1, 8);
	memcpy(buf + 16, &v1, sizeof(v1));
	log_add(&expected, BB_REC_AGG_ROW, buf, 16 + sizeof(v1));
	memcpy(buf + 8, &k2, 8);
	memcpy(buf + 16, &v2, sizeof(v2));
	log_add(&expected, BB_REC_AGG_ROW, buf, 16 + sizeof(v2));
	end.ts = agg_ts;
	log_add(&expected, BB_REC_AGG_END, &end, sizeof(end));
}

static void write_recording(const char *path)
{
	unsigned char a[5] = { 1, 2, 3, 4, 5 }, b[7] = { 6, 7, 8, 9, 10, 11, 12 }, ab[12];
	uint64_t addr = A_KFREE;

	bb_names_clear();
	bb_kernel_syms_set(fake_kernel());
	bb_current = &bb_applet_unitrec;
	bb_names_add(1, 7, "NO_SOCKET");
	expect_name(1, 7, "NO_SOCKET", 9);
	CHECK(!bb_recording(), "not recording before open");
	bb_record_open(path, FLAGS);
	CHECK(bb_recording(), "recording after open");

	emit(1, 1);
	bb_emit_event(&addr, 8);		/* marks kfree_skb */
	log_add(&expected, BB_REC_EVENT, &addr, 8);
	bb_names_add(1, 9, "TCP_CSUM");		/* written at once */
	expect_name(1, 9, "TCP_CSUM", 8);
	bb_names_add(1, 7, "OTHER");		/* known: not written again */
	emit(13, 3);
	emit(0, 0);
	memset(longname, 'n', 300);
	bb_names_add(1, 10, longname);		/* cut in the file */
	expect_name(1, 10, longname, 243);
	emit(4000, 4);
	emit(100000, 5);
	bb_record_write(BB_REC_EVENT, a, sizeof(a), b, sizeof(b));
	memcpy(ab, a, 5);
	memcpy(ab + 5, b, 7);
	log_add(&expected, BB_REC_EVENT, ab, 12);
	emit_table();				/* marks foo */
	bb_record_close(NULL, 0);
	CHECK(!bb_recording(), "not recording after close");
	bb_record_close(NULL, 0);		/* harmless */

	make_ksym(&want_ksym[0], 0xffffffff81000300ULL, "kfree_skb", "");
	make_ksym(&want_ksym[1], 0xffffffffc0001000ULL, "foo", "mod");
	expected_ksyms = 2;
}

/* What bb_record_read() delivered, with each record's offset. */
struct readback {
	struct log log;
	long off[64];
	FILE *f;
};

static void on_record(const struct bb_record *rec, void *ctx)
{
	struct readback *rb = ctx;

	if (rb->log.n < (int)ARRAY_SIZE(rb->off))
		rb->off[rb->log.n] = ftell(rb->f) - 8 - (long)rec->len;
	CHECK(rec->hdr != NULL, "record %d carries the file header", rb->log.n);
	log_add(&rb->log, rec->type, rec->data, rec->len);
}

static int read_file(const char *path, struct bb_file_header *h, struct readback *rb,
		     char *err, size_t errlen)
{
	int ret;

	memset(rb, 0, sizeof(*rb));
	err[0] = 0;
	rb->f = fopen(path, "r");
	if (!rb->f)
		return -2;
	ret = bb_record_read(rb->f, h, on_record, rb, err, errlen);
	fclose(rb->f);
	return ret;
}

static bool same(const struct rec *a, const struct rec *b)
{
	return a->type == b->type && a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static void check_header(const struct bb_file_header *h)
{
	struct utsname u;
	uint64_t now = bb_now_ns(CLOCK_BOOTTIME);
	int64_t wall = (int64_t)(h->boot_wall_ns - bb_boot_wall_ns());

	uname(&u);
	CHECK(!memcmp(h->magic, "BPFBOX\0R", 8), "header: magic");
	CHECK_U64(h->version, BB_REC_VERSION, "header: version");
	CHECK_U64(h->header_size, sizeof(*h), "header: header_size");
	CHECK_STR(h->applet, "unitrec", "header: applet name");
	CHECK(h->release[0] && !strcmp(h->release, u.release), "header: release is uname -r");
	CHECK_STR(h->hostname, u.nodename, "header: hostname");
	CHECK_U64(h->flags, FLAGS, "header: the applet's flags");
	CHECK(h->start_ns && h->start_ns <= now && now - h->start_ns < 10000000000ULL,
	      "header: start_ns is recent CLOCK_BOOTTIME");
	CHECK(wall > -1000000000LL && wall < 1000000000LL, "header: boot_wall_ns within 1 s");
}

/* Index of the first record of @type whose payload starts with @addr. */
static int first_with_addr(const struct log *got, int type, size_t at, uint64_t addr)
{
	int i;

	for (i = 0; i < got->n; i++)
		if (got->r[i].type == type && got->r[i].len >= at + 8 &&
		    !memcmp(got->r[i].data + at, &addr, 8))
			return i;
	return -1;
}

/* Records in file order; the KSYM ones checked apart. */
static void check_records(const struct log *got)
{
	int i, j = 0, ksyms = 0, bad = -1, at[2] = { -1, -1 };

	for (i = 0; i < got->n; i++) {
		const struct rec *r = &got->r[i];

		if (r->type == BB_REC_KSYM) {
			ksyms++;
			if (same(r, &want_ksym[0]))
				at[0] = i;
			if (same(r, &want_ksym[1]))
				at[1] = i;
			continue;
		}
		if (bad < 0 && (j >= expected.n || !same(r, &expected.r[j])))
			bad = j;
		j++;
	}
	if (!CHECK(bad < 0 && j == expected.n, "read back: %d records, same types and bytes, "
		   "in order", expected.n))
		unit_diag("%d records besides KSYM, first difference at %d", j, bad);
	CHECK_U64(ksyms, expected_ksyms, "read back: one KSYM record per symbol used");
	CHECK(at[0] >= 0, "KSYM record: kfree_skb (address, name, empty module)");
	CHECK(at[1] >= 0, "KSYM record: foo [mod]");
	/* Before the first record that needs it: a killed recording keeps it. */
	i = first_with_addr(got, BB_REC_EVENT, 0, A_KFREE);
	CHECK(at[0] >= 0 && i > at[0], "KSYM kfree_skb comes before the event using it");
	i = first_with_addr(got, BB_REC_AGG_ROW, sizeof(struct bb_agg_row_hdr), A_FOO);
	CHECK(at[1] >= 0 && i > at[1], "KSYM foo comes before the table row using it");
}

/* ---- bb_report_file: the file printed with the test applet ---- */

static void check_report(const char *path)
{
	int i, events = 0, bad = 0;
	uint64_t v;

	memset(&printed, 0, sizeof(printed));
	printed_sym[0] = 0;
	bb_names_clear();
	bb_kernel_syms_set(NULL);
	bb_current = NULL;
	CHECK_U64(bb_report_file(path), 0, "report: returns 0");
	for (i = 0; i < expected.n; i++) {
		if (expected.r[i].type != BB_REC_EVENT)
			continue;
		if (events >= printed.n || !same(&printed.r[events], &expected.r[i]))
			bad++;
		events++;
	}
	CHECK(!bad && printed.n == events, "report: print_event got the %d events in order",
	      events);
	CHECK(tables == 1 && table_rows == 2 && table_final && table_ts == agg_ts &&
	      table_count0 == 5, "report: print_table got the final table, rows in order");
	CHECK_U64(report_ends, 1, "report: report_end called once");
	CHECK_STR(printed_sym, "kfree_skb+0x10", "report: symbols come from the file");
	CHECK_STR(bb_names_get(1, 9), "TCP_CSUM", "report: names come from the file");
	CHECK_STR(bb_names_get(1, 7), "NO_SOCKET", "report: names written at open");
	CHECK(bb_names_get(1, 10) && strlen(bb_names_get(1, 10)) == 243,
	      "report: a long name comes back cut to 243 characters");
	CHECK(!bb_names_find(1, "NO_SOCKET", &v) && v == 7, "report: names_find after report");
	if (CHECK(bb_kernel_syms() != NULL, "report: the file's symbols are the kernel's")) {
		char buf[64];

		CHECK_U64(bb_ksyms_count(bb_kernel_syms()), 2, "report: exactly the symbols used");
		bb_ksyms_format(bb_kernel_syms(), A_FOO, buf, sizeof(buf));
		CHECK_STR(buf, "foo+0x4 [mod]", "report: module symbol from the file");
	}
}

/* ---- damaged files ---- */

static char *file_data;
static size_t file_len;
static struct readback full;

static void check_damaged(const char *what, const void *data, size_t len, int want_ret,
			  const char *want_err, int want_records)
{
	char *path = unit_path("damaged.bbr"), err[256];
	struct bb_file_header h;
	struct readback rb;
	int ret, i, same_prefix = 1;

	unit_write_file(path, data, len);
	ret = read_file(path, &h, &rb, err, sizeof(err));
	for (i = 0; i < rb.log.n && i < full.log.n; i++)
		same_prefix &= same(&rb.log.r[i], &full.log.r[i]);
	if (!CHECK(ret == want_ret && rb.log.n == want_records && same_prefix,
		   "%s: returns %d after exactly %d whole records", what, want_ret, want_records))
		unit_diag("returned %d after %d records (%s)", ret, rb.log.n, err);
	if (want_err)
		CHECK_CONTAINS(err, want_err, "%s: error says so", what);
	log_free(&rb.log);
	free(path);
}

static void test_truncated(void)
{
	size_t hs = sizeof(struct bb_file_header);
	int ks[] = { 0, 1, 2, 5, 9, full.log.n - 1 };
	char what[96], want[96];
	size_t i;

	check_damaged("empty file", file_data, 0, -1, "empty file", 0);
	check_damaged("cut at 4 bytes", file_data, 4, -1, "not a bpfbox record file", 0);
	check_damaged("cut at 20 bytes", file_data, 20, -1, "truncated header", 0);
	check_damaged("cut 1 byte into the header's end", file_data, hs - 1, -1,
		      "truncated header", 0);
	check_damaged("cut right after the header", file_data, hs, 0, NULL, 0);
	check_damaged("whole file", file_data, file_len, 0, NULL, full.log.n);
	for (i = 0; i < ARRAY_SIZE(ks); i++) {
		int k = ks[i];
		long b = full.off[k];
		uint32_t len = full.log.r[k].len;

		snprintf(what, sizeof(what), "cut before record %d", k);
		check_damaged(what, file_data, b, 0, NULL, k);
		snprintf(what, sizeof(what), "cut inside record %d's header", k);
		snprintf(want, sizeof(want), "truncated record header at byte %ld", b);
		check_damaged(what, file_data, b + 3, -1, want, k);
		if (!len)
			continue;
		snprintf(want, sizeof(want), "truncated record at byte %ld", b);
		snprintf(what, sizeof(what), "cut after record %d's header", k);
		check_damaged(what, file_data, b + 8, -1, want, k);
		snprintf(what, sizeof(what), "cut inside record %d's payload", k);
		check_damaged(what, file_data, b + 8 + len / 2, -1, want, k);
		snprintf(what, sizeof(what), "cut 1 byte short of record %d's end", k);
		check_damaged(what, file_data, b + 8 + len - 1, -1, want, k);
	}
}

/* A copy of the file with record k's type or length changed. */
enum { SET_TYPE, SET_LEN };

static void check_bad_header(int k, int field, uint32_t value, const char *what,
			     const char *err_fmt)
{
	char *copy = malloc(file_len), want[96];
	struct bb_rec_hdr rh;
	long b = full.off[k];

	memcpy(copy, file_data, file_len);
	memcpy(&rh, copy + b, sizeof(rh));
	if (field == SET_TYPE)
		rh.type = value;
	else
		rh.len = value;
	memcpy(copy + b, &rh, sizeof(rh));
	snprintf(want, sizeof(want), err_fmt, b);
	check_damaged(what, copy, file_len, -1, want, k);
	free(copy);
}

/* A header that failed is all zeros: nothing of it can be trusted. */
static void check_header_cleared(const char *what, const void *data, size_t len)
{
	static const struct bb_file_header zero;
	char *path = unit_path("bad-header.bbr"), err[256];
	struct bb_file_header h;
	struct readback rb;

	memset(&h, 'x', sizeof(h));
	unit_write_file(path, data, len);
	read_file(path, &h, &rb, err, sizeof(err));
	CHECK(!memcmp(&h, &zero, sizeof(h)), "%s: the header comes back zeroed", what);
	free(path);
}

static void test_corrupt(void)
{
	struct bb_file_header h;
	size_t hs = sizeof(h);
	char *copy = malloc(file_len + 16);
	int last = full.log.n - 1;

	check_bad_header(3, SET_LEN, 0xffffffff, "record 3 length 4G",
			 "corrupt record at byte %ld");
	check_bad_header(0, SET_LEN, 0x7fffffff, "record 0 length 2G",
			 "corrupt record at byte %ld");
	check_bad_header(last, SET_LEN, full.log.r[last].len + 1,
			 "last record 1 byte longer than the file", "truncated record at byte %ld");
	check_bad_header(2, SET_TYPE, 0, "record 2 type 0", "unknown record type at byte %ld");
	check_bad_header(4, SET_TYPE, BB_REC_NR, "record 4 type BB_REC_NR",
			 "unknown record type at byte %ld");
	check_bad_header(last, SET_TYPE, 0xffff, "last record type 0xffff",
			 "unknown record type at byte %ld");

	memcpy(copy, file_data, file_len);
	memcpy(&h, copy, hs);
	h.version = 2;
	memcpy(copy, &h, hs);
	check_damaged("version 2", copy, file_len, -1, "version 2 is not supported", 0);

	memcpy(&h, file_data, hs);
	h.header_size = 10;
	memcpy(copy, &h, hs);
	check_damaged("header_size 10", copy, file_len, -1, "corrupt header", 0);

	/* A later, longer header: records start at header_size. */
	memcpy(&h, file_data, hs);
	h.header_size = hs + 16;
	memcpy(copy, &h, hs);
	memset(copy + hs, 0xee, 16);
	memcpy(copy + hs + 16, file_data + hs, file_len - hs);
	check_damaged("header 16 bytes longer", copy, file_len + 16, 0, NULL, full.log.n);

	memset(copy, 'g', file_len);
	check_damaged("garbage", copy, file_len, -1, "not a bpfbox record file", 0);
	check_header_cleared("garbage", copy, file_len);
	memcpy(copy, file_data, 20);
	check_header_cleared("header cut at 20 bytes", copy, 20);
	memcpy(copy, file_data, file_len);
	memcpy(&h, copy, hs);
	h.version = 7;
	memcpy(copy, &h, hs);
	check_header_cleared("version 7", copy, file_len);
	free(copy);
}

/* ---- bb_report_file on bad files, in a child: exit 2 and why ---- */

static void report_child(void *arg)
{
	print_lines = true;
	bb_current = NULL;
	bb_report_file(arg);
}

static void check_report_fails(const char *what, const void *data, size_t len,
			       const char *want_err, int want_lines, const char *bug)
{
	char *path = unit_path("bad.bbr"), needle[256];
	struct unit_child c;

	/* "PATH: why", where the file's own bytes cannot fake it */
	snprintf(needle, sizeof(needle), ": %s: %s", path, want_err);
	unit_write_file(path, data, len);
	unit_run_child(report_child, path, &c);
	if (!unit_check(c.status == 2 && strstr(c.err, needle) &&
			unit_count_lines(c.err) == 1 &&
			unit_count_lines(c.out) == want_lines, bug, __FILE__, __LINE__,
			"report %s: exit 2, '%s', %d lines printed first",
			what, want_err, want_lines))
		unit_diag("status %d, %d lines out, stderr: %.200s", c.status,
			  unit_count_lines(c.out), c.err);
	unit_child_free(&c);
	free(path);
}

static void test_report_errors(void)
{
	char *garbage = malloc(file_len), what[64];
	int i, k = 5, events = 0;

	while (k < full.log.n - 1 && full.log.r[k].len < 2)
		k++;
	for (i = 0; i < k; i++)
		events += full.log.r[i].type == BB_REC_EVENT;
	snprintf(what, sizeof(what), "cut inside record %d", k);
	check_report_fails(what, file_data, full.off[k] + 8 + full.log.r[k].len / 2,
			   "truncated record", events, NULL);
	check_report_fails("short garbage", "hello\n", 6, "not a bpfbox record file", 0, NULL);
	memset(garbage, 'g', file_len);
	check_report_fails("garbage longer than a header", garbage, file_len,
			   "not a bpfbox record file", 0, NULL);
	free(garbage);
}

static void test_recording(void)
{
	char *path = unit_path("rec.bbr"), err[256];
	struct bb_file_header h;
	int ret;

	write_recording(path);
	ret = read_file(path, &h, &full, err, sizeof(err));
	if (!CHECK(ret == 0, "read back the recording"))
		unit_diag("%s", err);
	check_header(&h);
	check_records(&full.log);
	file_data = unit_read_file(path, &file_len);
	CHECK(file_data && full.log.n > 10 &&
	      (size_t)full.off[full.log.n - 1] + 8 + full.log.r[full.log.n - 1].len == file_len,
	      "records cover the file exactly");
	check_report(path);
	free(path);
	if (!file_data || full.log.n <= 10)
		return;
	test_truncated();
	test_corrupt();
	test_report_errors();
}

int main(void)
{
	test_names();
	test_recording();
	return unit_done();
}
