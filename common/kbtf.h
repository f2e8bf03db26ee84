/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A few names looked up in raw BTF bytes, without parsing the whole of it:
 * the running kernel's BTF is ~5 MB and libbpf parses it once more when it
 * loads our programs.  Where sysfs lets us map it (Linux 6.16+), finding an
 * enum or a struct by name is one walk over the mapped types, no copy
 * (before that, over one read buffer: still no index, no checks of every
 * type, half the memory).
 */
#ifndef BB_KBTF_H
#define BB_KBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>

struct btf;

/* Checked views of a BTF image's type and string sections. */
struct bb_rawbtf {
	const unsigned char *types;
	const char *strs;
	uint32_t types_len, strs_len;
};

/* 0 if @data looks like native-endian raw BTF (bounds checked), else -1. */
int bb_rawbtf_init(struct bb_rawbtf *b, const void *data, size_t size);
/* The first type of @kind named @name, its members within bounds; or NULL. */
const struct btf_type *bb_rawbtf_find(const struct bb_rawbtf *b, const char *name, int kind);
/* The string at @off, NUL-terminated within the section; or NULL. */
const char *bb_rawbtf_str(const struct bb_rawbtf *b, uint32_t off);

/* The running kernel's BTF: mapped (6.16+), else read; NULL with --btf or
 * when it cannot be had: then use bb_kernel_btf(). */
const struct bb_rawbtf *bb_kernel_rawbtf(void);

/* A type of the running kernel, from the mapped BTF or libbpf's parse of it. */
struct bb_ktype {
	const struct btf_type *t;	/* its members follow it */
	const struct bb_rawbtf *raw;	/* names from here, */
	const struct btf *btf;		/* or from here */
};

/* Finds the type of @kind named @name; false if the kernel has none. */
bool bb_ktype_find(struct bb_ktype *kt, const char *name, int kind);
/* A name of the type or of one of its members ("" if out of range). */
const char *bb_ktype_str(const struct bb_ktype *kt, uint32_t off);

#endif
