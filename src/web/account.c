/* One's own account: /account for clients, /staff/account for staff, with
 * the profile and password forms, two-factor sign-in and Sessões ativas
 * (web/twofa.c). The area's cookie decides whose session this is. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/auth.h"
#include "domain/contact.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/twofa.h"

/* The signed-in account of this area (client under /, staff under
 * /staff), or NULL. */
static struct session *me(struct request *req)
{
	return web_ctx(req)->session;
}

static const char *account_path(struct request *req)
{
	return web_ctx(req)->staff_area ? "/staff/account" : "/account";
}

static void account_render(struct request *req, int status, const char *field, const char *error)
{
	struct session *s = me(req);
	vm_obj *page = page_new(req, "My account", "account");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	const char *name = req_form(req, "name");
	vm_set_text(page, "name", name ? name : s->name);
	vm_set_text(page, "email", s->email);
	const char *new_email = req_form(req, "new_email");
	vm_set_text(page, "new_email", new_email ? new_email : "");
	const char *lang = req_form(req, "language") ? req_form(req, "language") : s->language;
	vm_set_bool(page, "lang_en", str_eq(lang, "en"));
	vm_set_bool(page, "lang_pt", !str_eq(lang, "en"));
	if (field && error)
		vm_set_text(page, arena_printf(req->arena, "%s_error", field), error);
	vm_set_text(page, "base", account_path(req));
	vm_set_bool(page, "staff_page", web_ctx(req)->staff_area);
	/* Contatos: the owner manages them; a contact sees whose account it is. */
	bool client = !web_ctx(req)->staff_area && s->kind == ACCOUNT_CLIENT;
	vm_set_bool(page, "owner", client && !session_is_contact(s));
	if (client && session_is_contact(s)) {
		vm_set_bool(page, "contact", true);
		vm_set_text(page, "owner_name", contact_owner_name(req_db(req), s, req->arena));
	}
	web_account_security(req, page);
	page_render(req, status, "pages/account", page);
}

void account_render_error(struct request *req, const char *field, const char *error)
{
	account_render(req, 422, field, error);
}

/* GET /account, /staff/account — 200; 303 to sign-in when signed out. */
void account_show(struct request *req)
{
	if (!me(req)) {
		web_require_login(req);
		return;
	}
	account_render(req, 200, NULL, NULL);
}

/* POST /account/profile — 303 back with a message; 422 with the error. */
void account_profile_submit(struct request *req)
{
	struct session *s = me(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	char name[256];
	snprintf(name, sizeof name, "%s", req_form(req, "name") ? req_form(req, "name") : "");
	str_trim(name);
	const char *lang = req_form(req, "language");
	int rc = auth_update_profile(req_db(req), s, name, lang, web_now(req));
	if (rc != AUTH_OK) {
		account_render(req, 422, "name", tr(req, account_error_text(rc)));
		return;
	}
	/* The language of the page follows the account from the next request. */
	if (lang && lang_parse(lang) >= 0)
		resp_cookie(req, "lang", lang_code((enum lang)lang_parse(lang)), 365L * 24 * 3600, false);
	web_flash(req, "profile-saved");
	resp_redirect(req, 303, account_path(req));
}

/* POST /account/password — 303 with a message; 422 when the current
 * password is wrong or the new one breaks the rules. */
void account_password_submit(struct request *req)
{
	struct session *s = me(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	const char *current = req_form(req, "current_password");
	const char *next = req_form(req, "new_password");
	int rc = auth_change_password(req_db(req), s, current, next ? next : "", web_now(req));
	if (rc == AUTH_WRONG_PASSWORD) {
		account_render(req, 422, "current_password", tr(req, "The current password is not correct."));
		return;
	}
	if (rc == ACCOUNT_BUSY) {
		web_busy(req);
		return;
	}
	if (rc != AUTH_OK) {
		account_render(req, rc == ACCOUNT_STORE_FAILED ? 500 : 422, "new_password",
		               tr(req, account_error_text(rc)));
		return;
	}
	web_flash(req, "password-changed");
	resp_redirect(req, 303, account_path(req));
}
