#include "store/session_store.h"

#include <stdio.h>
#include <string.h>

static void copy_col(db_stmt *s, int col, char *out, size_t n)
{
	snprintf(out, n, "%s", db_col_text(s, col));
}

int64_t store_session_insert(db *d, const char *token_hash, const char *user_kind, int64_t user_id,
                             const char *csrf_secret, const char *ip, const char *user_agent,
                             int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO sessions (token_hash, user_kind, user_id, csrf_secret, created_at, "
		"last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) "
		"RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, token_hash);
	db_bind_text(s, 2, user_kind);
	db_bind_int(s, 3, user_id);
	db_bind_text(s, 4, csrf_secret);
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, expires_at);
	db_bind_text(s, 7, ip ? ip : "");
	db_bind_text(s, 8, user_agent ? user_agent : "");
	return db_step_id(s);
}

int store_session_get(db *d, const char *token_hash, struct session_row *row)
{
	/* The account's part is the session's copy, kept by triggers
	 * (migration 0041): one row, not a join of three tables. */
	static const char sql[] =
		"SELECT id, user_kind, user_id, csrf_secret, created_at, last_seen_at, expires_at, name, "
		"email, role, language, active, twofa, owner_id, contact_tickets "
		"FROM sessions WHERE token_hash = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, token_hash);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		row->id = db_col_int(s, 0);
		copy_col(s, 1, row->user_kind, sizeof row->user_kind);
		row->user_id = db_col_int(s, 2);
		copy_col(s, 3, row->csrf_secret, sizeof row->csrf_secret);
		row->created_at = db_col_int(s, 4);
		row->last_seen_at = db_col_int(s, 5);
		row->expires_at = db_col_int(s, 6);
		copy_col(s, 7, row->name, sizeof row->name);
		copy_col(s, 8, row->email, sizeof row->email);
		copy_col(s, 9, row->role, sizeof row->role);
		copy_col(s, 10, row->language, sizeof row->language);
		row->active = (int)db_col_int(s, 11);
		row->twofa = db_col_int(s, 12) != 0;
		row->owner_id = db_col_int(s, 13);
		row->contact_tickets = (int)db_col_int(s, 14);
	}
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

int store_session_touch(db *d, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	return db_step_done(s);
}

int store_session_delete(db *d, const char *token_hash)
{
	static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, token_hash);
	return db_step_done(s);
}

int store_session_delete_user(db *d, const char *user_kind, int64_t user_id, int64_t keep_id)
{
	static const char sql[] =
		"DELETE FROM sessions WHERE user_kind = $1 AND user_id = $2 AND id <> $3";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, user_kind);
	db_bind_int(s, 2, user_id);
	db_bind_int(s, 3, keep_id);
	return db_step_done(s);
}

int store_session_purge(db *d, int64_t now)
{
	static const char sql[] = "DELETE FROM sessions WHERE expires_at <= $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, now);
	return db_step_done(s);
}

int store_session_list_user(db *d, const char *user_kind, int64_t user_id, int64_t now,
                            struct session_list_row *rows, int max)
{
	static const char sql[] =
		"SELECT id, ip, user_agent, created_at, last_seen_at FROM sessions "
		"WHERE user_kind = $1 AND user_id = $2 AND expires_at > $3 "
		"ORDER BY last_seen_at DESC, id DESC LIMIT $4";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, user_kind);
	db_bind_int(s, 2, user_id);
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, max);
	int n = 0, rc;
	while ((rc = db_step(s)) == DB_ROW && n < max) {
		struct session_list_row *r = &rows[n++];
		r->id = db_col_int(s, 0);
		copy_col(s, 1, r->ip, sizeof r->ip);
		copy_col(s, 2, r->user_agent, sizeof r->user_agent);
		r->created_at = db_col_int(s, 3);
		r->last_seen_at = db_col_int(s, 4);
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_session_delete_id(db *d, const char *user_kind, int64_t user_id, int64_t id)
{
	static const char sql[] =
		"DELETE FROM sessions WHERE user_kind = $1 AND user_id = $2 AND id = $3 RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, user_kind);
	db_bind_int(s, 2, user_id);
	db_bind_int(s, 3, id);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int store_attempt_add(db *d, const char *key, int succeeded, int64_t now)
{
	static const char sql[] =
		"INSERT INTO login_attempts (key, succeeded, created_at) VALUES ($1, $2, $3)";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, succeeded);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_attempt_failures(db *d, const char *key, int64_t since, int64_t *count, int64_t *oldest)
{
	static const char sql[] =
		"SELECT count(*), COALESCE(min(created_at), 0) FROM login_attempts "
		"WHERE key = $1 AND created_at > $2 AND succeeded = 0";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, since);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*count = db_col_int(s, 0);
		*oldest = db_col_int(s, 1);
	}
	db_done(s);
	return rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_ERROR);
}

int store_attempt_clear(db *d, const char *key)
{
	static const char sql[] = "DELETE FROM login_attempts WHERE key = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	return db_step_done(s);
}

int64_t store_reset_insert(db *d, const char *token_hash, const char *user_kind, int64_t user_id,
                           int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO password_resets (token_hash, user_kind, user_id, created_at, expires_at) "
		"VALUES ($1, $2, $3, $4, $5) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, token_hash);
	db_bind_text(s, 2, user_kind);
	db_bind_int(s, 3, user_id);
	db_bind_int(s, 4, now);
	db_bind_int(s, 5, expires_at);
	return db_step_id(s);
}

static int token_row_read(db_stmt *s, struct token_row *row, bool with_email)
{
	int rc = db_step(s);
	if (rc == DB_ROW) {
		memset(row, 0, sizeof *row);
		row->id = db_col_int(s, 0);
		copy_col(s, 1, row->user_kind, sizeof row->user_kind);
		row->user_id = db_col_int(s, 2);
		row->expires_at = db_col_int(s, 3);
		row->used_at = db_col_null(s, 4) ? 0 : db_col_int(s, 4);
		if (with_email)
			copy_col(s, 5, row->new_email, sizeof row->new_email);
	}
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

int store_reset_get(db *d, const char *token_hash, struct token_row *row)
{
	static const char sql[] =
		"SELECT id, user_kind, user_id, expires_at, used_at FROM password_resets "
		"WHERE token_hash = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, token_hash);
	return token_row_read(s, row, false);
}

int store_reset_use(db *d, int64_t id, int64_t now)
{
	/* used_at IS NULL makes a second use of the same link change nothing. */
	static const char sql[] =
		"UPDATE password_resets SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	int64_t rc = db_step_id(s);
	return rc > 0 ? 1 : (int)rc;
}

int64_t store_reset_count_since(db *d, const char *user_kind, int64_t user_id, int64_t since)
{
	static const char sql[] =
		"SELECT count(*) FROM password_resets WHERE user_kind = $1 AND user_id = $2 "
		"AND created_at > $3";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, user_kind);
	db_bind_int(s, 2, user_id);
	db_bind_int(s, 3, since);
	return db_scalar_int(s, 0);
}

int64_t store_email_change_insert(db *d, const char *token_hash, const char *user_kind,
                                  int64_t user_id, const char *new_email, int64_t now,
                                  int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO email_changes (token_hash, user_kind, user_id, new_email, created_at, "
		"expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, token_hash);
	db_bind_text(s, 2, user_kind);
	db_bind_int(s, 3, user_id);
	db_bind_text(s, 4, new_email);
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, expires_at);
	return db_step_id(s);
}

int store_email_change_get(db *d, const char *token_hash, struct token_row *row)
{
	static const char sql[] =
		"SELECT id, user_kind, user_id, expires_at, used_at, new_email FROM email_changes "
		"WHERE token_hash = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, token_hash);
	return token_row_read(s, row, true);
}

int store_email_change_use(db *d, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE email_changes SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	int64_t rc = db_step_id(s);
	return rc > 0 ? 1 : (int)rc;
}
