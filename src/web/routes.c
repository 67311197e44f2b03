#include "web/routes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/ticket.h"
#include "domain/token.h"
#include "web/admin.h"
#include "web/api.h"
#include "web/admin_sla.h"
#include "web/csat.h"
#include "web/reports.h"
#include "web/kb.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/twofa.h"

static const struct {
	unsigned methods;
	const char *pattern;
	handler_fn handler;
} routes[] = {
	{HTTP_GET, "/", home_show},
	{HTTP_POST, "/lang", lang_switch},
	{HTTP_GET, "/healthz", health_show},
	{HTTP_GET, "/brand.css", brand_css},

	{HTTP_GET, "/login", login_form},
	{HTTP_POST, "/login", login_submit},
	{HTTP_POST, "/logout", logout_submit},
	{HTTP_GET, "/register", register_form},
	{HTTP_POST, "/register", register_submit},
	{HTTP_GET, "/account", account_show},
	{HTTP_POST, "/account/profile", account_profile_submit},
	{HTTP_POST, "/account/password", account_password_submit},
	{HTTP_POST, "/account/email", account_email_submit},
	{HTTP_GET, "/account/email/:token", account_email_confirm},
	{HTTP_GET, "/account/contacts", contacts_show},
	{HTTP_POST, "/account/contacts", contact_add_submit},
	{HTTP_POST, "/account/contacts/:id", contact_save_submit},
	{HTTP_POST, "/account/contacts/:id/remove", contact_remove_submit},
	{HTTP_GET, "/forgot", forgot_form},
	{HTTP_POST, "/forgot", forgot_submit},
	{HTTP_GET, "/reset/:token", reset_form},
	{HTTP_POST, "/reset/:token", reset_submit},

	{HTTP_GET, "/tickets", tickets_list},
	{HTTP_POST, "/tickets", tickets_create},
	{HTTP_GET, "/tickets/new", tickets_new},
	{HTTP_GET, "/tickets/:number", client_ticket_show},
	{HTTP_POST, "/tickets/:number/reply", client_ticket_reply},
	{HTTP_POST, "/tickets/:number/close", client_ticket_close},
	{HTTP_GET, "/tickets/:number/attachments/:id", client_ticket_attachment},
	{HTTP_POST, "/tickets/:number/cc", client_ticket_cc_add},
	{HTTP_POST, "/tickets/:number/cc/:id/remove", client_ticket_cc_remove},
	/* The access link of the emails: one ticket, no sign-in (ticket_access.c). */
	{HTTP_GET, "/t/:number/:key", access_ticket_show},
	{HTTP_POST, "/t/:number/:key/reply", access_ticket_reply},
	{HTTP_GET, "/t/:number/:key/attachments/:id", access_ticket_attachment},

	{HTTP_GET, "/staff/login", staff_login_form},
	{HTTP_POST, "/staff/login", staff_login_submit},
	{HTTP_POST, "/staff/logout", staff_logout_submit},
	{HTTP_GET, "/staff", staff_home},
	{HTTP_GET, "/staff/tickets", staff_queue_show},
	{HTTP_GET, "/staff/tickets/new", staff_ticket_new},
	{HTTP_POST, "/staff/tickets/new", staff_ticket_create},
	{HTTP_GET, "/staff/tickets/:number", staff_ticket_show},
	{HTTP_POST, "/staff/tickets/:number/reply", staff_ticket_reply},
	{HTTP_POST, "/staff/tickets/:number/note", staff_ticket_note},
	{HTTP_POST, "/staff/tickets/:number/insert", staff_ticket_insert},
	{HTTP_POST, "/staff/tickets/:number/links", staff_ticket_links},
	{HTTP_POST, "/staff/tickets/:number/tags", staff_ticket_tags},
	{HTTP_POST, "/staff/tickets/:number/fields", staff_ticket_fields},
	{HTTP_GET, "/staff/tags", staff_tags_page},
	{HTTP_POST, "/staff/tickets/:number/cc", staff_ticket_cc_add},
	{HTTP_POST, "/staff/tickets/:number/cc/:id/remove", staff_ticket_cc_remove},
	{HTTP_POST, "/staff/tickets/:number/access/revoke", staff_ticket_access_revoke},
	{HTTP_GET, "/staff/tickets/:number/split", staff_ticket_split_form},
	{HTTP_POST, "/staff/tickets/:number/split", staff_ticket_split},
	{HTTP_POST, "/staff/tickets/:number/update", staff_ticket_update},
	{HTTP_POST, "/staff/tickets/:number/merge", staff_ticket_merge},
	{HTTP_GET, "/staff/tickets/:number/attachments/:id", staff_ticket_attachment},
	{HTTP_GET, "/staff/tickets/:number/messages/:id/original", staff_ticket_original},
	{HTTP_GET, "/staff/emails", admin_emails_show},
	{HTTP_POST, "/staff/emails/:id/retry", admin_email_retry},
	{HTTP_GET, "/staff/forgot", forgot_form},
	{HTTP_POST, "/staff/forgot", forgot_submit},
	{HTTP_GET, "/staff/reset/:token", reset_form},
	{HTTP_POST, "/staff/reset/:token", reset_submit},

	/* Two-factor sign-in and Sessões ativas (web/twofa.c), both areas. */
	{HTTP_GET, "/login/code", login_code_form},
	{HTTP_POST, "/login/code", login_code_submit},
	{HTTP_GET, "/account/2fa", twofa_setup_page},
	{HTTP_POST, "/account/2fa", twofa_setup_submit},
	{HTTP_POST, "/account/2fa/disable", twofa_disable_submit},
	{HTTP_POST, "/account/2fa/recovery", twofa_recovery_submit},
	{HTTP_POST, "/account/sessions/end-others", sessions_end_others_submit},
	{HTTP_POST, "/account/sessions/:id/end", session_end_submit},
	{HTTP_GET, "/staff/login/code", login_code_form},
	{HTTP_POST, "/staff/login/code", login_code_submit},
	{HTTP_GET, "/staff/account", account_show},
	{HTTP_POST, "/staff/account/profile", account_profile_submit},
	{HTTP_POST, "/staff/account/password", account_password_submit},
	{HTTP_GET, "/staff/account/2fa", twofa_setup_page},
	{HTTP_POST, "/staff/account/2fa", twofa_setup_submit},
	{HTTP_POST, "/staff/account/2fa/disable", twofa_disable_submit},
	{HTTP_POST, "/staff/account/2fa/recovery", twofa_recovery_submit},
	{HTTP_POST, "/staff/account/sessions/end-others", sessions_end_others_submit},
	{HTTP_POST, "/staff/account/sessions/:id/end", session_end_submit},
	{HTTP_POST, "/staff/admin/staff/:id/2fa-reset", admin_staff_twofa_reset_submit},
	{HTTP_GET, "/staff/admin/security", admin_security_page},
	{HTTP_POST, "/staff/admin/security", admin_security_submit},
	{HTTP_GET, "/staff/admin/audit", admin_audit_page},
	{HTTP_GET, "/staff/admin/audit.csv", admin_audit_csv},
	{HTTP_POST, "/staff/admin/audit/keep", admin_audit_keep_submit},
};

/* Pages answer errors in HTML, the API in JSON. */
static void error_page(struct request *req, int status)
{
	if (api_path(req->path))
		api_error_page(req, status);
	else
		web_error_page(req, status);
}

int web_routes(router *r)
{
	resp_set_error_page(error_page);
	if (web_routes_api(r) < 0)
		return -1;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (router_add(r, routes[i].methods, routes[i].pattern, routes[i].handler) < 0)
			return -1;
	if (web_routes_admin(r) < 0 || web_routes_admin_api(r) < 0 || web_routes_sla(r) < 0 ||
	    web_routes_escalations(r) < 0 || web_routes_csat(r) < 0 || web_routes_reports(r) < 0)
		return -1;
	return web_routes_kb(r);
}

/* The cookie of this area's session. */
static const char *session_cookie(const struct web_ctx *w)
{
	return w->staff_area ? "ssid" : "sid";
}

/* A GET of a ticket page (/tickets/N, /staff/tickets/N) with a session
 * cookie: the ticket's read goes out first, and the session's joins it, so
 * on PostgreSQL both take one round trip (db_prefetch). The ticket is shown
 * only once the page has checked the session may see it; a read no page
 * takes is dropped at the end of the request. */
static void prefetch_named_ticket(struct request *req, const struct web_ctx *w)
{
	const char *prefix = w->staff_area ? "/staff/tickets/" : "/tickets/";
	if (req->method != HTTP_GET || !str_starts_with(req->path, prefix) ||
	    !req_cookie(req, session_cookie(w)))
		return;
	const char *number = req->path + strlen(prefix);
	db *d = req_db(req);
	if (d && strchr(number, '/') == NULL)
		ticket_prefetch_by_number(d, ticket_number_parse(number));
}

/* The session named by this area's cookie: clients use "sid" on the whole
 * site, staff "ssid" under /staff, so one never opens the other's pages. */
static void load_session(struct request *req, struct web_ctx *w)
{
	const char *token = req_cookie(req, session_cookie(w));
	if (!token)
		return;
	db *d = req_db(req);
	struct session *s = arena_alloc(req->arena, sizeof *s);
	if (!d || !s)
		return;
	int rc = session_resume(d, w->staff_area ? ACCOUNT_STAFF : ACCOUNT_CLIENT, token,
	                        web_now(req), s);
	if (rc == 1) {
		snprintf(s->ip, sizeof s->ip, "%s", req_client_ip(req) ? req_client_ip(req) : "");
		w->session = s;
		w->session_token = token;
	} else if (rc == 0) {
		web_clear_session_cookie(req, w->staff_area);
	}
}

/* Signed-in pages carry the session's CSRF secret; anonymous ones a token
 * from a cookie of its own (double submit), made on first sight. */
static void choose_csrf(struct request *req, struct web_ctx *w)
{
	if (w->session) {
		w->csrf = w->session->csrf;
		return;
	}
	const char *cookie = req_cookie(req, "csrf");
	if (token_well_formed(cookie)) {
		w->csrf = cookie;
		return;
	}
	char *fresh = arena_alloc(req->arena, TOKEN_LEN + 1);
	if (!fresh)
		return;
	token_new(fresh);
	w->csrf = fresh;
	resp_cookie(req, "csrf", fresh, -1, str_starts_with(req_app(req)->cfg.base_url, "https:"));
}

static void choose_language(struct request *req, struct web_ctx *w)
{
	int lang = -1;
	if (w->session && w->session->language[0])
		lang = lang_parse(w->session->language);
	if (lang < 0) {
		const char *cookie = req_cookie(req, "lang");
		if (cookie)
			lang = lang_parse(cookie);
	}
	if (lang < 0)
		lang = (int)lang_from_accept(req_header(req, "Accept-Language"));
	req->lang = lang;
}

static void take_flash(struct request *req, struct web_ctx *w)
{
	const char *code = req_cookie(req, "flash");
	if (!code)
		return;
	w->flash = web_flash_message(req, code);
	resp_cookie(req, "flash", "", 0, false);
}

/* Runs after every answer: the request's read snapshot ends; after a write
 * (POST, PUT...) too: on PostgreSQL that drops what its page sent ahead and
 * did not read (db_prefetch), so no later request of this thread takes it. */
void web_after(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	if (w && (w->read_snapshot || !(req->method & (HTTP_GET | HTTP_HEAD)))) {
		db_read_snapshot(req_db(req), false);
		w->read_snapshot = false;
	}
}

/* Runs before every handler and error page: session, language, CSRF. A POST
 * whose token does not match is refused here, before any handler runs. */
void web_before(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	if (!w)
		return;
	/* A GET reads: its statements share one snapshot (a write among them
	 * ends it first), until web_after. */
	if ((req->method & (HTTP_GET | HTTP_HEAD)) && req->path &&
	    !str_starts_with(req->path, "/static/") && !str_eq(req->path, "/healthz")) {
		db_read_snapshot(req_db(req), true);
		w->read_snapshot = true;
	}
	/* The API: tokens, not cookies; no CSRF (no cookie is read), English. */
	if (api_path(req->path)) {
		req->lang = LANG_EN;
		return;
	}
	w->staff_area = req->path && (str_eq(req->path, "/staff") || str_starts_with(req->path, "/staff/"));
	bool static_path = req->path && str_starts_with(req->path, "/static/");
	if (req->path && !static_path && !str_eq(req->path, "/healthz")) {
		prefetch_named_ticket(req, w);
		load_session(req, w);
	}
	choose_language(req, w);
	if (static_path || !req->path)
		return;
	choose_csrf(req, w);
	/* Staff whom the admin requires to use a second factor set it up
	 * before any other staff page. */
	if (web_twofa_gate(req))
		return;
	if (req->method == HTTP_GET)
		take_flash(req, w);
	if (req->method != HTTP_POST || req->body_too_big || req->body_malformed ||
	    req->too_many_fields)
		return;
	/* Only a POST that reaches a handler needs a token; others get 404/405. */
	struct route_match m;
	if (router_match(req_app(req)->router, req->method, req->path, req->arena, &m) < 0 || !m.handler)
		return;
	if (!token_equal(req_form(req, "csrf"), w->csrf))
		web_csrf_failed(req);
}
