/*
 * tests/bench/deadlock_loop.c: a mutex-heavy workload for tests/bench/deadlock.sh.
 *
 *   deadlock_loop N [THREADS]   THREADS (4) threads x N iterations of
 *                               lock(a); lock(b); unlock(b); unlock(a)
 *                               (always the same order: no cycle)
 *   deadlock_loop work N [THREADS]
 *                               THREADS (4) threads x N tasks: ~2 us of work
 *                               on a private 2 KB heap buffer (a serial chain of
 *                               loads and stores: what a sanitizer pays
 *                               for), then lock(a), one update of a shared
 *                               table, unlock(a): a lock-per-task program
 *   deadlock_loop hit N         one thread, per-call costs, each phase timed:
 *                               lock+unlock of one mutex, trylock+unlock,
 *                               unlock alone (an error-checking mutex not
 *                               held: EPERM, same entry code)
 *   deadlock_loop abba          a then b, later (after a join) b then a:
 *                               a lock-order cycle that never deadlocks,
 *                               to check the tracer still finds it
 * Prints "elapsed_ns=... iters=... ns_per_iter=..." (or one line per phase);
 * the clock is the loop's own: no start-up or tool teardown in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t go;
static long n;
static volatile long shared;

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *worker(void *arg)
{
	long i;

	(void)arg;
	pthread_barrier_wait(&go);
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&a);
		pthread_mutex_lock(&b);
		shared++;
		pthread_mutex_unlock(&b);
		pthread_mutex_unlock(&a);
	}
	return NULL;
}

static unsigned char table[4096];

static void *task_worker(void *arg)
{
	enum { SIZE = 2048 };
	unsigned h = (unsigned)(long)arg;
	unsigned char *buf = malloc(SIZE);	/* the task's data, on the heap */
	long i;
	size_t j;

	if (!buf)
		abort();
	memset(buf, (int)h, SIZE);
	pthread_barrier_wait(&go);
	for (i = 0; i < n; i++) {
		/* A dependency chain: neither vectorized nor reordered away. */
		for (j = 0; j < SIZE; j++) {
			h = h * 31 + buf[j];
			buf[j] = (unsigned char)h;
		}
		pthread_mutex_lock(&a);
		table[(h + i) & (sizeof(table) - 1)]++;
		shared++;
		pthread_mutex_unlock(&a);
	}
	free(buf);
	return NULL;
}

static void phase(const char *name, long long t0, long iters)
{
	long long t = now() - t0;

	printf("%s elapsed_ns=%lld iters=%ld ns_per_iter=%.1f\n", name, t, iters, (double)t / iters);
}

static int hit(long cnt)
{
	pthread_mutexattr_t at;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, ec;
	long long t0;
	long i;

	pthread_mutexattr_init(&at);
	pthread_mutexattr_settype(&at, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&ec, &at);

	t0 = now();
	for (i = 0; i < cnt; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
	phase("lock+unlock", t0, cnt);
	t0 = now();
	for (i = 0; i < cnt; i++) {
		if (pthread_mutex_trylock(&m))
			abort();
		pthread_mutex_unlock(&m);
	}
	phase("trylock+unlock", t0, cnt);
	t0 = now();
	for (i = 0; i < cnt; i++)
		if (pthread_mutex_unlock(&ec) != EPERM)
			abort();
	phase("unlock", t0, cnt);
	return 0;
}

static void *ab(void *arg)
{
	pthread_mutex_t *x = arg ? &b : &a, *y = arg ? &a : &b;

	pthread_mutex_lock(x);
	pthread_mutex_lock(y);
	pthread_mutex_unlock(y);
	pthread_mutex_unlock(x);
	return NULL;
}

static int abba(void)
{
	pthread_t t;

	pthread_create(&t, NULL, ab, NULL);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, ab, (void *)1);
	pthread_join(t, NULL);
	puts("abba done");
	return 0;
}

int main(int argc, char **argv)
{
	void *(*fn)(void *) = worker;
	pthread_t th[64];
	long long t0;
	int i, nt;

	if (argc > 2 && !strcmp(argv[1], "hit"))
		return hit(atol(argv[2]));
	if (argc > 1 && !strcmp(argv[1], "abba"))
		return abba();
	if (argc > 2 && !strcmp(argv[1], "work")) {
		fn = task_worker;
		argc--;
		argv++;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s [work] N [THREADS] | hit N | abba\n", argv[0]);
		return 2;
	}
	n = atol(argv[1]);
	nt = argc > 2 ? atoi(argv[2]) : 4;
	if (nt < 1 || nt > 64)
		return 2;
	pthread_barrier_init(&go, NULL, nt + 1);
	for (i = 0; i < nt; i++)
		pthread_create(&th[i], NULL, fn, (void *)(long)(i + 1));
	/* The clock starts before the release: after it, with 4 threads on 2
	 * CPUs, main may not run again until the work is done. */
	t0 = now();
	pthread_barrier_wait(&go);
	for (i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	t0 = now() - t0;
	if (shared != n * nt)
		return fprintf(stderr, "lost updates\n"), 3;
	printf("elapsed_ns=%lld iters=%ld ns_per_iter=%.1f\n", t0, n * nt, (double)t0 / (n * nt));
	return 0;
}
