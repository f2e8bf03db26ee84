// SPDX-License-Identifier: GPL-2.0
/*
 * The applet table and multicall dispatch: `bpfbox APPLET ARGS`, or a link
 * named APPLET (busybox's argv[0] convention).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "bpfbox.h"

/* The linker provides these bounds for the BB_APPLET() section. */
extern const struct bb_applet *__start_bb_applets[];
extern const struct bb_applet *__stop_bb_applets[];

const struct bb_applet *bb_current;
uint64_t bb_wall_base;

size_t bb_applet_count(void)
{
	return __stop_bb_applets - __start_bb_applets;
}

const struct bb_applet *bb_applet_at(size_t i)
{
	return __start_bb_applets[i];
}

const struct bb_applet *bb_find_applet(const char *name)
{
	size_t i;

	for (i = 0; i < bb_applet_count(); i++)
		if (!strcmp(bb_applet_at(i)->name, name))
			return bb_applet_at(i);
	return NULL;
}

static int cmp_applets(const void *a, const void *b)
{
	return strcmp((*(const struct bb_applet **)a)->name,
		      (*(const struct bb_applet **)b)->name);
}

static void print_applets(FILE *f)
{
	const struct bb_applet *sorted[64];
	size_t i, n = bb_applet_count();

	if (n > ARRAY_SIZE(sorted))
		n = ARRAY_SIZE(sorted);
	for (i = 0; i < n; i++)
		sorted[i] = bb_applet_at(i);
	qsort(sorted, n, sizeof(sorted[0]), cmp_applets);
	for (i = 0; i < n; i++)
		fprintf(f, "  %-12s %s\n", sorted[i]->name, sorted[i]->summary);
}

static void main_help(FILE *f)
{
	fprintf(f,
		"bpfbox %s: eBPF diagnostic tools in one static binary\n\n"
		"Usage: bpfbox APPLET [ARGS]   or   APPLET [ARGS] (through a link)\n"
		"       bpfbox --list | --install [DIR] | --version | --help\n\n"
		"Applets:\n", BB_VERSION);
	print_applets(f);
	fprintf(f, "\nRun 'bpfbox APPLET --help' for an applet's options.\n");
}

static void print_version(void)
{
	printf("bpfbox %s\n", BB_VERSION);
	printf("libbpf %s\n", libbpf_version_string());
	printf("built %s %s, static musl, %s\n", __DATE__, __TIME__, BB_ARCH);
}

static void list_applets(void)
{
	size_t i;

	for (i = 0; i < bb_applet_count(); i++)
		printf("%s\n", bb_applet_at(i)->name);
}

/* busybox --install: one symlink per applet, pointing at this binary. */
static int install_links(const char *dir)
{
	char self[PATH_MAX], link[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat st;
	size_t i;
	int made = 0;

	if (n < 0)
		bb_die("cannot find my own path: /proc/self/exe: %s", strerror(errno));
	self[n] = 0;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		bb_die("--install: %s is not a directory", dir);
	for (i = 0; i < bb_applet_count(); i++) {
		snprintf(link, sizeof(link), "%s/%s", dir, bb_applet_at(i)->name);
		if (!lstat(link, &st)) {
			bb_warn("%s exists, left as it is", link);
			continue;
		}
		if (symlink(self, link))
			bb_die("cannot create %s: %s", link, strerror(errno));
		made++;
	}
	printf("%d links to %s created in %s\n", made, self, dir);
	return 0;
}

static int run_applet(const struct bb_applet *app, int argc, char **argv)
{
	static char outbuf[1 << 16];
	int first;

	/* musl's 1 KB stdout buffer means a write per few events; the loop
	 * flushes after each batch instead. */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	bb_current = app;
	bb_wall_base = bb_boot_wall_ns();
	first = bb_parse_options(app, argc, argv);
	if (bb_opts.read_file)
		return bb_report_file(bb_opts.read_file);
	return app->main(argc - first, argv + first);
}

static int bpfbox_main(int argc, char **argv)
{
	const struct bb_applet *app;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		main_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		print_version();
		return 0;
	}
	if (!strcmp(argv[1], "--list")) {
		list_applets();
		return 0;
	}
	if (!strcmp(argv[1], "--install"))
		return install_links(argc > 2 ? argv[2] : "/usr/local/bin");
	app = bb_find_applet(argv[1]);
	if (!app) {
		fprintf(stderr, "bpfbox: unknown applet '%s' (bpfbox --list shows them)\n",
			argv[1]);
		return BB_EXIT_USAGE;
	}
	return run_applet(app, argc - 1, argv + 1);
}

int bb_main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const struct bb_applet *app;

	base = base ? base + 1 : argv[0];
	app = bb_find_applet(base);
	if (app)
		return run_applet(app, argc, argv);
	return bpfbox_main(argc, argv);
}
