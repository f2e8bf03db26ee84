// SPDX-License-Identifier: GPL-2.0
/* The event loop and event routing: see output.h. */
#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <bpf/libbpf.h>
#include "bpfbox.h"
#include "output.h"
#include "loader.h"
#include "outfile.h"
#include "record.h"

#define CONSUME_BATCH 4096
#define FLUSH_NS 1000000000ULL	/* output files written out at least this often */
#define MAX_FDS 4

struct loop_fd {
	int fd;
	int (*fn)(void *ctx);
	void *ctx;
};

struct bb_loop {
	struct ring_buffer *rb;
	int epfd;
	void (*tick)(void *ctx, bool final);
	void *tick_ctx;
	void (*stop)(void *ctx);
	void *stop_ctx;
	struct loop_fd fds[MAX_FDS];
	int nr_fds;
};

struct bb_loop *bb_loop_new(void)
{
	struct bb_loop *lp = bb_xcalloc(1, sizeof(*lp));

	lp->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (lp->epfd < 0)
		bb_die("epoll_create1: %s", strerror(errno));
	return lp;
}

void bb_loop_free(struct bb_loop *lp)
{
	ring_buffer__free(lp->rb);
	close(lp->epfd);
	free(lp);
}

static void watch_fd(struct bb_loop *lp, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev))
		bb_die("epoll_ctl: %s", strerror(errno));
}

void bb_loop_add_ringbuf(struct bb_loop *lp, int map_fd, bb_event_fn fn, void *ctx)
{
	if (!lp->rb) {
		lp->rb = ring_buffer__new(map_fd, fn, ctx, NULL);
		if (!lp->rb)
			bb_die("cannot set up the ring buffer: %s", strerror(errno));
		watch_fd(lp, ring_buffer__epoll_fd(lp->rb));
	} else if (ring_buffer__add(lp->rb, map_fd, fn, ctx)) {
		bb_die("cannot add a ring buffer: %s", strerror(errno));
	}
}

void bb_loop_add_fd(struct bb_loop *lp, int fd, int (*fn)(void *ctx), void *ctx)
{
	if (lp->nr_fds == MAX_FDS)
		bb_die("internal error: too many descriptors in the loop");
	lp->fds[lp->nr_fds++] = (struct loop_fd){ fd, fn, ctx };
	watch_fd(lp, fd);
}

/* Runs the callbacks of the plain descriptors among @ev; <0 stops. */
static int run_fd_callbacks(struct bb_loop *lp, const struct epoll_event *ev, int n)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < lp->nr_fds; j++)
			if (ev[i].data.fd == lp->fds[j].fd && lp->fds[j].fn(lp->fds[j].ctx) < 0)
				return -1;
	return 0;
}

/* Busy-polling does not sleep in epoll: look at the descriptors now and then. */
static int poll_fds(struct bb_loop *lp)
{
	struct epoll_event ev[4];
	int n;

	if (!lp->nr_fds)
		return 0;
	n = epoll_wait(lp->epfd, ev, ARRAY_SIZE(ev), 0);
	return n > 0 ? run_fd_callbacks(lp, ev, n) : 0;
}

void bb_loop_on_tick(struct bb_loop *lp, void (*fn)(void *ctx, bool final), void *ctx)
{
	lp->tick = fn;
	lp->tick_ctx = ctx;
}

void bb_loop_on_stop(struct bb_loop *lp, void (*fn)(void *ctx), void *ctx)
{
	lp->stop = fn;
	lp->stop_ctx = ctx;
}

static int consume(struct bb_loop *lp)
{
	int n = 0, r;

	if (lp->rb) {
		/* Bounded: under a flood the buffer never empties, and the loop
		 * must still see its ticks, its deadline and Ctrl-C. */
		r = ring_buffer__consume_n(lp->rb, CONSUME_BATCH);
		if (r < 0 && r != -EINTR)
			return r;
		n += r > 0 ? r : 0;
	}
	return n;
}

static uint64_t deadline_after(double seconds, uint64_t now)
{
	return seconds > 0 ? now + (uint64_t)(seconds * 1e9) : UINT64_MAX;
}

static int wait_ms(uint64_t now, uint64_t next_tick, uint64_t end)
{
	uint64_t until = next_tick < end ? next_tick : end;

	if (until == UINT64_MAX)
		return -1;
	return until > now ? (int)((until - now + 999999) / 1000000) : 0;
}

/* One pass: wait (or spin) for events, drain them; <0 means stop. */
static int poll_once(struct bb_loop *lp, int timeout_ms)
{
	static unsigned spins;
	struct epoll_event ev[4];
	int n;

	if (bb_opts.busy_poll) {
		if (!(++spins & 1023) && poll_fds(lp) < 0)
			return -1;
		return consume(lp);
	}
	n = epoll_wait(lp->epfd, ev, ARRAY_SIZE(ev), timeout_ms);
	if (n < 0 && errno != EINTR)
		bb_die("epoll_wait: %s", strerror(errno));
	if (n > 0 && run_fd_callbacks(lp, ev, n) < 0)
		return -1;
	return consume(lp);
}

void bb_loop_run(struct bb_loop *lp)
{
	uint64_t now = bb_now_ns(CLOCK_MONOTONIC);
	uint64_t end = deadline_after(bb_opts.duration, now);
	uint64_t next_tick = lp->tick ? deadline_after(bb_opts.interval, now) : UINT64_MAX;
	uint64_t next_flush = now + FLUSH_NS;

	while (!bb_stop) {
		uint64_t wake = next_tick < next_flush ? next_tick : next_flush;
		int n = poll_once(lp, wait_ms(now, wake, end));

		if (n < 0)
			break;
		if (n > 0)
			fflush(stdout);	/* a batch at a time: readers see it now */
		now = bb_now_ns(CLOCK_MONOTONIC);
		if (now >= end)
			break;
		if (now >= next_tick) {
			lp->tick(lp->tick_ctx, false);
			fflush(stdout);
			next_tick = deadline_after(bb_opts.interval, now);
			next_flush = now;
		}
		/* A killed recording keeps what came before its last second. */
		if (now >= next_flush) {
			bb_flush_outputs();
			next_flush = now + FLUSH_NS;
		}
	}
	if (lp->stop)
		lp->stop(lp->stop_ctx);
	/* What arrived before we stopped is still shown.  Without a stop
	 * callback the producers may still run: drain a bounded amount. */
	while (consume(lp) == CONSUME_BATCH && lp->stop)
		;
	if (lp->tick)
		lp->tick(lp->tick_ctx, true);
	fflush(stdout);
}

/*
 * A program we start writes to our stdout too (memleak -- leaky: its
 * "leaky: done"): its lines must come between ours, never inside one.
 * stdio writes a full buffer out as it is, cut mid-line (a line of
 * leaky's came inside a realloc event's, and the matrix counted 1000 of
 * its 1001 reallocs); so the buffer is written out here, after a whole
 * line, while the next event's lines still fit.
 */
#define EVENT_ROOM 8192

static void keep_lines_whole(void)
{
	if (__fbufsize(stdout) - __fpending(stdout) < EVENT_ROOM)
		fflush(stdout);
}

int bb_emit_event(const void *data, size_t len)
{
	keep_lines_whole();
	if (bb_recording()) {
		if (bb_current->mark_addrs)
			bb_current->mark_addrs(data, len, BB_MARK_EVENT);
		bb_record_write(BB_REC_EVENT, data, len, NULL, 0);
	} else
		bb_current->print_event(data, len);
	return 0;
}

int bb_on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	return bb_emit_event(data, len);
}

static void detach_load(void *load)
{
	bb_detach(load);
}

void bb_session_run(struct bb_load *l, struct bb_loop *lp)
{
	struct bb_lost_report lost;

	bb_loop_on_stop(lp, detach_load, l);
	bb_loop_run(lp);
	bb_lost_read(l, &lost);
	bb_record_close(&lost, sizeof(lost));
	bb_lost_print(&lost);
	bb_loop_free(lp);
	bb_unload(l);
}
