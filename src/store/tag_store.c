#include "store/tag_store.h"

static db_stmt *ticket_tags_stmt(db *d, int64_t ticket_id, int max)
{
	static const char sql[] = "SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, max);
	return s;
}

int store_ticket_tags(db *d, int64_t ticket_id, arena *a, const char **tags, int max)
{
	db_stmt *s = ticket_tags_stmt(d, ticket_id, max);
	if (!s)
		return DB_ERROR;
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		tags[n] = db_col_text_dup(s, 0, a);
		if (!tags[n]) {
			rc = DB_NOMEM;
			break;
		}
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

void store_ticket_tags_prefetch(db *d, int64_t ticket_id, int max)
{
	db_prefetch(ticket_tags_stmt(d, ticket_id, max));
}

int store_ticket_tag_add(db *d, int64_t ticket_id, const char *tag, int64_t now)
{
	static const char sql[] = "INSERT INTO ticket_tags (ticket_id, tag, created_at) VALUES ($1, $2, $3)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_recoverable(s);
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, tag);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_ticket_tag_remove(db *d, int64_t ticket_id, const char *tag)
{
	static const char sql[] =
		"DELETE FROM ticket_tags WHERE ticket_id = $1 AND tag = $2 RETURNING ticket_id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, tag);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static void read_tag_count(db_stmt *s, arena *a, void *row)
{
	struct tag_count *r = row;
	r->tag = db_col_text_dup(s, 0, a);
	r->count = db_col_int(s, 1);
}

static db_stmt *tag_counts_stmt(db *d, int64_t staff_id, int all_departments, int max)
{
	static const char sql[] =
		/* tag_counts is kept by triggers (migration 0022): a few rows. */
		"SELECT tag, sum(n) FROM tag_counts WHERE n > 0 AND ($2 = 1 OR department_id IN "
		"(SELECT department_id FROM staff_departments WHERE staff_id = $1)) "
		"GROUP BY tag ORDER BY tag LIMIT $3";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, all_departments ? 1 : 0);
	db_bind_int(s, 3, max);
	return s;
}

int store_tag_counts(db *d, int64_t staff_id, int all_departments, arena *a,
                     struct tag_count *rows, int max)
{
	db_stmt *s = tag_counts_stmt(d, staff_id, all_departments, max);
	return db_read_rows(s, read_tag_count, a, rows, sizeof *rows, max);
}

void store_tag_counts_prefetch(db *d, int64_t staff_id, int all_departments, int max)
{
	db_prefetch(tag_counts_stmt(d, staff_id, all_departments, max));
}
