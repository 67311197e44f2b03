/* Administration of the API (issue 13): /staff/admin/tokens (API tokens
 * and the rate limit) and /staff/admin/webhooks (webhooks and their
 * delivery log). Admins only: 303 to sign in, 404 for agents, as every
 * admin page (web/admin.h). */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/api_token.h"
#include "domain/staff_ticket.h"
#include "domain/webhook.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

enum { TOKENS_MAX = 500, STAFF_MAX = 500, WEBHOOKS_MAX = 100, DELIVERIES_MAX = 50 };

/* ---- tokens ---- */

/* The list, the new-token form and the rate form. token: the one just made
 * (shown this once), or NULL. */
static void render_tokens(struct request *req, int status, const char *token, const char *name_error,
                          const char *rate_error)
{
	db *d = req_db(req);
	struct api_token_row *rows = arena_alloc(req->arena, sizeof *rows * TOKENS_MAX);
	struct named_row *staff = arena_alloc(req->arena, sizeof *staff * STAFF_MAX);
	int n = d && rows ? api_token_list(d, req->arena, rows, TOKENS_MAX) : -1;
	int ns = d && staff && n >= 0 ? staff_active_members(d, req->arena, staff, STAFF_MAX) : -1;
	vm_obj *page = ns >= 0 ? page_new(req, "API tokens", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	if (token)
		vm_set_text(page, "new_token", token);
	vm_set_text(page, "token_name", admin_form_text(req, "name"));
	vm_set_int(page, "rate", rate_error ? 0 : api_rate_limit(d));
	if (rate_error)
		vm_set_text(page, "rate", admin_form_text(req, "rate"));
	admin_field_error(req, page, "name", name_error);
	admin_field_error(req, page, "rate", rate_error);
	vm_set_bool(page, "has_tokens", n > 0);
	vm_list *list = vm_set_list(page, "tokens");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "owner", rows[i].staff_name);
		vm_set_text(o, "owner_email", rows[i].staff_email);
		page_time(req, o, "created", rows[i].created_at);
		if (rows[i].last_used_at)
			page_time(req, o, "used", rows[i].last_used_at);
		vm_set_bool(o, "used_ever", rows[i].last_used_at != 0);
		vm_set_bool(o, "revoked", rows[i].revoked_at != 0);
	}
	vm_list *people = vm_set_list(page, "staff");
	int64_t chosen = 0;
	const char *typed = admin_form_text(req, "staff_id");
	for (int i = 0; i < ns; i++) {
		vm_obj *o = vm_list_add(people);
		vm_set_int(o, "id", staff[i].id);
		vm_set_text(o, "name", staff[i].name);
		vm_set_bool(o, "selected", str_to_int64(typed, 1, INT64_MAX, &chosen) && chosen == staff[i].id);
	}
	page_render(req, status, "staff/admin/tokens", page);
}

/* GET /staff/admin/tokens — 200. */
void admin_tokens_page(struct request *req)
{
	if (!admin_require(req))
		return;
	render_tokens(req, 200, NULL, NULL, NULL);
}

/* POST /staff/admin/tokens — 200 with the new token shown once; 422. */
void admin_token_create_submit(struct request *req)
{
	struct session *admin = admin_require(req);
	if (!admin)
		return;
	int64_t staff_id = 0, id;
	char token[TOKEN_LEN + 1];
	db *d = req_db(req);
	str_to_int64(admin_form_text(req, "staff_id"), 1, INT64_MAX, &staff_id);
	int rc = d ? api_token_create_for(d, web_actor(req), staff_id ? staff_id : admin->user_id,
	                                  admin_form_text(req, "name"), web_now(req), token, &id)
	           : -1;
	if (rc == API_TOKEN_BAD_NAME || rc == API_TOKEN_NO_STAFF) {
		render_tokens(req, 422, NULL,
		              rc == API_TOKEN_BAD_NAME ? N_("Give the token a name of up to 100 characters.")
		                                       : N_("Choose an active staff member."),
		              NULL);
		return;
	}
	if (rc != API_TOKEN_OK) {
		admin_fail(req, rc);
		return;
	}
	render_tokens(req, 200, token, NULL, NULL);
}

/* POST /staff/admin/tokens/:id/revoke — 303 to the list with "saved"; 404. */
void admin_token_revoke_submit(struct request *req)
{
	int64_t id;
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	int rc = !admin_param_id(req, "id", &id) ? 0 : d ? api_token_revoke(d, web_actor(req), id, web_now(req)) : -1;
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, "/staff/admin/tokens");
}

/* POST /staff/admin/tokens/rate — 303 with "saved"; 422. */
void admin_token_rate_submit(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	bool valid = false;
	int rc = d ? api_rate_limit_set(d, web_actor(req), admin_form_text(req, "rate"), &valid, web_now(req)) : -1;
	if (rc == 0 && !valid) {
		render_tokens(req, 422, NULL, NULL, N_("Enter a number of requests a minute, from 1 to 1000000."));
		return;
	}
	if (rc != 0) {
		admin_fail(req, rc);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, "/staff/admin/tokens");
}

/* ---- webhooks ---- */

static void set_events(struct request *req, vm_obj *page, const bool *chosen)
{
	vm_list *list = vm_set_list(page, "events");
	for (int i = 0; webhook_events[i][0]; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "value", webhook_events[i][0]);
		vm_set_text(o, "label", tr(req, webhook_events[i][1]));
		vm_set_bool(o, "checked", chosen[i]);
	}
}

static struct webhook_form form_from_request(struct request *req)
{
	struct webhook_form f = {.url = admin_form_text(req, "url"), .active = admin_form_checked(req, "active")};
	for (int i = 0; webhook_events[i][0]; i++)
		f.events[i] = admin_form_checked(req, webhook_events[i][0]);
	return f;
}

/* The list with the new-webhook form. */
static void render_webhooks(struct request *req, int status, const struct webhook_form *f,
                            const struct webhook_errors *e)
{
	db *d = req_db(req);
	struct webhook_row *rows = arena_alloc(req->arena, sizeof *rows * WEBHOOKS_MAX);
	int n = d && rows ? webhook_list(d, req->arena, rows, WEBHOOKS_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Webhooks", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "has_webhooks", n > 0);
	vm_list *list = vm_set_list(page, "webhooks");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "url", rows[i].url);
		vm_set_bool(o, "active", rows[i].active);
		vm_set_int(o, "delivered", rows[i].delivered);
		vm_set_int(o, "failed", rows[i].failed);
		vm_set_int(o, "pending", rows[i].pending);
	}
	vm_set_text(page, "url", f->url);
	vm_set_bool(page, "active", f->active);
	set_events(req, page, f->events);
	if (e) {
		admin_field_error(req, page, "url", e->url);
		admin_field_error(req, page, "events", e->events);
	}
	page_render(req, status, "staff/admin/webhooks", page);
}

/* The webhook's page: its form, its secret and its delivery log. */
static void render_webhook(struct request *req, int status, int64_t id, const struct webhook_form *f,
                           const struct webhook_errors *e)
{
	db *d = req_db(req);
	struct webhook_row w;
	struct webhook_delivery_row *rows = arena_alloc(req->arena, sizeof *rows * DELIVERIES_MAX);
	int rc = d && rows ? webhook_get(d, id, req->arena, &w) : -1;
	int n = rc == 1 ? webhook_deliveries(d, id, req->arena, rows, DELIVERIES_MAX) : -1;
	if (rc == 0) {
		resp_error(req, 404);
		return;
	}
	vm_obj *page = n >= 0 ? page_new(req, "Webhook", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	struct webhook_form current = {.url = w.url, .active = w.active};
	for (int i = 0; webhook_events[i][0]; i++)
		current.events[i] = webhook_has_event(&w, webhook_events[i][0]);
	if (!f)
		f = &current;
	vm_set_int(page, "id", id);
	vm_set_text(page, "url", f->url);
	vm_set_bool(page, "active", f->active);
	vm_set_text(page, "secret", w.secret);
	set_events(req, page, f->events);
	if (e) {
		admin_field_error(req, page, "url", e->url);
		admin_field_error(req, page, "events", e->events);
	}
	vm_set_bool(page, "has_deliveries", n > 0);
	vm_list *list = vm_set_list(page, "deliveries");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_int(o, "webhook_id", id);
		vm_set_text(o, "event", rows[i].event);
		vm_set_int(o, "ticket_id", rows[i].ticket_id);
		vm_set_text(o, "status", rows[i].status);
		vm_set_bool(o, "delivered", str_eq(rows[i].status, "delivered"));
		vm_set_bool(o, "failed", str_eq(rows[i].status, "failed"));
		vm_set_bool(o, "can_resend", str_eq(rows[i].status, "delivered") || str_eq(rows[i].status, "failed"));
		vm_set_int(o, "attempts", rows[i].attempts);
		vm_set_bool(o, "answered", rows[i].last_status > 0);
		vm_set_int(o, "http_status", rows[i].last_status);
		vm_set_int(o, "answer_ms", rows[i].answer_ms);
		vm_set_text(o, "error", rows[i].last_error);
		page_time(req, o, "created", rows[i].created_at);
	}
	page_render(req, status, "staff/admin/webhook", page);
}

/* GET /staff/admin/webhooks — 200. */
void admin_webhooks_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct webhook_form f = {.url = "", .active = true, .events = {true, true, true, true}};
	render_webhooks(req, 200, &f, NULL);
}

/* POST /staff/admin/webhooks — 303 to the new webhook with "saved"; 422. */
void admin_webhook_create_submit(struct request *req)
{
	if (!admin_require(req))
		return;
	struct webhook_form f = form_from_request(req);
	struct webhook_errors e;
	int64_t id = 0;
	db *d = req_db(req);
	int rc = d ? webhook_save(d, web_actor(req), 0, &f, web_now(req), &e, &id) : -1;
	if (rc == WEBHOOK_INVALID) {
		render_webhooks(req, 422, &f, &e);
		return;
	}
	if (rc != WEBHOOK_OK) {
		admin_fail(req, rc);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/admin/webhooks/%lld", (long long)id));
}

/* GET /staff/admin/webhooks/:id — 200; 404. */
void admin_webhook_page(struct request *req)
{
	int64_t id;
	if (!admin_require(req))
		return;
	if (!admin_param_id(req, "id", &id)) {
		resp_error(req, 404);
		return;
	}
	render_webhook(req, 200, id, NULL, NULL);
}

/* POST /staff/admin/webhooks/:id — 303 with "saved"; 422; 404. */
void admin_webhook_edit_submit(struct request *req)
{
	int64_t id, out;
	if (!admin_require(req))
		return;
	if (!admin_param_id(req, "id", &id)) {
		resp_error(req, 404);
		return;
	}
	struct webhook_form f = form_from_request(req);
	struct webhook_errors e;
	db *d = req_db(req);
	int rc = d ? webhook_save(d, web_actor(req), id, &f, web_now(req), &e, &out) : -1;
	if (rc == WEBHOOK_INVALID) {
		render_webhook(req, 422, id, &f, &e);
		return;
	}
	if (rc != WEBHOOK_OK) {
		resp_error(req, rc == WEBHOOK_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/admin/webhooks/%lld", (long long)id));
}

/* POST /staff/admin/webhooks/:id/delete — 303 to the list with "saved". */
void admin_webhook_delete_submit(struct request *req)
{
	int64_t id;
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	int rc = !admin_param_id(req, "id", &id) ? 1 : d ? webhook_delete(d, web_actor(req), id, web_now(req)) : -1;
	if (rc != 0) {
		resp_error(req, rc > 0 ? 404 : 500);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, "/staff/admin/webhooks");
}

/* POST /staff/admin/webhooks/:id/deliveries/:delivery/resend — "send
 * again": 303 back with "saved"; 404 when it is not delivered or failed. */
void admin_webhook_resend_submit(struct request *req)
{
	int64_t id, delivery;
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	int rc = !admin_param_id(req, "id", &id) || !admin_param_id(req, "delivery", &delivery) ? 0
	         : d ? webhook_resend(d, web_actor(req), id, delivery, web_now(req)) : -1;
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	web_flash(req, "saved");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/admin/webhooks/%lld", (long long)id));
}

static const struct {
	unsigned methods;
	const char *pattern;
	handler_fn handler;
} routes[] = {
	{HTTP_GET, "/staff/admin/tokens", admin_tokens_page},
	{HTTP_POST, "/staff/admin/tokens", admin_token_create_submit},
	{HTTP_POST, "/staff/admin/tokens/rate", admin_token_rate_submit},
	{HTTP_POST, "/staff/admin/tokens/:id/revoke", admin_token_revoke_submit},
	{HTTP_GET, "/staff/admin/webhooks", admin_webhooks_page},
	{HTTP_POST, "/staff/admin/webhooks", admin_webhook_create_submit},
	{HTTP_GET, "/staff/admin/webhooks/:id", admin_webhook_page},
	{HTTP_POST, "/staff/admin/webhooks/:id", admin_webhook_edit_submit},
	{HTTP_POST, "/staff/admin/webhooks/:id/delete", admin_webhook_delete_submit},
	{HTTP_POST, "/staff/admin/webhooks/:id/deliveries/:delivery/resend", admin_webhook_resend_submit},
};

int web_routes_admin_api(router *r)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (router_add(r, routes[i].methods, routes[i].pattern, routes[i].handler) < 0)
			return -1;
	return 0;
}
