#include "store/escalation_store.h"

#define RULE_COLUMNS \
	"r.id, r.name, r.enabled, r.condition_kind, r.minutes, COALESCE(r.department_id, 0), " \
	"COALESCE(r.priority, ''), r.notify_assignee, r.notify_department, " \
	"COALESCE(r.notify_staff_id, 0), COALESCE(r.raise_priority, ''), " \
	"COALESCE(r.move_department_id, 0), COALESCE(r.assign_staff_id, 0), r.note, " \
	"r.created_at, r.updated_at, COALESCE(dp.name, ''), COALESCE(ns.name, ''), " \
	"COALESCE(md.name, ''), COALESCE(st.name, ''), " \
	"(SELECT count(*) FROM escalation_firings f WHERE f.rule_id = r.id) "
#define RULE_JOINS \
	"FROM escalation_rules r LEFT JOIN departments dp ON dp.id = r.department_id " \
	"LEFT JOIN staff ns ON ns.id = r.notify_staff_id " \
	"LEFT JOIN departments md ON md.id = r.move_department_id " \
	"LEFT JOIN staff st ON st.id = r.assign_staff_id "

static void read_rule(db_stmt *s, arena *a, void *row)
{
	struct escalation_row *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->enabled = (int)db_col_int(s, 2);
	r->condition = db_col_text_dup(s, 3, a);
	r->minutes = db_col_int(s, 4);
	r->department_id = db_col_int(s, 5);
	r->priority = db_col_text_dup(s, 6, a);
	r->notify_assignee = (int)db_col_int(s, 7);
	r->notify_department = (int)db_col_int(s, 8);
	r->notify_staff_id = db_col_int(s, 9);
	r->raise_priority = db_col_text_dup(s, 10, a);
	r->move_department_id = db_col_int(s, 11);
	r->assign_staff_id = db_col_int(s, 12);
	r->note = db_col_text_dup(s, 13, a);
	r->created_at = db_col_int(s, 14);
	r->updated_at = db_col_int(s, 15);
	r->department_name = db_col_text_dup(s, 16, a);
	r->notify_staff_name = db_col_text_dup(s, 17, a);
	r->move_department_name = db_col_text_dup(s, 18, a);
	r->assign_staff_name = db_col_text_dup(s, 19, a);
	r->fired = db_col_int(s, 20);
}

int store_escalation_list(db *d, int enabled_only, arena *a, struct escalation_row *rows, int max)
{
	static const char sql[] = "SELECT " RULE_COLUMNS RULE_JOINS
		"WHERE ($1 = 0 OR r.enabled = 1) ORDER BY r.name, r.id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, enabled_only ? 1 : 0);
	db_bind_int(s, 2, max);
	return db_read_rows(s, read_rule, a, rows, sizeof *rows, max);
}

int store_escalation_get(db *d, int64_t id, arena *a, struct escalation_row *row)
{
	static const char sql[] = "SELECT " RULE_COLUMNS RULE_JOINS "WHERE r.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_rule, a, row);
}

static int bind_id_or_null(db_stmt *s, int index, int64_t id)
{
	return id > 0 ? db_bind_int(s, index, id) : db_bind_null(s, index);
}

static int bind_text_or_null(db_stmt *s, int index, const char *text)
{
	return text && *text ? db_bind_text(s, index, text) : db_bind_null(s, index);
}

/* Binds $1..$13 of insert and update in the same order. */
static void bind_rule(db_stmt *s, const struct escalation_row *r)
{
	db_bind_text(s, 1, r->name);
	db_bind_int(s, 2, r->enabled ? 1 : 0);
	db_bind_text(s, 3, r->condition);
	db_bind_int(s, 4, r->minutes);
	bind_id_or_null(s, 5, r->department_id);
	bind_text_or_null(s, 6, r->priority);
	db_bind_int(s, 7, r->notify_assignee ? 1 : 0);
	db_bind_int(s, 8, r->notify_department ? 1 : 0);
	bind_id_or_null(s, 9, r->notify_staff_id);
	bind_text_or_null(s, 10, r->raise_priority);
	bind_id_or_null(s, 11, r->move_department_id);
	bind_id_or_null(s, 12, r->assign_staff_id);
	db_bind_text(s, 13, r->note ? r->note : "");
}

int64_t store_escalation_insert(db *d, const struct escalation_row *r, int64_t now)
{
	static const char sql[] =
		"INSERT INTO escalation_rules (name, enabled, condition_kind, minutes, department_id, "
		"priority, notify_assignee, notify_department, notify_staff_id, raise_priority, "
		"move_department_id, assign_staff_id, note, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_rule(s, r);
	db_bind_int(s, 14, now);
	return db_step_id(s);
}

int store_escalation_update(db *d, const struct escalation_row *r, int64_t now)
{
	static const char sql[] =
		"UPDATE escalation_rules SET name = $1, enabled = $2, condition_kind = $3, minutes = $4, "
		"department_id = $5, priority = $6, notify_assignee = $7, notify_department = $8, "
		"notify_staff_id = $9, raise_priority = $10, move_department_id = $11, "
		"assign_staff_id = $12, note = $13, updated_at = $14 WHERE id = $15";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	bind_rule(s, r);
	db_bind_int(s, 14, now);
	db_bind_int(s, 15, r->id);
	return db_step_done(s);
}

int store_escalation_set_enabled(db *d, int64_t id, int enabled, int64_t now)
{
	static const char sql[] =
		"UPDATE escalation_rules SET enabled = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, enabled ? 1 : 0);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_escalation_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM escalation_rules WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int store_escalation_firing_add(db *d, int64_t rule_id, int64_t ticket_id, int64_t now)
{
	static const char sql[] =
		"INSERT INTO escalation_firings (rule_id, ticket_id, fired_at) VALUES ($1, $2, $3)";
	db_stmt *s = db_prepare(d, sql);
	db_recoverable(s);
	db_bind_int(s, 1, rule_id);
	db_bind_int(s, 2, ticket_id);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

/* One statement per column: each range must be on the indexed column
 * itself for the index to serve it. The filters after the range are
 * checked on the rows inside it; NOT EXISTS is one primary-key probe. */
#define CANDIDATE_FILTERS \
	"AND ($3 = 0 OR t.sla_calendar_id = $3) AND ($4 = 0 OR t.department_id = $4) " \
	"AND ($5 = '' OR t.priority = $5) " \
	"AND NOT EXISTS (SELECT 1 FROM escalation_firings f WHERE f.rule_id = $6 AND f.ticket_id = t.id) "

int store_escalation_candidates(db *d, const struct escalation_range *r, int64_t *ids, int max)
{
	static const char first_sql[] =
		"SELECT t.id FROM tickets t WHERE t.sla_first_due > $1 AND t.sla_first_due <= $2 "
		CANDIDATE_FILTERS "ORDER BY t.sla_first_due, t.id LIMIT $7";
	static const char resolve_sql[] =
		"SELECT t.id FROM tickets t WHERE t.sla_resolve_due > $1 AND t.sla_resolve_due <= $2 "
		CANDIDATE_FILTERS "ORDER BY t.sla_resolve_due, t.id LIMIT $7";
	/* The index's own WHERE, word for word, so SQLite knows it applies. */
	static const char waiting_sql[] =
		"SELECT t.id FROM tickets t WHERE t.assignee_id IS NULL "
		"AND t.status IN ('open', 'customer-reply') "
		"AND t.last_reply_at > $1 AND t.last_reply_at <= $2 "
		CANDIDATE_FILTERS "ORDER BY t.last_reply_at, t.id LIMIT $7";
	const char *sql = r->column == ESCALATION_FIRST_DUE     ? first_sql
	                  : r->column == ESCALATION_RESOLVE_DUE ? resolve_sql
	                                                        : waiting_sql;
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, r->after);
	db_bind_int(s, 2, r->until);
	db_bind_int(s, 3, r->calendar_id > 0 ? r->calendar_id : 0);
	db_bind_int(s, 4, r->department_id > 0 ? r->department_id : 0);
	db_bind_text(s, 5, r->priority ? r->priority : "");
	db_bind_int(s, 6, r->rule_id);
	db_bind_int(s, 7, max);
	return db_read_ids(s, ids, max);
}

static void read_contact(db_stmt *s, arena *a, void *row)
{
	struct staff_contact *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->email = db_col_text_dup(s, 2, a);
	r->language = db_col_text_dup(s, 3, a);
}

int store_staff_contact_get(db *d, int64_t id, arena *a, struct staff_contact *row)
{
	static const char sql[] =
		"SELECT id, name, email, language FROM staff WHERE id = $1 AND active = 1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_contact, a, row);
}
