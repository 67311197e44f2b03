#include "web/routes.h"

#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/token.h"
#include "web/admin.h"
#include "web/admin_sla.h"
#include "web/csat.h"
#include "web/reports.h"
#include "web/kb.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

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
};

int web_routes(router *r)
{
	resp_set_error_page(web_error_page);
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (router_add(r, routes[i].methods, routes[i].pattern, routes[i].handler) < 0)
			return -1;
	if (web_routes_admin(r) < 0 || web_routes_sla(r) < 0 || web_routes_csat(r) < 0 ||
	    web_routes_reports(r) < 0)
		return -1;
	return web_routes_kb(r);
}

/* The session named by this area's cookie: clients use "sid" on the whole
 * site, staff "ssid" under /staff, so one never opens the other's pages. */
static void load_session(struct request *req, struct web_ctx *w)
{
	const char *token = req_cookie(req, w->staff_area ? "ssid" : "sid");
	if (!token)
		return;
	db *d = req_db(req);
	struct session *s = arena_alloc(req->arena, sizeof *s);
	if (!d || !s)
		return;
	int rc = session_resume(d, w->staff_area ? ACCOUNT_STAFF : ACCOUNT_CLIENT, token,
	                        (int64_t)time(NULL), s);
	if (rc == 1) {
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

/* Runs before every handler and error page: session, language, CSRF. A POST
 * whose token does not match is refused here, before any handler runs. */
void web_before(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	if (!w)
		return;
	w->staff_area = req->path && (str_eq(req->path, "/staff") || str_starts_with(req->path, "/staff/"));
	bool static_path = req->path && str_starts_with(req->path, "/static/");
	if (req->path && !static_path && !str_eq(req->path, "/healthz"))
		load_session(req, w);
	choose_language(req, w);
	if (static_path || !req->path)
		return;
	choose_csrf(req, w);
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
