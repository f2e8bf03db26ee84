/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ELF file's symbols, for the user-space symbolizer (usyms.h): its
 * PT_LOAD segments and two sorted tables, code (STT_FUNC, STT_GNU_IFUNC)
 * and data (STT_OBJECT), from .symtab and .dynsym and, when the file has
 * no .symtab, from its separate debug file (build-id, .gnu_debuglink).
 *
 * An object is made from an open file descriptor and shared by every
 * process mapping the same file (st_dev, st_ino): libc's table is read
 * once however many processes are looked at.  The tables are read on the
 * first bb_elfsyms_load(), never before, and never again.
 *
 * Addresses here are link-time (p_vaddr) addresses; usyms.c turns a
 * process address into one through the mapping's file offset.
 */
#ifndef BB_ELFSYMS_H
#define BB_ELFSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bb_elfsyms;

/* The object for the file open on @fd, which it takes (closed here when
 * the same file is already known); NULL only when @fd cannot be stat'ed. */
struct bb_elfsyms *bb_elfsyms_get(int fd);
/* Same, opening @path. NULL + errno when it cannot be opened. */
struct bb_elfsyms *bb_elfsyms_open(const char *path);
/* An ELF image in memory (the vdso), which it takes (malloc'd). Not shared. */
struct bb_elfsyms *bb_elfsyms_from_image(void *image, size_t len);
/* Drops a reference; the last one frees the tables and closes the fd. */
void bb_elfsyms_put(struct bb_elfsyms *e);

/*
 * Reads the tables, once: later calls return at once.  @path is where the
 * file lives (a debug file is looked for next to it), @root a prefix for
 * the debug file paths ("" or NULL: ours; "/proc/self/fd/N": a process's
 * root); @path NULL looks for no debug file.  0, or -1 when the file is
 * not a usable ELF file (then every lookup finds nothing).
 */
int bb_elfsyms_load(struct bb_elfsyms *e, const char *path, const char *root);
/* Symbols in the code (false) or data (true) table, once loaded. */
size_t bb_elfsyms_count(const struct bb_elfsyms *e, bool data);
/* Whether the symbols came partly from a separate debug file. */
bool bb_elfsyms_has_debug_file(const struct bb_elfsyms *e);

/*
 * The link-time address at file offset @off, through the PT_LOAD segment
 * holding it.  Past p_filesz up to p_memsz counts (.bss, whose "offset"
 * continues the segment's): 0, or -1 when no segment covers @off.
 */
int bb_elfsyms_vaddr(const struct bb_elfsyms *e, uint64_t off, uint64_t *vaddr);

/*
 * The symbol covering link-time address @vaddr in the code or data table:
 * the greatest one at or below it, unless its st_size says it ends before.
 * Returns its name (valid until the last put) and sets *@offset, or NULL.
 */
const char *bb_elfsyms_find(const struct bb_elfsyms *e, uint64_t vaddr, bool data,
			    uint64_t *offset);

/* Files loaded from now on read their unwind rows too (only the stack
 * walker needs them: a symbolizer alone does not pay for them). */
void bb_elfsyms_want_unwind(void);
/*
 * The unwind row (unwind.h) covering link-time address @vaddr, from the
 * file's .eh_frame and .debug_frame, once loaded; NULL when none says how
 * to find the caller there.
 */
struct bb_unwind_row;
const struct bb_unwind_row *bb_elfsyms_unwind(const struct bb_elfsyms *e, uint64_t vaddr);
/* All of them, sorted (unwind.h), once loaded. */
const struct bb_unwind_rows *bb_elfsyms_unwind_rows(const struct bb_elfsyms *e);

/*
 * Where link-time address @vaddr is in the source, from the DWARF of the
 * file or of its debug file (read at the first call): the inlined calls
 * innermost first, then the function (dwarf.h).  n, or 0 when unknown.
 */
struct bb_srcline;
int bb_elfsyms_lines(struct bb_elfsyms *e, uint64_t vaddr, struct bb_srcline *out, int max);

/* The file's GNU build-id (its bytes in *@id), once loaded; 0: none. */
size_t bb_elfsyms_build_id(const struct bb_elfsyms *e, const unsigned char **id);

/* Path-based helpers, to place uprobes: */
/*
 * File offset of symbol @name (function) in ELF @path, for uprobes; 0 or -1
 * (errno ENOENT: no such function, ENOEXEC: not a readable ELF file).
 * Looks in .symtab, then .dynsym (default symbol version first:
 * "malloc@@GLIBC_2.2.5"), then, when the file has no .symtab, in its
 * separate debug file (build-id, .gnu_debuglink).  For an STT_GNU_IFUNC it
 * is the resolver's offset.
 */
int bb_elf_func_offset(const char *path, const char *name, unsigned long long *offset);
/* The same, and the function's size (st_size: 0 when the symbol has none). */
int bb_elf_func_range(const char *path, const char *name, unsigned long long *offset,
		      unsigned long long *size);
/* True if @path is a static executable (no PT_INTERP); @interp gets PT_INTERP otherwise.
 * Returns 1 (static: no PT_INTERP, so also static-pie and shared libraries;
 * @interp is ""), 0 (dynamic: @interp filled), -1 (not a readable ELF file). */
int bb_elf_interp(const char *path, char *interp, size_t len);

/* Where build-id and debuglink lookups go ("/usr/lib/debug"); for tests. */
void bb_elf_set_debug_dir(const char *dir);


/* What the dynamic linker reads of ELF @path (uprobes.c's allocator search). */
struct bb_elf_dynamic {
	char **needed;		/* DT_NEEDED, in order, NULL-terminated */
	char *rpath, *runpath;	/* NULL when absent */
};
/* 0 (@d filled, free with bb_elf_dynamic_free), or -1 + errno. */
int bb_elf_dynamic(const char *path, struct bb_elf_dynamic *d);
void bb_elf_dynamic_free(struct bb_elf_dynamic *d);
/* Does @path export function @name (.dynsym, defined): may it bind a caller's? */
bool bb_elf_exports(const char *path, const char *name);
/* The file offset of @path's GOT slot that the dynamic linker fills with
 * @name's address (GLOB_DAT or JUMP_SLOT, x86_64's or aarch64's, whatever
 * the build's architecture): 0, or -1 + errno (ENOENT). */
int bb_elf_import_slot(const char *path, const char *name, unsigned long long *offset);
/* Every such slot (an object may have both kinds for one function: its
 * address taken, and PLT calls), at most @max: how many, or -1 + errno. */
int bb_elf_import_slots(const char *path, const char *name, unsigned long long *offsets,
			int max);

#endif
