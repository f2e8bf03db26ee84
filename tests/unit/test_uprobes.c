// SPDX-License-Identifier: GPL-2.0
/*
 * Probe placement (bb_probe_points, common/uprobes.c) on synthetic x86-64
 * functions: which instructions a probe may move past, the two-way split
 * after a guard, and every reason to stay at the entry instead.  The
 * functions are built byte by byte here in the shapes compilers emit
 * (glibc's lock and free prologues among them), padded with int3.
 */
#include "unit.h"
#include "bpfbox.h"
#include "uprobes.h"

#define FN_SIZE 0x200

struct fn {
	unsigned char c[FN_SIZE];
	size_t at;		/* where put() writes next */
};

static void fn_init(struct fn *f)
{
	memset(f->c, 0xcc, sizeof(f->c));	/* int3: no branch reads it */
	f->at = 0;
}

static void put(struct fn *f, const char *bytes, size_t n)
{
	memcpy(f->c + f->at, bytes, n);
	f->at += n;
}
#define PUT(f, s) put(f, s, sizeof(s) - 1)

/* A rel32 jcc/jmp (opcode bytes @op, 1 or 2) at f->at, landing on @to. */
static void put_branch32(struct fn *f, const char *op, size_t oplen, size_t to)
{
	int32_t rel = (int32_t)(to - (f->at + oplen + 4));

	put(f, op, oplen);
	put(f, (const char *)&rel, 4);
}

/* A rel8 jcc/jmp (opcode @op) at f->at, landing on @to. */
static void put_branch8(struct fn *f, unsigned char op, size_t to)
{
	char b[2] = { (char)op, (char)(signed char)(to - (f->at + 2)) };

	put(f, b, 2);
}

static size_t points(struct fn *f, unsigned flags, unsigned long *out)
{
	return bb_probe_points(f->c, sizeof(f->c), flags, out);
}

#define WA (BB_PROBE_WHOLE | BB_PROBE_ARG1_ONLY)

/*
 * The shape of a mutex lock: test the kind word, jne to an out-of-line
 * tail call for unusual kinds, else push and go on.  @guard_extra goes
 * before the jne.  Returns the jne's target (0xc0).
 */
static size_t lock_shape(struct fn *f, const char *guard_extra, size_t extra_len)
{
	fn_init(f);
	PUT(f, "\x8b\x47\x10");			/* mov 0x10(%rdi),%eax */
	PUT(f, "\x89\xc2");			/* mov %eax,%edx */
	PUT(f, "\x81\xe2\x7f\x01\x00\x00");	/* and $0x17f,%edx */
	PUT(f, "\x83\xe0\x7c");			/* and $0x7c,%eax */
	put(f, guard_extra, extra_len);
	put_branch32(f, "\x0f\x85", 2, 0xc0);	/* jne 0xc0 */
	PUT(f, "\x53");				/* push %rbx */
	PUT(f, "\x48\x83\xec\x10");		/* sub $0x10,%rsp */
	f->at = 0xc0;
	put_branch32(f, "\xe9", 1, 0x1f0);	/* jmp the slow path */
	return 0xc0;
}

static void test_lock_split(void)
{
	unsigned long p[BB_PROBE_MAX_POINTS];
	struct fn f;

	lock_shape(&f, "", 0);
	CHECK(points(&f, WA, p) == 2 && p[0] == 0x14 && p[1] == 0xc0,
	      "lock guard: split at the push after the jne (+0x14) and its target (+0xc0)");
	CHECK(points(&f, BB_PROBE_WHOLE, p) == 1 && p[0] == 0,
	      "lock guard: programs reading more than %%rdi: stays at +0");
	CHECK(points(&f, BB_PROBE_ARG1_ONLY, p) == 1 && p[0] == 0,
	      "lock guard: function size unknown (branches into it unchecked): +0");

	lock_shape(&f, "", 0);
	f.at = 0x60;
	put_branch8(&f, 0xeb, 0xc0);		/* another way to the tail call */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0,
	      "lock guard: the target is also reached from elsewhere: +0");

	lock_shape(&f, "", 0);
	f.at = 0x80;
	put_branch32(&f, "\x0f\x84", 2, 0x14);	/* a loop back to the push */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0,
	      "lock guard: the fall-through is a branch target too: +0");

	lock_shape(&f, "\x8b\x7f\x10", 3);	/* mov 0x10(%rdi),%edi */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "lock guard writing %%rdi: +0");
	lock_shape(&f, "\x48\x89\xc4", 3);	/* mov %rax,%rsp */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "lock guard writing %%rsp: +0");
	lock_shape(&f, "\x83\xc5\x01", 3);	/* add $1,%ebp */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "lock guard writing %%rbp: +0");
	lock_shape(&f, "\x89\x47\x10", 3);	/* mov %eax,0x10(%rdi) */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "lock guard storing to memory: +0");
	lock_shape(&f, "\x83\x47\x0c\x01", 4);	/* addl $1,0xc(%rdi) */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "lock guard adding to memory: +0");
	lock_shape(&f, "\x44\x8b\x0d\x10\x20\x30\x00", 7);	/* mov x(%rip),%r9d */
	CHECK(points(&f, WA, p) == 2 && p[0] == 0x1b && p[1] == 0xc0,
	      "lock guard with a %%rip-relative load into %%r9d: split (+0x1b, +0xc0)");
	lock_shape(&f, "\x83\x7f\x30\x02", 4);	/* cmpl $2,0x30(%rdi) */
	CHECK(points(&f, WA, p) == 2 && p[0] == 0x18,
	      "lock guard with a compare of memory: split");

	/* Not emulated where the guard falls through: no gain, +0. */
	fn_init(&f);
	PUT(&f, "\x8b\x47\x10");
	put_branch32(&f, "\x0f\x85", 2, 0xc0);
	PUT(&f, "\x48\x83\xec\x10");		/* sub $0x10,%rsp */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "guard then sub %%rsp: +0");

	/* A backward guard branch is a loop, not a way out. */
	fn_init(&f);
	f.at = 0x10;
	PUT(&f, "\x8b\x47\x10");
	put_branch8(&f, 0x75, 0x0);
	PUT(&f, "\x53");
	CHECK(bb_probe_points(f.c + 0x10, FN_SIZE - 0x10, WA, p) == 1 && p[0] == 0,
	      "guard branching backwards (out of the function): +0");
}

/* A reader lock: a thread-pointer load, cmp, je to an error return. */
static void test_rwlock_split(void)
{
	unsigned long p[BB_PROBE_MAX_POINTS];
	struct fn f;

	fn_init(&f);
	PUT(&f, "\x8b\x57\x18");			/* mov 0x18(%rdi),%edx */
	PUT(&f, "\x64\x8b\x04\x25\xd0\x02\x00\x00");	/* mov %fs:0x2d0,%eax */
	PUT(&f, "\x39\xc2");				/* cmp %eax,%edx */
	put_branch32(&f, "\x0f\x84", 2, 0x120);		/* je 0x120 */
	PUT(&f, "\x41\x54\x55\x53");			/* push %r12; push %rbp; push %rbx */
	f.at = 0x120;
	PUT(&f, "\xb8\x23\x00\x00\x00\xc3");		/* mov $EDEADLK,%eax; ret */
	CHECK(points(&f, WA, p) == 2 && p[0] == 0x13 && p[1] == 0x120,
	      "rwlock guard: split at push %%r12 (+0x13) and the error return (+0x120)");
}

static void test_single_moves(void)
{
	unsigned long p[BB_PROBE_MAX_POINTS];
	struct fn f;

	fn_init(&f);
	PUT(&f, "\xf3\x0f\x1e\xfa\x55");		/* endbr64; push %rbp */
	CHECK(points(&f, BB_PROBE_WHOLE, p) == 1 && p[0] == 4, "endbr64; push: +4");
	f.at = 0x40;
	put_branch8(&f, 0x75, 4);
	CHECK(points(&f, BB_PROBE_WHOLE, p) == 1 && p[0] == 0,
	      "endbr64; push, with a branch back to the push: +0");
	CHECK(points(&f, 0, p) == 1 && p[0] == 4,
	      "endbr64; push, size unknown: +4 (as far as can be seen)");

	fn_init(&f);
	PUT(&f, "\x55\x48\x89\xe5");			/* push %rbp; mov %rsp,%rbp */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "push at the entry: +0");

	/* free: endbr64; test %rdi,%rdi; je ret; push */
	fn_init(&f);
	PUT(&f, "\xf3\x0f\x1e\xfa\x48\x85\xff");
	put_branch8(&f, 0x74, 0x60);
	PUT(&f, "\x55");
	f.at = 0x60;
	PUT(&f, "\xc3");
	CHECK(points(&f, BB_PROBE_WHOLE | BB_PROBE_NULL_NOOP, p) == 1 && p[0] == 9,
	      "free's NULL test (je rel8 to ret): +9");
	CHECK(points(&f, BB_PROBE_WHOLE, p) == 1 && p[0] == 0,
	      "the same without a NULL no-op: +0");
	f.c[0x60] = 0x90;
	CHECK(points(&f, BB_PROBE_WHOLE | BB_PROBE_NULL_NOOP, p) == 1 && p[0] == 0,
	      "NULL test whose branch does not return: +0");
	f.c[0x60] = 0xf3;
	f.c[0x61] = 0xc3;
	CHECK(points(&f, BB_PROBE_WHOLE | BB_PROBE_NULL_NOOP, p) == 1 && p[0] == 9,
	      "NULL test branching to repz ret: +9");

	fn_init(&f);
	PUT(&f, "\x48\x85\xff");
	put_branch32(&f, "\x0f\x84", 2, 0x100);
	PUT(&f, "\x53");
	f.at = 0x100;
	PUT(&f, "\xc3");
	CHECK(points(&f, BB_PROBE_WHOLE | BB_PROBE_NULL_NOOP, p) == 1 && p[0] == 9,
	      "NULL test with je rel32: +9");

	/* unlock: mov $1,%esi; jmp */
	fn_init(&f);
	PUT(&f, "\xbe\x01\x00\x00\x00");
	put_branch32(&f, "\xe9", 1, 0x180);
	CHECK(points(&f, WA, p) == 1 && p[0] == 5, "mov $1,%%esi; jmp: +5");
	CHECK(points(&f, BB_PROBE_WHOLE, p) == 1 && p[0] == 0,
	      "mov $1,%%esi; jmp, programs reading %%rsi: +0");
	fn_init(&f);
	PUT(&f, "\xbf\x01\x00\x00\x00\xe9");		/* mov $1,%edi: never */
	CHECK(points(&f, WA, p) == 1 && p[0] == 0, "mov $1,%%edi; jmp: +0");
}

/* Whatever the bytes, the points are inside the code and distinct. */
static void test_random_code(void)
{
	unsigned long p[BB_PROBE_MAX_POINTS];
	static const unsigned char hot[] = { 0x8b, 0x89, 0x0f, 0x85, 0x75, 0x53, 0x64, 0x48, 0x47, 0x10 };
	unsigned char c[96];
	unsigned seed = 12345, bad = 0, split = 0;
	size_t i, len, n;

	for (i = 0; i < 200000; i++) {
		len = 1 + i % sizeof(c);
		for (size_t k = 0; k < len; k++) {
			seed = seed * 1103515245 + 12345;
			/* Bias towards the opcodes the placement looks at. */
			c[k] = (seed >> 16) & 1 ? hot[(seed >> 17) % sizeof(hot)] : (seed >> 20) & 0xff;
		}
		n = bb_probe_points(c, len, i & 7, p);
		if (n < 1 || n > 2 || p[0] >= len || (n == 2 && (p[1] >= len || p[1] == p[0])))
			bad++;
		split += n == 2;
	}
	CHECK(!bad, "200000 random functions: 1 or 2 points, inside, distinct (%u bad)", bad);
	CHECK(split > 0, "random functions: some split (%u)", split);
}

static void test_short_code(void)
{
	unsigned long p[BB_PROBE_MAX_POINTS];
	static const unsigned char one[] = { 0x8b }, four[] = { 0xf3, 0x0f, 0x1e, 0xfa };

	CHECK(bb_probe_points(one, 1, WA, p) == 1 && p[0] == 0, "one byte: +0");
	CHECK(bb_probe_points(four, 4, WA, p) == 1 && p[0] == 0, "endbr64 alone: +0");
}

int main(void)
{
	test_lock_split();
	test_rwlock_split();
	test_single_moves();
	test_short_code();
	test_random_code();
	return unit_done();
}
