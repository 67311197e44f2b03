#include "store/account_store.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ASCII lowercase, as the schema's email_lower column documents. */
static void lower_ascii(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

int64_t store_client_insert(db *d, const char *email, const char *name, const char *password_hash,
                            const char *lang, int64_t now)
{
	static const char sql[] =
		"INSERT INTO clients (email, email_lower, name, password_hash, language, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, email);
	db_bind_text(s, 2, lower);
	db_bind_text(s, 3, name);
	db_bind_text(s, 4, password_hash);
	db_bind_text(s, 5, lang);
	db_bind_int(s, 6, now);
	return db_step_id(s);
}

int64_t store_staff_insert(db *d, const char *email, const char *name, const char *password_hash,
                           const char *role, const char *lang, int64_t now)
{
	static const char sql[] =
		"INSERT INTO staff (email, email_lower, name, password_hash, role, language, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, email);
	db_bind_text(s, 2, lower);
	db_bind_text(s, 3, name);
	db_bind_text(s, 4, password_hash);
	db_bind_text(s, 5, role);
	db_bind_text(s, 6, lang);
	db_bind_int(s, 7, now);
	return db_step_id(s);
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

static bool is_staff(const char *kind)
{
	return strcmp(kind, "staff") == 0;
}

static int read_account(db_stmt *s, struct account_row *row)
{
	int rc = db_step(s);
	if (rc == DB_ROW) {
		row->id = db_col_int(s, 0);
		snprintf(row->email, sizeof row->email, "%s", db_col_text(s, 1));
		snprintf(row->name, sizeof row->name, "%s", db_col_text(s, 2));
		snprintf(row->password_hash, sizeof row->password_hash, "%s", db_col_text(s, 3));
		snprintf(row->language, sizeof row->language, "%s", db_col_text(s, 4));
		snprintf(row->role, sizeof row->role, "%s", db_col_text(s, 5));
		row->active = (int)db_col_int(s, 6);
		row->owner_id = db_col_int(s, 7);
		row->contact_tickets = (int)db_col_int(s, 8);
		row->contact_emails = (int)db_col_int(s, 9);
	}
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

int store_account_get_by_email(db *d, const char *kind, const char *email, struct account_row *row)
{
	static const char client_sql[] =
		"SELECT id, email, name, password_hash, language, '', active, COALESCE(owner_id, 0), "
		"contact_tickets, contact_emails FROM clients WHERE email_lower = $1";
	static const char staff_sql[] =
		"SELECT id, email, name, password_hash, language, role, active, 0, 0, 0 FROM staff "
		"WHERE email_lower = $1";
	db_stmt *s = db_prepare(d, is_staff(kind) ? staff_sql : client_sql);
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, lower);
	return read_account(s, row);
}

int store_account_get(db *d, const char *kind, int64_t id, struct account_row *row)
{
	static const char client_sql[] =
		"SELECT id, email, name, password_hash, language, '', active, COALESCE(owner_id, 0), "
		"contact_tickets, contact_emails FROM clients WHERE id = $1";
	static const char staff_sql[] =
		"SELECT id, email, name, password_hash, language, role, active, 0, 0, 0 FROM staff "
		"WHERE id = $1";
	db_stmt *s = db_prepare(d, is_staff(kind) ? staff_sql : client_sql);
	db_bind_int(s, 1, id);
	return read_account(s, row);
}

int store_account_set_password(db *d, const char *kind, int64_t id, const char *hash, int64_t now)
{
	static const char client_sql[] =
		"UPDATE clients SET password_hash = $2, updated_at = $3 WHERE id = $1";
	static const char staff_sql[] =
		"UPDATE staff SET password_hash = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, is_staff(kind) ? staff_sql : client_sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, hash);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_account_set_profile(db *d, const char *kind, int64_t id, const char *name,
                              const char *lang, int64_t now)
{
	static const char client_sql[] =
		"UPDATE clients SET name = $2, language = $3, updated_at = $4 WHERE id = $1";
	static const char staff_sql[] =
		"UPDATE staff SET name = $2, language = $3, updated_at = $4 WHERE id = $1";
	db_stmt *s = db_prepare(d, is_staff(kind) ? staff_sql : client_sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, lang);
	db_bind_int(s, 4, now);
	return db_step_done(s);
}

int store_account_set_language(db *d, const char *kind, int64_t id, const char *lang, int64_t now)
{
	static const char client_sql[] =
		"UPDATE clients SET language = $2, updated_at = $3 WHERE id = $1";
	static const char staff_sql[] =
		"UPDATE staff SET language = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, is_staff(kind) ? staff_sql : client_sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, lang);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_account_set_email(db *d, const char *kind, int64_t id, const char *email, int64_t now)
{
	static const char client_sql[] =
		"UPDATE clients SET email = $2, email_lower = $3, updated_at = $4 WHERE id = $1";
	static const char staff_sql[] =
		"UPDATE staff SET email = $2, email_lower = $3, updated_at = $4 WHERE id = $1";
	db_stmt *s = db_prepare(d, is_staff(kind) ? staff_sql : client_sql);
	db_recoverable(s);
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, email);
	db_bind_text(s, 3, lower);
	db_bind_int(s, 4, now);
	return db_step_done(s);
}
