// SPDX-License-Identifier: GPL-2.0
/*
 * unwind_leaks: leaks made inside libc and through a chain of functions,
 * for the stack tests (tests/run-e2e-stacks.sh).  Built there with and
 * without frame pointers; valgrind's stacks are the oracle.  Each leak
 * has its own caller chain down to main:
 *   dup_leak -> strdup                         1 x 6 bytes ("hello")
 *   line_leak -> getline                       the line buffer (120 bytes)
 *   open_leak -> fopen                         the FILE (472 bytes)
 *   chain1 -> chain2 -> chain3 -> chain4 -> malloc   1 x 4444 bytes
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

void *volatile sink[8];

NOINLINE void dup_leak(const char *s)
{
	sink[0] = strdup(s);
}

NOINLINE void line_leak(FILE *f)
{
	char *line = NULL;
	size_t n = 0;

	if (getline(&line, &n, f) > 0)
		sink[1] = line;
}

NOINLINE void open_leak(const char *path)
{
	sink[2] = fopen(path, "r");
}

NOINLINE void chain4(size_t n) { sink[3] = malloc(n); __asm__ volatile("" ::: "memory"); }
NOINLINE void chain3(size_t n) { chain4(n + 1); __asm__ volatile("" ::: "memory"); }
NOINLINE void chain2(size_t n) { chain3(n + 1); __asm__ volatile("" ::: "memory"); }
NOINLINE void chain1(size_t n) { chain2(n + 1); __asm__ volatile("" ::: "memory"); }

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "/proc/self/cmdline", "r");

	if (!f)
		return 1;
	dup_leak("hello");
	line_leak(f);
	open_leak("/dev/null");
	chain1(4441);
	fclose(f);
	return 0;
}
