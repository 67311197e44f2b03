/* Staff: related tickets — link and unlink (POST /staff/tickets/:number/links),
 * and split a message with the ones after it into a new ticket
 * (GET/POST /staff/tickets/:number/split). */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/ticket_relation.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/staff.h"

/* POST /staff/tickets/:number/links (other, remove=1) — 303 back; 422. */
void staff_ticket_links(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	struct actor who = actor_of(s, CHANNEL_WEB);
	int64_t other = ticket_number_parse(req_form(req, "other"));
	bool remove = str_eq(req_form(req, "remove"), "1");
	int rc = ticket_link(req_db(req), &who, t->number, other, !remove, (int64_t)time(NULL));
	if (rc == TICKET_INVALID) {
		staff_ticket_page(req, t, 422, tr(req, "Enter the number of another ticket you can open."),
		                  false);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "ticket-updated");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/tickets/%lld", (long long)t->number));
}

static void split_page(struct request *req, const struct ticket_row *t, int64_t message_id,
                       int status, const char *error)
{
	vm_obj *page = page_new(req, "Split into a new ticket", "queue");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	page_ticket_number(page, t);
	vm_set_int(page, "message", message_id);
	const char *typed = req_form(req, "subject");
	vm_set_text(page, "subject", typed ? typed : t->subject);
	if (error)
		vm_set_text(page, "error", error);
	page_render(req, status, "staff/split", page);
}

/* GET /staff/tickets/:number/split?message=ID — the confirmation, 200; 404. */
void staff_ticket_split_form(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	int64_t message_id;
	if (!t)
		return;
	if (!str_to_int64(req_query(req, "message"), 1, INT64_MAX, &message_id)) {
		resp_error(req, 404);
		return;
	}
	split_page(req, t, message_id, 200, NULL);
}

/* POST /staff/tickets/:number/split (message, subject) — 303 to the new
 * ticket; 422 for a message that cannot start a new ticket. */
void staff_ticket_split(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	int64_t message_id = 0, number = 0;
	str_to_int64(req_form(req, "message"), 1, INT64_MAX, &message_id);
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_split(req_db(req), &who, t->number, message_id, req_form(req, "subject"),
	                      (int64_t)time(NULL), &number);
	if (rc == TICKET_INVALID) {
		split_page(req, t, message_id, 422,
		           tr(req, "Choose a later message of this ticket, and a subject of at most 200 characters."));
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "ticket-split");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/tickets/%lld", (long long)number));
}
