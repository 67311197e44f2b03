#include "domain/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "domain/session.h"
#include "store/settings_store.h"

int audit_record(db *d, const struct actor *actor, const char *kind, const char *subject,
                 const char *changes, int64_t now)
{
	const struct session *who = actor ? actor->account : NULL;
	struct admin_audit_row row = {
		.created_at = now,
		.actor_kind = who ? account_kind_name(who->kind) : "system",
		.actor_id = who ? who->user_id : 0,
		.actor_name = who ? who->name : "",
		.ip = who ? who->ip : NULL,
		.kind = kind,
		.subject = subject,
		.changes = changes,
	};
	int64_t id = store_admin_audit_add(d, &row);
	return id < 0 ? (int)id : 0;
}

int audit_signin(db *d, int64_t staff_id, const char *name, const char *email, const char *ip,
                 bool success, const char *why, int64_t now)
{
	struct admin_audit_row row = {
		.created_at = now, .actor_kind = "staff", .actor_id = staff_id,
		.actor_name = name && *name ? name : email,
		.ip = ip, .kind = success ? "signin.success" : "signin.failure", .subject = email,
		.changes = why,
	};
	int64_t id = store_admin_audit_add(d, &row);
	return id < 0 ? (int)id : 0;
}

int audit_begin(db *d, struct audit_snapshot *s, const char *entity, int64_t id)
{
	s->entity = entity;
	buf_init(&s->before, 1 << 20);
	return id > 0 || str_eq(entity, "settings") ? store_admin_audit_snapshot(d, entity, id, &s->before) : 0;
}

/* The value of field name in a snapshot, as a pointer into it and a length;
 * NULL when absent. */
static const char *field_value(const char *snap, const char *name, size_t name_len, size_t *len)
{
	for (const char *line = snap; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		if (n > name_len && line[name_len] == '=' && strncmp(line, name, name_len) == 0) {
			*len = n - name_len - 1;
			return line + name_len + 1;
		}
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}

enum { SHOWN_MAX = 200 }; /* bytes of a value shown in the log */

static void put_value(buf *out, const char *v, size_t len)
{
	if (len > SHOWN_MAX) {
		/* Cut on a character boundary. */
		size_t cut = SHOWN_MAX;
		while (cut > 0 && ((unsigned char)v[cut] & 0xc0) == 0x80)
			cut--;
		buf_append(out, v, cut);
		buf_puts(out, "\xe2\x80\xa6");
	} else {
		buf_append(out, v, len);
	}
}

/* Appends the line for field name when its values differ. */
static void diff_field(const char *before, const char *after, const char *name, size_t name_len,
                       buf *out)
{
	size_t bl = 0, al = 0;
	const char *b = field_value(before, name, name_len, &bl);
	const char *a = field_value(after, name, name_len, &al);
	if (b && a && bl == al && memcmp(a, b, al) == 0)
		return;
	buf_append(out, name, name_len);
	/* A password's hash is never shown, only that it changed. */
	if (name_len == 8 && strncmp(name, "password", 8) == 0) {
		buf_puts(out, ": \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 \xe2\x86\x92 \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\n");
		return;
	}
	buf_puts(out, ": ");
	put_value(out, b ? b : "", b ? bl : 0);
	buf_puts(out, " \xe2\x86\x92 ");
	put_value(out, a ? a : "", a ? al : 0);
	buf_putc(out, '\n');
}

void audit_diff(const char *before, const char *after, buf *out)
{
	/* Fields of after in its order, then those only before had. */
	for (int pass = 0; pass < 2; pass++) {
		const char *snap = pass == 0 ? after : before;
		for (const char *line = snap; line && *line;) {
			const char *eol = strchr(line, '\n');
			size_t n = eol ? (size_t)(eol - line) : strlen(line);
			const char *eq = memchr(line, '=', n);
			size_t unused;
			if (eq && (pass == 0 || !field_value(after, line, (size_t)(eq - line), &unused)))
				diff_field(before, after, line, (size_t)(eq - line), out);
			line = eol ? eol + 1 : NULL;
		}
	}
}

/* The first field's value of a snapshot: the name the record shows. */
static char *snapshot_subject(const char *snap)
{
	const char *eq = strchr(snap, '=');
	if (!eq)
		return NULL;
	const char *eol = strchr(eq, '\n');
	size_t len = eol ? (size_t)(eol - eq - 1) : strlen(eq + 1);
	char *out = malloc(len + 1);
	if (out) {
		memcpy(out, eq + 1, len);
		out[len] = '\0';
	}
	return out;
}

int audit_end(db *d, struct audit_snapshot *s, const struct actor *actor, int64_t id, int64_t now)
{
	buf after, changes;
	buf_init(&after, 1 << 20);
	buf_init(&changes, 1 << 20);
	bool settings = str_eq(s->entity, "settings");
	int rc = id > 0 || settings ? store_admin_audit_snapshot(d, s->entity, id, &after) : 0;
	if (rc == 0)
		audit_diff(buf_str(&s->before), buf_str(&after), &changes);
	if (rc == 0 && changes.len) {
		bool created = !settings && s->before.len == 0;
		bool deleted = !settings && after.len == 0;
		char kind[32];
		snprintf(kind, sizeof kind, "%s.%s", s->entity,
		         created ? "create" : deleted ? "delete" : "update");
		char *subject = settings ? NULL : snapshot_subject(deleted ? buf_str(&s->before) : buf_str(&after));
		rc = audit_record(d, actor, kind, subject ? subject : "", buf_str(&changes), now);
		free(subject);
	}
	buf_free(&after);
	buf_free(&changes);
	buf_free(&s->before);
	return rc;
}

static bool is_admin(const struct actor *actor)
{
	return actor_is_staff(actor) && actor->account->admin;
}

int audit_list(db *d, const struct admin_audit_filter *f, arena *a, struct admin_audit_row *rows, int max)
{
	return store_admin_audit_list(d, f, a, rows, max);
}

int audit_people(db *d, arena *a, struct admin_audit_person *rows, int max)
{
	return store_admin_audit_people(d, a, rows, max);
}

int audit_keep_days(db *d)
{
	char value[16];
	store_setting_get(d, "audit_keep_days", "365", value, sizeof value);
	int64_t days;
	return str_to_int64(value, 1, AUDIT_KEEP_DAYS_MAX, &days) ? (int)days : AUDIT_KEEP_DAYS_DEFAULT;
}

int audit_keep_days_save(db *d, const struct actor *actor, int days, int64_t now)
{
	if (!is_admin(actor))
		return DB_ERROR;
	if (days < 1 || days > AUDIT_KEEP_DAYS_MAX)
		return 1;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	char value[16];
	snprintf(value, sizeof value, "%d", days);
	rc = audit_begin(d, &snap, "settings", 0);
	if (rc == 0)
		rc = store_setting_set(d, "audit_keep_days", value);
	if (rc == 0)
		rc = audit_end(d, &snap, actor, 0, now);
	else
		buf_free(&snap.before);
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0)
		db_rollback(d);
	return rc;
}

int audit_purge(db *d, int64_t now)
{
	return store_admin_audit_purge(d, now - (int64_t)audit_keep_days(d) * 86400);
}
