/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space symbolizer: one process's address space, read from
 * /proc/PID/maps, turned into `function+0xoff (module)`.  The same shape as
 * the kernel's (ksyms.h): sorted tables, greatest lower bound, but one table
 * per mapped ELF file (elfsyms.h), shared between processes by inode and
 * read only when a lookup first needs it.
 *
 * bb_usyms_open() keeps a descriptor on every mapped ELF file (through
 * /proc/PID/map_files/, else /proc/PID/exe or the path under
 * /proc/PID/root checked against the inode in the map) and a copy of the
 * vdso, so that the process may exit, or its files be deleted or replaced,
 * and its addresses still be symbolized later.  A file that cannot be read
 * gives `module+0xoff`; an address in no mapping, `0x...`.
 *
 * Strings returned stay valid until bb_usyms_close().  Not thread-safe.
 */
#ifndef BB_USYMS_H
#define BB_USYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bb_usyms;			/* one process's address space */

/* Snapshot /proc/PID/maps now and keep what is needed to symbolize later,
 * even after the process has exited (keep an fd per mapped file, opened via
 * /proc/PID/map_files/ or the path under /proc/PID/root). NULL + errno if the
 * process does not exist. */
struct bb_usyms *bb_usyms_open(int pid);

/* bb_usyms_open() as a caller without CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE)
 * sees it: /proc/PID/map_files/ not used.  For tests of the fallbacks. */
#define BB_USYMS_NO_MAP_FILES	(1u << 0)
struct bb_usyms *bb_usyms_open_flags(int pid, unsigned flags);

/* Re-read the maps while the process lives (dlopen); no-op (returns 0) once
 * it is gone.  Mappings that went away stay known where nothing new took
 * their place (a library dlclose'd after it allocated). */
int bb_usyms_refresh(struct bb_usyms *u);

struct bb_usym {
	const char *name;	/* function (or data object) name, NULL if unknown */
	unsigned long long offset;	/* addr - symbol start */
	const char *module;	/* basename of the mapped file, "[vdso]", ... ; NULL if unmapped */
	unsigned long long module_offset; /* file offset of addr within the module */
};

/*
 * Code symbols (STT_FUNC/STT_GNU_IFUNC); 0 if addr is in a mapping, -1 if not.
 * In an anonymous mapping module is NULL, module_offset counts from its start;
 * in executable memory no ELF file describes, name comes from the JIT's
 * /tmp/perf-PID.map (module then "perf-PID.map"), read as it grows.  In a file's .bss past its last page, module_offset goes on
 * counting from the segment's file offset as if the zeros were in the file.
 */
int bb_usyms_lookup(struct bb_usyms *u, unsigned long long addr, struct bb_usym *out);
/* Data symbols (STT_OBJECT, incl. .bss/.data statics): for naming a global mutex like helgrind's `m1`. */
int bb_usyms_lookup_data(struct bb_usyms *u, unsigned long long addr, struct bb_usym *out);
/* "func+0x1a (libc.so.6)", "libfoo.so+0x1234" when no symbol, "0x7f00..." when unmapped. */
void bb_usyms_format(struct bb_usyms *u, unsigned long long addr, char *buf, size_t len);
/* With the DWARF of the file (or of its debug file), the frame's source
 * line after it, " (x.c:42)", and the calls inlined there before it, a
 * line each: "leaf (x.h:10)\n" (bb_frame_add_lines). */
/* Same for a data address (bb_usyms_lookup_data). */
void bb_usyms_format_data(struct bb_usyms *u, unsigned long long addr, char *buf, size_t len);
void bb_usyms_close(struct bb_usyms *u);

/* Inlined calls a frame's text shows at most. */
#define BB_MAX_INLINED 16
/* Frame text @buf ("main+0x1a (prog)") with source lines @l (dwarf.h: n of
 * them, innermost inlined first): "leaf (x.h:10)\nmain+0x1a (prog) (x.c:42)". */
struct bb_srcline;
void bb_frame_add_lines(char *buf, size_t len, const struct bb_srcline *l, int n);

/*
 * Each executable mapping of the process, in address order, to @fn:
 * [start, end), bias (address - link-time address) and the ELF file it
 * maps, its tables loaded (NULL: no ELF file, a JIT's memory).
 */
struct bb_elfsyms;
struct bb_usyms_code {
	uint64_t start, end, bias;
	const struct bb_elfsyms *elf;
	const char *module;
};
void bb_usyms_each_code(struct bb_usyms *u, void (*fn)(const struct bb_usyms_code *c, void *ctx),
			void *ctx);

/*
 * A stack that ends with BB_FRAME_TRUNCATED (the walk could not vouch for
 * the next frame) is blamed on the object of its last real frame;
 * bb_usyms_unwind_culprit() names the one blamed most (NULL: none).
 */
void bb_usyms_blame(struct bb_usyms *u, const uint64_t *frames, int n);
const char *bb_usyms_unwind_culprit(const struct bb_usyms *u);

/*
 * What names a code address anywhere: the build-id of the file it is in,
 * its link-time address and its file offset.  0, or -1 (no file, or a file
 * without a build-id).  The build-id stays valid until bb_usyms_close().
 */
struct bb_usym_id {
	const unsigned char *build_id;
	size_t build_id_len;
	uint64_t vaddr, file_offset;
};
int bb_usyms_frame_id(struct bb_usyms *u, uint64_t addr, struct bb_usym_id *out);

/* @name demangled (C++, Itanium ABI), malloc'd; NULL when it is no mangled
 * name or --no-demangle was given. */
char *bb_demangle(const char *name);

/* The process's pid, as given to bb_usyms_open(). */
int bb_usyms_pid(const struct bb_usyms *u);


/* The path of the @i-th file the process maps (maps' order), as the
 * process sees it; "" for a mapping that is no live file ([heap], a
 * deleted file); NULL past the last. */
const char *bb_usyms_file(const struct bb_usyms *u, size_t i);

/* Where the @i-th file's (bb_usyms_file) offset @off is mapped; 0 if nowhere. */
unsigned long long bb_usyms_file_addr(const struct bb_usyms *u, size_t i, unsigned long long off);

/* The index (bb_usyms_file) of the file mapped at @addr; -1 if none. */
long bb_usyms_file_of(const struct bb_usyms *u, unsigned long long addr);

/* The @i-th mapping (address order), for a scan of the memory: false past
 * the last.  name: the file's basename, "[stack]", "[heap]"..., NULL when
 * anonymous; writable is false for a mapping gone at the last refresh. */
struct bb_usyms_region {
	unsigned long long start, end;
	bool writable;
	const char *name;
};
bool bb_usyms_region(const struct bb_usyms *u, size_t i, struct bb_usyms_region *out);

#endif
