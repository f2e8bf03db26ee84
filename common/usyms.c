// SPDX-License-Identifier: GPL-2.0
/* User-space symbolizer: see usyms.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* glibc: the sanitized build defines it everywhere */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "bpfbox.h"
#include "dwarf.h"
#include "elfsyms.h"
#include "bb_shared.h"
#include "usyms.h"

/* Bigger than any vdso; a "[vdso]" this big is not one. */
#define MAX_VDSO (1 << 20)

/* A file, the vdso or a named pseudo mapping ([heap]) of the process. */
struct obj {
	char *path;		/* as in maps, " (deleted)" cut off */
	const char *module;	/* basename of path, or all of "[heap]" */
	bool file;		/* a path, not a [name] */
	bool deleted;		/* maps said " (deleted)" */
	unsigned major, minor;	/* the device and inode maps shows */
	unsigned long long ino;
	struct bb_elfsyms *elf;	/* NULL: not ELF, or no way to read it */
	unsigned long cut;	/* truncated stacks whose last frame is here */
};

struct map {
	unsigned long long start, end;
	unsigned long long base;	/* where file offset 0 would be: start - pgoff */
	struct obj *obj;	/* NULL: anonymous */
	bool writable, exec;
	bool bss;		/* anonymous, right after obj's: maybe its .bss */
	bool stale;		/* gone at a refresh, nothing took its place */
};

/* One line of a JIT's /tmp/perf-PID.map. */
struct jit_sym {
	unsigned long long start, size;
	const char *name;
	size_t seq;		/* later lines win over earlier ones */
};

struct bb_usyms {
	int pid;
	unsigned flags;
	int procfd;		/* /proc/PID: dead once the process is reaped */
	int rootfd;		/* its root when not ours, for debug files */
	char root[32];		/* "" or "/proc/self/fd/N" */
	uid_t uid;		/* its owner: who may write its perf map */
	int nspid;		/* its pid in its own namespace */
	struct map *maps;	/* sorted, not overlapping */
	size_t nr_maps;
	struct obj **objs;	/* kept until close: lookups return their names */
	size_t nr_objs;
	/* the perf map, read incrementally */
	int jit_fd;
	off_t jit_read;
	char jit_module[32];
	struct jit_sym *jit;
	size_t nr_jit, cap_jit;
	char **arena;		/* blocks of names, never moved once written */
	size_t nr_blocks;
	char *free_at;
	size_t free_left;
};

static const char *arena_dup(struct bb_usyms *u, const char *s, size_t n)
{
	char *d;

	if (n + 1 > u->free_left) {
		size_t block = n + 1 > 65536 ? n + 1 : 65536;

		u->arena = bb_xrealloc(u->arena, u->nr_blocks + 1, sizeof(*u->arena));
		u->arena[u->nr_blocks++] = u->free_at = bb_xcalloc(1, block);
		u->free_left = block;
	}
	d = u->free_at;
	memcpy(d, s, n);
	d[n] = 0;
	u->free_at += n + 1;
	u->free_left -= n + 1;
	return d;
}

/* ---- opening what the process maps ------------------------------------ */

/* Opens @rel under /proc/PID if it is a regular file with inode @ino
 * (0: any), never a device: opening some has side effects. */
static int open_regular(const struct bb_usyms *u, const char *rel, unsigned long long ino)
{
	struct stat st;
	int fd;

	if (fstatat(u->procfd, rel, &st, 0) || !S_ISREG(st.st_mode) || (ino && st.st_ino != ino))
		return -1;
	fd = openat(u->procfd, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode) || (ino && st.st_ino != ino))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

struct maps_line {
	unsigned long long start, end, pgoff, ino;
	unsigned major, minor;
	char perms[5];
	char *path;		/* "" when anonymous */
	bool deleted;
};

/* /proc/PID/exe names this mapping's file: same path (both say " (deleted)"
 * or neither), same inode. */
static bool is_exe(const struct bb_usyms *u, const struct maps_line *l)
{
	static const char deleted[] = " (deleted)";
	char link[PATH_MAX + sizeof(deleted)];
	ssize_t n = readlinkat(u->procfd, "exe", link, sizeof(link) - 1);
	size_t len = strlen(l->path);

	if (n < 0)
		return false;
	link[n] = 0;
	if (strncmp(link, l->path, len))
		return false;
	return l->deleted ? !strcmp(link + len, deleted) : !link[len];
}

/*
 * The mapped file itself, not whatever has its path now: map_files/ gives
 * exactly the mapped file (privileged); otherwise the path under the
 * process's root, if maps does not say it was deleted and the inode is the
 * one mapped; otherwise /proc/PID/exe, which follows even a deleted
 * executable.
 */
static int open_mapped(const struct bb_usyms *u, const struct maps_line *l)
{
	char rel[PATH_MAX + 8];
	int fd = -1;

	if (!(u->flags & BB_USYMS_NO_MAP_FILES)) {
		snprintf(rel, sizeof(rel), "map_files/%llx-%llx", l->start, l->end);
		fd = open_regular(u, rel, 0);
	}
	if (fd < 0 && !l->deleted && l->ino && strlen(l->path) < PATH_MAX) {
		snprintf(rel, sizeof(rel), "root%s", l->path);
		fd = open_regular(u, rel, l->ino);
	}
	if (fd < 0 && l->ino && is_exe(u, l))
		fd = open_regular(u, "exe", l->ino);
	return fd;
}

static bool is_elf(int fd)
{
	char magic[4];

	return pread(fd, magic, 4, 0) == 4 && !memcmp(magic, "\177ELF", 4);
}

/* The vdso is no file: a copy of it, from the process's memory. */
static struct bb_elfsyms *read_vdso(const struct bb_usyms *u, const struct maps_line *l)
{
	size_t len = l->end - l->start;
	void *image;
	int fd;

	if (l->end <= l->start || len > MAX_VDSO)
		return NULL;
	fd = openat(u->procfd, "mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	image = bb_xcalloc(1, len);
	if (pread(fd, image, len, l->start) != (ssize_t)len) {
		free(image);
		image = NULL;
	}
	close(fd);
	return image ? bb_elfsyms_from_image(image, len) : NULL;
}

static struct obj *new_obj(struct bb_usyms *u, const struct maps_line *l)
{
	struct obj *o = bb_xcalloc(1, sizeof(*o));
	const char *slash;
	int fd;

	o->path = bb_xstrdup(l->path);
	o->file = l->path[0] == '/';
	o->deleted = l->deleted;
	slash = strrchr(o->path, '/');
	o->module = o->file && slash ? slash + 1 : o->path;
	o->major = l->major;
	o->minor = l->minor;
	o->ino = l->ino;
	if (o->file) {
		fd = open_mapped(u, l);
		if (fd >= 0 && is_elf(fd))
			o->elf = bb_elfsyms_get(fd);
		else if (fd >= 0)
			close(fd);	/* locale archives, fonts: no symbols */
	} else if (!strcmp(l->path, "[vdso]")) {
		o->elf = read_vdso(u, l);
	}
	u->objs = bb_xrealloc(u->objs, u->nr_objs + 1, sizeof(*u->objs));
	u->objs[u->nr_objs++] = o;
	return o;
}

static bool is_obj(const struct obj *o, const struct maps_line *l)
{
	bool file = l->path[0] == '/';

	if (o->file != file)
		return false;
	/* The path too: an inode number freed (dlclose, unlink) and reused
	 * by a new file is not the file we know. */
	return o->ino == l->ino && o->major == l->major && o->minor == l->minor &&
	       !strcmp(o->path, l->path);
}

/* The same file (device, inode, path) or pseudo mapping seen before, else a
 * new one.  @prev first: a file's mappings follow each other in maps. */
static struct obj *get_obj(struct bb_usyms *u, const struct maps_line *l, struct obj *prev)
{
	size_t i;

	if (prev && is_obj(prev, l))
		return prev;
	for (i = 0; i < u->nr_objs; i++)
		if (is_obj(u->objs[i], l))
			return u->objs[i];
	return new_obj(u, l);
}

/* ---- the maps ----------------------------------------------------------- */

static bool parse_line(char *s, struct maps_line *l)
{
	static const char deleted[] = " (deleted)";
	size_t n;
	int at = 0;

	if (sscanf(s, "%llx-%llx %4s %llx %x:%x %llu %n", &l->start, &l->end, l->perms,
		   &l->pgoff, &l->major, &l->minor, &l->ino, &at) < 7 || !at)
		return false;
	l->path = s + at;
	n = strlen(l->path);
	if (n && l->path[n - 1] == '\n')
		l->path[--n] = 0;
	l->deleted = n > sizeof(deleted) - 1 &&
		     !strcmp(l->path + n - (sizeof(deleted) - 1), deleted);
	if (l->deleted)
		l->path[n - (sizeof(deleted) - 1)] = 0;
	return l->end > l->start;
}

static void add_map(struct bb_usyms *u, struct map **v, size_t *n, size_t *cap,
		    const struct maps_line *l)
{
	struct map *m, *prev = *n ? &(*v)[*n - 1] : NULL;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = bb_xrealloc(*v, *cap, sizeof(**v));
		prev = *n ? &(*v)[*n - 1] : NULL;
	}
	m = &(*v)[(*n)++];
	memset(m, 0, sizeof(*m));
	m->start = l->start;
	m->end = l->end;
	m->base = l->start - l->pgoff;
	m->writable = l->perms[1] == 'w';
	m->exec = l->perms[2] == 'x';
	if (*l->path) {
		m->obj = get_obj(u, l, prev ? prev->obj : NULL);
	} else if (prev && prev->end == l->start && prev->obj && prev->obj->elf &&
		   prev->writable && !prev->bss) {
		/* The zeroed pages of a .bss bigger than the file's last page:
		 * their "file offsets" go on from the data mapping's. */
		m->obj = prev->obj;
		m->base = prev->base;
		m->bss = true;
	}
}

/* The current maps; -1 + errno when they cannot be read (the process is gone). */
static int read_maps(struct bb_usyms *u, struct map **out, size_t *nr)
{
	size_t n = 0, cap = 0, linecap = 0;
	struct maps_line l;
	struct map *v = NULL;
	char *line = NULL;
	FILE *f;
	int fd, err;

	fd = openat(u->procfd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	while (getline(&line, &linecap, f) > 0)
		if (parse_line(line, &l))
			add_map(u, &v, &n, &cap, &l);
	err = ferror(f) ? errno : 0;
	free(line);
	fclose(f);
	if (err) {
		free(v);
		errno = err;
		return -1;
	}
	*out = v;
	*nr = n;
	return 0;
}

static int cmp_map(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The mapping holding @addr, or NULL. */
static const struct map *find_map(const struct map *v, size_t n, unsigned long long addr)
{
	size_t lo = 0, hi = n;

	if (!n || addr < v[0].start)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return addr < v[lo].end ? &v[lo] : NULL;
}

static bool overlaps(const struct map *v, size_t n, const struct map *m)
{
	size_t lo = 0, hi = n;

	/* The last of @v starting below m's end is the only one that can. */
	if (!n || v[0].start >= m->end)
		return false;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].start < m->end)
			lo = mid;
		else
			hi = mid;
	}
	return v[lo].end > m->start;
}

/* Old mappings nothing new covers stay, for addresses seen before. */
static void keep_stale(struct bb_usyms *u, struct map **v, size_t *n)
{
	size_t i, fresh = *n;

	*v = bb_xrealloc(*v, fresh + u->nr_maps, sizeof(**v));
	for (i = 0; i < u->nr_maps; i++) {
		if (overlaps(*v, fresh, &u->maps[i]))
			continue;
		(*v)[*n] = u->maps[i];
		(*v)[(*n)++].stale = true;
	}
	if (*n != fresh)
		qsort(*v, *n, sizeof(**v), cmp_map);
}

/* ---- open, refresh, close --------------------------------------------- */

static int read_nspid(int procfd, int pid)
{
	char line[256], *p;
	int fd = openat(procfd, "status", O_RDONLY | O_CLOEXEC), nspid = pid;
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return pid;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6))
			continue;
		/* The last number: the pid in the innermost namespace. */
		p = line + strlen(line);
		while (p > line && (p[-1] == '\n' || p[-1] == ' ' || p[-1] == '\t'))
			p--;
		while (p > line && p[-1] >= '0' && p[-1] <= '9')
			p--;
		nspid = atoi(p) > 0 ? atoi(p) : pid;
		break;
	}
	fclose(f);
	return nspid;
}

/* Debug files and the perf map are looked for under the process's root
 * when it is not ours (a container); a descriptor keeps it reachable
 * after the process is gone. */
static void open_root(struct bb_usyms *u)
{
	struct stat a, b;

	u->rootfd = -1;
	if (fstatat(u->procfd, "root", &a, 0) || stat("/", &b) ||
	    (a.st_dev == b.st_dev && a.st_ino == b.st_ino))
		return;
	u->rootfd = openat(u->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (u->rootfd >= 0)
		snprintf(u->root, sizeof(u->root), "/proc/self/fd/%d", u->rootfd);
}

struct bb_usyms *bb_usyms_open_flags(int pid, unsigned flags)
{
	struct bb_usyms *u;
	char dir[32];
	struct stat st;
	int fd, err;

	if (pid <= 0) {
		errno = ESRCH;
		return NULL;
	}
	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = errno == ENOENT ? ESRCH : errno;
		if (fd >= 0)
			close(fd);
		errno = err;
		return NULL;
	}
	u = bb_xcalloc(1, sizeof(*u));
	u->pid = pid;
	u->flags = flags;
	u->procfd = fd;
	u->uid = st.st_uid;
	u->jit_fd = -1;
	open_root(u);
	u->nspid = read_nspid(fd, pid);
	if (read_maps(u, &u->maps, &u->nr_maps)) {
		err = errno == ENOENT ? ESRCH : errno;
		bb_usyms_close(u);
		errno = err;
		return NULL;
	}
	return u;
}

struct bb_usyms *bb_usyms_open(int pid)
{
	return bb_usyms_open_flags(pid, 0);
}

int bb_usyms_refresh(struct bb_usyms *u)
{
	struct map *v = NULL;
	size_t n = 0;

	if (!u)
		return 0;
	if (read_maps(u, &v, &n))
		return errno == ENOENT || errno == ESRCH ? 0 : -1;
	/* Nothing mapped: a zombie, whose maps are gone, not a new layout. */
	if (!n) {
		free(v);
		return 0;
	}
	keep_stale(u, &v, &n);
	free(u->maps);
	u->maps = v;
	u->nr_maps = n;
	return 0;
}

int bb_usyms_pid(const struct bb_usyms *u)
{
	return u->pid;
}

void bb_usyms_close(struct bb_usyms *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->nr_objs; i++) {
		bb_elfsyms_put(u->objs[i]->elf);
		free(u->objs[i]->path);
		free(u->objs[i]);
	}
	for (i = 0; i < u->nr_blocks; i++)
		free(u->arena[i]);
	free(u->arena);
	free(u->objs);
	free(u->maps);
	free(u->jit);
	if (u->jit_fd >= 0)
		close(u->jit_fd);
	if (u->rootfd >= 0)
		close(u->rootfd);
	if (u->procfd >= 0)
		close(u->procfd);
	free(u);
}

/* ---- the perf map of a JIT ------------------------------------------------ */

/* Only the process's owner (or root) writes its map: /tmp is everyone's. */
static int open_jit(struct bb_usyms *u)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, i;

	for (i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(path, sizeof(path), "%s/tmp/perf-%d.map", u->root, u->nspid);
		else if (*u->root || u->nspid != u->pid)
			snprintf(path, sizeof(path), "/tmp/perf-%d.map", u->pid);
		else
			break;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (!st.st_uid || st.st_uid == u->uid)) {
			snprintf(u->jit_module, sizeof(u->jit_module), "%s", strrchr(path, '/') + 1);
			return fd;
		}
		close(fd);
	}
	return -1;
}

/* "START SIZE name", hex numbers (0x optional). */
static void jit_line(struct bb_usyms *u, const char *s, size_t len)
{
	char line[1024], *end, *end2;
	unsigned long long start, size;
	struct jit_sym *j;

	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, s, len);
	line[len] = 0;
	start = strtoull(line, &end, 16);
	if (end == line || *end != ' ')
		return;
	size = strtoull(end + 1, &end2, 16);
	if (end2 == end + 1 || *end2 != ' ' || !end2[1])
		return;
	if (u->nr_jit == u->cap_jit) {
		u->cap_jit = u->cap_jit ? u->cap_jit * 2 : 256;
		u->jit = bb_xrealloc(u->jit, u->cap_jit, sizeof(*u->jit));
	}
	j = &u->jit[u->nr_jit];
	j->start = start;
	j->size = size;
	j->name = arena_dup(u, end2 + 1, strlen(end2 + 1));
	j->seq = u->nr_jit++;
}

static int cmp_jit(const void *a, const void *b)
{
	const struct jit_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Reads the lines appended since last time (only whole ones: the JIT may
 * be writing one now).  Called at each lookup in code no ELF file
 * describes, which only JITs make: a stat there costs little, and the map
 * may appear or grow at any time.
 */
static void jit_read(struct bb_usyms *u)
{
	size_t len, at = 0, done = 0, had = u->nr_jit;
	struct stat st;
	char *buf, *nl;
	ssize_t r;

	if (u->jit_fd < 0)
		u->jit_fd = open_jit(u);
	if (u->jit_fd < 0 || fstat(u->jit_fd, &st))
		return;
	if (st.st_size < u->jit_read) {
		/* Truncated: written anew (a restarted JIT).  Names handed out
		 * stay valid: they live in the arena. */
		u->jit_read = 0;
		u->nr_jit = had = 0;
	}
	if (st.st_size <= u->jit_read)
		return;
	len = st.st_size - u->jit_read;
	buf = bb_xcalloc(len + 1, 1);
	r = pread(u->jit_fd, buf, len, u->jit_read);
	len = r > 0 ? r : 0;
	while (at < len && (nl = memchr(buf + at, '\n', len - at))) {
		jit_line(u, buf + at, nl - (buf + at));
		at = nl - buf + 1;
		done = at;
	}
	u->jit_read += done;
	free(buf);
	if (u->nr_jit != had)
		qsort(u->jit, u->nr_jit, sizeof(*u->jit), cmp_jit);
}

static void jit_lookup(struct bb_usyms *u, unsigned long long addr, struct bb_usym *out)
{
	size_t lo = 0, hi, i, back;

	jit_read(u);
	hi = u->nr_jit;
	if (!hi || addr < u->jit[0].start)
		return;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->jit[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	for (i = lo, back = 0; back < 4; i--, back++) {
		const struct jit_sym *j = &u->jit[i];

		if (addr - j->start < j->size || (!j->size && addr == j->start)) {
			out->name = j->name;
			out->offset = addr - j->start;
			if (!out->module)
				out->module = u->jit_module;
			return;
		}
		if (!i)
			break;
	}
}

/* ---- lookups -------------------------------------------------------------- */

static int load_obj(struct bb_usyms *u, struct obj *o)
{
	return bb_elfsyms_load(o->elf, o->file ? o->path : NULL, u->root);
}

static int lookup(struct bb_usyms *u, unsigned long long addr, bool data, struct bb_usym *out)
{
	const struct map *m;
	bool linked = false;
	uint64_t vaddr = 0, off = 0;
	struct obj *o;

	memset(out, 0, sizeof(*out));
	m = u ? find_map(u->maps, u->nr_maps, addr) : NULL;
	if (!m)
		return -1;
	o = m->obj;
	if (o && o->elf && !load_obj(u, o))
		linked = !bb_elfsyms_vaddr(o->elf, addr - m->base, &vaddr);
	if (m->bss && !linked)
		o = NULL;	/* anonymous memory next to a file, not its .bss */
	if (o) {
		out->module = o->module;
		out->module_offset = addr - m->base;
	} else {
		out->module_offset = addr - m->start;
	}
	if (linked)
		out->name = bb_elfsyms_find(o->elf, vaddr, data, &off);
	if (out->name)
		out->offset = off;
	else if (!data && !linked && m->exec)
		jit_lookup(u, addr, out);	/* code no ELF file describes */
	return 0;
}

int bb_usyms_lookup(struct bb_usyms *u, unsigned long long addr, struct bb_usym *out)
{
	return lookup(u, addr, false, out);
}

int bb_usyms_lookup_data(struct bb_usyms *u, unsigned long long addr, struct bb_usym *out)
{
	return lookup(u, addr, true, out);
}

/* libiberty's demangler (scripts/deps.sh): a malloc'd name, or NULL. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* @name as C++ source spells it (Itanium ABI: "_Z..."), malloc'd; NULL
 * with --no-demangle or for a name that is no mangled one. */
char *bb_demangle(const char *name)
{
	if (!name || bb_opts.no_demangle || name[0] != '_' || name[1] != 'Z')
		return NULL;
	return __cxa_demangle(name, NULL, NULL, NULL);
}

void bb_frame_add_lines(char *buf, size_t len, const struct bb_srcline *l, int n)
{
	char plain[BB_FRAME_TEXT], *cxx;
	size_t at = 0;
	int i;

	if (n <= 0 || !len)
		return;
	snprintf(plain, sizeof(plain), "%s", buf);
	/* Inlined calls first, innermost first, as addr2line -i lists them. */
	for (i = 0; i < n - 1 && at < len; i++) {
		cxx = bb_demangle(l[i].name);
		at += snprintf(buf + at, len - at, "%s", cxx ? cxx : l[i].name ? l[i].name : "??");
		if (at < len && l[i].file && l[i].line)
			at += snprintf(buf + at, len - at, " (%s:%u)", l[i].file, l[i].line);
		if (at < len)
			at += snprintf(buf + at, len - at, "\n");
		free(cxx);
	}
	if (at < len)
		at += snprintf(buf + at, len - at, "%s", plain);
	if (at < len && l[n - 1].file && l[n - 1].line)
		snprintf(buf + at, len - at, " (%s:%u)", l[n - 1].file, l[n - 1].line);
}

/* Source lines of the code at @addr, a return address: its call's. */
static int lines_of(struct bb_usyms *u, unsigned long long addr, struct bb_srcline *l, int max)
{
	const struct map *m = find_map(u->maps, u->nr_maps, addr);
	uint64_t vaddr;

	if (bb_opts.no_lines || !m || !m->obj || !m->obj->elf || load_obj(u, m->obj) ||
	    bb_elfsyms_vaddr(m->obj->elf, addr - m->base, &vaddr) || !vaddr)
		return 0;
	return bb_elfsyms_lines(m->obj->elf, vaddr - 1, l, max);
}

static void format(struct bb_usyms *u, unsigned long long addr, bool data, char *buf,
		   size_t len)
{
	struct bb_srcline lines[BB_MAX_INLINED];
	struct bb_usym s;
	char *cxx;

	if (!len)
		return;
	if (lookup(u, addr, data, &s) < 0) {
		snprintf(buf, len, "0x%llx", addr);
		return;
	}
	cxx = bb_demangle(s.name);
	if (cxx)
		s.name = cxx;
	if (s.name && s.module)
		snprintf(buf, len, "%s+0x%llx (%s)", s.name, s.offset, s.module);
	else if (s.name)
		snprintf(buf, len, "%s+0x%llx", s.name, s.offset);
	else if (s.module)
		snprintf(buf, len, "%s+0x%llx", s.module, s.module_offset);
	else
		snprintf(buf, len, "0x%llx", addr);
	free(cxx);
	if (!data)
		bb_frame_add_lines(buf, len, lines, lines_of(u, addr, lines, BB_MAX_INLINED));
}

void bb_usyms_format(struct bb_usyms *u, unsigned long long addr, char *buf, size_t len)
{
	format(u, addr, false, buf, len);
}

void bb_usyms_format_data(struct bb_usyms *u, unsigned long long addr, char *buf, size_t len)
{
	format(u, addr, true, buf, len);
}

/* ---- unwinding -------------------------------------------------------------- */

void bb_usyms_each_code(struct bb_usyms *u, void (*fn)(const struct bb_usyms_code *c, void *ctx),
			void *ctx)
{
	struct bb_usyms_code c;
	const struct map *m;
	uint64_t vaddr;
	size_t i;

	for (i = 0; u && i < u->nr_maps; i++) {
		m = &u->maps[i];
		if (!m->exec || m->stale)
			continue;
		c = (struct bb_usyms_code){ .start = m->start, .end = m->end };
		if (m->obj && m->obj->elf && !load_obj(u, m->obj) &&
		    !bb_elfsyms_vaddr(m->obj->elf, m->start - m->base, &vaddr)) {
			c.elf = m->obj->elf;
			c.bias = m->start - vaddr;
		}
		c.module = m->obj ? m->obj->module : NULL;
		fn(&c, ctx);
	}
}

int bb_usyms_frame_id(struct bb_usyms *u, uint64_t addr, struct bb_usym_id *out)
{
	const struct map *m = u ? find_map(u->maps, u->nr_maps, addr) : NULL;

	memset(out, 0, sizeof(*out));
	if (!m || !m->obj || !m->obj->elf || load_obj(u, m->obj))
		return -1;
	out->file_offset = addr - m->base;
	out->build_id_len = bb_elfsyms_build_id(m->obj->elf, &out->build_id);
	if (!out->build_id_len || bb_elfsyms_vaddr(m->obj->elf, out->file_offset, &out->vaddr))
		return -1;
	return 0;
}

void bb_usyms_blame(struct bb_usyms *u, const uint64_t *frames, int n)
{
	const struct map *m;

	if (!u || n < 2 || frames[n - 1] != BB_FRAME_TRUNCATED)
		return;
	m = find_map(u->maps, u->nr_maps, frames[n - 2] - 1);
	if (m && m->obj)
		m->obj->cut++;
}

const char *bb_usyms_unwind_culprit(const struct bb_usyms *u)
{
	const struct obj *best = NULL;
	size_t i;

	for (i = 0; u && i < u->nr_objs; i++)
		if (u->objs[i]->cut && (!best || u->objs[i]->cut > best->cut))
			best = u->objs[i];
	return best ? best->module : NULL;
}

const char *bb_usyms_file(const struct bb_usyms *u, size_t i)
{
	if (i >= u->nr_objs)
		return NULL;
	return u->objs[i]->file && !u->objs[i]->deleted ? u->objs[i]->path : "";
}

unsigned long long bb_usyms_file_addr(const struct bb_usyms *u, size_t i, unsigned long long off)
{
	const struct map *m;

	if (i >= u->nr_objs)
		return 0;
	for (m = u->maps; m < u->maps + u->nr_maps; m++)
		if (m->obj == u->objs[i] && !m->stale && off >= m->start - m->base &&
		    off < m->end - m->base)
			return m->base + off;
	return 0;
}

long bb_usyms_file_of(const struct bb_usyms *u, unsigned long long addr)
{
	const struct map *m = find_map(u->maps, u->nr_maps, addr);
	size_t i;

	for (i = 0; m && m->obj && i < u->nr_objs; i++)
		if (u->objs[i] == m->obj)
			return i;
	return -1;
}

bool bb_usyms_region(const struct bb_usyms *u, size_t i, struct bb_usyms_region *out)
{
	const struct map *m;

	if (i >= u->nr_maps)
		return false;
	m = &u->maps[i];
	out->start = m->start;
	out->end = m->end;
	out->writable = m->writable && !m->stale;
	out->name = m->obj ? m->obj->module : NULL;
	return true;
}
