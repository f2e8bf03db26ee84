// SPDX-License-Identifier: GPL-2.0
/* Record files: see record.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include "bpfbox.h"
#include "../bpf/bb_shared.h"
#include "agg.h"
#include "ksyms.h"
#include "loader.h"
#include "outfile.h"
#include "record.h"
#include "usyms.h"
#include "ustack.h"

#define WRITE_BUFFER (1 << 20)
#define MAX_RECORD (64 << 20)	/* larger lengths mean a corrupt file */

static FILE *rec_file;
static void write_all_names(void);
static void write_ksym(const struct bb_ksym *s);
static const char *rec_path;
static char *rec_buf;

bool bb_recording(void)
{
	return rec_file != NULL;
}

static void write_or_die(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, rec_file) != n)
		bb_die("writing %s: %s", rec_path, strerror(errno));
}

void bb_record_open(const char *path, uint32_t flags)
{
	struct bb_file_header h = { .version = BB_REC_VERSION, .header_size = sizeof(h) };
	struct utsname u;

	rec_file = bb_create_output_file(path);
	rec_path = path;
	rec_buf = bb_xcalloc(1, WRITE_BUFFER);
	setvbuf(rec_file, rec_buf, _IOFBF, WRITE_BUFFER);
	memcpy(h.magic, BB_REC_MAGIC, sizeof(h.magic));
	snprintf(h.applet, sizeof(h.applet), "%s", bb_current->name);
	if (!uname(&u)) {
		snprintf(h.release, sizeof(h.release), "%s", u.release);
		snprintf(h.hostname, sizeof(h.hostname), "%s", u.nodename);
	}
	h.boot_wall_ns = bb_boot_wall_ns();
	h.start_ns = bb_now_ns(CLOCK_BOOTTIME);
	h.flags = flags;
	write_or_die(&h, sizeof(h));
	write_all_names();
	/* Each symbol goes in before the first record that needs it, so even a
	 * recording that was killed can be symbolized. */
	bb_kernel_syms_track(write_ksym);
	/* The header at once: a recording killed at any time is a record file. */
	bb_flush_outputs();
}

void bb_record_write(enum bb_rec_type type, const void *a, size_t alen,
		     const void *b, size_t blen)
{
	struct bb_rec_hdr rh = { .type = type, .len = alen + blen };

	write_or_die(&rh, sizeof(rh));
	write_or_die(a, alen);
	write_or_die(b, blen);
}

/* Stacks: the live map, or what a file brought (report). */
struct stack_entry {
	int32_t id;
	int nr;
	uint64_t *frames;
};

static int stack_map_fd = -1;
static struct bb_usyms **stack_user_syms;	/* user stacks: their process */
static struct stack_entry *file_stacks;
static size_t nr_file_stacks, cap_file_stacks;
static bool file_stacks_sorted;

void bb_stacks_use_map(int map_fd, struct bb_usyms **user)
{
	stack_map_fd = map_fd;
	stack_user_syms = user;
	if (user && *user)
		bb_ustack_track(*user);	/* a running process (-p): its rows now */
}

void bb_stacks_add(int32_t id, const uint64_t *frames, int nr)
{
	struct stack_entry *e;

	if (nr_file_stacks == cap_file_stacks) {
		cap_file_stacks = cap_file_stacks ? 2 * cap_file_stacks : 64;
		file_stacks = bb_xrealloc(file_stacks, cap_file_stacks, sizeof(*file_stacks));
	}
	e = &file_stacks[nr_file_stacks++];
	file_stacks_sorted = false;
	e->id = id;
	e->nr = nr;
	e->frames = bb_xcalloc(nr, sizeof(*frames));
	memcpy(e->frames, frames, nr * sizeof(*frames));
}

static int cmp_stack_id(const void *a, const void *b)
{
	int32_t x = ((const struct stack_entry *)a)->id, y = ((const struct stack_entry *)b)->id;

	return (x > y) - (x < y);
}

int bb_stack_frames(int32_t id, uint64_t *frames, int max)
{
	uint64_t buf[BB_MAX_STACK] = {};
	struct stack_entry key = { .id = id }, *e;
	int n;

	if (id < 0)
		return 0;
	/* (Not in the map: one the applet added, memleak's in-process engine.) */
	if (stack_map_fd >= 0 && !bpf_map_lookup_elem(stack_map_fd, &id, buf)) {
		for (n = 0; n < BB_MAX_STACK && n < max && buf[n]; n++)
			frames[n] = buf[n];
		if (stack_user_syms)
			bb_usyms_blame(*stack_user_syms, frames, n);
		return n;
	}
	if (!nr_file_stacks)
		return 0;	/* (qsort and bsearch of NULL are undefined, even empty) */
	/* A report looks up every row's stack: sorted once, then searched. */
	if (!file_stacks_sorted) {
		qsort(file_stacks, nr_file_stacks, sizeof(*file_stacks), cmp_stack_id);
		file_stacks_sorted = true;
	}
	e = bsearch(&key, file_stacks, nr_file_stacks, sizeof(*file_stacks), cmp_stack_id);
	if (!e)
		return 0;
	n = e->nr < max ? e->nr : max;
	memcpy(frames, e->frames, n * sizeof(*frames));
	return n;
}

/* Every stack the map holds goes into the file, with its symbols. */
static void record_stacks(void)
{
	uint64_t frames[BB_MAX_STACK];
	uint32_t hdr[2];
	int32_t id, *prev = NULL;
	int n, i;

	if (stack_map_fd < 0)
		return;
	while (!bpf_map_get_next_key(stack_map_fd, prev, &id)) {
		prev = &id;
		n = bb_stack_frames(id, frames, BB_MAX_STACK);
		if (stack_user_syms)
			bb_usym_record_stack(*stack_user_syms, frames, n);
		else
			for (i = 0; i < n; i++)
				bb_ksym_mark(frames[i]);
		hdr[0] = id;
		hdr[1] = n;
		bb_record_write(BB_REC_STACK, hdr, sizeof(hdr), frames, n * sizeof(frames[0]));
	}
	/* And those the applet added beside the map's. */
	for (i = 0; i < (int)nr_file_stacks; i++) {
		const struct stack_entry *e = &file_stacks[i];

		if (stack_user_syms)
			bb_usym_record_stack(*stack_user_syms, e->frames, e->nr);
		hdr[0] = e->id;
		hdr[1] = e->nr;
		bb_record_write(BB_REC_STACK, hdr, sizeof(hdr), e->frames,
				e->nr * sizeof(e->frames[0]));
	}
}

static void write_ksym(const struct bb_ksym *s)
{
	const char *mod = s->module ? s->module : "";
	size_t nl = strlen(s->name) + 1, ml = strlen(mod) + 1;
	char buf[512];

	if (8 + nl + ml > sizeof(buf))
		return;
	memcpy(buf, &s->addr, 8);
	memcpy(buf + 8, s->name, nl);
	memcpy(buf + 8 + nl, mod, ml);
	bb_record_write(BB_REC_KSYM, buf, 8 + nl + ml, NULL, 0);
}

void bb_record_close(const void *lost, size_t lost_len)
{
	if (!rec_file)
		return;
	record_stacks();
	bb_kernel_syms_track(NULL);
	if (lost)
		bb_record_write(BB_REC_LOST, lost, lost_len, NULL, 0);
	bb_close_output_file(rec_file, rec_path);
	rec_file = NULL;
	free(rec_buf);
}

static int fail(char *err, size_t errlen, const char *fmt, long long off)
{
	snprintf(err, errlen, fmt, off);
	return -1;
}

static int read_header(FILE *f, struct bb_file_header *h, char *err, size_t errlen)
{
	size_t n = fread(h, 1, sizeof(*h), f);

	if (n == 0)
		return fail(err, errlen, "empty file (nothing was recorded)%.0lld", 0);
	if (n < sizeof(h->magic) || memcmp(h->magic, BB_REC_MAGIC, sizeof(h->magic)))
		return fail(err, errlen, "not a bpfbox record file (bad magic)%.0lld", 0);
	if (n < sizeof(*h))
		return fail(err, errlen, "truncated header (%lld bytes)", n);
	if (h->version != BB_REC_VERSION)
		return fail(err, errlen, "record format version %lld is not supported",
			    h->version);
	if (h->header_size < sizeof(*h) || h->header_size > 4096)
		return fail(err, errlen, "corrupt header (size %lld)", h->header_size);
	h->applet[sizeof(h->applet) - 1] = 0;
	h->release[sizeof(h->release) - 1] = 0;
	h->hostname[sizeof(h->hostname) - 1] = 0;
	for (n = sizeof(*h); n < h->header_size; n++)	/* a later, longer header */
		if (getc(f) == EOF)
			return fail(err, errlen, "truncated header (%lld bytes)", n);
	return 0;
}

/* ---- checking records: each field, once, as it is decoded ---- */

/* Loss counts beyond this cannot have happened (2^48 events: years of a
 * flood); a file saying so is corrupt, not alarming. */
#define MAX_PLAUSIBLE_COUNT (1ULL << 48)

static bool ends_in_nul(const char *p, uint32_t len)
{
	return len && !p[len - 1];
}

static const char *check_event(const struct bb_applet *app, void *data, uint32_t len)
{
	const struct bb_rec_shape *sh = app ? app->event_shape : NULL;
	size_t i;

	if (!sh)
		return "an event of an applet that has no event shape";
	if (len < sh->min_len || len > sh->max_len)
		return "event of a wrong length";
	for (i = 0; i < ARRAY_SIZE(sh->strings) && sh->strings[i].len; i++) {
		if (sh->strings[i].off + sh->strings[i].len > len)
			return "event too short for its strings";
		bb_rec_terminate((char *)data + sh->strings[i].off, sh->strings[i].len);
	}
	return sh->check ? sh->check(data, len) : NULL;
}

static const char *check_agg_row(const struct bb_applet *app, const void *data, uint32_t len)
{
	struct bb_agg_row_hdr rh;
	size_t vsize;

	if (len < sizeof(rh))
		return "aggregation row too short";
	memcpy(&rh, data, sizeof(rh));
	if (!app || !app->print_table || !rh.key_size ||
	    (rh.key_size != app->agg_key_sizes[0] && rh.key_size != app->agg_key_sizes[1]))
		return "aggregation key of a wrong size";
	if (rh.hist > 1)
		return "aggregation row of an unknown kind";
	vsize = rh.hist ? sizeof(struct bb_agg_hval) : sizeof(struct bb_agg_val);
	return len == sizeof(rh) + rh.key_size + vsize ? NULL : "aggregation row of a wrong length";
}

static const char *check_lost(const void *data, uint32_t len)
{
	unsigned long long v[sizeof(struct bb_lost_report) / sizeof(unsigned long long)];
	size_t i;

	if (len != sizeof(v))
		return "loss counts of a wrong length";
	memcpy(v, data, sizeof(v));
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (v[i] > MAX_PLAUSIBLE_COUNT)
			return "implausible loss count";
	return NULL;
}

static const char *check_stack(const void *data, uint32_t len)
{
	uint32_t h[2];

	if (len < sizeof(h))
		return "stack too short";
	memcpy(h, data, sizeof(h));
	if (h[1] > BB_MAX_STACK || len != sizeof(h) + h[1] * sizeof(uint64_t))
		return "stack of a wrong length";
	return NULL;
}

/* A u64 address, then one string (USYM) or two (KSYM: name, module). */
static const char *check_symbol(const char *p, uint32_t len, uint32_t strings)
{
	if (len < 8 + strings || !ends_in_nul(p, len))
		return "symbol not terminated";
	if (strings == 2 && !memchr(p + 8, 0, len - 9))
		return "symbol without its module";
	return NULL;
}

const char *bb_record_check(const struct bb_applet *app, enum bb_rec_type type, void *data,
			    uint32_t len)
{
	switch (type) {
	case BB_REC_EVENT:
		return check_event(app, data, len);
	case BB_REC_AGG_ROW:
		return check_agg_row(app, data, len);
	case BB_REC_AGG_END:
		return len >= 9 && ((unsigned char *)data)[8] <= 1 ? NULL : "bad end of a table";
	case BB_REC_KSYM:
		return check_symbol(data, len, 2);
	case BB_REC_NAME:
		return len >= 13 && ends_in_nul(data, len) ? NULL : "name not terminated";
	case BB_REC_LOST:
		return check_lost(data, len);
	case BB_REC_STACK:
		return check_stack(data, len);
	case BB_REC_USYM:
		return check_symbol(data, len, 1);
	case BB_REC_UFRAME:	/* u64 address, link-time address, offset; build-id */
		return len > 24 && len <= 24 + 64 ? NULL : "frame id of a wrong length";
	default:
		return "unknown record type";
	}
}

int bb_record_read(FILE *f, struct bb_file_header *hdr, bb_record_fn fn, void *ctx,
		   char *err, size_t errlen)
{
	struct bb_rec_hdr rh;
	struct bb_record rec = { .hdr = hdr };
	const struct bb_applet *app;
	const char *why;
	void *buf = NULL;
	size_t cap = 0, n;
	long long off;
	int ret = 0;

	if (read_header(f, hdr, err, errlen)) {
		memset(hdr, 0, sizeof(*hdr));	/* nothing of it can be trusted */
		return -1;
	}
	app = bb_find_applet(hdr->applet);
	for (off = hdr->header_size;; off += sizeof(rh) + rh.len) {
		n = fread(&rh, 1, sizeof(rh), f);
		if (n == 0)
			break;
		if (n < sizeof(rh) || rh.len > MAX_RECORD) {
			ret = fail(err, errlen, n < sizeof(rh)
				   ? "truncated record header at byte %lld (was the recording killed?)"
				   : "corrupt record at byte %lld", off);
			break;
		}
		if (rh.len > cap) {
			cap = rh.len;
			buf = bb_xrealloc(buf, cap, 1);
		}
		if (fread(buf, 1, rh.len, f) != rh.len) {
			ret = fail(err, errlen,
				   "truncated record at byte %lld (was the recording killed?)", off);
			break;
		}
		if (!rh.type || rh.type >= BB_REC_NR) {
			ret = fail(err, errlen, "unknown record type at byte %lld", off);
			break;
		}
		why = bb_record_check(app, rh.type, buf, rh.len);
		if (why) {
			snprintf(err, errlen, "corrupt record at byte %lld: %s", off, why);
			ret = -1;
			break;
		}
		rec.type = rh.type;
		rec.data = buf;
		rec.len = rh.len;
		fn(&rec, ctx);
	}
	free(buf);
	return ret;
}

/*
 * User-space frames, recorded as the text they printed as: the process
 * (and its files) may be gone when the file is read.
 */
struct usym_text {
	uint64_t addr;		/* 0: an empty slot (no frame is at address 0) */
	char *text;
};

/* Open addressing by address: a recording names every frame of thousands
 * of stacks, and each is looked up before it is written. */
static struct usym_text *usym_texts;
static size_t nr_usym_texts, cap_usym_texts;	/* cap: a power of two */

static size_t usym_slot(uint64_t addr)
{
	size_t mask = cap_usym_texts - 1, i = (addr * 0x9e3779b97f4a7c15ULL >> 20) & mask;

	while (usym_texts[i].addr && usym_texts[i].addr != addr)
		i = (i + 1) & mask;
	return i;
}

static struct usym_text *find_usym(uint64_t addr)
{
	struct usym_text *u;

	if (!cap_usym_texts || !addr)
		return NULL;
	u = &usym_texts[usym_slot(addr)];
	return u->addr ? u : NULL;
}

static void grow_usyms(void)
{
	struct usym_text *old = usym_texts;
	size_t i, old_cap = cap_usym_texts;

	cap_usym_texts = old_cap ? old_cap * 2 : 1024;
	usym_texts = bb_xcalloc(cap_usym_texts, sizeof(*usym_texts));
	for (i = 0; i < old_cap; i++)
		if (old[i].addr)
			usym_texts[usym_slot(old[i].addr)] = old[i];
	free(old);
}

/* True when @addr was new (and is added). */
static bool add_usym(uint64_t addr, const char *text)
{
	struct usym_text *u;

	if (!addr)
		return false;
	if (2 * (nr_usym_texts + 1) > cap_usym_texts)
		grow_usyms();
	u = &usym_texts[usym_slot(addr)];
	if (u->addr)
		return false;
	*u = (struct usym_text){ addr, bb_xstrdup(text) };
	nr_usym_texts++;
	return true;
}

void bb_usym_add(uint64_t addr, const char *text)
{
	add_usym(addr, text);
}

void bb_usym_set(uint64_t addr, const char *text)
{
	struct usym_text *u = find_usym(addr);

	if (!u) {
		add_usym(addr, text);
		return;
	}
	free(u->text);
	u->text = bb_xstrdup(text);
}

/* With the text, what names the frame on another machine (report
 * --debug-dir): its file's build-id, link-time address and file offset. */
static void record_frame_id(struct bb_usyms *syms, uint64_t addr)
{
	struct bb_usym_id id;
	uint64_t v[3];

	if (bb_usyms_frame_id(syms, addr, &id))
		return;
	v[0] = addr;
	v[1] = id.vaddr;
	v[2] = id.file_offset;
	bb_record_write(BB_REC_UFRAME, v, sizeof(v), id.build_id, id.build_id_len);
}

const char *bb_usym_get(uint64_t addr)
{
	struct usym_text *u = find_usym(addr);

	return u ? u->text : NULL;
}

void bb_usym_record(uint64_t addr, const char *text)
{
	if (rec_file && add_usym(addr, text))
		bb_record_write(BB_REC_USYM, &addr, sizeof(addr), text, strlen(text) + 1);
}

void bb_usym_format(struct bb_usyms *syms, uint64_t addr, char *buf, size_t len)
{
	const char *text = bb_usym_get(addr);

	if (addr == BB_FRAME_TRUNCATED)
		snprintf(buf, len, "[...]");
	else if (text)
		snprintf(buf, len, "%s", text);
	else if (syms)
		bb_usyms_format(syms, addr, buf, len);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

void bb_usym_record_stack(struct bb_usyms *syms, const uint64_t *frames, size_t n)
{
	char text[BB_FRAME_TEXT];
	size_t i;

	for (i = 0; i < n; i++) {
		if (find_usym(frames[i]))
			continue;	/* named already */
		bb_usym_format(syms, frames[i], text, sizeof(text));
		bb_usym_record(frames[i], text);
		if (rec_file && frames[i] != BB_FRAME_TRUNCATED)
			record_frame_id(syms, frames[i]);
	}
}

/* Enum names: a few hundred from a live kernel, any number from a file
 * (report): a hash of (table, value) finds each in constant time. */
struct name_entry {
	uint32_t table;
	uint64_t value;
	char *name;
};

static struct name_entry *names;	/* in the order they came */
static size_t nr_names, cap_names;
static uint32_t *name_slots;		/* index + 1 into names; 0: empty */
static size_t cap_name_slots;		/* a power of two, at least twice nr_names */

static size_t name_hash(uint32_t table, uint64_t value)
{
	return ((value ^ ((uint64_t)table << 40)) * 0x9e3779b97f4a7c15ULL) >> 17;
}

/* The slot of (table, value): its entry's, or the empty one to put it in. */
static uint32_t *name_slot(uint32_t table, uint64_t value)
{
	size_t mask = cap_name_slots - 1, i = name_hash(table, value) & mask;

	while (name_slots[i]) {
		const struct name_entry *e = &names[name_slots[i] - 1];

		if (e->table == table && e->value == value)
			break;
		i = (i + 1) & mask;
	}
	return &name_slots[i];
}

static void grow_name_slots(void)
{
	size_t i;

	free(name_slots);
	cap_name_slots = cap_name_slots ? 2 * cap_name_slots : 256;
	name_slots = bb_xcalloc(cap_name_slots, sizeof(*name_slots));
	for (i = 0; i < nr_names; i++)
		*name_slot(names[i].table, names[i].value) = i + 1;
}

static void write_name(const struct name_entry *e)
{
	char buf[256];
	size_t len = strlen(e->name) + 1;

	if (len > sizeof(buf) - 12)
		len = sizeof(buf) - 12;
	memcpy(buf, &e->table, 4);
	memcpy(buf + 4, &e->value, 8);
	memcpy(buf + 12, e->name, len);
	buf[12 + len - 1] = 0;
	bb_record_write(BB_REC_NAME, buf, 12 + len, NULL, 0);
}

/* Names known before the file was opened go in right after the header. */
static void write_all_names(void)
{
	size_t i;

	for (i = 0; i < nr_names; i++)
		write_name(&names[i]);
}

void bb_names_add(uint32_t table, uint64_t value, const char *name)
{
	uint32_t *slot;

	if (2 * (nr_names + 1) > cap_name_slots)
		grow_name_slots();
	slot = name_slot(table, value);
	if (*slot)
		return;		/* the first one wins */
	if (nr_names == cap_names) {
		cap_names = cap_names ? 2 * cap_names : 64;
		names = bb_xrealloc(names, cap_names, sizeof(*names));
	}
	names[nr_names++] = (struct name_entry){ table, value, bb_xstrdup(name) };
	*slot = nr_names;
	if (rec_file)
		write_name(&names[nr_names - 1]);
}

const char *bb_names_get(uint32_t table, uint64_t value)
{
	uint32_t *slot;

	if (!cap_name_slots)
		return NULL;
	slot = name_slot(table, value);
	return *slot ? names[*slot - 1].name : NULL;
}

/* By name: only --reason's few look-ups, once each. */
int bb_names_find(uint32_t table, const char *name, uint64_t *value)
{
	size_t i;

	for (i = 0; i < nr_names; i++)
		if (names[i].table == table && !strcmp(names[i].name, name)) {
			*value = names[i].value;
			return 0;
		}
	return -1;
}

void bb_names_clear(void)
{
	size_t i;

	for (i = 0; i < nr_names; i++)
		free(names[i].name);
	free(names);
	free(name_slots);
	names = NULL;
	name_slots = NULL;
	nr_names = cap_names = cap_name_slots = 0;
}
