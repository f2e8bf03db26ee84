// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's benchmark loop: N syscalls as fast as they go, then the
 * time per call on stdout (ns): its own CPU time (user + system: the BPF
 * programs of a tracer run in the traced process's context, and count),
 * which other load on the machine does not inflate as it does wall time.
 * TL_LOOP_WALL=1: wall time instead (strace, perf trace: their work is in
 * another process).
 *
 *   tl_loop getppid N     getppid(): the cheapest syscall, the recorder's cost alone
 *   tl_loop openread N    openat + read 64 bytes + close of FILE (a path and
 *                         a buffer captured each time): N rounds, time per round
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;

static double now(void)
{
	struct timespec ts;

	clock_gettime(clock_id, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n, i;
	double t0;
	char buf[64];

	if (argc < 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: tl_loop getppid|openread N [FILE]\n");
		return 2;
	}
	if (getenv("TL_LOOP_WALL"))
		clock_id = CLOCK_MONOTONIC;
	t0 = now();
	if (!strcmp(argv[1], "getppid")) {
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (!strcmp(argv[1], "openread") && argc == 4) {
		for (i = 0; i < n; i++) {
			int fd = open(argv[3], O_RDONLY);

			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
				return 1;
			close(fd);
		}
	} else {
		return 2;
	}
	printf("%.1f\n", (now() - t0) / n);
	return 0;
}
