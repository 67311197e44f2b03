#include "store/ticket_store.h"

#include <stdio.h>
#include <string.h>

#include "store/sla_store.h"

static void bind_optional_id(db_stmt *s, int index, int64_t id)
{
	if (id > 0)
		db_bind_int(s, index, id);
	else
		db_bind_null(s, index);
}

int64_t store_ticket_insert(db *d, int64_t number, int64_t client_id, int64_t department_id,
                            int64_t service_id, const char *subject, const char *priority,
                            const char *submission_key, const struct sla_state *sla, int64_t now)
{
	static const char sql[] =
		"INSERT INTO tickets (number, client_id, department_id, service_id, subject, priority, "
		"status, created_at, updated_at, last_reply_at, last_replier, submission_key, "
		SLA_STATE_COLUMNS_SQL ") "
		"VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $7, 'client', $8, "
		"$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id";
	/* A ticket without a clock yet: every column NULL, no time used. */
	static const struct sla_state no_clock = {
	    .calendar_id = -1, .first_target = -1, .resolve_target = -1, .elapsed = 0,
	    .running_since = -1, .first_seconds = -1, .resolve_seconds = -1, .first_due = -1,
	    .resolve_due = -1, .due = -1, .warn_at = -1, .counted_department_id = -1};
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	db_bind_int(s, 1, number);
	db_bind_int(s, 2, client_id);
	db_bind_int(s, 3, department_id);
	bind_optional_id(s, 4, service_id);
	db_bind_text(s, 5, subject);
	db_bind_text(s, 6, priority);
	db_bind_int(s, 7, now);
	db_bind_text(s, 8, submission_key && *submission_key ? submission_key : NULL);
	store_sla_state_bind(s, 9, sla ? sla : &no_clock);
	return db_step_id(s);
}

int store_ticket_set_number_label(db *d, int64_t id, const char *label)
{
	static const char sql[] = "UPDATE tickets SET number_label = $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, label);
	return db_step_done(s);
}

int64_t store_ticket_counter_next(db *d, const char *scope)
{
	/* One statement: the row's lock orders concurrent openings. */
	static const char sql[] =
		"INSERT INTO ticket_number_counters (scope, last_value) VALUES ($1, 1) "
		"ON CONFLICT (scope) DO UPDATE SET last_value = ticket_number_counters.last_value + 1 "
		"RETURNING last_value";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, scope);
	return db_step_id(s);
}

int64_t store_ticket_number_by_submission(db *d, int64_t client_id, const char *key)
{
	static const char sql[] =
		"SELECT number FROM tickets WHERE client_id = $1 AND submission_key = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, client_id);
	db_bind_text(s, 2, key);
	return db_scalar_int(s, 0);
}

void store_ticket_read(db_stmt *s, arena *a, void *row)
{
	struct ticket_row *r = row;
	r->id = db_col_int(s, 0);
	r->number = db_col_int(s, 1);
	r->client_id = db_col_int(s, 2);
	r->department_id = db_col_int(s, 3);
	r->service_id = db_col_int(s, 4);
	r->assignee_id = db_col_int(s, 5);
	r->subject = db_col_text_dup(s, 6, a);
	r->priority = db_col_text_dup(s, 7, a);
	r->status = db_col_text_dup(s, 8, a);
	r->last_replier = db_col_text_dup(s, 9, a);
	r->created_at = db_col_int(s, 10);
	r->updated_at = db_col_int(s, 11);
	r->last_reply_at = db_col_int(s, 12);
	r->department_name = db_col_text_dup(s, 13, a);
	r->service_label = db_col_text_dup(s, 14, a);
	r->service_kind = db_col_text_dup(s, 15, a);
	r->client_name = db_col_text_dup(s, 16, a);
	r->client_email = db_col_text_dup(s, 17, a);
	r->client_language = db_col_text_dup(s, 18, a);
	r->number_label = db_col_text_dup(s, 19, a);
	r->merged_into = db_col_int(s, 20);
}

static db_stmt *ticket_by_number_stmt(db *d, int64_t number)
{
	static const char sql[] = "SELECT " STORE_TICKET_COLUMNS STORE_TICKET_JOINS "WHERE t.number = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, number);
	return s;
}

int store_ticket_get_by_number(db *d, int64_t number, arena *a, struct ticket_row *row)
{
	return db_read_one(ticket_by_number_stmt(d, number), store_ticket_read, a, row);
}

void store_ticket_get_by_number_prefetch(db *d, int64_t number)
{
	db_prefetch(ticket_by_number_stmt(d, number));
}

static db_stmt *ticket_by_id_stmt(db *d, int64_t id)
{
	static const char sql[] = "SELECT " STORE_TICKET_COLUMNS STORE_TICKET_JOINS "WHERE t.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return s;
}

int store_ticket_id_get(db *d, int64_t id, arena *a, struct ticket_row *row)
{
	return db_read_one(ticket_by_id_stmt(d, id), store_ticket_read, a, row);
}

void store_ticket_id_get_prefetch(db *d, int64_t id)
{
	db_prefetch(ticket_by_id_stmt(d, id));
}

int store_ticket_list_by_client(db *d, int64_t client_id, enum ticket_filter filter,
                                int64_t after_updated, int64_t after_id, int limit, arena *a,
                                struct ticket_row *rows)
{
	/* Keyset pagination on (updated_at, id), newest first: never OFFSET. */
	static const char sql[] =
		"SELECT " STORE_TICKET_COLUMNS STORE_TICKET_JOINS
		"WHERE t.client_id = $1 "
		"AND ($2 = 0 OR ($2 = 1 AND t.status <> 'closed') OR ($2 = 2 AND t.status = 'closed')) "
		"AND ($4 = 0 OR t.updated_at < $3 OR (t.updated_at = $3 AND t.id < $4)) "
		"ORDER BY t.updated_at DESC, t.id DESC LIMIT $5";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, filter);
	db_bind_int(s, 3, after_updated);
	db_bind_int(s, 4, after_id);
	db_bind_int(s, 5, limit);
	return db_read_rows(s, store_ticket_read, a, rows, sizeof *rows, limit);
}

static db_stmt *count_open_stmt(db *d, int64_t client_id, int64_t cap)
{
	/* Counting stops at cap: a client with thousands of open tickets (a
	 * monitor opening them through the API) would pay for every one of them
	 * on every page. */
	static const char sql[] =
		"SELECT count(*) FROM (SELECT 1 FROM tickets WHERE client_id = $1 "
		"AND status <> 'closed' LIMIT $2) AS open_tickets";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, cap);
	return s;
}

int64_t store_ticket_count_open_by_client(db *d, int64_t client_id, int64_t cap)
{
	db_stmt *s = count_open_stmt(d, client_id, cap);
	if (!s)
		return DB_ERROR;
	return db_scalar_int(s, 0);
}

void store_ticket_count_open_by_client_prefetch(db *d, int64_t client_id, int64_t cap)
{
	db_prefetch(count_open_stmt(d, client_id, cap));
}

int store_ticket_touch(db *d, int64_t id, const char *status, const char *last_replier, int64_t now,
                       const struct sla_state *sla)
{
	static const char sql[] =
		"UPDATE tickets SET status = $2, last_replier = $3, updated_at = $4, last_reply_at = $4 "
		"WHERE id = $1";
	static const char with_sla_sql[] =
		"UPDATE tickets SET status = $2, last_replier = $3, updated_at = $4, last_reply_at = $4, "
		"(" SLA_STATE_COLUMNS_SQL ") = "
		"($5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) WHERE id = $1";
	db_stmt *s = db_prepare(d, sla ? with_sla_sql : sql);
	db_deferrable(s);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, status);
	db_bind_text(s, 3, last_replier);
	db_bind_int(s, 4, now);
	if (sla)
		store_sla_state_bind(s, 5, sla);
	return db_step_done(s);
}

int store_ticket_set_status(db *d, int64_t id, const char *status, int64_t now)
{
	static const char sql[] = "UPDATE tickets SET status = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, status);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int64_t store_message_insert(db *d, int64_t ticket_id, const char *author_kind,
                             int64_t author_client_id, int64_t author_staff_id,
                             const char *author_name, const char *body, const char *channel,
                             int internal, const char *submission_key, int64_t now)
{
	static const char sql[] =
		"INSERT INTO messages (ticket_id, author_kind, author_client_id, author_staff_id, "
		"author_name, body, channel, internal, submission_key, created_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, author_kind);
	bind_optional_id(s, 3, author_client_id);
	bind_optional_id(s, 4, author_staff_id);
	db_bind_text(s, 5, author_name);
	db_bind_text(s, 6, body);
	db_bind_text(s, 7, channel);
	db_bind_int(s, 8, internal);
	db_bind_text(s, 9, submission_key && *submission_key ? submission_key : NULL);
	db_bind_int(s, 10, now);
	return db_step_id(s);
}

int64_t store_message_id_by_submission(db *d, int64_t ticket_id, const char *key)
{
	static const char sql[] =
		"SELECT id FROM messages WHERE ticket_id = $1 AND submission_key = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, key);
	return db_scalar_int(s, 0);
}

static void read_message(db_stmt *s, arena *a, void *row)
{
	struct message_row *r = row;
	r->id = db_col_int(s, 0);
	r->ticket_id = db_col_int(s, 1);
	r->author_client_id = db_col_int(s, 2);
	r->author_staff_id = db_col_int(s, 3);
	r->author_kind = db_col_text_dup(s, 4, a);
	r->author_name = db_col_text_dup(s, 5, a);
	r->body = db_col_text_dup(s, 6, a);
	r->channel = db_col_text_dup(s, 7, a);
	r->internal = (int)db_col_int(s, 8);
	r->created_at = db_col_int(s, 9);
}

static db_stmt *message_list_stmt(db *d, int64_t ticket_id, int with_internal, int max)
{
	static const char sql[] =
		"SELECT id, ticket_id, COALESCE(author_client_id, 0), COALESCE(author_staff_id, 0), "
		"author_kind, author_name, body, channel, internal, created_at FROM messages "
		"WHERE ticket_id = $1 AND ($2 = 1 OR internal = 0) ORDER BY created_at, id LIMIT $3";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, with_internal ? 1 : 0);
	db_bind_int(s, 3, max);
	return s;
}

int store_message_list(db *d, int64_t ticket_id, int with_internal, arena *a,
                       struct message_row *rows, int max)
{
	db_stmt *s = message_list_stmt(d, ticket_id, with_internal, max);
	return db_read_rows(s, read_message, a, rows, sizeof *rows, max);
}

void store_message_list_prefetch(db *d, int64_t ticket_id, int with_internal, int max)
{
	db_prefetch(message_list_stmt(d, ticket_id, with_internal, max));
}

int64_t store_attachment_insert(db *d, int64_t message_id, const char *name,
                                const char *content_type, int64_t size, const char *sha256,
                                const void *data, size_t len, int64_t now)
{
	static const char sql[] =
		"INSERT INTO attachments (message_id, name, content_type, size, sha256, created_at, data) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, message_id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, content_type);
	db_bind_int(s, 4, size);
	db_bind_text(s, 5, sha256);
	db_bind_int(s, 6, now);
	db_bind_blob(s, 7, data, len);
	return db_step_id(s);
}

#define ATTACHMENT_COLUMNS \
	"a.id, a.message_id, m.ticket_id, a.name, a.content_type, a.size, a.sha256, m.internal "
#define ATTACHMENT_JOINS "FROM attachments a JOIN messages m ON m.id = a.message_id "

static void read_attachment(db_stmt *s, arena *a, void *row)
{
	struct attachment_row *r = row;
	memset(r, 0, sizeof *r);
	r->id = db_col_int(s, 0);
	r->message_id = db_col_int(s, 1);
	r->ticket_id = db_col_int(s, 2);
	r->name = db_col_text_dup(s, 3, a);
	r->content_type = db_col_text_dup(s, 4, a);
	r->size = db_col_int(s, 5);
	r->sha256 = db_col_text_dup(s, 6, a);
	r->internal = (int)db_col_int(s, 7);
}

/* In the order of the message index and then the attachment index, so
 * that SQLite walks them without sorting (a LIMIT's sort costs a temporary
 * b-tree: db_read_rows in db.h). */
static db_stmt *attachment_list_stmt(db *d, int64_t ticket_id, int max)
{
	static const char sql[] = "SELECT " ATTACHMENT_COLUMNS ATTACHMENT_JOINS
				  "WHERE m.ticket_id = $1 ORDER BY m.created_at, m.id, a.id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, max);
	return s;
}

int store_attachment_list_by_ticket(db *d, int64_t ticket_id, arena *a, struct attachment_row *rows,
                                    int max)
{
	db_stmt *s = attachment_list_stmt(d, ticket_id, max);
	return db_read_rows(s, read_attachment, a, rows, sizeof *rows, max);
}

void store_attachment_list_by_ticket_prefetch(db *d, int64_t ticket_id, int max)
{
	db_prefetch(attachment_list_stmt(d, ticket_id, max));
}

int store_attachment_get(db *d, int64_t id, arena *a, struct attachment_row *row)
{
	static const char sql[] = "SELECT " ATTACHMENT_COLUMNS ", a.data " ATTACHMENT_JOINS
				  "WHERE a.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		read_attachment(s, a, row);
		size_t len = 0;
		const void *data = db_col_blob(s, 8, &len);
		unsigned char *copy = arena_alloc(a, len ? len : 1);
		if (copy && len)
			memcpy(copy, data, len);
		row->data = copy;
		row->size = (int64_t)len;
		if (!copy)
			rc = DB_NOMEM;
	}
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

static void read_service(db_stmt *s, arena *a, void *row)
{
	struct service_row *r = row;
	r->id = db_col_int(s, 0);
	r->kind = db_col_text_dup(s, 1, a);
	r->label = db_col_text_dup(s, 2, a);
	r->status = db_col_text_dup(s, 3, a);
}

int store_service_list_by_client(db *d, int64_t client_id, arena *a, struct service_row *rows,
                                 int max)
{
	static const char sql[] =
		"SELECT id, kind, label, status FROM services WHERE client_id = $1 ORDER BY id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, max);
	return db_read_rows(s, read_service, a, rows, sizeof *rows, max);
}

int store_service_status(db *d, int64_t service_id, int64_t client_id, char *status, size_t n)
{
	static const char sql[] = "SELECT status FROM services WHERE id = $1 AND client_id = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, service_id);
	db_bind_int(s, 2, client_id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		snprintf(status, n, "%s", db_col_text(s, 0));
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int store_department_visible_name(db *d, int64_t id, arena *a, const char **name)
{
	static const char sql[] = "SELECT name FROM departments WHERE id = $1 AND visible = 1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*name = db_col_text_dup(s, 0, a);
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

static void read_staff_contact(db_stmt *s, arena *a, void *row)
{
	struct staff_contact *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->email = db_col_text_dup(s, 2, a);
	r->language = db_col_text_dup(s, 3, a);
}

int store_department_staff(db *d, int64_t department_id, arena *a, struct staff_contact *rows,
                           int max)
{
	/* In sd.staff_id's order (the same as s.id's): the department's index
	 * holds it, where s.id's order cost a temporary b-tree each opening. */
	static const char sql[] =
		"SELECT s.id, s.name, s.email, s.language FROM staff s "
		"JOIN staff_departments sd ON sd.staff_id = s.id "
		"WHERE sd.department_id = $1 AND s.active = 1 ORDER BY sd.staff_id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, department_id);
	db_bind_int(s, 2, max);
	return db_read_rows(s, read_staff_contact, a, rows, sizeof *rows, max);
}
