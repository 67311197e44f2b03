/* The staff panel's tickets: the queue (/staff/tickets, filters in the URL
 * so a view can be bookmarked), a ticket (/staff/tickets/:number) with the
 * client's details, the thread with internal notes, and the reply, note,
 * change and merge forms. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/contact.h"
#include "domain/csat.h"
#include "domain/custom_field.h"
#include "domain/inbound.h"
#include "domain/sla.h"
#include "domain/staff_ticket.h"
#include "domain/ticket_cc.h"
#include "domain/ticket_number.h"
#include "domain/ticket_relation.h"
#include "domain/ticket_tag.h"
#include "domain/token.h"
#include "view/markdown.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/sla_view.h"
#include "web/staff.h"
#include "web/thread.h"

enum { QUEUE_PAGE = 25, NAMED_MAX = 100, COUNTS_MAX = 200, PREDEFINED_MAX = 100 };
/* What a ticket page shows at most beside the ticket. */
enum { RELATED_MAX = 20, OTHER_TICKETS_MAX = 10, AUDIT_MAX = 500 };

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

static const char *form_text(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v ? v : "";
}

struct session *staff_required(struct request *req)
{
	struct session *s = web_staff(req);
	if (!s)
		web_require_login(req);
	return s;
}

/* "há 3 horas" since t, for waiting times. */
static void set_waiting(struct request *req, vm_obj *o, int64_t since)
{
	page_time(req, o, "waiting", since);
}

/* ---- the queue ---- */

static int status_mask_from_query(struct request *req)
{
	int mask = 0;
	for (const struct kv *e = req->query.head; e; e = e->next)
		if (str_eq(e->key, "status"))
			mask |= ticket_status_bit(e->value);
	return mask;
}

/* The query string of the current filter, without the cursor. */
static const char *filter_query(struct request *req, const struct queue_filter *f)
{
	buf b;
	buf_init(&b, 2048);
	buf_printf(&b, "department=%lld", (long long)f->department_id);
	for (size_t i = 0; i < 6; i++) {
		static const char *names[] = {"open", "answered", "customer-reply", "on-hold", "in-progress", "closed"};
		if (f->status_mask & (1 << i))
			buf_printf(&b, "&status=%s", names[i]);
	}
	if (f->priority && *f->priority)
		buf_printf(&b, "&priority=%s", f->priority);
	buf_printf(&b, "&assignee=%s", f->assignee == 1 ? "me" : f->assignee == 2 ? "nobody" : "any");
	if (f->text && *f->text) {
		buf_puts(&b, "&q=");
		for (const unsigned char *p = (const unsigned char *)f->text; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
				buf_putc(&b, (char)*p);
			else
				buf_printf(&b, "%%%02X", *p);
		}
	}
	buf_printf(&b, "&sort=%s", f->by_due ? "due" : f->by_priority ? "priority" : "updated");
	if (f->sla)
		buf_printf(&b, "&sla=%s", f->sla == 1 ? "breached" : "near");
	if (f->tag && *f->tag)
		buf_printf(&b, "&tag=%s", staff_query_escape(req, f->tag));
	if (f->field_id)
		buf_printf(&b, "&field=%lld&value=%s", (long long)f->field_id,
		           staff_query_escape(req, f->field_value));
	const char *out = arena_strndup(req->arena, buf_str(&b), b.len);
	buf_free(&b);
	return out ? out : "";
}

static bool parse_cursor(const char *s, struct queue_filter *f)
{
	long long rank, updated, id;
	char tail;
	if (sscanf(s, "%lld.%lld.%lld%c", &rank, &updated, &id, &tail) != 3 || id <= 0 || rank < 0 ||
	    rank > 2 || updated < 0)
		return false;
	f->after_rank = rank;
	f->after_updated = updated;
	f->after_id = id;
	return true;
}

static void add_named_options(struct request *req, vm_obj *page, const char *list_name,
                              const struct named_row *rows, int n, int64_t selected)
{
	(void)req;
	vm_list *list = vm_set_list(page, list_name);
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_bool(o, "selected", rows[i].id == selected);
	}
}

static void add_status_options(struct request *req, vm_obj *page, const char *list_name,
                               int mask, const char *selected)
{
	static const char *names[] = {"open", "answered", "customer-reply", "on-hold", "in-progress", "closed"};
	vm_list *list = vm_set_list(page, list_name);
	for (size_t i = 0; i < 6; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "value", names[i]);
		vm_set_text(o, "label", tr(req, ticket_status_label(names[i])));
		vm_set_bool(o, "checked", (mask & (1 << i)) != 0);
		vm_set_bool(o, "selected", selected && str_eq(selected, names[i]));
	}
}

static void add_queue_counts(struct request *req, vm_obj *page, struct session *s)
{
	struct queue_count counts[COUNTS_MAX];
	int n = staff_queue_counts(req_db(req), s, req->arena, counts, COUNTS_MAX);
	vm_list *deps = vm_set_list(page, "queues");
	vm_list *statuses = NULL;
	int64_t cur_id = -1, total = 0;
	for (int i = 0; i < n; i++) {
		if (counts[i].department_id != cur_id) {
			vm_obj *cur = vm_list_add(deps);
			cur_id = counts[i].department_id;
			vm_set_int(cur, "id", cur_id);
			vm_set_text(cur, "name", counts[i].department_name);
			statuses = vm_set_list(cur, "statuses");
		}
		vm_obj *st = vm_list_add(statuses);
		vm_set_text(st, "status", counts[i].status);
		vm_set_text(st, "label", tr(req, ticket_status_label(counts[i].status)));
		vm_set_int(st, "count", counts[i].count);
		total += counts[i].count;
	}
	vm_set_int(page, "queue_total", total);
}

/* GET /staff/tickets — 200; 400 for a malformed cursor; 303 signed out. */
void staff_queue_show(struct request *req)
{
	struct session *s = staff_required(req);
	if (!s)
		return;
	db *d = req_db(req);
	struct queue_filter f = {.limit = QUEUE_PAGE + 1};
	str_to_int64(req_query(req, "department"), 0, INT64_MAX, &f.department_id);
	f.status_mask = status_mask_from_query(req);
	if (!f.status_mask)
		f.status_mask = STATUS_BITS_NOT_CLOSED;
	const char *priority = req_query(req, "priority");
	if (str_eq(priority, "low") || str_eq(priority, "medium") || str_eq(priority, "high"))
		f.priority = priority;
	const char *assignee = req_query(req, "assignee");
	f.assignee = str_eq(assignee, "me") ? 1 : str_eq(assignee, "nobody") ? 2 : 0;
	char text[200];
	snprintf(text, sizeof text, "%s", req_query(req, "q") ? req_query(req, "q") : "");
	f.text = str_trim(text);
	f.tag = req_query(req, "tag");
	if (str_to_int64(req_query(req, "field"), 1, INT64_MAX, &f.field_id))
		f.field_value = req_query(req, "value") ? req_query(req, "value") : "";
	f.by_priority = str_eq(req_query(req, "sort"), "priority");
	f.by_due = str_eq(req_query(req, "sort"), "due");
	f.sla = str_eq(req_query(req, "sla"), "breached") ? 1 : str_eq(req_query(req, "sla"), "near") ? 2 : 0;
	f.by_due |= f.sla != 0; /* the SLA filters walk the due-time index */
	f.now = sla_clock_now();
	const char *after = req_query(req, "after");
	if (after && !parse_cursor(after, &f)) {
		resp_error(req, 400);
		return;
	}
	/* On PostgreSQL the page's other reads go out with the queue's own,
	 * in one round trip (staff_queue_tag_field_filters reads the last two). */
	staff_departments_prefetch(d, s, NAMED_MAX);
	staff_queue_counts_prefetch(d, s, COUNTS_MAX);
	ticket_tag_counts_prefetch(d, s, TAG_COUNTS_MAX);
	custom_fields_list_prefetch(d, 0, false);
	struct queue_row *rows = arena_alloc(req->arena, (QUEUE_PAGE + 1) * sizeof *rows);
	int n = rows ? staff_queue(d, s, &f, req->arena, rows) : DB_NOMEM;
	vm_obj *page = n >= 0 ? page_new(req, "Tickets", "queue") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	bool more = n > QUEUE_PAGE;
	if (more)
		n = QUEUE_PAGE;
	struct named_row deps[NAMED_MAX];
	int nd = staff_departments(d, s, req->arena, deps, NAMED_MAX);
	add_named_options(req, page, "departments", deps, nd > 0 ? nd : 0, f.department_id);
	add_status_options(req, page, "statuses", f.status_mask, NULL);
	vm_set_bool(page, "priority_low", str_eq(f.priority, "low"));
	vm_set_bool(page, "priority_medium", str_eq(f.priority, "medium"));
	vm_set_bool(page, "priority_high", str_eq(f.priority, "high"));
	vm_set_bool(page, "assignee_me", f.assignee == 1);
	vm_set_bool(page, "assignee_nobody", f.assignee == 2);
	vm_set_text(page, "q", f.text);
	vm_set_bool(page, "sort_priority", f.by_priority && !f.by_due);
	vm_set_bool(page, "sort_due", f.by_due);
	vm_set_bool(page, "sla_breached", f.sla == 1);
	vm_set_bool(page, "sla_near", f.sla == 2);
	add_queue_counts(req, page, s);
	staff_queue_tag_field_filters(req, page, &f, deps, nd > 0 ? nd : 0);
	vm_set_bool(page, "has_tickets", n > 0);
	vm_list *list = vm_set_list(page, "tickets");
	for (int i = 0; i < n; i++) {
		const struct ticket_row *t = &rows[i].t;
		vm_obj *o = vm_list_add(list);
		page_ticket_number(o, t);
		vm_set_text(o, "subject", t->subject);
		vm_set_text(o, "client", t->client_name);
		vm_set_text(o, "department", t->department_name);
		vm_set_text(o, "status", t->status);
		vm_set_text(o, "status_label", tr(req, ticket_status_label(t->status)));
		vm_set_text(o, "priority", t->priority);
		vm_set_text(o, "priority_label", tr(req, ticket_priority_label(t->priority)));
		vm_set_text(o, "assignee", rows[i].assignee_name[0] ? rows[i].assignee_name : "—");
		bool waiting = str_eq(t->status, "open") || str_eq(t->status, "customer-reply");
		vm_set_bool(o, "waiting_for_us", waiting);
		if (waiting)
			set_waiting(req, o, t->last_reply_at);
		struct sla_badge badge;
		sla_badge_of(d, rows[i].sla_calendar_id, rows[i].sla_due, rows[i].sla_warn_at, f.now, &badge);
		sla_view_badge(req, o, &badge);
	}
	const char *base = filter_query(req, &f);
	vm_set_text(page, "filter_query", base);
	if (more)
		vm_set_textf(page, "next", "/staff/tickets?%s&after=%d.%lld.%lld", base,
		             f.by_due ? 0 : rows[n - 1].rank,
		             (long long)(f.by_due ? rows[n - 1].sla_due : rows[n - 1].t.updated_at),
		             (long long)rows[n - 1].t.id);
	vm_set_bool(page, "paged", after != NULL);
	page_render(req, 200, "staff/queue", page);
}

/* ---- a ticket ---- */

struct ticket_row *staff_ticket_load(struct request *req, struct session *s)
{
	struct ticket_row *t = arena_alloc(req->arena, sizeof *t);
	int rc = t ? staff_ticket_get(req_db(req), s, ticket_number_parse(req_param(req, "number")),
	                              req->arena, t)
	           : DB_NOMEM;
	if (rc == 1)
		return t;
	resp_error(req, rc == 0 ? 404 : 500);
	return NULL;
}

static const char *audit_text(struct request *req, const struct audit_row *e)
{
	const char *who = e->actor_name[0] ? e->actor_name : tr(req, "The system");
	if (str_eq(e->action, "status"))
		return arena_printf(req->arena, tr(req, "%s changed the status from %s to %s"), who,
		                    tr(req, ticket_status_label(e->old_value)),
		                    tr(req, ticket_status_label(e->new_value)));
	if (str_eq(e->action, "priority"))
		return arena_printf(req->arena, tr(req, "%s changed the priority from %s to %s"), who,
		                    tr(req, ticket_priority_label(e->old_value)),
		                    tr(req, ticket_priority_label(e->new_value)));
	if (str_eq(e->action, "department"))
		return arena_printf(req->arena, tr(req, "%s moved the ticket from %s to %s"), who,
		                    e->old_value, e->new_value);
	if (str_eq(e->action, "assignee")) {
		if (!e->new_value[0])
			return arena_printf(req->arena, tr(req, "%s removed the assignee %s"), who, e->old_value);
		return arena_printf(req->arena, tr(req, "%s assigned the ticket to %s"), who, e->new_value);
	}
	if (str_eq(e->action, "merged_into"))
		return arena_printf(req->arena, tr(req, "%s merged this ticket into #%s"), who, e->new_value);
	if (str_eq(e->action, "merged_from"))
		return arena_printf(req->arena, tr(req, "%s merged ticket #%s into this one"), who, e->new_value);
	if (str_eq(e->action, "linked"))
		return arena_printf(req->arena, tr(req, "%s linked this ticket to #%s"), who, e->new_value);
	if (str_eq(e->action, "unlinked"))
		return arena_printf(req->arena, tr(req, "%s removed the link to #%s"), who, e->new_value);
	if (str_eq(e->action, "split_to"))
		return arena_printf(req->arena, tr(req, "%s split the later messages into ticket #%s"), who, e->new_value);
	if (str_eq(e->action, "cc_added"))
		return arena_printf(req->arena, tr(req, "%s added %s in copy (CC)"), who, e->new_value);
	if (str_eq(e->action, "cc_removed"))
		return arena_printf(req->arena, tr(req, "%s removed %s from the copies (CC)"), who, e->old_value);
	if (str_eq(e->action, "access_revoked"))
		return arena_printf(req->arena, tr(req, "%s revoked the access link of %s"), who, e->new_value);
	if (str_eq(e->action, "escalation"))
		return arena_printf(req->arena, tr(req, "Escalation: %s"), e->new_value);
	if (str_eq(e->action, "tag_added"))
		return arena_printf(req->arena, tr(req, "%s added the tag %s"), who, e->new_value);
	if (str_eq(e->action, "tag_removed"))
		return arena_printf(req->arena, tr(req, "%s removed the tag %s"), who, e->old_value);
	if (str_eq(e->action, "field")) {
		/* label US value US kind (custom_field.c) */
		const char *sep = strchr(e->new_value, '\x1f');
		const char *label = sep ? arena_strndup(req->arena, e->new_value, (size_t)(sep - e->new_value)) : "";
		const char *value = sep ? sep + 1 : e->new_value;
		const char *kind = strchr(value, '\x1f');
		if (kind)
			value = arena_strndup(req->arena, value, (size_t)(kind - value));
		if (kind && str_eq(kind + 1, "checkbox"))
			return arena_printf(req->arena, tr(req, "%s set %s to %s"), who, label,
			                    tr(req, *value ? "Yes" : "No"));
		if (!*value)
			return arena_printf(req->arena, tr(req, "%s cleared %s"), who, label);
		return arena_printf(req->arena, tr(req, "%s set %s to %s"), who, label, value);
	}
	if (str_eq(e->action, "split_from"))
		return arena_printf(req->arena, tr(req, "%s split this ticket from #%s"), who, e->new_value);
	return arena_printf(req->arena, "%s: %s", who, e->action);
}

/* Messages and audit entries, merged in time order. */
static void add_thread(struct request *req, vm_obj *page, const struct ticket_row *t)
{
	db *d = req_db(req);
	struct ticket_thread th;
	struct audit_row *audit = arena_alloc(req->arena, AUDIT_MAX * sizeof *audit);
	int na = audit ? staff_ticket_audit(d, t->id, req->arena, audit, AUDIT_MAX) : 0;
	th.client_id = t->client_id;
	if (ticket_thread_load(d, t->id, true, req->arena, &th) < 0)
		th.nmessages = 0;
	const char *base = arena_printf(req->arena, "/staff/tickets/%lld", (long long)t->number);
	vm_list *list = vm_set_list(page, "thread");
	int ia = 0;
	int64_t last_visible = 0;
	for (int im = 0; im <= th.nmessages; im++) {
		int64_t when = im < th.nmessages ? th.messages[im].created_at : INT64_MAX;
		while (ia < na && audit[ia].created_at <= when) {
			vm_obj *o = vm_list_add(list);
			vm_set_bool(o, "event", true);
			vm_set_text(o, "text", audit_text(req, &audit[ia]));
			page_time(req, o, "at", audit[ia].created_at);
			ia++;
		}
		if (im == th.nmessages)
			break;
		const struct message_row *m = &th.messages[im];
		vm_obj *o = vm_list_add(list);
		vm_set_bool(o, "message", true);
		vm_set_text(o, "author", m->author_name[0] ? m->author_name : tr(req, "System"));
		vm_set_bool(o, "internal", m->internal);
		thread_message(req, o, &th, m, base, false);
		if (str_eq(m->channel, "email"))
			vm_set_textf(o, "original_url", "/staff/tickets/%lld/messages/%lld/original",
			             (long long)t->number, (long long)m->id);
		if (im > 0)
			vm_set_textf(o, "split_url", "/staff/tickets/%lld/split?message=%lld",
			             (long long)t->number, (long long)m->id);
		if (!m->internal && m->id > last_visible)
			last_visible = m->id;
	}
	vm_set_int(page, "seen", last_visible);
}

static void add_client_panel(struct request *req, vm_obj *page, const struct ticket_row *t)
{
	vm_obj *c = vm_set_obj(page, "client");
	vm_set_text(c, "name", t->client_name);
	vm_set_text(c, "email", t->client_email);
	vm_set_text(c, "service", t->service_label);
	struct ticket_row related[RELATED_MAX];
	int nr = ticket_related(req_db(req), web_staff(req), t, req->arena, related, RELATED_MAX);
	vm_list *rl = vm_set_list(page, "related");
	for (int i = 0; i < nr; i++) {
		vm_obj *o = vm_list_add(rl);
		page_ticket_number(o, &related[i]);
		vm_set_text(o, "subject", related[i].subject);
		vm_set_text(o, "status_label", tr(req, ticket_status_label(related[i].status)));
	}
	vm_set_bool(page, "has_related", nr > 0);
	struct ticket_row others[OTHER_TICKETS_MAX];
	int n = staff_client_other_tickets(req_db(req), web_staff(req), t, req->arena, others,
	                                   OTHER_TICKETS_MAX);
	vm_list *list = vm_set_list(c, "open_tickets");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		page_ticket_number(o, &others[i]);
		vm_set_text(o, "subject", others[i].subject);
		vm_set_text(o, "status_label", tr(req, ticket_status_label(others[i].status)));
	}
	vm_set_bool(c, "has_open_tickets", n > 0);
	/* Who of the account may write here, so staff know who wrote what. */
	struct contact_row *contacts = arena_alloc(req->arena, CONTACT_MAX * sizeof *contacts);
	int nc = contacts ? contact_list_of_account(req_db(req), t->client_id, req->arena, contacts,
	                                            CONTACT_MAX)
	                  : 0;
	vm_list *cl = vm_set_list(c, "contacts");
	for (int i = 0; i < nc; i++) {
		vm_obj *o = vm_list_add(cl);
		vm_set_text(o, "name", contacts[i].name);
		vm_set_text(o, "email", contacts[i].email);
		vm_set_bool(o, "can_tickets", contacts[i].can_tickets);
		vm_set_bool(o, "gets_emails", contacts[i].gets_emails);
	}
	vm_set_bool(c, "has_contacts", nc > 0);
}

/* The CC box: each CC with remove and revoke, the client's link. */
static void add_cc_panel(struct request *req, vm_obj *page, const struct ticket_row *t)
{
	struct cc_row rows[TICKET_CC_MAX];
	int n = ticket_cc_list(req_db(req), t->id, req->arena, rows, TICKET_CC_MAX);
	vm_list *list = vm_set_list(page, "ccs");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "email", rows[i].email);
		vm_set_text(o, "name", rows[i].name);
		vm_set_bool(o, "live", rows[i].live_keys > 0);
	}
	vm_set_bool(page, "has_ccs", n > 0);
	vm_set_bool(page, "client_link_live", ticket_access_client_live(req_db(req), t->id) == 1);
	vm_set_text(page, "cc_email", form_text(req, "cc_email"));
	vm_set_text(page, "cc_name", form_text(req, "cc_name"));
}

static void add_action_options(struct request *req, vm_obj *page, const struct ticket_row *t)
{
	db *d = req_db(req);
	struct named_row rows[NAMED_MAX];
	add_status_options(req, page, "status_options", 0, t->status);
	int n = staff_all_departments(d, req->arena, rows, NAMED_MAX);
	add_named_options(req, page, "department_options", rows, n > 0 ? n : 0, t->department_id);
	n = staff_active_members(d, req->arena, rows, NAMED_MAX);
	add_named_options(req, page, "assignee_options", rows, n > 0 ? n : 0, t->assignee_id);
	vm_set_bool(page, "unassigned", t->assignee_id == 0);
	vm_set_bool(page, "p_low", str_eq(t->priority, "low"));
	vm_set_bool(page, "p_medium", str_eq(t->priority, "medium"));
	vm_set_bool(page, "p_high", str_eq(t->priority, "high"));
	struct predefined_row pre[PREDEFINED_MAX];
	n = staff_predefined_replies(d, t->department_id, req->arena, pre, PREDEFINED_MAX);
	vm_list *list = vm_set_list(page, "predefined");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", pre[i].id);
		vm_set_text(o, "title", pre[i].title);
		vm_set_text(o, "body", pre[i].body); /* inserted at the cursor by predefined.js */
	}
	vm_set_bool(page, "has_predefined", n > 0);
	/* Without JavaScript, "Insert" posts the typed text (POST .../insert)
	 * or loads ?predefined=ID: the page comes back with the reply added. */
	const char *typed = req_form(req, "message");
	const char *choice = typed ? req_form(req, "predefined") : req_query(req, "predefined");
	bool inserting = !typed || str_eq(req_form(req, "insert"), "1");
	const char *inserted = NULL;
	int64_t chosen;
	if (inserting && str_to_int64(choice, 1, INT64_MAX, &chosen))
		for (int i = 0; i < n; i++)
			if (pre[i].id == chosen)
				inserted = pre[i].body;
	const char *reply = typed ? typed : "";
	if (inserted)
		reply = str_blank(reply) ? inserted : arena_printf(req->arena, "%s\n\n%s", reply, inserted);
	vm_set_text(page, "reply", reply);
}

/* Sends ahead (db_prefetch) each read of staff_ticket_page that follows
 * from the ticket row alone, with the very arguments the page's calls pass
 * later (add_tags and add_fields in staff_tags.c too); a read sent with
 * other values is simply not taken. Not sent: the SLA calendar and the
 * related tickets' permission checks, which depend on what comes back. */
static void prefetch_page(struct request *req, const struct ticket_row *t)
{
	db *d = req_db(req);
	struct session *s = web_staff(req);
	sla_ticket_badge_prefetch(d, t->id);
	csat_for_ticket_prefetch(d, t->id);
	ticket_related_prefetch(d, t);
	if (s)
		staff_client_other_tickets_prefetch(d, s, t, OTHER_TICKETS_MAX);
	contact_list_of_account_prefetch(d, t->client_id, CONTACT_MAX);
	ticket_cc_list_prefetch(d, t->id);
	ticket_access_client_live_prefetch(d, t->id);
	ticket_tags_prefetch(d, t->id, TICKET_TAGS_MAX);
	ticket_tag_counts_prefetch(d, s, TAG_COUNTS_MAX);
	ticket_field_values_prefetch(d, t->id, false);
	custom_fields_list_prefetch(d, t->department_id, false);
	staff_ticket_audit_prefetch(d, t->id, AUDIT_MAX);
	ticket_thread_prefetch(d, t->id, true);
	staff_all_departments_prefetch(d, NAMED_MAX);
	staff_active_members_prefetch(d, NAMED_MAX);
	staff_predefined_replies_prefetch(d, t->department_id);
}

void staff_ticket_page(struct request *req, const struct ticket_row *t, int status,
                        const char *error, bool collision)
{
	/* On PostgreSQL the page's reads go out together, in one round trip. */
	prefetch_page(req, t);
	char shown[TICKET_LABEL_MAX];
	vm_obj *page = page_new(req, arena_printf(req->arena, "#%s %s", ticket_number_shown(t, shown), t->subject), "queue");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_obj *o = vm_set_obj(page, "ticket");
	page_ticket_number(o, t);
	vm_set_text(o, "subject", t->subject);
	vm_set_text(o, "department", t->department_name);
	vm_set_text(o, "status", t->status);
	vm_set_text(o, "status_label", tr(req, ticket_status_label(t->status)));
	vm_set_text(o, "priority", t->priority);
	vm_set_text(o, "priority_label", tr(req, ticket_priority_label(t->priority)));
	page_time(req, o, "created", t->created_at);
	struct sla_state sla;
	struct sla_badge badge;
	if (sla_ticket_badge(req_db(req), t->id, sla_clock_now(), &sla, &badge) == 1)
		sla_view_badge(req, o, &badge);
	struct csat_row csat;
	if (csat_for_ticket(req_db(req), t->id, req->arena, &csat) == 1) {
		vm_obj *c = vm_set_obj(page, "csat");
		vm_set_bool(c, "good", str_eq(csat.rating, "good"));
		vm_set_text(c, "label", tr(req, str_eq(csat.rating, "good") ? "Good" : "Bad"));
		vm_set_text(c, "comment", csat.comment);
		page_time(req, c, "at", csat.updated_at);
	}
	add_client_panel(req, page, t);
	add_cc_panel(req, page, t);
	staff_ticket_tags_fields(req, page, t);
	add_thread(req, page, t);
	add_action_options(req, page, t);
	char key[TOKEN_LEN + 1];
	token_new(key);
	vm_set_text(page, "submission", arena_strdup(req->arena, key));
	if (error)
		vm_set_text(page, "error", error);
	vm_set_bool(page, "collision", collision);
	page_render(req, status, "staff/ticket", page);
}

/* GET /staff/tickets/:number — 200; 404 outside the agent's departments. */
void staff_ticket_show(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (t)
		staff_ticket_page(req, t, 200, NULL, false);
}

/* The ticket page again after a refused reply or note: status 422 with
 * the error, or 409 with the confirmation; 404 outside the agent's
 * departments. */
static void post_refused(struct request *req, struct session *s, int status, const char *error)
{
	struct ticket_row *t = staff_ticket_load(req, s);
	if (t)
		staff_ticket_page(req, t, status, error, status == 409);
}

/* POST /staff/tickets/:number/reply and /note — 303 back; 422 with the
 * text kept; 409 with a confirmation when someone replied meanwhile. The
 * ticket is read in the write's transaction, which checks the agent's
 * department; before it only to show a refusal. */
static void post_message(struct request *req, bool note)
{
	struct session *s = staff_required(req);
	if (!s)
		return;
	int64_t number = ticket_number_parse(req_param(req, "number"));
	struct attachment_in *files;
	const char *upload_error = NULL;
	int nfiles = web_take_attachments(req, &files, &upload_error);
	if (nfiles < 0) {
		post_refused(req, s, 422, upload_error);
		return;
	}
	int64_t seen = 0;
	str_to_int64(form_text(req, "seen"), 0, INT64_MAX, &seen);
	struct ticket_post p = {
		.message = form_text(req, "message"), .files = files, .nfiles = nfiles,
		.submission_key = req_form(req, "submission"), .seen_message_id = seen,
		.confirmed = str_eq(req_form(req, "confirm"), "1"),
	};
	struct ticket_errors e;
	struct actor who = actor_of(s, CHANNEL_WEB);
	int64_t landed = number;
	int rc = note ? ticket_note(req_db(req), &who, number, &p, now(), &e)
	              : ticket_reply_landing(req_db(req), app_notifier(req_app(req)), &who, number, &p,
	                                     now(), &e, &landed);
	if (rc == TICKET_INVALID || rc == TICKET_COLLISION) {
		post_refused(req, s, rc == TICKET_INVALID ? 422 : 409,
		             rc == TICKET_INVALID ? tr(req, e.message) : NULL);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	if (!note)
		app_mail_wake(req_app(req));
	web_flash(req, note ? "note-added" : "reply-sent");
	/* A merged-away ticket's reply went to the ticket it was merged into. */
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/tickets/%lld", (long long)landed));
}

/* POST /staff/tickets/:number/insert — the ticket page again, with the
 * chosen predefined reply added after the typed text (no JavaScript). */
void staff_ticket_insert(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (t)
		staff_ticket_page(req, t, 200, NULL, false);
}

void staff_ticket_reply(struct request *req)
{
	post_message(req, false);
}

void staff_ticket_note(struct request *req)
{
	post_message(req, true);
}

/* POST /staff/tickets/:number/update — 303 back; 422 for a bad value. */
void staff_ticket_update(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	struct ticket_changes c = {.assignee_id = -1};
	c.status = req_form(req, "status");
	c.priority = req_form(req, "priority");
	str_to_int64(form_text(req, "department"), 0, INT64_MAX, &c.department_id);
	const char *assignee = req_form(req, "assignee");
	if (assignee && !str_to_int64(assignee, 0, INT64_MAX, &c.assignee_id))
		c.assignee_id = -1;
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_update(req_db(req), &who, t->number, &c, now());
	if (rc == TICKET_INVALID) {
		staff_ticket_page(req, t, 422, tr(req, "That change is not possible."), false);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "ticket-updated");
	/* Moved to a department the agent is not in: back to the queue. */
	struct ticket_row after;
	bool still = staff_ticket_get(req_db(req), s, t->number, req->arena, &after) == 1;
	resp_redirect(req, 303, still ? arena_printf(req->arena, "/staff/tickets/%lld", (long long)t->number)
	                              : "/staff/tickets");
}

/* POST /staff/tickets/:number/merge (into) — 303 to the target; 422. */
void staff_ticket_merge(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	int64_t into = ticket_number_parse(form_text(req, "into"));
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_merge(req_db(req), &who, t->number, into, now());
	if (rc == TICKET_INVALID) {
		staff_ticket_page(req, t, 422, tr(req, "Enter the number of another ticket of the same client."), false);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "ticket-merged");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/tickets/%lld", (long long)into));
}

/* GET /staff/tickets/:number/attachments/:id — 404 outside the agent's departments. */
void staff_ticket_attachment(struct request *req)
{
	struct session *s = staff_required(req);
	if (!s)
		return;
	int64_t id;
	struct attachment_row a;
	int rc = 0;
	if (str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id))
		rc = staff_attachment(req_db(req), s, ticket_number_parse(req_param(req, "number")), id,
		                      req->arena, &a);
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	web_send_attachment(req, &a);
}

/* GET /staff/tickets/:number/messages/:id/original — the email as it
 * arrived: its headers and source as text, or with ?download=1 the .eml.
 * 404 when the message did not come by email, its original was purged, or
 * the ticket is not the staff member's. */
void staff_ticket_original(struct request *req)
{
	enum { SHOWN_MAX = 1 << 20 };
	struct session *s = staff_required(req);
	if (!s)
		return;
	int64_t number = ticket_number_parse(req_param(req, "number")), id;
	const char *data = NULL;
	size_t len = 0;
	int rc = 0;
	if (str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id))
		rc = inbound_original_for_staff(req_db(req), s, number, id, req->arena, &data, &len);
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	if (str_eq(req_query(req, "download"), "1")) {
		resp_header(req, "Content-Disposition",
		            arena_printf(req->arena, "attachment; filename=\"email-%lld.eml\"", (long long)id));
		resp_header(req, "Content-Security-Policy", "default-src 'none'; sandbox");
		req->status = 200;
		req->content_type = "message/rfc822";
		req->static_body = data;
		req->static_len = len;
		req->copy_body = true;
		req->responded = true;
		return;
	}
	vm_obj *page = page_new(req, "Original email", "queue");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	/* The headers end at the first empty line. */
	const char *end = strstr(data, "\r\n\r\n");
	const char *lf = strstr(data, "\n\n");
	if (!end || (lf && lf < end))
		end = lf;
	size_t head = end ? (size_t)(end - data) : len;
	vm_set_int(page, "number", number);
	vm_set_textf(page, "label", "%lld", (long long)number);
	vm_set_text(page, "headers", arena_strndup(req->arena, data, head));
	vm_set_text(page, "source", arena_strndup(req->arena, data, len > SHOWN_MAX ? SHOWN_MAX : len));
	vm_set_bool(page, "cut", len > SHOWN_MAX);
	vm_set_textf(page, "download_url", "/staff/tickets/%lld/messages/%lld/original?download=1",
	             (long long)number, (long long)id);
	page_render(req, 200, "staff/original", page);
}

/* ---- a ticket on a client's behalf ---- */

static void new_ticket_page(struct request *req, int64_t client_id, int status,
                            const struct ticket_errors *e, const char *upload_error)
{
	db *d = req_db(req);
	const char *name, *email;
	int rc = staff_client_summary(d, client_id, req->arena, &name, &email);
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	struct department_row deps[NAMED_MAX];
	int nd = staff_departments_to_open(d, web_staff(req), deps, NAMED_MAX);
	struct service_row services[NAMED_MAX];
	int ns = ticket_services_selectable(d, client_id, req->arena, services, NAMED_MAX);
	vm_obj *page = nd >= 0 && ns >= 0 ? page_new(req, "Open a ticket for a client", "queue") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_int(page, "client_id", client_id);
	vm_set_text(page, "client_name", name);
	vm_set_text(page, "client_email", email);
	int64_t dep = 0, service = 0;
	str_to_int64(form_text(req, "department"), 0, INT64_MAX, &dep);
	str_to_int64(form_text(req, "service"), 0, INT64_MAX, &service);
	vm_list *list = vm_set_list(page, "departments");
	for (int i = 0; i < nd; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", deps[i].id);
		vm_set_text(o, "name", arena_strdup(req->arena, deps[i].name));
		vm_set_bool(o, "selected", deps[i].id == dep);
	}
	list = vm_set_list(page, "services");
	for (int i = 0; i < ns; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", services[i].id);
		vm_set_text(o, "label", services[i].label);
		vm_set_bool(o, "selected", services[i].id == service);
	}
	vm_set_text(page, "subject", form_text(req, "subject"));
	vm_set_text(page, "message", form_text(req, "message"));
	const char *priority = req_form(req, "priority") ? req_form(req, "priority") : "medium";
	vm_set_bool(page, "p_low", str_eq(priority, "low"));
	vm_set_bool(page, "p_medium", str_eq(priority, "medium"));
	vm_set_bool(page, "p_high", str_eq(priority, "high"));
	char key[TOKEN_LEN + 1];
	token_new(key);
	const char *sent = req_form(req, "submission");
	vm_set_text(page, "submission", token_well_formed(sent) ? sent : arena_strdup(req->arena, key));
	if (e) {
		if (e->department)
			vm_set_text(page, "department_error", tr(req, e->department));
		if (e->subject)
			vm_set_text(page, "subject_error", tr(req, e->subject));
		if (e->service)
			vm_set_text(page, "service_error", tr(req, e->service));
		if (e->message)
			vm_set_text(page, "message_error", tr(req, e->message));
		if (e->priority)
			vm_set_text(page, "priority_error", tr(req, e->priority));
	}
	if (upload_error)
		vm_set_text(page, "attachments_error", upload_error);
	page_render(req, status, "staff/ticket_new", page);
}

/* Step 1 of a ticket from the queue: find the client (name or email). */
static void choose_client_page(struct request *req)
{
	enum { FOUND_MAX = 20 };
	const char *q = req_query(req, "q");
	struct admin_client_row rows[FOUND_MAX];
	int n = staff_client_search(req_db(req), q ? q : "", req->arena, rows, FOUND_MAX);
	vm_obj *page = n >= 0 ? page_new(req, "Open a ticket for a client", "queue") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_text(page, "q", q ? q : "");
	vm_set_bool(page, "searched", q && *q);
	vm_list *list = vm_set_list(page, "clients");
	for (int i = 0; i < n; i++) {
		if (!rows[i].active)
			continue;
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "email", rows[i].email);
	}
	vm_set_bool(page, "has_clients", n > 0);
	page_render(req, 200, "staff/ticket_client", page);
}

/* GET /staff/tickets/new?client=ID — 200; 404 no such active client.
 * Without ?client, the page to find the client first. */
void staff_ticket_new(struct request *req)
{
	int64_t client_id;
	if (!staff_required(req))
		return;
	const char *client = req_query(req, "client");
	if (!client) {
		choose_client_page(req);
		return;
	}
	if (!str_to_int64(client, 1, INT64_MAX, &client_id)) {
		resp_error(req, 404);
		return;
	}
	new_ticket_page(req, client_id, 200, NULL, NULL);
}

/* POST /staff/tickets/new — 303 to the new ticket; 422 with the form kept. */
void staff_ticket_create(struct request *req)
{
	struct session *s = staff_required(req);
	if (!s)
		return;
	int64_t client_id = 0;
	str_to_int64(form_text(req, "client"), 1, INT64_MAX, &client_id);
	struct attachment_in *files;
	const char *upload_error = NULL;
	int nfiles = web_take_attachments(req, &files, &upload_error);
	if (nfiles < 0) {
		new_ticket_page(req, client_id, 422, NULL, upload_error);
		return;
	}
	struct ticket_form f = {.subject = form_text(req, "subject"), .priority = form_text(req, "priority"),
	                        .message = form_text(req, "message"), .submission_key = req_form(req, "submission"),
	                        .files = files, .nfiles = nfiles, .client_id = client_id};
	str_to_int64(form_text(req, "department"), 0, INT64_MAX, &f.department_id);
	str_to_int64(form_text(req, "service"), 0, INT64_MAX, &f.service_id);
	struct ticket_errors e = {0};
	struct ticket_opened opened;
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_open(req_db(req), app_notifier(req_app(req)), &who, &f, now(), &e, &opened);
	if (rc == TICKET_INVALID) {
		new_ticket_page(req, client_id, 422, &e, NULL);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	web_flash(req, "ticket-updated");
	struct ticket_row t;
	bool visible = staff_ticket_get(req_db(req), s, opened.number, req->arena, &t) == 1;
	resp_redirect(req, 303, visible ? arena_printf(req->arena, "/staff/tickets/%lld", (long long)opened.number)
	                                : "/staff/tickets");
}
