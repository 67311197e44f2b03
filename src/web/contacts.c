/* Contatos: the contacts (sub-accounts) of a client account, managed by its
 * owner at /account/contacts (domain/contact.h). A contact, a CC or staff
 * asking gets 404, exactly as for a page that does not exist. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/str.h"
#include "domain/contact.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

/* The actor when the signed-in client owns the account; otherwise the
 * answer is sent (303 to sign in, or 404) and NULL returned. */
static const struct actor *owner_or_answer(struct request *req)
{
	struct session *s = web_client(req);
	if (!s) {
		web_require_login(req);
		return NULL;
	}
	const struct actor *who = web_actor(req);
	if (!contact_may_manage(who)) {
		resp_error(req, 404);
		return NULL;
	}
	return who;
}

static bool checked(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v && *v;
}

/* The page with the list and the add form (f and e: what was typed and
 * what is wrong, on a 422). */
static void contacts_render(struct request *req, int status, const struct actor *who,
                            const struct contact_form *f, const struct contact_errors *e,
                            const char *top_error)
{
	struct contact_row *rows = arena_alloc(req->arena, CONTACT_MAX * sizeof *rows);
	int n = rows ? contact_list(req_db(req), who, req->arena, rows, CONTACT_MAX) : DB_NOMEM;
	vm_obj *page = n >= 0 ? page_new(req, "Contacts", NULL) : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "contacts");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "email", rows[i].email);
		vm_set_bool(o, "can_tickets", rows[i].can_tickets);
		vm_set_bool(o, "gets_emails", rows[i].gets_emails);
		vm_set_bool(o, "has_password", rows[i].has_password);
		page_time(req, o, "added", rows[i].created_at);
	}
	vm_set_bool(page, "has_contacts", n > 0);
	vm_set_bool(page, "full", n >= CONTACT_MAX);
	vm_set_text(page, "new_name", f ? f->name : "");
	vm_set_text(page, "new_email", f ? f->email : "");
	vm_set_bool(page, "new_can_tickets", f ? f->can_tickets : true);
	vm_set_bool(page, "new_gets_emails", f ? f->gets_emails : true);
	if (e && e->name)
		vm_set_text(page, "name_error", tr(req, e->name));
	if (e && e->email)
		vm_set_text(page, "email_error", tr(req, e->email));
	if (top_error)
		vm_set_text(page, "top_error", top_error);
	page_render(req, status, "pages/contacts", page);
}

/* GET /account/contacts — 200; 303 to sign in; 404 for a contact. */
void contacts_show(struct request *req)
{
	const struct actor *who = owner_or_answer(req);
	if (who)
		contacts_render(req, 200, who, NULL, NULL, NULL);
}

/* POST /account/contacts — 303 back with a message (the contact is emailed
 * a link to choose a password); 422 with what was typed; 404. */
void contact_add_submit(struct request *req)
{
	const struct actor *who = owner_or_answer(req);
	if (!who)
		return;
	const char *name = req_form(req, "name"), *email = req_form(req, "email");
	struct contact_form f = {
		.name = name ? name : "",
		.email = email ? email : "",
		.can_tickets = checked(req, "can_tickets"),
		.gets_emails = checked(req, "gets_emails"),
	};
	struct contact_errors e;
	int64_t id = 0;
	int rc = contact_add(req_db(req), app_notifier(req_app(req)), who, &f, web_now(req), &e, &id);
	if (rc == CONTACT_INVALID) {
		contacts_render(req, 422, who, &f, &e, tr(req, "Please correct the fields marked below."));
		return;
	}
	if (rc == CONTACT_FULL) {
		contacts_render(req, 422, who, &f, NULL,
		                tr(req, "An account can have at most 50 contacts. Remove one to add another."));
		return;
	}
	if (rc != CONTACT_OK) {
		resp_error(req, rc == CONTACT_NOT_FOUND ? 404 : 500);
		return;
	}
	app_mail_wake(req_app(req));
	web_flash(req, "contact-added");
	resp_redirect(req, 303, "/account/contacts");
}

static int64_t contact_id(struct request *req)
{
	int64_t id = 0;
	return str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id) ? id : 0;
}

/* POST /account/contacts/:id — the two permissions: 303 back; 404. */
void contact_save_submit(struct request *req)
{
	const struct actor *who = owner_or_answer(req);
	if (!who)
		return;
	int rc = contact_update(req_db(req), who, contact_id(req), checked(req, "can_tickets"),
	                        checked(req, "gets_emails"), web_now(req));
	if (rc != CONTACT_OK) {
		resp_error(req, rc == CONTACT_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "contact-saved");
	resp_redirect(req, 303, "/account/contacts");
}

/* POST /account/contacts/:id/remove — 303 back (the contact is signed out
 * at once); 404. */
void contact_remove_submit(struct request *req)
{
	const struct actor *who = owner_or_answer(req);
	if (!who)
		return;
	int rc = contact_remove(req_db(req), who, contact_id(req), web_now(req));
	if (rc != CONTACT_OK) {
		resp_error(req, rc == CONTACT_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "contact-removed");
	resp_redirect(req, 303, "/account/contacts");
}
