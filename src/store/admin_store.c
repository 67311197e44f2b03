#include "store/admin_store.h"

#include <stdio.h>
#include <string.h>

/* ASCII lowercase, as the schema's email_lower columns document. */
static void lower_ascii(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in && in[i] && i + 1 < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

static int64_t id_by_lower(db *d, const char *sql, const char *email)
{
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, 1, lower);
	return db_scalar_int(s, 0);
}

/* ---- departments ---- */

#define DEPARTMENT_COLUMNS \
	"d.id, d.name, d.description, COALESCE(d.email, ''), d.visible, d.sort_order "

static void read_department(db_stmt *s, arena *a, void *row)
{
	struct admin_department_row *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->description = db_col_text_dup(s, 2, a);
	r->email = db_col_text_dup(s, 3, a);
	r->visible = db_col_int(s, 4) != 0;
	r->sort_order = db_col_int(s, 5);
	r->members = 0;
}

/* A department, then its member count in the column after. */
static void read_department_counted(db_stmt *s, arena *a, void *row)
{
	struct admin_department_row *r = row;
	read_department(s, a, r);
	r->members = db_col_int(s, 6);
}

int store_admin_department_list(db *d, arena *a, struct admin_department_row *rows, int max)
{
	static const char sql[] =
		"SELECT " DEPARTMENT_COLUMNS ", "
		"(SELECT count(*) FROM staff_departments sd WHERE sd.department_id = d.id) "
		"FROM departments d ORDER BY d.sort_order, d.id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, max);
	return db_read_rows(s, read_department_counted, a, rows, sizeof *rows, max);
}

int store_admin_department_get(db *d, int64_t id, arena *a, struct admin_department_row *row)
{
	static const char sql[] = "SELECT " DEPARTMENT_COLUMNS "FROM departments d WHERE d.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_department, a, row);
}

int64_t store_admin_department_id_by_email(db *d, const char *email)
{
	static const char sql[] = "SELECT id FROM departments WHERE email_lower = $1";
	return id_by_lower(d, sql, email);
}

static void bind_email(db_stmt *s, int index, const char *email)
{
	char lower[256];
	bool none = !email || !*email;
	lower_ascii(email, lower, sizeof lower);
	db_bind_text(s, index, none ? NULL : email);
	db_bind_text(s, index + 1, none ? NULL : lower);
}

int64_t store_admin_department_insert(db *d, const char *name, const char *description,
                                      const char *email, bool visible, int64_t sort_order,
                                      int64_t now)
{
	static const char sql[] =
		"INSERT INTO departments (name, description, email, email_lower, visible, sort_order, "
		"created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, description);
	bind_email(s, 3, email);
	db_bind_int(s, 5, visible);
	db_bind_int(s, 6, sort_order);
	db_bind_int(s, 7, now);
	return db_step_id(s);
}

int store_admin_department_update(db *d, int64_t id, const char *name, const char *description,
                                  const char *email, bool visible, int64_t sort_order)
{
	static const char sql[] =
		"UPDATE departments SET name = $2, description = $3, email = $4, email_lower = $5, "
		"visible = $6, sort_order = $7 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, description);
	bind_email(s, 4, email);
	db_bind_int(s, 6, visible);
	db_bind_int(s, 7, sort_order);
	return db_step_done(s);
}

int64_t store_admin_department_ticket_count(db *d, int64_t id)
{
	/* Served by tickets_department_id. */
	static const char sql[] = "SELECT count(*) FROM tickets WHERE department_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	return db_scalar_int(s, DB_ERROR);
}

int store_admin_department_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM departments WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int store_admin_department_member_ids(db *d, int64_t department_id, int64_t *ids, int max)
{
	static const char sql[] =
		"SELECT staff_id FROM staff_departments WHERE department_id = $1 ORDER BY staff_id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, department_id);
	db_bind_int(s, 2, max);
	return db_read_ids(s, ids, max);
}

static int link(db *d, int64_t staff_id, int64_t department_id)
{
	static const char sql[] =
		"INSERT INTO staff_departments (staff_id, department_id) VALUES ($1, $2) "
		"ON CONFLICT DO NOTHING";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, department_id);
	return db_step_done(s);
}

int store_admin_department_set_members(db *d, int64_t department_id, const int64_t *ids, int n)
{
	static const char sql[] = "DELETE FROM staff_departments WHERE department_id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, department_id);
	int rc = db_step_done(s);
	for (int i = 0; rc == DB_OK && i < n; i++)
		rc = link(d, ids[i], department_id);
	return rc;
}

int store_admin_department_exists(db *d, int64_t id)
{
	static const char sql[] = "SELECT count(*) FROM departments WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	int64_t n = db_scalar_int(s, DB_ERROR);
	return n < 0 ? (int)n : n > 0;
}

int store_admin_departments_exist(db *d, const int64_t *ids, int n)
{
	for (int i = 0; i < n; i++) {
		int rc = store_admin_department_exists(d, ids[i]);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* ---- staff ---- */

#define STAFF_COLUMNS "s.id, s.name, s.email, s.role, s.signature, s.language, s.active "

static void read_staff(db_stmt *s, arena *a, void *row)
{
	struct admin_staff_row *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->email = db_col_text_dup(s, 2, a);
	r->role = db_col_text_dup(s, 3, a);
	r->signature = db_col_text_dup(s, 4, a);
	r->language = db_col_text_dup(s, 5, a);
	r->active = db_col_int(s, 6) != 0;
	r->departments = 0;
}

/* A staff member, then how many departments in the column after. */
static void read_staff_counted(db_stmt *s, arena *a, void *row)
{
	struct admin_staff_row *r = row;
	read_staff(s, a, r);
	r->departments = db_col_int(s, 7);
}

int store_admin_staff_list(db *d, arena *a, struct admin_staff_row *rows, int max)
{
	static const char sql[] =
		"SELECT " STAFF_COLUMNS ", "
		"(SELECT count(*) FROM staff_departments sd WHERE sd.staff_id = s.id) "
		"FROM staff s ORDER BY s.active DESC, s.name, s.id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, max);
	return db_read_rows(s, read_staff_counted, a, rows, sizeof *rows, max);
}

int store_admin_staff_get(db *d, int64_t id, arena *a, struct admin_staff_row *row)
{
	static const char sql[] = "SELECT " STAFF_COLUMNS "FROM staff s WHERE s.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_staff, a, row);
}

int64_t store_admin_staff_id_by_email(db *d, const char *email)
{
	static const char sql[] = "SELECT id FROM staff WHERE email_lower = $1";
	return id_by_lower(d, sql, email);
}

int store_admin_staff_update(db *d, int64_t id, const char *name, const char *email,
                             const char *role, bool active, const char *signature, int64_t now)
{
	static const char sql[] =
		"UPDATE staff SET name = $2, email = $3, email_lower = $4, role = $5, active = $6, "
		"signature = $7, updated_at = $8 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, email);
	db_bind_text(s, 4, lower);
	db_bind_text(s, 5, role);
	db_bind_int(s, 6, active);
	db_bind_text(s, 7, signature);
	db_bind_int(s, 8, now);
	return db_step_done(s);
}

int store_admin_staff_set_signature(db *d, int64_t id, const char *signature, bool active)
{
	static const char sql[] = "UPDATE staff SET signature = $2, active = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, signature);
	db_bind_int(s, 3, active);
	return db_step_done(s);
}

int store_admin_staff_department_ids(db *d, int64_t staff_id, int64_t *ids, int max)
{
	static const char sql[] =
		"SELECT department_id FROM staff_departments WHERE staff_id = $1 "
		"ORDER BY department_id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, max);
	return db_read_ids(s, ids, max);
}

int store_admin_staff_set_departments(db *d, int64_t staff_id, const int64_t *ids, int n)
{
	static const char sql[] = "DELETE FROM staff_departments WHERE staff_id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	int rc = db_step_done(s);
	for (int i = 0; rc == DB_OK && i < n; i++)
		rc = link(d, staff_id, ids[i]);
	return rc;
}

int store_admin_staff_exist(db *d, const int64_t *ids, int n)
{
	static const char sql[] = "SELECT count(*) FROM staff WHERE id = $1";
	for (int i = 0; i < n; i++) {
		db_stmt *s = db_prepare(d, sql);
		if (!s)
			return DB_ERROR;
		db_bind_int(s, 1, ids[i]);
		int64_t c = db_scalar_int(s, DB_ERROR);
		if (c <= 0)
			return c < 0 ? (int)c : 0;
	}
	return 1;
}

/* ---- clients and services ---- */

#define CLIENT_COLUMNS "id, name, email, company, language, active, created_at "

static void read_client(db_stmt *s, arena *a, void *row)
{
	struct admin_client_row *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->email = db_col_text_dup(s, 2, a);
	r->company = db_col_text_dup(s, 3, a);
	r->language = db_col_text_dup(s, 4, a);
	r->active = db_col_int(s, 5) != 0;
	r->created_at = db_col_int(s, 6);
}

int store_admin_client_search(db *d, const char *needle, arena *a, struct admin_client_row *rows,
                              int max)
{
	/* A substring of the lowercased name or email, whatever the case of the
	 * needle (LIKE ignores ASCII case on SQLite only); LIKE's own
	 * wildcards in the needle are escaped with '\'. */
	static const char sql[] =
		"SELECT " CLIENT_COLUMNS "FROM clients "
		"WHERE $1 = '' OR email_lower LIKE lower($2) ESCAPE '\\' "
		"OR lower(name) LIKE lower($2) ESCAPE '\\' "
		"ORDER BY id DESC LIMIT $3";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	size_t len = strlen(needle);
	char *pattern = arena_alloc(a, len * 2 + 3);
	if (!pattern) {
		db_done(s);
		return DB_NOMEM;
	}
	size_t j = 0;
	pattern[j++] = '%';
	for (size_t i = 0; i < len; i++) {
		if (needle[i] == '%' || needle[i] == '_' || needle[i] == '\\')
			pattern[j++] = '\\';
		pattern[j++] = needle[i];
	}
	pattern[j++] = '%';
	pattern[j] = '\0';
	db_bind_text(s, 1, needle);
	db_bind_text(s, 2, pattern);
	db_bind_int(s, 3, max);
	return db_read_rows(s, read_client, a, rows, sizeof *rows, max);
}

int store_admin_client_get(db *d, int64_t id, arena *a, struct admin_client_row *row)
{
	static const char sql[] = "SELECT " CLIENT_COLUMNS "FROM clients WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_client, a, row);
}

int64_t store_admin_client_id_by_email(db *d, const char *email)
{
	static const char sql[] = "SELECT id FROM clients WHERE email_lower = $1";
	return id_by_lower(d, sql, email);
}

int store_admin_client_update(db *d, int64_t id, const char *name, const char *email,
                              const char *language, bool active, int64_t now)
{
	static const char sql[] =
		"UPDATE clients SET name = $2, email = $3, email_lower = $4, language = $5, active = $6, "
		"updated_at = $7 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	char lower[256];
	lower_ascii(email, lower, sizeof lower);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, email);
	db_bind_text(s, 4, lower);
	db_bind_text(s, 5, language);
	db_bind_int(s, 6, active);
	db_bind_int(s, 7, now);
	return db_step_done(s);
}

/* One statement of an anonymisation, bound to the client's id (and, in
 * those that name them, the old and new addresses, the time). */
static int anonymise_step(db *d, const char *sql, int64_t id, const char *old_lower,
                          const char *email, int64_t now)
{
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	if (old_lower)
		db_bind_text(s, 2, old_lower);
	if (email) {
		db_bind_text(s, 2, email);
		db_bind_int(s, 3, now);
	}
	return db_step_done(s);
}

int store_client_anonymise(db *d, int64_t id, const char *old_email, const char *email,
                           int64_t now)
{
	static const char *const by_id[] = {
		"DELETE FROM two_factor WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM recovery_codes WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM login_challenges WHERE user_kind = 'client' AND user_id = $1",
		"DELETE FROM email_changes WHERE user_kind = 'client' AND user_id = $1",
		"UPDATE services SET label = '-' WHERE client_id = $1",
		"UPDATE messages SET author_name = '-' WHERE author_client_id = $1",
		"UPDATE mail_inbound SET raw = NULL WHERE ticket_id IN "
		"(SELECT id FROM tickets WHERE client_id = $1)",
	};
	char old_lower[256];
	lower_ascii(old_email, old_lower, sizeof old_lower);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof by_id / sizeof *by_id; i++)
		rc = anonymise_step(d, by_id[i], id, NULL, NULL, 0);
	/* The emails still to send them, and the address in those sent. "The
	 * address appears in to_address", written so both databases read it. */
	if (rc == 0)
		rc = anonymise_step(d, "DELETE FROM outbox WHERE status IN ('queued', 'failed') AND "
		                       "length(replace(lower(to_address), $2, '')) < length(to_address) AND $1 > 0",
		                    id, old_lower, NULL, 0);
	if (rc == 0)
		rc = anonymise_step(d, "UPDATE outbox_bodies SET body_text = '-', body_html = NULL, headers = '' "
		                       "WHERE outbox_id IN (SELECT id FROM outbox WHERE "
		                       "length(replace(lower(to_address), $2, '')) < length(to_address) AND $1 > 0)",
		                    id, old_lower, NULL, 0);
	if (rc == 0)
		rc = anonymise_step(d, "UPDATE outbox SET to_address = '-' "
		                       "WHERE length(replace(lower(to_address), $2, '')) < length(to_address) AND $1 > 0",
		                    id, old_lower, NULL, 0);
	if (rc == 0)
		rc = anonymise_step(d, "UPDATE clients SET name = '-', email = $2, email_lower = $2, "
		                       "company = '', password_hash = NULL, active = 0, updated_at = $3 "
		                       "WHERE id = $1",
		                    id, NULL, email, now);
	return rc;
}

static void read_service(db_stmt *s, arena *a, void *row)
{
	struct admin_service_row *r = row;
	r->id = db_col_int(s, 0);
	r->client_id = db_col_int(s, 1);
	r->kind = db_col_text_dup(s, 2, a);
	r->label = db_col_text_dup(s, 3, a);
	r->status = db_col_text_dup(s, 4, a);
}

int store_admin_service_get(db *d, int64_t client_id, int64_t id, arena *a,
                            struct admin_service_row *row)
{
	static const char sql[] =
		"SELECT id, client_id, kind, label, status FROM services WHERE id = $1 AND client_id = $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, client_id);
	return db_read_one(s, read_service, a, row);
}

int store_admin_service_update(db *d, int64_t id, const char *kind, const char *label,
                               const char *status)
{
	static const char sql[] = "UPDATE services SET kind = $2, label = $3, status = $4 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, kind);
	db_bind_text(s, 3, label);
	db_bind_text(s, 4, status);
	return db_step_done(s);
}

int store_admin_service_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM services WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

/* ---- predefined replies ---- */

#define REPLY_COLUMNS \
	"r.id, COALESCE(r.department_id, 0), r.title, r.body, COALESCE(dp.name, '') "
#define REPLY_JOINS "FROM predefined_replies r LEFT JOIN departments dp ON dp.id = r.department_id "

static void read_reply(db_stmt *s, arena *a, void *row)
{
	struct admin_reply_row *r = row;
	r->id = db_col_int(s, 0);
	r->department_id = db_col_int(s, 1);
	r->title = db_col_text_dup(s, 2, a);
	r->body = db_col_text_dup(s, 3, a);
	r->department_name = db_col_text_dup(s, 4, a);
}

int store_admin_reply_list(db *d, arena *a, struct admin_reply_row *rows, int max)
{
	static const char sql[] =
		"SELECT " REPLY_COLUMNS REPLY_JOINS "ORDER BY r.department_id IS NOT NULL, dp.name, "
		"r.sort_order, r.title, r.id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, max);
	return db_read_rows(s, read_reply, a, rows, sizeof *rows, max);
}

int store_admin_reply_get(db *d, int64_t id, arena *a, struct admin_reply_row *row)
{
	static const char sql[] = "SELECT " REPLY_COLUMNS REPLY_JOINS "WHERE r.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_reply, a, row);
}

static void bind_department(db_stmt *s, int index, int64_t department_id)
{
	if (department_id > 0)
		db_bind_int(s, index, department_id);
	else
		db_bind_null(s, index);
}

int64_t store_admin_reply_insert(db *d, int64_t department_id, const char *title, const char *body,
                                 int64_t now)
{
	static const char sql[] =
		"INSERT INTO predefined_replies (department_id, title, body, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $4) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	bind_department(s, 1, department_id);
	db_bind_text(s, 2, title);
	db_bind_text(s, 3, body);
	db_bind_int(s, 4, now);
	return db_step_id(s);
}

int store_admin_reply_update(db *d, int64_t id, int64_t department_id, const char *title,
                             const char *body, int64_t now)
{
	static const char sql[] =
		"UPDATE predefined_replies SET department_id = $2, title = $3, body = $4, updated_at = $5 "
		"WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	bind_department(s, 2, department_id);
	db_bind_text(s, 3, title);
	db_bind_text(s, 4, body);
	db_bind_int(s, 5, now);
	return db_step_done(s);
}

int store_admin_reply_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM predefined_replies WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_step_done(s);
}
