// SPDX-License-Identifier: GPL-2.0
/*
 * ml_busy OUT [N]: memleak's target for "bpfbox is killed mid-run".  It
 * writes "started" to OUT, then four threads each churn N malloc/realloc/
 * free rounds (default 2000000); then it forks a child that allocates and
 * exits 0, and at last execs itself ("again"), whose new image allocates
 * too before it writes its "done" line and exits 0.  So a run killed
 * half-way meets threads, a fork and an exec after its tracer is gone.
 * A line for each phase in OUT, each written whole (O_APPEND).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define NOINLINE __attribute__((noinline))
#define THREADS 4

void *volatile sink;
static long rounds = 2000000;
static const char *out;

static void say(const char *line)
{
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT, 0644);
	int n = strlen(line);

	if (fd < 0 || write(fd, line, n) != n)
		exit(1);
	close(fd);
}

NOINLINE static void *grow(void *p, long i)
{
	return realloc(p, 32 + i % 300);
}

static void *churn(void *arg)
{
	long i, sum = 0;

	(void)arg;
	for (i = 0; i < rounds; i++) {
		char *p = malloc(16 + i % 200);

		p[0] = (char)i;
		p = grow(p, i);
		sum += p[0];
		sink = p;
		free(p);
	}
	return (void *)sum;
}

/* The image after the exec: some allocations, then the end. */
static int again(void)
{
	long i;

	for (i = 0; i < 200000; i++) {
		sink = malloc(64);
		free(sink);
	}
	say("ml_busy: again: done\n");
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	char line[128];
	long total = 0;
	void *sum;
	int i, st;
	pid_t pid;

	if (argc < 2)
		return 2;
	out = argv[1];
	if (argc > 2 && !strcmp(argv[2], "again"))
		return again();
	if (argc > 2)
		rounds = atol(argv[2]);
	snprintf(line, sizeof(line), "ml_busy: started, pid %d\n", (int)getpid());
	say(line);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, churn, NULL);
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], &sum);
		total += (long)sum;
	}
	snprintf(line, sizeof(line), "ml_busy: threads done, %ld rounds, sum %ld\n",
		 THREADS * rounds, total);
	say(line);
	pid = fork();
	if (!pid) {
		for (i = 0; i < 100000; i++) {
			sink = malloc(100);
			free(sink);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	snprintf(line, sizeof(line), "ml_busy: child exited with %d\n",
		 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	say(line);
	execl("/proc/self/exe", argv[0], out, "again", (char *)NULL);
	return 1;
}
