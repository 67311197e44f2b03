#include "jobs/maintenance.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "base/str.h"
#include "domain/audit.h"
#include "domain/staff_ticket.h"
#include "domain/admin.h"
#include "domain/escalation.h"
#include "domain/kb_views.h"
#include "domain/session.h"
#include "domain/sla.h"

struct maintenance {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	int interval_s;
	db *d;
	const i18n_catalog *cat;
	const struct notifier *notifier;
};

int maintenance_run(db *d, const i18n_catalog *cat, int64_t now)
{
	struct admin_settings settings;
	admin_settings_load(d, &settings);
	int days = settings.auto_close_days;
	int closed = ticket_auto_close(d, cat, days, now);
	if (closed > 0)
		log_info("auto-close: closed %d ticket(s) answered more than %lld days ago", closed,
		         (long long)days);
	session_purge(d, now);
	audit_purge(d, now); /* the audit log keeps audit_keep_days */
	/* New year: Brazil's national holidays of the next one (a query when done). */
	sla_fill_holidays(d, now);
	return closed;
}

enum { ESCALATION_EVERY_S = 60 };

static void *loop(void *arg)
{
	struct maintenance *m = arg;
	/* Escalations are due at least every minute, however long the
	 * housekeeping interval is set. */
	int step = m->interval_s < ESCALATION_EVERY_S ? m->interval_s : ESCALATION_EVERY_S;
	int64_t housekeeping_at = 0;
	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		pthread_mutex_unlock(&m->lock);
		int64_t now = (int64_t)time(NULL);
		if (now >= housekeeping_at) {
			maintenance_run(m->d, m->cat, now);
			housekeeping_at = now + m->interval_s;
		}
		/* On the SLA clock, the one the badges read (and a test can move). */
		if (escalation_run(m->d, m->notifier, sla_clock_now()) < 0)
			log_error("escalations: %s", db_error(m->d));
		/* The KB views a quiet article page left waiting. */
		kb_views_write(m->d);
		pthread_mutex_lock(&m->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += step;
		while (!m->stopping && pthread_cond_timedwait(&m->wake, &m->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&m->lock);
	/* The server is stopping: the views counted since the last write. */
	kb_views_write(m->d);
	return NULL;
}

maintenance *maintenance_start(const char *db_url, const i18n_catalog *cat,
                               const struct notifier *notifier, int interval_s, char *err,
                               size_t errlen)
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
	m->notifier = notifier;
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
