/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF objects are embedded gzip-compressed (the Makefile rewrites each
 * skeleton's X__elf_bytes()): BTF and line info make them 140-170 KB each,
 * 30 KB compressed, and every applet carries one.
 */
#ifndef BB_BPFOBJ_H
#define BB_BPFOBJ_H

#include <stddef.h>

/* The object inflated (once; it stays for the life of the process). */
const void *bb_bpf_inflate(const unsigned char *gz, size_t len, size_t *size);

#endif
