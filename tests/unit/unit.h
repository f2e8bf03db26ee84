/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny helpers shared by the unit tests: TAP-like result lines, a private
 * temporary directory removed at exit, file helpers, and a way to run code
 * that is expected to exit (bb_die) in a child and look at how it ended.
 *
 * Every check prints "ok - what" or "not ok - what"; unit_done() returns
 * the exit status.  KNOWN_BUG() checks print "not ok - what # TODO ..."
 * when they fail: TAP's "todo", which tests/run-unit.sh reports apart
 * and does not count as a failure.  Once the bug is fixed the check
 * passes like any other (drop the marker then).
 */
#ifndef BB_UNIT_H
#define BB_UNIT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* glibc: the sanitized build defines it everywhere */
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

struct unit_state {
	int pass, fail, todo;
	pid_t owner;
	char dir[64];
};

static struct unit_state unit __attribute__((unused));

static inline void unit_vreport(bool ok, const char *todo, const char *file, int line,
				const char *fmt, va_list ap)
{
	printf("%s - ", ok ? "ok" : "not ok");
	vprintf(fmt, ap);
	if (!ok && todo)
		printf(" # TODO known bug: %s", todo);
	putchar('\n');
	if (!ok)
		printf("#   at %s:%d\n", file, line);
	if (ok)
		unit.pass++;
	else if (todo)
		unit.todo++;
	else
		unit.fail++;
	fflush(stdout);
}

static inline __attribute__((format(printf, 5, 6)))
bool unit_check(bool ok, const char *todo, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_vreport(ok, todo, file, line, fmt, ap);
	va_end(ap);
	return ok;
}

/* Extra diagnostics: one TAP comment line (newlines shown as \n). */
static inline __attribute__((format(printf, 1, 2))) void unit_diag(const char *fmt, ...)
{
	char buf[512], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("#   ");
	for (p = buf; *p; p++)
		if (*p == '\n')
			fputs("\\n", stdout);
		else
			putchar(*p);
	putchar('\n');
}

#define CHECK(cond, ...) unit_check(!!(cond), NULL, __FILE__, __LINE__, __VA_ARGS__)
#define KNOWN_BUG(cond, bug, ...) unit_check(!!(cond), bug, __FILE__, __LINE__, __VA_ARGS__)

#define CHECK_U64(got, want, ...) ({						\
	unsigned long long _g = (got), _w = (want);				\
	bool _ok = CHECK(_g == _w, __VA_ARGS__);				\
	if (!_ok)								\
		unit_diag("got %llu (0x%llx), want %llu (0x%llx)", _g, _g, _w, _w); \
	_ok;									\
})

#define CHECK_STR(got, want, ...) ({						\
	const char *_g = (got), *_w = (want);					\
	bool _ok = CHECK(_g && _w && !strcmp(_g, _w), __VA_ARGS__);		\
	if (!_ok)								\
		unit_diag("got \"%s\", want \"%s\"", _g ? _g : "(null)",	\
			  _w ? _w : "(null)");					\
	_ok;									\
})

#define CHECK_CONTAINS(hay, needle, ...) ({					\
	const char *_h = (hay), *_n = (needle);					\
	bool _ok = CHECK(_h && strstr(_h, _n), __VA_ARGS__);			\
	if (!_ok)								\
		unit_diag("\"%s\" does not contain \"%s\"", _h ? _h : "(null)", _n); \
	_ok;									\
})

static inline int unit_done(void)
{
	printf("# %d passed, %d failed, %d known bugs\n", unit.pass, unit.fail, unit.todo);
	fflush(stdout);
	return unit.fail ? 1 : 0;
}

static inline int unit_rm_one(const char *path, const struct stat *st, int flag,
			      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void unit_cleanup(void)
{
	/* Children (fork) exit through bb_die() too: only the owner cleans. */
	if (unit.dir[0] && getpid() == unit.owner)
		nftw(unit.dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory for this test binary, removed when it exits. */
static inline const char *unit_tmpdir(void)
{
	if (unit.dir[0])
		return unit.dir;
	snprintf(unit.dir, sizeof(unit.dir), "/tmp/bbunit.XXXXXX");
	if (!mkdtemp(unit.dir)) {
		perror("mkdtemp");
		exit(1);
	}
	unit.owner = getpid();
	atexit(unit_cleanup);
	return unit.dir;
}

/* DIR/name in a new string (tests are short-lived: never freed). */
static inline char *unit_path(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", unit_tmpdir(), name) < 0)
		abort();
	return p;
}

static inline void unit_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* The whole file in a malloc'd, NUL-terminated buffer; NULL if unreadable. */
static inline char *unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* How a child run ended, with what it printed. */
struct unit_child {
	int status;		/* exit status, or -signal */
	char *out, *err;	/* stdout and stderr text */
};

static inline void unit_child_free(struct unit_child *c)
{
	free(c->out);
	free(c->err);
}

/*
 * Runs fn(arg) in a child with stdout and stderr captured; a child that
 * returns from fn exits 0.  Returns the exit status (or -signal).
 */
static inline int unit_run_child(void (*fn)(void *), void *arg, struct unit_child *c)
{
	char *out = unit_path("child.out"), *err = unit_path("child.err");
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(126);
		alarm(5);	/* never hang the suite */
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(1);
	}
	c->status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	c->out = unit_read_file(out, NULL);
	c->err = unit_read_file(err, NULL);
	if (!c->out)
		c->out = strdup("");
	if (!c->err)
		c->err = strdup("");
	free(out);
	free(err);
	return c->status;
}

/* Lines in a string (a last line without '\n' counts). */
static inline int unit_count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		if (*s == '\n' || !s[1])
			n++;
	return n;
}

/* A small deterministic PRNG (xorshift64*), so failures reproduce. */
static inline uint64_t unit_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
