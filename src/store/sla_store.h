/* Business-hours calendars, SLA policies and each ticket's SLA clock
 * (migration 0009; the rules in domain/sla.c and docs/sla.md). Missing
 * values (SQL NULL) read as -1. */
#ifndef CHAMADO_SLA_STORE_H
#define CHAMADO_SLA_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

struct calendar_row {
	int64_t id;
	const char *name, *timezone;
	int always_open;
	int64_t holidays_through;
};
struct calendar_hours_row {
	int weekday, start_minute, end_minute;
};
struct calendar_holiday_row {
	int64_t day; /* local days since 1970-01-01 */
	const char *name;
};

int store_calendar_list(db *d, arena *a, struct calendar_row *rows, int max);
/* 1 found, 0 none, < 0. */
int store_calendar_get(db *d, int64_t id, arena *a, struct calendar_row *row);
int64_t store_calendar_insert(db *d, const char *name, const char *timezone, int always_open,
                              int64_t now);
int store_calendar_update(db *d, int64_t id, const char *name, const char *timezone,
                          int always_open);
/* Ordered by weekday, then start. */
int store_calendar_hours(db *d, int64_t id, struct calendar_hours_row *rows, int max);
int store_calendar_hours_clear(db *d, int64_t id);
int store_calendar_hours_add(db *d, int64_t id, int weekday, int start_minute, int end_minute);
/* Ordered by day. */
int store_calendar_holidays(db *d, int64_t id, arena *a, struct calendar_holiday_row *rows,
                            int max);
int store_calendar_holidays_clear(db *d, int64_t id);
/* Adds a holiday unless the day already has one. */
int store_calendar_holiday_add(db *d, int64_t id, int64_t day, const char *name);
int store_calendar_holidays_through_set(db *d, int64_t id, int64_t year);
/* The department's calendar, or the first calendar when it has none set;
 * 0 when there is no calendar at all, < 0. */
int64_t store_sla_calendar_for_department(db *d, int64_t department_id);
int store_sla_department_set(db *d, int64_t department_id, int64_t calendar_id);

struct sla_policy_row {
	int64_t department_id;
	const char *priority;
	int64_t first_response_minutes, resolution_minutes;
};
/* 1 with the two targets, 0 no policy, < 0. */
int store_sla_policy_get(db *d, int64_t department_id, const char *priority, int64_t *first,
                         int64_t *resolution);
int store_sla_policy_list(db *d, arena *a, struct sla_policy_row *rows, int max);
int store_sla_policy_set(db *d, int64_t department_id, const char *priority, int64_t first,
                         int64_t resolution);
int store_sla_policy_delete(db *d, int64_t department_id, const char *priority);

/* One ticket's clock, with what decides it. */
struct sla_state {
	int64_t ticket_id, department_id;
	char status[16], priority[8];
	int64_t calendar_id, first_target, resolve_target, elapsed, running_since;
	int64_t first_seconds, resolve_seconds, first_due, resolve_due, due, warn_at;
	int64_t counted_department_id; /* where reports counted it; -1 not yet */
	int64_t assignee_id;           /* 0 nobody (read only) */
};
int store_sla_state_get(db *d, int64_t ticket_id, struct sla_state *st);
/* Sends store_sla_state_get's query ahead (db_prefetch). */
void store_sla_state_get_prefetch(db *d, int64_t ticket_id);
int store_sla_state_set(db *d, const struct sla_state *st);
/* The columns a clock's state is written to, in the order of
 * SLA_STATE_COLUMNS_SQL (store_sla_state_set, and a new ticket's INSERT). */
enum { SLA_STATE_COLUMNS = 12 };
#define SLA_STATE_COLUMNS_SQL                                                                     \
	"sla_calendar_id, sla_first_target, sla_resolve_target, sla_elapsed, sla_running_since, " \
	"sla_first_seconds, sla_resolve_seconds, sla_first_due, sla_resolve_due, sla_due, "      \
	"sla_warn_at, sla_department_id"
/* Binds st's columns as parameters first, first + 1, ... (-1 as NULL). */
void store_sla_state_bind(db_stmt *s, int first, const struct sla_state *st);
/* Ids of tickets whose clock runs, after after_id, ascending. */
int store_sla_running_ids(db *d, int64_t after_id, int64_t *ids, int max);

#endif
