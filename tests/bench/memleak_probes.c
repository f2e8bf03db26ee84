// SPDX-License-Identifier: GPL-2.0
/*
 * memleak_probes: what a uprobe costs, by the instruction it sits on, for
 * tests/bench/memleak.sh.
 *
 *   memleak_probes KIND [N]
 *
 * Calls f_KIND N times (default 1000000) and prints "ns_per_call X".  Each
 * f_KIND starts with one instruction, then does the same few others:
 *   push   push %rbp            emulated by the kernel (one trap)
 *   nop    nop                  emulated
 *   nop5   5-byte nop           6.18+: rewritten into a call to the uprobe
 *                               trampoline (uprobe syscall, no trap)
 *   endbr  endbr64              single-stepped out of line
 *   test   test %rdi,%rdi       single-stepped (glibc's free+0)
 * KIND "syscall" makes N getppid() system calls instead: what any kernel
 * entry costs on this machine (the floor of any per-call probe).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

long counter;

#define F(name, first)								\
	__attribute__((naked, noinline)) void name(void)			\
	{									\
		__asm__(first "\n\tpush %rbx\n\tpop %rbx\n"			\
			"\tincq counter(%rip)\n\tret\n");			\
	}

F(f_push, "push %rbp\n\tpop %rbp")
F(f_nop, "nop")
F(f_nop5, ".byte 0x0f, 0x1f, 0x44, 0x00, 0x00")
F(f_endbr, "endbr64")
F(f_test, "test %rdi, %rdi\n\tje 1f\n1:")

static const struct {
	const char *name;
	void (*f)(void);
} kinds[] = {
	{ "push", f_push }, { "nop", f_nop }, { "nop5", f_nop5 },
	{ "endbr", f_endbr }, { "test", f_test }, { "syscall", NULL },
};

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "push";
	long n = argc > 2 ? atol(argv[2]) : 1000000, i;
	void (*f)(void) = NULL;
	struct timespec a, b;
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].name, kind))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]) || n < 1) {
		fprintf(stderr, "usage: memleak_probes push|nop|nop5|endbr|test|syscall [N]\n");
		return 2;
	}
	f = kinds[k].f;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (f)
			f();
		else
			syscall(SYS_getppid);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("ns_per_call %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
