/* Turns: at most running_max holders at once, and at most waiting_max
 * callers waiting for a turn (fewer than 0: any number). Used where work
 * gains nothing from running wider than a limit (password hashing, the
 * Relatórios builds). Turns are given in the order callers asked: one that
 * comes while others wait queues behind them, so none waits for ever. */
#ifndef CHAMADO_TURNS_H
#define CHAMADO_TURNS_H

#include <pthread.h>

struct turns {
	pthread_mutex_t lock;
	pthread_cond_t free;
	int running_max, waiting_max;
	int running, waiting;
	/* The queue's tickets: the next to hand out, the next to serve. */
	unsigned long next, served;
};

#define TURNS_INIT(running_max, waiting_max) \
	{PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, (running_max), (waiting_max), 0, 0, 0, 0}

/* 0 once the caller holds a turn (after waiting for one when all are
 * taken); -1 at once when waiting_max callers already wait. */
int turns_take(struct turns *t);
void turns_give(struct turns *t);
/* How many hold a turn and how many wait, now. */
void turns_load(struct turns *t, int *running, int *waiting);
/* running_max below 1 counts as 1; wakes the waiters to look again. */
void turns_set_limits(struct turns *t, int running_max, int waiting_max);

#endif
