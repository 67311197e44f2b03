#include "store/twofa_store.h"

#include <stdio.h>
#include <string.h>

static void bind_account(db_stmt *s, const char *user_kind, int64_t user_id)
{
	db_bind_text(s, 1, user_kind);
	db_bind_int(s, 2, user_id);
}

/* 1 when a RETURNING statement produced its row, 0 when none, < 0. */
static int step_returned(db_stmt *s)
{
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int store_twofa_get(db *d, const char *user_kind, int64_t user_id, struct twofa_row *row)
{
	static const char sql[] =
		"SELECT secret, enabled_at, last_step, created_at FROM two_factor "
		"WHERE user_kind = $1 AND user_id = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		memset(row, 0, sizeof *row);
		snprintf(row->secret, sizeof row->secret, "%s", db_col_text(s, 0));
		row->enabled_at = db_col_null(s, 1) ? 0 : db_col_int(s, 1);
		row->last_step = db_col_int(s, 2);
		row->created_at = db_col_int(s, 3);
	}
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int store_twofa_put_pending(db *d, const char *user_kind, int64_t user_id, const char *secret,
                            int64_t now)
{
	static const char sql[] =
		"INSERT INTO two_factor (user_kind, user_id, secret, enabled_at, last_step, created_at) "
		"VALUES ($1, $2, $3, NULL, 0, $4) ON CONFLICT (user_kind, user_id) DO UPDATE SET "
		"secret = excluded.secret, enabled_at = NULL, last_step = 0, "
		"created_at = excluded.created_at";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	db_bind_text(s, 3, secret);
	db_bind_int(s, 4, now);
	return db_step_done(s);
}

int store_twofa_enable(db *d, const char *user_kind, int64_t user_id, int64_t step, int64_t now)
{
	static const char sql[] =
		"UPDATE two_factor SET enabled_at = $3, last_step = $4 "
		"WHERE user_kind = $1 AND user_id = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, step);
	return db_step_done(s);
}

int store_twofa_use_step(db *d, const char *user_kind, int64_t user_id, int64_t step)
{
	/* One statement decides, so two nodes given the same code at once
	 * cannot both accept it. */
	static const char sql[] =
		"UPDATE two_factor SET last_step = $3 WHERE user_kind = $1 AND user_id = $2 "
		"AND enabled_at IS NOT NULL AND last_step < $3 RETURNING user_id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	db_bind_int(s, 3, step);
	return step_returned(s);
}

int store_twofa_delete(db *d, const char *user_kind, int64_t user_id)
{
	static const char sql[] = "DELETE FROM two_factor WHERE user_kind = $1 AND user_id = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	int rc = db_step_done(s);
	return rc < 0 ? rc : store_recovery_delete(d, user_kind, user_id);
}

int store_recovery_insert(db *d, const char *user_kind, int64_t user_id, const char *code_hash)
{
	static const char sql[] =
		"INSERT INTO recovery_codes (user_kind, user_id, code_hash) VALUES ($1, $2, $3)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	db_bind_text(s, 3, code_hash);
	return db_step_done(s);
}

int store_recovery_delete(db *d, const char *user_kind, int64_t user_id)
{
	static const char sql[] = "DELETE FROM recovery_codes WHERE user_kind = $1 AND user_id = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	return db_step_done(s);
}

int store_recovery_use(db *d, const char *user_kind, int64_t user_id, const char *code_hash,
                       int64_t now)
{
	static const char sql[] =
		"UPDATE recovery_codes SET used_at = $4 WHERE user_kind = $1 AND user_id = $2 "
		"AND code_hash = $3 AND used_at IS NULL RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	db_bind_text(s, 3, code_hash);
	db_bind_int(s, 4, now);
	return step_returned(s);
}

int64_t store_recovery_left(db *d, const char *user_kind, int64_t user_id)
{
	static const char sql[] =
		"SELECT count(*) FROM recovery_codes WHERE user_kind = $1 AND user_id = $2 "
		"AND used_at IS NULL";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_account(s, user_kind, user_id);
	return db_scalar_int(s, 0);
}

int64_t store_challenge_insert(db *d, const char *token_hash, const char *user_kind,
                               int64_t user_id, const char *ip, const char *user_agent,
                               int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO login_challenges (token_hash, user_kind, user_id, ip, user_agent, "
		"created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, token_hash);
	db_bind_text(s, 2, user_kind);
	db_bind_int(s, 3, user_id);
	db_bind_text(s, 4, ip ? ip : "");
	db_bind_text(s, 5, user_agent ? user_agent : "");
	db_bind_int(s, 6, now);
	db_bind_int(s, 7, expires_at);
	return db_step_id(s);
}

int store_challenge_get(db *d, const char *token_hash, struct challenge_row *row)
{
	static const char sql[] =
		"SELECT id, user_kind, user_id, expires_at FROM login_challenges WHERE token_hash = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, token_hash);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		memset(row, 0, sizeof *row);
		row->id = db_col_int(s, 0);
		snprintf(row->user_kind, sizeof row->user_kind, "%s", db_col_text(s, 1));
		row->user_id = db_col_int(s, 2);
		row->expires_at = db_col_int(s, 3);
	}
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int store_challenge_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM login_challenges WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int store_challenge_purge(db *d, int64_t now)
{
	static const char sql[] = "DELETE FROM login_challenges WHERE expires_at <= $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, now);
	return db_step_done(s);
}
