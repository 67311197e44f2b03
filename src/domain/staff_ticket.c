#include "domain/staff_ticket.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/webhook.h"
#include "mail/thread.h"
#include "store/account_store.h"
#include "store/ticket_store.h"
#include "view/i18n.h"

static const struct {
	const char *name;
	int bit;
} statuses[] = {
	{"open", STATUS_BIT_OPEN},
	{"answered", STATUS_BIT_ANSWERED},
	{"customer-reply", STATUS_BIT_CUSTOMER_REPLY},
	{"on-hold", STATUS_BIT_ON_HOLD},
	{"in-progress", STATUS_BIT_IN_PROGRESS},
	{"closed", STATUS_BIT_CLOSED},
};

int ticket_status_bit(const char *status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (str_eq(status, statuses[i].name))
			return statuses[i].bit;
	return 0;
}

bool ticket_status_valid(const char *status)
{
	return ticket_status_bit(status) != 0;
}

/* 1 when staff may act on tickets of department_id. */
static int may_act(db *d, const struct session *staff, int64_t department_id)
{
	if (!staff || staff->kind != ACCOUNT_STAFF)
		return 0;
	if (staff->admin)
		return 1;
	return store_staff_in_department(d, staff->user_id, department_id);
}

int staff_ticket_get(db *d, const struct session *staff, int64_t number, arena *a,
                     struct ticket_row *row)
{
	if (number <= 0)
		return 0;
	int rc = store_ticket_get_by_number(d, number, a, row);
	if (rc != 1)
		return rc;
	return may_act(d, staff, row->department_id);
}

/* "%word%" with LIKE's wildcards escaped. */
static const char *like_pattern(arena *a, const char *text)
{
	size_t n = strlen(text);
	char *out = arena_alloc(a, n * 2 + 3);
	if (!out)
		return "";
	size_t j = 0;
	out[j++] = '%';
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
			out[j++] = '\\';
		out[j++] = text[i];
	}
	out[j++] = '%';
	out[j] = '\0';
	return out;
}

int staff_queue(db *d, const struct session *staff, const struct queue_filter *f, arena *a,
                struct queue_row *rows)
{
	struct queue_query q = {
		.staff_id = staff->user_id,
		.all_departments = staff->admin,
		.department_id = f->department_id,
		.status_mask = f->status_mask ? f->status_mask : STATUS_BITS_NOT_CLOSED,
		.priority = f->priority ? f->priority : "",
		.assignee = f->assignee,
		.by_priority = f->by_priority,
		.after_rank = f->after_rank,
		.after_updated = f->after_updated,
		.after_id = f->after_id,
		.limit = f->limit,
	};
	if (f->text && *f->text) {
		q.number = ticket_number_parse(f->text);
		q.text = like_pattern(a, f->text);
	}
	return store_queue_list(d, &q, a, rows);
}

int staff_queue_counts(db *d, const struct session *staff, arena *a, struct queue_count *rows,
                       int max)
{
	return store_queue_counts(d, staff->user_id, staff->admin, a, rows, max);
}

int staff_departments(db *d, const struct session *staff, arena *a, struct named_row *rows, int max)
{
	return store_departments_for_staff(d, staff->user_id, staff->admin, a, rows, max);
}

/* Writes a message by staff (a reply or a note) with its files. Returns
 * 0, 1 when the same submission was already saved, or < 0. */
static int insert_staff_message(db *d, const struct session *staff, const struct ticket_row *t,
                                const struct staff_post *p, int internal, int64_t now)
{
	int64_t mid = store_message_insert(d, t->id, "staff", 0, staff->user_id, staff->name,
	                                   p->message, "web", internal, p->submission_key, now);
	if (mid == DB_CONSTRAINT && p->submission_key &&
	    store_message_id_by_submission(d, t->id, p->submission_key) > 0)
		return 1;
	if (mid < 0)
		return (int)mid;
	return ticket_store_attachments(d, mid, p->files, p->nfiles, now);
}

static int check_post(const struct staff_post *p, struct ticket_errors *e)
{
	memset(e, 0, sizeof *e);
	if (str_blank(p->message)) {
		e->message = N_("Write a message.");
		return TICKET_INVALID;
	}
	if (strlen(p->message) > TICKET_MESSAGE_MAX) {
		e->message = N_("The message is too long. Attach long logs as files.");
		return TICKET_INVALID;
	}
	return TICKET_OK;
}

int staff_reply(db *d, const struct mailer *m, const struct session *staff, int64_t number,
                const struct staff_post *p, int64_t now, struct ticket_errors *errors)
{
	int rc = check_post(p, errors);
	if (rc != TICKET_OK)
		return rc;
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	rc = staff_ticket_get(d, staff, number, a, &t);
	if (rc <= 0) {
		rc = rc < 0 ? rc : TICKET_NOT_FOUND;
		goto fail;
	}
	/* Two people on one ticket: a reply since the page opened is not
	 * crossed silently. */
	int64_t last = store_message_last_visible(d, t.id);
	if (last < 0) {
		rc = (int)last;
		goto fail;
	}
	if (!p->confirmed && p->seen_message_id > 0 && last > p->seen_message_id) {
		rc = TICKET_COLLISION;
		goto fail;
	}
	rc = insert_staff_message(d, staff, &t, p, 0, now);
	if (rc == 1) {
		rc = TICKET_OK; /* sent twice: the first stands */
		goto fail;
	}
	if (rc == 0)
		rc = store_ticket_touch(d, t.id, "answered", "staff", now);
	if (rc == 0)
		rc = webhook_queue_event(d, WEBHOOK_STAFF_REPLY, t.id, now);
	if (rc == 0) {
		vm_obj *ctx = vm_new(a);
		vm_set_int(ctx, "number", t.number);
		vm_set_text(ctx, "subject", t.subject);
		vm_set_text(ctx, "department", t.department_name);
		vm_set_text(ctx, "name", t.client_name);
		vm_set_text(ctx, "staff_name", staff->name);
		vm_set_text(ctx, "message", p->message);
		vm_set_textf(ctx, "link", "%s/tickets/%lld", m->base_url, (long long)t.number);
		rc = mail_thread_notify(d, m, "ticket_staff_reply", lang_or_default(t.client_language), ctx,
		                  t.client_email, t.client_name, t.id);
	}
	if (rc < 0)
		goto fail;
	rc = db_commit(d);
	goto out;
fail:
	db_rollback(d);
out:
	arena_free(a);
	return rc;
}

int staff_note(db *d, const struct session *staff, int64_t number, const struct staff_post *p,
               int64_t now, struct ticket_errors *errors)
{
	int rc = check_post(p, errors);
	if (rc != TICKET_OK)
		return rc;
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	rc = staff_ticket_get(d, staff, number, a, &t);
	if (rc <= 0) {
		db_rollback(d);
		rc = rc < 0 ? rc : TICKET_NOT_FOUND;
		goto out;
	}
	rc = insert_staff_message(d, staff, &t, p, 1, now);
	if (rc < 0) {
		db_rollback(d);
		goto out;
	}
	if (rc == 1) {
		db_rollback(d);
		rc = TICKET_OK;
		goto out;
	}
	rc = db_commit(d);
out:
	arena_free(a);
	return rc;
}

static int audit(db *d, const struct session *staff, int64_t ticket_id, const char *action,
                 const char *old_value, const char *new_value, int64_t now)
{
	int64_t id = store_audit_insert(d, ticket_id, "staff", staff->user_id, action, old_value,
	                                new_value, now);
	return id < 0 ? (int)id : 0;
}

static int change_status(db *d, const struct session *staff, const struct ticket_row *t,
                         const char *status, int64_t now)
{
	if (!status || str_eq(status, t->status))
		return 0;
	if (!ticket_status_valid(status))
		return TICKET_INVALID;
	int rc = store_ticket_set_status(d, t->id, status, now);
	if (rc == 0)
		rc = webhook_queue_event(d, WEBHOOK_STATUS_CHANGED, t->id, now);
	return rc ? rc : audit(d, staff, t->id, "status", t->status, status, now);
}

static int change_priority(db *d, const struct session *staff, const struct ticket_row *t,
                           const char *priority, int64_t now)
{
	if (!priority || str_eq(priority, t->priority))
		return 0;
	if (!str_eq(priority, "low") && !str_eq(priority, "medium") && !str_eq(priority, "high"))
		return TICKET_INVALID;
	int rc = store_ticket_set_priority(d, t->id, priority, now);
	return rc ? rc : audit(d, staff, t->id, "priority", t->priority, priority, now);
}

static int change_department(db *d, const struct session *staff, const struct ticket_row *t,
                             int64_t department_id, arena *a, int64_t now)
{
	if (department_id <= 0 || department_id == t->department_id)
		return 0;
	const char *name = store_department_name(d, department_id, a);
	if (!name)
		return TICKET_INVALID;
	/* An agent may hand a ticket to another department (and lose it). */
	int rc = store_ticket_set_department(d, t->id, department_id, now);
	return rc ? rc : audit(d, staff, t->id, "department", t->department_name, name, now);
}

static int change_assignee(db *d, const struct session *staff, const struct ticket_row *t,
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
	return rc ? rc : audit(d, staff, t->id, "assignee", old_name, new_name, now);
}

int staff_update(db *d, const struct session *staff, int64_t number,
                 const struct ticket_changes *c, int64_t now)
{
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	int rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	rc = staff_ticket_get(d, staff, number, a, &t);
	if (rc <= 0) {
		rc = rc < 0 ? rc : TICKET_NOT_FOUND;
		goto fail;
	}
	rc = change_priority(d, staff, &t, c->priority, now);
	if (rc == 0)
		rc = change_status(d, staff, &t, c->status, now);
	if (rc == 0)
		rc = change_assignee(d, staff, &t, c->assignee_id, a, now);
	if (rc == 0)
		rc = change_department(d, staff, &t, c->department_id, a, now);
	if (rc != 0)
		goto fail;
	rc = db_commit(d);
	goto out;
fail:
	db_rollback(d);
out:
	arena_free(a);
	return rc;
}

int staff_merge(db *d, const struct session *staff, int64_t number, int64_t into_number,
                int64_t now)
{
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct ticket_row from, into;
	int rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	rc = staff_ticket_get(d, staff, number, a, &from);
	if (rc <= 0) {
		rc = rc < 0 ? rc : TICKET_NOT_FOUND;
		goto fail;
	}
	rc = into_number == number ? 0 : staff_ticket_get(d, staff, into_number, a, &into);
	/* Only one client's tickets merge: the other's would see these messages. */
	if (rc == 1 && into.client_id != from.client_id)
		rc = 0;
	if (rc <= 0) {
		rc = rc < 0 ? rc : TICKET_INVALID;
		goto fail;
	}
	char from_text[24], into_text[24];
	snprintf(from_text, sizeof from_text, "%lld", (long long)from.number);
	snprintf(into_text, sizeof into_text, "%lld", (long long)into.number);
	rc = store_ticket_merge(d, from.id, into.id, now);
	if (rc == 0 && !str_eq(from.status, "closed"))
		rc = audit(d, staff, from.id, "status", from.status, "closed", now);
	if (rc == 0)
		rc = audit(d, staff, from.id, "merged_into", "", into_text, now);
	if (rc == 0)
		rc = audit(d, staff, into.id, "merged_from", "", from_text, now);
	if (rc != 0)
		goto fail;
	rc = db_commit(d);
	goto out;
fail:
	db_rollback(d);
out:
	arena_free(a);
	return rc;
}

int staff_attachment(db *d, const struct session *staff, int64_t number, int64_t attachment_id,
                     arena *a, struct attachment_row *row)
{
	struct ticket_row t;
	int rc = staff_ticket_get(d, staff, number, a, &t);
	if (rc != 1)
		return rc;
	rc = store_attachment_get(d, attachment_id, a, row);
	if (rc != 1)
		return rc;
	return row->ticket_id == t.id ? 1 : 0;
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

int staff_client_summary(db *d, int64_t client_id, arena *a, const char **name, const char **email)
{
	struct account_row row;
	int rc = store_account_get(d, "client", client_id, &row);
	if (rc != 1)
		return rc;
	if (!row.active)
		return 0;
	*name = arena_strdup(a, row.name);
	*email = arena_strdup(a, row.email);
	return *name && *email ? 1 : DB_NOMEM;
}

int staff_client_services(db *d, int64_t client_id, arena *a, struct service_row *rows, int max)
{
	return store_service_list_by_client(d, client_id, a, rows, max);
}

int staff_open_for_client(db *d, const struct mailer *m, const struct session *staff,
                          int64_t client_id, struct ticket_form *f, int64_t now,
                          struct ticket_errors *errors, int64_t *number)
{
	if (!staff || staff->kind != ACCOUNT_STAFF)
		return TICKET_NOT_FOUND;
	struct account_row row;
	int rc = store_account_get(d, "client", client_id, &row);
	if (rc < 0)
		return rc;
	if (rc == 0 || !row.active)
		return TICKET_NOT_FOUND;
	struct session client = {.kind = ACCOUNT_CLIENT, .user_id = row.id};
	snprintf(client.name, sizeof client.name, "%s", row.name);
	snprintf(client.email, sizeof client.email, "%s", row.email);
	f->staff = staff;
	return ticket_open(d, m, &client, f, now, errors, number);
}

int staff_ticket_audit(db *d, int64_t ticket_id, arena *a, struct audit_row *rows, int max)
{
	return store_audit_list(d, ticket_id, a, rows, max);
}

int staff_client_other_tickets(db *d, const struct ticket_row *t, arena *a, struct ticket_row *rows,
                               int max)
{
	return store_client_open_tickets(d, t->client_id, t->id, a, rows, max);
}

int staff_all_departments(db *d, arena *a, struct named_row *rows, int max)
{
	return store_departments_all(d, a, rows, max);
}

int staff_active_members(db *d, arena *a, struct named_row *rows, int max)
{
	return store_staff_active(d, a, rows, max);
}

int staff_predefined_replies(db *d, int64_t department_id, arena *a, struct predefined_row *rows,
                             int max)
{
	return store_predefined_for_department(d, department_id, a, rows, max);
}

int staff_oldest_waiting(db *d, const struct session *staff, arena *a, struct ticket_row *rows,
                         int max)
{
	return store_oldest_waiting(d, staff->user_id, staff->admin, a, rows, max);
}

int staff_tickets_per_day(db *d, int64_t since, int days, struct day_count *out)
{
	return store_tickets_per_day(d, since, days, out);
}
