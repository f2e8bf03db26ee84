// SPDX-License-Identifier: GPL-2.0
/*
 * The user symbolizer's text parsers on any bytes: /proc/PID/maps and a
 * JIT's perf map (/tmp/perf-PID.map), then lookups.  The input is the maps
 * text, a NUL, the perf map text.  A fake /proc/PID directory holds them
 * (maps, and root/ -> a directory with tmp/perf-1.map); usyms.c is
 * included to reach its static parsers (the Makefile leaves its object out).
 */
#include "fuzz.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "../../common/usyms.c"

static char proc_dir[64], perf_path[256], maps_path[128];

static void make_fake_proc(void)
{
	char path[256], root[128];

	snprintf(proc_dir, sizeof(proc_dir), "/tmp/bb-fuzz-maps.XXXXXX");
	if (!mkdtemp(proc_dir))
		abort();
	snprintf(root, sizeof(root), "%s/rootdir", proc_dir);
	snprintf(path, sizeof(path), "%s/tmp", root);
	if (mkdir(root, 0700) || mkdir(path, 0700))
		abort();
	snprintf(path, sizeof(path), "%s/root", proc_dir);
	if (symlink(root, path))
		abort();
	snprintf(perf_path, sizeof(perf_path), "%s/tmp/perf-1.map", root);
	snprintf(maps_path, sizeof(maps_path), "%s/maps", proc_dir);
}

static void put(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
}

static void look_up(struct bb_usyms *u, const uint8_t *data, size_t size)
{
	char buf[512];
	size_t i;

	for (i = 0; i < u->nr_maps; i++) {
		bb_usyms_format(u, u->maps[i].start, buf, sizeof(buf));
		bb_usyms_format(u, u->maps[i].end - 1, buf, sizeof(buf));
	}
	for (i = 0; i + 8 <= size && i < 4096; i += 61) {
		unsigned long long a;

		memcpy(&a, data + i, 8);
		bb_usyms_format(u, a, buf, sizeof(buf));
		bb_usyms_format_data(u, a, buf, sizeof(buf));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t maps_len = nul ? (size_t)(nul - data) : size;
	struct bb_usyms *u;

	fuzz_init();
	if (!proc_dir[0])
		make_fake_proc();
	put(maps_path, data, maps_len);
	put(perf_path, nul ? nul + 1 : data, nul ? size - maps_len - 1 : 0);
	if (!setjmp(fuzz_jump)) {
		u = bb_xcalloc(1, sizeof(*u));
		u->pid = u->nspid = 1;
		u->flags = BB_USYMS_NO_MAP_FILES;
		u->uid = getuid();
		u->jit_fd = -1;
		u->procfd = open(proc_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		open_root(u);
		if (!read_maps(u, &u->maps, &u->nr_maps))
			look_up(u, data, size);
		bb_usyms_close(u);
	}
	fuzz_close_fds(-1);
	return 0;
}
