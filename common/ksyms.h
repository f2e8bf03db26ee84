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

/* Remember which symbols were printed, so a record file can carry them. */
void bb_ksyms_track(struct bb_ksyms *ks, bool on);
/* Calls fn for each symbol used since tracking began. */
void bb_ksyms_each_used(const struct bb_ksyms *ks,
			void (*fn)(const struct bb_ksym *sym, void *ctx), void *ctx);

/* Marks the symbol covering @addr in the running kernel's table as used. */
void bb_ksym_mark(uint64_t addr);

/* The running kernel's symbols, loaded on first use (or NULL). */
struct bb_ksyms *bb_kernel_syms(void);
/* Replace what bb_kernel_syms() returns (report: the file's symbols). */
void bb_kernel_syms_set(struct bb_ksyms *ks);

#endif
