// SPDX-License-Identifier: GPL-2.0
/*
 * ml_fork: memleak -f's workload.  The parent forks a child that leaks
 * 5 x 1000 bytes (child_leak) and exits with status 3; the parent leaks
 * 1 x 77 bytes (parent_leak), waits for it and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#define NOINLINE __attribute__((noinline))

void *volatile sink;	/* the compiler may not drop an allocation it sees unused */

NOINLINE void child_leak(void)
{
	for (int i = 0; i < 5; i++)
		sink = malloc(1000);
}

NOINLINE void parent_leak(void)
{
	sink = malloc(77);
}

int main(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (!pid) {
		child_leak();
		_exit(3);
	}
	parent_leak();
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	printf("ml_fork: parent %d, child %d exited with %d\n", getpid(), pid,
	       WEXITSTATUS(status));
	return 0;
}
