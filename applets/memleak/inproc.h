/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memleak's in-process engine, bpfbox's side: the preloaded object
 * (preload/mlpreload.c, carried compressed) in a memfd, the tables it
 * shares with bpfbox (shm.h), and reading them back for the reports.
 */
#ifndef ML_INPROC_H
#define ML_INPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "shm.h"

/* What a program file is to the dynamic linker (ml_program_kind). */
enum ml_program {
	ML_PROG_UNKNOWN,	/* unreadable, not ELF */
	ML_PROG_STATIC,		/* no interpreter */
	ML_PROG_GLIBC,		/* dynamic, glibc's ld-linux */
	ML_PROG_OTHER,		/* dynamic, another libc's loader (musl's) */
};

/* Pure: the PT_INTERP of the ELF image whose first @len bytes are @buf
 * into @out (""): 1 dynamic, 0 static, -1 not a 64-bit ELF (or cut). */
int ml_elf_interp(const unsigned char *buf, size_t len, char *out, size_t outlen);
/* Pure: an interpreter path's kind (glibc's ld-linux*, or other). */
enum ml_program ml_interp_kind(const char *interp);
/* The file @path (a #! script: its interpreter, a few levels deep). */
enum ml_program ml_program_kind(const char *path);
/* @name as execvp would find it (PATH), into @out; false if not found. */
bool ml_find_program(const char *name, char *out, size_t len);

/* The tables and the object's memfd, and LD_PRELOAD + ML_SHM_ENV in our
 * environment for a command started after (it inherits both).  False,
 * with errno, when it cannot be done. */
bool ml_inproc_prepare(uint32_t max_allocs, uint64_t min_size, uint64_t max_size,
		       uint32_t sample_every);
/* What another process opens to reach the object, the tables and the
 * eventfd (--engine inject: /proc/<bpfbox>/fd/N), once prepared. */
void ml_inproc_paths(char *so, char *table, char *event, size_t len);
/* Process @pid (stopped at an exec) is followed from now on: the tables
 * cleared (an earlier image's blocks went with it).  0: nobody. */
void ml_inproc_follow(int pid);
int ml_inproc_pid(void);
/* The followed process's executable mappings (@u: its map as last read)
 * and their files' unwind rows, for the object's walker. */
struct bb_usyms;
void ml_inproc_set_maps(struct bb_usyms *u);
/* The eventfd the object writes to when it meets code in no mapping
 * described (poll it; ml_inproc_drain, then ml_inproc_set_maps). */
int ml_inproc_event_fd(void);
void ml_inproc_drain(void);
/* Stacks the object walked by the rows, and by libgcc's unwinder. */
void ml_inproc_walks(uint64_t *by_rows, uint64_t *by_libgcc);
/* Where the tables are mapped in the followed process ([*start, *end)). */
void ml_inproc_extent(uint64_t *start, uint64_t *end);
/* The object's constructor ran in @pid (it was loaded). */
bool ml_inproc_loaded(int pid);
/* Every live allocation, and every stack with something outstanding
 * (the id handed to the report: ML_SHM_STACK_BASE + slot). */
void ml_inproc_each_alloc(void (*fn)(void *ctx, const struct ml_shm_alloc *a), void *ctx);
void ml_inproc_each_stack(void (*fn)(void *ctx, int32_t id, const struct ml_shm_stack *s),
			  void *ctx);
/* Calls not followed: table full (@allocs, with calls made from inside
 * the engine) and stacks not kept. */
void ml_inproc_lost(uint64_t *allocs, uint64_t *stacks);
/* The compressed object's size (for --help's notes and the tests). */
size_t ml_inproc_object_size(void);

#endif
