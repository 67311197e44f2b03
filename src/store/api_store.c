#include "store/api_store.h"

#include <string.h>

/* Steps through every row of s into rows with read(), at most max. */
#define READ_ROWS(s, rows, max, read)                                      \
	do {                                                               \
		int n_ = 0, rc_ = DB_DONE;                                 \
		while (n_ < (max) && (rc_ = db_step(s)) == DB_ROW) {       \
			read(s, a, &(rows)[n_]);                           \
			n_++;                                              \
		}                                                          \
		db_done(s);                                                \
		return rc_ < 0 ? rc_ : n_;                                 \
	} while (0)

/* ---- tokens ---- */

int64_t store_api_token_insert(db *d, int64_t staff_id, const char *name, const char *token_hash,
                               int64_t now)
{
	static const char sql[] =
		"INSERT INTO api_tokens (token_hash, name, staff_id, created_at) "
		"VALUES ($1, $2, $3, $4) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, token_hash);
	db_bind_text(s, 2, name);
	db_bind_int(s, 3, staff_id);
	db_bind_int(s, 4, now);
	return db_step_id(s);
}

#define TOKEN_COLUMNS \
	"k.id, k.staff_id, k.name, s.name, s.email, s.role, s.language, s.active, " \
	"k.created_at, COALESCE(k.last_used_at, 0), COALESCE(k.revoked_at, 0) " \
	"FROM api_tokens k JOIN staff s ON s.id = k.staff_id "

static void read_token(db_stmt *s, arena *a, struct api_token_row *r)
{
	r->id = db_col_int(s, 0);
	r->staff_id = db_col_int(s, 1);
	r->name = db_col_text_dup(s, 2, a);
	r->staff_name = db_col_text_dup(s, 3, a);
	r->staff_email = db_col_text_dup(s, 4, a);
	r->role = db_col_text_dup(s, 5, a);
	r->language = db_col_text_dup(s, 6, a);
	r->staff_active = db_col_int(s, 7) != 0;
	r->created_at = db_col_int(s, 8);
	r->last_used_at = db_col_int(s, 9);
	r->revoked_at = db_col_int(s, 10);
}

int store_api_token_list(db *d, arena *a, struct api_token_row *rows, int max)
{
	static const char sql[] = "SELECT " TOKEN_COLUMNS "ORDER BY k.id DESC LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, max);
	READ_ROWS(s, rows, max, read_token);
}

int store_api_token_by_hash(db *d, const char *token_hash, arena *a, struct api_token_row *row)
{
	static const char sql[] = "SELECT " TOKEN_COLUMNS "WHERE k.token_hash = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, token_hash);
	READ_ROWS(s, row, 1, read_token);
}

int store_api_token_revoke(db *d, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL "
		"RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

int store_api_token_touch(db *d, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	return db_step_done(s);
}

/* ---- tickets ---- */

#define API_TICKET_WHERE \
	"WHERE ($1 = 1 OR t.department_id IN " \
	"(SELECT department_id FROM staff_departments WHERE staff_id = $2)) " \
	"AND ($3 = 0 OR t.client_id = $3) " \
	"AND ($4 = 0 OR ($4 & (CASE t.status WHEN 'open' THEN 1 WHEN 'answered' THEN 2 " \
	"WHEN 'customer-reply' THEN 4 WHEN 'on-hold' THEN 8 WHEN 'in-progress' THEN 16 " \
	"ELSE 32 END)) <> 0) "
/* Free words ($5): none, or the ticket search index (migration 0020) in
 * each backend's words. */
#define API_SEARCH_NONE "AND $5 = '' "
#define API_SEARCH_SQLITE "AND t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH $5) "
#define API_SEARCH_PGSQL \
	"AND t.id IN (SELECT ticket_id FROM ticket_search " \
	"WHERE to_tsvector('simple', doc) @@ to_tsquery('simple', $5)) "
#define API_SEARCH_VARIANTS(sql) {sql(API_SEARCH_NONE), sql(API_SEARCH_SQLITE), sql(API_SEARCH_PGSQL)}

static int search_variant(db *d, const struct api_ticket_query *q)
{
	if (!q->match || !*q->match)
		return 0;
	return strcmp(db_backend(d), "sqlite") == 0 ? 1 : 2;
}

static void bind_ticket_query(db_stmt *s, const struct api_ticket_query *q)
{
	db_bind_int(s, 1, q->all_departments ? 1 : 0);
	db_bind_int(s, 2, q->staff_id);
	db_bind_int(s, 3, q->client_id);
	db_bind_int(s, 4, q->status_mask);
	db_bind_text(s, 5, q->match ? q->match : "");
}

int store_api_ticket_list(db *d, const struct api_ticket_query *q, arena *a, struct ticket_row *rows)
{
#define OLDEST_FIRST(search) \
	"SELECT " STORE_TICKET_COLUMNS STORE_TICKET_JOINS API_TICKET_WHERE search \
	"AND t.id > $6 ORDER BY t.id LIMIT $7 OFFSET $8"
#define NEWEST_FIRST(search) \
	"SELECT " STORE_TICKET_COLUMNS STORE_TICKET_JOINS API_TICKET_WHERE search \
	"AND ($6 = 0 OR t.id < $6) ORDER BY t.id DESC LIMIT $7 OFFSET $8"
	static const char *const oldest_first[] = API_SEARCH_VARIANTS(OLDEST_FIRST);
	static const char *const newest_first[] = API_SEARCH_VARIANTS(NEWEST_FIRST);
	int v = search_variant(d, q);
	db_stmt *s = db_prepare(d, q->newest_first ? newest_first[v] : oldest_first[v]);
	if (!s)
		return DB_ERROR;
	bind_ticket_query(s, q);
	db_bind_int(s, 6, q->after_id);
	db_bind_int(s, 7, q->limit);
	db_bind_int(s, 8, q->offset);
	READ_ROWS(s, rows, q->limit, store_ticket_read);
}

int64_t store_api_ticket_count(db *d, const struct api_ticket_query *q)
{
#define COUNT(search) "SELECT count(*) FROM tickets t " API_TICKET_WHERE search
	static const char *const sql[] = API_SEARCH_VARIANTS(COUNT);
	db_stmt *s = db_prepare(d, sql[search_variant(d, q)]);
	if (!s)
		return DB_ERROR;
	bind_ticket_query(s, q);
	return db_scalar_int(s, DB_ERROR);
}

/* ---- users ---- */

/* Both kinds of account in one list; uid keeps their ids apart. */
#define API_USERS \
	"SELECT uid, kind, id, name, email, role, language, active, created_at, updated_at, " \
	"owner_id, contact_tickets, contact_emails FROM (" \
	"SELECT c.id * 2 AS uid, 'client' AS kind, c.id, c.name, c.email, c.email_lower, " \
	"'end-user' AS role, c.language, c.active, c.created_at, c.updated_at, " \
	"COALESCE(c.owner_id, 0) AS owner_id, c.contact_tickets, c.contact_emails FROM clients c " \
	"UNION ALL " \
	"SELECT s.id * 2 + 1, 'staff', s.id, s.name, s.email, s.email_lower, s.role, s.language, " \
	"s.active, s.created_at, s.updated_at, 0, 0, 0 FROM staff s) u "
#define API_USER_WHERE \
	"WHERE ($1 = '' OR u.role = $1) " \
	"AND ($2 = '' OR lower(u.name) LIKE $2 ESCAPE '\\' OR u.email_lower LIKE $2 ESCAPE '\\') " \
	"AND ($3 = '' OR u.email_lower = $3) "

static void read_user(db_stmt *s, arena *a, struct api_user_row *r)
{
	r->uid = db_col_int(s, 0);
	r->kind = db_col_text_dup(s, 1, a);
	r->id = db_col_int(s, 2);
	r->name = db_col_text_dup(s, 3, a);
	r->email = db_col_text_dup(s, 4, a);
	r->role = db_col_text_dup(s, 5, a);
	r->language = db_col_text_dup(s, 6, a);
	r->active = db_col_int(s, 7) != 0;
	r->created_at = db_col_int(s, 8);
	r->updated_at = db_col_int(s, 9);
	r->owner_id = db_col_int(s, 10);
	r->contact_tickets = db_col_int(s, 11) != 0;
	r->contact_emails = db_col_int(s, 12) != 0;
}

static void bind_user_query(db_stmt *s, const struct api_user_query *q)
{
	db_bind_text(s, 1, q->role ? q->role : "");
	db_bind_text(s, 2, q->pattern ? q->pattern : "");
	db_bind_text(s, 3, q->email ? q->email : "");
}

int store_api_user_list(db *d, const struct api_user_query *q, arena *a, struct api_user_row *rows)
{
	static const char sql[] =
		API_USERS API_USER_WHERE "AND u.uid > $4 ORDER BY u.uid LIMIT $5 OFFSET $6";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_user_query(s, q);
	db_bind_int(s, 4, q->after_uid);
	db_bind_int(s, 5, q->limit);
	db_bind_int(s, 6, q->offset);
	READ_ROWS(s, rows, q->limit, read_user);
}

int64_t store_api_user_count(db *d, const struct api_user_query *q)
{
	static const char sql[] = "SELECT count(*) FROM (" API_USERS API_USER_WHERE ") n";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_user_query(s, q);
	return db_scalar_int(s, DB_ERROR);
}

int store_api_user_get(db *d, int64_t uid, arena *a, struct api_user_row *row)
{
	/* Straight to the one table, by primary key. */
	static const char client_sql[] =
		"SELECT id * 2, 'client', id, name, email, 'end-user', language, active, created_at, "
		"updated_at, COALESCE(owner_id, 0), contact_tickets, contact_emails FROM clients WHERE id = $1";
	static const char staff_sql[] =
		"SELECT id * 2 + 1, 'staff', id, name, email, role, language, active, created_at, "
		"updated_at, 0, 0, 0 FROM staff WHERE id = $1";
	if (uid <= 0)
		return 0;
	db_stmt *s = db_prepare(d, uid % 2 == 0 ? client_sql : staff_sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, uid / 2);
	READ_ROWS(s, row, 1, read_user);
}

/* ---- services ---- */

#define SERVICE_COLUMNS "id, client_id, kind, label, status, created_at FROM services "

static void read_service(db_stmt *s, arena *a, struct api_service_row *r)
{
	r->id = db_col_int(s, 0);
	r->client_id = db_col_int(s, 1);
	r->kind = db_col_text_dup(s, 2, a);
	r->label = db_col_text_dup(s, 3, a);
	r->status = db_col_text_dup(s, 4, a);
	r->created_at = db_col_int(s, 5);
}

int store_api_service_get(db *d, int64_t id, arena *a, struct api_service_row *row)
{
	static const char sql[] = "SELECT " SERVICE_COLUMNS "WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	READ_ROWS(s, row, 1, read_service);
}

int store_api_service_list(db *d, int64_t client_id, arena *a, struct api_service_row *rows, int max)
{
	static const char sql[] = "SELECT " SERVICE_COLUMNS "WHERE client_id = $1 ORDER BY id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, max);
	READ_ROWS(s, rows, max, read_service);
}

int64_t store_api_service_insert(db *d, int64_t client_id, const char *kind, const char *label,
                                 const char *status, int64_t now)
{
	static const char sql[] =
		"INSERT INTO services (client_id, kind, label, status, created_at) "
		"VALUES ($1, $2, $3, $4, $5) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, client_id);
	db_bind_text(s, 2, kind);
	db_bind_text(s, 3, label);
	db_bind_text(s, 4, status);
	db_bind_int(s, 5, now);
	return db_step_id(s);
}

/* ---- webhooks ---- */

int64_t store_webhook_insert(db *d, const char *url, const char *events, const char *secret,
                             bool active, int64_t now)
{
	static const char sql[] =
		"INSERT INTO webhooks (url, events, secret, active, created_at) "
		"VALUES ($1, $2, $3, $4, $5) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, url);
	db_bind_text(s, 2, events);
	db_bind_text(s, 3, secret);
	db_bind_int(s, 4, active ? 1 : 0);
	db_bind_int(s, 5, now);
	return db_step_id(s);
}

int store_webhook_update(db *d, int64_t id, const char *url, const char *events, bool active)
{
	static const char sql[] = "UPDATE webhooks SET url = $2, events = $3, active = $4 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, url);
	db_bind_text(s, 3, events);
	db_bind_int(s, 4, active ? 1 : 0);
	return db_step_done(s);
}

int store_webhook_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM webhooks WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

#define WEBHOOK_COLUMNS \
	"w.id, w.url, w.events, w.secret, w.active, w.created_at, " \
	"(SELECT count(*) FROM webhook_deliveries x WHERE x.webhook_id = w.id AND x.status = 'delivered'), " \
	"(SELECT count(*) FROM webhook_deliveries x WHERE x.webhook_id = w.id AND x.status = 'failed'), " \
	"(SELECT count(*) FROM webhook_deliveries x WHERE x.webhook_id = w.id " \
	"AND x.status IN ('queued', 'sending')) FROM webhooks w "

static void read_webhook(db_stmt *s, arena *a, struct webhook_row *r)
{
	r->id = db_col_int(s, 0);
	r->url = db_col_text_dup(s, 1, a);
	r->events = db_col_text_dup(s, 2, a);
	r->secret = db_col_text_dup(s, 3, a);
	r->active = db_col_int(s, 4) != 0;
	r->created_at = db_col_int(s, 5);
	r->delivered = db_col_int(s, 6);
	r->failed = db_col_int(s, 7);
	r->pending = db_col_int(s, 8);
}

int store_webhook_get(db *d, int64_t id, arena *a, struct webhook_row *row)
{
	static const char sql[] = "SELECT " WEBHOOK_COLUMNS "WHERE w.id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	READ_ROWS(s, row, 1, read_webhook);
}

int store_webhook_list(db *d, arena *a, struct webhook_row *rows, int max)
{
	static const char sql[] = "SELECT " WEBHOOK_COLUMNS "ORDER BY w.id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, max);
	READ_ROWS(s, rows, max, read_webhook);
}

static void read_events(db_stmt *s, arena *a, void *row)
{
	*(const char **)row = db_col_text_dup(s, 0, a);
}

int store_webhook_active_events(db *d, arena *a, const char **events, int max)
{
	static const char sql[] = "SELECT events FROM webhooks WHERE active = 1 ORDER BY id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, max);
	return db_read_rows(s, read_events, a, events, sizeof *events, max);
}

int store_webhook_queue(db *d, const char *event, int64_t ticket_id, int64_t now)
{
	/* Every row is inserted at the first step; the first returned tells
	 * whether any webhook is subscribed, unless the insert is sent without
	 * waiting (db_deferrable): an event that few installations subscribe
	 * to cost a reply or an opening a round trip of its own. */
	static const char sql[] =
		"INSERT INTO webhook_deliveries (webhook_id, event, ticket_id, next_attempt_at, created_at) "
		"SELECT id, $1, CAST($2 AS BIGINT), $3, $3 FROM webhooks "
		"WHERE active = 1 AND events LIKE '%,' || $1 || ',%' RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_deferrable(s);
	db_bind_text(s, 1, event);
	if (ticket_id > 0)
		db_bind_int(s, 2, ticket_id);
	else
		db_bind_null(s, 2);
	db_bind_int(s, 3, now);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

/* Like the outbox (outbox_store.c): PostgreSQL locks the rows it claims and
 * passes over those another sender holds; SQLite's write lock serialises. */
int store_webhook_claim_due(db *d, int64_t now, int64_t lease_until, int limit, int64_t *ids)
{
	static const char select_sql[] =
		"SELECT id FROM webhook_deliveries WHERE status IN ('queued', 'sending') "
		"AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2";
	static const char select_skip_locked[] =
		"SELECT id FROM webhook_deliveries WHERE status IN ('queued', 'sending') "
		"AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED";
	static const char mark_sql[] =
		"UPDATE webhook_deliveries SET status = 'sending', next_attempt_at = $2, "
		"attempts = attempts + 1 WHERE id = $1";
	static const char any_due_sql[] =
		"SELECT 1 FROM webhook_deliveries WHERE status IN ('queued', 'sending') "
		"AND next_attempt_at <= $1 LIMIT 1";
	if (limit <= 0)
		return 0;
	/* The worker looks after every commit and mostly finds nothing: on
	 * SQLite it looks first without the write lock, which every writer of
	 * the process waits for. */
	int due = db_is_postgres(d) ? 1 : db_any_row(d, any_due_sql, now);
	if (due <= 0)
		return due;
	int rc = db_begin_concurrent(d);
	if (rc < 0)
		return rc;
	db_stmt *s = db_prepare(d, db_is_postgres(d) ? select_skip_locked : select_sql);
	if (!s) {
		rc = DB_ERROR;
		goto fail;
	}
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, limit);
	int count = 0;
	rc = DB_DONE;
	while (count < limit && (rc = db_step(s)) == DB_ROW)
		ids[count++] = db_col_int(s, 0);
	db_done(s);
	if (rc < 0)
		goto fail;
	for (int i = 0; i < count; i++) {
		db_stmt *m = db_prepare(d, mark_sql);
		if (!m) {
			rc = DB_ERROR;
			goto fail;
		}
		db_bind_int(m, 1, ids[i]);
		db_bind_int(m, 2, lease_until);
		if ((rc = db_step_done(m)) < 0)
			goto fail;
	}
	if ((rc = db_commit(d)) < 0)
		goto fail;
	return count;
fail:
	db_rollback(d);
	return rc;
}

#define DELIVERY_COLUMNS \
	"x.id, x.webhook_id, COALESCE(x.ticket_id, 0), x.event, x.payload, x.status, " \
	"COALESCE(x.last_error, ''), w.url, w.secret, x.attempts, x.next_attempt_at, " \
	"COALESCE(x.last_status, 0), COALESCE(x.answer_ms, 0), x.created_at, " \
	"COALESCE(x.delivered_at, 0) FROM webhook_deliveries x JOIN webhooks w ON w.id = x.webhook_id "

static void read_delivery(db_stmt *s, arena *a, struct webhook_delivery_row *r)
{
	r->id = db_col_int(s, 0);
	r->webhook_id = db_col_int(s, 1);
	r->ticket_id = db_col_int(s, 2);
	r->event = db_col_text_dup(s, 3, a);
	r->payload = db_col_null(s, 4) ? NULL : db_col_text_dup(s, 4, a);
	r->status = db_col_text_dup(s, 5, a);
	r->last_error = db_col_text_dup(s, 6, a);
	r->url = db_col_text_dup(s, 7, a);
	r->secret = db_col_text_dup(s, 8, a);
	r->attempts = (int)db_col_int(s, 9);
	r->next_attempt_at = db_col_int(s, 10);
	r->last_status = db_col_int(s, 11);
	r->answer_ms = db_col_int(s, 12);
	r->created_at = db_col_int(s, 13);
	r->delivered_at = db_col_int(s, 14);
}

int store_webhook_delivery_get(db *d, int64_t id, arena *a, struct webhook_delivery_row *row)
{
	static const char sql[] = "SELECT " DELIVERY_COLUMNS "WHERE x.id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	READ_ROWS(s, row, 1, read_delivery);
}

int store_webhook_delivery_set_payload(db *d, int64_t id, const char *payload)
{
	static const char sql[] = "UPDATE webhook_deliveries SET payload = $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, payload);
	return db_step_done(s);
}

int store_webhook_delivery_result(db *d, int64_t id, const char *status, int64_t next_attempt_at,
                                  int64_t http_status, const char *error, int64_t answer_ms,
                                  int64_t now)
{
	static const char sql[] =
		"UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, last_status = $4, "
		"last_error = $5, answer_ms = $6, "
		"delivered_at = CASE WHEN $2 = 'delivered' THEN $7 ELSE delivered_at END WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, status);
	db_bind_int(s, 3, next_attempt_at);
	if (http_status > 0)
		db_bind_int(s, 4, http_status);
	else
		db_bind_null(s, 4);
	db_bind_text(s, 5, error && *error ? error : NULL);
	db_bind_int(s, 6, answer_ms);
	db_bind_int(s, 7, now);
	return db_step_done(s);
}

int store_webhook_delivery_list(db *d, int64_t webhook_id, arena *a,
                                struct webhook_delivery_row *rows, int max)
{
	static const char sql[] =
		"SELECT " DELIVERY_COLUMNS "WHERE x.webhook_id = $1 ORDER BY x.id DESC LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, webhook_id);
	db_bind_int(s, 2, max);
	READ_ROWS(s, rows, max, read_delivery);
}

int store_webhook_delivery_requeue(db *d, int64_t webhook_id, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE webhook_deliveries SET status = 'queued', next_attempt_at = $3, attempts = 0 "
		"WHERE id = $1 AND webhook_id = $2 AND status IN ('delivered', 'failed') RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, webhook_id);
	db_bind_int(s, 3, now);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}
