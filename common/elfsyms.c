// SPDX-License-Identifier: GPL-2.0
/* ELF symbol tables for the user-space symbolizer: see elfsyms.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* glibc: the sanitized build defines it everywhere */
#endif
#include <byteswap.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "bpfbox.h"
#include "dwarf.h"
#include "elfsyms.h"
#include "unwind.h"
#include "usyms.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

#define MAX_BUILD_ID 64
/* More program headers than any linker writes: the file is garbage. */
#define MAX_PHDRS 4096

struct seg {
	uint64_t vaddr, offset, filesz, memsz;
};

/* 16 bytes a symbol: a big binary's 100k symbols take 1.6 MB plus names. */
struct sym {
	uint64_t addr;
	uint32_t size;		/* st_size, saturated */
	uint32_t name;		/* offset in names */
};

struct table {
	struct sym *v;
	size_t nr;
};

struct bb_elfsyms {
	struct bb_elfsyms *next;	/* in the cache of shared files */
	int refs;
	int fd;			/* until loaded; -1 for an image */
	void *image;		/* the vdso, until loaded */
	size_t image_len;
	bool cached;
	dev_t dev;		/* what the cache knows the file by */
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool loaded, usable, debug_file;
	struct seg *segs;
	size_t nr_segs;
	struct table code, data;
	char *names;
	struct bb_unwind_rows unwind;	/* from .eh_frame and .debug_frame */
	unsigned char build_id[MAX_BUILD_ID];
	size_t build_id_len;
	int dwarf_fd;		/* the file with the DWARF, until it is first read */
	struct bb_dwarf *dwarf;
	struct bb_elfsyms *alt;	/* dwz's file its DWARF refers to (a reference) */
};

static struct bb_elfsyms *cache;
static char debug_dir[PATH_MAX] = "/usr/lib/debug";

void bb_elf_set_debug_dir(const char *dir)
{
	snprintf(debug_dir, sizeof(debug_dir), "%s", dir);
}

static bool elf_ready(void)
{
	static int ready = -1;

	if (ready < 0)
		ready = elf_version(EV_CURRENT) != EV_NONE;
	return ready;
}

/* ---- the objects and their cache ---------------------------------------- */

/* Size and mtime too: a file rewritten in place keeps its inode. */
static bool same_file(const struct bb_elfsyms *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	       e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

struct bb_elfsyms *bb_elfsyms_get(int fd)
{
	struct bb_elfsyms *e;
	struct stat st;

	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	for (e = cache; e; e = e->next) {
		if (same_file(e, &st)) {
			close(fd);
			e->refs++;
			return e;
		}
	}
	e = bb_xcalloc(1, sizeof(*e));
	e->refs = 1;
	e->fd = fd;
	e->dwarf_fd = -1;
	e->cached = true;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->size = st.st_size;
	e->mtime = st.st_mtim;
	e->next = cache;
	cache = e;
	return e;
}

struct bb_elfsyms *bb_elfsyms_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	return fd < 0 ? NULL : bb_elfsyms_get(fd);
}

struct bb_elfsyms *bb_elfsyms_from_image(void *image, size_t len)
{
	struct bb_elfsyms *e = bb_xcalloc(1, sizeof(*e));

	e->refs = 1;
	e->fd = -1;
	e->dwarf_fd = -1;
	e->image = image;
	e->image_len = len;
	return e;
}

static void uncache(struct bb_elfsyms *e)
{
	struct bb_elfsyms **p;

	for (p = &cache; *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			return;
		}
	}
}

void bb_elfsyms_put(struct bb_elfsyms *e)
{
	if (!e || --e->refs > 0)
		return;
	if (e->cached)
		uncache(e);
	if (e->fd >= 0)
		close(e->fd);
	if (e->dwarf_fd >= 0)
		close(e->dwarf_fd);
	bb_dwarf_free(e->dwarf);
	bb_elfsyms_put(e->alt);
	free(e->image);
	free(e->segs);
	free(e->code.v);
	free(e->data.v);
	free(e->names);
	bb_unwind_free(&e->unwind);
	free(e);
}

/* ---- reading an ELF file ------------------------------------------------ */

static Elf *elf_open_fd(int fd)
{
	Elf *elf;

	if (!elf_ready())
		return NULL;
	/* ELF_C_READ reads what is asked for with pread: no mapping that a
	 * file truncated under us could turn into SIGBUS. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		elf = NULL;
	}
	return elf;
}

static Elf *elf_of(struct bb_elfsyms *e)
{
	Elf *elf;

	if (!e->image)
		return elf_open_fd(e->fd);
	if (!elf_ready())
		return NULL;
	elf = elf_memory(e->image, e->image_len);
	if (elf && elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		elf = NULL;
	}
	return elf;
}

static void read_segments(struct bb_elfsyms *e, Elf *elf)
{
	size_t i, n, loads = 0;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n) || n > MAX_PHDRS)
		return;
	for (i = 0; i < n; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD)
			loads++;
	if (!loads)
		return;
	e->segs = bb_xcalloc(loads, sizeof(*e->segs));
	for (i = 0; i < n && e->nr_segs < loads; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		e->segs[e->nr_segs++] = (struct seg){
			.vaddr = ph.p_vaddr, .offset = ph.p_offset,
			.filesz = ph.p_filesz, .memsz = ph.p_memsz,
		};
	}
}

/* A symbol read from a table, before sorting and removing aliases. */
struct cand {
	uint64_t addr, size;
	const char *name;	/* in the Elf's string table */
	unsigned char bind;
	bool data;
};

struct cands {
	struct cand *v;
	size_t nr, cap;
};

/* Code and data symbols with an address; undefined and absolute ones are
 * references or constants, not places. */
static bool wanted(const GElf_Sym *s, bool *data)
{
	int type = GELF_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS || !s->st_value)
		return false;
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		*data = false;
	else if (type == STT_OBJECT)
		*data = true;
	else
		return false;
	return true;
}

static void add_cand(struct cands *c, const GElf_Sym *s, const char *name, bool data)
{
	struct cand *d;

	if (c->nr == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->v = bb_xrealloc(c->v, c->cap, sizeof(*c->v));
	}
	d = &c->v[c->nr++];
	d->addr = s->st_value;
	d->size = s->st_size;
	d->name = name;
	d->bind = GELF_ST_BIND(s->st_info);
	d->data = data;
}

static size_t nr_syms(Elf *elf, const Elf_Data *d)
{
	size_t ent = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);

	return d && ent ? d->d_size / ent : 0;
}

static void add_section(struct cands *c, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, n = nr_syms(elf, d);
	const char *name;
	GElf_Sym s;
	bool data;

	for (i = 1; i < n; i++) {
		if (!gelf_getsym(d, i, &s) || !wanted(&s, &data))
			continue;
		name = elf_strptr(elf, sh->sh_link, s.st_name);
		/* '$' names are ARM/RISC-V mapping symbols ($x, $d), not functions. */
		if (name && *name && *name != '$')
			add_cand(c, &s, name, data);
	}
}

/* Adds .symtab and .dynsym; true when there is a .symtab. */
static bool add_tables(struct cands *c, Elf *elf)
{
	Elf_Scn *scn = NULL;
	bool symtab = false;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = true;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM)
			add_section(c, elf, scn, &sh);
	}
	return symtab;
}

/* ---- sorted tables ---------------------------------------------------- */

static int underscores(const char *s)
{
	int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

static int bind_rank(unsigned char bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

/*
 * Code before data, then by address; at one address the name shown first:
 * sized, the fewest leading underscores (malloc, not __libc_malloc), global,
 * the shortest (free, not cfree).
 */
static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int d;

	if (x->data != y->data)
		return x->data - y->data;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (!x->size != !y->size)
		return !x->size - !y->size;
	d = underscores(x->name) - underscores(y->name);
	if (!d)
		d = bind_rank(x->bind) - bind_rank(y->bind);
	if (!d)
		d = (int)strlen(x->name) - (int)strlen(y->name);
	return d ? d : strcmp(x->name, y->name);
}

/* Symbol versions ("memcpy@@GLIBC_2.14" in a .symtab) are not shown. */
static size_t name_len(const char *name)
{
	size_t n = strcspn(name, "@");

	return n ? n : strlen(name);
}

/* Sorts, keeps one symbol an address, and copies the names they use. */
static void build_tables(struct bb_elfsyms *e, struct cands *c)
{
	size_t i, kept = 0, bytes = 0, at = 0;
	struct table *t;

	if (c->nr)
		qsort(c->v, c->nr, sizeof(*c->v), cmp_cand);
	for (i = 0; i < c->nr; i++) {
		if (i && c->v[i].addr == c->v[kept - 1].addr && c->v[i].data == c->v[kept - 1].data)
			continue;
		c->v[kept++] = c->v[i];
		bytes += name_len(c->v[i].name) + 1;
	}
	e->names = bb_xcalloc(bytes ? bytes : 1, 1);
	for (i = 0; i < kept; i++)
		(c->v[i].data ? &e->data : &e->code)->nr++;
	e->code.v = bb_xcalloc(e->code.nr, sizeof(struct sym));
	e->data.v = bb_xcalloc(e->data.nr, sizeof(struct sym));
	e->code.nr = e->data.nr = 0;
	for (i = 0; i < kept; i++) {
		const struct cand *s = &c->v[i];
		size_t n = name_len(s->name);

		t = s->data ? &e->data : &e->code;
		t->v[t->nr++] = (struct sym){
			.addr = s->addr,
			.size = s->size > UINT32_MAX ? UINT32_MAX : s->size,
			.name = at,
		};
		memcpy(e->names + at, s->name, n);
		at += n + 1;
	}
}

/* ---- separate debug files ------------------------------------------------ */

static size_t note_build_id(Elf_Data *d, unsigned char *id)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (d && d->d_buf && off < d->d_size &&
	       (next = gelf_getnote(d, off, &nh, &name_off, &desc_off))) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4) &&
		    nh.n_descsz && nh.n_descsz <= MAX_BUILD_ID) {
			memcpy(id, (char *)d->d_buf + desc_off, nh.n_descsz);
			return nh.n_descsz;
		}
		off = next;
	}
	return 0;
}

/* NT_GNU_BUILD_ID from a note section, else from a PT_NOTE segment. */
static size_t build_id(Elf *elf, unsigned char *id)
{
	Elf_Scn *scn = NULL;
	size_t i, n, len;
	GElf_Shdr sh;
	GElf_Phdr ph;

	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE &&
		    (len = note_build_id(elf_getdata(scn, NULL), id)))
			return len;
	}
	if (elf_getphdrnum(elf, &n) || n > MAX_PHDRS)
		return 0;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		len = note_build_id(elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz,
							 ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR),
				    id);
		if (len)
			return len;
	}
	return 0;
}

/* .gnu_debuglink: a file name, padding to 4, the file's CRC32. */
static bool debuglink(Elf *elf, char *name, size_t len, uint32_t *crc)
{
	Elf_Scn *scn = NULL;
	const char *sname, *buf, *end;
	size_t shstrndx, n, at;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf_Data *d;

	if (elf_getshdrstrndx(elf, &shstrndx) || !gelf_getehdr(elf, &eh))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, ".gnu_debuglink"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			return false;
		buf = d->d_buf;
		end = memchr(buf, 0, d->d_size);
		n = end ? (size_t)(end - buf) : 0;
		at = (n + 4) & ~(size_t)3;
		if (!n || n >= len || at + 4 > d->d_size)
			return false;
		memcpy(name, buf, n + 1);
		memcpy(crc, buf + at, 4);
		if ((eh.e_ident[EI_DATA] == ELFDATA2MSB) != (__BYTE_ORDER == __BIG_ENDIAN))
			*crc = bswap_32(*crc);
		return true;
	}
	return false;
}

struct debug {
	int fd;
	Elf *elf;
	char path[PATH_MAX];	/* as opened */
};

static void debug_close(struct debug *dbg)
{
	if (dbg->elf)
		elf_end(dbg->elf);
	if (dbg->fd >= 0)
		close(dbg->fd);
	dbg->elf = NULL;
	dbg->fd = -1;
}

/* A regular file at @path that is not the file itself, as ELF. */
static bool debug_open(struct debug *dbg, const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	dbg->elf = NULL;
	dbg->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (dbg->fd < 0)
		return false;
	snprintf(dbg->path, sizeof(dbg->path), "%s", path);
	if (!fstat(dbg->fd, &st) && S_ISREG(st.st_mode) &&
	    !(st.st_dev == dev && st.st_ino == ino))
		dbg->elf = elf_open_fd(dbg->fd);
	if (!dbg->elf)
		debug_close(dbg);
	return dbg->elf;
}

static uint32_t file_crc(int fd)
{
	unsigned char buf[65536];
	uLong crc = crc32(0, NULL, 0);
	off_t at = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), at)) > 0) {
		crc = crc32(crc, buf, n);
		at += n;
	}
	return crc;
}

/* A path, or false when it does not fit (then it is not looked at). */
static bool __attribute__((format(printf, 2, 3))) make_path(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n >= 0 && n < PATH_MAX;
}

/* Directories to look in: the process's root first, then ours. */
static int roots(const char *root, const char **out)
{
	out[0] = root && *root ? root : "";
	out[1] = "";
	return *out[0] ? 2 : 1;
}

static bool alt_link(Elf *elf, struct bb_dwarf_link *l);

/* @elf is the file of build-id @id: its note says so, or when @sup (a
 * DWARF 5 alt file: dwz writes no note there) its own .debug_sup. */
static bool has_id(Elf *elf, const unsigned char *id, size_t n, bool sup)
{
	unsigned char own[MAX_BUILD_ID];
	struct bb_dwarf_link l;

	if (build_id(elf, own) == n && !memcmp(id, own, n))
		return true;
	return sup && alt_link(elf, &l) && l.supplementary && l.id_len == n &&
	       !memcmp(l.id, id, n);
}

/* DIR/.build-id/xx/rest.debug under the debug directory. */
static bool by_id(struct debug *dbg, const unsigned char *id, size_t n, bool sup, dev_t dev,
		  ino_t ino, const char *root)
{
	char hex[2 * MAX_BUILD_ID + 1], path[PATH_MAX];
	const char *r[2];
	int nr = roots(root, r), k;
	size_t i;

	if (n < 2 || n > MAX_BUILD_ID)
		return false;
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", id[i]);
	for (k = 0; k < nr; k++) {
		if (!make_path(path, "%s%s/.build-id/%.2s/%s.debug", r[k], debug_dir, hex, hex + 2) ||
		    !debug_open(dbg, path, dev, ino))
			continue;
		if (has_id(dbg->elf, id, n, sup))
			return true;
		debug_close(dbg);
	}
	return false;
}

static bool by_build_id(struct debug *dbg, Elf *elf, dev_t dev, ino_t ino, const char *root)
{
	unsigned char id[MAX_BUILD_ID];

	return by_id(dbg, id, build_id(elf, id), false, dev, ino, root);
}

/* Next to the file, in .debug/ there, or under the debug directory. */
static bool by_debuglink(struct debug *dbg, Elf *elf, dev_t dev, ino_t ino,
			 const char *file, const char *root)
{
	char name[256], dir[PATH_MAX], path[PATH_MAX];
	const char *r[2], *slash = strrchr(file, '/');
	int nr = roots(root, r), k, i;
	uint32_t crc;

	if (!debuglink(elf, name, sizeof(name), &crc))
		return false;
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
	else
		snprintf(dir, sizeof(dir), ".");
	for (k = 0; k < nr; k++) {
		for (i = 0; i < 3; i++) {
			bool fits;

			if (i == 0)
				fits = make_path(path, "%s%s/%s", r[k], dir, name);
			else if (i == 1)
				fits = make_path(path, "%s%s/.debug/%s", r[k], dir, name);
			else
				fits = make_path(path, "%s%s%s%s/%s", r[k], debug_dir,
						 *dir == '/' ? "" : "/", dir, name);
			if (!fits || !debug_open(dbg, path, dev, ino))
				continue;
			/* The CRC says it is this build's, not an older one's. */
			if (file_crc(dbg->fd) == crc)
				return true;
			debug_close(dbg);
		}
	}
	return false;
}

static bool find_debug(struct debug *dbg, Elf *elf, dev_t dev, ino_t ino, const char *path,
		       const char *root)
{
	dbg->fd = -1;
	dbg->elf = NULL;
	return by_build_id(dbg, elf, dev, ino, root) ||
	       by_debuglink(dbg, elf, dev, ino, path, root);
}

/* ---- unwind rows ------------------------------------------------------------ */

static bool want_unwind;

void bb_elfsyms_want_unwind(void)
{
	want_unwind = true;
}

/* @elf's .eh_frame and .debug_frame as unwind rows (unwind.h). */
static void read_unwind(struct bb_elfsyms *e, Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf_Data *d;
	size_t shstrndx;
	const char *name;

	if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    (sh.sh_flags & SHF_COMPRESSED))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || (strcmp(name, ".eh_frame") && strcmp(name, ".debug_frame")))
			continue;
		d = elf_getdata(scn, NULL);
		if (d && d->d_buf)
			bb_unwind_parse(&e->unwind, d->d_buf, d->d_size, sh.sh_addr,
					name[1] == 'e', eh.e_machine);
	}
	bb_unwind_sort(&e->unwind);
}

const struct bb_unwind_row *bb_elfsyms_unwind(const struct bb_elfsyms *e, uint64_t vaddr)
{
	return bb_unwind_find(&e->unwind, vaddr);
}

size_t bb_elfsyms_build_id(const struct bb_elfsyms *e, const unsigned char **id)
{
	*id = e->build_id;
	return e->build_id_len;
}

const struct bb_unwind_rows *bb_elfsyms_unwind_rows(const struct bb_elfsyms *e)
{
	return &e->unwind;
}

/* ---- source lines (dwarf.h) ------------------------------------------------ */

static Elf_Scn *section_named(Elf *elf, const char *want)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	const char *name;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !sh.sh_size)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, want))
			return scn;
	}
	return NULL;
}

/* ---- dwz's alt file ---------------------------------------------------------- */

/* @elf's .gnu_debugaltlink, else its .debug_sup. */
static bool alt_link(Elf *elf, struct bb_dwarf_link *l)
{
	bool sup = false;
	Elf_Scn *scn;
	Elf_Data *d;

	scn = section_named(elf, ".gnu_debugaltlink");
	if (!scn) {
		sup = true;
		scn = section_named(elf, ".debug_sup");
	}
	d = scn ? elf_getdata(scn, NULL) : NULL;
	return d && d->d_buf && bb_dwarf_link(d->d_buf, d->d_size, sup, l);
}

/* @path, when it is the alt file @l names (its build-id). */
static bool alt_open(struct debug *alt, const char *path, const struct bb_dwarf_link *l,
		     dev_t dev, ino_t ino)
{
	if (!debug_open(alt, path, dev, ino))
		return false;
	if (has_id(alt->elf, l->id, l->id_len, true))
		return true;
	debug_close(alt);
	return false;
}

/*
 * The alt file @l names, for the DWARF file @file (a path as we open it):
 * a relative name is from @file's directory; an absolute one is in the
 * process's @root first, and one under /usr/lib/debug also under the
 * debug directory (report --debug-dir); else by its build-id there.
 */
static bool find_alt(struct debug *alt, const struct bb_dwarf_link *l, const char *file,
		     const char *root, dev_t dev, ino_t ino)
{
	static const char usr_debug[] = "/usr/lib/debug/";
	const size_t skip = sizeof(usr_debug) - 1;
	const char *r[2], *slash = strrchr(file, '/');
	int nr = roots(root, r), k;
	char path[PATH_MAX];

	if (*l->path != '/') {
		if (make_path(path, "%.*s%s", slash ? (int)(slash - file + 1) : 0, file,
			      l->path) && alt_open(alt, path, l, dev, ino))
			return true;
	} else {
		for (k = 0; k < nr; k++) {
			if (make_path(path, "%s%s", r[k], l->path) &&
			    alt_open(alt, path, l, dev, ino))
				return true;
			if (!strncmp(l->path, usr_debug, skip) &&
			    make_path(path, "%s%s/%s", r[k], debug_dir, l->path + skip) &&
			    alt_open(alt, path, l, dev, ino))
				return true;
		}
	}
	return by_id(alt, l->id, l->id_len, true, dev, ino, root);
}

/*
 * The alt file of @e's DWARF (in @elf, at @file), shared by every object
 * naming it and read when @e's DWARF is: a file of the cache taken only
 * for its DWARF (an object's own alt file is not followed: no chains).
 */
static void keep_alt(struct bb_elfsyms *e, Elf *elf, const char *file, const char *root)
{
	struct debug dbg = { .fd = -1 };
	struct bb_dwarf_link l;
	struct bb_elfsyms *a;

	if (!alt_link(elf, &l) || l.supplementary ||
	    !find_alt(&dbg, &l, file, root, e->dev, e->ino))
		return;
	/* Never @e itself: debug_open refuses its file. */
	a = bb_elfsyms_get(dup(dbg.fd));
	debug_close(&dbg);
	if (a && a->alt) {
		bb_elfsyms_put(a);
		return;
	}
	if (a && !a->loaded) {	/* new: no code of it is mapped */
		a->loaded = true;
		a->dwarf_fd = a->fd;
		a->fd = -1;
	}
	e->alt = a;
}

/*
 * Keeps a descriptor on the file holding the DWARF (the file itself, else
 * its debug file): it is read only when a frame in it is first printed.
 */
static void keep_dwarf(struct bb_elfsyms *e, Elf *elf, struct debug *dbg, const char *path,
		       const char *root)
{
	char file[PATH_MAX];

	if (e->fd < 0)
		return;
	if (section_named(elf, ".debug_info")) {
		e->dwarf_fd = dup(e->fd);
		if (path && make_path(file, "%s%s", root ? root : "", path))
			keep_alt(e, elf, file, root);
		return;
	}
	/* Symbols but no DWARF (strip --strip-debug): the debug file's. */
	if (dbg->fd < 0 && path)
		find_debug(dbg, elf, e->dev, e->ino, path, root);
	if (dbg->fd >= 0 && section_named(dbg->elf, ".debug_info")) {
		e->dwarf_fd = dup(dbg->fd);
		keep_alt(e, dbg->elf, dbg->path, root);
	}
}

/* Sections bigger than this (once inflated) are not read. */
#define MAX_DWARF_SECTION (512u << 20)

/* A copy of section @scn's bytes, inflated if compressed (zlib's inflate:
 * libelf's elf_compress would link deflate too); NULL if none. */
static void *section_copy(Elf *elf, Elf_Scn *scn, size_t *len)
{
	size_t hdr = gelf_getclass(elf) == ELFCLASS32 ? sizeof(Elf32_Chdr) : sizeof(Elf64_Chdr);
	uLongf out_len;
	GElf_Shdr sh;
	GElf_Chdr ch;
	Elf_Data *d;
	void *copy;

	if (!gelf_getshdr(scn, &sh) || sh.sh_size > MAX_DWARF_SECTION)
		return NULL;
	d = elf_rawdata(scn, NULL);
	if (!d || !d->d_buf || !d->d_size)
		return NULL;
	if (!(sh.sh_flags & SHF_COMPRESSED)) {
		copy = bb_xcalloc(1, d->d_size);
		memcpy(copy, d->d_buf, d->d_size);
		*len = d->d_size;
		return copy;
	}
	/* The header by hand: gelf_getchdr would link libelf's compressor. */
	if (d->d_size <= hdr)
		return NULL;
	if (hdr == sizeof(Elf32_Chdr)) {
		Elf32_Chdr c32;

		memcpy(&c32, d->d_buf, sizeof(c32));
		ch = (GElf_Chdr){ .ch_type = c32.ch_type, .ch_size = c32.ch_size };
	} else {
		memcpy(&ch, d->d_buf, sizeof(ch));
	}
	if (ch.ch_type != ELFCOMPRESS_ZLIB || !ch.ch_size || ch.ch_size > MAX_DWARF_SECTION)
		return NULL;
	copy = bb_xcalloc(1, ch.ch_size);
	out_len = ch.ch_size;
	if (uncompress(copy, &out_len, (const Bytef *)d->d_buf + hdr, d->d_size - hdr) != Z_OK ||
	    out_len != ch.ch_size) {
		free(copy);
		return NULL;
	}
	*len = out_len;
	return copy;
}

static void read_dwarf(struct bb_elfsyms *e)
{
	struct bb_dwarf_sections s = { 0 };
	GElf_Ehdr eh;
	Elf_Scn *scn;
	Elf *elf;
	int i;

	elf = elf_open_fd(e->dwarf_fd);
	/* Little-endian only: x86_64 and aarch64 as Linux runs them. */
	if (elf && gelf_getehdr(elf, &eh) && eh.e_ident[EI_DATA] == ELFDATA2LSB) {
		for (i = 0; i < BB_DW_NR; i++)
			if ((scn = section_named(elf, bb_dwarf_section_names[i])))
				s.p[i] = section_copy(elf, scn, &s.len[i]);
		if (s.p[BB_DW_INFO] && s.p[BB_DW_ABBREV])
			e->dwarf = bb_dwarf_new(&s);
		else
			for (i = 0; i < BB_DW_NR; i++)
				free((void *)s.p[i]);
	}
	if (elf)
		elf_end(elf);
	close(e->dwarf_fd);
	e->dwarf_fd = -1;
	if (e->dwarf && e->alt) {
		if (e->alt->dwarf_fd >= 0)
			read_dwarf(e->alt);
		bb_dwarf_set_alt(e->dwarf, e->alt->dwarf);
	}
}

int bb_elfsyms_lines(struct bb_elfsyms *e, uint64_t vaddr, struct bb_srcline *out, int max)
{
	if (e->dwarf_fd >= 0)
		read_dwarf(e);
	return bb_dwarf_lookup(e->dwarf, vaddr, out, max);
}

/* ---- loading and lookups -------------------------------------------------- */

int bb_elfsyms_load(struct bb_elfsyms *e, const char *path, const char *root)
{
	struct debug dbg = { .fd = -1 };
	struct cands c = { 0 };
	Elf *elf;

	if (e->loaded)
		return e->usable ? 0 : -1;
	e->loaded = true;
	elf = elf_of(e);
	if (elf) {
		read_segments(e, elf);
		e->build_id_len = build_id(elf, e->build_id);
		if (want_unwind)
			read_unwind(e, elf);
		/* No .symtab: stripped, the debug file may have it. */
		if (!add_tables(&c, elf) && path && e->fd >= 0 &&
		    find_debug(&dbg, elf, e->dev, e->ino, path, root)) {
			add_tables(&c, dbg.elf);
			e->debug_file = true;
		}
		keep_dwarf(e, elf, &dbg, path, root);
		build_tables(e, &c);	/* before elf_end: names point into them */
		/* Without a loadable segment no address can be placed in it. */
		e->usable = e->nr_segs;
		debug_close(&dbg);
		elf_end(elf);
	}
	free(c.v);
	/* The tables are all we need now: give the descriptor back (the cache
	 * still knows the file by device, inode, size and mtime). */
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	free(e->image);
	e->image = NULL;
	return e->usable ? 0 : -1;
}

size_t bb_elfsyms_count(const struct bb_elfsyms *e, bool data)
{
	return data ? e->data.nr : e->code.nr;
}

bool bb_elfsyms_has_debug_file(const struct bb_elfsyms *e)
{
	return e->debug_file;
}

int bb_elfsyms_vaddr(const struct bb_elfsyms *e, uint64_t off, uint64_t *vaddr)
{
	const struct seg *s, *bss = NULL;
	size_t i;

	for (i = 0; i < e->nr_segs; i++) {
		s = &e->segs[i];
		if (off < s->offset)
			continue;
		if (off - s->offset < s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return 0;
		}
		/* Past the file's bytes: the zeroed rest, the last such wins. */
		if (off - s->offset < s->memsz && (!bss || s->offset > bss->offset))
			bss = s;
	}
	if (!bss)
		return -1;
	*vaddr = off - bss->offset + bss->vaddr;
	return 0;
}

/* The PT_LOAD segment holding link-time address @vaddr, or NULL. */
static const struct seg *seg_of(const struct bb_elfsyms *e, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < e->nr_segs; i++)
		if (vaddr >= e->segs[i].vaddr && vaddr - e->segs[i].vaddr < e->segs[i].memsz)
			return &e->segs[i];
	return NULL;
}

/* A symbol without a size (assembly, _init) covers what follows it, up to
 * the next symbol, but not beyond its segment. */
static bool unsized_covers(const struct bb_elfsyms *e, const struct sym *s, uint64_t vaddr)
{
	const struct seg *seg = seg_of(e, s->addr);

	return seg && vaddr - seg->vaddr < seg->memsz;
}

const char *bb_elfsyms_find(const struct bb_elfsyms *e, uint64_t vaddr, bool data,
			    uint64_t *offset)
{
	const struct table *t = data ? &e->data : &e->code;
	size_t lo = 0, hi = t->nr, i, back;

	if (!t->nr || vaddr < t->v[0].addr)
		return NULL;
	/* Invariant: v[lo].addr <= vaddr, and every index >= hi is above. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].addr <= vaddr)
			lo = mid;
		else
			hi = mid;
	}
	/* The nearest symbol may end before @vaddr while one a little lower
	 * (a function holding a smaller one) still covers it. */
	for (i = lo, back = 0; back < 4; i--, back++) {
		const struct sym *s = &t->v[i];

		if (vaddr - s->addr < s->size ||
		    (!s->size && i == lo && unsized_covers(e, s, vaddr))) {
			*offset = vaddr - s->addr;
			return e->names + s->name;
		}
		if (!i)
			break;
	}
	return NULL;
}

/* ---- path-based helpers (usyms.h) ---------------------------------------- */

static bool name_matches(const char *sym, const char *name)
{
	size_t n = strlen(name);

	/* "malloc@@GLIBC_2.2.5" is malloc's default version in a .symtab. */
	return !strncmp(sym, name, n) && (!sym[n] || (sym[n] == '@' && sym[n + 1] == '@'));
}

static Elf_Data *versym_data(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym)
			return elf_getdata(scn, NULL);
	return NULL;
}

/* Lower is better: the default version, global, then weak, then local. */
static int func_score(const GElf_Sym *s, Elf_Data *versym, size_t i)
{
	GElf_Versym v;
	int score = bind_rank(GELF_ST_BIND(s->st_info));

	if (versym && gelf_getversym(versym, i, &v) && (v & 0x8000))
		score += 4;	/* a hidden, older version: memcpy@GLIBC_2.2.5 */
	return score;
}

/* Searches one symbol table section type; true when found. */
static bool find_in(Elf *elf, Elf64_Word type, const char *name, uint64_t *vaddr,
		    uint64_t *size, bool *seen)
{
	Elf_Scn *scn = NULL;
	int best = 1 << 30, score;
	size_t i, n;
	GElf_Shdr sh;
	GElf_Sym s;
	Elf_Data *d, *versym = type == SHT_DYNSYM ? versym_data(elf) : NULL;
	const char *sname;
	bool data;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type)
			continue;
		*seen = true;
		d = elf_getdata(scn, NULL);
		n = nr_syms(elf, d);
		for (i = 1; i < n; i++) {
			if (!gelf_getsym(d, i, &s) || !wanted(&s, &data) || data)
				continue;
			sname = elf_strptr(elf, sh.sh_link, s.st_name);
			if (!sname || !name_matches(sname, name))
				continue;
			score = func_score(&s, versym, i);
			if (score < best) {
				best = score;
				*vaddr = s.st_value;
				*size = s.st_size;
			}
		}
	}
	return best != 1 << 30;
}

static bool find_func(Elf *elf, const char *name, uint64_t *vaddr, uint64_t *size,
		      bool *has_symtab)
{
	bool dyn = false;

	*has_symtab = false;
	return find_in(elf, SHT_SYMTAB, name, vaddr, size, has_symtab) ||
	       find_in(elf, SHT_DYNSYM, name, vaddr, size, &dyn);
}

/* The file offset of the byte at link-time address @vaddr. */
static bool vaddr_to_offset(Elf *elf, uint64_t vaddr, unsigned long long *off)
{
	size_t i, n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n) || n > MAX_PHDRS)
		return false;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

/*
 * The debug file of ELF @path, looked for as the symbolizer does: a file
 * seen through a process's root (/proc/PID/root/usr/lib/x.so, a
 * container's) has its debug files in that root first.
 */
static bool find_debug_of_path(struct debug *dbg, Elf *elf, const struct stat *st,
			       const char *path)
{
	char root[32], real[PATH_MAX];
	int pid, n = 0;

	if (sscanf(path, "/proc/%d/root%n", &pid, &n) == 1 && n && path[n] == '/' &&
	    n < (int)sizeof(root)) {
		snprintf(root, sizeof(root), "%.*s", n, path);
		return find_debug(dbg, elf, st->st_dev, st->st_ino, path + n, root);
	}
	return find_debug(dbg, elf, st->st_dev, st->st_ino,
			  realpath(path, real) ? real : path, NULL);
}

int bb_elf_func_offset(const char *path, const char *name, unsigned long long *offset)
{
	unsigned long long size;

	return bb_elf_func_range(path, name, offset, &size);
}

int bb_elf_func_range(const char *path, const char *name, unsigned long long *offset,
		      unsigned long long *size)
{
	struct debug dbg = { .fd = -1 };
	bool found, has_symtab;
	uint64_t vaddr = 0, sz = 0;
	struct stat st;
	int fd, ret = -1;
	Elf *elf;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	elf = fstat(fd, &st) || !S_ISREG(st.st_mode) ? NULL : elf_open_fd(fd);
	if (!elf) {
		close(fd);
		errno = ENOEXEC;
		return -1;
	}
	found = find_func(elf, name, &vaddr, &sz, &has_symtab);
	if (!found && !has_symtab && find_debug_of_path(&dbg, elf, &st, path)) {
		found = find_in(dbg.elf, SHT_SYMTAB, name, &vaddr, &sz, &has_symtab);
		debug_close(&dbg);
	}
	if (!found)
		errno = ENOENT;
	else if (!vaddr_to_offset(elf, vaddr, offset))
		errno = ENOEXEC;
	else
		ret = 0;
	*size = sz;
	elf_end(elf);
	close(fd);
	return ret;
}

int bb_elf_interp(const char *path, char *interp, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ret = -1;
	const char *s;
	struct stat st;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	Elf_Data *d;
	size_t i, n;
	Elf *elf;

	if (interp && len)
		*interp = 0;
	if (fd < 0)
		return -1;
	elf = fstat(fd, &st) || !S_ISREG(st.st_mode) ? NULL : elf_open_fd(fd);
	errno = ENOEXEC;
	/* libelf counts no program headers when they are cut off: "static"
	 * would be a guess, the header says how many there should be. */
	if (elf && gelf_getehdr(elf, &eh) && !elf_getphdrnum(elf, &n) && n <= MAX_PHDRS &&
	    (n == eh.e_phnum || eh.e_phnum == PN_XNUM)) {
		ret = 1;
		for (i = 0; i < n; i++) {
			if (!gelf_getphdr(elf, i, &ph)) {
				ret = -1;	/* cut short: cannot tell */
				break;
			}
			if (ph.p_type != PT_INTERP)
				continue;
			d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz, ELF_T_BYTE);
			s = d && d->d_buf ? d->d_buf : NULL;
			if (!s || !d->d_size || !memchr(s, 0, d->d_size)) {
				ret = -1;	/* a PT_INTERP we cannot read */
				break;
			}
			if (interp && len)
				snprintf(interp, len, "%s", s);
			ret = 0;
			break;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

/* ---- what the dynamic linker reads (uprobes.c's allocator search) --------- */

/* @path as a libelf handle on a regular file; NULL + errno. */
static Elf *elf_open_path(const char *path, int *fd)
{
	struct stat st;
	Elf *elf;

	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0)
		return NULL;
	elf = fstat(*fd, &st) || !S_ISREG(st.st_mode) ? NULL : elf_open_fd(*fd);
	if (!elf) {
		close(*fd);
		errno = ENOEXEC;
	}
	return elf;
}

static char *dyn_string(Elf *elf, size_t strtab, GElf_Xword off)
{
	const char *s = elf_strptr(elf, strtab, off);

	return s ? bb_xstrdup(s) : NULL;
}

int bb_elf_dynamic(const char *path, struct bb_elf_dynamic *out)
{
	Elf_Scn *scn = NULL;
	size_t i, n, nr = 0;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Data *d;
	char *s;
	int fd;
	Elf *elf = elf_open_path(path, &fd);

	memset(out, 0, sizeof(*out));
	if (!elf)
		return -1;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? d->d_size / sh.sh_entsize : 0;
		out->needed = bb_xcalloc(n + 1, sizeof(*out->needed));
		for (i = 0; i < n && gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++) {
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH)
				continue;
			s = dyn_string(elf, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				continue;
			if (dyn.d_tag == DT_NEEDED)
				out->needed[nr++] = s;
			else if (dyn.d_tag == DT_RPATH && !out->rpath)
				out->rpath = s;
			else if (dyn.d_tag == DT_RUNPATH && !out->runpath)
				out->runpath = s;
			else
				free(s);
		}
		break;
	}
	if (!out->needed)
		out->needed = bb_xcalloc(1, sizeof(*out->needed));
	elf_end(elf);
	close(fd);
	return 0;
}

void bb_elf_dynamic_free(struct bb_elf_dynamic *d)
{
	char **p;

	for (p = d->needed; p && *p; p++)
		free(*p);
	free(d->needed);
	free(d->rpath);
	free(d->runpath);
	memset(d, 0, sizeof(*d));
}

bool bb_elf_exports(const char *path, const char *name)
{
	uint64_t vaddr, size;
	bool has_dynsym, found;
	int fd;
	Elf *elf = elf_open_path(path, &fd);

	if (!elf)
		return false;
	found = find_in(elf, SHT_DYNSYM, name, &vaddr, &size, &has_dynsym);
	elf_end(elf);
	close(fd);
	return found;
}

/* Is @type, in a file for @machine, a relocation that fills a GOT slot
 * with a symbol's address (a data reference, or a PLT call's slot)? */
static bool got_reloc(unsigned machine, unsigned type)
{
	switch (machine) {
	case EM_X86_64:
		return type == R_X86_64_GLOB_DAT || type == R_X86_64_JUMP_SLOT;
	case EM_AARCH64:
		return type == R_AARCH64_GLOB_DAT || type == R_AARCH64_JUMP_SLOT;
	}
	return false;
}

/* Is relocation @r of section @sh one that fills a slot with @name's address? */
static bool reloc_names(Elf *elf, unsigned machine, const GElf_Shdr *sh, const GElf_Rela *r,
			const char *name)
{
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	GElf_Shdr symsh;
	GElf_Sym s;
	const char *sname;

	if (!got_reloc(machine, GELF_R_TYPE(r->r_info)))
		return false;
	if (!symscn || !gelf_getshdr(symscn, &symsh) ||
	    !gelf_getsym(elf_getdata(symscn, NULL), GELF_R_SYM(r->r_info), &s))
		return false;
	sname = elf_strptr(elf, symsh.sh_link, s.st_name);
	return sname && !strcmp(sname, name);
}

int bb_elf_import_slots(const char *path, const char *name, unsigned long long *offsets,
			int max)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Rela r;
	Elf_Data *d;
	size_t i, n;
	int fd, found = 0;
	Elf *elf = elf_open_path(path, &fd);

	if (!elf)
		return -1;
	if (!gelf_getehdr(elf, &eh))
		eh.e_machine = EM_NONE;
	while (found < max && (scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? d->d_size / sh.sh_entsize : 0;
		for (i = 0; i < n && found < max; i++)
			if (gelf_getrela(d, i, &r) && reloc_names(elf, eh.e_machine, &sh, &r, name) &&
			    vaddr_to_offset(elf, r.r_offset, &offsets[found]))
				found++;
	}
	elf_end(elf);
	close(fd);
	if (!found)
		errno = ENOENT;
	return found ? found : -1;
}

int bb_elf_import_slot(const char *path, const char *name, unsigned long long *offset)
{
	return bb_elf_import_slots(path, name, offset, 1) == 1 ? 0 : -1;
}
