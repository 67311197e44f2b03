#include "store/cc_store.h"

#include <string.h>

/* ASCII lowercase, as the schema's email_lower column documents. */
static void lower_ascii(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

static void bind_optional_id(db_stmt *s, int index, int64_t id)
{
	if (id > 0)
		db_bind_int(s, index, id);
	else
		db_bind_null(s, index);
}

int64_t store_cc_insert(db *d, int64_t ticket_id, const char *email, const char *name,
                        const char *added_by_kind, int64_t added_by_id, int64_t now)
{
	static const char sql[] =
		"INSERT INTO ticket_ccs (ticket_id, email, email_lower, name, added_by_kind, added_by_id, "
		"created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
	char lower[320];
	lower_ascii(email, lower, sizeof lower);
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, email);
	db_bind_text(s, 3, lower);
	db_bind_text(s, 4, name ? name : "");
	db_bind_text(s, 5, added_by_kind);
	bind_optional_id(s, 6, added_by_id);
	db_bind_int(s, 7, now);
	return db_step_id(s);
}

int store_cc_delete(db *d, int64_t ticket_id, int64_t cc_id)
{
	static const char sql[] =
		"DELETE FROM ticket_ccs WHERE ticket_id = $1 AND id = $2 RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, cc_id);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static void read_cc(db_stmt *s, arena *a, void *row)
{
	struct cc_row *r = row;
	r->id = db_col_int(s, 0);
	r->ticket_id = db_col_int(s, 1);
	r->email = db_col_text_dup(s, 2, a);
	r->name = db_col_text_dup(s, 3, a);
	r->live_keys = db_col_int(s, 4);
}

/* A short list, ordered without LIMIT (db_read_rows in db.h). */
static db_stmt *cc_list_stmt(db *d, int64_t ticket_id)
{
	static const char sql[] =
		"SELECT c.id, c.ticket_id, c.email, c.name, "
		"(SELECT count(*) FROM ticket_access_keys k WHERE k.ticket_id = c.ticket_id "
		"AND k.cc_id = c.id AND k.revoked_at IS NULL) "
		"FROM ticket_ccs c WHERE c.ticket_id = $1 ORDER BY c.id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	return s;
}

int store_cc_list(db *d, int64_t ticket_id, arena *a, struct cc_row *rows, int max)
{
	db_stmt *s = cc_list_stmt(d, ticket_id);
	if (!s)
		return DB_ERROR;
	return db_read_rows(s, read_cc, a, rows, sizeof *rows, max);
}

void store_cc_list_prefetch(db *d, int64_t ticket_id)
{
	db_prefetch(cc_list_stmt(d, ticket_id));
}

int64_t store_cc_count(db *d, int64_t ticket_id)
{
	static const char sql[] = "SELECT count(*) FROM ticket_ccs WHERE ticket_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	return db_scalar_int(s, 0);
}

int store_cc_get(db *d, int64_t ticket_id, int64_t cc_id, arena *a, struct cc_row *row)
{
	static const char sql[] =
		"SELECT id, ticket_id, email, name, 0 FROM ticket_ccs WHERE ticket_id = $1 AND id = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, cc_id);
	return db_read_one(s, read_cc, a, row);
}

int store_cc_by_email(db *d, int64_t ticket_id, const char *email, arena *a, struct cc_row *row)
{
	static const char sql[] =
		"SELECT id, ticket_id, email, name, 0 FROM ticket_ccs "
		"WHERE ticket_id = $1 AND email_lower = $2";
	char lower[320];
	lower_ascii(email, lower, sizeof lower);
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, lower);
	return db_read_one(s, read_cc, a, row);
}

int store_access_key_insert(db *d, int64_t ticket_id, int64_t cc_id, const char *key_hash,
                            int64_t now)
{
	static const char sql[] =
		"INSERT INTO ticket_access_keys (ticket_id, cc_id, key_hash, created_at) "
		"VALUES ($1, $2, $3, $4)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_int(s, 1, ticket_id);
	bind_optional_id(s, 2, cc_id);
	db_bind_text(s, 3, key_hash);
	db_bind_int(s, 4, now);
	return db_step_done(s);
}

static void read_key(db_stmt *s, arena *a, void *row)
{
	struct access_key_row *r = row;
	r->ticket_id = db_col_int(s, 0);
	r->cc_id = db_col_null(s, 1) ? 0 : db_col_int(s, 1);
	r->key_hash = db_col_text_dup(s, 2, a);
	r->revoked = !db_col_null(s, 3);
}

int store_access_key_find(db *d, int64_t ticket_id, const char *key_hash, arena *a,
                          struct access_key_row *row)
{
	static const char sql[] =
		"SELECT ticket_id, cc_id, key_hash, revoked_at FROM ticket_access_keys "
		"WHERE ticket_id = $1 AND key_hash = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, key_hash);
	return db_read_one(s, read_key, a, row);
}

int store_access_keys_revoke(db *d, int64_t ticket_id, int64_t cc_id, int64_t now)
{
	static const char sql_client[] =
		"UPDATE ticket_access_keys SET revoked_at = $2 "
		"WHERE ticket_id = $1 AND cc_id IS NULL AND revoked_at IS NULL RETURNING id";
	static const char sql_cc[] =
		"UPDATE ticket_access_keys SET revoked_at = $2 "
		"WHERE ticket_id = $1 AND cc_id = $3 AND revoked_at IS NULL RETURNING id";
	db_stmt *s = db_prepare(d, cc_id > 0 ? sql_cc : sql_client);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, now);
	if (cc_id > 0)
		db_bind_int(s, 3, cc_id);
	int n = 0, rc;
	while ((rc = db_step(s)) == DB_ROW)
		n++;
	db_done(s);
	return rc < 0 ? rc : n;
}

static db_stmt *live_client_stmt(db *d, int64_t ticket_id)
{
	static const char sql[] =
		"SELECT count(*) FROM ticket_access_keys "
		"WHERE ticket_id = $1 AND cc_id IS NULL AND revoked_at IS NULL";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	return s;
}

int64_t store_access_keys_live_client(db *d, int64_t ticket_id)
{
	db_stmt *s = live_client_stmt(d, ticket_id);
	if (!s)
		return DB_ERROR;
	return db_scalar_int(s, 0);
}

void store_access_keys_live_client_prefetch(db *d, int64_t ticket_id)
{
	db_prefetch(live_client_stmt(d, ticket_id));
}
