#include "store/report_store.h"

#include <stdlib.h>

#define COUNTER_COLUMNS \
	"opened, closed, reopened, moved_in, moved_out, first_count, first_targeted, first_met, " \
	"resolve_count, resolve_targeted, resolve_met, csat_good, csat_bad"
#define COUNTER_SUMS \
	"sum(r.opened), sum(r.closed), sum(r.reopened), sum(r.moved_in), sum(r.moved_out), " \
	"sum(r.first_count), sum(r.first_targeted), sum(r.first_met), sum(r.resolve_count), " \
	"sum(r.resolve_targeted), sum(r.resolve_met), sum(r.csat_good), sum(r.csat_bad) "

/* On PostgreSQL a change is a row of report_changes, added to its counter
 * in the COMMIT (migration 0044): the counters' rows stay unlocked until
 * then, so concurrent openings do not queue for them. */
int store_report_daily_add(db *d, int64_t day, int64_t department_id, int64_t staff_id,
                           const int64_t delta[RC_COUNT])
{
	static const char at_commit[] =
		"INSERT INTO report_changes (day, department_id, staff_id, " COUNTER_COLUMNS ") VALUES "
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
	static const char sql[] =
		"INSERT INTO report_daily (day, department_id, staff_id, " COUNTER_COLUMNS ") VALUES "
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
		"ON CONFLICT (day, department_id, staff_id) DO UPDATE SET "
		"opened = report_daily.opened + excluded.opened, "
		"closed = report_daily.closed + excluded.closed, "
		"reopened = report_daily.reopened + excluded.reopened, "
		"moved_in = report_daily.moved_in + excluded.moved_in, "
		"moved_out = report_daily.moved_out + excluded.moved_out, "
		"first_count = report_daily.first_count + excluded.first_count, "
		"first_targeted = report_daily.first_targeted + excluded.first_targeted, "
		"first_met = report_daily.first_met + excluded.first_met, "
		"resolve_count = report_daily.resolve_count + excluded.resolve_count, "
		"resolve_targeted = report_daily.resolve_targeted + excluded.resolve_targeted, "
		"resolve_met = report_daily.resolve_met + excluded.resolve_met, "
		"csat_good = report_daily.csat_good + excluded.csat_good, "
		"csat_bad = report_daily.csat_bad + excluded.csat_bad";
	db_stmt *s = db_prepare(d, db_is_postgres(d) ? at_commit : sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_int(s, 1, day);
	db_bind_int(s, 2, department_id);
	db_bind_int(s, 3, staff_id);
	for (int i = 0; i < RC_COUNT; i++)
		db_bind_int(s, 4 + i, delta[i]);
	return db_step_done(s);
}

int store_report_duration_add(db *d, int64_t day, int64_t department_id, int64_t staff_id,
                              const char *kind, int64_t seconds)
{
	static const char sql[] =
		"INSERT INTO report_durations (day, department_id, staff_id, kind, seconds) "
		"VALUES ($1, $2, $3, $4, $5)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_int(s, 1, day);
	db_bind_int(s, 2, department_id);
	db_bind_int(s, 3, staff_id);
	db_bind_text(s, 4, kind);
	db_bind_int(s, 5, seconds);
	return db_step_done(s);
}

int store_report_hourly_add(db *d, int64_t day, int hour, int64_t department_id)
{
	static const char at_commit[] =
		"INSERT INTO report_changes (day, hour, department_id, opened) VALUES ($1, $2, $3, 1)";
	static const char sql[] =
		"INSERT INTO report_hourly (day, hour, department_id, opened) VALUES ($1, $2, $3, 1) "
		"ON CONFLICT (day, hour, department_id) DO UPDATE SET opened = report_hourly.opened + 1";
	db_stmt *s = db_prepare(d, db_is_postgres(d) ? at_commit : sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_int(s, 1, day);
	db_bind_int(s, 2, hour);
	db_bind_int(s, 3, department_id);
	return db_step_done(s);
}

int store_report_lines(db *d, int by_staff, int64_t from_day, int64_t to_day, int64_t only_staff,
                       arena *a, struct report_line *rows, int max)
{
	static const char by_department[] =
		"SELECT r.department_id, COALESCE(dp.name, '?'), " COUNTER_SUMS
		"FROM report_daily r LEFT JOIN departments dp ON dp.id = r.department_id "
		"WHERE r.day >= $1 AND r.day <= $2 "
		"GROUP BY r.department_id, dp.name, dp.sort_order ORDER BY dp.sort_order, r.department_id "
		"LIMIT $3";
	static const char by_staff_sql[] =
		"SELECT r.staff_id, COALESCE(st.name, '?'), " COUNTER_SUMS
		"FROM report_daily r LEFT JOIN staff st ON st.id = r.staff_id "
		"WHERE r.day >= $1 AND r.day <= $2 AND r.staff_id > 0 AND ($4 = 0 OR r.staff_id = $4) "
		"GROUP BY r.staff_id, st.name ORDER BY st.name, r.staff_id LIMIT $3";
	db_stmt *s = db_prepare(d, by_staff ? by_staff_sql : by_department);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, from_day);
	db_bind_int(s, 2, to_day);
	db_bind_int(s, 3, max);
	if (by_staff)
		db_bind_int(s, 4, only_staff);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		rows[n].id = db_col_int(s, 0);
		rows[n].name = db_col_text_dup(s, 1, a);
		for (int i = 0; i < RC_COUNT; i++)
			rows[n].c[i] = db_col_int(s, 2 + i);
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_report_backlog(db *d, int64_t to_day, int64_t *department_ids, int64_t *counts, int max)
{
	/* Every day up to the period's end is nearly every row: read in the
	 * table's order ("+day"), not through the primary key and back to the
	 * table for each (at a million tickets 2.2 against 3.5-4 ms). */
	static const char sql[] =
		"SELECT department_id, sum(opened + moved_in - moved_out - closed + reopened) "
		"FROM report_daily WHERE +day <= $1 GROUP BY department_id ORDER BY department_id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, to_day);
	db_bind_int(s, 2, max);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		department_ids[n] = db_col_int(s, 0);
		counts[n] = db_col_int(s, 1);
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

/* On PostgreSQL each duration comes as one integer that sorts as the
 * durations do: the seconds above PACK_ID_BITS bits, the department and
 * the staff member below. A single column is a datum sort there, without
 * carrying rows: 6 instead of 17-21 ms for a month's 34,000 durations at a
 * million tickets, and a third of the values to send and read (Relatórios
 * at 4 connections: 33-41 to 67-83 pages/s). SQLite sorts rows either way,
 * and computing the key cost it 11%: it reads rows. A duration whose ids or
 * seconds do not fit packs to NULL, which sorts first: then PostgreSQL's
 * are read as rows too. */
enum { PACK_STAFF_BITS = 20, PACK_DEPARTMENT_BITS = 14 };
#define PACK_ID_BITS (PACK_STAFF_BITS + PACK_DEPARTMENT_BITS)
#define DURATIONS_WHERE \
	"FROM report_durations WHERE kind = $1 AND day >= $2 AND day <= $3 " \
	"AND ($4 = 0 OR staff_id = $4) "

static db_stmt *durations_stmt(db *d, bool packed, const char *kind, int64_t from_day,
                               int64_t to_day, int64_t only_staff)
{
	static const char packed_sql[] =
		"SELECT CASE WHEN seconds >= 0 AND seconds < 536870912 "
		"AND department_id >= 0 AND department_id < 16384 "
		"AND staff_id >= 0 AND staff_id < 1048576 "
		"THEN seconds * 17179869184 + department_id * 1048576 + staff_id END "
		DURATIONS_WHERE "ORDER BY 1 NULLS FIRST";
	static const char rows_sql[] =
		"SELECT department_id, staff_id, seconds " DURATIONS_WHERE "ORDER BY seconds";
	_Static_assert(PACK_ID_BITS == 34 && PACK_STAFF_BITS == 20,
	               "the literals of packed_sql");
	db_stmt *s = db_prepare(d, packed ? packed_sql : rows_sql);
	db_bind_text(s, 1, kind);
	db_bind_int(s, 2, from_day);
	db_bind_int(s, 3, to_day);
	db_bind_int(s, 4, only_staff);
	return s;
}

int store_report_durations(db *d, const char *kind, int64_t from_day, int64_t to_day,
                           int64_t only_staff, report_duration_fn *each, void *ctx)
{
	bool packed = db_is_postgres(d);
	db_stmt *s = durations_stmt(d, packed, kind, from_day, to_day, only_staff);
	if (!s)
		return DB_ERROR;
	int rc = db_step(s);
	if (packed && rc == DB_ROW && db_col_null(s, 0)) {
		db_done(s);
		packed = false;
		s = durations_stmt(d, false, kind, from_day, to_day, only_staff);
		if (!s)
			return DB_ERROR;
		rc = db_step(s);
	}
	for (; rc == DB_ROW; rc = db_step(s)) {
		if (!packed) {
			each(ctx, db_col_int(s, 0), db_col_int(s, 1), db_col_int(s, 2));
			continue;
		}
		uint64_t key = (uint64_t)db_col_int(s, 0);
		each(ctx, (int64_t)(key >> PACK_STAFF_BITS & ((1u << PACK_DEPARTMENT_BITS) - 1)),
		     (int64_t)(key & ((1u << PACK_STAFF_BITS) - 1)), (int64_t)(key >> PACK_ID_BITS));
	}
	db_done(s);
	return rc < 0 ? rc : 0;
}

int store_report_days(db *d, int64_t from_day, int64_t to_day, int64_t *opened, int64_t *closed)
{
	static const char sql[] =
		"SELECT day, sum(opened), sum(closed) FROM report_daily WHERE day >= $1 AND day <= $2 "
		"GROUP BY day";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, from_day);
	db_bind_int(s, 2, to_day);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t i = db_col_int(s, 0) - from_day;
		if (i < 0 || i > to_day - from_day)
			continue;
		opened[i] = db_col_int(s, 1);
		closed[i] = db_col_int(s, 2);
	}
	db_done(s);
	return rc < 0 ? rc : 0;
}

int store_report_heat(db *d, int64_t from_day, int64_t to_day, int64_t department_id,
                      int64_t heat[7][24])
{
	static const char sql[] =
		"SELECT day, hour, sum(opened) FROM report_hourly WHERE day >= $1 AND day <= $2 "
		"AND ($3 = 0 OR department_id = $3) GROUP BY day, hour";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, from_day);
	db_bind_int(s, 2, to_day);
	db_bind_int(s, 3, department_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t day = db_col_int(s, 0);
		int hour = (int)db_col_int(s, 1);
		int weekday = (int)(((day % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
		if (hour >= 0 && hour < 24)
			heat[weekday][hour] += db_col_int(s, 2);
	}
	db_done(s);
	return rc < 0 ? rc : 0;
}

int store_report_tickets(db *d, int64_t from, int64_t to, int64_t assignee_id, arena *a,
                         struct report_ticket *rows, int max)
{
	static const char sql[] =
		"SELECT t.number, t.created_at, t.subject, t.status, t.priority, dp.name, c.name, "
		"COALESCE(st.name, ''), COALESCE(t.sla_first_seconds, -1), "
		"COALESCE(t.sla_resolve_seconds, -1), COALESCE(t.sla_first_target, -1), "
		"COALESCE(t.sla_resolve_target, -1), COALESCE(cs.rating, '') "
		"FROM tickets t JOIN departments dp ON dp.id = t.department_id "
		"JOIN clients c ON c.id = t.client_id LEFT JOIN staff st ON st.id = t.assignee_id "
		"LEFT JOIN csat_ratings cs ON cs.ticket_id = t.id "
		"WHERE t.created_at >= $1 AND t.created_at < $2 AND ($3 = 0 OR t.assignee_id = $3) "
		"ORDER BY t.created_at, t.id LIMIT $4";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	db_bind_int(s, 3, assignee_id);
	db_bind_int(s, 4, max);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		struct report_ticket *r = &rows[n++];
		r->number = db_col_int(s, 0);
		r->created_at = db_col_int(s, 1);
		r->subject = db_col_text_dup(s, 2, a);
		r->status = db_col_text_dup(s, 3, a);
		r->priority = db_col_text_dup(s, 4, a);
		r->department = db_col_text_dup(s, 5, a);
		r->client = db_col_text_dup(s, 6, a);
		r->assignee = db_col_text_dup(s, 7, a);
		r->first_seconds = db_col_int(s, 8);
		r->resolve_seconds = db_col_int(s, 9);
		r->first_target = db_col_int(s, 10);
		r->resolve_target = db_col_int(s, 11);
		r->csat = db_col_text_dup(s, 12, a);
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

/* Local days and hours here are UTC-3, America/Sao_Paulo's offset since
 * 2019, as SQL both databases read: close enough for generated history. */
#define LOCAL_DAY(t) "((" t ") - 10800) / 86400"
int store_report_fill_generated(db *d, int64_t first_number)
{
	static const char *const sql[] = {
		"INSERT INTO report_daily (day, department_id, staff_id, opened) "
		"SELECT " LOCAL_DAY("created_at") ", department_id, 0, count(*) FROM tickets "
		"WHERE number >= $1 GROUP BY 1, 2 "
		"ON CONFLICT (day, department_id, staff_id) DO UPDATE SET opened = report_daily.opened + excluded.opened",
		"INSERT INTO report_hourly (day, hour, department_id, opened) "
		"SELECT " LOCAL_DAY("created_at") ", ((created_at - 10800) % 86400) / 3600, department_id, count(*) "
		"FROM tickets WHERE number >= $1 GROUP BY 1, 2, 3 "
		"ON CONFLICT (day, hour, department_id) DO UPDATE SET opened = report_hourly.opened + excluded.opened",
		"INSERT INTO report_daily (day, department_id, staff_id, closed) "
		"SELECT " LOCAL_DAY("updated_at") ", department_id, 0, count(*) FROM tickets "
		"WHERE number >= $1 AND status = 'closed' GROUP BY 1, 2 "
		"ON CONFLICT (day, department_id, staff_id) DO UPDATE SET closed = report_daily.closed + excluded.closed",
		"INSERT INTO report_durations (day, department_id, staff_id, kind, seconds) "
		"SELECT " LOCAL_DAY("f.first_at") ", t.department_id, f.staff_id, 'first', f.first_at - t.created_at "
		"FROM tickets t JOIN (SELECT ticket_id, MIN(created_at) AS first_at, MIN(author_staff_id) AS staff_id "
		"FROM messages WHERE author_kind = 'staff' GROUP BY ticket_id) f ON f.ticket_id = t.id "
		"WHERE t.number >= $1",
		"INSERT INTO report_durations (day, department_id, staff_id, kind, seconds) "
		"SELECT " LOCAL_DAY("updated_at") ", department_id, 0, 'resolve', updated_at - created_at "
		"FROM tickets WHERE number >= $1 AND status = 'closed'",
		"INSERT INTO report_daily (day, department_id, staff_id, first_count) "
		"SELECT day, department_id, staff_id, count(*) FROM report_durations "
		"WHERE kind = 'first' AND $1 > 0 GROUP BY day, department_id, staff_id "
		"ON CONFLICT (day, department_id, staff_id) DO UPDATE SET first_count = report_daily.first_count + excluded.first_count",
		"INSERT INTO report_daily (day, department_id, staff_id, resolve_count) "
		"SELECT day, department_id, staff_id, count(*) FROM report_durations "
		"WHERE kind = 'resolve' AND $1 > 0 GROUP BY day, department_id, staff_id "
		"ON CONFLICT (day, department_id, staff_id) DO UPDATE SET resolve_count = report_daily.resolve_count + excluded.resolve_count",
	};
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		db_stmt *s = db_prepare(d, sql[i]);
		db_bind_int(s, 1, first_number);
		int rc = db_step_done(s);
		if (rc < 0)
			return rc;
	}
	return 0;
}
