#include "store/sla_store.h"

#include <stdio.h>

static int64_t col_or_minus_one(db_stmt *s, int col)
{
	return db_col_null(s, col) ? -1 : db_col_int(s, col);
}

static int bind_or_null(db_stmt *s, int index, int64_t v)
{
	return v < 0 ? db_bind_null(s, index) : db_bind_int(s, index, v);
}

#define CALENDAR_COLUMNS "id, name, timezone, always_open, holidays_through "

static void read_calendar(db_stmt *s, arena *a, struct calendar_row *r)
{
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->timezone = db_col_text_dup(s, 2, a);
	r->always_open = (int)db_col_int(s, 3);
	r->holidays_through = db_col_int(s, 4);
}

int store_calendar_list(db *d, arena *a, struct calendar_row *rows, int max)
{
	static const char sql[] = "SELECT " CALENDAR_COLUMNS "FROM calendars ORDER BY id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, max);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW)
		read_calendar(s, a, &rows[n++]);
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_calendar_get(db *d, int64_t id, arena *a, struct calendar_row *row)
{
	static const char sql[] = "SELECT " CALENDAR_COLUMNS "FROM calendars WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		read_calendar(s, a, row);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int64_t store_calendar_insert(db *d, const char *name, const char *timezone, int always_open,
                              int64_t now)
{
	static const char sql[] =
		"INSERT INTO calendars (name, timezone, always_open, created_at) VALUES ($1, $2, $3, $4) "
		"RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, timezone);
	db_bind_int(s, 3, always_open);
	db_bind_int(s, 4, now);
	return db_step_id(s);
}

int store_calendar_update(db *d, int64_t id, const char *name, const char *timezone,
                          int always_open)
{
	static const char sql[] =
		"UPDATE calendars SET name = $2, timezone = $3, always_open = $4 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, timezone);
	db_bind_int(s, 4, always_open);
	return db_step_done(s);
}

int store_calendar_hours(db *d, int64_t id, struct calendar_hours_row *rows, int max)
{
	static const char sql[] =
		"SELECT weekday, start_minute, end_minute FROM calendar_hours WHERE calendar_id = $1 "
		"ORDER BY weekday, start_minute LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, max);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		rows[n].weekday = (int)db_col_int(s, 0);
		rows[n].start_minute = (int)db_col_int(s, 1);
		rows[n].end_minute = (int)db_col_int(s, 2);
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_calendar_hours_clear(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM calendar_hours WHERE calendar_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int store_calendar_hours_add(db *d, int64_t id, int weekday, int start_minute, int end_minute)
{
	static const char sql[] =
		"INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute) "
		"VALUES ($1, $2, $3, $4)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, weekday);
	db_bind_int(s, 3, start_minute);
	db_bind_int(s, 4, end_minute);
	return db_step_done(s);
}

int store_calendar_holidays(db *d, int64_t id, arena *a, struct calendar_holiday_row *rows,
                            int max)
{
	static const char sql[] =
		"SELECT day, name FROM calendar_holidays WHERE calendar_id = $1 ORDER BY day LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, max);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		rows[n].day = db_col_int(s, 0);
		rows[n].name = a ? db_col_text_dup(s, 1, a) : "";
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_calendar_holidays_clear(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM calendar_holidays WHERE calendar_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int store_calendar_holiday_add(db *d, int64_t id, int64_t day, const char *name)
{
	static const char sql[] =
		"INSERT INTO calendar_holidays (calendar_id, day, name) VALUES ($1, $2, $3) "
		"ON CONFLICT (calendar_id, day) DO NOTHING";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, day);
	db_bind_text(s, 3, name);
	return db_step_done(s);
}

int store_calendar_holidays_through_set(db *d, int64_t id, int64_t year)
{
	static const char sql[] = "UPDATE calendars SET holidays_through = $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, year);
	return db_step_done(s);
}

int64_t store_sla_calendar_for_department(db *d, int64_t department_id)
{
	static const char sql[] =
		"SELECT COALESCE((SELECT calendar_id FROM sla_departments WHERE department_id = $1), "
		"(SELECT min(id) FROM calendars), 0)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, department_id);
	return db_scalar_int(s, DB_ERROR);
}

int store_sla_department_set(db *d, int64_t department_id, int64_t calendar_id)
{
	static const char sql[] =
		"INSERT INTO sla_departments (department_id, calendar_id) VALUES ($1, $2) "
		"ON CONFLICT (department_id) DO UPDATE SET calendar_id = excluded.calendar_id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, department_id);
	db_bind_int(s, 2, calendar_id);
	return db_step_done(s);
}

int store_sla_policy_get(db *d, int64_t department_id, const char *priority, int64_t *first,
                         int64_t *resolution)
{
	static const char sql[] =
		"SELECT first_response_minutes, resolution_minutes FROM sla_policies "
		"WHERE department_id = $1 AND priority = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, department_id);
	db_bind_text(s, 2, priority);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*first = db_col_int(s, 0);
		*resolution = db_col_int(s, 1);
	}
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int store_sla_policy_list(db *d, arena *a, struct sla_policy_row *rows, int max)
{
	static const char sql[] =
		"SELECT department_id, priority, first_response_minutes, resolution_minutes "
		"FROM sla_policies ORDER BY department_id, priority LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, max);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		rows[n].department_id = db_col_int(s, 0);
		rows[n].priority = db_col_text_dup(s, 1, a);
		rows[n].first_response_minutes = db_col_int(s, 2);
		rows[n].resolution_minutes = db_col_int(s, 3);
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_sla_policy_set(db *d, int64_t department_id, const char *priority, int64_t first,
                         int64_t resolution)
{
	static const char sql[] =
		"INSERT INTO sla_policies (department_id, priority, first_response_minutes, "
		"resolution_minutes) VALUES ($1, $2, $3, $4) ON CONFLICT (department_id, priority) "
		"DO UPDATE SET first_response_minutes = excluded.first_response_minutes, "
		"resolution_minutes = excluded.resolution_minutes";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, department_id);
	db_bind_text(s, 2, priority);
	db_bind_int(s, 3, first);
	db_bind_int(s, 4, resolution);
	return db_step_done(s);
}

int store_sla_policy_delete(db *d, int64_t department_id, const char *priority)
{
	static const char sql[] = "DELETE FROM sla_policies WHERE department_id = $1 AND priority = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, department_id);
	db_bind_text(s, 2, priority);
	return db_step_done(s);
}

static db_stmt *sla_state_stmt(db *d, int64_t ticket_id)
{
	static const char sql[] =
		"SELECT id, department_id, status, priority, sla_calendar_id, sla_first_target, "
		"sla_resolve_target, sla_elapsed, sla_running_since, sla_first_seconds, "
		"sla_resolve_seconds, sla_first_due, sla_resolve_due, sla_due, sla_warn_at, "
		"sla_department_id, COALESCE(assignee_id, 0) FROM tickets WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	return s;
}

int store_sla_state_get(db *d, int64_t ticket_id, struct sla_state *st)
{
	db_stmt *s = sla_state_stmt(d, ticket_id);
	if (!s)
		return DB_ERROR;
	int rc = db_step(s);
	if (rc == DB_ROW) {
		st->ticket_id = db_col_int(s, 0);
		st->department_id = db_col_int(s, 1);
		snprintf(st->status, sizeof st->status, "%s", db_col_text(s, 2));
		snprintf(st->priority, sizeof st->priority, "%s", db_col_text(s, 3));
		int64_t *fields[] = {&st->calendar_id, &st->first_target, &st->resolve_target,
		                     &st->elapsed, &st->running_since, &st->first_seconds,
		                     &st->resolve_seconds, &st->first_due, &st->resolve_due, &st->due,
		                     &st->warn_at, &st->counted_department_id};
		for (int i = 0; i < 12; i++)
			*fields[i] = col_or_minus_one(s, 4 + i);
		st->assignee_id = db_col_int(s, 16);
		if (st->elapsed < 0)
			st->elapsed = 0;
	}
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

void store_sla_state_get_prefetch(db *d, int64_t ticket_id)
{
	db_prefetch(sla_state_stmt(d, ticket_id));
}

void store_sla_state_bind(db_stmt *s, int first, const struct sla_state *st)
{
	const int64_t values[SLA_STATE_COLUMNS] = {
	    st->calendar_id, st->first_target, st->resolve_target, st->elapsed,
	    st->running_since, st->first_seconds, st->resolve_seconds, st->first_due,
	    st->resolve_due, st->due, st->warn_at, st->counted_department_id};
	for (int i = 0; i < SLA_STATE_COLUMNS; i++)
		bind_or_null(s, first + i, values[i]);
}

int store_sla_state_set(db *d, const struct sla_state *st)
{
	static const char sql[] =
		"UPDATE tickets SET (" SLA_STATE_COLUMNS_SQL ") = "
		"($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, st->ticket_id);
	store_sla_state_bind(s, 2, st);
	return db_step_done(s);
}

int store_sla_running_ids(db *d, int64_t after_id, int64_t *ids, int max)
{
	static const char sql[] =
		"SELECT id FROM tickets WHERE sla_running_since IS NOT NULL AND id > $1 ORDER BY id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, after_id);
	db_bind_int(s, 2, max);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW)
		ids[n++] = db_col_int(s, 0);
	db_done(s);
	return rc < 0 ? rc : n;
}
