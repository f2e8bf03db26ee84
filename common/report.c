// SPDX-License-Identifier: GPL-2.0
/*
 * `bpfbox report FILE` (or `APPLET -r FILE`): prints a record file with
 * the printers of the applet that wrote it, so the output is the same as
 * live.  Symbols and enum names come from the file, not from this host.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bpfbox.h"
#include "agg.h"
#include "dwarf.h"
#include "ksyms.h"
#include "loader.h"
#include "record.h"
#include "elfsyms.h"
#include "usyms.h"

/* --debug-dir: where debug files are looked for by build-id. */
static const char *debug_dir;

/*
 * A user frame named again from the debug file its build-id leads to
 * (DIR/.build-id/xx/rest.debug, as under /usr/lib/debug): the host that
 * recorded it may have had a stripped file.  The module is the recorded
 * text's; a frame the debug file does not name keeps its recorded text.
 */
static void rename_frame(const char *p, uint32_t len)
{
	char path[PATH_MAX], text[2 * BB_FRAME_TEXT], old[BB_FRAME_TEXT], *cxx;
	const unsigned char *id = (const unsigned char *)p + 24;
	struct bb_srcline lines[BB_MAX_INLINED];
	const char *module, *name;
	struct bb_elfsyms *e;
	uint64_t v[3], off;
	size_t n = len - 24, i, at, mlen;

	if (len <= 25 || n > 64)
		return;
	memcpy(v, p, sizeof(v));
	at = snprintf(path, sizeof(path), "%s/.build-id/%02x/", debug_dir, id[0]);
	for (i = 1; i < n && at + 3 < sizeof(path); i++)
		at += snprintf(path + at, sizeof(path) - at, "%02x", id[i]);
	if (at + 7 >= sizeof(path))
		return;
	strcpy(path + at, ".debug");
	e = bb_elfsyms_open(path);	/* kept: the next frame of this file reuses it */
	/* Its path: a relative name of its dwz alt file is from there. */
	if (!e || bb_elfsyms_load(e, path, NULL))
		return;
	name = bb_elfsyms_find(e, v[1], false, &off);
	if (!name)
		return;
	/* The module: "name+0x1a (MODULE)", or unnamed "MODULE+0x1a", in the
	 * recorded text without its source lines. */
	snprintf(old, sizeof(old), "%s", bb_usym_get(v[0]) ? bb_usym_get(v[0]) : "");
	bb_frame_plain(old);
	module = *old ? strrchr(old, '(') : NULL;
	mlen = module ? strlen(module) : 0;
	if (*old && !module && strstr(old, "+0x")) {
		module = old;
		mlen = strstr(old, "+0x") - old;
	}
	cxx = bb_demangle(name);
	if (!module)
		snprintf(text, sizeof(text), "%s+0x%llx", cxx ? cxx : name, (unsigned long long)off);
	else if (*module == '(')
		snprintf(text, sizeof(text), "%s+0x%llx %s", cxx ? cxx : name,
			 (unsigned long long)off, module);
	else
		snprintf(text, sizeof(text), "%s+0x%llx (%.*s)", cxx ? cxx : name,
			 (unsigned long long)off, (int)mlen, module);
	free(cxx);
	/* A return address: the line of its call. */
	if (v[1] && !bb_opts.no_lines)
		bb_frame_add_lines(text, sizeof(text), lines,
				   bb_elfsyms_lines(e, v[1] - 1, lines, BB_MAX_INLINED));
	bb_usym_set(v[0], text);
}

/* Pass 1 collects what the records refer to. */
struct catalog {
	struct bb_ksyms *ksyms;
	struct bb_lost_report lost;
	bool have_lost;
};

/* Records come checked (bb_record_check): their strings end in NULs. */
static void collect(const struct bb_record *rec, void *ctx)
{
	struct catalog *c = ctx;
	const char *p = rec->data;
	uint64_t v;
	uint32_t table, h[2];

	switch (rec->type) {
	case BB_REC_KSYM:
		memcpy(&v, p, 8);
		bb_ksyms_add(c->ksyms, v, p + 8, p + 9 + strlen(p + 8));
		break;
	case BB_REC_NAME:
		memcpy(&table, p, 4);
		memcpy(&v, p + 4, 8);
		bb_names_add(table, v, p + 12);
		break;
	case BB_REC_STACK: {
		uint64_t frames[BB_MAX_STACK];

		memcpy(h, p, 8);
		memcpy(frames, p + 8, h[1] * 8);
		bb_stacks_add(h[0], frames, h[1]);
		break;
	}
	case BB_REC_USYM:
		memcpy(&v, p, 8);
		bb_usym_add(v, p + 8);
		break;
	case BB_REC_UFRAME:
		if (debug_dir)
			rename_frame(p, rec->len);
		break;
	case BB_REC_LOST:
		memcpy(&c->lost, p, sizeof(c->lost));
		c->have_lost = true;
		break;
	default:
		break;
	}
}

/* Pass 2 prints. */
struct printer {
	struct bb_agg_table table;
	bool table_started;
};

static void add_row(struct printer *pr, const struct bb_record *rec)
{
	struct bb_agg_row_hdr rh;
	struct bb_agg_hval hv = {};
	const char *p = rec->data;
	size_t vsize;

	memcpy(&rh, p, sizeof(rh));	/* checked: the applet's key size */
	vsize = rh.hist ? sizeof(struct bb_agg_hval) : sizeof(struct bb_agg_val);
	if (!pr->table_started || pr->table.hist != rh.hist) {
		bb_agg_free(&pr->table);
		bb_agg_init(&pr->table, rh.key_size, rh.hist);
		pr->table_started = true;
	}
	memcpy(&hv, p + sizeof(rh) + rh.key_size, vsize);
	bb_agg_put(&pr->table, p + sizeof(rh), &hv.v, rh.hist ? hv.slots : NULL);
}

static void print_record(const struct bb_record *rec, void *ctx)
{
	struct printer *pr = ctx;
	const char *p = rec->data;
	uint64_t ts;

	switch (rec->type) {
	case BB_REC_EVENT:
		bb_current->print_event(rec->data, rec->len);
		break;
	case BB_REC_AGG_ROW:
		add_row(pr, rec);
		break;
	case BB_REC_AGG_END:
		if (!bb_current->print_table)
			return;
		memcpy(&ts, p, 8);
		pr->table.ts_ns = ts;
		/* Rows were recorded in the applet's order: keep it. */
		bb_current->print_table(&pr->table, p[8]);
		bb_agg_clear(&pr->table);
		break;
	default:
		break;
	}
}

/* A pipe or a FIFO (`report /dev/stdin`, `<(...)`) is read twice like a
 * file: copied first into an unnamed temporary file. */
static FILE *seekable_copy(FILE *in, const char *path)
{
	FILE *tmp = tmpfile();
	char buf[65536];
	size_t n;

	if (!tmp)
		bb_die("%s is a pipe, and no temporary file for it: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, tmp) != n)
			bb_die("%s is a pipe, and its temporary copy failed: %s", path,
			       strerror(errno));
	if (ferror(in))
		bb_die("reading %s: %s", path, strerror(errno));
	fclose(in);
	rewind(tmp);
	return tmp;
}

static FILE *open_record(const char *path)
{
	FILE *f = fopen(path, "re");
	struct stat st;

	if (!f)
		bb_die("cannot open %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st))
		bb_die("%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		bb_die("%s is a directory, not a record file", path);
	if (!S_ISREG(st.st_mode) || fseek(f, 0, SEEK_SET))
		f = seekable_copy(f, path);
	return f;
}

int bb_report_file(const char *path)
{
	struct catalog cat = { .ksyms = bb_ksyms_new() };
	struct printer pr = {};
	struct bb_file_header hdr;
	const struct bb_applet *app, *reader = bb_current;
	char err[256] = "", err2[256];
	FILE *f = open_record(path);
	int bad;

	bad = bb_record_read(f, &hdr, collect, &cat, err, sizeof(err));
	if (bad && !hdr.applet[0])
		bb_die("%s: %s", path, err);
	app = bb_find_applet(hdr.applet);
	if (!app || !app->print_event)
		bb_die("%s: written by applet '%s', which this bpfbox does not have",
		       path, bb_esc(hdr.applet));
	bb_current = app;
	bb_wall_base = hdr.boot_wall_ns;
	bb_ksyms_sort(cat.ksyms);
	bb_kernel_syms_set(cat.ksyms);
	bb_info("%s: %s on %s, kernel %s", path, bb_esc(hdr.applet), bb_esc(hdr.hostname),
		bb_esc(hdr.release));
	rewind(f);
	bb_record_read(f, &hdr, print_record, &pr, err2, sizeof(err2));
	fclose(f);
	if (app->report_end)
		app->report_end();
	if (cat.have_lost)
		bb_lost_print(&cat.lost);
	fflush(stdout);
	bb_current = reader;	/* errors are the reader's, not the recorder's */
	if (bad)
		bb_die("%s: %s", path, err);
	return 0;
}

enum { K_DEBUG_DIR = 1000, K_NO_DEMANGLE, K_NO_LINES };

static const struct bb_option report_options[] = {
	{ "json", 'j', NULL, "JSON lines instead of text" },
	{ "debug-dir", K_DEBUG_DIR, "DIR", "name user frames, and give their source lines, from the debug files under DIR/.build-id/ (the recording host's files may have been stripped)" },
	{ "no-demangle", K_NO_DEMANGLE, NULL, "C++ names as mangled (frames named with --debug-dir)" },
	{ "no-lines", K_NO_LINES, NULL, "no source lines from --debug-dir's files (the recorded ones stay)" },
	{ 0 }
};

static int report_parse(int key, const char *arg)
{
	if (key == 'j')
		bb_opts.json = true;
	else if (key == K_DEBUG_DIR)
		bb_elf_set_debug_dir(debug_dir = arg);	/* dwz alt files are there too */
	else if (key == K_NO_DEMANGLE)
		bb_opts.no_demangle = true;
	else if (key == K_NO_LINES)
		bb_opts.no_lines = true;
	return 0;
}

static int report_main(int argc, char **argv)
{
	if (argc != 1)
		bb_die("give exactly one record file (see report --help)");
	return bb_report_file(argv[0]);
}

BB_APPLET(report,
	.name = "report",
	.summary = "print a record file written by an applet's -w",
	.usage = "FILE",
	.description = "Examples:\n  dropwatch -w drops.bbr --duration 60; bpfbox report drops.bbr\n"
		       "  bpfbox report --debug-dir ./debug leaks.bbr    names from debug files by build-id\n",
	.options = report_options,
	.parse = report_parse,
	.permute = true,
	.main = report_main,
);
