/* "Esqueceu a senha?": asking for a reset link and using it, for clients
 * (/forgot, /reset/:token) and staff (/staff/forgot, /staff/reset/:token);
 * and the confirmation link of a new email address. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/recovery.h"
#include "domain/throttle.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

static bool in_staff_area(struct request *req)
{
	return web_ctx(req)->staff_area;
}

static void forgot_render(struct request *req, int status, bool sent)
{
	vm_obj *page = page_new(req, "Forgot password?", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	const char *email = req_form(req, "email");
	vm_set_text(page, "email", email ? email : "");
	vm_set_bool(page, "sent", sent);
	vm_set_text(page, "action", in_staff_area(req) ? "/staff/forgot" : "/forgot");
	vm_set_text(page, "login", in_staff_area(req) ? "/staff/login" : "/login");
	page_render(req, status, "pages/forgot", page);
}

/* GET /forgot, /staff/forgot — 200. */
void forgot_form(struct request *req)
{
	forgot_render(req, 200, false);
}

/* POST /forgot, /staff/forgot — 200 with the same words whether or not the
 * address has an account; 429 when asked too often from this address or for
 * this email; 500 when the database fails. */
void forgot_submit(struct request *req)
{
	db *d = req_db(req);
	char email[256];
	snprintf(email, sizeof email, "%s", req_form(req, "email") ? req_form(req, "email") : "");
	str_trim(email);
	enum account_kind kind = in_staff_area(req) ? ACCOUNT_STAFF : ACCOUNT_CLIENT;
	int64_t now = (int64_t)time(NULL);
	int64_t wait = d ? throttle_form_wait(d, THROTTLE_FORGOT, email, req_client_ip(req), now) : -1;
	if (wait > 0) {
		web_throttled(req, wait);
		return;
	}
	if (wait < 0 || throttle_form_count(d, THROTTLE_FORGOT, email, req_client_ip(req), now) < 0 ||
	    recovery_request(d, app_notifier(req_app(req)), kind, email, now) < 0) {
		resp_error(req, 500);
		return;
	}
	app_mail_wake(req_app(req));
	forgot_render(req, 200, true);
}

static void reset_render(struct request *req, int status, bool valid, const char *error)
{
	vm_obj *page = page_new(req, "Choose a new password", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "valid", valid);
	vm_set_text(page, "action", req->path);
	vm_set_text(page, "forgot", in_staff_area(req) ? "/staff/forgot" : "/forgot");
	if (error)
		vm_set_text(page, "password_error", error);
	page_render(req, status, "pages/reset", page);
}

/* GET /reset/:token — 200 with the form; 404 when the link is unknown,
 * used or expired (with a way to ask for a new one). */
void reset_form(struct request *req)
{
	enum account_kind kind = in_staff_area(req) ? ACCOUNT_STAFF : ACCOUNT_CLIENT;
	int rc = recovery_check(req_db(req), kind, req_param(req, "token"), (int64_t)time(NULL));
	if (rc < 0) {
		resp_error(req, 500);
		return;
	}
	resp_header(req, "Referrer-Policy", "no-referrer");
	reset_render(req, rc == RECOVERY_OK ? 200 : 404, rc == RECOVERY_OK, NULL);
}

/* POST /reset/:token — 303 to sign-in; 422 password rules; 404 dead link;
 * 429 after too many refused tries from this address or on this link; 503
 * busy. */
void reset_submit(struct request *req)
{
	enum account_kind kind = in_staff_area(req) ? ACCOUNT_STAFF : ACCOUNT_CLIENT;
	const char *password = req_form(req, "password");
	const char *token = req_param(req, "token");
	db *d = req_db(req);
	int64_t now = (int64_t)time(NULL);
	int64_t wait = d ? throttle_form_wait(d, THROTTLE_RESET, token, req_client_ip(req), now) : -1;
	if (wait > 0) {
		web_throttled(req, wait);
		return;
	}
	if (wait < 0) {
		resp_error(req, 500);
		return;
	}
	int rc = recovery_complete(d, kind, token, password ? password : "", now);
	if (rc == RECOVERY_INVALID || rc == ACCOUNT_PASSWORD_SHORT || rc == ACCOUNT_PASSWORD_LONG)
		throttle_form_count(d, THROTTLE_RESET, token, req_client_ip(req), now);
	if (rc == ACCOUNT_BUSY) {
		web_busy(req);
		return;
	}
	if (rc == RECOVERY_OK) {
		web_flash(req, "password-reset");
		resp_redirect(req, 303, kind == ACCOUNT_STAFF ? "/staff/login" : "/login");
		return;
	}
	if (rc == RECOVERY_INVALID) {
		reset_render(req, 404, false, NULL);
		return;
	}
	if (rc == ACCOUNT_PASSWORD_SHORT || rc == ACCOUNT_PASSWORD_LONG) {
		reset_render(req, 422, true, tr(req, account_error_text(rc)));
		return;
	}
	resp_error(req, 500);
}

/* POST /account/email — 303 with "we sent a link"; 422 with the reason. */
void account_email_submit(struct request *req)
{
	struct session *s = web_client(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	char email[256];
	snprintf(email, sizeof email, "%s", req_form(req, "new_email") ? req_form(req, "new_email") : "");
	str_trim(email);
	int rc = email_change_request(req_db(req), app_notifier(req_app(req)), s, email, req_form(req, "email_password"),
	                              (int64_t)time(NULL));
	if (rc == RECOVERY_OK) {
		app_mail_wake(req_app(req));
		web_flash(req, "email-sent");
		resp_redirect(req, 303, "/account");
		return;
	}
	if (rc == RECOVERY_WRONG_PASSWORD) {
		account_render_error(req, "email_password", tr(req, "The current password is not correct."));
		return;
	}
	if (rc == ACCOUNT_BUSY) {
		web_busy(req);
		return;
	}
	if (rc == ACCOUNT_EMAIL_INVALID || rc == ACCOUNT_EMAIL_TAKEN) {
		account_render_error(req, "new_email", tr(req, account_error_text(rc)));
		return;
	}
	resp_error(req, 500);
}

/* GET /account/email/:token — 303 to the account with a message; 404 for a
 * dead link; 409 when the address was taken meanwhile. */
void account_email_confirm(struct request *req)
{
	int rc = email_change_confirm(req_db(req), req_param(req, "token"), (int64_t)time(NULL));
	if (rc == RECOVERY_OK) {
		web_flash(req, "email-changed");
		resp_redirect(req, 303, web_client(req) ? "/account" : "/login");
		return;
	}
	if (rc == RECOVERY_INVALID) {
		resp_error(req, 404);
		return;
	}
	if (rc == ACCOUNT_EMAIL_TAKEN) {
		resp_error(req, 409);
		return;
	}
	resp_error(req, 500);
}
