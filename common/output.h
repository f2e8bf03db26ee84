/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output: the event loop (epoll by default, --busy-poll spins), the
 * interval tick, and where events go: printed by the applet, or written
 * to a record file (-w) that `bpfbox report` prints the same way later.
 */
#ifndef BB_OUTPUT_H
#define BB_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

struct bb_loop;

typedef int (*bb_event_fn)(void *ctx, void *data, size_t len);

struct bb_loop *bb_loop_new(void);
void bb_loop_free(struct bb_loop *lp);
/* A BPF ring buffer map. */
void bb_loop_add_ringbuf(struct bb_loop *lp, int map_fd, bb_event_fn fn, void *ctx);
/* Any other file descriptor: @fn runs when it is readable. */
void bb_loop_add_fd(struct bb_loop *lp, int fd, int (*fn)(void *ctx), void *ctx);
/* Called every --interval seconds and once more at the end (final). */
void bb_loop_on_tick(struct bb_loop *lp, void (*fn)(void *ctx, bool final), void *ctx);
/* Called when the loop ends, before the last drain: detach here, so that
 * the drain empties the buffers for good and the counts are final. */
void bb_loop_on_stop(struct bb_loop *lp, void (*fn)(void *ctx), void *ctx);
/* Runs until --duration, SIGINT/SIGTERM, or a callback returning < 0. */
void bb_loop_run(struct bb_loop *lp);

struct bb_load;
/*
 * An applet's tracing session, once set up: runs @lp to the end, stops the
 * programs (bb_detach), drains, reports what the kernel lost, closes the
 * record file, frees the loop and unloads.
 */
void bb_session_run(struct bb_load *l, struct bb_loop *lp);

/* An event from the kernel: to the record file, or to the applet's printer. */
int bb_emit_event(const void *data, size_t len);
/* The same, shaped as a bb_event_fn for bb_loop_add_ringbuf(). */
int bb_on_event(void *ctx, void *data, size_t len);

#endif
