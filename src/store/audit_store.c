#include "store/audit_store.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"

int64_t store_admin_audit_add(db *d, const struct admin_audit_row *r)
{
	static const char sql[] =
		"INSERT INTO admin_audit (created_at, actor_kind, actor_id, actor_name, ip, kind, "
		"subject, changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, r->created_at);
	db_bind_text(s, 2, r->actor_kind);
	if (r->actor_id > 0)
		db_bind_int(s, 3, r->actor_id);
	else
		db_bind_null(s, 3);
	db_bind_text(s, 4, r->actor_name ? r->actor_name : "");
	db_bind_text(s, 5, r->ip ? r->ip : "");
	db_bind_text(s, 6, r->kind);
	db_bind_text(s, 7, r->subject ? r->subject : "");
	db_bind_text(s, 8, r->changes ? r->changes : "");
	return db_step_id(s);
}

int store_admin_audit_list(db *d, const struct admin_audit_filter *f, arena *a, struct admin_audit_row *rows, int max)
{
	/* One statement: each filter is on, or off through its NULL-ish value. */
	static const char sql[] =
		"SELECT id, created_at, actor_kind, COALESCE(actor_id, 0), actor_name, ip, kind, "
		"subject, changes FROM admin_audit "
		"WHERE ($1 = 0 OR actor_id = $1) "
		"AND ($2 = '' OR kind = $2 OR (substr($2, length($2), 1) = '.' AND substr(kind, 1, length($2)) = $2)) "
		"AND ($3 = 0 OR created_at >= $3) AND ($4 = 0 OR created_at < $4) "
		"AND ($5 = 0 OR created_at < $5 OR (created_at = $5 AND id < $6)) "
		"ORDER BY created_at DESC, id DESC LIMIT $7";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, f->actor_id);
	db_bind_text(s, 2, f->kind ? f->kind : "");
	db_bind_int(s, 3, f->from);
	db_bind_int(s, 4, f->until);
	db_bind_int(s, 5, f->before_at);
	db_bind_int(s, 6, f->before_id);
	db_bind_int(s, 7, max);
	int n = 0, rc;
	while ((rc = db_step(s)) == DB_ROW && n < max) {
		struct admin_audit_row *r = &rows[n++];
		r->id = db_col_int(s, 0);
		r->created_at = db_col_int(s, 1);
		r->actor_kind = db_col_text_dup(s, 2, a);
		r->actor_id = db_col_int(s, 3);
		r->actor_name = db_col_text_dup(s, 4, a);
		r->ip = db_col_text_dup(s, 5, a);
		r->kind = db_col_text_dup(s, 6, a);
		r->subject = db_col_text_dup(s, 7, a);
		r->changes = db_col_text_dup(s, 8, a);
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_admin_audit_purge(db *d, int64_t before)
{
	static const char sql[] = "DELETE FROM admin_audit WHERE created_at < $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, before);
	return db_step_done(s);
}

int store_admin_audit_people(db *d, arena *a, struct admin_audit_person *rows, int max)
{
	static const char sql[] = "SELECT id, name FROM staff ORDER BY name, id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, max);
	int n = 0, rc;
	while ((rc = db_step(s)) == DB_ROW && n < max) {
		rows[n].id = db_col_int(s, 0);
		rows[n].name = db_col_text_dup(s, 1, a);
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

/* Appends "name=value\n" with newlines inside the value shown as "⏎". */
static void put_field(buf *out, const char *name, const char *value)
{
	buf_printf(out, "%s=", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\n')
			buf_puts(out, "\xe2\x8f\x8e");
		else if (*p != '\r')
			buf_putc(out, *p);
	}
	buf_putc(out, '\n');
}

/* Runs sql (one bound id) and writes each column of its one row under the
 * names given; a row of several results (lists) is joined with ", ". */
static int snapshot_row(db *d, const char *sql, int64_t id, const char *const *names, int n,
                        buf *out)
{
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	if (id)
		db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		for (int i = 0; i < n; i++)
			put_field(out, names[i], db_col_text(s, i));
	db_done(s);
	return rc < 0 ? rc : 0;
}

static int snapshot_list(db *d, const char *sql, int64_t id, const char *name, buf *out)
{
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	buf joined;
	buf_init(&joined, 64 * 1024);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (joined.len)
			buf_puts(&joined, ", ");
		buf_puts(&joined, db_col_text(s, 0));
	}
	db_done(s);
	put_field(out, name, buf_str(&joined));
	buf_free(&joined);
	return rc < 0 ? rc : 0;
}

int store_admin_audit_snapshot(db *d, const char *entity, int64_t id, buf *out)
{
	if (str_eq(entity, "settings")) {
		db_stmt *s = db_prepare(d, "SELECT key, value FROM settings ORDER BY key");
		if (!s)
			return DB_ERROR;
		int rc;
		/* A secret (mail_ref_secret) never reaches the log, even when a
		 * change happens to create it. */
		while ((rc = db_step(s)) == DB_ROW)
			if (!str_ends_with(db_col_text(s, 0), "_secret"))
				put_field(out, db_col_text(s, 0), db_col_text(s, 1));
		db_done(s);
		return rc < 0 ? rc : 0;
	}
	if (str_eq(entity, "token")) {
		/* Never the token's hash: its name, whom it acts as, and whether
		 * it still works. */
		static const char *const names[] = {"name", "acts_as", "state"};
		return snapshot_row(d, "SELECT t.name, s.email, CASE WHEN t.revoked_at IS NULL THEN 'active' "
		                       "ELSE 'revoked' END FROM api_tokens t JOIN staff s ON s.id = t.staff_id "
		                       "WHERE t.id = $1", id, names, 3, out);
	}
	if (str_eq(entity, "webhook")) {
		/* Never the secret that signs the deliveries. The events are kept
		 * as ",a,b,": shown as "a, b". */
		db_stmt *s = db_prepare(d, "SELECT url, events, active FROM webhooks WHERE id = $1");
		if (!s)
			return DB_ERROR;
		db_bind_int(s, 1, id);
		int rc = db_step(s);
		if (rc == DB_ROW) {
			put_field(out, "url", db_col_text(s, 0));
			buf events;
			buf_init(&events, 1024);
			const char *e = db_col_text(s, 1);
			while (*e) {
				size_t n = strcspn(e, ",");
				if (n) {
					if (events.len)
						buf_puts(&events, ", ");
					buf_append(&events, e, n);
				}
				e += n + (e[n] == ',');
			}
			put_field(out, "events", buf_str(&events));
			buf_free(&events);
			put_field(out, "active", db_col_text(s, 2));
		}
		db_done(s);
		return rc < 0 ? rc : 0;
	}
	if (str_eq(entity, "department")) {
		static const char *const names[] = {"name", "description", "email", "visible", "sort_order"};
		size_t before = out->len;
		int rc = snapshot_row(d, "SELECT name, description, COALESCE(email, ''), visible, sort_order "
		                         "FROM departments WHERE id = $1", id, names, 5, out);
		if (rc == 0 && out->len > before)
			rc = snapshot_list(d, "SELECT s.name FROM staff_departments m JOIN staff s ON s.id = m.staff_id "
			                      "WHERE m.department_id = $1 ORDER BY s.name, s.id", id, "members", out);
		return rc;
	}
	if (str_eq(entity, "staff")) {
		/* The password's hash is not shown, only that it changed. */
		static const char *const names[] = {"email", "name", "role", "active", "signature",
		                                    "password"};
		size_t before = out->len;
		int rc = snapshot_row(d, "SELECT email, name, role, active, signature, password_hash "
		                         "FROM staff WHERE id = $1", id, names, 6, out);
		if (rc == 0 && out->len > before)
			rc = snapshot_list(d, "SELECT dp.name FROM staff_departments m JOIN departments dp "
			                      "ON dp.id = m.department_id WHERE m.staff_id = $1 ORDER BY dp.name, dp.id",
			                      id, "departments", out);
		return rc;
	}
	if (str_eq(entity, "client")) {
		static const char *const names[] = {"email", "name", "language", "active"};
		return snapshot_row(d, "SELECT email, name, language, active FROM clients WHERE id = $1",
		                    id, names, 4, out);
	}
	if (str_eq(entity, "contact")) {
		/* A client's contact (0021): whose it is and its two permissions. */
		static const char *const names[] = {"email", "name", "account", "can_open_and_see_tickets",
		                                    "gets_ticket_emails"};
		return snapshot_row(d, "SELECT c.email, c.name, o.email, c.contact_tickets, c.contact_emails "
		                       "FROM clients c JOIN clients o ON o.id = c.owner_id WHERE c.id = $1",
		                    id, names, 5, out);
	}
	if (str_eq(entity, "service")) {
		static const char *const names[] = {"label", "kind", "status", "client"};
		return snapshot_row(d, "SELECT v.label, v.kind, v.status, c.email FROM services v "
		                       "JOIN clients c ON c.id = v.client_id WHERE v.id = $1", id, names, 4, out);
	}
	if (str_eq(entity, "reply")) {
		static const char *const names[] = {"title", "body", "department"};
		return snapshot_row(d, "SELECT r.title, r.body, COALESCE(dp.name, '') FROM predefined_replies r "
		                       "LEFT JOIN departments dp ON dp.id = r.department_id WHERE r.id = $1",
		                    id, names, 3, out);
	}
	if (str_eq(entity, "field")) {
		static const char *const names[] = {"label", "department", "kind", "options", "required",
		                                    "client_visible", "sort_order"};
		return snapshot_row(d, "SELECT f.label, dp.name, f.kind, f.options, f.required, "
		                       "f.client_visible, f.sort_order FROM custom_fields f "
		                       "JOIN departments dp ON dp.id = f.department_id WHERE f.id = $1",
		                    id, names, 7, out);
	}
	if (str_eq(entity, "escalation")) {
		static const char *const names[] = {
			"name", "enabled", "condition", "minutes", "department", "priority",
			"notify_assignee", "notify_department", "notify_staff", "raise_priority",
			"move_to_department", "assign_to", "note"};
		return snapshot_row(d, "SELECT r.name, r.enabled, r.condition_kind, r.minutes, "
		                       "COALESCE(dp.name, ''), COALESCE(r.priority, ''), r.notify_assignee, "
		                       "r.notify_department, COALESCE(ns.name, ''), COALESCE(r.raise_priority, ''), "
		                       "COALESCE(md.name, ''), COALESCE(st.name, ''), r.note "
		                       "FROM escalation_rules r LEFT JOIN departments dp ON dp.id = r.department_id "
		                       "LEFT JOIN staff ns ON ns.id = r.notify_staff_id "
		                       "LEFT JOIN departments md ON md.id = r.move_department_id "
		                       "LEFT JOIN staff st ON st.id = r.assign_staff_id WHERE r.id = $1",
		                    id, names, 13, out);
	}
	return DB_ERROR;
}
