/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Record files (-w FILE): a header saying who wrote it where, then
 * length-prefixed records.  Kernel symbols and enum names the records
 * refer to travel in the file, so it can be read on another machine.
 */
#ifndef BB_RECORD_H
#define BB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BB_REC_MAGIC "BPFBOX\0R"
#define BB_REC_VERSION 1

struct bb_file_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	char applet[32];
	char release[65];	/* uname -r of the recording kernel */
	char hostname[65];
	uint16_t pad;
	uint64_t boot_wall_ns;	/* CLOCK_REALTIME at boot: event times to wall time */
	uint64_t start_ns;	/* CLOCK_BOOTTIME when recording began */
	uint32_t flags;		/* the applet's (mode bits) */
	uint32_t pad2;
};

enum bb_rec_type {
	BB_REC_EVENT = 1,	/* an event as the kernel sent it */
	BB_REC_AGG_ROW,		/* key bytes + struct bb_agg_val (+ histogram) */
	BB_REC_AGG_END,		/* end of one interval's table: u64 time, u8 final */
	BB_REC_KSYM,		/* u64 address, name\0, module\0 */
	BB_REC_NAME,		/* u32 table, u64 value, name\0 */
	BB_REC_LOST,		/* struct bb_lost_report */
	BB_REC_STACK,		/* u32 id, u32 nr, u64 frames[nr] */
	BB_REC_USYM,		/* u64 address, text\0: a user frame as printed */
	BB_REC_UFRAME,		/* u64 address, u64 link-time address, u64 file offset,
				 * build-id bytes: what names a user frame anywhere */
	BB_REC_NR,
};

struct bb_rec_hdr {
	uint16_t type;
	uint16_t flags;
	uint32_t len;		/* payload bytes after this header */
};

struct bb_record {
	enum bb_rec_type type;
	const void *data;
	uint32_t len;
	const struct bb_file_header *hdr;
};

/*
 * What an applet's events may hold in a record file (struct bb_applet's
 * event_shape).  The reader checks every record once, when it decodes it
 * (bb_record_read), so that the printers, live or in `report`, can read
 * every byte and every string the shape promises without checking again:
 * a length outside [min_len, max_len], or a field check failing, makes the
 * file corrupt at that record.  The strings listed are NUL-terminated in
 * place (their last byte) before the check runs.
 */
struct bb_rec_string {
	uint16_t off, len;		/* a char array of the event; len 0 ends */
};

struct bb_rec_shape {
	uint32_t min_len, max_len;
	struct bb_rec_string strings[4];
	/* Checks beyond the length: NULL when good, else what is wrong.  May
	 * terminate strings of variable position (bb_rec_terminate). */
	const char *(*check)(void *data, size_t len);
};

/* Ends the char array @s of @len bytes with a NUL (a record's string). */
static inline void bb_rec_terminate(char *s, size_t len)
{
	if (len)
		s[len - 1] = 0;
}

/* Writing.  One file per process; writes are buffered in large blocks. */
void bb_record_open(const char *path, uint32_t flags);
bool bb_recording(void);
void bb_record_write(enum bb_rec_type type, const void *a, size_t alen,
		     const void *b, size_t blen);
/* Appends symbols, names, losses; flushes and closes. */
void bb_record_close(const void *lost, size_t lost_len);

/* Reading.  Checks each record (see struct bb_rec_shape) and calls fn for
 * every good one; stops at the first bad one, or where the file was cut (a
 * killed recording: every whole record before is delivered).  Returns 0,
 * or -1 with *err set. */
typedef void (*bb_record_fn)(const struct bb_record *rec, void *ctx);
int bb_record_read(FILE *f, struct bb_file_header *hdr, bb_record_fn fn, void *ctx,
		   char *err, size_t errlen);
/* The check alone: NULL when @rec (its data writable) may be printed by
 * @app's printers, else what is wrong.  Terminates the strings. */
struct bb_applet;
const char *bb_record_check(const struct bb_applet *app, enum bb_rec_type type, void *data,
			    uint32_t len);

/* Stacks by id: from the BPF stack map while live, from the file later.
 * @user: the process whose user stacks these are (its symbols then, in a
 * record file, are the frames' texts), or NULL for kernel stacks. */
struct bb_usyms;
void bb_stacks_use_map(int map_fd, struct bb_usyms **user);
int bb_stack_frames(int32_t id, uint64_t *frames, int max);	/* count */
void bb_stacks_add(int32_t id, const uint64_t *frames, int nr);

/* User frames as text: bb_usym_record() writes one (once per address)
 * while recording; report adds them back with bb_usym_add(). */
void bb_usym_record(uint64_t addr, const char *text);
void bb_usym_add(uint64_t addr, const char *text);
/* Replaces (or adds) the text of a frame: report --debug-dir. */
void bb_usym_set(uint64_t addr, const char *text);
const char *bb_usym_get(uint64_t addr);
struct bb_usyms;
/* A user frame as text: what the file recorded, else from @syms (live),
 * else the bare address. */
void bb_usym_format(struct bb_usyms *syms, uint64_t addr, char *buf, size_t len);
/* While recording: every frame of a stack goes into the file as text. */
void bb_usym_record_stack(struct bb_usyms *syms, const uint64_t *frames, size_t n);

/* Names of kernel enum values (drop reasons...), by table. */
void bb_names_add(uint32_t table, uint64_t value, const char *name);
const char *bb_names_get(uint32_t table, uint64_t value);
int bb_names_find(uint32_t table, const char *name, uint64_t *value);	/* 0 or -1 */
void bb_names_clear(void);

#endif
