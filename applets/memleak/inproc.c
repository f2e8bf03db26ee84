// SPDX-License-Identifier: GPL-2.0
/* memleak's in-process engine, bpfbox's side: see inproc.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create, asprintf, strchrnul */
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "../../common/bpfbox.h"
#include "../../common/bpfobj.h"
#include "../../common/elfsyms.h"
#include "../../common/unwind.h"
#include "../../common/usyms.h"
#include "inproc.h"
#include "mlpreload.gz.h"

/* ---- what a program is ------------------------------------------------------ */

int ml_elf_interp(const unsigned char *buf, size_t len, char *out, size_t outlen)
{
	const Elf64_Ehdr *eh = (const void *)buf;
	Elf64_Phdr ph;
	size_t i, n;

	if (outlen)
		*out = 0;
	if (len < sizeof(*eh) || memcmp(buf, ELFMAG, SELFMAG) || buf[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(ph) || eh->e_phoff > len)
		return -1;
	for (i = 0; i < eh->e_phnum; i++) {
		if ((len - eh->e_phoff) / sizeof(ph) <= i)
			return -1;	/* the headers run past what was read */
		memcpy(&ph, buf + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset || !outlen)
			return -1;
		n = ph.p_filesz < outlen ? ph.p_filesz : outlen - 1;
		memcpy(out, buf + ph.p_offset, n);
		out[n] = 0;
		return 1;
	}
	return 0;
}

enum ml_program ml_interp_kind(const char *interp)
{
	const char *base = strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;

	return strncmp(base, "ld-linux", 8) ? ML_PROG_OTHER : ML_PROG_GLIBC;
}

/* "#!/path/interp arg": the interpreter's path. */
static bool shebang(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t i = 2, n;

	if (len < 3 || buf[0] != '#' || buf[1] != '!')
		return false;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	for (n = 0; i + n < len && buf[i + n] != '\n' && buf[i + n] != ' ' &&
		    buf[i + n] != '\t'; n++)
		;
	if (!n || n >= outlen)
		return false;
	memcpy(out, buf + i, n);
	out[n] = 0;
	return true;
}

enum ml_program ml_program_kind(const char *path)
{
	static unsigned char buf[4096];
	char file[PATH_MAX], interp[PATH_MAX];
	int depth, fd, r;
	ssize_t n;

	snprintf(file, sizeof(file), "%s", path);
	for (depth = 0; depth < 4; depth++) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return ML_PROG_UNKNOWN;
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n <= 0)
			return ML_PROG_UNKNOWN;
		if (shebang((const char *)buf, n, interp, sizeof(interp))) {
			snprintf(file, sizeof(file), "%s", interp);
			continue;
		}
		r = ml_elf_interp(buf, n, interp, sizeof(interp));
		if (r < 0)
			return ML_PROG_UNKNOWN;
		return r ? ml_interp_kind(interp) : ML_PROG_STATIC;
	}
	return ML_PROG_UNKNOWN;
}

bool ml_find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	int n;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return true;
	}
	for (p = path ? path : "/usr/local/bin:/bin:/usr/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		n = snprintf(out, len, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", name);
		if (n > 0 && (size_t)n < len && !access(out, X_OK))
			return true;
	}
	return false;
}

/* ---- the tables ---------------------------------------------------------------- */

static struct ml_shm *shm;
static struct ml_shm_alloc *allocs;
static struct ml_shm_stack *stacks;
static struct ml_shm_row *rows;
static struct ml_shm_maps *maps;	/* [2] */
/* A file whose rows are in the table (nr 0: none, or no room). */
static struct { const struct bb_elfsyms *elf; uint32_t first, nr; } files[256];
static size_t nr_files;

static int new_memfd(const char *name, size_t size)
{
	int fd = memfd_create(name, 0);	/* inherited: the target opens it */

	if (fd >= 0 && ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The object, written to a memfd: the path LD_PRELOAD names. */
static int object_fd(void)
{
	size_t size;
	const void *so = bb_bpf_inflate(mlpreload_gz, sizeof(mlpreload_gz), &size);
	int fd = so ? memfd_create("bpfbox-memleak.so", 0) : -1;

	if (fd >= 0 && write(fd, so, size) != (ssize_t)size) {
		close(fd);
		fd = -1;
	}
	free((void *)so);
	return fd;
}

static int object_memfd = -1, table_memfd = -1;

static void set_preload(int so_fd, int table_fd)
{
	const char *old = getenv("LD_PRELOAD");
	char *v, num[16];

	/* First in the list: the others (a preloaded jemalloc) come next. */
	if (asprintf(&v, "/proc/self/fd/%d%s%s", so_fd, old && *old ? ":" : "",
		     old ? old : "") < 0)
		bb_die("out of memory");
	setenv("LD_PRELOAD", v, 1);
	free(v);
	snprintf(num, sizeof(num), "%d", table_fd);
	setenv(ML_SHM_ENV, num, 1);
	object_memfd = so_fd;
	table_memfd = table_fd;
}

void ml_inproc_paths(char *so, char *table, char *event, size_t len)
{
	snprintf(so, len, "/proc/%d/fd/%d", (int)getpid(), object_memfd);
	snprintf(table, len, "/proc/%d/fd/%d", (int)getpid(), table_memfd);
	snprintf(event, len, "/proc/%d/fd/%d", (int)getpid(), shm ? shm->event_fd : -1);
}

/* The pipe that tells the object bpfbox is still there (shm.h): its read
 * end inherited, its write end ours alone (close-on-exec), never written. */
static void alive_pipe(void)
{
	struct stat st;
	int p[2];

	shm->alive_fd = -1;
	if (pipe2(p, O_NONBLOCK))
		return;
	if (fcntl(p[1], F_SETFD, FD_CLOEXEC) || fstat(p[0], &st)) {
		close(p[0]);
		close(p[1]);
		return;
	}
	shm->alive_dev = st.st_dev;
	shm->alive_ino = st.st_ino;
	shm->bpfbox_pid = getpid();
	shm->alive_fd = p[0];
}

bool ml_inproc_prepare(uint32_t max_allocs, uint64_t min_size, uint64_t max_size,
		       uint32_t sample_every)
{
	uint32_t slots = 1024;
	uint64_t size;
	int fd, so;

	while (slots < 2ULL * max_allocs)
		slots *= 2;
	size = ml_shm_size(slots);
	fd = new_memfd("bpfbox-memleak-table", size);
	if (fd < 0)
		return false;
	shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	so = shm != MAP_FAILED ? object_fd() : -1;
	if (so < 0) {
		close(fd);
		shm = NULL;
		return false;
	}
	shm->alloc_slots = slots;
	shm->max_allocs = max_allocs;
	shm->min_size = min_size;
	shm->max_size = max_size;
	shm->sample_every = sample_every;
	shm->alloc_off = 4096;
	shm->stack_off = 4096 + (uint64_t)slots * sizeof(struct ml_shm_alloc);
	shm->rows_off = shm->stack_off + (uint64_t)ML_SHM_STACKS * sizeof(struct ml_shm_stack);
	shm->maps_off = shm->rows_off + (uint64_t)ML_SHM_ROWS * sizeof(struct ml_shm_row);
	shm->size = size;
	shm->event_fd = eventfd(0, EFD_NONBLOCK);	/* inherited, as the memfds */
	alive_pipe();
	allocs = (void *)((char *)shm + shm->alloc_off);
	stacks = (void *)((char *)shm + shm->stack_off);
	rows = (void *)((char *)shm + shm->rows_off);
	maps = (void *)((char *)shm + shm->maps_off);
	__atomic_store_n(&shm->magic, ML_SHM_MAGIC, __ATOMIC_RELEASE);
	set_preload(so, fd);
	return true;
}

void ml_inproc_follow(int pid)
{
	size_t len;
	uint32_t i;

	if (!shm)
		return;
	len = (size_t)shm->alloc_slots * sizeof(*allocs);
	shm->active_pid = 0;
	/* The blocks of an image gone: holes again (its memory back). */
	if (madvise(allocs, len, MADV_REMOVE))
		memset(allocs, 0, len);
	for (i = 0; i < ML_SHM_STACKS; i++)
		stacks[i].count = stacks[i].bytes = 0;
	shm->live = 0;
	shm->lock = 0;		/* a thread the exec ended may have held it */
	/* The new image's mappings come with ml_inproc_set_maps. */
	maps[0].nr = maps[1].nr = 0;
	shm->rows_used = 0;
	nr_files = 0;
	__atomic_store_n(&shm->active_pid, pid, __ATOMIC_RELEASE);
}

/* ---- unwind rows for the object's walker -------------------------------------- */

static size_t file_rows(const struct bb_elfsyms *elf, uint32_t *first)
{
	const struct bb_unwind_rows *r;
	size_t i, j;

	for (i = 0; i < nr_files; i++)
		if (files[i].elf == elf) {
			*first = files[i].first;
			return files[i].nr;
		}
	if (nr_files == ARRAY_SIZE(files))
		return 0;
	files[nr_files] = (typeof(files[0])){ .elf = elf };
	r = bb_elfsyms_unwind_rows(elf);
	if (r && r->nr && r->v[r->nr - 1].pc <= UINT32_MAX &&
	    r->nr <= ML_SHM_ROWS - shm->rows_used) {
		for (j = 0; j < r->nr; j++)
			rows[shm->rows_used + j] = (struct ml_shm_row){
				.pc = r->v[j].pc, .cfa_off = r->v[j].cfa_off,
				.ra_off = r->v[j].ra_off, .fp_off = r->v[j].fp_off,
				.cfa = r->v[j].cfa };
		files[nr_files].first = shm->rows_used;
		files[nr_files].nr = r->nr;
		shm->rows_used += r->nr;
	}
	*first = files[nr_files].first;
	return files[nr_files++].nr;
}

static void add_map(const struct bb_usyms_code *c, void *ctx)
{
	struct ml_shm_maps *m = ctx;
	struct ml_shm_map *e;

	if (m->nr == ML_SHM_MAPS)
		return;		/* the rest: walked by libgcc */
	e = &m->m[m->nr++];
	*e = (struct ml_shm_map){ .start = c->start, .end = c->end, .bias = c->bias };
	if (c->elf)
		e->row_nr = file_rows(c->elf, &e->row_first);
}

static int cmp_map(const void *a, const void *b)
{
	const struct ml_shm_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void ml_inproc_set_maps(struct bb_usyms *u)
{
	uint32_t next;
	struct ml_shm_maps *m;

	if (!shm || !u)
		return;
	next = !__atomic_load_n(&shm->maps_cur, __ATOMIC_ACQUIRE);
	m = &maps[next];
	m->nr = 0;
	bb_usyms_each_code(u, add_map, m);
	qsort(m->m, m->nr, sizeof(m->m[0]), cmp_map);
	__atomic_store_n(&shm->maps_cur, next, __ATOMIC_RELEASE);
	/* Whoever waits for the new mappings goes on. */
	__atomic_fetch_add(&shm->maps_seq, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &shm->maps_seq, FUTEX_WAKE, 1 << 30, NULL, NULL, 0);
}

int ml_inproc_event_fd(void)
{
	return shm ? shm->event_fd : -1;
}

void ml_inproc_drain(void)
{
	uint64_t n;

	if (shm && shm->event_fd >= 0 && read(shm->event_fd, &n, sizeof(n)) < 0)
		return;
}

void ml_inproc_walks(uint64_t *by_rows, uint64_t *by_libgcc)
{
	*by_rows = shm ? shm->walked : 0;
	*by_libgcc = shm ? shm->fallbacks : 0;
}

int ml_inproc_pid(void)
{
	return shm ? shm->active_pid : 0;
}

void ml_inproc_extent(uint64_t *start, uint64_t *end)
{
	*start = shm ? shm->mapped_at : 0;
	*end = shm ? shm->mapped_at + shm->size : 0;
}

bool ml_inproc_loaded(int pid)
{
	return shm && (int)shm->loaded_pid == pid;
}

/*
 * The entries of a table (@size bytes each from @off in the memfd, @nr of
 * them) that lie in pages written, [*first, *last) from entry *first on;
 * false past the last.  A page nobody wrote is a hole of the memfd: read
 * through the mapping, the kernel would give it a page and clear it (all
 * 64 MB of the live-block table, for a program that had a few blocks).
 */
static bool written_entries(uint64_t off, uint64_t size, uint32_t nr, uint32_t *first,
			    uint32_t *last)
{
	off_t from = off + (uint64_t)*first * size, data, hole;

	if (*first >= nr)
		return false;
	data = lseek(table_memfd, from, SEEK_DATA);
	if (data < 0) {
		if (errno == ENXIO)
			return false;	/* holes to the end */
		*last = nr;		/* no SEEK_DATA: all of it */
		return true;
	}
	hole = lseek(table_memfd, data, SEEK_HOLE);
	if (hole < 0)
		hole = off + (uint64_t)nr * size;
	*first = (data - off) / size;
	*last = (hole - off + size - 1) / size;
	if (*last > nr)
		*last = nr;
	return *first < nr;
}

void ml_inproc_each_alloc(void (*fn)(void *ctx, const struct ml_shm_alloc *a), void *ctx)
{
	struct ml_shm_alloc a;
	uint32_t i = 0, end;

	while (shm && written_entries(shm->alloc_off, sizeof(a), shm->alloc_slots, &i, &end))
		for (; i < end; i++) {
			a = allocs[i];	/* a copy: the target may change it meanwhile */
			if (!a.addr)
				continue;
			if (a.stack >= ML_SHM_STACKS)
				a.stack = -1;
			fn(ctx, &a);
		}
}

void ml_inproc_each_stack(void (*fn)(void *ctx, int32_t id, const struct ml_shm_stack *s),
			  void *ctx)
{
	struct ml_shm_stack s;
	uint32_t i = 0, end;

	while (shm && written_entries(shm->stack_off, sizeof(s), ML_SHM_STACKS, &i, &end))
		for (; i < end; i++) {
			if (!__atomic_load_n(&stacks[i].ready, __ATOMIC_ACQUIRE))
				continue;
			s = stacks[i];
			if (s.nr > ML_SHM_FRAMES)
				s.nr = ML_SHM_FRAMES;
			fn(ctx, ML_SHM_STACK_BASE + i, &s);
		}
}

void ml_inproc_lost(uint64_t *lost_allocs, uint64_t *lost_stacks)
{
	*lost_allocs = shm ? shm->lost_allocs + shm->nested : 0;
	*lost_stacks = shm ? shm->lost_stacks : 0;
}

size_t ml_inproc_object_size(void)
{
	return sizeof(mlpreload_gz);
}
