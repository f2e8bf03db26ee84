// SPDX-License-Identifier: GPL-2.0
/*
 * Record files made by an attacker, read by the real binary ($BPFBOX, else
 * ./bpfbox): `report` must print only what each record was checked to
 * hold (no string read past its array, no key shorter than its printer
 * reads), escape control bytes in text, refuse implausible figures, and
 * stay linear in what it reads.  Under make asan the binary is the
 * sanitized one, which turns any over-read into a failure here too.
 */
#include "unit.h"
#include <sys/stat.h>
#include "bpfbox.h"
#include "agg.h"
#include "loader.h"
#include "record.h"
#include "dropwatch.h"
#include "memleak.h"

/* ---- writing a file by hand ---- */

struct file {
	char *path;
	FILE *f;
};

static void file_begin(struct file *fl, const char *name, const char *applet)
{
	struct bb_file_header h = { .version = BB_REC_VERSION, .header_size = sizeof(h) };

	memcpy(h.magic, BB_REC_MAGIC, sizeof(h.magic));
	snprintf(h.applet, sizeof(h.applet), "%s", applet);
	snprintf(h.hostname, sizeof(h.hostname), "evil\033]0;title\007host");
	/* HOSTILE_DIR=dir keeps them (the fuzz seeds of report came so). */
	if (getenv("HOSTILE_DIR")) {
		if (asprintf(&fl->path, "%s/%s", getenv("HOSTILE_DIR"), name) < 0)
			abort();
	} else {
		fl->path = unit_path(name);
	}
	fl->f = fopen(fl->path, "w");
	fwrite(&h, sizeof(h), 1, fl->f);
}

static void file_rec(struct file *fl, int type, const void *data, uint32_t len)
{
	struct bb_rec_hdr rh = { .type = type, .len = len };

	fwrite(&rh, sizeof(rh), 1, fl->f);
	fwrite(data, 1, len, fl->f);
}

static void file_end(struct file *fl)
{
	fclose(fl->f);
}

/* ---- running the binary on it ---- */

static const char *bpfbox(void)
{
	const char *b = getenv("BPFBOX");

	return b && *b ? b : "./bpfbox";
}

static char *const *child_argv;

static void exec_child(void *arg)
{
	(void)arg;
	execv(bpfbox(), child_argv);
	_exit(127);
}

static int report(struct unit_child *c, const char *path, const char *extra)
{
	char *argv[] = { "bpfbox", "report", (char *)path, (char *)extra, NULL };

	child_argv = argv;
	return unit_run_child(exec_child, NULL, c);
}

static bool has_byte(const char *s, int b)
{
	return strchr(s, b) != NULL;
}

/* ---- the cases ---- */

static void drop_event(struct dropwatch_event *e)
{
	memset(e, 0, sizeof(*e));
	e->ts_ns = 1000000000;
	e->location = 0xffffffff81000310ULL;
	e->tgid = e->pid = 42;
	e->ip_version = 4;
	e->l4_proto = 17;
	e->pkt_len = 28;
	snprintf(e->ifname, sizeof(e->ifname), "lo");
}

static void test_unterminated_comm(void)
{
	struct dropwatch_event e;
	struct unit_child c;
	struct file fl;

	drop_event(&e);
	memset(e.comm, 'A', sizeof(e.comm));	/* no NUL: ifname follows */
	file_begin(&fl, "comm.bbr", "dropwatch");
	file_rec(&fl, BB_REC_EVENT, &e, DW_EVENT_HEAD_SIZE);
	file_end(&fl);
	report(&c, fl.path, NULL);
	CHECK_U64(c.status, 0, "unterminated comm: report exits 0");
	CHECK(strstr(c.out, " AAAAAAAAAAAAAAA ") && !strstr(c.out, "AAAAAAAAAAAAAAAA"),
	      "unterminated comm: cut to 15 characters, ifname not read into it");
	if (!strstr(c.out, " AAAAAAAAAAAAAAA "))
		unit_diag("stdout: %s", c.out);
	unit_child_free(&c);
	free(fl.path);
}

static void test_escapes(void)
{
	struct dropwatch_event e;
	struct unit_child c;
	struct file fl;
	char ksym[64];

	drop_event(&e);
	snprintf(e.comm, sizeof(e.comm), "\033[31mred");
	snprintf(e.ifname, sizeof(e.ifname), "eth\n0");
	file_begin(&fl, "escape.bbr", "dropwatch");
	memcpy(ksym, &e.location, 8);
	memcpy(ksym + 8, "fn\033[2J\0mod\r\0", 13);
	file_rec(&fl, BB_REC_KSYM, ksym, 8 + 13);
	file_rec(&fl, BB_REC_EVENT, &e, DW_EVENT_HEAD_SIZE);
	file_end(&fl);
	report(&c, fl.path, "-v");
	CHECK_U64(c.status, 0, "escapes: report exits 0");
	CHECK(!has_byte(c.out, '\033') && !has_byte(c.err, '\033') && !has_byte(c.out, '\r') &&
	      !has_byte(c.err, '\007'), "escapes: no ESC, CR or BEL reaches the terminal");
	CHECK_CONTAINS(c.out, "\\33[31mred", "escapes: comm as strace shows it");
	CHECK_CONTAINS(c.out, "eth\\n0", "escapes: interface name with its newline escaped");
	CHECK_CONTAINS(c.out, "fn\\33[2J", "escapes: a symbol from the file");
	CHECK_CONTAINS(c.err, "evil\\33]0;title\\7host", "escapes: the header's host name (-v)");
	CHECK_U64(unit_count_lines(c.out), 1, "escapes: one line per event still");
	unit_child_free(&c);
	report(&c, fl.path, "--json");
	CHECK_CONTAINS(c.out, "\"comm\":\"\\u001b[31mred\"", "escapes: JSON keeps its own escaping");
	unit_child_free(&c);
	free(fl.path);
}

/* A key shorter than the printer's struct: refused, not read past. */
static void test_short_key(void)
{
	char buf[sizeof(struct bb_agg_row_hdr) + 1 + sizeof(struct bb_agg_val)] = {};
	struct bb_agg_row_hdr rh = { .key_size = 1 };
	struct { uint64_t ts; uint8_t final, pad[7]; } end = { 1, 1, {0} };
	struct unit_child c;
	struct file fl;

	memcpy(buf, &rh, sizeof(rh));
	file_begin(&fl, "shortkey.bbr", "memleak");
	file_rec(&fl, BB_REC_AGG_ROW, buf, sizeof(buf));
	file_rec(&fl, BB_REC_AGG_END, &end, sizeof(end));
	file_end(&fl);
	report(&c, fl.path, NULL);
	CHECK(c.status == 2 && strstr(c.err, "corrupt record") && strstr(c.err, "key"),
	      "1-byte memleak key: exit 2, corrupt record (its printer reads 8)");
	unit_child_free(&c);
	free(fl.path);
}

/* deadlock's report (applets/deadlock.c), as it is laid out there. */
struct dl_step {
	__u64 lock, next;
	__u32 tid, holder;
	__s32 stack1, stack2;
	char comm[BB_COMM_LEN];
	char name[96];
	char next_name[96];
};

static void test_unterminated_lock_name(void)
{
	struct { __u32 kind, n; struct dl_step steps[1]; } r = { 1, 1 };
	struct unit_child c;
	struct file fl;

	memset(r.steps[0].name, 'B', sizeof(r.steps[0].name));
	memset(r.steps[0].next_name, 'C', sizeof(r.steps[0].next_name));
	memset(r.steps[0].comm, 'D', sizeof(r.steps[0].comm));
	r.steps[0].stack1 = r.steps[0].stack2 = -1;
	file_begin(&fl, "dlname.bbr", "deadlock");
	file_rec(&fl, BB_REC_EVENT, &r, sizeof(r));
	file_end(&fl);
	report(&c, fl.path, NULL);
	CHECK_U64(c.status, 0, "unterminated lock names: report exits 0");
	CHECK(strstr(c.out, "took BBB") && !strstr(c.out, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
		"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB") &&
	      !strstr(c.out, "BC") && !strstr(c.out, "DB"),
	      "unterminated lock names and comm: each cut in its own array");
	unit_child_free(&c);
	free(fl.path);
}

static void test_implausible_loss(void)
{
	struct bb_lost_report lost = { .ringbuf = ~0ULL };
	struct unit_child c;
	struct file fl;

	file_begin(&fl, "lost.bbr", "dropwatch");
	file_rec(&fl, BB_REC_LOST, &lost, sizeof(lost));
	file_end(&fl);
	report(&c, fl.path, NULL);
	CHECK(c.status == 2 && strstr(c.err, "implausible loss") &&
	      !strstr(c.err, "18446744073709551615"),
	      "loss count 2^64-1: exit 2, implausible, not printed");
	unit_child_free(&c);
	free(fl.path);
}

static void test_not_files(void)
{
	struct unit_child c;
	char *empty = unit_path("empty.bbr");

	unit_write_file(empty, "", 0);
	report(&c, empty, NULL);
	CHECK(c.status == 2 && strstr(c.err, "empty file") && !strstr(c.err, "magic"),
	      "empty file: exit 2, says empty (not bad magic)");
	unit_child_free(&c);
	report(&c, unit_tmpdir(), NULL);
	CHECK(c.status == 2 && strstr(c.err, "is a directory") && !strstr(c.err, "magic"),
	      "directory: exit 2, says directory (not bad magic)");
	unit_child_free(&c);
	free(empty);
}

/* 200k names: linear (it took 17 s when each was looked for in a list). */
static void test_many_names(void)
{
	struct dropwatch_event e;
	struct unit_child c;
	struct file fl;
	char buf[64];
	uint32_t i, table = 1;
	uint64_t v;

	file_begin(&fl, "names.bbr", "dropwatch");
	for (i = 0; i < 200000; i++) {
		v = i;
		memcpy(buf, &table, 4);
		memcpy(buf + 4, &v, 8);
		snprintf(buf + 12, sizeof(buf) - 12, "REASON_%u", i);
		file_rec(&fl, BB_REC_NAME, buf, 12 + strlen(buf + 12) + 1);
	}
	drop_event(&e);
	e.reason = 199999;
	snprintf(e.comm, sizeof(e.comm), "x");
	file_rec(&fl, BB_REC_EVENT, &e, DW_EVENT_HEAD_SIZE);
	file_end(&fl);
	report(&c, fl.path, NULL);	/* the child has 5 s (alarm) */
	CHECK(c.status == 0 && strstr(c.out, "REASON_199999"),
	      "200000 names: read within 5 s, the last one found");
	unit_child_free(&c);
	free(fl.path);
}

int main(void)
{
	struct stat st;

	if (stat(bpfbox(), &st)) {
		CHECK(0, "%s: the binary to test is missing", bpfbox());
		return unit_done();
	}
	test_unterminated_comm();
	test_escapes();
	test_short_key();
	test_unterminated_lock_name();
	test_implausible_loss();
	test_not_files();
	test_many_names();
	return unit_done();
}
