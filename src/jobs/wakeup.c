#include "jobs/wakeup.h"

#include <errno.h>
#include <time.h>

#include "base/clock.h"

int wakeup_init(struct wakeup *w)
{
	pthread_condattr_t attr;
	if (pthread_condattr_init(&attr) != 0)
		return -1;
	int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	                 pthread_cond_init(&w->cond, &attr) == 0
	             ? 0
	             : -1;
	pthread_condattr_destroy(&attr);
	if (rc == 0 && pthread_mutex_init(&w->lock, NULL) != 0) {
		pthread_cond_destroy(&w->cond);
		rc = -1;
	}
	w->woken = false;
	atomic_init(&w->stop, false);
	return rc;
}

void wakeup_destroy(struct wakeup *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

void wakeup_wait(struct wakeup *w, int poll_ms)
{
	struct timespec until = clock_after_ms(CLOCK_MONOTONIC, poll_ms);
	pthread_mutex_lock(&w->lock);
	while (!w->woken && !atomic_load(&w->stop))
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
			break;
	w->woken = false;
	pthread_mutex_unlock(&w->lock);
}

void wakeup_wake(struct wakeup *w)
{
	pthread_mutex_lock(&w->lock);
	w->woken = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void wakeup_stop(struct wakeup *w)
{
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->stop, true);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int wakeup_thread_start(struct wakeup *w, pthread_t *thread, void *(*main)(void *), void *arg)
{
	if (wakeup_init(w) < 0)
		return -1;
	if (pthread_create(thread, NULL, main, arg) != 0) {
		wakeup_destroy(w);
		return -1;
	}
	return 0;
}

void wakeup_thread_stop(struct wakeup *w, pthread_t thread)
{
	wakeup_stop(w);
	pthread_join(thread, NULL);
	wakeup_destroy(w);
}
