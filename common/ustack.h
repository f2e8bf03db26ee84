/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unwinding user stacks in the kernel without frame pointers: this side
 * fills the BPF maps the walker in bpf/bpfbox.bpf.h reads (bb_unwind_*):
 * each ELF file's unwind rows (common/unwind.h) once, however many
 * processes map it, and per traced process its executable mappings with
 * the file each holds.  A file whose rows do not fit (or that has none)
 * is walked through its frame pointers.
 *
 * The loader sizes the maps for applets that take user stacks
 * (bb_ustack_size before the load, bb_ustack_use after); record.c
 * (bb_stacks_use_map) and target.c (the start of a command, a refresh)
 * call bb_ustack_track().  Without bb_ustack_use() every call is a no-op.
 */
#ifndef BB_USTACK_H
#define BB_USTACK_H

#include <stdbool.h>
#include <stdint.h>

struct bpf_object;
struct bb_usyms;

/* Before the load: the unwind maps at their working size. */
void bb_ustack_size(struct bpf_object *obj);
/* After the load: where to write. */
void bb_ustack_use(struct bpf_object *obj);
/* The process @u describes (its maps as last read) into the kernel's
 * tables: rows of files not seen before, then its mapping table. */
void bb_ustack_track(struct bb_usyms *u);
/* Frames the walker found in no known mapping (a dlopen since the last
 * bb_ustack_track), summed over CPUs. */
uint64_t bb_ustack_unmapped(void);

#endif
