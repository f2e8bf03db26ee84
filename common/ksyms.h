/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbolizer: /proc/kallsyms (or the symbols a record file carries)
 * in one sorted array, looked up by binary search for the greatest symbol
 * address not above the one asked for.  The user-space symbolizer has the
 * same shape: load once, look up many times, format as `sym+0xoff`.
 */
#ifndef BB_KSYMS_H
#define BB_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bb_ksym {
	uint64_t addr;
	const char *name;
	const char *module;	/* NULL for the kernel image */
};

struct bb_ksyms;

/* Parse a kallsyms-format file; NULL (errno set) when it cannot be read. */
struct bb_ksyms *bb_ksyms_load(const char *path);
struct bb_ksyms *bb_ksyms_new(void);
void bb_ksyms_add(struct bb_ksyms *ks, uint64_t addr, const char *name, const char *module);
void bb_ksyms_sort(struct bb_ksyms *ks);
void bb_ksyms_free(struct bb_ksyms *ks);

size_t bb_ksyms_count(const struct bb_ksyms *ks);
/* All addresses read as zero: kptr_restrict hides them from us. */
bool bb_ksyms_restricted(const struct bb_ksyms *ks);
const struct bb_ksym *bb_ksyms_lookup(const struct bb_ksyms *ks, uint64_t addr);
/* "sym+0xoff", "sym+0xoff [mod]", or "0xaddr" when nothing covers it. */
void bb_ksyms_format(const struct bb_ksyms *ks, uint64_t addr, char *buf, size_t len);

/* Calls @fn the first time each symbol is looked up (NULL: stop), so a
 * record file can carry the symbols its records use. */
void bb_ksyms_track(struct bb_ksyms *ks, void (*fn)(const struct bb_ksym *sym));

/* Looks up @addr in the running kernel's table (for tracking's sake). */
void bb_ksym_mark(uint64_t addr);
/* Track the running kernel's symbols (now, or once they are loaded). */
void bb_kernel_syms_track(void (*fn)(const struct bb_ksym *sym));

/* The running kernel's symbols, loaded on first use (or NULL). */
struct bb_ksyms *bb_kernel_syms(void);
/* Replace what bb_kernel_syms() returns (report: the file's symbols). */
void bb_kernel_syms_set(struct bb_ksyms *ks);

#endif
