#include "store/outbox_store.h"

#include <string.h>

#include "base/str.h"

/* Steps a statement that returns no rows; 0 or < 0. */
/* Steps an UPDATE ... RETURNING id: 0 when a row changed, 1 when none did. */
static int run_returning(db_stmt *s)
{
	int rc = db_step(s);
	db_done(s);
	if (rc == DB_ROW)
		return DB_OK;
	return rc == DB_DONE ? 1 : rc;
}

static int64_t insert_row(db *d, const struct outbox_new *n)
{
	static const char sql[] =
	    "INSERT INTO outbox (to_address, from_address, subject, message_id, ticket_id, status, "
	    "attempts, next_attempt_at, created_at) "
	    "VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $6) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, n->to_address);
	db_bind_text(s, 2, n->from_address);
	db_bind_text(s, 3, n->subject);
	db_bind_text(s, 4, n->message_id);
	if (n->ticket_id > 0)
		db_bind_int(s, 5, n->ticket_id);
	else
		db_bind_null(s, 5);
	db_bind_int(s, 6, n->now);
	return db_step_id(s);
}

static int insert_body(db *d, int64_t id, const struct outbox_new *n)
{
	static const char sql[] =
	    "INSERT INTO outbox_bodies (outbox_id, body_text, body_html, headers) VALUES ($1, $2, $3, $4)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, n->body_text);
	db_bind_text(s, 3, n->body_html);
	db_bind_text(s, 4, n->headers ? n->headers : "");
	return db_step_done(s);
}

/* The row and its body together: in the caller's transaction, or in one of
 * their own, so a sender never finds a row without its body. */
int64_t store_outbox_insert(db *d, const struct outbox_new *n)
{
	bool own = !db_in_transaction(d);
	int64_t rc = own ? db_begin_write(d) : DB_OK;
	if (rc < 0)
		return rc;
	int64_t id = insert_row(d, n);
	rc = id > 0 ? insert_body(d, id, n) : id;
	if (own && rc < 0)
		db_rollback(d);
	else if (own)
		rc = db_commit(d);
	return rc < 0 ? rc : id;
}

/* The ids of up to limit due rows, inside the caller's transaction. On
 * PostgreSQL the rows are locked and rows another sender holds are passed
 * over (SKIP LOCKED), so senders on many nodes claim disjoint rows without
 * waiting for each other; SQLite's write lock already serialises them. */
static int select_due(db *d, int64_t now, int limit, int64_t *ids)
{
	static const char sql[] =
	    "SELECT id FROM outbox WHERE status IN ('queued', 'sending') AND next_attempt_at <= $1 "
	    "ORDER BY next_attempt_at, id LIMIT $2";
	static const char sql_skip_locked[] =
	    "SELECT id FROM outbox WHERE status IN ('queued', 'sending') AND next_attempt_at <= $1 "
	    "ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED";
	db_stmt *s = db_prepare(d, db_is_postgres(d) ? sql_skip_locked : sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, limit);
	int count = 0;
	int rc = DB_DONE;
	while (count < limit && (rc = db_step(s)) == DB_ROW)
		ids[count++] = db_col_int(s, 0);
	db_done(s);
	return count == limit || rc == DB_DONE ? count : (rc < 0 ? rc : DB_ERROR);
}

static int mark_sending(db *d, int64_t id, int64_t lease_until, const struct outbox_claimant *who)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'sending', next_attempt_at = $2, attempts = attempts + 1, "
	    "claimed_node = $3, claimed_boot = $4 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s); /* a claim's marks go with its COMMIT */
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, lease_until);
	db_bind_text(s, 3, who ? who->node : NULL);
	db_bind_text(s, 4, who ? who->boot : NULL);
	return db_step_done(s);
}

int store_outbox_claim_due(db *d, int64_t now, int64_t lease_until, int limit, int64_t *ids)
{
	return store_outbox_claim_due_as(d, NULL, now, lease_until, limit, ids);
}

int store_outbox_reclaim_node(db *d, const char *node, const char *boot, int64_t now)
{
	static const char sql[] =
	    "UPDATE outbox SET next_attempt_at = $3 WHERE status = 'sending' AND claimed_node = $1 "
	    "AND claimed_boot <> $2 AND next_attempt_at > $3 RETURNING id";
	if (!node || !*node || !boot)
		return 0;
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, node);
	db_bind_text(s, 2, boot);
	db_bind_int(s, 3, now);
	int count = 0, rc;
	while ((rc = db_step(s)) == DB_ROW)
		count++;
	db_done(s);
	return rc == DB_DONE ? count : (rc < 0 ? rc : DB_ERROR);
}

int store_outbox_claim_due_as(db *d, const struct outbox_claimant *who, int64_t now,
                              int64_t lease_until, int limit, int64_t *ids)
{
	static const char any_due_sql[] =
		"SELECT 1 FROM outbox WHERE status IN ('queued', 'sending') "
		"AND next_attempt_at <= $1 LIMIT 1";
	if (limit <= 0)
		return 0;
	/* The sender looks after every commit that queued mail and when a
	 * retry falls due, and may find nothing: on SQLite it looks first
	 * without the write lock, which every writer of the process waits for. */
	int due = db_is_postgres(d) ? 1 : db_any_row(d, any_due_sql, now);
	if (due <= 0)
		return due;
	int rc = db_begin_concurrent(d);
	if (rc < 0)
		return rc;
	int count = select_due(d, now, limit, ids);
	if (count < 0) {
		rc = count;
		goto fail;
	}
	for (int i = 0; i < count; i++)
		if ((rc = mark_sending(d, ids[i], lease_until, who)) < 0)
			goto fail;
	if ((rc = db_commit(d)) < 0)
		goto fail;
	return count;
fail:
	db_rollback(d);
	return rc;
}

/* Copies column col into a; NULL for SQL NULL when keep_null, else "". */
static const char *column_copy(db_stmt *s, int col, arena *a, bool keep_null, bool *failed)
{
	if (keep_null && db_col_null(s, col))
		return NULL;
	char *copy = arena_strdup(a, db_col_text(s, col));
	if (!copy)
		*failed = true;
	return copy;
}

/* What every reader selects, in the order read_row expects, and from where. */
#define OUTBOX_SELECT                                                                             \
	"o.id, o.to_address, o.from_address, o.subject, b.body_text, b.body_html, b.headers, "     \
	"o.message_id, o.ticket_id, o.status, o.attempts, o.next_attempt_at, o.last_error, "       \
	"o.created_at, o.sent_at FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id "

/* Reads the current row of s into out; DB_NOMEM when a runs out. */
static int read_row(db_stmt *s, arena *a, struct outbox_row *out)
{
	bool failed = false;
	out->id = db_col_int(s, 0);
	out->to_address = column_copy(s, 1, a, false, &failed);
	out->from_address = column_copy(s, 2, a, false, &failed);
	out->subject = column_copy(s, 3, a, false, &failed);
	out->body_text = column_copy(s, 4, a, false, &failed);
	out->body_html = column_copy(s, 5, a, true, &failed);
	out->headers = column_copy(s, 6, a, false, &failed);
	out->message_id = column_copy(s, 7, a, false, &failed);
	out->ticket_id = db_col_int(s, 8);
	out->status = column_copy(s, 9, a, false, &failed);
	out->attempts = (int)db_col_int(s, 10);
	out->next_attempt_at = db_col_int(s, 11);
	out->last_error = column_copy(s, 12, a, false, &failed);
	out->created_at = db_col_int(s, 13);
	out->sent_at = db_col_int(s, 14);
	return failed ? DB_NOMEM : DB_OK;
}

int store_outbox_get(db *d, int64_t id, arena *a, struct outbox_row *out)
{
	static const char sql[] = "SELECT " OUTBOX_SELECT "WHERE o.id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		rc = read_row(s, a, out);
	else if (rc == DB_DONE)
		rc = 1;
	db_done(s);
	return rc;
}

int store_outbox_mark_sent(db *d, int64_t id, int64_t now)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'sent', sent_at = $2, last_error = NULL "
	    "WHERE id = $1 AND status = 'sending'";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s); /* a sender's outcomes go with their COMMIT */
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	return db_step_done(s);
}

int store_outbox_mark_retry(db *d, int64_t id, int64_t next_attempt_at, const char *error)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'queued', next_attempt_at = $2, last_error = $3 "
	    "WHERE id = $1 AND status = 'sending'";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, next_attempt_at);
	db_bind_text(s, 3, error);
	return db_step_done(s);
}

int store_outbox_mark_failed(db *d, int64_t id, const char *error)
{
	static const char sql[] = "UPDATE outbox SET status = 'failed', last_error = $2 WHERE id = "
	                          "$1 AND status = 'sending'";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, error);
	return db_step_done(s);
}

int store_outbox_retry(db *d, int64_t id, int64_t now)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = $2 "
	    "WHERE id = $1 AND status = 'failed' RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	return run_returning(s);
}

int store_outbox_list_failed(db *d, int64_t before_id, int limit, arena *a, struct outbox_row *rows)
{
	static const char sql[] = "SELECT " OUTBOX_SELECT
	                          "WHERE o.status = 'failed' AND o.id < $1 ORDER BY o.id DESC LIMIT $2";
	if (limit <= 0)
		return 0;
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, before_id > 0 ? before_id : INT64_MAX);
	db_bind_int(s, 2, limit);
	int count = 0;
	int rc = DB_DONE;
	while (count < limit && (rc = db_step(s)) == DB_ROW) {
		if ((rc = read_row(s, a, &rows[count])) < 0)
			break;
		count++;
	}
	db_done(s);
	if (count == limit || rc == DB_DONE)
		return count;
	return rc < 0 ? rc : DB_ERROR;
}

int64_t store_outbox_count_by_status(db *d, const char *status)
{
	/* Each written so that its index's condition is one of its terms (the
	 * planner uses a partial index only then); sent emails have none. */
	static const char to_send_sql[] =
		"SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending') AND status = $1";
	static const char failed_sql[] = "SELECT count(*) FROM outbox WHERE status = 'failed'";
	static const char any_sql[] = "SELECT count(*) FROM outbox WHERE status = $1";
	const char *sql = str_eq(status, "failed") ? failed_sql
	                  : str_eq(status, "queued") || str_eq(status, "sending") ? to_send_sql
	                                                                          : any_sql;
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	if (sql != failed_sql)
		db_bind_text(s, 1, status);
	int rc = db_step(s);
	int64_t count = rc == DB_ROW ? db_col_int(s, 0) : (rc < 0 ? rc : DB_ERROR);
	db_done(s);
	return count;
}
