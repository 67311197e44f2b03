/* A thread's own object of one kind, made at the thread's first use and
 * freed when the thread ends (a pthread key with a destructor): the
 * domain's copies of rarely changing reads (thread_copy.h) keep their rows
 * and arenas in one, which a _Thread_local pointer would leak at the
 * thread's end. One static slot per kind:
 *
 *     static struct thread_slot slot = THREAD_SLOT(make, drop);
 *     struct kept *k = thread_slot_get(&slot);
 *
 * make returns a new object (NULL without memory); drop frees one. */
#ifndef CHAMADO_THREAD_SLOT_H
#define CHAMADO_THREAD_SLOT_H

#include <pthread.h>
#include <stdatomic.h>

struct thread_slot {
	void *(*make)(void);
	void (*drop)(void *);
	atomic_bool keyed; /* key is created */
	pthread_key_t key;
};

#define THREAD_SLOT(make_fn, drop_fn) {.make = (make_fn), .drop = (drop_fn)}

/* The calling thread's object, made now when it has none; NULL without
 * memory. */
void *thread_slot_get(struct thread_slot *s);

#endif
