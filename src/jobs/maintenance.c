#include "jobs/maintenance.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "base/str.h"
#include "domain/staff_ticket.h"
#include "store/session_store.h"
#include "store/settings_store.h"

struct maintenance {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	int interval_s;
	db *d;
	const i18n_catalog *cat;
};

int maintenance_run(db *d, const i18n_catalog *cat, int64_t now)
{
	char value[16];
	int64_t days = 7;
	store_setting_get(d, "auto_close_days", "7", value, sizeof value);
	if (!str_to_int64(value, 0, 3650, &days))
		days = 7;
	int closed = ticket_auto_close(d, cat, (int)days, now);
	if (closed > 0)
		log_info("auto-close: closed %d ticket(s) answered more than %lld days ago", closed,
		         (long long)days);
	store_session_purge(d, now);
	return closed;
}

static void *loop(void *arg)
{
	struct maintenance *m = arg;
	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		pthread_mutex_unlock(&m->lock);
		maintenance_run(m->d, m->cat, (int64_t)time(NULL));
		pthread_mutex_lock(&m->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += m->interval_s;
		while (!m->stopping && pthread_cond_timedwait(&m->wake, &m->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

maintenance *maintenance_start(const char *db_url, const i18n_catalog *cat, int interval_s,
                               char *err, size_t errlen)
{
	struct maintenance *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->d = db_open(db_url, err, errlen);
	if (!m->d) {
		free(m);
		return NULL;
	}
	m->cat = cat;
	m->interval_s = interval_s > 0 ? interval_s : 60;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	if (pthread_create(&m->thread, NULL, loop, m) != 0) {
		snprintf(err, errlen, "cannot start the maintenance thread");
		db_close(m->d);
		free(m);
		return NULL;
	}
	return m;
}

void maintenance_stop(maintenance *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = 1;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->wake);
	db_close(m->d);
	free(m);
}
