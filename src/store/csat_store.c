#include "store/csat_store.h"

static db_stmt *csat_get_stmt(db *d, int64_t ticket_id)
{
	static const char sql[] =
		"SELECT ticket_id, department_id, COALESCE(staff_id, 0), rating, comment, created_at, "
		"updated_at FROM csat_ratings WHERE ticket_id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	return s;
}

int store_csat_get(db *d, int64_t ticket_id, arena *a, struct csat_row *row)
{
	db_stmt *s = csat_get_stmt(d, ticket_id);
	if (!s)
		return DB_ERROR;
	int rc = db_step(s);
	if (rc == DB_ROW) {
		row->ticket_id = db_col_int(s, 0);
		row->department_id = db_col_int(s, 1);
		row->staff_id = db_col_int(s, 2);
		row->rating = db_col_text_dup(s, 3, a);
		row->comment = db_col_text_dup(s, 4, a);
		row->created_at = db_col_int(s, 5);
		row->updated_at = db_col_int(s, 6);
	}
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

void store_csat_get_prefetch(db *d, int64_t ticket_id)
{
	db_prefetch(csat_get_stmt(d, ticket_id));
}

int store_csat_set(db *d, const struct csat_row *row, int64_t now)
{
	static const char sql[] =
		"INSERT INTO csat_ratings (ticket_id, rating, comment, department_id, staff_id, "
		"created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) "
		"ON CONFLICT (ticket_id) DO UPDATE SET rating = excluded.rating, "
		"comment = excluded.comment, department_id = excluded.department_id, "
		"staff_id = excluded.staff_id, updated_at = excluded.updated_at";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, row->ticket_id);
	db_bind_text(s, 2, row->rating);
	db_bind_text(s, 3, row->comment ? row->comment : "");
	db_bind_int(s, 4, row->department_id);
	if (row->staff_id > 0)
		db_bind_int(s, 5, row->staff_id);
	else
		db_bind_null(s, 5);
	db_bind_int(s, 6, now);
	return db_step_done(s);
}

int64_t store_csat_survey_sent_at(db *d, int64_t ticket_id)
{
	static const char sql[] = "SELECT COALESCE(max(sent_at), 0) FROM csat_surveys WHERE ticket_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	return db_scalar_int(s, DB_ERROR);
}

int store_csat_survey_mark(db *d, int64_t ticket_id, int64_t now)
{
	static const char sql[] =
		"INSERT INTO csat_surveys (ticket_id, sent_at) VALUES ($1, $2) "
		"ON CONFLICT (ticket_id) DO UPDATE SET sent_at = excluded.sent_at";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, now);
	return db_step_done(s);
}

int64_t store_csat_last_staff_replier(db *d, int64_t ticket_id)
{
	static const char sql[] =
		"SELECT COALESCE((SELECT author_staff_id FROM messages WHERE ticket_id = $1 "
		"AND author_kind = 'staff' AND internal = 0 AND author_staff_id IS NOT NULL "
		"ORDER BY created_at DESC, id DESC LIMIT 1), 0)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	return db_scalar_int(s, DB_ERROR);
}
