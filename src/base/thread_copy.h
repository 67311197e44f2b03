/* A thread's copy of something read from the database that rarely changes
 * (the settings, the departments, the SLA calendars): where and when it
 * was read, and the change generation it saw. Each cache keeps one of these
 * beside its data in _Thread_local storage. */
#ifndef CHAMADO_THREAD_COPY_H
#define CHAMADO_THREAD_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "base/arena.h"

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

/* A thread's copy of one number (a setting, a set of bits). */
struct kept_value {
	struct thread_copy copy;
	int value;
};

/* The number k keeps for from while it is fresh (ttl, generation: the
 * change counter, read by the caller first); otherwise read(from), kept
 * when it is not negative. A failure (< 0) is returned and not kept. */
static inline int kept_value_get(struct kept_value *k, void *from, int ttl, unsigned generation,
                                 int (*read)(void *from))
{
	time_t now = time(NULL);
	if (thread_copy_fresh(&k->copy, from, now, ttl, generation))
		return k->value;
	int value = read(from);
	if (value < 0) {
		k->copy = (struct thread_copy){0};
		return value;
	}
	k->value = value;
	thread_copy_taken(&k->copy, from, now, generation);
	return value;
}

/* A kept list's header: whose list it is (key: a department, a staff
 * member; 0 when there is one list), how many rows, and their strings in
 * an arena of its own. */
struct kept_list {
	arena *a;
	int64_t key;
	int n;
	struct thread_copy copy;
};

/* True while l holds key's list, read through from less than ttl seconds
 * ago with no change since. Otherwise l is emptied (its arena reset) for
 * a new read, which kept_list_taken records. */
static inline bool kept_list_current(struct kept_list *l, const void *from, int64_t key,
                                     time_t now, int ttl, unsigned generation)
{
	if (l->key == key && thread_copy_fresh(&l->copy, from, now, ttl, generation))
		return true;
	l->copy = (struct thread_copy){0};
	arena_reset(l->a);
	return false;
}

/* Records key's list of n rows (or nothing when n < 0), read as of
 * generation: read the counter before the rows. */
static inline void kept_list_taken(struct kept_list *l, const void *from, int64_t key, int n,
                                   time_t now, unsigned generation)
{
	l->n = n;
	if (n < 0)
		return;
	l->key = key;
	thread_copy_taken(&l->copy, from, now, generation);
}

#endif
