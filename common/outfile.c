// SPDX-License-Identifier: GPL-2.0
/* Output files: see outfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "bpfbox.h"
#include "outfile.h"

#define MAX_OUTPUTS 8

/* The regular files this run writes: a second output naming one is refused. */
static struct { dev_t dev; ino_t ino; const char *path; } outputs[MAX_OUTPUTS];
static int nr_outputs;

/* The open streams, flushed together (bb_flush_outputs). */
static struct { FILE *f; const char *path; } streams[MAX_OUTPUTS];

static void refuse_same_file(const char *path, const struct stat *st)
{
	int i;

	for (i = 0; i < nr_outputs; i++)
		if (outputs[i].dev == st->st_dev && outputs[i].ino == st->st_ino)
			bb_die("%s and %s are the same file: give each output its own",
			       outputs[i].path, path);
}

static void remember(const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || nr_outputs == MAX_OUTPUTS)
		return;
	outputs[nr_outputs++] = (typeof(outputs[0])){ st.st_dev, st.st_ino, path };
}

/* Something that is not a regular file or a link: written to as it is. */
static int open_existing_special(const char *path)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		bb_die("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		bb_die("%s changed while it was opened: not writing to it", path);
	return fd;
}

int bb_create_output(const char *path)
{
	struct stat st;
	int fd;

	if (!path || !*path)
		bb_die("an output file needs a name");
	if (!lstat(path, &st)) {
		if (S_ISLNK(st.st_mode))
			bb_die("%s is a symbolic link: not following it (name the file itself)",
			       path);
		if (S_ISDIR(st.st_mode))
			bb_die("%s is a directory", path);
		refuse_same_file(path, &st);
		if (!S_ISREG(st.st_mode))
			return open_existing_special(path);
		if (!bb_opts.force)
			bb_die("%s exists: not overwriting it (--force replaces it)", path);
		if (unlink(path))
			bb_die("cannot replace %s: %s", path, strerror(errno));
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		bb_die("cannot create %s: %s", path, strerror(errno));
	remember(path, fd);
	return fd;
}

FILE *bb_create_output_file(const char *path)
{
	int fd = bb_create_output(path);
	FILE *f = fdopen(fd, "w");
	int i;

	if (!f)
		bb_die("cannot create %s: %s", path, strerror(errno));
	for (i = 0; i < MAX_OUTPUTS; i++)
		if (!streams[i].f) {
			streams[i].f = f;
			streams[i].path = path;
			break;
		}
	return f;
}

void bb_flush_outputs(void)
{
	int i;

	for (i = 0; i < MAX_OUTPUTS; i++)
		if (streams[i].f && (fflush(streams[i].f) || ferror(streams[i].f)))
			bb_die("writing %s: %s", streams[i].path, strerror(errno ? errno : EIO));
}

void bb_close_output_file(FILE *f, const char *path)
{
	bool bad;
	int i;

	for (i = 0; i < MAX_OUTPUTS; i++)
		if (streams[i].f == f)
			streams[i].f = NULL;
	bad = fflush(f) || ferror(f);

	if (fclose(f) || bad)
		bb_die("writing %s: %s", path, strerror(errno ? errno : EIO));
}
