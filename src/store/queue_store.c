#include "store/queue_store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Only what a queue row shows (and its page's cursor): the client's email
 * and language, the service and the other ticket columns cost a fifth of
 * the query at 26 rows a page, for nothing shown. */
#define QUEUE_COLUMNS \
	"t.id, t.number, COALESCE(t.number_label, ''), t.subject, t.priority, t.status, " \
	"t.updated_at, t.last_reply_at, dp.name, c.name, " \
	"CASE t.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, COALESCE(st.name, ''), " \
	"COALESCE(t.sla_due, -1), COALESCE(t.sla_warn_at, -1), COALESCE(t.sla_calendar_id, 0) "
#define QUEUE_FROM \
	"FROM tickets t JOIN departments dp ON dp.id = t.department_id " \
	"JOIN clients c ON c.id = t.client_id LEFT JOIN staff st ON st.id = t.assignee_id "
#define QUEUE_WHERE_ALLOWED \
	"WHERE ($2 = 1 OR t.department_id IN " \
	"(SELECT department_id FROM staff_departments WHERE staff_id = $1)) "
#define QUEUE_WHERE QUEUE_WHERE_ALLOWED \
	"AND ($3 = 0 OR t.department_id = $3) " \
	"AND ($4 & (CASE t.status WHEN 'open' THEN 1 WHEN 'answered' THEN 2 " \
	"WHEN 'customer-reply' THEN 4 WHEN 'on-hold' THEN 8 WHEN 'in-progress' THEN 16 " \
	"ELSE 32 END)) <> 0 " \
	"AND ($5 = '' OR t.priority = $5) " \
	"AND ($6 = 0 OR ($6 = 1 AND t.assignee_id = $1) OR ($6 = 2 AND t.assignee_id IS NULL)) " \
	"AND ($14 = '' OR EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = $14)) " \
	"AND ($15 = 0 OR EXISTS (SELECT 1 FROM ticket_field_values fv WHERE fv.ticket_id = t.id " \
	"AND fv.field_id = $15 AND fv.value = $16)) "

/* The search ($7 the match expression, $8 a ticket number): none, or the
 * index of migration 0020 in each backend's words. */
enum { SEARCH_NONE, SEARCH_SQLITE, SEARCH_PGSQL, SEARCH_SQLITE_DENSE };
#define QUEUE_SEARCH_NONE "AND $7 = '' AND $8 = 0 "
#define QUEUE_SEARCH_SQLITE \
	"AND (t.number = $8 OR t.id IN " \
	"(SELECT rowid FROM ticket_search WHERE ticket_search MATCH $7)) "
#define QUEUE_SEARCH_PGSQL \
	"AND (t.number = $8 OR t.id IN (SELECT ticket_id FROM ticket_search " \
	"WHERE to_tsvector('simple', doc) @@ to_tsquery('simple', $7))) "
/* For a word most tickets hold: "+" keeps SQLite from reading every match
 * and sorting them; it walks the queue's own order and stops at a page. */
#define QUEUE_SEARCH_SQLITE_DENSE \
	"AND (t.number = $8 OR +t.id IN " \
	"(SELECT rowid FROM ticket_search WHERE ticket_search MATCH $7)) "
#define QUEUE_SEARCH_VARIANTS(sql) \
	{sql(QUEUE_SEARCH_NONE), sql(QUEUE_SEARCH_SQLITE), sql(QUEUE_SEARCH_PGSQL), \
	 sql(QUEUE_SEARCH_SQLITE_DENSE)}
/* Matches past which a search is "dense" (see above): reading this many
 * ticket rows by id costs about what walking the queue does. */
enum { SEARCH_DENSE_MATCHES = 2000 };

/* Whether the match expression finds at least SEARCH_DENSE_MATCHES
 * tickets (SQLite; counting stops there). */
static bool search_is_dense(db *d, const char *match)
{
	static const char sql[] =
		"SELECT count(*) FROM (SELECT 1 FROM ticket_search WHERE ticket_search MATCH $1 LIMIT $2)";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, match);
	db_bind_int(s, 2, SEARCH_DENSE_MATCHES);
	return db_scalar_int(s, 0) >= SEARCH_DENSE_MATCHES;
}

static void read_queue_row(db_stmt *s, arena *a, void *row)
{
	struct queue_row *r = row;
	*r = (struct queue_row){.t = {.last_replier = "", .service_label = "", .service_kind = "",
	                              .client_email = "", .client_language = ""}};
	r->t.id = db_col_int(s, 0);
	r->t.number = db_col_int(s, 1);
	r->t.number_label = db_col_text_dup(s, 2, a);
	r->t.subject = db_col_text_dup(s, 3, a);
	r->t.priority = db_col_text_dup(s, 4, a);
	r->t.status = db_col_text_dup(s, 5, a);
	r->t.updated_at = db_col_int(s, 6);
	r->t.last_reply_at = db_col_int(s, 7);
	r->t.department_name = db_col_text_dup(s, 8, a);
	r->t.client_name = db_col_text_dup(s, 9, a);
	r->rank = (int)db_col_int(s, 10);
	r->assignee_name = db_col_text_dup(s, 11, a);
	r->sla_due = db_col_int(s, 12);
	r->sla_warn_at = db_col_int(s, 13);
	r->sla_calendar_id = db_col_int(s, 14);
}

/* The queue by SLA due time, nearest first, over the due-time index; with
 * the breached ($12 = 1) or near ($12 = 2) filter at $13. */
#define BY_DUE(search) \
	"SELECT " QUEUE_COLUMNS QUEUE_FROM QUEUE_WHERE search \
	"AND t.sla_due IS NOT NULL " \
	"AND ($12 = 0 OR ($12 = 1 AND t.sla_due <= $13) " \
	"OR ($12 = 2 AND t.sla_due > $13 AND t.sla_warn_at <= $13)) " \
	"AND ($10 = 0 OR t.sla_due > $9 OR (t.sla_due = $9 AND t.id > $10)) " \
	"ORDER BY t.sla_due, t.id LIMIT $11"

/* The keyset of the pages by update time. */
#define UPDATE_AFTER "AND ($10 = 0 OR t.updated_at < $9 OR (t.updated_at = $9 AND t.id < $10)) "
#define BY_UPDATE(search) \
	"SELECT " QUEUE_COLUMNS QUEUE_FROM QUEUE_WHERE search UPDATE_AFTER \
	"ORDER BY t.updated_at DESC, t.id DESC LIMIT $11"
#define PRIORITY_RANK "(CASE t.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)"
#define BY_PRIORITY(search) \
	"SELECT " QUEUE_COLUMNS QUEUE_FROM QUEUE_WHERE search \
	"AND ($10 = 0 OR " PRIORITY_RANK " > $12 " \
	"OR (" PRIORITY_RANK " = $12 " \
	"AND (t.updated_at < $9 OR (t.updated_at = $9 AND t.id < $10)))) " \
	"ORDER BY " PRIORITY_RANK ", t.updated_at DESC, t.id DESC LIMIT $11"

/* One department, by update time: the filter staff use most (open and
 * customer-reply). Its (department_id, updated_at, id, status) index walks
 * just that department, checking the status in the index (migrations 0028
 * and 0030; at a million tickets 49 against 70 us for the general walk). */
#define BY_UPDATE_DEPARTMENT BY_UPDATE("AND t.department_id = $3 " QUEUE_SEARCH_NONE)
/* The same for the tickets that wait for the staff (open and
 * customer-reply): the literal list lets the planner take the partial index
 * of migration 0033, which holds just those tickets (at a million tickets
 * 25 index entries for a page instead of about 160). */
#define BY_UPDATE_WAITING \
	BY_UPDATE("AND t.department_id = $3 AND t.status IN ('open', 'customer-reply') " \
	          QUEUE_SEARCH_NONE)
/* And that view with none of the other filters, the staff's everyday one:
 * their tests, made for each row walked, cost 8% of the query. Their
 * parameters are tested once instead (constants), so that a query given
 * this variant with a filter set finds nothing rather than ignoring it. */
#define BY_UPDATE_WAITING_UNFILTERED \
	"SELECT " QUEUE_COLUMNS QUEUE_FROM QUEUE_WHERE_ALLOWED \
	"AND t.department_id = $3 AND t.status IN ('open', 'customer-reply') " \
	"AND $4 <> 0 AND $5 = '' AND $6 = 0 AND $12 = 0 AND $13 = 0 " \
	"AND $14 = '' AND $15 = 0 AND $16 = '' " QUEUE_SEARCH_NONE UPDATE_AFTER \
	"ORDER BY t.updated_at DESC, t.id DESC LIMIT $11"

int store_queue_list(db *d, const struct queue_query *q, arena *a, struct queue_row *rows)
{
	/* Keyset pagination in each order; never OFFSET. */
	static const char *const by_update[] = QUEUE_SEARCH_VARIANTS(BY_UPDATE);
	static const char *const by_priority[] = QUEUE_SEARCH_VARIANTS(BY_PRIORITY);
	static const char *const by_due_sql[] = QUEUE_SEARCH_VARIANTS(BY_DUE);
	bool by_due = q->by_due || q->sla;
	int search = !q->text || !*q->text ? SEARCH_NONE
	             : db_is_postgres(d) ? SEARCH_PGSQL
	             : search_is_dense(d, q->text) ? SEARCH_SQLITE_DENSE : SEARCH_SQLITE;
	bool by_department = !by_due && !q->by_priority && search == SEARCH_NONE && q->department_id > 0;
	bool waiting = q->status_mask == (STATUS_BIT_OPEN | STATUS_BIT_CUSTOMER_REPLY);
	bool unfiltered = (!q->priority || !*q->priority) && q->assignee == 0 &&
	                  (!q->tag || !*q->tag) && q->field_id == 0 &&
	                  (!q->field_value || !*q->field_value);
	db_stmt *s = db_prepare(d, by_department && waiting && unfiltered ? BY_UPDATE_WAITING_UNFILTERED
	                           : by_department && waiting ? BY_UPDATE_WAITING
	                           : by_department           ? BY_UPDATE_DEPARTMENT
	                           : by_due                  ? by_due_sql[search]
	                           : q->by_priority          ? by_priority[search]
	                                                     : by_update[search]);
	db_bind_int(s, 1, q->staff_id);
	db_bind_int(s, 2, q->all_departments ? 1 : 0);
	db_bind_int(s, 3, q->department_id);
	db_bind_int(s, 4, q->status_mask);
	db_bind_text(s, 5, q->priority ? q->priority : "");
	db_bind_int(s, 6, q->assignee);
	db_bind_text(s, 7, q->text ? q->text : "");
	db_bind_int(s, 8, q->number);
	db_bind_int(s, 9, q->after_updated);
	db_bind_int(s, 10, q->after_id);
	db_bind_int(s, 11, q->limit);
	/* $12 and $13 are bound in every order (unused ones as 0), so that
	 * the filters' $14.. have typed neighbours on PostgreSQL. */
	db_bind_int(s, 12, by_due ? q->sla : q->by_priority ? q->after_rank : 0);
	db_bind_int(s, 13, by_due ? q->now : 0);
	db_bind_text(s, 14, q->tag ? q->tag : "");
	db_bind_int(s, 15, q->field_id);
	db_bind_text(s, 16, q->field_value ? q->field_value : "");
	return db_read_rows(s, read_queue_row, a, rows, sizeof *rows, q->limit);
}

static void read_queue_count(db_stmt *s, arena *a, void *row)
{
	struct queue_count *r = row;
	r->department_id = db_col_int(s, 0);
	r->department_name = db_col_text_dup(s, 1, a);
	r->status = db_col_text_dup(s, 2, a);
	r->count = db_col_int(s, 3);
	r->department_order = db_col_int(s, 4);
}

static int queue_count_order(const void *a, const void *b)
{
	const struct queue_count *x = a, *y = b;
	if (x->department_order != y->department_order)
		return x->department_order < y->department_order ? -1 : 1;
	if (x->department_id != y->department_id)
		return x->department_id < y->department_id ? -1 : 1;
	return strcmp(x->status, y->status);
}

static db_stmt *queue_counts_stmt(db *d, int64_t staff_id, int all_departments, int max)
{
	/* ticket_counts is kept by triggers: a few rows, whatever the size.
	 * They are sorted here: with SQLite's sorter the query cost 99k
	 * instructions for 18 rows, without it 48k. */
	static const char sql[] =
		"SELECT k.department_id, dp.name, k.status, k.n, dp.sort_order FROM ticket_counts k "
		"JOIN departments dp ON dp.id = k.department_id "
		"WHERE k.status <> 'closed' AND k.n > 0 AND ($2 = 1 OR k.department_id IN "
		"(SELECT department_id FROM staff_departments WHERE staff_id = $1)) LIMIT $3";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, all_departments ? 1 : 0);
	db_bind_int(s, 3, max);
	return s;
}

int store_queue_counts(db *d, int64_t staff_id, int all_departments, arena *a,
                       struct queue_count *rows, int max)
{
	db_stmt *s = queue_counts_stmt(d, staff_id, all_departments, max);
	int n = db_read_rows(s, read_queue_count, a, rows, sizeof *rows, max);
	if (n > 1)
		qsort(rows, (size_t)n, sizeof *rows, queue_count_order);
	return n;
}

void store_queue_counts_prefetch(db *d, int64_t staff_id, int all_departments, int max)
{
	db_prefetch(queue_counts_stmt(d, staff_id, all_departments, max));
}

int store_staff_in_department(db *d, int64_t staff_id, int64_t department_id)
{
	static const char sql[] =
		"SELECT count(*) FROM staff_departments WHERE staff_id = $1 AND department_id = $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, department_id);
	int64_t n = db_scalar_int(s, -1);
	return n < 0 ? DB_ERROR : n > 0;
}

static void read_named(db_stmt *s, arena *a, void *row)
{
	struct named_row *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
}

static db_stmt *departments_for_staff_stmt(db *d, int64_t staff_id, int all_departments, int max)
{
	static const char sql[] =
		"SELECT id, name FROM departments WHERE $2 = 1 OR id IN "
		"(SELECT department_id FROM staff_departments WHERE staff_id = $1) "
		"ORDER BY sort_order, id LIMIT $3";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, all_departments ? 1 : 0);
	db_bind_int(s, 3, max);
	return s;
}

int store_departments_for_staff(db *d, int64_t staff_id, int all_departments, arena *a,
                                struct named_row *rows, int max)
{
	db_stmt *s = departments_for_staff_stmt(d, staff_id, all_departments, max);
	return db_read_rows(s, read_named, a, rows, sizeof *rows, max);
}

void store_departments_for_staff_prefetch(db *d, int64_t staff_id, int all_departments, int max)
{
	db_prefetch(departments_for_staff_stmt(d, staff_id, all_departments, max));
}

static db_stmt *departments_all_stmt(db *d, int max)
{
	static const char sql[] = "SELECT id, name FROM departments ORDER BY sort_order, id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, max);
	return s;
}

int store_departments_all(db *d, arena *a, struct named_row *rows, int max)
{
	db_stmt *s = departments_all_stmt(d, max);
	return db_read_rows(s, read_named, a, rows, sizeof *rows, max);
}

void store_departments_all_prefetch(db *d, int max)
{
	db_prefetch(departments_all_stmt(d, max));
}

static db_stmt *staff_active_stmt(db *d, int max)
{
	static const char sql[] = "SELECT id, name FROM staff WHERE active = 1 ORDER BY name, id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, max);
	return s;
}

int store_staff_active(db *d, arena *a, struct named_row *rows, int max)
{
	db_stmt *s = staff_active_stmt(d, max);
	return db_read_rows(s, read_named, a, rows, sizeof *rows, max);
}

void store_staff_active_prefetch(db *d, int max)
{
	db_prefetch(staff_active_stmt(d, max));
}

int store_staff_active_name(db *d, int64_t id, arena *a, const char **name)
{
	static const char sql[] = "SELECT name FROM staff WHERE id = $1 AND active = 1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*name = db_col_text_dup(s, 0, a);
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

const char *store_department_name(db *d, int64_t id, arena *a)
{
	static const char sql[] = "SELECT name FROM departments WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return NULL;
	db_bind_int(s, 1, id);
	const char *name = NULL;
	if (db_step(s) == DB_ROW)
		name = db_col_text_dup(s, 0, a);
	db_done(s);
	return name;
}

int store_ticket_set_priority(db *d, int64_t id, const char *priority, int64_t now)
{
	static const char sql[] = "UPDATE tickets SET priority = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, priority);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_ticket_set_department(db *d, int64_t id, int64_t department_id, int64_t now)
{
	static const char sql[] = "UPDATE tickets SET department_id = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, department_id);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_ticket_set_assignee(db *d, int64_t id, int64_t staff_id, int64_t now)
{
	static const char sql[] = "UPDATE tickets SET assignee_id = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	if (staff_id > 0)
		db_bind_int(s, 2, staff_id);
	else
		db_bind_null(s, 2);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_ticket_merge(db *d, int64_t from_id, int64_t into_id, int64_t now)
{
	static const char move[] = "UPDATE messages SET ticket_id = $2 WHERE ticket_id = $1";
	static const char close[] =
		"UPDATE tickets SET status = 'closed', merged_into = $2, updated_at = $3 WHERE id = $1";
	static const char touch[] = "UPDATE tickets SET updated_at = $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, move);
	db_bind_int(s, 1, from_id);
	db_bind_int(s, 2, into_id);
	int rc = db_step_done(s);
	if (rc == 0 && (s = db_prepare(d, close))) {
		db_bind_int(s, 1, from_id);
		db_bind_int(s, 2, into_id);
		db_bind_int(s, 3, now);
		rc = db_step_done(s);
	}
	if (rc == 0 && (s = db_prepare(d, touch))) {
		db_bind_int(s, 1, into_id);
		db_bind_int(s, 2, now);
		rc = db_step_done(s);
	}
	return rc;
}

int64_t store_audit_insert(db *d, int64_t ticket_id, const char *actor_kind, int64_t actor_id,
                           const char *action, const char *old_value, const char *new_value,
                           int64_t now)
{
	static const char sql[] =
		"INSERT INTO audit_log (ticket_id, actor_kind, actor_id, action, old_value, new_value, "
		"created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, actor_kind);
	if (actor_id > 0)
		db_bind_int(s, 3, actor_id);
	else
		db_bind_null(s, 3);
	db_bind_text(s, 4, action);
	db_bind_text(s, 5, old_value);
	db_bind_text(s, 6, new_value);
	db_bind_int(s, 7, now);
	int rc = db_step(s);
	int64_t id = rc == DB_ROW ? db_col_int(s, 0) : (rc < 0 ? rc : DB_ERROR);
	db_done(s);
	return id;
}

int64_t store_message_last_visible(db *d, int64_t ticket_id)
{
	/* From the newest back to the first visible one: max(id) read every
	 * message of the ticket, 11 ms at 10,000 of them, inside the reply's
	 * transaction. */
	static const char sql[] =
		"SELECT COALESCE((SELECT id FROM messages WHERE ticket_id = $1 AND internal = 0 "
		"ORDER BY created_at DESC, id DESC LIMIT 1), 0)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	return db_scalar_int(s, 0);
}

static db_stmt *client_open_tickets_stmt(db *d, int64_t client_id, int64_t except_id,
                                         int64_t staff_id, int all_departments, int max)
{
	static const char sql[] =
		"SELECT t.id, t.number, COALESCE(t.number_label, ''), t.subject, t.status FROM tickets t "
		"WHERE t.client_id = $1 AND t.id <> $2 AND t.status <> 'closed' "
		"AND ($4 = 1 OR t.department_id IN "
		"(SELECT department_id FROM staff_departments WHERE staff_id = $5)) "
		/* t.id DESC as in tickets_client_updated: read in order, no sort */
		"ORDER BY t.updated_at DESC, t.id DESC LIMIT $3";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, except_id);
	db_bind_int(s, 3, max);
	db_bind_int(s, 4, all_departments ? 1 : 0);
	db_bind_int(s, 5, staff_id);
	return s;
}

/* Only what the client panel lists: the whole row's three joins and 21
 * columns were a sixth of the staff's ticket page (callgrind). */
static void read_other_ticket(db_stmt *s, arena *a, void *row)
{
	struct ticket_row *r = row;
	*r = (struct ticket_row){0};
	r->id = db_col_int(s, 0);
	r->number = db_col_int(s, 1);
	r->number_label = db_col_text_dup(s, 2, a);
	r->subject = db_col_text_dup(s, 3, a);
	r->status = db_col_text_dup(s, 4, a);
}

int store_client_open_tickets(db *d, int64_t client_id, int64_t except_id, int64_t staff_id,
                              int all_departments, arena *a, struct ticket_row *rows, int max)
{
	db_stmt *s = client_open_tickets_stmt(d, client_id, except_id, staff_id, all_departments,
	                                      max);
	return db_read_rows(s, read_other_ticket, a, rows, sizeof *rows, max);
}

void store_client_open_tickets_prefetch(db *d, int64_t client_id, int64_t except_id,
                                        int64_t staff_id, int all_departments, int max)
{
	db_prefetch(client_open_tickets_stmt(d, client_id, except_id, staff_id, all_departments,
	                                     max));
}

int store_tickets_answered_before(db *d, int64_t before, int64_t *ids, int max)
{
	/* Served by tickets_status_last_reply (status, last_reply_at). */
	static const char sql[] =
		"SELECT id FROM tickets WHERE status = 'answered' AND last_reply_at < $1 "
		"ORDER BY last_reply_at LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, before);
	db_bind_int(s, 2, max);
	return db_read_ids(s, ids, max);
}

static void read_predefined(db_stmt *s, arena *a, void *row)
{
	struct predefined_row *r = row;
	r->id = db_col_int(s, 0);
	r->title = db_col_text_dup(s, 1, a);
	r->body = db_col_text_dup(s, 2, a);
}

/* A short list, ordered without LIMIT (db_read_rows in db.h). */
static db_stmt *predefined_stmt(db *d, int64_t department_id)
{
	static const char sql[] =
		"SELECT id, title, body FROM predefined_replies "
		"WHERE department_id IS NULL OR department_id = $1 ORDER BY sort_order, title, id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, department_id);
	return s;
}

int store_predefined_for_department(db *d, int64_t department_id, arena *a,
                                    struct predefined_row *rows, int max)
{
	db_stmt *s = predefined_stmt(d, department_id);
	return db_read_rows(s, read_predefined, a, rows, sizeof *rows, max);
}

void store_predefined_for_department_prefetch(db *d, int64_t department_id)
{
	db_prefetch(predefined_stmt(d, department_id));
}

int store_tickets_per_day(db *d, int64_t since, int days, struct day_count *out)
{
	static const char opened[] =
		"SELECT (created_at - $1) / 86400, count(*) FROM tickets WHERE created_at >= $1 "
		"GROUP BY (created_at - $1) / 86400";
	static const char closed[] =
		"SELECT (created_at - $1) / 86400, count(*) FROM audit_log WHERE created_at >= $1 "
		"AND action = 'status' AND new_value = 'closed' GROUP BY (created_at - $1) / 86400";
	for (int i = 0; i < days; i++)
		out[i] = (struct day_count){since + (int64_t)i * 86400, 0, 0};
	const char *sqls[2] = {opened, closed};
	for (int k = 0; k < 2; k++) {
		db_stmt *s = db_prepare(d, sqls[k]);
		if (!s)
			return DB_ERROR;
		db_bind_int(s, 1, since);
		int rc;
		while ((rc = db_step(s)) == DB_ROW) {
			int64_t day = db_col_int(s, 0);
			if (day >= 0 && day < days) {
				if (k == 0)
					out[day].opened = db_col_int(s, 1);
				else
					out[day].closed = db_col_int(s, 1);
			}
		}
		db_done(s);
		if (rc < 0)
			return rc;
	}
	return days;
}

int store_oldest_waiting(db *d, int64_t staff_id, int all_departments, arena *a,
                         struct ticket_row *rows, int max)
{
	/* Each status's first rows come in order from tickets_status_last_reply;
	 * "status IN (...)" would read every waiting ticket and sort them (at a
	 * million tickets, hundreds of thousands a staff home page). */
#define OLDEST_OF(status)                                                                  \
	"SELECT id FROM (SELECT id FROM tickets WHERE status = '" status "' AND ($2 = 1 OR "     \
	"department_id IN (SELECT department_id FROM staff_departments WHERE staff_id = $1)) " \
	"ORDER BY last_reply_at, id LIMIT $3) AS w"
	static const char sql[] =
		"SELECT " STORE_TICKET_COLUMNS STORE_TICKET_JOINS
		"WHERE t.id IN (" OLDEST_OF("open") " UNION ALL " OLDEST_OF("customer-reply") ") "
		"ORDER BY t.last_reply_at, t.id LIMIT $3";
#undef OLDEST_OF
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, all_departments ? 1 : 0);
	db_bind_int(s, 3, max);
	return db_read_rows(s, store_ticket_read, a, rows, sizeof *rows, max);
}

static void read_audit(db_stmt *s, arena *a, void *row)
{
	struct audit_row *r = row;
	r->id = db_col_int(s, 0);
	r->actor_kind = db_col_text_dup(s, 1, a);
	r->actor_name = db_col_text_dup(s, 2, a);
	r->action = db_col_text_dup(s, 3, a);
	r->old_value = db_col_text_dup(s, 4, a);
	r->new_value = db_col_text_dup(s, 5, a);
	r->created_at = db_col_int(s, 6);
}

static db_stmt *audit_list_stmt(db *d, int64_t ticket_id, int max)
{
	static const char sql[] =
		"SELECT l.id, l.actor_kind, COALESCE(st.name, c.name, ''), l.action, "
		"COALESCE(l.old_value, ''), COALESCE(l.new_value, ''), l.created_at FROM audit_log l "
		"LEFT JOIN staff st ON l.actor_kind = 'staff' AND st.id = l.actor_id "
		"LEFT JOIN clients c ON l.actor_kind = 'client' AND c.id = l.actor_id "
		"WHERE l.ticket_id = $1 ORDER BY l.created_at, l.id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, max);
	return s;
}

int store_audit_list(db *d, int64_t ticket_id, arena *a, struct audit_row *rows, int max)
{
	db_stmt *s = audit_list_stmt(d, ticket_id, max);
	return db_read_rows(s, read_audit, a, rows, sizeof *rows, max);
}

void store_audit_list_prefetch(db *d, int64_t ticket_id, int max)
{
	db_prefetch(audit_list_stmt(d, ticket_id, max));
}
