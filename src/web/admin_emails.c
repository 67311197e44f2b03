/* Administration: the emails that could not be delivered, with the reason,
 * and a button to send each again. */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/outbox.h"
#include "domain/permission.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

enum { FAILED_PAGE_SIZE = 50 };

/* Staff signed in and admin: NULL after answering 303 (signed out) or 404
 * (an agent: the page does not exist for them). */
static struct session *require_admin(struct request *req)
{
	struct session *s = web_staff(req);
	if (!s) {
		web_require_login(req);
		return NULL;
	}
	if (!permission_administer(s)) {
		resp_error(req, 404);
		return NULL;
	}
	return s;
}

static const char *format_time(struct request *req, int64_t t)
{
	char out[32];
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, sizeof out, "%Y-%m-%d %H:%M UTC", &tm);
	return arena_strdup(req->arena, out);
}

/* GET /staff/emails[?before=ID] — 200; 303 signed out; 404 for agents. */
void admin_emails_show(struct request *req)
{
	if (!require_admin(req))
		return;
	db *d = req_db(req);
	int64_t before = 0;
	const char *b = req_query(req, "before");
	if (b && !str_to_int64(b, 1, INT64_MAX, &before)) {
		resp_error(req, 400);
		return;
	}
	struct outbox_row rows[FAILED_PAGE_SIZE];
	int n = d ? outbox_failed_page(d, before, FAILED_PAGE_SIZE, req->arena, rows) : -1;
	int64_t queued = d ? outbox_count(d, OUTBOX_QUEUED) : -1;
	if (n < 0 || queued < 0) {
		resp_error(req, 500);
		return;
	}
	vm_obj *page = page_new(req, "Failed emails", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_int(page, "queued", queued);
	vm_set_bool(page, "has_emails", n > 0);
	vm_list *list = vm_set_list(page, "emails");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "to", rows[i].to_address);
		vm_set_text(o, "subject", rows[i].subject);
		vm_set_text(o, "error", rows[i].last_error);
		vm_set_int(o, "attempts", rows[i].attempts);
		vm_set_text(o, "created", format_time(req, rows[i].created_at));
	}
	if (n == FAILED_PAGE_SIZE)
		vm_set_int(page, "next_before", rows[n - 1].id);
	page_render(req, 200, "staff/emails", page);
}

/* POST /staff/emails/:id/retry — 303 back with a message; 404 when the
 * email is not a failed one (or the page is not the admin's). */
void admin_email_retry(struct request *req)
{
	if (!require_admin(req))
		return;
	int64_t id;
	if (!str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id)) {
		resp_error(req, 404);
		return;
	}
	int rc = outbox_retry(req_db(req), id, (int64_t)time(NULL));
	if (rc < 0) {
		resp_error(req, 500);
		return;
	}
	if (rc == 1) {
		resp_error(req, 404);
		return;
	}
	app_mail_wake(req_app(req));
	web_flash(req, "email-retried");
	resp_redirect(req, 303, "/staff/emails");
}
