#include "base/turns.h"

int turns_take(struct turns *t)
{
	pthread_mutex_lock(&t->lock);
	if (t->running >= t->running_max || t->waiting > 0) {
		if (t->waiting_max >= 0 && t->waiting >= t->waiting_max) {
			pthread_mutex_unlock(&t->lock);
			return -1;
		}
		unsigned long ticket = t->next++;
		t->waiting++;
		while (ticket != t->served || t->running >= t->running_max)
			pthread_cond_wait(&t->free, &t->lock);
		t->served++;
		t->waiting--;
		/* The next in the queue may fit beside this one. */
		if (t->waiting > 0 && t->running + 1 < t->running_max)
			pthread_cond_broadcast(&t->free);
	}
	t->running++;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void turns_give(struct turns *t)
{
	pthread_mutex_lock(&t->lock);
	t->running--;
	/* Every waiter looks; only the queue's head goes. */
	if (t->waiting > 0)
		pthread_cond_broadcast(&t->free);
	pthread_mutex_unlock(&t->lock);
}

void turns_set_limits(struct turns *t, int running_max, int waiting_max)
{
	pthread_mutex_lock(&t->lock);
	t->running_max = running_max >= 1 ? running_max : 1;
	t->waiting_max = waiting_max;
	pthread_cond_broadcast(&t->free);
	pthread_mutex_unlock(&t->lock);
}

void turns_load(struct turns *t, int *running, int *waiting)
{
	pthread_mutex_lock(&t->lock);
	*running = t->running;
	*waiting = t->waiting;
	pthread_mutex_unlock(&t->lock);
}
