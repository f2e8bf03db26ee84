// SPDX-License-Identifier: GPL-2.0
/*
 * nomalloc: a static program with no allocator at all, for memleak's
 * "no allocator found" test.  No libc: raw syscalls from _start.
 * It says hello, reads one byte of stdin (so a test can hold it alive
 * with a fifo and attach with -p), and exits.
 *
 *   gcc -static -nostdlib -O1 -fno-stack-protector -o nomalloc memleak-nomalloc.c
 */
static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

void _start(void)
{
	static const char msg[] = "nomalloc: hello\n";
	char c;

	sys3(1, 1, (long)msg, sizeof(msg) - 1);	/* write */
	sys3(0, 0, (long)&c, 1);			/* read */
	sys3(60, 0, 0, 0);				/* exit */
	for (;;)
		;
}
