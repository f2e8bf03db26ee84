// SPDX-License-Identifier: GPL-2.0
/*
 * Filter arguments as users give them (a pid, `ip netns` name, a cgroup
 * path) checked here and turned into the ids the BPF side compares.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/nsfs.h>
#include "bpfbox.h"
#include "filters.h"

unsigned bb_parse_pid(const char *arg)
{
	unsigned long long pid;
	char path[64];
	struct stat st;

	if (bb_parse_uint(arg, INT_MAX, &pid) || !pid)
		bb_die("'%s' is not a process id", arg);
	snprintf(path, sizeof(path), "/proc/%llu", pid);
	if (stat(path, &st))
		bb_die("no such process: %llu", pid);
	return pid;
}

#define CGROUP2_MAGIC 0x63677270

/* A cgroup v2 directory's inode, or 0 if @path is not one. */
static unsigned long long cgroup2_inode(const char *path)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) || sfs.f_type != CGROUP2_MAGIC)
		return 0;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return 0;
	return st.st_ino;
}

/* A cgroup v2 id is the inode number of its directory: take an id, a full
 * path, or a path below the cgroup2 mount (hybrid systems: unified/). */
unsigned long long bb_parse_cgroup(const char *arg)
{
	static const char *const roots[] = { "", "/sys/fs/cgroup/", "/sys/fs/cgroup/unified/" };
	unsigned long long id;
	char path[PATH_MAX];
	size_t i;

	if (!*arg)
		bb_die("--cgroup: an empty path is no cgroup (the root would mean all)");
	if (!bb_parse_uint(arg, ~0ULL, &id)) {
		if (!id)
			bb_die("--cgroup: 0 is no cgroup id");
		return id;
	}
	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		if (!*roots[i] && arg[0] != '/')
			continue;
		snprintf(path, sizeof(path), "%s%s", roots[i], arg);
		id = cgroup2_inode(path);
		if (id)
			return id;
	}
	bb_die("--cgroup: '%s' is not a cgroup v2 directory", arg);
}

/* The inode of namespace file @path, which must be a @type namespace. */
static unsigned ns_inode(const char *path, const char *type)
{
	int want = !strcmp(type, "net") ? CLONE_NEWNET : CLONE_NEWNS;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		bb_die("--%sns: cannot open %s: %s", type, path, strerror(errno));
	if (ioctl(fd, NS_GET_NSTYPE) != want || fstat(fd, &st))
		bb_die("--%sns: %s is not a %s namespace", type, path,
		       want == CLONE_NEWNET ? "network" : "mount");
	close(fd);
	return st.st_ino;
}

/* A namespace as an inode number, a path (/proc/PID/ns/net), or a name
 * created by `ip netns add` (/run/netns/NAME). */
unsigned bb_parse_ns(const char *arg, const char *type)
{
	unsigned long long ino;
	char path[PATH_MAX];
	
	if (!bb_parse_uint(arg, ~0U, &ino)) {
		if (!ino)	/* 0 would mean "no filter", silently */
			bb_die("--%sns: 0 is no namespace inode", type);
		return ino;
	}
	if (strchr(arg, '/'))
		snprintf(path, sizeof(path), "%s", arg);
	else if (!strcmp(type, "net"))
		snprintf(path, sizeof(path), "/run/netns/%s", arg);
	else
		bb_die("--%sns: '%s' is neither an inode number nor a path", type, arg);
	return ns_inode(path, type);
}

void bb_filter_fill(struct bb_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->tgid = bb_opts.tgid;
	f->pid = bb_opts.tid;
	f->cgroup_id = bb_opts.cgroup_id;
	f->netns = bb_opts.netns;
	f->mntns = bb_opts.mntns;
	if (bb_opts.comm[0]) {
		memcpy(f->comm, bb_opts.comm, sizeof(f->comm));
		f->has_comm = 1;
	}
}
