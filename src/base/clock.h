/* Deadlines for timed waits (pthread_cond_timedwait, pthread_mutex_timedlock)
 * and elapsed times, in milliseconds. */
#ifndef CHAMADO_CLOCK_H
#define CHAMADO_CLOCK_H

#include <stdint.h>
#include <time.h>

/* The time ms from now on clock (CLOCK_REALTIME for mutexes and default
 * conditions, CLOCK_MONOTONIC for conditions made with it). */
struct timespec clock_after_ms(clockid_t clock, int ms);
/* Milliseconds since t, a CLOCK_MONOTONIC time. */
int64_t clock_ms_since(const struct timespec *t);
/* The wall clock in milliseconds since the epoch. */
int64_t clock_now_ms(void);

#endif
