#include "web/csat.h"

#include <time.h>

#include "base/str.h"
#include "domain/csat.h"
#include "web/context.h"
#include "web/page.h"

static void render(struct request *req, int status, const char *token, const struct csat_view *v,
                   bool commented)
{
	vm_obj *page = page_new(req, "How would you rate our support?", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_int(page, "number", v->number);
	vm_set_text(page, "label", v->label);
	vm_set_text(page, "subject", v->subject);
	vm_set_textf(page, "action", "/csat/%s", token);
	vm_set_bool(page, "good", str_eq(v->rating, "good"));
	vm_set_bool(page, "bad", str_eq(v->rating, "bad"));
	vm_set_text(page, "rating_label", tr(req, str_eq(v->rating, "good") ? "Good" : "Bad"));
	vm_set_text(page, "comment", v->comment ? v->comment : "");
	vm_set_bool(page, "locked", v->locked);
	vm_set_bool(page, "commented", commented);
	page_render(req, status, "pages/csat", page);
}

static void answer(struct request *req, const char *token, const char *rating, const char *comment)
{
	struct csat_view v;
	int rc = csat_rate(req_db(req), app_notifier(req_app(req)), token, rating, comment,
	                   (int64_t)time(NULL), req->arena, &v);
	if (rc == CSAT_NOT_FOUND || rc == CSAT_INVALID) {
		resp_error(req, 404);
		return;
	}
	if (rc < 0) {
		resp_error(req, 500);
		return;
	}
	if (rc == CSAT_OK && comment)
		app_mail_wake(req_app(req));
	render(req, 200, token, &v, rc == CSAT_OK && comment && *comment);
}

/* GET /csat/:token/:rating — 200 (recorded, or locked after 7 days); 404. */
static void csat_click(struct request *req)
{
	answer(req, req_param(req, "token"), req_param(req, "rating"), NULL);
}

/* POST /csat/:token (rating, comment) — 200; 404. */
static void csat_comment(struct request *req)
{
	const char *comment = req_form(req, "comment");
	answer(req, req_param(req, "token"), req_form(req, "rating"), comment ? comment : "");
}

int web_routes_csat(router *r)
{
	if (router_add(r, HTTP_GET, "/csat/:token/:rating", csat_click) < 0)
		return -1;
	return router_add(r, HTTP_POST, "/csat/:token", csat_comment);
}
