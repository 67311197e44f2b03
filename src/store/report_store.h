/* The aggregates of Relatórios (migration 0011): counts per local day,
 * department and staff member; each first-response and resolution time;
 * tickets opened per day and hour. Written as tickets change, read per
 * period. */
#ifndef CHAMADO_REPORT_STORE_H
#define CHAMADO_REPORT_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

/* The counters of report_daily, in column order. */
enum report_counter {
	RC_OPENED, RC_CLOSED, RC_REOPENED, RC_MOVED_IN, RC_MOVED_OUT,
	RC_FIRST_COUNT, RC_FIRST_TARGETED, RC_FIRST_MET,
	RC_RESOLVE_COUNT, RC_RESOLVE_TARGETED, RC_RESOLVE_MET,
	RC_CSAT_GOOD, RC_CSAT_BAD,
	RC_COUNT
};

/* Adds delta to the counters of (day, department, staff). */
/* The aggregates of the generated tickets (numbers from first_number on),
 * computed from the tickets and their messages in a few statements: the
 * benchmark's history gets the report rows the domain would have kept.
 * The caller's transaction. 0 or < 0. */
int store_report_fill_generated(db *d, int64_t first_number);
int store_report_daily_add(db *d, int64_t day, int64_t department_id, int64_t staff_id,
                           const int64_t delta[RC_COUNT]);
int store_report_duration_add(db *d, int64_t day, int64_t department_id, int64_t staff_id,
                              const char *kind, int64_t seconds);
int store_report_hourly_add(db *d, int64_t day, int hour, int64_t department_id);

struct report_line {
	int64_t id; /* department or staff id */
	const char *name;
	int64_t c[RC_COUNT];
};
/* Sums over [from_day, to_day] by department (by_staff 0) or by staff
 * member (by_staff 1, staff_id > 0 only; only_staff > 0: that one), with
 * names, ordered by name. Count or < 0. */
int store_report_lines(db *d, int by_staff, int64_t from_day, int64_t to_day, int64_t only_staff,
                       arena *a, struct report_line *rows, int max);
/* Open tickets per department at the end of to_day: 1 per row filled. */
int store_report_backlog(db *d, int64_t to_day, int64_t *department_ids, int64_t *counts, int max);

/* One (department, staff) pair's duration in seconds. */
typedef void report_duration_fn(void *ctx, int64_t department_id, int64_t staff_id, int64_t value);
/* Every duration of kind in the period (only_staff 0: everyone's),
 * shortest first, as each(ctx, ..., seconds): streamed, a year's durations
 * are never held. 0 or < 0. */
int store_report_durations(db *d, const char *kind, int64_t from_day, int64_t to_day,
                           int64_t only_staff, report_duration_fn *each, void *ctx);
/* Tickets opened per local day in the period: opened[day - from_day]. */
int store_report_days(db *d, int64_t from_day, int64_t to_day, int64_t *opened, int64_t *closed);
/* Tickets opened per (day, hour) of the period, added into heat[weekday][hour]
 * (weekday 0 Sunday), all departments or one. */
int store_report_heat(db *d, int64_t from_day, int64_t to_day, int64_t department_id,
                      int64_t heat[7][24]);

struct report_ticket {
	int64_t number, created_at;
	const char *subject, *status, *priority, *department, *client, *assignee;
	int64_t first_seconds, resolve_seconds, first_target, resolve_target; /* -1 none */
	const char *csat; /* "" none */
};
/* The tickets opened in [from, to) (Unix times), oldest first, at most
 * max; assignee_id > 0: only theirs. */
int store_report_tickets(db *d, int64_t from, int64_t to, int64_t assignee_id, arena *a,
                         struct report_ticket *rows, int max);

#endif
