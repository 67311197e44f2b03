/* The Client Area home (Área do Cliente) and the small pages around it:
 * the language switcher, /healthz and the brand stylesheet. */
#include <stdio.h>
#include <string.h>

#include <time.h>

#include "base/str.h"
#include "domain/auth.h"
#include "domain/setup.h"
#include "domain/ticket.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

/* GET / — 200, or 500 when the database does not answer. */
void home_show(struct request *req)
{
	db *d = req_db(req);
	struct department_row deps[16];
	int n = d ? ticket_departments(d, deps, 16) : -1;
	if (n < 0) {
		resp_error(req, 500);
		return;
	}
	vm_obj *page = page_new(req, "Client Area", "home");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "departments");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		if (!o)
			break;
		vm_set_text(o, "name", arena_strdup(req->arena, deps[i].name));
		vm_set_text(o, "description", arena_strdup(req->arena, deps[i].description));
		vm_set_int(o, "id", deps[i].id);
	}
	page_render(req, 200, "pages/home", page);
}

/* POST /lang (lang, next) — 303 to next with the lang cookie; 400 for an
 * unknown language. */
void lang_switch(struct request *req)
{
	int lang = lang_parse(req_form(req, "lang") ? req_form(req, "lang") : "");
	if (lang < 0) {
		resp_error(req, 400);
		return;
	}
	struct app *app = req_app(req);
	bool secure = str_starts_with(app->cfg.base_url, "https:");
	struct web_ctx *w = web_ctx(req);
	/* A signed-in account keeps the choice, for its pages and its emails. */
	if (w->session && req_db(req))
		auth_set_language(req_db(req), w->session, lang_code((enum lang)lang), (int64_t)time(NULL));
	resp_cookie(req, "lang", lang_code((enum lang)lang), 365L * 24 * 3600, secure);
	resp_redirect(req, 303, web_safe_next(req_form(req, "next"), "/"));
}

/* GET /healthz — 200 when the database answers, 503 otherwise. */
void health_show(struct request *req)
{
	db *d = req_db(req);
	bool ok = setup_database_ready(d);
	resp_header(req, "Cache-Control", "no-store");
	resp_text(req, ok ? 200 : 503, "application/json",
	          ok ? "{\"status\":\"ok\"}\n" : "{\"status\":\"unavailable\"}\n");
}

/* GET /brand.css — the company's colour, so pages carry no inline style. */
void brand_css(struct request *req)
{
	struct app *app = req_app(req);
	const char *c = app->brand_color;
	bool valid = c[0] == '#' && strspn(c + 1, "0123456789abcdefABCDEF") == strlen(c + 1) &&
	             (strlen(c) == 4 || strlen(c) == 7);
	const char *css = arena_printf(req->arena, ":root{--brand:%s}\n", valid ? c : "#1f5fbf");
	resp_header(req, "Cache-Control", "public, max-age=300");
	resp_text(req, 200, "text/css; charset=utf-8", css ? css : "");
}
