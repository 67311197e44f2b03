/* Administration: /staff/admin/clients — search, a client's page (details
 * form, services, tickets) and the forms of a client's services. */
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "base/str.h"
#include "domain/admin.h"
#include "domain/contact.h"
#include "domain/recovery.h"
#include "domain/staff_ticket.h"
#include "domain/ticket.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

enum { SEARCH_MAX = 50, SERVICES_MAX = 100, TICKETS_MAX = 50 };

/* GET /staff/admin/clients[?q=text] — 200; 303 signed out; 404 for agents. */
void admin_clients_page(struct request *req)
{
	if (!admin_require(req))
		return;
	const char *q = req_query(req, "q");
	q = q ? q : "";
	db *d = req_db(req);
	struct admin_client_row *rows = arena_alloc(req->arena, sizeof *rows * SEARCH_MAX);
	int n = d && rows ? admin_client_search(d, q, req->arena, rows, SEARCH_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Clients", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_text(page, "q", q);
	vm_set_bool(page, "searched", *q != '\0');
	vm_set_bool(page, "has_clients", n > 0);
	vm_set_bool(page, "more", n == SEARCH_MAX);
	vm_list *list = vm_set_list(page, "clients");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "email", rows[i].email);
		vm_set_text(o, "company", rows[i].company);
		vm_set_bool(o, "active", rows[i].active);
		page_time(req, o, "created", rows[i].created_at);
	}
	page_render(req, 200, "staff/admin/clients", page);
}

/* Options of a select: value, label (translated) and selected. */
static void set_options(struct request *req, vm_obj *o, const char *name,
                        const char *const table[][2], const char *current)
{
	vm_list *list = vm_set_list(o, name);
	for (int i = 0; table[i][0]; i++) {
		vm_obj *opt = vm_list_add(list);
		vm_set_text(opt, "value", table[i][0]);
		vm_set_text(opt, "label", tr(req, table[i][1]));
		vm_set_bool(opt, "selected", str_eq(table[i][0], current));
	}
}

/* The client's page. f: the details form's values (typed or saved); s: the
 * new-service form's values. Either errors may be NULL. */
static void render_client(struct request *req, int status, const struct admin_client_row *c,
                          const struct admin_client_form *f, const struct admin_client_errors *e,
                          const struct admin_service_form *s, const struct admin_service_errors *se,
                          const char *anonymise_error)
{
	db *d = req_db(req);
	struct service_row *services = arena_alloc(req->arena, sizeof *services * SERVICES_MAX);
	struct ticket_row *tickets = arena_alloc(req->arena, sizeof *tickets * TICKETS_MAX);
	int nservices = services ? staff_client_services(d, c->id, req->arena, services,
	                                                        SERVICES_MAX)
	                         : -1;
	int ntickets = tickets ? admin_client_tickets(d, c->id, TICKETS_MAX,
	                                                     req->arena, tickets)
	                       : -1;
	vm_obj *page = nservices >= 0 && ntickets >= 0 ? page_new(req, c->name, "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_obj *client = vm_set_obj(page, "client");
	vm_set_int(client, "id", c->id);
	vm_set_text(client, "name", c->name);
	vm_set_text(client, "email", c->email);
	vm_set_text(client, "company", c->company);
	vm_set_bool(client, "active", c->active);
	page_time(req, client, "created", c->created_at);

	vm_set_text(page, "name", f->name);
	vm_set_text(page, "email", f->email);
	vm_set_bool(page, "lang_en", str_eq(f->language, "en"));
	vm_set_bool(page, "lang_pt", !str_eq(f->language, "en"));
	vm_set_bool(page, "active", f->active);
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "email", e->email);
		admin_field_error(req, page, "language", e->language);
	}

	vm_set_bool(page, "has_services", nservices > 0);
	vm_list *list = vm_set_list(page, "services");
	for (int i = 0; i < nservices; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", services[i].id);
		vm_set_text(o, "label", services[i].label);
		vm_set_text(o, "kind", tr(req, admin_service_kind_label(services[i].kind)));
		vm_set_text(o, "status", tr(req, admin_service_status_label(services[i].status)));
	}
	vm_obj *ns = vm_set_obj(page, "new_service");
	vm_set_text(ns, "label", s->label);
	set_options(req, ns, "kinds", admin_service_kinds, s->kind);
	set_options(req, ns, "statuses", admin_service_statuses, s->status);
	if (se) {
		admin_field_error(req, page, "service_kind", se->kind);
		admin_field_error(req, page, "service_label", se->label);
		admin_field_error(req, page, "service_status", se->status);
	}

	vm_set_bool(page, "has_tickets", ntickets > 0);
	list = vm_set_list(page, "tickets");
	for (int i = 0; i < ntickets; i++) {
		vm_obj *o = vm_list_add(list);
		page_ticket_number(o, &tickets[i]);
		vm_set_text(o, "subject", tickets[i].subject);
		vm_set_text(o, "department", tickets[i].department_name);
		vm_set_text(o, "status", tickets[i].status);
		vm_set_text(o, "status_label", tr(req, ticket_status_label(tickets[i].status)));
		page_time(req, o, "updated", tickets[i].updated_at);
	}
	/* Contatos: the account's people, or the account this one belongs to. */
	struct contact_row *contacts = arena_alloc(req->arena, CONTACT_MAX * sizeof *contacts);
	int nc = contacts ? contact_list_of_account(d, c->id, req->arena, contacts, CONTACT_MAX) : 0;
	list = vm_set_list(page, "contacts");
	for (int i = 0; i < nc; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", contacts[i].id);
		vm_set_text(o, "name", contacts[i].name);
		vm_set_text(o, "email", contacts[i].email);
		vm_set_bool(o, "can_tickets", contacts[i].can_tickets);
		vm_set_bool(o, "gets_emails", contacts[i].gets_emails);
		vm_set_bool(o, "has_password", contacts[i].has_password);
	}
	vm_set_bool(page, "has_contacts", nc > 0);
	int64_t owner_id = 0;
	const char *owner_name = NULL;
	if (contact_owner_of(d, c->id, req->arena, &owner_id, &owner_name) == 1) {
		vm_obj *o = vm_set_obj(page, "owner");
		vm_set_int(o, "id", owner_id);
		vm_set_text(o, "name", owner_name);
	}
	vm_set_bool(page, "anonymised", str_ends_with(c->email, "@anonimizado.invalid"));
	admin_field_error(req, page, "confirm_email", anonymise_error);
	page_render(req, status, "staff/admin/client", page);
}

/* For the signed-in admin, the client named by the route's :id: 1 found,
 * 0 after answering (303, 404), -1 after answering 500. */
static int load_client(struct request *req, struct admin_client_row *c)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return 0;
	db *d = req_db(req);
	int rc = d ? admin_client_get(d, id, req->arena, c) : -1;
	if (rc <= 0)
		admin_missing(req, rc);
	return rc;
}

static const struct admin_service_form blank_service = {.kind = "hosting", .label = "",
                                                        .status = "active"};

/* GET /staff/admin/clients/:id — 200; 303; 404 for agents or no such client. */
void admin_client_page(struct request *req)
{
	struct admin_client_row c;
	if (load_client(req, &c) != 1)
		return;
	struct admin_client_form f = {.name = c.name, .email = c.email, .language = c.language,
	                              .active = c.active};
	render_client(req, 200, &c, &f, NULL, &blank_service, NULL, NULL);
}

/* POST /staff/admin/clients/:id — 303 back with "saved"; 422; 404. */
void admin_client_edit_submit(struct request *req)
{
	struct admin_client_row c;
	if (load_client(req, &c) != 1)
		return;
	struct admin_client_form f = {
		.name = admin_form_text(req, "name"),
		.email = admin_form_text(req, "email"),
		.language = admin_form_text(req, "language"),
		.active = admin_form_checked(req, "active"),
	};
	struct admin_client_errors e;
	int rc = admin_client_save(req_db(req), web_actor(req), c.id, &f, (int64_t)time(NULL), &e);
	if (rc == ADMIN_INVALID) {
		render_client(req, 422, &c, &f, &e, &blank_service, NULL, NULL);
		return;
	}
	admin_saved(req, rc, arena_printf(req->arena, "/staff/admin/clients/%lld", (long long)c.id));
}

/* The new-client form, with what was typed and its errors. */
static void render_new(struct request *req, int status, const struct admin_client_form *f,
                       bool send_link, const struct admin_client_errors *e)
{
	vm_obj *page = page_new(req, "New client", "admin");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_text(page, "name", f->name);
	vm_set_text(page, "email", f->email);
	vm_set_bool(page, "lang_en", str_eq(f->language, "en"));
	vm_set_bool(page, "lang_pt", !str_eq(f->language, "en"));
	vm_set_bool(page, "send_link", send_link);
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "email", e->email);
		admin_field_error(req, page, "language", e->language);
	}
	page_render(req, status, "staff/admin/client_new", page);
}

/* GET /staff/admin/clients/new — 200; 303 signed out; 404 for agents. */
void admin_client_new_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct admin_client_form f = {.name = "", .email = "", .language = "pt-BR", .active = true};
	render_new(req, 200, &f, true, NULL);
}

/* POST /staff/admin/clients — 303 to the new client; 422 with what was
 * typed. With "send_link", the client is emailed a link to choose a
 * password (the password-reset link). */
void admin_client_create_submit(struct request *req)
{
	if (!admin_require(req))
		return;
	struct admin_client_form f = {
		.name = admin_form_text(req, "name"),
		.email = admin_form_text(req, "email"),
		.language = admin_form_text(req, "language"),
		.active = true,
	};
	bool send_link = admin_form_checked(req, "send_link");
	struct admin_client_errors e;
	int64_t id = 0, now = (int64_t)time(NULL);
	db *d = req_db(req);
	int rc = admin_client_create(d, web_actor(req), &f, now, &e, &id);
	if (rc == ADMIN_INVALID) {
		render_new(req, 422, &f, send_link, &e);
		return;
	}
	if (rc == ADMIN_OK && send_link &&
	    recovery_request(d, app_notifier(req_app(req)), ACCOUNT_CLIENT, f.email, now) < 0)
		rc = DB_ERROR;
	if (rc != ADMIN_OK) {
		admin_saved(req, rc, NULL);
		return;
	}
	web_flash(req, send_link ? "client-created-link" : "client-created");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/admin/clients/%lld", (long long)id));
}

/* POST /staff/admin/clients/:id/anonymise — the admin types the client's
 * address to confirm: 303 to the client with the notice; 422 when the
 * address typed is not theirs; 404. */
void admin_client_anonymise_submit(struct request *req)
{
	struct admin_client_row c;
	if (load_client(req, &c) != 1)
		return;
	const char *typed = admin_form_text(req, "confirm_email");
	if (!(typed && strcasecmp(typed, c.email) == 0)) {
		struct admin_client_form f = {.name = c.name, .email = c.email, .language = c.language,
		                              .active = c.active};
		render_client(req, 422, &c, &f, NULL, &blank_service, NULL,
		              N_("Type the client's email address exactly as shown to confirm."));
		return;
	}
	int rc = admin_client_anonymise(req_db(req), web_actor(req), c.id, (int64_t)time(NULL));
	if (rc != ADMIN_OK) {
		admin_saved(req, rc, NULL);
		return;
	}
	web_flash(req, "client-anonymised");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/admin/clients/%lld", (long long)c.id));
}

/* Where a change to a client's services leads: the client's page, at them. */
static const char *services_url(struct request *req, int64_t client_id)
{
	return arena_printf(req->arena, "/staff/admin/clients/%lld#services", (long long)client_id);
}

static void service_from_request(struct request *req, struct admin_service_form *s)
{
	*s = (struct admin_service_form){
		.kind = admin_form_text(req, "kind"),
		.label = admin_form_text(req, "label"),
		.status = admin_form_text(req, "status"),
	};
}

/* POST /staff/admin/clients/:id/services — 303 to the client with "saved";
 * 422 with the client's page; 404. */
void admin_service_create_submit(struct request *req)
{
	struct admin_client_row c;
	if (load_client(req, &c) != 1)
		return;
	struct admin_service_form s;
	service_from_request(req, &s);
	struct admin_service_errors se;
	int rc = admin_service_save(req_db(req), web_actor(req), c.id, 0, &s, (int64_t)time(NULL), &se);
	if (rc == ADMIN_INVALID) {
		struct admin_client_form f = {.name = c.name, .email = c.email, .language = c.language,
		                              .active = c.active};
		render_client(req, 422, &c, &f, NULL, &s, &se, NULL);
		return;
	}
	admin_saved(req, rc, services_url(req, c.id));
}

static void render_service(struct request *req, int status, const struct admin_client_row *c,
                           int64_t service_id, const struct admin_service_form *s,
                           const struct admin_service_errors *se)
{
	vm_obj *page = page_new(req, "Edit service", "admin");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_int(page, "client_id", c->id);
	vm_set_text(page, "client_name", c->name);
	vm_set_int(page, "service_id", service_id);
	vm_set_text(page, "label", s->label);
	set_options(req, page, "kinds", admin_service_kinds, s->kind);
	set_options(req, page, "statuses", admin_service_statuses, s->status);
	if (se) {
		admin_field_error(req, page, "kind", se->kind);
		admin_field_error(req, page, "label", se->label);
		admin_field_error(req, page, "status", se->status);
	}
	page_render(req, status, "staff/admin/service", page);
}

/* For the signed-in admin, the client and service of the route: 1, or 0
 * after answering. */
static int load_service(struct request *req, struct admin_client_row *c,
                        struct admin_service_row *s)
{
	int64_t service_id;
	if (load_client(req, c) != 1)
		return 0;
	if (!admin_param_id(req, "service", &service_id)) {
		resp_error(req, 404);
		return 0;
	}
	int rc = admin_service_get(req_db(req), c->id, service_id, req->arena, s);
	if (rc <= 0)
		admin_missing(req, rc);
	return rc == 1;
}

/* GET /staff/admin/clients/:id/services/:service — 200; 303; 404. */
void admin_service_edit_page(struct request *req)
{
	struct admin_client_row c;
	struct admin_service_row row;
	if (!load_service(req, &c, &row))
		return;
	struct admin_service_form s = {.kind = row.kind, .label = row.label, .status = row.status};
	render_service(req, 200, &c, row.id, &s, NULL);
}

/* POST /staff/admin/clients/:id/services/:service — 303 to the client with
 * "saved"; 422; 404. */
void admin_service_edit_submit(struct request *req)
{
	struct admin_client_row c;
	struct admin_service_row row;
	if (!load_service(req, &c, &row))
		return;
	struct admin_service_form s;
	service_from_request(req, &s);
	struct admin_service_errors se;
	int rc = admin_service_save(req_db(req), web_actor(req), c.id, row.id, &s, (int64_t)time(NULL), &se);
	if (rc == ADMIN_INVALID) {
		render_service(req, 422, &c, row.id, &s, &se);
		return;
	}
	admin_saved(req, rc, services_url(req, c.id));
}

/* POST /staff/admin/clients/:id/services/:service/delete — 303 to the
 * client with "saved"; 404. */
void admin_service_delete_submit(struct request *req)
{
	struct admin_client_row c;
	struct admin_service_row row;
	if (!load_service(req, &c, &row))
		return;
	int rc = admin_service_delete(req_db(req), web_actor(req), c.id, row.id);
	admin_saved(req, rc, services_url(req, c.id));
}
