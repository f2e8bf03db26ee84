// SPDX-License-Identifier: GPL-2.0
/*
 * ml_inject: a running program for memleak --engine inject -p, caught with
 * its threads inside system calls: the main thread (the one the
 * injection's calls run on) blocked in read() on stdin, a second thread
 * sleeping in nanosleep() over and over.  Both calls must come out of the
 * injection as if nothing happened: read() returns the line written after
 * it (its system call restarted, its buffer and length intact), and no
 * sleep fails (EINTR) or ends early (a restart must keep the time left).
 *
 *   ml_inject        prints "ml_inject: pid N ready", reads stdin; on "leak":
 *                    inject_leak_malloc: 3 x 100 bytes, inject_leak_calloc:
 *                    1 x 240 (12 x 20), one block allocated and freed, and
 *                    the sleeper's sleeper_leak: 1 x 555; then prints what
 *                    read() returned and how the sleeps went, and exits 0
 *                    (1 when a sleep went wrong)
 *   ml_inject sleep  the same, but the main thread first sleeps (one
 *                    nanosleep of 60 s, longer than any injection: it is in
 *                    that sleep, time left, when the injection takes it)
 *                    until a SIGUSR1 ends it, then reads stdin
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLEEP_NS 20000000L	/* 20 ms: the sleeper's */
#define MAIN_SLEEP_NS 60000000000LL	/* 60 s: the main thread's, "sleep" */

/* Not static: the compiler may not drop the blocks nobody reads. */
void *inject_kept[8];
static volatile int stop;
static volatile sig_atomic_t woken;	/* "sleep": SIGUSR1 came */
static long sleeps, short_sleeps, failed_sleeps;

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

__attribute__((noinline)) void inject_leak_malloc(int i)
{
	inject_kept[i] = malloc(100);
}

__attribute__((noinline)) void inject_leak_calloc(void)
{
	inject_kept[3] = calloc(12, 20);
}

__attribute__((noinline)) void inject_churn(void)
{
	void *p = malloc(4000);

	__asm__ __volatile__("" : : "r"(p) : "memory");	/* (kept as written) */
	free(p);
}

__attribute__((noinline)) void sleeper_leak(void)
{
	inject_kept[4] = malloc(555);
}

/* One nanosleep() of @ns, counted: failed (EINTR but by SIGUSR1), or
 * shorter than asked. */
static void sleep_once(long long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };
	long long t = now_ns();

	if (nanosleep(&ts, NULL)) {
		if (!woken)
			__atomic_fetch_add(&failed_sleeps, 1, __ATOMIC_RELAXED);
	} else if (now_ns() - t < ns) {
		__atomic_fetch_add(&short_sleeps, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&sleeps, 1, __ATOMIC_RELAXED);
}

static void *sleeper(void *arg)
{
	(void)arg;
	while (!stop)
		sleep_once(SLEEP_NS);
	sleeper_leak();
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	woken = 1;
}

int main(int argc, char **argv)
{
	bool sleeping = argc > 1 && !strcmp(argv[1], "sleep");
	char buf[64] = "";
	sigset_t usr1;
	pthread_t th;
	ssize_t n;
	int i;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	signal(SIGUSR1, on_usr1);
	/* (The sleeper blocks SIGUSR1: it is for the main thread's sleep.) */
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	if (pthread_create(&th, NULL, sleeper, NULL))
		return 2;
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	printf("ml_inject: pid %d ready\n", (int)getpid());
	fflush(stdout);
	while (sleeping && !woken)
		sleep_once(MAIN_SLEEP_NS);
	n = read(0, buf, sizeof(buf) - 1);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	printf("ml_inject: read returned %zd: '%s'%s\n", n, buf, n < 0 ? strerror(errno) : "");
	if (!strcmp(buf, "leak")) {
		for (i = 0; i < 3; i++)
			inject_leak_malloc(i);
		inject_leak_calloc();
		inject_churn();
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("ml_inject: %s sleeps: %ld short, %ld failed\n", sleeps > 0 ? "some" : "no",
	       short_sleeps, failed_sleeps);
	return short_sleeps || failed_sleeps;
}
