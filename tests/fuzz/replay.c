// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput on every
 * file named, or in the directories named (make asan replays the corpora
 * under ASan+UBSan with it; a crash is the sanitizer's report and exit).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long runs;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		exit(2);
	}
	do {
		if (len == cap)
			buf = realloc(buf, cap = cap ? 2 * cap : 65536);
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	runs++;
}

static void run_path(const char *path)
{
	struct dirent *d;
	struct stat st;
	char sub[4096];
	DIR *dir;

	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
		run_path(sub);
	}
	if (dir)
		closedir(dir);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		run_path(argv[i]);
	fprintf(stderr, "%s: %lu inputs, no crash\n", argv[0], runs);
	return 0;
}
