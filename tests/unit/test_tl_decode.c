// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's decoder (applets/traceloop/): hand-built records rendered to
 * the exact lines strace 6.1 printed here for the same calls, the syscall
 * tables of both architectures, -e trace= specs, and record validation.
 *
 * The oracle: tests/unit/fixtures/traceloop/probeN.c were run under
 * `strace -f -o probeN.strace` (the command is at the top of each probe).
 * strace_line() checks that an expected line really is in those files
 * (after dropping the pid prefix and strace's column padding before " = "),
 * so the strings below cannot drift from what strace printed.
 *
 * Real programs (ls, python3, curl, sqlite3): fixtures/traceloop/real/
 * holds each run twice under strace, once with -e raw=all (the numbers a
 * record holds) and once decoded; every call is rendered from its numbers
 * and compared with strace's decoding, argument by argument.
 */
#include "unit.h"
#include "../../applets/traceloop/decode.h"
#include "../../applets/traceloop/sysdesc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define X86 TL_ARCH_X86_64
#define ARM TL_ARCH_ARM64

/* ---- the strace oracle ------------------------------------------------------ */

static char *strace_text;	/* every probe's lines, normalized */

/* "10766 read(3, ...)            = 3" -> "read(3, ...) = 3" */
static void normalize_line(char *line, FILE *out)
{
	char *p = line, *eq;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p != line && *p == ' ') {
		while (*p == ' ')
			p++;
		line = p;
	}
	eq = strstr(line, ")  ");
	if (eq) {
		char *q = eq + 1;

		while (*q == ' ')
			q++;
		if (*q == '=') {
			fwrite(line, 1, eq + 1 - line, out);
			fprintf(out, " %s\n", q);
			return;
		}
	}
	fprintf(out, "%s\n", line);
}

static void load_strace(void)
{
	static const char *const files[] = {
		"tests/unit/fixtures/traceloop/probe1.strace",
		"tests/unit/fixtures/traceloop/probe2.strace",
		"tests/unit/fixtures/traceloop/probe3.strace",
		"tests/unit/fixtures/traceloop/probe4.strace",
		"tests/unit/fixtures/traceloop/probe5.strace",
		"tests/unit/fixtures/traceloop/probe6.strace",
		"tests/unit/fixtures/traceloop/probe7.strace",
	};
	size_t len;
	FILE *out = open_memstream(&strace_text, &len);
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char *text = unit_read_file(files[i], NULL), *line, *save;

		if (!CHECK(text, "strace oracle %s readable", files[i]))
			continue;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			normalize_line(line, out);
		free(text);
	}
	fclose(out);
}

static bool in_strace(const char *line)
{
	size_t n = strlen(line);
	const char *p = strace_text;

	while (p && (p = strstr(p, line))) {
		if ((p == strace_text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

/* ---- records ---------------------------------------------------------------- */

static struct tl_call *call(unsigned arch, const char *name, long long ret,
			    const __u64 args[TL_NR_ARGS])
{
	static struct tl_call c;
	int nr = tl_syscall_number(arch, name);

	if (!CHECK(nr >= 0, "%s exists on arch %u", name, arch))
		nr = 0;
	memset(&c, 0, sizeof(c));
	c.type = TL_EV_CALL;
	c.arch = arch;
	c.nr = nr;
	memcpy(c.args, args, sizeof(c.args));
	c.ret = ret;
	c.exit_ns = 1;
	return &c;
}

/* CALL("read", ret, fd, buf, count): the arguments not given are 0. */
#define CALL(name, ret, ...) call(X86, name, ret, (const __u64[TL_NR_ARGS]){ __VA_ARGS__ })
#define CALL_ARM(name, ret, ...) call(ARM, name, ret, (const __u64[TL_NR_ARGS]){ __VA_ARGS__ })

static struct tl_call *blob(struct tl_call *c, unsigned arg, unsigned kind, const void *data,
			    size_t len, unsigned flags)
{
	struct tl_blob *b = &c->blobs[c->nr_blobs++];

	b->arg = arg;
	b->kind = kind;
	b->flags = flags;
	b->off = c->data_len;
	b->len = len;
	memcpy(c->data + c->data_len, data, len);
	c->data_len += len;
	return c;
}

static struct tl_call *str(struct tl_call *c, unsigned arg, const char *s)
{
	return blob(c, arg, TL_BLOB_STR, s, strlen(s) + 1, 0);
}

static struct tl_call *bytes(struct tl_call *c, unsigned arg, const void *data, size_t len)
{
	return blob(c, arg, TL_BLOB_BYTES, data, len, 0);
}

static const char *render(const struct tl_call *c)
{
	static char buf[1024];

	tl_format_call(c, 0, buf, sizeof(buf));
	return buf;
}

/*
 * UNIT_TL_SEEDS=tests/fuzz/corpus/tl_decode build/tests/test_tl_decode
 * writes every record checked here as a seed for fuzz_tl_decode (cut
 * after its data, as the recorder sends them).
 */
static void write_seed(const struct tl_call *c)
{
	const char *dir = getenv("UNIT_TL_SEEDS");
	static unsigned n;
	char path[PATH_MAX];

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%03u-%s", dir, n++,
		 tl_syscall_name(c->arch, c->nr) ?: "unknown");
	unit_write_file(path, c, offsetof(struct tl_call, data) + c->data_len);
}

/* The record renders as @line, and strace printed @line. */
static void strace_line(const struct tl_call *c, const char *line)
{
	write_seed(c);
	CHECK(in_strace(line), "oracle has: %s", line);
	CHECK(!tl_call_valid(c, sizeof(*c)), "record valid: %s", line);
	CHECK_STR(render(c), line, "renders as strace: %s", line);
}

/* Lines strace cannot print (our own states, or data it decodes further). */
static void our_line(const struct tl_call *c, const char *line)
{
	write_seed(c);
	CHECK(!tl_call_valid(c, sizeof(*c)), "record valid: %s", line);
	CHECK_STR(render(c), line, "renders: %s", line);
}

/* ---- files and descriptors ---------------------------------------------------- */

static void test_files(void)
{
	static const char hello[] = "hello\n\t\033[1mX\x01\x7f\xff\"\\ end and more bytes";
	static const char escapes[] = "\x01" "1\x01" "8\0" "0\a\b\f\r\v\x1b\x80\xc3\xa9 ~\0\0/";
	static const char elf[32] = "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0";
	struct tl_call *c;

	c = str(CALL("openat", 3, -100, 0x55e5c4279000, 02000000), 1, "/etc/hostname");
	strace_line(c, "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC) = 3");
	c = str(CALL("openat", -2, -100, 0x4000, 0), 1, "/nonexistent");
	strace_line(c, "openat(AT_FDCWD, \"/nonexistent\", O_RDONLY) = -1 ENOENT (No such file or directory)");
	c = str(CALL("openat", 3, -100, 0x4000, 01101, 0644), 1, "/tmp/tlst/f");
	strace_line(c, "openat(AT_FDCWD, \"/tmp/tlst/f\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3");
	c = str(CALL("openat", -20, -100, 0x4000, 1 | 02000 | 04000 | 0200000 | 0400000 | 0x10000000), 1,
		"/dev/null");
	strace_line(c, "openat(AT_FDCWD, \"/dev/null\", O_WRONLY|O_APPEND|O_NONBLOCK|O_NOFOLLOW|O_DIRECTORY|0x10000000) = -1 ENOTDIR (Not a directory)");
	c = str(CALL("openat", -2, -100, 0x4000, 2 | 0x7ffffffc, 0), 1, "/x");
	strace_line(c, "openat(AT_FDCWD, \"/x\", O_RDWR|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0x7f80003c, 000) = -1 ENOENT (No such file or directory)");
	c = str(CALL("openat", -2, -100, 0x4000, (2 | 0x7ffffffc) & ~0x400000, 0), 1, "/x");
	strace_line(c, "openat(AT_FDCWD, \"/x\", O_RDWR|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_DIRECTORY|FASYNC|0x7f80003c, 000) = -1 ENOENT (No such file or directory)");
	c = str(CALL("openat", -9, 5, 0x4000, 3), 1, "rel");
	strace_line(c, "openat(5, \"rel\", O_ACCMODE) = -1 EBADF (Bad file descriptor)");
	c = str(CALL("open", -17, 0x4000, 0302, 0600), 0, "/tmp/tlst/x");
	strace_line(c, "open(\"/tmp/tlst/x\", O_RDWR|O_CREAT|O_EXCL, 0600) = -1 EEXIST (File exists)");
	c = str(CALL("open", -2, 0x4000, 020200002, 0600), 0, "/tmp/tlst/d");
	strace_line(c, "open(\"/tmp/tlst/d\", O_RDWR|O_TMPFILE, 0600) = -1 ENOENT (No such file or directory)");

	c = bytes(CALL("read", 3, 3, 0x7ffc2156cf70, 64), 1, "vm\n", 3);
	strace_line(c, "read(3, \"vm\\n\", 64) = 3");
	/* snaplen 32: the 832 bytes read show as 32 and "..." */
	c = bytes(CALL("read", 832, 3, 0x7ffc2156cf70, 832), 1, elf, 32);
	strace_line(c, "read(3, \"\\177ELF\\2\\1\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"..., 832) = 832");
	c = CALL("read", -9, 1, 0x1, 3);
	strace_line(c, "read(1, 0x1, 3) = -1 EBADF (Bad file descriptor)");
	c = CALL("read", 0, 0, 0, 5);
	strace_line(c, "read(0, NULL, 5) = 0");
	c = bytes(CALL("read", 0, 3, 0x7ffc2156cf70, 1024), 1, "", 0);
	strace_line(c, "read(3, \"\", 1024) = 0");
	/* the recorder captures nothing when read() returns 0 */
	strace_line(CALL("read", 0, 3, 0x7ffc2156cf70, 1024), "read(3, \"\", 1024) = 0");
	/* nor when it fails, or before it returns */
	c = CALL("read", 0, 3, 0x7ffc2156cf70, 1024);
	c->flags = TL_CALL_UNFINISHED;
	our_line(c, "read(3, 0x7ffc2156cf70, 1024) <unfinished ...>");
	c = bytes(CALL("write", 60, 3, 0x55e5c4279000, 60), 1, hello, 32);
	strace_line(c, "write(3, \"hello\\n\\t\\33[1mX\\1\\177\\377\\\"\\\\ end and more b\"..., 60) = 60");
	c = bytes(CALL("write", -9, -1, 0x55e5c4279000, 20), 1, escapes, 20);
	strace_line(c, "write(-1, \"\\0011\\18\\0000\\7\\10\\f\\r\\v\\33\\200\\303\\251 ~\\0\\0/\", 20) = -1 EBADF (Bad file descriptor)");
	c = bytes(CALL("write", -9, -1, 0x55e5c4279000, 0), 1, "", 0);
	strace_line(c, "write(-1, \"\", 0) = -1 EBADF (Bad file descriptor)");
	c = CALL("write", -9, -1, 0, 5);
	strace_line(c, "write(-1, NULL, 5) = -1 EBADF (Bad file descriptor)");

	strace_line(CALL("lseek", 65, 3, 5, 2), "lseek(3, 5, SEEK_END) = 65");
	strace_line(CALL("lseek", 0, 1, 0, 3), "lseek(1, 0, SEEK_DATA) = 0");
	strace_line(CALL("lseek", -22, 1, 0xffffffff, 7),
		    "lseek(1, 4294967295, 0x7 /* SEEK_??? */) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("close", 0, 3), "close(3) = 0");
	strace_line(CALL("close", -9, -1), "close(-1) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("dup", 4, 3), "dup(3) = 4");
	strace_line(CALL("dup2", 20, 3, 20), "dup2(3, 20) = 20");
	strace_line(CALL("dup3", 21, 3, 21, 02000000), "dup3(3, 21, O_CLOEXEC) = 21");
	strace_line(CALL("dup3", 2, 1, 2, 0), "dup3(1, 2, 0) = 2");
	strace_line(CALL("dup3", -22, -1, -1, 0xffffffff),
		    "dup3(-1, -1, O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003f) = -1 EINVAL (Invalid argument)");

	c = str(CALL("access", 0, 0x4000, 6), 0, "/etc/passwd");
	strace_line(c, "access(\"/etc/passwd\", R_OK|W_OK) = 0");
	c = str(CALL("access", -2, 0x4000, 0), 0, "/x");
	strace_line(c, "access(\"/x\", F_OK) = -1 ENOENT (No such file or directory)");
	c = str(CALL("access", -22, 0x4000, 0x10), 0, "/");
	strace_line(c, "access(\"/\", 0x10 /* ?_OK */) = -1 EINVAL (Invalid argument)");
	c = str(CALL("access", -22, 0x4000, 0xff), 0, "/");
	strace_line(c, "access(\"/\", R_OK|W_OK|X_OK|0xf8) = -1 EINVAL (Invalid argument)");
	c = str(CALL("faccessat2", 0, -100, 0x4000, 1, 0x200), 1, "/etc");
	strace_line(c, "faccessat2(AT_FDCWD, \"/etc\", X_OK, AT_EACCESS) = 0");
	c = str(CALL("mkdirat", 0, -100, 0x4000, 0755), 1, "/tmp/tlst/dd");
	strace_line(c, "mkdirat(AT_FDCWD, \"/tmp/tlst/dd\", 0755) = 0");
	c = str(CALL("unlinkat", 0, -100, 0x4000, 0x200), 1, "/tmp/tlst/dd");
	strace_line(c, "unlinkat(AT_FDCWD, \"/tmp/tlst/dd\", AT_REMOVEDIR) = 0");
	c = str(CALL("newfstatat", -22, -100, 0x4000, 0, 0xffffffff), 1, "");
	strace_line(c, "newfstatat(AT_FDCWD, \"\", NULL, AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0xffff60ff) = -1 EINVAL (Invalid argument)");
	c = str(CALL("statfs", -2, 0x4000, 0x7ffe0e78ded0), 0, "/selinux");
	strace_line(c, "statfs(\"/selinux\", 0x7ffe0e78ded0) = -1 ENOENT (No such file or directory)");

	c = bytes(CALL("pipe2", 0, 0x7ffc2156cf70, 04000 | 02000000), 0, (int[]){ 8, 9 }, 8);
	strace_line(c, "pipe2([8, 9], O_NONBLOCK|O_CLOEXEC) = 0");
	strace_line(CALL("pipe2", -14, 0, 0), "pipe2(NULL, 0) = -1 EFAULT (Bad address)");
	c = bytes(CALL("getrandom", 16, 0x7ffc2156cf70, 16, 1), 0,
		  "\xcb\x89\x41\x53\x93\x87\x38\x7e\x5a\x8a\x79\xfa\xa1\xd6\x53\xd7", 16);
	strace_line(c, "getrandom(\"\\xcb\\x89\\x41\\x53\\x93\\x87\\x38\\x7e\\x5a\\x8a\\x79\\xfa\\xa1\\xd6\\x53\\xd7\", 16, GRND_NONBLOCK) = 16");
	strace_line(CALL("getrandom", -22, 0, 0, 0xff),
		    "getrandom(NULL, 0, GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE|0xf8) = -1 EINVAL (Invalid argument)");
}

static void test_fcntl_ioctl(void)
{
	strace_line(CALL("fcntl", 0x8001, 3, 3), "fcntl(3, F_GETFL) = 0x8001 (flags O_WRONLY|O_LARGEFILE)");
	strace_line(CALL("fcntl", 0, 3, 2, 1), "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
	strace_line(CALL("fcntl", 11, 3, 1030, 10), "fcntl(3, F_DUPFD_CLOEXEC, 10) = 11");
	strace_line(CALL("fcntl", 0, 1, 4, 04000 | 02000),
		    "fcntl(1, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0");
	strace_line(CALL("fcntl", -14, 1, 5, 0), "fcntl(1, F_GETLK, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("fcntl", -9, 1, 1031, 4096),
		    "fcntl(1, F_SETPIPE_SZ, 4096) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("fcntl", -22, 1, 9999, 0x7f97e6832829),
		    "fcntl(1, 0x270f /* F_??? */, 0x7f97e6832829) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("fcntl", -9, -1, 1024, 0), "fcntl(-1, F_SETLEASE, F_RDLCK) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("fcntl", -9, -1, 16, 0), "fcntl(-1, F_GETOWN_EX, NULL) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("fcntl", -9, -1, 12, 0), "fcntl(-1, F_GETLK64, 0) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("fcntl", -9, -1, 0x12, 0), "fcntl(-1, 0x12 /* F_??? */, 0) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("fcntl", -9, -1, 1033, 0), "fcntl(-1, F_ADD_SEALS, 0) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("fcntl", -9, -1, 1032, 0), "fcntl(-1, F_GETPIPE_SZ) = -1 EBADF (Bad file descriptor)");

	strace_line(CALL("ioctl", -25, 1, 0x5401, 0x7ffc2156cf70),
		    "ioctl(1, TCGETS, 0x7ffc2156cf70) = -1 ENOTTY (Inappropriate ioctl for device)");
	strace_line(CALL("ioctl", -25, 1, 0x5413, 0),
		    "ioctl(1, TIOCGWINSZ, NULL) = -1 ENOTTY (Inappropriate ioctl for device)");
	/* probe7 */
	strace_line(CALL("ioctl", -22, 1, 0x40049409, 0),
		    "ioctl(1, BTRFS_IOC_CLONE or FICLONE, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("ioctl", -14, 1, 0x4020940d, 0),
		    "ioctl(1, BTRFS_IOC_CLONE_RANGE or FICLONERANGE, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("ioctl", 0, 1, 0x5451), "ioctl(1, FIOCLEX) = 0");
	strace_line(CALL("ioctl", 0, 1, 0x5450), "ioctl(1, FIONCLEX) = 0");
	strace_line(CALL("ioctl", -25, 1, 0x80081272, 0),
		    "ioctl(1, BLKGETSIZE64, NULL) = -1 ENOTTY (Inappropriate ioctl for device)");
	strace_line(CALL("ioctl", -25, 1, 0x8933, 0),
		    "ioctl(1, SIOCGIFINDEX, NULL) = -1 ENOTTY (Inappropriate ioctl for device)");
	strace_line(CALL("ioctl", -25, 1, 0x80045430, 0),
		    "ioctl(1, TIOCGPTN, NULL) = -1 ENOTTY (Inappropriate ioctl for device)");
	strace_line(CALL("ioctl", -14, 1, 0x5421, 0), "ioctl(1, FIONBIO, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("ioctl", -25, 1, 0xdeadbeef, 0),
		    "ioctl(1, _IOC(_IOC_READ|_IOC_WRITE, 0xbe, 0xef, 0x1ead), 0) = -1 ENOTTY (Inappropriate ioctl for device)");
}

/* ---- memory --------------------------------------------------------------------- */

static void test_memory(void)
{
	strace_line(CALL("mmap", 0x7f3156b67000, 0, 8192, 3, 0x22, -1, 0),
		    "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3156b67000");
	strace_line(CALL("mmap", 0x7f0b7a691000, 0x7f0b7a691000, 110592, 5, 0x812, 3, 0x7000),
		    "mmap(0x7f0b7a691000, 110592, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x7000) = 0x7f0b7a691000");
	strace_line(CALL("mmap", -9, 0, 4096, 1, 1, 99, 0),
		    "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 99, 0) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("mmap", -22, 0, 0, 0xffffffff, 0x7fffffff, -1, 0),
		    "mmap(NULL, 0, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|PROT_GROWSUP|0xfcfffff0, 0xf /* MAP_??? */|MAP_FIXED|MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|MAP_POPULATE|MAP_NONBLOCK|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_STACK|MAP_HUGETLB|MAP_SYNC|MAP_FIXED_NOREPLACE|0x3e00680|31<<MAP_HUGE_SHIFT, -1, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("mmap", -22, 0, 1ULL << 50, 0x103, 0x40000000 | 0x68022, -1, 0),
		    "mmap(NULL, 1125899906842624, PROT_READ|PROT_WRITE|0x100, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE|MAP_STACK|MAP_HUGETLB|16<<MAP_HUGE_SHIFT, -1, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("mmap", -9, 0, 0, 0, 0x5, -1, 0),
		    "mmap(NULL, 0, PROT_NONE, 0x5 /* MAP_??? */, -1, 0) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("mmap", -9, 0, 0, 0, 0, -1, 0),
		    "mmap(NULL, 0, PROT_NONE, MAP_FILE, -1, 0) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("mprotect", 0, 0x7f3156b67000, 4096, 0),
		    "mprotect(0x7f3156b67000, 4096, PROT_NONE) = 0");
	strace_line(CALL("mprotect", 0, 0, 0, 0x1000007),
		    "mprotect(NULL, 0, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN) = 0");
	strace_line(CALL("munmap", 0, 0x7f3156b67000, 8192), "munmap(0x7f3156b67000, 8192) = 0");
	strace_line(CALL("munmap", -22, 0x1000, 0), "munmap(0x1000, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("brk", 0x55e5c4279000, 0), "brk(NULL) = 0x55e5c4279000");
	strace_line(CALL("brk", 0x55e5c429a000, 0x55e5c429a000), "brk(0x55e5c429a000) = 0x55e5c429a000");
}

/* ---- processes and signals ------------------------------------------------------- */

static void test_process(void)
{
	static const int exited2 = 2 << 8, exited3 = 3 << 8, killed = 9;
	struct tl_call *c;

	strace_line(CALL("clone", 10769, 0x1200011, 0, 0, 0x7f3156979a10, 0),
		    "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f3156979a10) = 10769");
	strace_line(CALL("clone", 9143, 0x80000000 | 0x3d0f00, 0x1000, 0x2000, 0x3000, 0x4000),
		    "clone(child_stack=0x1000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_IO, parent_tid=0x2000, tls=0x4000, child_tidptr=0x3000) = 9143");
	strace_line(CALL("clone", -22, ~0xffULL & ~0x100ULL & ~0x10000ULL, 0, 0, 0, 0),
		    "clone(child_stack=NULL, flags=CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PIDFD|CLONE_PTRACE|CLONE_VFORK|CLONE_PARENT|CLONE_NEWNS|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_UNTRACED|CLONE_CHILD_SETTID|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|CLONE_IO|0xffffffff00400000, parent_tid=NULL, tls=NULL, child_tidptr=NULL) = -1 EINVAL (Invalid argument)");
	/* arm64's clone: tls before child_tid */
	our_line(CALL_ARM("clone", 11476, 0x80000000 | 0x3d0f00, 0x1000, 0x2000, 0x4000, 0x3000),
		 "clone(child_stack=0x1000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_IO, parent_tid=0x2000, tls=0x4000, child_tidptr=0x3000) = 11476");
	strace_line(CALL("clone3", -22, 0x7ffc5835c3b0, 7), "clone3(0x7ffc5835c3b0, 7) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("unshare", -22, 0xfffffffe),
		    "unshare(CLONE_NEWTIME|CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_NEWNS|CLONE_SYSVSEM|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|0x81f8f07e) = -1 EINVAL (Invalid argument)");

	c = str(CALL("execve", -2, 0x4000, 0x5000, 0), 0, "/nonexistent");
	blob(c, 1, TL_BLOB_ARGV, "a\0b\n", 5, 0);
	strace_line(c, "execve(\"/nonexistent\", [\"a\", \"b\\n\"], NULL) = -1 ENOENT (No such file or directory)");
	/* strace adds " /\* 41 vars *\/" after envp: the recorder does not count them. */
	c = str(CALL("execve", 0, 0x4000, 0x5000, 0x7ffc2156d208), 0, "/bin/ls");
	blob(c, 1, TL_BLOB_ARGV, "ls\0-l\0/nonexistent-dir", 23, 0);
	CHECK(in_strace("execve(\"/bin/ls\", [\"ls\", \"-l\", \"/nonexistent-dir\"], 0x7ffc2156d208 /* 41 vars */) = 0"),
	      "oracle has the execve of ls");
	our_line(c, "execve(\"/bin/ls\", [\"ls\", \"-l\", \"/nonexistent-dir\"], 0x7ffc2156d208) = 0");
	c->flags = TL_CALL_NORETURN;
	our_line(c, "execve(\"/bin/ls\", [\"ls\", \"-l\", \"/nonexistent-dir\"], 0x7ffc2156d208) = ?");
	c->blobs[1].flags = TL_BLOB_TRUNC;
	our_line(c, "execve(\"/bin/ls\", [\"ls\", \"-l\", \"/nonexistent-dir\", ...], 0x7ffc2156d208) = ?");
	c = str(CALL("execveat", -22, -100, 0x4000, 0, 0, 0xffffffff), 1, "");
	strace_line(c, "execveat(AT_FDCWD, \"\", NULL, NULL, AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0xffff60ff) = -1 EINVAL (Invalid argument)");

	c = bytes(CALL("wait4", 10769, 10769, 0x7ffc2156ce3c, 0, 0), 1, &exited2, 4);
	our_line(c, "wait4(10769, [{WIFEXITED(s) && WEXITSTATUS(s) == 2}], 0, NULL) = 10769");
	CHECK(in_strace("<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 2}], 0, NULL) = 10769"),
	      "oracle has wait4's status (resumed)");
	c = bytes(CALL("wait4", 10773, 10773, 0x7ffc2156ce3c, 0, 0), 1, &killed, 4);
	our_line(c, "wait4(10773, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 10773");
	CHECK(in_strace("<... wait4 resumed>[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 10773"),
	      "oracle has wait4's signal status");
	c = bytes(CALL("wait4", 0, 10772, 0x7ffc2156ce3c, 0x40000001, 0), 1, &exited3, 4);
	our_line(c, "wait4(10772, 0x7ffc2156ce3c, WNOHANG|__WALL, NULL) = 0");
	strace_line(CALL("wait4", -22, -1, 0, 0x7fff, 0),
		    "wait4(-1, NULL, WNOHANG|WEXITED|WSTOPPED|WCONTINUED|0x7ff0, NULL) = -1 EINVAL (Invalid argument)");
	c = CALL("wait4", 0, 10769, 0x7ffc2156ce3c, 0, 0);
	c->flags = TL_CALL_UNFINISHED;
	c->exit_ns = 0;
	our_line(c, "wait4(10769, 0x7ffc2156ce3c, 0, NULL) <unfinished ...>");

	c = CALL("exit_group", 0, 7);
	c->flags = TL_CALL_NORETURN;
	strace_line(c, "exit_group(7) = ?");
	c = CALL("exit_group", 0, -1);
	c->flags = TL_CALL_NORETURN;
	strace_line(c, "exit_group(-1) = ?");

	strace_line(CALL("kill", 0, 10766, 10), "kill(10766, SIGUSR1) = 0");
	strace_line(CALL("kill", 0, 10766, 0), "kill(10766, 0) = 0");
	strace_line(CALL("kill", -3, 99999999, 37), "kill(99999999, SIGRT_5) = -1 ESRCH (No such process)");
	strace_line(CALL("kill", -3, 99999999, 32), "kill(99999999, SIGRTMIN) = -1 ESRCH (No such process)");
	strace_line(CALL("kill", -3, 99999999, 64), "kill(99999999, SIGRT_32) = -1 ESRCH (No such process)");
	strace_line(CALL("kill", -3, 99999999, 65), "kill(99999999, 65) = -1 ESRCH (No such process)");
	strace_line(CALL("tgkill", 0, 10766, 10766, 10), "tgkill(10766, 10766, SIGUSR1) = 0");
	strace_line(CALL("tgkill", -3, 1, 2, 0), "tgkill(1, 2, 0) = -1 ESRCH (No such process)");
	strace_line(CALL("tkill", 0, 2, 15), "tkill(2, SIGTERM) = 0");
	strace_line(CALL("rt_sigaction", -22, 99, 0, 0, 8), "rt_sigaction(99, NULL, NULL, 8) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("rt_sigprocmask", 0, 0, 0, 0, 8), "rt_sigprocmask(SIG_BLOCK, NULL, NULL, 8) = 0");
	strace_line(CALL("rt_sigprocmask", 0, 7, 0, 0, 8), "rt_sigprocmask(0x7 /* SIG_??? */, NULL, NULL, 8) = 0");

	c = bytes(CALL("clock_nanosleep", 0, 0, 0, 0x7ffc2156cf70, 0), 2,
		  (long long[]){ 0, 1000 }, 16);
	strace_line(c, "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, NULL) = 0");
	strace_line(CALL("clock_nanosleep", -14, 7, 1, 0, 0),
		    "clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, NULL, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("clock_nanosleep", -14, 0xffffffff, 0xff, 0, 0),
		    "clock_nanosleep(0xffffffff /* CLOCK_??? */, TIMER_ABSTIME|0xfe, NULL, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("nanosleep", -14, 0, 0), "nanosleep(NULL, NULL) = -1 EFAULT (Bad address)");
	/* not captured: the pointer */
	our_line(CALL("nanosleep", 0, 0x7ffc2156cf70, 0), "nanosleep(0x7ffc2156cf70, NULL) = 0");

	our_line(CALL("prctl", 0, 15, 0x5000), "prctl(PR_SET_NAME, 0x5000) = 0");
	c = str(CALL("prctl", 0, 15, 0x5000), 1, "abc");
	strace_line(c, "prctl(PR_SET_NAME, \"abc\") = 0");
	strace_line(CALL("prctl", 1, 3), "prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)");
	strace_line(CALL("prctl", 0, 1, 9), "prctl(PR_SET_PDEATHSIG, SIGKILL) = 0");
	strace_line(CALL("prctl", -22, 9999, 1, 2, 3, 4),
		    "prctl(0x270f /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("arch_prctl", 0, 0x1002, 0x7f0b7a40b800), "arch_prctl(ARCH_SET_FS, 0x7f0b7a40b800) = 0");
	strace_line(CALL("set_robust_list", 0, 0x7f3156979a20, 24), "set_robust_list(0x7f3156979a20, 24) = 0");
	strace_line(CALL("getppid", 10761, 0), "getppid() = 10761");
	strace_line(CALL("rseq", 0, 0x7f0b7a40c120, 0x20, 0, 0x53053053), "rseq(0x7f0b7a40c120, 0x20, 0, 0x53053053) = 0");
	/* strace reads the old limit back: {rlim_cur=8192*1024, ...}; not captured */
	our_line(CALL("prlimit64", 0, 0, 3, 0, 0x7ffe0e78ded0),
		 "prlimit64(0, RLIMIT_STACK, NULL, 0x7ffe0e78ded0) = 0");
}

static void test_futex(void)
{
	strace_line(CALL("futex", 0, 0x7ffc2156cfb8, 129, 1, 0, 0, 0),
		    "futex(0x7ffc2156cfb8, FUTEX_WAKE_PRIVATE, 1) = 0");
	strace_line(CALL("futex", -11, 0x7ffc2156cfb8, 0, 99, 0, 0, 0),
		    "futex(0x7ffc2156cfb8, FUTEX_WAIT, 99, NULL) = -1 EAGAIN (Resource temporarily unavailable)");
	strace_line(CALL("futex", 0, 0x7f0b7a67ca4c, 129, 2147483647, 0, 0, 0),
		    "futex(0x7f0b7a67ca4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0");
	strace_line(CALL("futex", -38, 0, 999, 1, 0, 0, 0),
		    "futex(NULL, 0x3e7 /* FUTEX_??? */, 1, NULL, NULL, 0) = -1 ENOSYS (Function not implemented)");
	strace_line(CALL("futex", -38, 0, 0xffffffff, 0, 0, 0, 0),
		    "futex(NULL, 0xffffffff /* FUTEX_??? */, 0, NULL, NULL, 0) = -1 ENOSYS (Function not implemented)");
	strace_line(CALL("futex", -14, 0, 9 | 256, 1, 0, 0, 0xffffffff),
		    "futex(NULL, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 1, NULL, FUTEX_BITSET_MATCH_ANY) = -1 EFAULT (Bad address)");
	strace_line(CALL("futex", -14, 0, 5, 1, 2, 0, 0),
		    "futex(NULL, FUTEX_WAKE_OP, 1, 2, NULL, FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_EQ<<24|0) = -1 EFAULT (Bad address)");
	strace_line(CALL("futex", -22, 0, 128 | 9, 0, 0, 0, 0),
		    "futex(NULL, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("futex", -14, 0, 6, 0, 0, 0, 0), "futex(NULL, FUTEX_LOCK_PI, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("futex", -14, 0, 7, 0, 0, 0, 0), "futex(NULL, FUTEX_UNLOCK_PI) = -1 EFAULT (Bad address)");
	strace_line(CALL("futex", -14, 0, 3, 0, 0, 0, 0), "futex(NULL, FUTEX_REQUEUE, 0, 0, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("futex", -14, 0, 4, 0, 0, 0, 0), "futex(NULL, FUTEX_CMP_REQUEUE, 0, 0, NULL, 0) = -1 EFAULT (Bad address)");
	strace_line(CALL("futex", -22, 0, 10, 0, 0, 0, 0), "futex(NULL, FUTEX_WAKE_BITSET, 0, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("futex", -22, 0, 11, 0, 0, 0, 0), "futex(NULL, FUTEX_WAIT_REQUEUE_PI, 0, NULL, NULL) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("futex", -38, 0, 2, 0, 0, 0, 0), "futex(NULL, FUTEX_FD, 0) = -1 ENOSYS (Function not implemented)");
	strace_line(CALL("futex", -14, 0, 13, 0, 0, 0, 0), "futex(NULL, FUTEX_LOCK_PI2, NULL) = -1 EFAULT (Bad address)");
}

/* ---- network ------------------------------------------------------------------------- */

static void test_network(void)
{
	static const uint8_t sin[16] = { 2, 0, 0, 1, 127, 0, 0, 1 };
	static const uint8_t sin6[28] = { 10, 0, 0, 53, [23] = 1 };
	uint8_t sun[110] = { 1, 0 };
	struct tl_call *c;

	strcpy((char *)sun + 2, "/tmp/tlst/nosock");
	strace_line(CALL("socket", 3, 2, 0x80001, 6), "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3");
	strace_line(CALL("socket", 5, 10, 2, 0), "socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 5");
	strace_line(CALL("socket", 6, 1, 1, 0), "socket(AF_UNIX, SOCK_STREAM, 0) = 6");
	strace_line(CALL("socket", 7, 16, 3, 0), "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 7");
	strace_line(CALL("socket", 5, 17, 3, 768), "socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = 5");
	strace_line(CALL("socket", 4, 10, 3, 58), "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) = 4");
	strace_line(CALL("socket", 3, 2, 0x801, 0), "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3");
	strace_line(CALL("socket", -22, 99, 99, 99),
		    "socket(0x63 /* AF_??? */, SOCK_RAW|0x60 /* SOCK_??? */, 99) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("socket", -22, 1, 0xffffffff, 0),
		    "socket(AF_UNIX, SOCK_CLOEXEC|SOCK_NONBLOCK|0xfff7f7ff, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("socket", 3, 1, 0x80805, 0), "socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3");
	strace_line(CALL("socket", -94, 2, 0, 0), "socket(AF_INET, 0, IPPROTO_IP) = -1 ESOCKTNOSUPPORT (Socket type not supported)");
	strace_line(CALL("socket", -94, 2, 7, 0), "socket(AF_INET, 0x7 /* SOCK_??? */, IPPROTO_IP) = -1 ESOCKTNOSUPPORT (Socket type not supported)");
	strace_line(CALL("socket", 15, 2, 3, 3), "socket(AF_INET, SOCK_RAW, 0x3 /* IPPROTO_??? */) = 15");
	strace_line(CALL("socket", 25, 2, 3, 262), "socket(AF_INET, SOCK_RAW, IPPROTO_MPTCP) = 25");
	strace_line(CALL("socket", -97, 45, 2, 0), "socket(AF_MCTP, SOCK_DGRAM, 0) = -1 EAFNOSUPPORT (Address family not supported by protocol)");

	c = blob(CALL("connect", -111, 3, 0x7ffc2156cf70, 16), 1, TL_BLOB_SOCKADDR, sin, 16, 0);
	strace_line(c, "connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)");
	c = blob(CALL("bind", 0, 3, 0x7ffc2156cf70, 16), 1, TL_BLOB_SOCKADDR, sin, 16, 0);
	strace_line(c, "bind(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");
	c = blob(CALL("connect", 0, 5, 0x7ffc2156cf70, 28), 1, TL_BLOB_SOCKADDR, sin6, 28, 0);
	strace_line(c, "connect(5, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0");
	c = blob(CALL("connect", -2, 6, 0x7ffc2156cf70, 110), 1, TL_BLOB_SOCKADDR, sun, 110, 0);
	strace_line(c, "connect(6, {sa_family=AF_UNIX, sun_path=\"/tmp/tlst/nosock\"}, 110) = -1 ENOENT (No such file or directory)");
	/* abstract names: @ then the name */
	sun[2] = 0;
	c = blob(CALL("connect", 0, 6, 0x7ffc2156cf70, 19), 1, TL_BLOB_SOCKADDR, sun, 19, 0);
	our_line(c, "connect(6, {sa_family=AF_UNIX, sun_path=@\"tmp/tlst/nosock\"}, 19) = 0");
	/* accept: the peer is known at exit only */
	c = blob(CALL("accept", 4, 3, 0x7ffc2156cf70, 0x7ffc2156cf6c), 1, TL_BLOB_SOCKADDR, sin, 16, 0);
	our_line(c, "accept(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 0x7ffc2156cf6c) = 4");
	c->flags = TL_CALL_UNFINISHED;
	our_line(c, "accept(3, 0x7ffc2156cf70, 0x7ffc2156cf6c) <unfinished ...>");
	c = bytes(CALL("sendto", 5, 3, 0x7ffc2156cf70, 5, 0, 0, 0), 1, "hello", 5);
	our_line(c, "sendto(3, \"hello\", 5, 0, NULL, 0) = 5");
	c = blob(CALL("writev", 12, 1, 0x7ffc2156cf70, 2), 1, TL_BLOB_IOV, "hello world\n", 12, 0);
	our_line(c, "writev(1, [{iov_base=\"hello world\\n\"}], 2) = 12");
}

/* probe5: descriptors' flags, socket options, message flags, explained returns */
static void test_probe5(void)
{
	struct tl_call *c;

	strace_line(CALL("epoll_create1", 3, 02000000), "epoll_create1(EPOLL_CLOEXEC) = 3");
	strace_line(CALL("eventfd2", 4, 0, 02004000), "eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK) = 4");
	strace_line(CALL("inotify_init1", 5, 02004000), "inotify_init1(IN_NONBLOCK|IN_CLOEXEC) = 5");
	strace_line(CALL("timerfd_create", 7, 1, 02004000),
		    "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK) = 7");
	c = str(CALL("memfd_create", 8, 0x4000, 3), 0, "x");
	strace_line(c, "memfd_create(\"x\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 8");
	strace_line(CALL("fcntl", 0, 9, 1), "fcntl(9, F_GETFD) = 0");
	strace_line(CALL("fcntl", 1, 9, 1), "fcntl(9, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
	strace_line(CALL("fcntl", 0x8000, 9, 3), "fcntl(9, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)");
	c = bytes(CALL("pread64", 2, 9, 0x7fff22502e7c, 4, 1), 1, "m\n", 2);
	strace_line(c, "pread64(9, \"m\\n\", 4, 1) = 2");
	strace_line(CALL("flock", 0, 9, 6), "flock(9, LOCK_EX|LOCK_NB) = 0");
	strace_line(CALL("flock", 0, 9, 8), "flock(9, LOCK_UN) = 0");
	/* strace reads the int option back ([1]): not captured, the pointer */
	our_line(CALL("setsockopt", 0, 11, 1, 2, 0x7fff22502e78, 4),
		 "setsockopt(11, SOL_SOCKET, SO_REUSEADDR, 0x7fff22502e78, 4) = 0");
	CHECK(in_strace("setsockopt(11, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"), "oracle has setsockopt");
	our_line(CALL("setsockopt", 0, 11, 6, 1, 0x7fff22502e78, 4),
		 "setsockopt(11, SOL_TCP, TCP_NODELAY, 0x7fff22502e78, 4) = 0");
	our_line(CALL("setsockopt", -92, 11, 1, 999, 0x7fff22502e78, 4),
		 "setsockopt(11, SOL_SOCKET, 0x3e7 /* SO_??? */, 0x7fff22502e78, 4) = -1 ENOPROTOOPT (Protocol not available)");
	our_line(CALL("setsockopt", -92, 11, 999, 1, 0x7fff22502e78, 4),
		 "setsockopt(11, 0x3e7 /* SOL_?? */, 1, 0x7fff22502e78, 4) = -1 ENOPROTOOPT (Protocol not available)");
	c = bytes(CALL("sendto", -32, 11, 0x5000, 5, 0x4040, 0, 0), 1, "hello", 5);
	strace_line(c, "sendto(11, \"hello\", 5, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = -1 EPIPE (Broken pipe)");
	strace_line(CALL("recvfrom", -107, 11, 0x7ffddaa4d34c, 8, 0x80000102, 0, 0),
		    "recvfrom(11, 0x7ffddaa4d34c, 8, MSG_PEEK|MSG_WAITALL|MSG_CMSG_COMPAT, NULL, NULL) = -1 ENOTCONN (Transport endpoint is not connected)");
	strace_line(CALL("shutdown", -107, 11, 2), "shutdown(11, SHUT_RDWR) = -1 ENOTCONN (Transport endpoint is not connected)");
	strace_line(CALL("listen", 0, 11, 128), "listen(11, 128) = 0");
	strace_line(CALL("epoll_ctl", -14, 3, 1, 9, 0), "epoll_ctl(3, EPOLL_CTL_ADD, 9, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("epoll_ctl", -14, 3, 7, 9, 0), "epoll_ctl(3, 0x7 /* EPOLL_CTL_??? */, 9, NULL) = -1 EFAULT (Bad address)");
	strace_line(CALL("madvise", -12, 0, 4096, 4), "madvise(NULL, 4096, MADV_DONTNEED) = -1 ENOMEM (Cannot allocate memory)");
	strace_line(CALL("msync", -12, 0, 4096, 6), "msync(NULL, 4096, MS_SYNC|MS_INVALIDATE) = -1 ENOMEM (Cannot allocate memory)");
	strace_line(CALL("mremap", -14, 0, 4096, 8192, 1), "mremap(NULL, 4096, 8192, MREMAP_MAYMOVE) = -1 EFAULT (Bad address)");
	our_line(CALL("mremap", 0x7f0000000000, 0x1000, 4096, 8192, 3, 0x7f0000000000),
		 "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000000000) = 0x7f0000000000");
	strace_line(CALL("mlockall", 0, 3), "mlockall(MCL_CURRENT|MCL_FUTURE) = 0");
	strace_line(CALL("prctl", 0, 4, 0), "prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE) = 0");
	strace_line(CALL("prctl", 0, 3), "prctl(PR_GET_DUMPABLE) = 0 (SUID_DUMP_DISABLE)");
	strace_line(CALL("prctl", 0, 38, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
	strace_line(CALL("prctl", 0, 36, 1), "prctl(PR_SET_CHILD_SUBREAPER, 1) = 0");
	strace_line(CALL("prctl", 1, 23, 0), "prctl(PR_CAPBSET_READ, CAP_CHOWN) = 1");
	strace_line(CALL("prctl", -22, 22, 0, 0, 0x7f9f2bfda45d, 0),
		    "prctl(PR_SET_SECCOMP, SECCOMP_MODE_DISABLED, 0, 0x7f9f2bfda45d, 0) = -1 EINVAL (Invalid argument)");
	strace_line(CALL("getpriority", 20, 0, 0), "getpriority(PRIO_PROCESS, 0) = 20");
	strace_line(CALL("setns", -9, -1, 0x40000000), "setns(-1, CLONE_NEWNET) = -1 EBADF (Bad file descriptor)");
	strace_line(CALL("umask", 022, 022), "umask(022) = 022");

	/* probe6: poll and select say "(Timeout)", epoll_wait does not */
	strace_line(CALL("poll", 0, 0, 0, 0), "poll(NULL, 0, 0) = 0 (Timeout)");
	our_line(CALL("poll", 1, 0x7ffe0e78ded0, 1, 0), "poll(0x7ffe0e78ded0, 1, 0) = 1");
	our_line(CALL("epoll_pwait", 0, 3, 0x7ffe0e78ded0, 1, 0, 0, 8),
		 "epoll_pwait(3, 0x7ffe0e78ded0, 1, 0, NULL, 8) = 0");
	CHECK(in_strace("epoll_pwait(3, [], 1, 0, NULL, 8) = 0"), "oracle: epoll_pwait = 0, no Timeout");
	c = bytes(CALL("pselect6", 0, 0, 0, 0, 0, 0x7ffe0e78ded0, 0), 4, (long long[]){ 0, 0 }, 16);
	strace_line(c, "pselect6(0, NULL, NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = 0 (Timeout)");
	c = bytes(CALL("ppoll", 0, 0, 0, 0x7ffe0e78ded0, 0, 8), 2, (long long[]){ 0, 0 }, 16);
	strace_line(c, "ppoll(NULL, 0, {tv_sec=0, tv_nsec=0}, NULL, 8) = 0 (Timeout)");
}

/* ---- unknown and odd records ------------------------------------------------------ */

static void test_unknown(void)
{
	struct tl_call *c = CALL("getpid", -38, 0x1, 0x2, 0x7f3156a7d9b3, 0xffffffff, 0,
				 0x535f534900687361);

	c->nr = 999;
	strace_line(c, "syscall_0x3e7(0x1, 0x2, 0x7f3156a7d9b3, 0xffffffff, 0, 0x535f534900687361) = -1 ENOSYS (Function not implemented)");
	c->arch = ARM;
	c->nr = 0x1f4;
	our_line(c, "syscall_0x1f4(0x1, 0x2, 0x7f3156a7d9b3, 0xffffffff, 0, 0x535f534900687361) = -1 ENOSYS (Function not implemented)");
	/* kernel-internal errnos a tracer sees on interrupted calls */
	c = CALL("read", -512, 0, 0x1000, 10);
	our_line(c, "read(0, 0x1000, 10) = -1 ERESTARTSYS (To be restarted if SA_RESTART is set)");
	c = CALL("read", -41, 0, 0x1000, 10);
	our_line(c, "read(0, 0x1000, 10) = -1 (errno 41)");
	/* a faulted string: the pointer, as strace shows memory it cannot read */
	c = blob(CALL("openat", -14, -100, 0x1234, 0), 1, TL_BLOB_STR, "", 0, TL_BLOB_FAULT);
	our_line(c, "openat(AT_FDCWD, 0x1234, O_RDONLY) = -1 EFAULT (Bad address)");
	/* a truncated path */
	c = blob(CALL("openat", 3, -100, 0x1234, 0), 1, TL_BLOB_STR, "/very/long\0", 11, TL_BLOB_TRUNC);
	our_line(c, "openat(AT_FDCWD, \"/very/long\"..., O_RDONLY) = 3");
	/* raw: numbers only */
	c = str(CALL("openat", 3, -100, 0x4000, 02000000), 1, "/etc/hosts");
	{
		char buf[128];

		tl_format_call(c, TL_FMT_RAW, buf, sizeof(buf));
		CHECK_STR(buf, "openat(-100, \"/etc/hosts\", 0x80000) = 3", "TL_FMT_RAW");
	}
}

/* ---- real programs: strace -e raw=all against strace ----------------------------- */

#define MAX_PARTS 8

/*
 * "name(a, b, c) = ret" cut at its top-level commas (quotes, brackets,
 * braces, parentheses and comments kept whole): the name, up to
 * MAX_PARTS - 1 arguments, and the return text.  Returns the number of
 * arguments, -1 if the line is not a call.
 */
static int split_call(const char *line, char *name, size_t namelen,
		      char parts[MAX_PARTS][256], char *ret, size_t retlen)
{
	const char *p = strchr(line, '('), *start;
	int depth = 0, n = 0;
	bool quoted = false;

	if (!p || (size_t)(p - line) >= namelen)
		return -1;
	memcpy(name, line, p - line);
	name[p - line] = 0;
	start = ++p;
	for (; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = false;
			continue;
		}
		if (*p == '"') {
			quoted = true;
		} else if (*p == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");

			if (!end)
				return -1;
			p = end + 1;
		} else if (strchr("([{", *p)) {
			depth++;
		} else if (depth && strchr(")]}", *p)) {
			depth--;
		} else if (!depth && (*p == ',' || *p == ')')) {
			if (p > start && n < MAX_PARTS - 1)
				snprintf(parts[n++], 256, "%.*s", (int)(p - start), start);
			if (*p == ')') {
				if (strncmp(p, ") = ", 4))
					return -1;
				snprintf(ret, retlen, "%s", p + 4);
				return n;
			}
			start = p + 2;	/* ", " */
		}
	}
	return -1;
}

/* The errno named in a "-1 ENOENT (...)" return, 0 if none. */
static int errno_by_name(const char *ret)
{
	char name[32];
	int e;

	if (sscanf(ret, "-1 %31s", name) != 1)
		return 0;
	for (e = 1; e < 600; e++)
		if (tl_errno_name(e) && !strcmp(tl_errno_name(e), name))
			return e;
	return 0;
}

/* Text strace shows from the process's memory, which a record may not hold:
 * strings, arrays, structs, execve's environment count. */
static bool from_memory(const char *arg)
{
	const char *comment = strstr(arg, "/* ");

	return strchr("\"[{@~", arg[0]) || strstr(arg, "=[") || strstr(arg, "=\"") ||
	       (comment && !strstr(comment, "??"));	/* "/\* 73 entries *\/" */
}

/* What differs between two runs of the same program: process ids, and
 * timeouts computed from the clock (curl's poll). */
static const struct {
	const char *call;
	unsigned args;		/* a bit per argument */
	bool ret;
} run_dependent[] = {
	{ "getpid", 0, true }, { "gettid", 0, true }, { "getppid", 0, true },
	{ "set_tid_address", 0, true }, { "clone", 0, true }, { "clone3", 0, true },
	{ "kill", 1, false }, { "tkill", 1, false }, { "tgkill", 3, false },
	{ "poll", 4, false }, { "wait4", 0, true },
};

static bool differs_by_run(const char *call, int arg)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(run_dependent); i++)
		if (!strcmp(call, run_dependent[i].call))
			return arg < 0 ? run_dependent[i].ret : run_dependent[i].args >> arg & 1;
	return false;
}

/* Lines of a fixture, normalized, in a NULL-terminated array (never freed). */
static char **fixture_lines(const char *path)
{
	char *text = unit_read_file(path, NULL), *line, *save, **lines = NULL;
	size_t n = 0;
	char *norm;
	size_t normlen;
	FILE *f;

	if (!CHECK(text, "fixture %s readable", path))
		return NULL;
	f = open_memstream(&norm, &normlen);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		normalize_line(line, f);
	fclose(f);
	free(text);
	for (line = strtok_r(norm, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines = realloc(lines, (n + 2) * sizeof(*lines));
		lines[n++] = line;
	}
	if (lines)
		lines[n] = NULL;
	return lines;
}

/* One real program: each raw line rendered, compared with the decoded line. */
static void real_program(const char *name, unsigned min_compared)
{
	char rawpath[128], decpath[128];
	char **raw, **dec;
	unsigned i, compared = 0, args_compared = 0, bad = 0, skipped = 0;

	snprintf(rawpath, sizeof(rawpath), "tests/unit/fixtures/traceloop/real/%s.raw", name);
	snprintf(decpath, sizeof(decpath), "tests/unit/fixtures/traceloop/real/%s.strace", name);
	raw = fixture_lines(rawpath);
	dec = fixture_lines(decpath);
	if (!raw || !dec)
		return;
	for (i = 0; raw[i] && dec[i]; i++) {
		char rname[64], dname[64], oname[64], rret[256], dret[256], oret[256];
		static char rp[MAX_PARTS][256], dp[MAX_PARTS][256], op[MAX_PARTS][256];
		int rn, dn, on, a, err;
		__u64 args[TL_NR_ARGS] = { 0 };
		struct tl_call *c;
		const char *why = NULL;

		rn = split_call(raw[i], rname, sizeof(rname), rp, rret, sizeof(rret));
		dn = split_call(dec[i], dname, sizeof(dname), dp, dret, sizeof(dret));
		if (rn < 0 || dn < 0) {
			skipped++;	/* signals, exits: not calls */
			continue;
		}
		if (strcmp(rname, dname)) {
			bad++;
			unit_diag("%s line %u: runs differ: %s / %s", name, i + 1, rname, dname);
			break;
		}
		for (a = 0; a < rn && a < TL_NR_ARGS; a++)
			args[a] = strtoull(rp[a], NULL, 0);
		err = errno_by_name(rret);
		c = call(X86, rname, err ? -err : strtoll(rret, NULL, 0), args);
		if (!strcmp(rret, "?"))
			c->flags = TL_CALL_NORETURN;
		on = split_call(render(c), oname, sizeof(oname), op, oret, sizeof(oret));
		if (on != dn)
			why = "argument count";
		for (a = 0; !why && a < dn; a++) {
			if (from_memory(dp[a]) || differs_by_run(dname, a))
				continue;
			args_compared++;
			if (strcmp(op[a], dp[a]))
				why = "argument";
		}
		if (!why && strcmp(oret, dret) && !strstr(dret, " ([") && !differs_by_run(dname, -1))
			why = "return value";
		compared++;
		if (why && bad++ < 8) {
			unit_diag("%s line %u: %s: %s", name, i + 1, why, dec[i]);
			unit_diag("  we print: %s", render(c));
		}
	}
	if (bad > 8)
		unit_diag("%s: %u more", name, bad - 8);
	CHECK(!raw[i] && !dec[i] && !bad,
	      "%s: %u calls (%u arguments) as strace decodes them, %u other lines", name,
	      compared, args_compared, skipped);
	CHECK(compared >= min_compared, "%s: at least %u calls compared", name, min_compared);
	/* (the lines stay: tests are short-lived) */
}

static void test_real_programs(void)
{
	real_program("ls", 300);
	real_program("python3", 350);
	real_program("curl", 350);
	real_program("sqlite3", 180);
	real_program("perl", 100);
	real_program("nginx", 100);
}

/* ---- arm64 ------------------------------------------------------------------------- */

static void test_arm64(void)
{
	struct tl_call *c;

	CHECK_U64(tl_syscall_number(ARM, "openat"), 56, "arm64 openat is 56");
	CHECK_U64(tl_syscall_number(ARM, "read"), 63, "arm64 read is 63");
	CHECK_U64(tl_syscall_number(ARM, "execve"), 221, "arm64 execve is 221");
	CHECK_U64(tl_syscall_number(ARM, "clone3"), 435, "arm64 clone3 is 435");
	CHECK(tl_syscall_number(ARM, "open") < 0 && tl_syscall_number(ARM, "stat") < 0 &&
	      tl_syscall_number(ARM, "fork") < 0 && tl_syscall_number(ARM, "pipe") < 0,
	      "arm64 has no open, stat, fork, pipe");
	CHECK_U64(tl_syscall_number(X86, "read"), 0, "x86_64 read is 0");
	CHECK_U64(tl_syscall_number(X86, "openat"), 257, "x86_64 openat is 257");
	CHECK_U64(tl_syscall_number(X86, "execve"), 59, "x86_64 execve is 59");
	CHECK_U64(tl_syscall_number(X86, "mseal"), 462, "x86_64 mseal is 462 (linux 6.10)");
	CHECK(!tl_syscall_name(X86, 1000) && !tl_syscall_name(7, 0) && tl_syscall_number(7, "read") < 0,
	      "out of range numbers and arches have no name");
	/* arm64's own O_DIRECTORY (040000) and O_NOFOLLOW (0100000) */
	c = str(CALL_ARM("openat", 3, -100, 0x4000, 040000 | 0100000 | 02000000), 1, "/etc");
	our_line(c, "openat(AT_FDCWD, \"/etc\", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_DIRECTORY) = 3");
	c = bytes(CALL_ARM("read", 3, 3, 0x7ffc2156cf70, 64), 1, "vm\n", 3);
	our_line(c, "read(3, \"vm\\n\", 64) = 3");
	CHECK_U64(tl_native_arch(), X86, "this build records x86_64");
}

/* ---- tables ------------------------------------------------------------------------ */

static bool sig_letters_known(const char *sig)
{
	static const char known[] = "dluxpfaosvebBgnNiItOCMAPFKSWGYTRHLcEXrZQmkyzwqjJUDhV12";

	if (!strcmp(sig, "!"))
		return true;
	for (; *sig; sig++)
		if (!strchr(known, *sig))
			return false;
	return true;
}

static void test_tables(void)
{
	static const unsigned arches[] = { X86, ARM };
	const struct tl_sysdesc *t;
	unsigned i, n, nr, a, named, undescribed, bad;

	for (a = 0; a < ARRAY_SIZE(arches); a++) {
		named = undescribed = bad = 0;
		for (nr = 0; nr < TL_NR_MAX; nr++) {
			const char *name = tl_syscall_name(arches[a], nr);

			if (!name)
				continue;
			named++;
			if (tl_syscall_number(arches[a], name) != (int)nr) {
				bad++;
				unit_diag("arch %u: %s is %d, not %u", arches[a], name,
					  tl_syscall_number(arches[a], name), nr);
			}
			if (!tl_sysdesc_find(name)) {
				undescribed++;
				unit_diag("arch %u: %s has no description", arches[a], name);
			}
		}
		CHECK(named > 300, "arch %u: %u syscalls named", arches[a], named);
		CHECK(!bad, "arch %u: name -> number -> name round trip, names unique", arches[a]);
		CHECK(!undescribed, "arch %u: every syscall has classes and argument types",
		      arches[a]);
	}
	t = tl_sysdesc_table(&n);
	bad = 0;
	for (i = 0; i < n; i++) {
		if (i && strcmp(t[i - 1].name, t[i].name) >= 0) {
			bad++;
			unit_diag("sysdesc: %s after %s", t[i].name, t[i - 1].name);
		}
		if (tl_syscall_number(X86, t[i].name) < 0 && tl_syscall_number(ARM, t[i].name) < 0) {
			bad++;
			unit_diag("sysdesc: %s is on no arch", t[i].name);
		}
		if (strlen(t[i].args) > TL_NR_ARGS || !sig_letters_known(t[i].args)) {
			bad++;
			unit_diag("sysdesc: %s has arguments \"%s\"", t[i].name, t[i].args);
		}
	}
	CHECK(!bad, "sysdesc: sorted, every entry a real syscall, argument letters known");

	CHECK_U64(tl_syscall_classes(X86, 257), TL_CLASS_FILE | TL_CLASS_DESC, "openat: %%file %%desc");
	CHECK_U64(tl_syscall_classes(X86, 0), TL_CLASS_DESC, "read: %%desc");
	CHECK_U64(tl_syscall_classes(X86, 42), TL_CLASS_NETWORK | TL_CLASS_DESC, "connect: %%network %%desc");
	CHECK_U64(tl_syscall_classes(ARM, 222), TL_CLASS_MEMORY | TL_CLASS_DESC, "arm64 mmap: %%memory %%desc");
	CHECK_U64(tl_syscall_classes(X86, 62), TL_CLASS_SIGNAL | TL_CLASS_PROCESS, "kill: %%signal %%process");
	CHECK_U64(tl_syscall_classes(X86, 29), TL_CLASS_IPC, "shmget: %%ipc");
	CHECK_U64(tl_syscall_classes(X86, 999), 0, "no classes for an unknown number");

	/* errno, signal and si_code names */
	bad = 0;
	for (i = 1; i <= 133; i++) {
		const char *name = tl_errno_name(i), *text = tl_errno_text(i);

		if (i == 41 || i == 58) {	/* holes in the numbering */
			bad += name != NULL;
			continue;
		}
		if (!name || !text || name[0] != 'E' || !text[0]) {
			bad++;
			unit_diag("errno %u: %s (%s)", i, name ? name : "-", text ? text : "-");
		}
	}
	CHECK(!bad, "errno 1..133 all named, with glibc's texts");
	CHECK_STR(tl_errno_name(2), "ENOENT", "errno 2");
	CHECK_STR(tl_errno_text(11), "Resource temporarily unavailable", "errno 11's text");
	CHECK_STR(tl_errno_name(133), "EHWPOISON", "errno 133");
	CHECK_STR(tl_errno_name(516), "ERESTART_RESTARTBLOCK", "errno 516 (kernel internal)");
	CHECK(!tl_errno_name(0) && !tl_errno_name(-1) && !tl_errno_name(4096) && !tl_errno_name(520),
	      "no names out of range");
	for (i = 1, bad = 0; i <= 64; i++)
		bad += !tl_signal_name(i);
	CHECK(!bad, "signals 1..64 named");
	CHECK_STR(tl_signal_name(11), "SIGSEGV", "signal 11");
	CHECK_STR(tl_signal_name(31), "SIGSYS", "signal 31");
	CHECK_STR(tl_signal_name(33), "SIGRT_1", "signal 33");
	CHECK(!tl_signal_name(0) && !tl_signal_name(65) && !tl_signal_name(-1), "no signal 0, 65, -1");
	CHECK_STR(tl_sigcode_name(11, 1), "SEGV_MAPERR", "SIGSEGV code 1");
	CHECK_STR(tl_sigcode_name(11, 2), "SEGV_ACCERR", "SIGSEGV code 2");
	CHECK_STR(tl_sigcode_name(7, 2), "BUS_ADRERR", "SIGBUS code 2");
	CHECK_STR(tl_sigcode_name(8, 1), "FPE_INTDIV", "SIGFPE code 1");
	CHECK_STR(tl_sigcode_name(4, 2), "ILL_ILLOPN", "SIGILL code 2");
	CHECK_STR(tl_sigcode_name(6, -6), "SI_TKILL", "SIGABRT from tgkill");
	CHECK_STR(tl_sigcode_name(9, 0), "SI_USER", "SIGKILL from kill()");
	CHECK_STR(tl_sigcode_name(11, 0x80), "SI_KERNEL", "SIGSEGV from the kernel");
	CHECK_STR(tl_sigcode_name(31, 1), "SYS_SECCOMP", "SIGSYS code 1");
	CHECK(!tl_sigcode_name(11, 99) && !tl_sigcode_name(15, 3) && !tl_sigcode_name(11, -99),
	      "unknown codes have no name");
}

/* ---- -e trace= ----------------------------------------------------------------------- */

static bool bit(const uint8_t *bm, int nr)
{
	return nr >= 0 && (bm[nr / 8] >> (nr % 8) & 1);
}

static void spec_bad(unsigned arch, const char *spec, const char *want)
{
	uint8_t bm[TL_NR_MAX / 8];
	char err[128] = "";

	CHECK(tl_parse_trace_spec(arch, spec, bm, err, sizeof(err)) == -1,
	      "trace=%s rejected", spec);
	CHECK_CONTAINS(err, want, "trace=%s: the reason names it", spec);
	CHECK(!strchr(err, '\n'), "trace=%s: one line", spec);
}

static void test_trace_spec(void)
{
	uint8_t bm[TL_NR_MAX / 8];
	char err[128];
	unsigned nr, n;

#define NR(name) tl_syscall_number(X86, name)
	CHECK(!tl_parse_trace_spec(X86, "openat,read", bm, err, sizeof(err)), "trace=openat,read");
	for (nr = n = 0; nr < TL_NR_MAX; nr++)
		n += bit(bm, nr);
	CHECK(n == 2 && bit(bm, NR("openat")) && bit(bm, NR("read")), "exactly openat and read");

	CHECK(!tl_parse_trace_spec(X86, "%file", bm, err, sizeof(err)), "trace=%%file");
	CHECK(bit(bm, NR("openat")) && bit(bm, NR("execve")) && bit(bm, NR("unlink")) &&
	      !bit(bm, NR("read")) && !bit(bm, NR("mmap")), "%%file: openat execve unlink, not read mmap");
	CHECK(!tl_parse_trace_spec(X86, "%network,%memory", bm, err, sizeof(err)), "trace=%%network,%%memory");
	CHECK(bit(bm, NR("connect")) && bit(bm, NR("mmap")) && bit(bm, NR("brk")) &&
	      !bit(bm, NR("openat")), "%%network,%%memory");
	CHECK(!tl_parse_trace_spec(X86, "!%memory", bm, err, sizeof(err)), "trace=!%%memory");
	CHECK(!bit(bm, NR("mmap")) && !bit(bm, NR("munmap")) && bit(bm, NR("read")) &&
	      bit(bm, NR("openat")), "!%%memory: all but mmap munmap");
	CHECK(!tl_parse_trace_spec(X86, "!read,write", bm, err, sizeof(err)), "trace=!read,write");
	CHECK(!bit(bm, NR("read")) && !bit(bm, NR("write")) && bit(bm, NR("openat")),
	      "!read,write negates both");
	CHECK(!tl_parse_trace_spec(X86, "all", bm, err, sizeof(err)), "trace=all");
	for (nr = n = 0; nr < TL_NR_MAX; nr++)
		n += bit(bm, nr);
	CHECK(n > 300 && bit(bm, NR("mseal")) && !bit(bm, 999), "all: every named syscall (%u)", n);
	CHECK(!tl_parse_trace_spec(X86, "none", bm, err, sizeof(err)), "trace=none");
	for (nr = n = 0; nr < TL_NR_MAX; nr++)
		n += bit(bm, nr);
	CHECK(n == 0, "none: nothing");
	CHECK(!tl_parse_trace_spec(X86, "!none", bm, err, sizeof(err)) && bit(bm, 0) && bit(bm, 257),
	      "trace=!none: everything");
	CHECK(!tl_parse_trace_spec(X86, "%process,%signal,%desc,%ipc,%net", bm, err, sizeof(err)),
	      "every class parses");
	CHECK(bit(bm, NR("clone")) && bit(bm, NR("rt_sigaction")) && bit(bm, NR("close")) &&
	      bit(bm, NR("semop")) && bit(bm, NR("sendto")), "classes select their calls");
	CHECK(!tl_parse_trace_spec(X86, "%creds,%clock", bm, err, sizeof(err)), "trace=%%creds,%%clock");
	for (nr = n = 0; nr < TL_NR_MAX; nr++)
		n += bit(bm, nr);
	CHECK(n == 26 && bit(bm, NR("setresuid")) && bit(bm, NR("capget")) &&
	      bit(bm, NR("clock_gettime")) && bit(bm, NR("time")) && !bit(bm, NR("nanosleep")),
	      "%%creds (18) and %%clock (8) on x86_64: %u", n);
	CHECK(!tl_parse_trace_spec(ARM, "openat,%memory", bm, err, sizeof(err)) &&
	      bit(bm, 56) && bit(bm, 222) && !bit(bm, 63), "arm64 numbering");
#undef NR
	spec_bad(X86, "openat,nosuchcall", "unknown syscall 'nosuchcall'");
	spec_bad(X86, "%bogus", "unknown syscall class '%bogus'");
	spec_bad(ARM, "open", "unknown syscall 'open'");
	spec_bad(X86, "", "empty");
	spec_bad(X86, "read,,write", "empty name");
	spec_bad(X86, "read,", "empty name");
	spec_bad(X86, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "unknown syscall");
	spec_bad(9, "read", "architecture");
}

/* ---- validation and bounds -------------------------------------------------------- */

static void test_valid(void)
{
	struct tl_call *c = str(CALL("openat", 3, -100, 0x4000, 0), 1, "/etc/hosts");
	size_t full = offsetof(struct tl_call, data) + c->data_len;
	struct tl_call saved = *c;

	CHECK(!tl_call_valid(c, sizeof(*c)), "a good record");
	CHECK(!tl_call_valid(c, full), "a record cut after its data");
	CHECK(tl_call_valid(c, full - 1), "a record cut inside its data");
	CHECK(tl_call_valid(c, 8), "a record of 8 bytes");
	CHECK(tl_call_valid(NULL, 0), "no record");
#define BAD(what, change) do { *c = saved; change; CHECK(tl_call_valid(c, sizeof(*c)), what); } while (0)
	BAD("type not a call", c->type = TL_EV_EXIT);
	BAD("unknown arch", c->arch = 3);
	BAD("arch 0", c->arch = 0);
	BAD("5 blobs", c->nr_blobs = 5);
	BAD("data_len past data[]", c->data_len = TL_DATA_MAX + 1);
	BAD("blob past data_len", c->blobs[0].len = 12);
	BAD("blob offset past data_len", c->blobs[0].off = 11);
	BAD("blob offset wraps", (c->blobs[0].off = 0xffff, c->blobs[0].len = 2));
	BAD("string without its NUL", c->data[10] = 'x');
	BAD("empty string", c->blobs[0].len = 0);
	BAD("blob kind 0", c->blobs[0].kind = 0);
	BAD("blob kind 6", c->blobs[0].kind = 6);
	BAD("blob of argument 6", c->blobs[0].arg = 6);
	BAD("unused blob counted", (c->nr_blobs = 2, c->blobs[1].kind = 0));
#undef BAD
	*c = saved;
	c->blobs[0].len = 0;
	c->blobs[0].flags = TL_BLOB_FAULT;
	CHECK(!tl_call_valid(c, sizeof(*c)), "a faulted string may be empty");
}

/* Every buffer size: never a byte past @size, always NUL-terminated, the
 * return value the full length, the text a prefix of the full one. */
static void bounded(const struct tl_call *c, const char *what)
{
	char full[512], buf[512 + 8];
	size_t want = tl_format_call(c, 0, full, sizeof(full)), size, got;
	unsigned bad = 0;

	CHECK(want == strlen(full) && want > 30, "%s: full length returned (%zu)", what, want);
	for (size = 0; size <= want + 2; size++) {
		memset(buf, 0x5a, sizeof(buf));
		got = tl_format_call(c, 0, size ? buf : NULL, size);
		if (got != want || buf[size] != 0x5a || buf[size + 1] != 0x5a ||
		    (size && (strlen(buf) != (size - 1 < want ? size - 1 : want) ||
			      strncmp(buf, full, strlen(buf))))) {
			bad++;
			unit_diag("size %zu: got %zu", size, got);
		}
	}
	CHECK(!bad, "%s: every buffer size from 0 to %zu: bounded, terminated, a prefix", what,
	      want + 2);
}

static void test_bounds(void)
{
	static const uint8_t sin6[28] = { 10, 0, 0, 53, [23] = 1 };
	struct tl_call *c;
	char buf[64];

	bounded(blob(CALL("connect", -111, 3, 0x7ffc2156cf70, 28), 1, TL_BLOB_SOCKADDR, sin6, 28, 0),
		"connect, AF_INET6");
	/* open's mode left out: the separator written, then taken back */
	bounded(str(CALL("openat", 3, -100, 0x4000, 02000000, 0644), 1, "/etc/hosts"),
		"openat without O_CREAT");
	c = str(CALL("execve", 0, 0x4000, 0x5000, 0x7ffc2156d208), 0, "/bin/ls");
	bounded(blob(c, 1, TL_BLOB_ARGV, "ls\0-l\0/nonexistent-dir", 23, TL_BLOB_TRUNC), "execve");
	bounded(CALL("futex", -14, 0, 5, 1, 2, 0, 0), "futex wake op");
	bounded(bytes(CALL("write", 60, 3, 0x55e5c4279000, 60), 1, "\x01\x02\n\"\\", 5), "write");

	c = blob(CALL("connect", -111, 3, 0x7ffc2156cf70, 28), 1, TL_BLOB_SOCKADDR, sin6, 28, 0);
	CHECK(tl_format_ret(c, buf, 4) == strlen("-1 ECONNREFUSED (Connection refused)") &&
	      !strcmp(buf, "-1 "), "tl_format_ret bounded too");
	CHECK_STR((tl_format_ret(CALL("mmap", 0x7f0000000000, 0, 0, 0, 0, 0, 0), buf, 64), buf),
		  "0x7f0000000000", "tl_format_ret of mmap: hex");
}

int main(void)
{
	load_strace();
	test_files();
	test_fcntl_ioctl();
	test_memory();
	test_process();
	test_futex();
	test_probe5();
	test_real_programs();
	test_network();
	test_unknown();
	test_arm64();
	test_tables();
	test_trace_spec();
	test_valid();
	test_bounds();
	return unit_done();
}
