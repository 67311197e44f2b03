#include "store/contact_store.h"

#include <stdio.h>

/* ASCII lowercase, as the schema's email_lower column documents. */
static void lower_ascii(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

#define CONTACT_COLUMNS                                                                           \
	"id, owner_id, email, name, language, contact_tickets, contact_emails, active, "              \
	"CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END, created_at"

static void read_contact(db_stmt *s, arena *a, void *out)
{
	struct contact_row *r = out;
	r->id = db_col_int(s, 0);
	r->owner_id = db_col_int(s, 1);
	r->email = db_col_text_dup(s, 2, a);
	r->name = db_col_text_dup(s, 3, a);
	r->language = db_col_text_dup(s, 4, a);
	r->can_tickets = db_col_int(s, 5) != 0;
	r->gets_emails = db_col_int(s, 6) != 0;
	r->active = db_col_int(s, 7) != 0;
	r->has_password = db_col_int(s, 8) != 0;
	r->created_at = db_col_int(s, 9);
}

int64_t store_contact_insert(db *d, int64_t owner_id, const char *email, const char *name,
                             const char *language, bool can_tickets, bool gets_emails, int64_t now)
{
	static const char sql[] =
		"INSERT INTO clients (email, email_lower, name, password_hash, language, owner_id, "
		"contact_tickets, contact_emails, created_at, updated_at) "
		"VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $8) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, email);
	db_bind_text(s, 2, lower);
	db_bind_text(s, 3, name);
	db_bind_text(s, 4, language);
	db_bind_int(s, 5, owner_id);
	db_bind_int(s, 6, can_tickets);
	db_bind_int(s, 7, gets_emails);
	db_bind_int(s, 8, now);
	return db_step_id(s);
}

int store_contact_update(db *d, int64_t owner_id, int64_t id, bool can_tickets, bool gets_emails,
                         int64_t now)
{
	static const char sql[] =
		"UPDATE clients SET contact_tickets = $3, contact_emails = $4, updated_at = $5 "
		"WHERE id = $2 AND owner_id = $1 RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, owner_id);
	db_bind_int(s, 2, id);
	db_bind_int(s, 3, can_tickets);
	db_bind_int(s, 4, gets_emails);
	db_bind_int(s, 5, now);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

/* One statement bound to the contact's id. */
static int delete_step(db *d, const char *sql, int64_t id)
{
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int store_contact_delete(db *d, int64_t owner_id, int64_t id)
{
	static const char check[] = "SELECT count(*) FROM clients WHERE id = $1 AND owner_id = $2";
	db_stmt *s = db_prepare(d, check);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, owner_id);
	int64_t n = db_scalar_int(s, -1);
	if (n <= 0)
		return n < 0 ? DB_ERROR : 0;
	/* What refers to a client by (user_kind, user_id) has no foreign key. */
	static const char *const by_id[] = {
		"DELETE FROM sessions WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM password_resets WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM email_changes WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM two_factor WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM recovery_codes WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM login_challenges WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM clients WHERE id = $1",
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof by_id / sizeof *by_id; i++)
		rc = delete_step(d, by_id[i], id);
	return rc < 0 ? rc : 1;
}

static db_stmt *contact_list_stmt(db *d, int64_t owner_id, int max)
{
	static const char sql[] =
		"SELECT " CONTACT_COLUMNS " FROM clients WHERE owner_id = $1 ORDER BY id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, owner_id);
	db_bind_int(s, 2, max);
	return s;
}

int store_contact_list(db *d, int64_t owner_id, arena *a, struct contact_row *rows, int max)
{
	db_stmt *s = contact_list_stmt(d, owner_id, max);
	return db_read_rows(s, read_contact, a, rows, sizeof *rows, max);
}

void store_contact_list_prefetch(db *d, int64_t owner_id, int max)
{
	db_prefetch(contact_list_stmt(d, owner_id, max));
}

int store_contact_get(db *d, int64_t owner_id, int64_t id, arena *a, struct contact_row *row)
{
	static const char sql[] =
		"SELECT " CONTACT_COLUMNS " FROM clients WHERE id = $1 AND owner_id = $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, owner_id);
	return db_read_one(s, read_contact, a, row);
}
