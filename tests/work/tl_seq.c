// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's workload: a known sequence of syscalls, then an end chosen
 * by the first argument.
 *
 *   tl_seq crash DIR      the sequence, then a write through NULL (SIGSEGV)
 *                         in crash_here() <- run_and_crash() <- main()
 *   tl_seq seq DIR        the sequence, then exit(3)
 *   tl_seq loop N         N close(-1) (EBADF each), then exit(0)
 *   tl_seq threads N DIR  N threads; thread i opens DIR/missing-i i+1 times
 *                         (ENOENT), the threads one after the other
 *   tl_seq wait DIR       close(-1) every 10 ms until DIR/stop exists
 *
 * The sequence, in DIR: openat DIR/file (created), write "hello world",
 * close; openat it read-only, read 5 bytes, close; pipe2, write "ping" to
 * it; openat DIR/missing (ENOENT); nanosleep 1 ms; a TCP connect to
 * 127.0.0.1 port 1 (ECONNREFUSED: nothing listens there).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *dir;

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void sequence(void)
{
	char path[512], buf[8];
	struct timespec ms = { 0, 1000000 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(1) };
	int fd, p[2];

	path_in(path, sizeof(path), "file");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "hello world", 11) != 11)
		exit(1);
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, 5) != 5)
		exit(1);
	close(fd);
	if (pipe(p) || write(p[1], "ping", 4) != 4)
		exit(1);
	path_in(path, sizeof(path), "missing");
	if (open(path, O_RDONLY) >= 0)
		exit(1);
	nanosleep(&ms, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		exit(1);
}

/* Not a leaf (a leaf has no frame of its own: the walk would skip its caller). */
static __attribute__((noinline)) void touch(volatile int *where)
{
	asm volatile("" : : "r"(where) : "memory");
}

static __attribute__((noinline)) void crash_here(volatile int *where)
{
	touch(where);
	*where = 42;
}

static __attribute__((noinline)) void run_and_crash(void)
{
	sequence();
	crash_here(NULL);
	touch(NULL);	/* (no tail call: run_and_crash stays on the stack) */
}

static void *thread_main(void *arg)
{
	long i = (long)arg, k;
	char name[32], path[512];

	snprintf(name, sizeof(name), "missing-%ld", i);
	path_in(path, sizeof(path), name);
	for (k = 0; k <= i; k++)
		if (open(path, O_RDONLY) >= 0)
			exit(1);
	return NULL;
}

static void threads(long n)
{
	pthread_t t;
	long i;

	/* One after the other: the order of the whole run is known too. */
	for (i = 0; i < n; i++)
		if (pthread_create(&t, NULL, thread_main, (void *)i) || pthread_join(t, NULL))
			exit(1);
}

static void wait_for_stop(void)
{
	char path[512];
	struct timespec ten = { 0, 10000000 };

	path_in(path, sizeof(path), "stop");
	while (access(path, F_OK)) {
		close(-1);
		nanosleep(&ten, NULL);
	}
}

int main(int argc, char **argv)
{
	long i, n;

	if (argc == 3 && !strcmp(argv[1], "crash")) {
		dir = argv[2];
		run_and_crash();
	} else if (argc == 3 && !strcmp(argv[1], "seq")) {
		dir = argv[2];
		sequence();
		return 3;
	} else if (argc == 3 && !strcmp(argv[1], "loop")) {
		n = atol(argv[2]);
		for (i = 0; i < n; i++)
			close(-1);
		return 0;
	} else if (argc == 4 && !strcmp(argv[1], "threads")) {
		dir = argv[3];
		threads(atol(argv[2]));
		return 0;
	} else if (argc == 3 && !strcmp(argv[1], "wait")) {
		dir = argv[2];
		wait_for_stop();
		return 0;
	}
	fprintf(stderr, "usage: tl_seq crash|seq DIR | loop N | threads N DIR | wait DIR\n");
	return 2;
}
