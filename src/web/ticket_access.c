/* The password-less ticket access link of the emails (/t/:number/:key):
 * one ticket, its public thread and a reply form, for its client or one of
 * its CCs; it signs nobody in and sets no session (the reply form carries
 * the CSRF token like any page without a session). A key that is not a
 * live key of that ticket answers 404, like an unknown one. And the staff's
 * CC box: add, remove, revoke a link. */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/ticket_cc.h"
#include "domain/ticket_number.h"
#include "domain/token.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/staff.h"
#include "web/thread.h"

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

static const char *form_text(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v ? v : "";
}

/* The ticket and person of the link, or NULL after answering 404/500. */
static struct ticket_access *load_access(struct request *req)
{
	struct ticket_access *acc = arena_alloc(req->arena, sizeof *acc);
	int rc = acc ? ticket_access_open(req_db(req), ticket_number_parse(req_param(req, "number")),
	                                  req_param(req, "key"), req->arena, acc)
	             : DB_NOMEM;
	if (rc == 1) {
		const char *ip = req_client_ip(req);
		snprintf(acc->person.ip, sizeof acc->person.ip, "%s", ip ? ip : "");
		return acc;
	}
	resp_error(req, rc == 0 ? 404 : 500);
	return NULL;
}

/* The link's own address, the base of its forms and attachments. */
static const char *base_of(struct request *req, const struct ticket_access *acc)
{
	return arena_printf(req->arena, "/t/%lld/%s", (long long)acc->ticket.number,
	                    req_param(req, "key"));
}

static void access_page(struct request *req, struct ticket_access *acc, int status,
                        const char *message_error, const char *upload_error)
{
	const struct ticket_row *t = &acc->ticket;
	struct ticket_thread th;
	th.client_id = t->client_id;
	if (ticket_thread_load(req_db(req), t->id, false, req->arena, &th) < 0) {
		resp_error(req, 500);
		return;
	}
	char shown[TICKET_LABEL_MAX];
	vm_obj *page = page_new(req, arena_printf(req->arena, "#%s %s", ticket_number_shown(t, shown), t->subject), NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	const char *base = base_of(req, acc);
	vm_set_text(page, "base", base);
	vm_obj *o = vm_set_obj(page, "ticket");
	page_ticket_number(o, t);
	vm_set_text(o, "subject", t->subject);
	vm_set_text(o, "department", t->department_name);
	vm_set_text(o, "status", t->status);
	vm_set_text(o, "status_label", tr(req, ticket_status_label(t->status)));
	vm_set_text(o, "priority", tr(req, ticket_priority_label(t->priority)));
	vm_set_text(o, "priority_code", t->priority);
	vm_set_bool(o, "closed", str_eq(t->status, "closed"));
	page_time(req, o, "created", t->created_at);
	int64_t survivor = ticket_surviving_number(req_db(req), t);
	if (survivor > 0 && survivor != t->number)
		vm_set_int(o, "merged_into", survivor);
	vm_obj *who = vm_set_obj(page, "person");
	vm_set_text(who, "name", acc->person.name);
	vm_set_text(who, "email", acc->person.email);
	vm_set_bool(who, "cc", acc->person.cc_id > 0);
	vm_list *list = vm_set_list(page, "messages");
	for (int i = 0; i < th.nmessages; i++) {
		vm_obj *mo = vm_list_add(list);
		vm_set_text(mo, "author", th.messages[i].author_name);
		thread_message(req, mo, &th, &th.messages[i], base, true);
	}
	vm_set_bool(page, "sent", str_eq(req_query(req, "sent"), "1"));
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
	/* The key is in the address: keep it out of search engines (every
	 * page is already sent with Cache-Control: no-store). */
	resp_header(req, "X-Robots-Tag", "noindex");
	page_render(req, status, "tickets/access", page);
}

/* GET /t/:number/:key — 200; 404 for a key that is not a live one of that ticket. */
void access_ticket_show(struct request *req)
{
	struct ticket_access *acc = load_access(req);
	if (acc)
		access_page(req, acc, 200, NULL, NULL);
}

/* POST /t/:number/:key/reply — 303 back with ?sent=1 (no flash cookie: the
 * link sets none); 422 with the reply kept; 404. */
void access_ticket_reply(struct request *req)
{
	struct ticket_access *acc = load_access(req);
	if (!acc)
		return;
	struct attachment_in *files;
	const char *upload_error = NULL;
	int nfiles = web_take_attachments(req, &files, &upload_error);
	if (nfiles < 0) {
		access_page(req, acc, 422, NULL, upload_error);
		return;
	}
	struct ticket_errors e;
	struct actor who = actor_of(&acc->person, CHANNEL_WEB);
	struct ticket_post post = {.message = form_text(req, "message"), .files = files,
	                           .nfiles = nfiles, .submission_key = req_form(req, "submission")};
	int rc = ticket_reply(req_db(req), app_notifier(req_app(req)), &who, acc->ticket.number, &post,
	                      now(), &e);
	if (rc == TICKET_INVALID) {
		access_page(req, acc, 422, e.message, NULL);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	resp_redirect(req, 303, arena_printf(req->arena, "%s?sent=1#latest", base_of(req, acc)));
}

/* GET /t/:number/:key/attachments/:id — an attachment of a public message
 * of that ticket; 404 otherwise. */
void access_ticket_attachment(struct request *req)
{
	struct ticket_access *acc = load_access(req);
	if (!acc)
		return;
	int64_t id = 0;
	struct attachment_row a;
	int rc = 0;
	if (str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id))
		rc = ticket_access_attachment(req_db(req), acc, id, req->arena, &a);
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	web_send_attachment(req, &a);
}

/* ---- staff: the CC box ---- */

static void back_to_ticket(struct request *req, const struct ticket_row *t, const char *flash)
{
	web_flash(req, flash);
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/tickets/%lld#ccs", (long long)t->number));
}

/* POST /staff/tickets/:number/cc (cc_email, cc_name) — 303 back; 422 with
 * the address kept and the reason; 404. */
void staff_ticket_cc_add(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	const char *email = form_text(req, "cc_email"), *error = NULL;
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_cc_add(req_db(req), app_notifier(req_app(req)), &who, t->number, email,
	                       form_text(req, "cc_name"), now(), &error);
	if (rc == TICKET_INVALID) {
		staff_ticket_page(req, t, 422, arena_printf(req->arena, tr(req, error), email), false);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	back_to_ticket(req, t, "cc-added");
}

/* POST /staff/tickets/:number/cc/:id/remove — 303 back; 404. */
void staff_ticket_cc_remove(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	int64_t id = 0;
	str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id);
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_cc_remove(req_db(req), &who, t->number, id, now());
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	back_to_ticket(req, t, "cc-removed");
}

/* POST /staff/tickets/:number/access/revoke (cc: a CC's id, or 0 for the
 * client) — 303 back; 404 (also for a CC not of this ticket). */
void staff_ticket_access_revoke(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	int64_t cc = 0;
	str_to_int64(form_text(req, "cc"), 0, INT64_MAX, &cc);
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_access_revoke(req_db(req), &who, t->number, cc, now());
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND || rc == TICKET_INVALID ? 404 : 500);
		return;
	}
	back_to_ticket(req, t, "access-revoked");
}
