/* A thread's copy of something read from the database that rarely changes
 * (the settings, the departments, the SLA calendars): where and when it
 * was read, and the change generation it saw. Each cache keeps one of these
 * beside its data in _Thread_local storage. */
#ifndef CHAMADO_THREAD_COPY_H
#define CHAMADO_THREAD_COPY_H

#include <stdbool.h>
#include <time.h>

struct thread_copy {
	const void *from; /* the connection it was read through; NULL: none */
	time_t at;
	unsigned generation;
};

/* True while c answers for a read through from at now: the same
 * connection, less than ttl seconds ago (and the clock has not gone back),
 * and no change since (generation: the cache's counter, 0 if it has none). */
static inline bool thread_copy_fresh(const struct thread_copy *c, const void *from, time_t now,
                                     int ttl, unsigned generation)
{
	return c->from != NULL && c->from == from && c->generation == generation && now >= c->at &&
	       now - c->at < ttl;
}

/* Records that the copy was just read through from at now, seeing
 * generation (read the counter before the data, so a change meanwhile
 * makes the copy stale). */
static inline void thread_copy_taken(struct thread_copy *c, const void *from, time_t now,
                                     unsigned generation)
{
	*c = (struct thread_copy){.from = from, .at = now, .generation = generation};
}

#endif
