#include "store/account_store.h"

#include <string.h>

/* ASCII lowercase, as the schema's email_lower column documents. */
static void lower_ascii(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

static int64_t insert_returning_id(db_stmt *s)
{
	int rc = db_step(s);
	int64_t id = rc == DB_ROW ? db_col_int(s, 0) : rc;
	db_done(s);
	return rc == DB_ROW || rc < 0 ? id : DB_ERROR;
}

int64_t store_client_insert(db *d, const char *email, const char *name, const char *password_hash,
                            const char *lang, int64_t now)
{
	static const char sql[] =
		"INSERT INTO clients (email, email_lower, name, password_hash, language, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, email);
	db_bind_text(s, 2, lower);
	db_bind_text(s, 3, name);
	db_bind_text(s, 4, password_hash);
	db_bind_text(s, 5, lang);
	db_bind_int(s, 6, now);
	return insert_returning_id(s);
}

int64_t store_staff_insert(db *d, const char *email, const char *name, const char *password_hash,
                           const char *role, const char *lang, int64_t now)
{
	static const char sql[] =
		"INSERT INTO staff (email, email_lower, name, password_hash, role, language, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, email);
	db_bind_text(s, 2, lower);
	db_bind_text(s, 3, name);
	db_bind_text(s, 4, password_hash);
	db_bind_text(s, 5, role);
	db_bind_text(s, 6, lang);
	db_bind_int(s, 7, now);
	return insert_returning_id(s);
}

static int64_t id_by_email(db *d, const char *sql, const char *email)
{
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, lower);
	return db_scalar_int(s, 0);
}

int64_t store_client_id_by_email(db *d, const char *email)
{
	static const char sql[] = "SELECT id FROM clients WHERE email_lower = $1";
	return id_by_email(d, sql, email);
}

int64_t store_staff_id_by_email(db *d, const char *email)
{
	static const char sql[] = "SELECT id FROM staff WHERE email_lower = $1";
	return id_by_email(d, sql, email);
}
