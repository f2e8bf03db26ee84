// SPDX-License-Identifier: GPL-2.0
/*
 * ml_reaper OUT CMD [ARGS]: runs CMD as a child subreaper, so that the
 * processes it leaves behind (orphaned when it is killed) are reaped here
 * rather than by init.  In OUT: "PID started" for CMD, then for each
 * process reaped a line "PID exit N" or "PID signal N".  Ends when none is left.  The memleak e2e test
 * learns so how a program ended whose tracer (its parent) was killed.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	FILE *out;
	pid_t pid;
	int st;

	if (argc < 3 || prctl(PR_SET_CHILD_SUBREAPER, 1) || !(out = fopen(argv[1], "w")))
		return 2;
	pid = fork();
	if (!pid) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	fprintf(out, "%d started\n", (int)pid);
	fflush(out);
	while ((pid = wait(&st)) > 0 || errno == EINTR) {
		if (pid <= 0)
			continue;
		if (WIFEXITED(st))
			fprintf(out, "%d exit %d\n", (int)pid, WEXITSTATUS(st));
		else
			fprintf(out, "%d signal %d\n", (int)pid, WTERMSIG(st));
		fflush(out);
	}
	return 0;
}
