// SPDX-License-Identifier: GPL-2.0
/*
 * flood: a fast generator of kernel packet drops, for tests/bench/run.sh.
 *
 * Sends small UDP datagrams with sendmmsg() from THREADS threads (one
 * connected socket each, pinned round-robin to the CPUs) to ADDR:PORT for
 * SEC seconds or COUNT packets.  What drops them is set up by the caller
 * (tc/nft rule, closed port) in the network namespace the flood runs in;
 * each datagram the kernel accepted (counted from sendmmsg's return value)
 * is dropped exactly DROPS_PER_PACKET times (default 1).
 *
 * Output, one "key value" per line on stdout (machine-readable):
 *   sent N            datagrams the kernel accepted (exact)
 *   expected_drops N  drops they must cause (sent * drops per packet)
 *   errors N          sendmmsg calls that failed (EPERM, ECONNREFUSED...)
 *   elapsed_ns N      wall time of the flood
 *   cpu_ns N          user+sys CPU time of this process (all threads)
 *   user_ns N / sys_ns N
 *   sys_busy_ns N     system-wide busy CPU time during the flood (/proc/stat)
 *   rate N            datagrams per second
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024

static struct {
	const char *addr;
	int port;
	int threads;
	double seconds;
	unsigned long long count;	/* 0: until seconds elapse */
	int batch;
	int len;
	int drops_per_packet;
	int pin;
} cfg = { "127.0.0.1", 9, 1, 2.0, 0, 256, 8, 1, 1 };

static atomic_bool stop;
static atomic_ullong budget;	/* packets left to send when -n is used */

struct worker {
	pthread_t th;
	int idx;
	unsigned long long sent, errors;
	int err;			/* last unexpected errno */
};

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Busy (non-idle, non-iowait) time of all CPUs, in ns. */
static uint64_t sys_busy_ns(void)
{
	unsigned long long v[10] = {0}, busy = 0;
	FILE *f = fopen("/proc/stat", "re");
	long hz = sysconf(_SC_CLK_TCK);
	int i;

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) < 8) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* user nice system idle iowait irq softirq steal guest guest_nice;
	 * guest time is already counted in user. */
	for (i = 0; i < 8; i++)
		if (i != 3 && i != 4)
			busy += v[i];
	return busy * (1000000000ull / hz);
}

/* Take up to @want packets from the shared budget (count mode). */
static int take(int want)
{
	unsigned long long left = atomic_load(&budget);

	while (left) {
		unsigned long long n = left < (unsigned long long)want ? left : (unsigned long long)want;

		if (atomic_compare_exchange_weak(&budget, &left, left - n))
			return n;
	}
	return 0;
}

static void give_back(int n)
{
	if (n > 0)
		atomic_fetch_add(&budget, n);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	static char payload[1500];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov = { payload, cfg.len };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(cfg.port) };
	int fd, i, n, want;

	if (cfg.pin) {
		cpu_set_t set;
		int ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		CPU_ZERO(&set);
		CPU_SET(w->idx % (ncpu > 0 ? ncpu : 1), &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	inet_pton(AF_INET, cfg.addr, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("flood: socket/connect");
		exit(2);
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < cfg.batch; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		want = cfg.count ? take(cfg.batch) : cfg.batch;
		if (!want)
			break;
		n = sendmmsg(fd, msgs, want, 0);
		if (n < 0) {
			w->errors++;
			if (errno != EPERM && errno != ECONNREFUSED && errno != ENOBUFS &&
			    errno != EINTR && errno != EAGAIN)
				w->err = errno;
			n = 0;
		}
		w->sent += n;
		if (cfg.count)
			give_back(want - n);
		if (w->err)
			break;
	}
	close(fd);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: flood [-a ADDR] [-p PORT] [-t THREADS] [-d SEC | -n COUNT] [-b BATCH]\n"
		"             [-l LEN] [-k DROPS_PER_PACKET] [-P (no pinning)]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct worker *w;
	struct rusage ru;
	unsigned long long sent = 0, errors = 0;
	uint64_t t0, t1, b0, b1, user, sys;
	int c, i, err = 0;

	while ((c = getopt(argc, argv, "a:p:t:d:n:b:l:k:Ph")) != -1) {
		switch (c) {
		case 'a': cfg.addr = optarg; break;
		case 'p': cfg.port = atoi(optarg); break;
		case 't': cfg.threads = atoi(optarg); break;
		case 'd': cfg.seconds = atof(optarg); break;
		case 'n': cfg.count = strtoull(optarg, NULL, 0); break;
		case 'b': cfg.batch = atoi(optarg); break;
		case 'l': cfg.len = atoi(optarg); break;
		case 'k': cfg.drops_per_packet = atoi(optarg); break;
		case 'P': cfg.pin = 0; break;
		default: usage();
		}
	}
	if (cfg.threads < 1 || cfg.batch < 1 || cfg.batch > MAX_BATCH || cfg.len < 0 ||
	    cfg.len > 1400 || cfg.drops_per_packet < 0)
		usage();
	atomic_store(&budget, cfg.count);
	w = calloc(cfg.threads, sizeof(*w));
	b0 = sys_busy_ns();
	t0 = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < cfg.threads; i++) {
		w[i].idx = i;
		pthread_create(&w[i].th, NULL, run, &w[i]);
	}
	if (!cfg.count) {
		struct timespec ts = { (time_t)cfg.seconds,
				       (long)((cfg.seconds - (time_t)cfg.seconds) * 1e9) };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		atomic_store(&stop, true);
	}
	for (i = 0; i < cfg.threads; i++) {
		pthread_join(w[i].th, NULL);
		sent += w[i].sent;
		errors += w[i].errors;
		if (w[i].err)
			err = w[i].err;
	}
	t1 = now_ns(CLOCK_MONOTONIC);
	b1 = sys_busy_ns();
	getrusage(RUSAGE_SELF, &ru);
	user = ru.ru_utime.tv_sec * 1000000000ull + ru.ru_utime.tv_usec * 1000ull;
	sys = ru.ru_stime.tv_sec * 1000000000ull + ru.ru_stime.tv_usec * 1000ull;
	printf("sent %llu\n", sent);
	printf("expected_drops %llu\n", sent * cfg.drops_per_packet);
	printf("errors %llu\n", errors);
	printf("elapsed_ns %llu\n", (unsigned long long)(t1 - t0));
	printf("cpu_ns %llu\n", (unsigned long long)(user + sys));
	printf("user_ns %llu\n", (unsigned long long)user);
	printf("sys_ns %llu\n", (unsigned long long)sys);
	printf("sys_busy_ns %llu\n", (unsigned long long)(b1 - b0));
	printf("rate %.0f\n", sent / ((t1 - t0) / 1e9));
	if (err) {
		fprintf(stderr, "flood: sendmmsg: %s\n", strerror(err));
		return 1;
	}
	return 0;
}
