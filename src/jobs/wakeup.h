/* How a background worker sleeps between passes: until a wake (work was
 * queued), a stop, or its poll interval, whichever comes first. One per
 * worker thread; the outbox and webhook senders embed one. */
#ifndef CHAMADO_WAKEUP_H
#define CHAMADO_WAKEUP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct wakeup {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC: a clock change never stalls a sleep */
	bool woken;          /* under lock */
	atomic_bool stop;    /* read by the worker's passes to end early */
};

/* 0, or -1 when the lock or the condition cannot be made. */
int wakeup_init(struct wakeup *w);
void wakeup_destroy(struct wakeup *w);
/* Sleeps until woken, stopped or poll_ms have passed; clears the wake. */
void wakeup_wait(struct wakeup *w, int poll_ms);
void wakeup_wake(struct wakeup *w);
/* Asks the worker to stop: its wait returns, its passes see w->stop. */
void wakeup_stop(struct wakeup *w);

/* A worker's thread and its wakeup, made and unmade together. Start makes
 * w and runs main(arg) on *thread: 0, or -1 with w unmade. Stop asks the
 * thread to stop, waits for it to end, then unmakes w. */
int wakeup_thread_start(struct wakeup *w, pthread_t *thread, void *(*main)(void *), void *arg);
void wakeup_thread_stop(struct wakeup *w, pthread_t thread);

#endif
