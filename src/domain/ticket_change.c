/* Changes to a ticket other than its messages: status, priority,
 * department, assignee, merges, auto-close. Each change is written to the
 * audit log with who made it, in the change's transaction. */
#include "domain/ticket.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/webhook.h"
#include "domain/csat.h"
#include "domain/sla.h"
#include "domain/staff_ticket.h"
#include "domain/ticket_cc.h"
#include "domain/ticket_search.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/queue_store.h"
#include "store/ticket_store.h"
#include "view/i18n.h"

int ticket_audit(db *d, const struct actor *who, int64_t ticket_id, const char *action,
                 const char *old_value, const char *new_value, int64_t now)
{
	const struct session *s = who->account;
	int64_t id = store_audit_insert(d, ticket_id, s ? account_kind_name(s->kind) : "system",
	                                s ? s->user_id : 0, action, old_value, new_value, now);
	return id < 0 ? (int)id : 0;
}

static int change_status(db *d, const struct actor *who, const struct ticket_row *t,
                         const char *status, int64_t now)
{
	if (!status || str_eq(status, t->status))
		return 0;
	if (!ticket_status_valid(status))
		return TICKET_INVALID;
	int rc = store_ticket_set_status(d, t->id, status, now);
	rc = rc ? rc : webhook_queue_event(d, WEBHOOK_STATUS_CHANGED, t->id, now);
	return rc ? rc : ticket_audit(d, who, t->id, "status", t->status, status, now);
}

static int change_priority(db *d, const struct actor *who, const struct ticket_row *t,
                           const char *priority, int64_t now)
{
	if (!priority || str_eq(priority, t->priority))
		return 0;
	if (!str_eq(priority, "low") && !str_eq(priority, "medium") && !str_eq(priority, "high"))
		return TICKET_INVALID;
	int rc = store_ticket_set_priority(d, t->id, priority, now);
	return rc ? rc : ticket_audit(d, who, t->id, "priority", t->priority, priority, now);
}

static int change_department(db *d, const struct actor *who, const struct ticket_row *t,
                             int64_t department_id, arena *a, int64_t now)
{
	if (department_id <= 0 || department_id == t->department_id)
		return 0;
	const char *name = store_department_name(d, department_id, a);
	if (!name)
		return TICKET_INVALID;
	/* An agent may hand a ticket to another department (and lose it). */
	int rc = store_ticket_set_department(d, t->id, department_id, now);
	return rc ? rc : ticket_audit(d, who, t->id, "department", t->department_name, name, now);
}

static int change_assignee(db *d, const struct actor *who, const struct ticket_row *t,
                           int64_t assignee_id, arena *a, int64_t now)
{
	if (assignee_id < 0 || assignee_id == t->assignee_id)
		return 0;
	const char *new_name = "", *old_name = "";
	if (assignee_id > 0 && store_staff_active_name(d, assignee_id, a, &new_name) != 1)
		return TICKET_INVALID;
	if (t->assignee_id > 0 && store_staff_active_name(d, t->assignee_id, a, &old_name) < 0)
		return DB_ERROR;
	int rc = store_ticket_set_assignee(d, t->id, assignee_id, now);
	return rc ? rc : ticket_audit(d, who, t->id, "assignee", old_name, new_name, now);
}

/* A client may only close their own ticket. */
static bool client_may_change(const struct ticket_changes *c)
{
	return str_eq(c->status, "closed") && !c->priority && c->department_id <= 0 &&
	       c->assignee_id < 0;
}

int ticket_update_in_transaction(db *d, const struct actor *who, const struct ticket_row *t,
                                 const struct ticket_changes *c, arena *a, int64_t now)
{
	if (actor_is_client(who) && !client_may_change(c))
		return TICKET_NOT_FOUND;
	int rc = change_priority(d, who, t, c->priority, now);
	if (rc == 0)
		rc = change_status(d, who, t, c->status, now);
	if (rc == 0)
		rc = change_assignee(d, who, t, c->assignee_id, a, now);
	if (rc == 0)
		rc = change_department(d, who, t, c->department_id, a, now);
	if (rc == 0)
		rc = sla_ticket_event(d, t->id, SLA_CHANGED, now);
	if (rc == 0 && str_eq(c->status, "closed") && !str_eq(t->status, "closed"))
		rc = csat_after_change(d, NULL, t, CSAT_CLOSED, now);
	return rc;
}

static int update(db *d, const struct actor *who, const struct ticket_row *t, const void *arg,
                  arena *a, int64_t now)
{
	return ticket_update_in_transaction(d, who, t, arg, a, now);
}

int ticket_update(db *d, const struct actor *who, int64_t number, const struct ticket_changes *c,
                  int64_t now)
{
	/* A CC may read and reply, not close: the ticket is the client's. */
	if (actor_is_cc(who) || (actor_is_client(who) && !client_may_change(c)))
		return TICKET_NOT_FOUND;
	return ticket_transaction(d, who, number, update, c, now);
}

static int merge(db *d, const struct actor *who, const struct ticket_row *from, const void *arg,
                 arena *a, int64_t now)
{
	int64_t into_number = *(const int64_t *)arg;
	struct ticket_row into;
	int rc = into_number == from->number ? 0 : ticket_get_for(d, who, into_number, a, &into);
	/* Only one client's tickets merge: the other's would see these messages. */
	if (rc == 1 && into.client_id != from->client_id)
		rc = 0;
	if (rc <= 0)
		return rc < 0 ? rc : TICKET_INVALID;
	char from_text[24], into_text[24];
	snprintf(from_text, sizeof from_text, "%lld", (long long)from->number);
	snprintf(into_text, sizeof into_text, "%lld", (long long)into.number);
	rc = store_ticket_merge(d, from->id, into.id, now);
	/* The messages moved: each ticket is now found by what it holds. */
	if (rc == 0)
		rc = ticket_search_changed(d, from->id);
	if (rc == 0)
		rc = ticket_search_changed(d, into.id);
	/* The people copied keep following the conversation where it went. */
	if (rc == 0) {
		int moved = ticket_cc_merge(d, who, from, &into, now);
		rc = moved < 0 ? moved : 0;
	}
	if (rc == 0 && !str_eq(from->status, "closed"))
		rc = webhook_queue_event(d, WEBHOOK_STATUS_CHANGED, from->id, now);
	if (rc == 0 && !str_eq(from->status, "closed"))
		rc = ticket_audit(d, who, from->id, "status", from->status, "closed", now);
	if (rc == 0)
		rc = sla_ticket_merged(d, from->id, into.id, now);
	if (rc == 0)
		rc = ticket_audit(d, who, from->id, "merged_into", "", into_text, now);
	return rc ? rc : ticket_audit(d, who, into.id, "merged_from", "", from_text, now);
}

int ticket_merge(db *d, const struct actor *who, int64_t number, int64_t into_number, int64_t now)
{
	if (!actor_is_staff(who))
		return TICKET_NOT_FOUND;
	return ticket_transaction(d, who, number, merge, &into_number, now);
}

int ticket_auto_close(db *d, const i18n_catalog *cat, int days, int64_t now)
{
	enum { BATCH = 200 };
	if (days <= 0)
		return 0;
	static const char *const fmt = N_("This ticket was closed automatically after %d days "
	                                  "without a reply. Reply to open it again.");
	int64_t ids[BATCH];
	int n = store_tickets_answered_before(d, now - (int64_t)days * 86400, ids, BATCH);
	if (n <= 0)
		return n;
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	int closed = 0;
	for (int i = 0; i < n; i++) {
		if (db_begin_write(d) < 0)
			break;
		/* Re-read inside the transaction: the client may have replied. */
		struct ticket_row t;
		arena_reset(a);
		int rc;
		if (store_ticket_id_get(d, ids[i], a, &t) == 1 && str_eq(t.status, "answered")) {
			const char *text = arena_printf(a, i18n_text(cat, lang_or_default(t.client_language), fmt), days);
			int64_t mid = store_message_insert(d, t.id, "system", 0, 0, "", text ? text : "",
			                                   "web", 0, NULL, now);
			rc = mid < 0 ? (int)mid : store_ticket_set_status(d, t.id, "closed", now);
			if (rc == 0)
				rc = ticket_search_changed(d, t.id);
			if (rc == 0)
				rc = webhook_queue_event(d, WEBHOOK_STATUS_CHANGED, t.id, now);
			if (rc == 0)
				rc = sla_ticket_event(d, t.id, SLA_CHANGED, now);
			if (rc == 0)
				rc = csat_after_change(d, NULL, &t, CSAT_CLOSED, now);
			if (rc == 0) {
				int64_t aid = store_audit_insert(d, t.id, "system", 0, "status", "answered",
				                                 "closed", now);
				rc = aid < 0 ? (int)aid : 0;
			}
		} else {
			rc = 1; /* nothing to do for this one */
		}
		if (rc < 0) {
			db_rollback(d);
			continue;
		}
		if (db_commit(d) == 0 && rc == 0)
			closed++;
	}
	arena_free(a);
	return closed;
}
