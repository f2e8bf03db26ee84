// SPDX-License-Identifier: GPL-2.0
/*
 * startup: time from exec of a tracer until it prints given lines.
 *
 *   startup [-T TIMEOUT_SEC] -m PATTERN [-m PATTERN...] -- CMD [ARGS...]
 *
 * Runs CMD with stdout and stderr on one pipe, and prints, for each
 * PATTERN (a substring), "ms PATTERN" with the milliseconds from just
 * before execve() until the first line containing it was read ("-1" if it
 * never came).  Once every pattern was seen (or at the timeout), CMD gets
 * SIGINT, its remaining output is drained, and it is reaped (SIGKILL after
 * 10 s).  Exit status: 0 if all patterns were seen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAT 8

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	const char *pat[MAX_PAT];
	double seen[MAX_PAT], t0, timeout = 30;
	char buf[65536], line[4096];
	size_t llen = 0;
	int npat = 0, left, c, i, p[2], status, killed = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "+T:m:")) != -1) {
		if (c == 'T')
			timeout = atof(optarg);
		else if (c == 'm' && npat < MAX_PAT)
			pat[npat++] = optarg;
		else {
			fprintf(stderr, "usage: startup [-T SEC] -m PATTERN... -- CMD [ARGS]\n");
			return 2;
		}
	}
	if (optind >= argc || !npat) {
		fprintf(stderr, "usage: startup [-T SEC] -m PATTERN... -- CMD [ARGS]\n");
		return 2;
	}
	for (i = 0; i < npat; i++)
		seen[i] = -1;
	left = npat;
	if (pipe2(p, O_CLOEXEC))
		return 2;
	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		double now = now_ms();
		ssize_t n;
		int r;

		if (left && now - t0 > timeout * 1e3 && !killed) {
			kill(pid, SIGINT);
			killed = 1;
		}
		r = poll(&pfd, 1, 100);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0) {
			if (killed && now_ms() - t0 > timeout * 1e3 + 10e3)
				kill(pid, SIGKILL);
			continue;
		}
		n = read(p[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		now = now_ms();
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n' && llen < sizeof(line) - 1) {
				line[llen++] = buf[i];
				continue;
			}
			if (buf[i] != '\n')
				continue;
			line[llen] = 0;
			llen = 0;
			for (c = 0; c < npat; c++)
				if (seen[c] < 0 && strstr(line, pat[c])) {
					seen[c] = now - t0;
					left--;
				}
		}
		if (!left && !killed) {
			kill(pid, SIGINT);
			killed = 1;
		}
	}
	waitpid(pid, &status, 0);
	for (i = 0; i < npat; i++)
		printf("%.1f %s\n", seen[i], pat[i]);
	return left ? 1 : 0;
}
