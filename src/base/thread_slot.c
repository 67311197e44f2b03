#include "base/thread_slot.h"

#include <stdbool.h>

/* Slots are static and many: their keys are made under one lock, once. */
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;

static bool slot_keyed(struct thread_slot *s)
{
	if (atomic_load_explicit(&s->keyed, memory_order_acquire))
		return true;
	pthread_mutex_lock(&keys_lock);
	if (!atomic_load_explicit(&s->keyed, memory_order_relaxed) &&
	    pthread_key_create(&s->key, s->drop) == 0)
		atomic_store_explicit(&s->keyed, true, memory_order_release);
	pthread_mutex_unlock(&keys_lock);
	return atomic_load_explicit(&s->keyed, memory_order_acquire);
}

void *thread_slot_get(struct thread_slot *s)
{
	if (!slot_keyed(s))
		return NULL;
	void *object = pthread_getspecific(s->key);
	if (object)
		return object;
	object = s->make();
	if (object && pthread_setspecific(s->key, object) != 0) {
		s->drop(object);
		return NULL;
	}
	return object;
}
