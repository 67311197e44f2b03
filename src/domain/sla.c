#include "domain/sla.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "base/thread_copy.h"
#include "domain/report.h"

enum { HOURS_MAX = 7 * BT_RANGES_PER_DAY, CACHE_SLOTS = 8, CACHE_TTL = 5 };

static const char DEFAULT_ZONE[] = "America/Sao_Paulo";

static int calendar_read(db *d, int64_t id, struct bt_calendar *c)
{
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	struct calendar_row row;
	int rc = store_calendar_get(d, id, a, &row);
	memset(c, 0, sizeof *c);
	if (rc == 1) {
		c->always_open = row.always_open != 0;
		c->zone = bt_zone_get(row.timezone);
		if (!c->zone)
			c->zone = bt_zone_get(DEFAULT_ZONE);
		struct calendar_hours_row hours[HOURS_MAX];
		int n = store_calendar_hours(d, id, hours, HOURS_MAX);
		for (int i = 0; i < n; i++) {
			int w = hours[i].weekday;
			if (w < 0 || w > 6 || c->nhours[w] >= BT_RANGES_PER_DAY)
				continue;
			c->hours[w][c->nhours[w]++] =
				(struct bt_range){hours[i].start_minute, hours[i].end_minute};
		}
		struct calendar_holiday_row holidays[BT_HOLIDAYS_MAX];
		int nh = n < 0 ? n : store_calendar_holidays(d, id, NULL, holidays, BT_HOLIDAYS_MAX);
		for (int i = 0; i < nh; i++)
			c->holidays[c->nholidays++] = (int32_t)holidays[i].day;
		if (n < 0 || nh < 0)
			rc = n < 0 ? n : nh;
	}
	arena_free(a);
	return rc;
}

/* Bumped by every change to calendars and policies made in this process
 * (sla_config_changed), so each thread reads its copies again at once. */
static atomic_uint config_generation;

void sla_config_changed(void)
{
	atomic_fetch_add(&config_generation, 1);
}

/* A thread's copy of the SLA configuration answers while it is at most
 * CACHE_TTL seconds old and no change was made on this node since: each
 * ticket change asks for its department's calendar, policy and hours,
 * which change a few times a year. Another node's change shows within
 * CACHE_TTL. */
static bool kept_valid(const struct thread_copy *k, const db *d, time_t wall)
{
	return thread_copy_fresh(k, d, wall, CACHE_TTL, atomic_load(&config_generation));
}

int sla_calendar_load(db *d, int64_t calendar_id, bool fresh, struct bt_calendar *c)
{
	static _Thread_local struct {
		int64_t id;
		struct thread_copy k;
		struct bt_calendar c;
	} cache[CACHE_SLOTS];
	time_t wall = time(NULL);
	int slot = (int)((uint64_t)calendar_id % CACHE_SLOTS);
	if (!fresh && cache[slot].id == calendar_id && kept_valid(&cache[slot].k, d, wall)) {
		*c = cache[slot].c;
		return 1;
	}
	unsigned generation = atomic_load(&config_generation);
	int rc = calendar_read(d, calendar_id, c);
	if (rc == 1) {
		cache[slot].id = calendar_id;
		thread_copy_taken(&cache[slot].k, d, wall, generation);
		cache[slot].c = *c;
	}
	return rc;
}

/* The calendar of a department's clocks (its own, else the first one), as
 * sla_calendar_load keeps a calendar. */
static int64_t department_calendar(db *d, int64_t department_id)
{
	static _Thread_local struct {
		int64_t department_id, calendar_id;
		struct thread_copy k;
	} cache[CACHE_SLOTS];
	time_t wall = time(NULL);
	int slot = (int)((uint64_t)department_id % CACHE_SLOTS);
	if (cache[slot].department_id == department_id && kept_valid(&cache[slot].k, d, wall))
		return cache[slot].calendar_id;
	unsigned generation = atomic_load(&config_generation);
	int64_t id = store_sla_calendar_for_department(d, department_id);
	if (id >= 0) {
		cache[slot].department_id = department_id;
		cache[slot].calendar_id = id;
		thread_copy_taken(&cache[slot].k, d, wall, generation);
	}
	return id;
}

/* The department's targets for a priority: 1 (first, resolve in minutes),
 * 0 none, < 0; kept as department_calendar keeps its answer. */
static int department_policy(db *d, int64_t department_id, const char *priority, int64_t *first,
                             int64_t *resolve)
{
	static _Thread_local struct {
		int64_t department_id;
		char priority[8];
		int found;
		int64_t first, resolve;
		struct thread_copy k;
	} cache[CACHE_SLOTS * 3];
	time_t wall = time(NULL);
	size_t plen = strlen(priority);
	int slot = (int)(((uint64_t)department_id * 31 + (unsigned char)priority[0]) % (CACHE_SLOTS * 3));
	if (cache[slot].department_id == department_id && str_eq(cache[slot].priority, priority) &&
	    kept_valid(&cache[slot].k, d, wall)) {
		*first = cache[slot].first;
		*resolve = cache[slot].resolve;
		return cache[slot].found;
	}
	unsigned generation = atomic_load(&config_generation);
	int rc = store_sla_policy_get(d, department_id, priority, first, resolve);
	if (rc >= 0 && plen < sizeof cache[slot].priority) {
		cache[slot].department_id = department_id;
		memcpy(cache[slot].priority, priority, plen + 1);
		cache[slot].found = rc;
		cache[slot].first = rc == 1 ? *first : 0;
		cache[slot].resolve = rc == 1 ? *resolve : 0;
		thread_copy_taken(&cache[slot].k, d, wall, generation);
	}
	return rc;
}

static bool clock_runs(const char *status)
{
	return str_eq(status, "open") || str_eq(status, "customer-reply") ||
	       str_eq(status, "in-progress");
}

/* Adds to the elapsed time what ran since running_since, in the calendar
 * the clock was running in, and restarts the count at now. */
static int checkpoint(db *d, struct sla_state *st, int64_t now)
{
	if (st->running_since < 0 || st->calendar_id <= 0) {
		st->running_since = -1;
		return 0;
	}
	struct bt_calendar cal;
	int rc = sla_calendar_load(d, st->calendar_id, false, &cal);
	if (rc < 0)
		return rc;
	if (rc == 1 && now > st->running_since)
		st->elapsed += bt_between(&cal, st->running_since, now);
	st->running_since = now;
	return 0;
}

/* The due times from the state, targets and calendar, at now. */
static int recompute(db *d, struct sla_state *st, enum sla_event ev, int64_t now)
{
	int rc = checkpoint(d, st, now);
	if (rc < 0)
		return rc;
	if (ev == SLA_STAFF_REPLY && st->first_seconds < 0)
		st->first_seconds = st->elapsed;
	int64_t cal_id = department_calendar(d, st->department_id);
	if (cal_id < 0)
		return (int)cal_id;
	st->calendar_id = cal_id;
	int64_t first, resolve;
	rc = department_policy(d, st->department_id, st->priority, &first, &resolve);
	if (rc < 0)
		return rc;
	st->first_target = rc == 1 ? first : -1;
	st->resolve_target = rc == 1 ? resolve : -1;
	if (str_eq(st->status, "closed")) {
		if (st->resolve_seconds < 0)
			st->resolve_seconds = st->elapsed;
	} else {
		st->resolve_seconds = -1; /* reopened: resolution counts on */
	}
	bool runs = clock_runs(st->status) && cal_id > 0;
	st->running_since = runs ? now : -1;
	st->first_due = st->resolve_due = st->due = st->warn_at = -1;
	if (!runs || (st->first_target < 0 && st->resolve_target < 0))
		return 0;
	struct bt_calendar cal;
	rc = sla_calendar_load(d, cal_id, false, &cal);
	if (rc <= 0)
		return rc;
	int64_t target = -1;
	if (st->first_target > 0 && st->first_seconds < 0) {
		st->first_due = bt_add(&cal, now, st->first_target * 60 - st->elapsed);
		st->due = st->first_due;
		target = st->first_target;
	}
	if (st->resolve_target > 0) {
		st->resolve_due = bt_add(&cal, now, st->resolve_target * 60 - st->elapsed);
		if (st->due < 0 || st->resolve_due < st->due) {
			st->due = st->resolve_due;
			target = st->resolve_target;
		}
	}
	if (target > 0)
		st->warn_at = bt_add(&cal, now, target * 60 * 8 / 10 - st->elapsed);
	return 0;
}

int sla_ticket_opening(db *d, int64_t department_id, const char *priority, int64_t now,
                       struct sla_state *st)
{
	*st = (struct sla_state){
	    .department_id = department_id, .calendar_id = -1, .first_target = -1,
	    .resolve_target = -1, .running_since = -1, .first_seconds = -1,
	    .resolve_seconds = -1, .first_due = -1, .resolve_due = -1, .due = -1, .warn_at = -1,
	    .counted_department_id = -1};
	snprintf(st->status, sizeof st->status, "open");
	snprintf(st->priority, sizeof st->priority, "%s", priority);
	int rc = recompute(d, st, SLA_CHANGED, now);
	st->counted_department_id = department_id;
	return rc < 0 ? rc : 0;
}

int sla_ticket_next(db *d, int64_t ticket_id, const char *status, enum sla_event ev, int64_t now,
                    struct sla_state *st)
{
	int rc = store_sla_state_get(d, ticket_id, st);
	if (rc <= 0)
		return rc;
	if (status)
		snprintf(st->status, sizeof st->status, "%s", status);
	struct sla_state before = *st;
	rc = recompute(d, st, ev, now);
	if (rc == 0)
		rc = report_on_clock(d, &before, st, now);
	return rc < 0 ? rc : 1;
}

int sla_ticket_event(db *d, int64_t ticket_id, enum sla_event ev, int64_t now)
{
	struct sla_state st;
	int rc = sla_ticket_next(d, ticket_id, NULL, ev, now, &st);
	return rc <= 0 ? rc : store_sla_state_set(d, &st);
}

int sla_ticket_merged(db *d, int64_t from_id, int64_t into_id, int64_t now)
{
	int rc = sla_ticket_event(d, from_id, SLA_CHANGED, now);
	struct sla_state from, into;
	if (rc == 0)
		rc = store_sla_state_get(d, from_id, &from) == 1 ? 0 : DB_ERROR;
	if (rc == 0)
		rc = store_sla_state_get(d, into_id, &into) == 1 ? 0 : DB_ERROR;
	if (rc == 0)
		rc = checkpoint(d, &into, now);
	if (rc < 0)
		return rc;
	/* The client has waited since the older request: the clock keeps it. */
	if (from.elapsed > into.elapsed)
		into.elapsed = from.elapsed;
	struct sla_state before = into;
	rc = recompute(d, &into, SLA_CHANGED, now);
	if (rc == 0)
		rc = report_on_clock(d, &before, &into, now);
	return rc < 0 ? rc : store_sla_state_set(d, &into);
}

int sla_fill_holidays(db *d, int64_t now)
{
	enum { CALENDARS_MAX = 100 };
	int y, m, day;
	bt_civil_from_days(bt_local_day(bt_zone_get(DEFAULT_ZONE), now), &y, &m, &day);
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct calendar_row rows[CALENDARS_MAX];
	int n = store_calendar_list(d, a, rows, CALENDARS_MAX), filled = 0, rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		if (rows[i].holidays_through >= y + 1)
			continue;
		rc = db_begin_write(d);
		for (int year = rows[i].holidays_through >= y ? y + 1 : y; rc == 0 && year <= y + 1; year++) {
			struct bt_holiday h[16];
			int nh = bt_brazil_holidays(year, h, 16);
			for (int k = 0; k < nh && rc == 0; k++)
				rc = store_calendar_holiday_add(d, rows[i].id, h[k].day, h[k].name);
		}
		if (rc == 0)
			rc = store_calendar_holidays_through_set(d, rows[i].id, y + 1);
		if (rc == 0)
			rc = db_commit(d);
		else
			db_rollback(d);
		sla_config_changed();
		filled += rc == 0;
	}
	arena_free(a);
	return n < 0 ? n : rc < 0 ? rc : filled;
}

void sla_badge_of(db *d, int64_t calendar_id, int64_t due, int64_t warn_at, int64_t now,
                  struct sla_badge *b)
{
	memset(b, 0, sizeof *b);
	b->due = due;
	if (due < 0)
		return;
	struct bt_calendar cal;
	if (sla_calendar_load(d, calendar_id, false, &cal) != 1) {
		memset(&cal, 0, sizeof cal);
		cal.always_open = true;
	}
	if (now >= due) {
		b->state = SLA_BREACHED;
		b->business_seconds = bt_between(&cal, due, now);
	} else {
		b->state = warn_at >= 0 && now >= warn_at ? SLA_NEAR : SLA_ON_TIME;
		b->business_seconds = bt_between(&cal, now, due);
	}
}

int sla_ticket_badge(db *d, int64_t ticket_id, int64_t now, struct sla_state *st,
                     struct sla_badge *b)
{
	int rc = store_sla_state_get(d, ticket_id, st);
	if (rc != 1)
		return rc;
	sla_badge_of(d, st->calendar_id, st->due, st->warn_at, now, b);
	if (b->state == SLA_NONE && st->running_since < 0 && !str_eq(st->status, "closed") &&
	    (st->resolve_target > 0 || (st->first_target > 0 && st->first_seconds < 0)))
		b->state = SLA_PAUSED;
	return 1;
}

void sla_ticket_badge_prefetch(db *d, int64_t ticket_id)
{
	store_sla_state_get_prefetch(d, ticket_id);
}

static int64_t sla_test_offset;
static pthread_once_t sla_offset_once = PTHREAD_ONCE_INIT;

static void read_test_offset(void)
{
	const char *v = getenv("CHAMADO_TEST_CLOCK_OFFSET");
	if (v && *v)
		sla_test_offset = strtoll(v, NULL, 10);
}

int64_t sla_clock_now(void)
{
	pthread_once(&sla_offset_once, read_test_offset);
	return (int64_t)time(NULL) + sla_test_offset;
}
