/* The client's tickets: Abrir Ticket (/tickets/new, POST /tickets), Meus
 * Tickets de Suporte (/tickets), a ticket (/tickets/:number) with its
 * reply and close forms, and attachment downloads. Another client's
 * ticket answers 404 exactly like a number that does not exist. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/attachment.h"
#include "domain/contact.h"
#include "domain/custom_field.h"
#include "domain/ticket.h"
#include "domain/ticket_cc.h"
#include "domain/ticket_number.h"
#include "domain/token.h"
#include "view/markdown.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/thread.h"

enum { LIST_PAGE_SIZE = 20, SERVICES_MAX = 100, DEPARTMENTS_MAX = 32 };

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

static const char *form_text(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v ? v : "";
}


static void set_status(struct request *req, vm_obj *o, const char *status)
{
	vm_set_text(o, "status", status);
	vm_set_text(o, "status_label", tr(req, ticket_status_label(status)));
}

/* ---- Abrir Ticket ---- */

static void departments_page(struct request *req)
{
	struct department_row deps[DEPARTMENTS_MAX];
	int n = ticket_departments(req_db(req), deps, DEPARTMENTS_MAX);
	vm_obj *page = n >= 0 ? page_new(req, "Open Ticket", "new") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "departments");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", deps[i].id);
		vm_set_text(o, "name", arena_strdup(req->arena, deps[i].name));
		vm_set_text(o, "description", arena_strdup(req->arena, deps[i].description));
	}
	page_render(req, 200, "tickets/departments", page);
}

/* The department's client-visible custom fields, with what was typed and
 * each field's error; true when one has an error. */
static bool add_custom_fields(struct request *req, vm_obj *page, int64_t department_id,
                              const struct ticket_errors *e)
{
	struct field_row fields[CUSTOM_FIELDS_MAX];
	int n = custom_fields_list(req_db(req), department_id, true, req->arena, fields, CUSTOM_FIELDS_MAX);
	vm_list *list = vm_set_list(page, "custom_fields");
	vm_list *errors = vm_set_list(page, "custom_field_errors");
	bool any = false;
	for (int i = 0; i < n; i++) {
		const char *value = req_form(req, arena_printf(req->arena, "field_%lld", (long long)fields[i].id));
		value = value ? value : "";
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", fields[i].id);
		vm_set_text(o, "label", fields[i].label);
		vm_set_text(o, "value", value);
		vm_set_bool(o, "required", fields[i].required);
		vm_set_bool(o, "is_text", str_eq(fields[i].kind, "text"));
		vm_set_bool(o, "is_number", str_eq(fields[i].kind, "number"));
		vm_set_bool(o, "is_select", str_eq(fields[i].kind, "select"));
		vm_set_bool(o, "is_checkbox", str_eq(fields[i].kind, "checkbox"));
		vm_set_bool(o, "checked", *value && !str_eq(value, "0"));
		const char *options[FIELD_OPTIONS_MAX];
		int no = custom_field_options(fields[i].options, req->arena, options, FIELD_OPTIONS_MAX);
		vm_list *ol = vm_set_list(o, "options");
		for (int k = 0; k < no; k++) {
			vm_obj *opt = vm_list_add(ol);
			vm_set_text(opt, "option", options[k]);
			vm_set_bool(opt, "selected", str_eq(options[k], value));
		}
		for (int k = 0; e && k < e->fields.n; k++)
			if (e->fields.e[k].field_id == fields[i].id) {
				const char *text = arena_printf(req->arena, tr(req, e->fields.e[k].msgid),
				                                e->fields.e[k].label);
				vm_set_text(o, "error", text);
				vm_obj *err = vm_list_add(errors);
				vm_set_int(err, "id", fields[i].id);
				vm_set_text(err, "text", text);
				any = true;
			}
	}
	return any;
}

/* The custom field values of the form: field_ID for each client-visible
 * field of the department (the domain ignores the others). */
static int custom_field_inputs(struct request *req, int64_t department_id, struct field_input *in)
{
	struct field_row fields[CUSTOM_FIELDS_MAX];
	int n = custom_fields_list(req_db(req), department_id, true, req->arena, fields, CUSTOM_FIELDS_MAX);
	for (int i = 0; i < n; i++)
		in[i] = (struct field_input){fields[i].id,
		                             req_form(req, arena_printf(req->arena, "field_%lld", (long long)fields[i].id))};
	return n < 0 ? 0 : n;
}

/* The form of step 2, with what was typed and the errors. */
static void form_page(struct request *req, int status, int64_t department_id,
                      const struct ticket_errors *e, const char *upload_error)
{
	struct session *s = web_client(req);
	const char *dep_name = NULL;
	int found = ticket_department_name(req_db(req), department_id, req->arena, &dep_name);
	if (found != 1) {
		departments_page(req);
		return;
	}
	struct service_row services[SERVICES_MAX];
	int n = ticket_services_for_client(req_db(req), s, req->arena, services, SERVICES_MAX);
	vm_obj *page = n >= 0 ? page_new(req, "Open Ticket", "new") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_int(page, "department_id", department_id);
	vm_set_text(page, "department", dep_name);
	vm_set_text(page, "subject", form_text(req, "subject"));
	vm_set_text(page, "message", form_text(req, "message"));
	vm_set_text(page, "cc", form_text(req, "cc"));
	const char *priority = req_form(req, "priority") ? req_form(req, "priority") : "medium";
	vm_set_bool(page, "priority_low", str_eq(priority, "low"));
	vm_set_bool(page, "priority_medium", str_eq(priority, "medium"));
	vm_set_bool(page, "priority_high", str_eq(priority, "high"));
	int64_t chosen = 0;
	str_to_int64(form_text(req, "service"), 0, INT64_MAX, &chosen);
	vm_list *list = vm_set_list(page, "services");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", services[i].id);
		vm_set_text(o, "label", services[i].label);
		vm_set_bool(o, "selected", services[i].id == chosen);
	}
	char key[TOKEN_LEN + 1];
	token_new(key);
	const char *sent_key = req_form(req, "submission");
	vm_set_text(page, "submission", token_well_formed(sent_key) ? sent_key : arena_strdup(req->arena, key));
	thread_upload_limits(req, page);
	bool any = false;
	if (e) {
		const struct { const char *name, *msgid; } fields[] = {
			{"department_error", e->department}, {"subject_error", e->subject},
			{"service_error", e->service}, {"priority_error", e->priority},
			{"message_error", e->message},
		};
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
			if (fields[i].msgid) {
				vm_set_text(page, fields[i].name, tr(req, fields[i].msgid));
				any = true;
			}
		if (e->cc) { /* names the address at fault */
			vm_set_text(page, "cc_error", arena_printf(req->arena, tr(req, e->cc),
			                                           e->cc_value));
			any = true;
		}
	}
	if (upload_error) {
		vm_set_text(page, "attachments_error", upload_error);
		any = true;
	}
	any |= add_custom_fields(req, page, department_id, e);
	vm_set_bool(page, "has_errors", any);
	page_render(req, status, "tickets/form", page);
}

/* GET /tickets/new[?department=ID] — 200; 303 to /login when signed out. */
/* A contact whose account's owner has not let them open and see tickets
 * gets a page that says so (status: 200 for a GET, 403 for a POST): true
 * when it was sent. */
static bool contact_without_tickets(struct request *req, const struct session *s, int status)
{
	if (!session_is_contact(s) || s->contact_tickets)
		return false;
	vm_obj *page = page_new(req, "Open Ticket", "new");
	if (!page)
		resp_error(req, 500);
	else
		page_render(req, status, "tickets/no_access", page);
	return true;
}

void tickets_new(struct request *req)
{
	if (!web_client(req)) {
		web_require_login(req);
		return;
	}
	if (contact_without_tickets(req, web_client(req), 200))
		return;
	int64_t dep;
	if (str_to_int64(req_query(req, "department"), 1, INT64_MAX, &dep)) {
		form_page(req, 200, dep, NULL, NULL);
		return;
	}
	departments_page(req);
}

/* POST /tickets — 303 to the new ticket; 422 with the form kept; 303 to
 * /login when signed out; 413 (by the server) for a body over the cap. */
void tickets_create(struct request *req)
{
	struct session *s = web_client(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	if (contact_without_tickets(req, s, 403))
		return;
	int64_t dep = 0, service = 0;
	str_to_int64(form_text(req, "department"), 1, INT64_MAX, &dep);
	str_to_int64(form_text(req, "service"), 0, INT64_MAX, &service);
	struct attachment_in *files;
	const char *upload_error = NULL;
	int nfiles = web_take_attachments(req, &files, &upload_error);
	struct ticket_errors e = {0};
	struct ticket_form f = {
		.department_id = dep, .service_id = service, .subject = form_text(req, "subject"),
		.priority = form_text(req, "priority"), .message = form_text(req, "message"),
		.submission_key = req_form(req, "submission"), .files = files,
		.nfiles = nfiles > 0 ? nfiles : 0, .cc = form_text(req, "cc"),
	};
	struct field_input field_values[CUSTOM_FIELDS_MAX];
	f.fields = field_values;
	f.nfields = custom_field_inputs(req, dep, field_values);
	if (nfiles < 0) {
		form_page(req, 422, dep, NULL, upload_error);
		return;
	}
	struct ticket_opened opened;
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_open(req_db(req), app_notifier(req_app(req)), &who, &f, now(), &e, &opened);
	if (rc == TICKET_INVALID) {
		form_page(req, 422, dep, &e, NULL);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	web_flash(req, arena_printf(req->arena, "ticket-opened.%s", opened.shown));
	resp_redirect(req, 303, arena_printf(req->arena, "/tickets/%lld", (long long)opened.number));
}

/* ---- Meus Tickets de Suporte ---- */

static enum ticket_filter filter_of(const char *s)
{
	if (str_eq(s, "closed"))
		return TICKETS_CLOSED;
	if (str_eq(s, "all"))
		return TICKETS_ALL;
	return TICKETS_OPEN;
}

static const char *filter_name(enum ticket_filter f)
{
	return f == TICKETS_CLOSED ? "closed" : f == TICKETS_ALL ? "all" : "open";
}

/* GET /tickets[?status=open|closed|all&after=UPDATED.ID] — 200; 303 to
 * /login when signed out; 400 for a malformed cursor. */
void tickets_list(struct request *req)
{
	struct session *s = web_client(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	enum ticket_filter filter = filter_of(req_query(req, "status"));
	int64_t after_updated = 0, after_id = 0;
	const char *after = req_query(req, "after");
	if (after) {
		const char *dot = strchr(after, '.');
		char first[24];
		if (!dot || (size_t)(dot - after) >= sizeof first) {
			resp_error(req, 400);
			return;
		}
		memcpy(first, after, (size_t)(dot - after));
		first[dot - after] = '\0';
		if (!str_to_int64(first, 0, INT64_MAX, &after_updated) ||
		    !str_to_int64(dot + 1, 1, INT64_MAX, &after_id)) {
			resp_error(req, 400);
			return;
		}
	}
	struct ticket_row rows[LIST_PAGE_SIZE + 1];
	/* The first page of open tickets, when it holds them all (most
	 * clients), is the menu's count too; otherwise the count travels with
	 * the list, or follows it. */
	bool counts_open = filter == TICKETS_OPEN && !after;
	if (!counts_open)
		page_prefetch(req);
	int n = ticket_list_for_client(req_db(req), s, filter, after_updated, after_id,
	                               LIST_PAGE_SIZE + 1, req->arena, rows);
	if (counts_open && n >= 0 && n <= LIST_PAGE_SIZE)
		page_open_tickets_known(req, n);
	vm_obj *page = n >= 0 ? page_new(req, "My Support Tickets", "tickets") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	bool more = n > LIST_PAGE_SIZE;
	if (more)
		n = LIST_PAGE_SIZE;
	vm_set_text(page, "filter", filter_name(filter));
	vm_set_bool(page, "filter_open", filter == TICKETS_OPEN);
	vm_set_bool(page, "filter_closed", filter == TICKETS_CLOSED);
	vm_set_bool(page, "filter_all", filter == TICKETS_ALL);
	vm_set_bool(page, "has_tickets", n > 0);
	vm_set_bool(page, "paged", after != NULL);
	/* A contact without "can open and see tickets": say why the list is empty. */
	vm_set_bool(page, "no_access", session_is_contact(s) && !s->contact_tickets);
	if (session_is_contact(s) && s->contact_tickets)
		vm_set_text(page, "account_name", contact_owner_name(req_db(req), s, req->arena));
	vm_list *list = vm_set_list(page, "tickets");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		page_ticket_number(o, &rows[i]);
		vm_set_text(o, "subject", rows[i].subject);
		vm_set_text(o, "department", rows[i].department_name);
		set_status(req, o, rows[i].status);
		page_time(req, o, "updated", rows[i].updated_at);
	}
	if (more)
		vm_set_textf(page, "next", "/tickets?status=%s&after=%lld.%lld", filter_name(filter),
		             (long long)rows[n - 1].updated_at, (long long)rows[n - 1].id);
	page_render(req, 200, "tickets/list", page);
}

/* ---- A ticket ---- */

/* The client's ticket named in the path, or NULL after answering 404/303. */
static struct ticket_row *load_ticket(struct request *req)
{
	struct session *s = web_client(req);
	if (!s) {
		web_require_login(req);
		return NULL;
	}
	struct ticket_row *t = arena_alloc(req->arena, sizeof *t);
	int64_t number = ticket_number_parse(req_param(req, "number"));
	int rc = t ? ticket_for_client(req_db(req), s, number, req->arena, t) : DB_NOMEM;
	if (rc == 1)
		return t;
	resp_error(req, rc == 0 ? 404 : 500);
	return NULL;
}

/* The ticket page; status 200, or 422 when the reply form has errors. */
/* The CCs of the ticket, with the add form's typed address and error. */
static void add_ccs(struct request *req, vm_obj *page, const struct ticket_row *t,
                    const char *cc_error)
{
	struct cc_row rows[TICKET_CC_MAX];
	int n = ticket_cc_list(req_db(req), t->id, req->arena, rows, TICKET_CC_MAX);
	vm_list *list = vm_set_list(page, "ccs");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "email", rows[i].email);
		vm_set_text(o, "name", rows[i].name);
	}
	vm_set_bool(page, "has_ccs", n > 0);
	vm_set_text(page, "cc_email", form_text(req, "cc_email"));
	if (cc_error)
		vm_set_text(page, "cc_error", cc_error);
}

static void ticket_page_cc(struct request *req, struct ticket_row *t, int status,
                           const char *message_error, const char *upload_error,
                           const char *cc_error);

static void ticket_page(struct request *req, struct ticket_row *t, int status,
                        const char *message_error, const char *upload_error)
{
	ticket_page_cc(req, t, status, message_error, upload_error, NULL);
}

static void ticket_page_cc(struct request *req, struct ticket_row *t, int status,
                           const char *message_error, const char *upload_error,
                           const char *cc_error)
{
	/* On PostgreSQL the page's reads go out together, in one round trip. */
	ticket_thread_prefetch(req_db(req), t->id, false);
	ticket_field_values_prefetch(req_db(req), t->id, true);
	ticket_cc_list_prefetch(req_db(req), t->id);
	page_prefetch(req);
	struct ticket_thread th;
	th.client_id = t->client_id;
	if (ticket_thread_load(req_db(req), t->id, false, req->arena, &th) < 0) {
		resp_error(req, 500);
		return;
	}
	char shown[TICKET_LABEL_MAX];
	vm_obj *page = page_new(req, arena_printf(req->arena, "#%s %s", ticket_number_shown(t, shown), t->subject), "tickets");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_obj *o = vm_set_obj(page, "ticket");
	page_ticket_number(o, t);
	vm_set_text(o, "subject", t->subject);
	vm_set_text(o, "department", t->department_name);
	vm_set_text(o, "service", t->service_label);
	vm_set_text(o, "priority", tr(req, ticket_priority_label(t->priority)));
	vm_set_text(o, "priority_code", t->priority);
	set_status(req, o, t->status);
	/* Custom field values: the client-visible ones only. */
	struct field_value_row values[CUSTOM_FIELDS_MAX];
	int nv = ticket_field_values(req_db(req), t->id, true, req->arena, values, CUSTOM_FIELDS_MAX);
	vm_list *fields = vm_set_list(o, "fields");
	for (int i = 0; i < nv; i++) {
		vm_obj *fo = vm_list_add(fields);
		vm_set_text(fo, "label", values[i].label);
		vm_set_text(fo, "shown", str_eq(values[i].kind, "checkbox") ? tr(req, "Yes") : values[i].value);
	}
	vm_set_bool(o, "closed", str_eq(t->status, "closed"));
	int64_t survivor = ticket_surviving_number(req_db(req), t);
	if (survivor > 0 && survivor != t->number)
		vm_set_int(o, "merged_into", survivor);
	page_time(req, o, "created", t->created_at);
	const char *base = arena_printf(req->arena, "/tickets/%lld", (long long)t->number);
	vm_list *list = vm_set_list(page, "messages");
	for (int i = 0; i < th.nmessages; i++) {
		const struct message_row *m = &th.messages[i];
		vm_obj *mo = vm_list_add(list);
		vm_set_text(mo, "author", m->author_name);
		thread_message(req, mo, &th, m, base, true);
	}
	vm_set_text(page, "reply", form_text(req, "message"));
	char key[TOKEN_LEN + 1];
	token_new(key);
	vm_set_text(page, "submission", arena_strdup(req->arena, key));
	thread_upload_limits(req, page);
	if (message_error)
		vm_set_text(page, "message_error", tr(req, message_error));
	if (upload_error)
		vm_set_text(page, "attachments_error", upload_error);
	vm_set_bool(page, "has_errors", message_error || upload_error);
	add_ccs(req, page, t, cc_error);
	page_render(req, status, "tickets/show", page);
}

/* GET /tickets/:number — 200; 404 (not the client's, or none); 303 signed out. */
void client_ticket_show(struct request *req)
{
	struct ticket_row *t = load_ticket(req);
	if (t)
		ticket_page(req, t, 200, NULL, NULL);
}

/* The ticket page again with the reply kept and what was wrong with it:
 * 422, or 404 when the ticket is not the client's. */
static void reply_refused(struct request *req, const char *message_error, const char *upload_error)
{
	struct ticket_row *t = load_ticket(req);
	if (t)
		ticket_page(req, t, 422, message_error, upload_error);
}

/* POST /tickets/:number/reply — 303 back to the ticket; 422 with the reply
 * kept; 404 not the client's. The ticket is read only in the reply's write
 * transaction, which checks it is the client's (on the refusals too). */
void client_ticket_reply(struct request *req)
{
	struct session *s = web_client(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	int64_t number = ticket_number_parse(req_param(req, "number"));
	struct attachment_in *files;
	const char *upload_error = NULL;
	int nfiles = web_take_attachments(req, &files, &upload_error);
	if (nfiles < 0) {
		reply_refused(req, NULL, upload_error);
		return;
	}
	struct ticket_errors e;
	struct actor who = actor_of(s, CHANNEL_WEB);
	struct ticket_post post = {.message = form_text(req, "message"), .files = files,
	                           .nfiles = nfiles, .submission_key = req_form(req, "submission")};
	int64_t landed;
	int rc = ticket_reply_landing(req_db(req), app_notifier(req_app(req)), &who, number, &post,
	                              now(), &e, &landed);
	if (rc == TICKET_INVALID) {
		reply_refused(req, e.message, NULL);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	web_flash(req, "reply-sent");
	/* A merged-away ticket's reply went to the ticket it was merged into. */
	resp_redirect(req, 303, arena_printf(req->arena, "/tickets/%lld#latest", (long long)landed));
}

/* POST /tickets/:number/close — 303 back; 404 not the client's. */
void client_ticket_close(struct request *req)
{
	struct ticket_row *t = load_ticket(req);
	if (!t)
		return;
	struct actor who = actor_of(web_client(req), CHANNEL_WEB);
	struct ticket_changes close = {.status = "closed", .assignee_id = -1};
	int rc = ticket_update(req_db(req), &who, t->number, &close, now());
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "ticket-closed");
	resp_redirect(req, 303, arena_printf(req->arena, "/tickets/%lld", (long long)t->number));
}

/* GET /tickets/:number/attachments/:id — the bytes with the detected type,
 * as a download (images inline); 404 for anything not the client's. */
void client_ticket_attachment(struct request *req)
{
	struct session *s = web_client(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	int64_t id;
	struct attachment_row a;
	int rc = 0;
	if (str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id))
		rc = ticket_attachment_for_client(req_db(req), s, ticket_number_parse(req_param(req, "number")),
		                                  id, req->arena, &a);
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	web_send_attachment(req, &a);
}

/* POST /tickets/:number/cc (cc_email) — 303 back; 422 with the address
 * kept and the reason; 404 not the client's. */
void client_ticket_cc_add(struct request *req)
{
	struct ticket_row *t = load_ticket(req);
	if (!t)
		return;
	const char *email = form_text(req, "cc_email"), *error = NULL;
	struct actor who = actor_of(web_client(req), CHANNEL_WEB);
	int rc = ticket_cc_add(req_db(req), app_notifier(req_app(req)), &who, t->number, email, NULL,
	                       now(), &error);
	if (rc == TICKET_INVALID) {
		ticket_page_cc(req, t, 422, NULL, NULL, arena_printf(req->arena, tr(req, error), email));
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	web_flash(req, "cc-added");
	resp_redirect(req, 303, arena_printf(req->arena, "/tickets/%lld#ccs", (long long)t->number));
}

/* POST /tickets/:number/cc/:id/remove — 303 back; 404 not the client's. */
void client_ticket_cc_remove(struct request *req)
{
	struct ticket_row *t = load_ticket(req);
	if (!t)
		return;
	int64_t id = 0;
	str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id);
	struct actor who = actor_of(web_client(req), CHANNEL_WEB);
	int rc = ticket_cc_remove(req_db(req), &who, t->number, id, now());
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "cc-removed");
	resp_redirect(req, 303, arena_printf(req->arena, "/tickets/%lld#ccs", (long long)t->number));
}
