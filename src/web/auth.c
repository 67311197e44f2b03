/* Signing in and out, for clients (/login) and staff (/staff/login), and
 * self-registration (/register). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/auth.h"
#include "domain/throttle.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/twofa.h"

static const char *form_value(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v ? v : "";
}

/* The sign-in form, with what was typed and an error when there is one. */
static void login_render(struct request *req, bool staff, int status, const char *error)
{
	vm_obj *page = page_new(req, staff ? "Staff sign in" : "Sign in", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	const char *email = req_form(req, "email");
	vm_set_text(page, "email", email ? email : "");
	const char *next = req_form(req, "next") ? req_form(req, "next") : req_query(req, "next");
	vm_set_text(page, "next", web_safe_next(next, ""));
	if (error)
		vm_set_text(page, "error", error);
	vm_set_bool(page, "registration_open", req_app(req)->registration_open);
	page_render(req, status, staff ? "staff/login" : "pages/login", page);
}

/* The wait, in whole minutes, rounded up. */
static const char *wait_text(struct request *req, int64_t seconds)
{
	long minutes = (long)((seconds + 59) / 60);
	const char *fmt = i18n_ntext(req_app(req)->catalog, req_lang(req),
	                             "Too many failed attempts. Try again in %ld minute.",
	                             "Too many failed attempts. Try again in %ld minutes.", minutes);
	return arena_printf(req->arena, fmt, minutes);
}

/* POST: 303 on success; 422 wrong credentials; 429 throttled; 503 too much
 * password work queued; 500. */
static void login_post(struct request *req, bool staff)
{
	db *d = req_db(req);
	if (!d) {
		resp_error(req, 500);
		return;
	}
	struct auth_login in = {
		.kind = staff ? ACCOUNT_STAFF : ACCOUNT_CLIENT,
		.email = form_value(req, "email"),
		.password = form_value(req, "password"),
		.ip = req_client_ip(req),
		.user_agent = req_header(req, "User-Agent"),
		.now = web_now(req),
	};
	struct auth_result out;
	auth_login(d, &in, &out);
	const char *next = web_safe_next(req_form(req, "next"), staff ? "/staff" : "/tickets");
	switch (out.status) {
	case AUTH_OK:
		/* A session from before sign-in (another account) ends here. */
		if (web_ctx(req)->session_token)
			session_end(d, web_ctx(req)->session_token);
		web_set_session_cookie(req, staff, out.token);
		resp_redirect(req, 303, out.setup_required ? "/staff/account/2fa" : next);
		return;
	case AUTH_NEED_CODE:
		/* No session yet: the code step holds the sign-in in its cookie. */
		web_set_challenge_cookie(req, staff, out.challenge);
		resp_redirect(req, 303, arena_printf(req->arena, "%s?next=%s",
		                                     staff ? "/staff/login/code" : "/login/code", next));
		return;
	case AUTH_BAD_CREDENTIALS:
		login_render(req, staff, 422, tr(req, "Incorrect email or password."));
		return;
	case AUTH_THROTTLED: {
		char retry[24];
		snprintf(retry, sizeof retry, "%lld", (long long)out.wait_seconds);
		resp_header(req, "Retry-After", arena_strdup(req->arena, retry));
		login_render(req, staff, 429, wait_text(req, out.wait_seconds));
		return;
	}
	case AUTH_BUSY:
		web_busy(req);
		return;
	default:
		resp_error(req, 500);
	}
}

/* The code step of sign-in, with an error when there is one. */
static void code_render(struct request *req, bool staff, int status, const char *error)
{
	vm_obj *page = page_new(req, "Two-factor sign-in", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	const char *next = req_form(req, "next") ? req_form(req, "next") : req_query(req, "next");
	vm_set_text(page, "next", web_safe_next(next, ""));
	vm_set_text(page, "action", staff ? "/staff/login/code" : "/login/code");
	vm_set_text(page, "login", staff ? "/staff/login" : "/login");
	if (error)
		vm_set_text(page, "error", error);
	page_render(req, status, "pages/login_code", page);
}

/* GET /login/code, /staff/login/code — 200; 303 to the sign-in page when
 * no sign-in waits for a code. */
void login_code_form(struct request *req)
{
	bool staff = web_ctx(req)->staff_area;
	if (!req_cookie(req, "mfa")) {
		resp_redirect(req, 303, staff ? "/staff/login" : "/login");
		return;
	}
	code_render(req, staff, 200, NULL);
}

/* POST /login/code — 303 signed in; 422 wrong code; 429 throttled; 303 to
 * the sign-in page when the sign-in expired. */
void login_code_submit(struct request *req)
{
	bool staff = web_ctx(req)->staff_area;
	db *d = req_db(req);
	if (!d) {
		resp_error(req, 500);
		return;
	}
	struct auth_code in = {
		.kind = staff ? ACCOUNT_STAFF : ACCOUNT_CLIENT,
		.challenge = req_cookie(req, "mfa"),
		.code = form_value(req, "code"),
		.ip = req_client_ip(req),
		.user_agent = req_header(req, "User-Agent"),
		.now = web_now(req),
	};
	struct auth_result out;
	auth_login_code(d, &in, &out);
	switch (out.status) {
	case AUTH_OK:
		if (web_ctx(req)->session_token)
			session_end(d, web_ctx(req)->session_token);
		web_set_challenge_cookie(req, staff, NULL);
		web_set_session_cookie(req, staff, out.token);
		resp_redirect(req, 303, web_safe_next(req_form(req, "next"), staff ? "/staff" : "/tickets"));
		return;
	case AUTH_BAD_CODE:
		code_render(req, staff, 422, tr(req, "That code is not right. Enter the newest code "
		                                     "from the app, or one of your recovery codes."));
		return;
	case AUTH_THROTTLED: {
		char retry[24];
		snprintf(retry, sizeof retry, "%lld", (long long)out.wait_seconds);
		resp_header(req, "Retry-After", arena_strdup(req->arena, retry));
		code_render(req, staff, 429, wait_text(req, out.wait_seconds));
		return;
	}
	case AUTH_EXPIRED:
		web_set_challenge_cookie(req, staff, NULL);
		web_flash(req, "code-expired");
		resp_redirect(req, 303, staff ? "/staff/login" : "/login");
		return;
	default:
		resp_error(req, 500);
	}
}

/* GET /login — 200, or 303 home when already signed in. */
void login_form(struct request *req)
{
	if (web_client(req)) {
		resp_redirect(req, 303, "/");
		return;
	}
	login_render(req, false, 200, NULL);
}

void login_submit(struct request *req)
{
	login_post(req, false);
}

void staff_login_form(struct request *req)
{
	if (web_staff(req)) {
		resp_redirect(req, 303, "/staff");
		return;
	}
	login_render(req, true, 200, NULL);
}

void staff_login_submit(struct request *req)
{
	login_post(req, true);
}

/* POST /logout — 303 home; the session is deleted from the database. */
static void logout(struct request *req, bool staff)
{
	struct web_ctx *w = web_ctx(req);
	db *d = req_db(req);
	if (w->session_token && d)
		session_end(d, w->session_token);
	web_clear_session_cookie(req, staff);
	web_flash(req, "signed-out");
	resp_redirect(req, 303, staff ? "/staff/login" : "/");
}

void logout_submit(struct request *req)
{
	logout(req, false);
}

void staff_logout_submit(struct request *req)
{
	logout(req, true);
}

static void register_render(struct request *req, int status, int error)
{
	vm_obj *page = page_new(req, "Create account", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_text(page, "name", form_value(req, "name"));
	vm_set_text(page, "email", form_value(req, "email"));
	if (error == ACCOUNT_NAME_EMPTY)
		vm_set_text(page, "name_error", tr(req, account_error_text(error)));
	else if (error == ACCOUNT_EMAIL_INVALID || error == ACCOUNT_EMAIL_TAKEN)
		vm_set_text(page, "email_error", tr(req, account_error_text(error)));
	else if (error == ACCOUNT_PASSWORD_SHORT || error == ACCOUNT_PASSWORD_LONG)
		vm_set_text(page, "password_error", tr(req, account_error_text(error)));
	else if (error)
		vm_set_text(page, "error", tr(req, account_error_text(error)));
	/* An account made from an email (no password yet) is the usual reason. */
	vm_set_bool(page, "email_taken", error == ACCOUNT_EMAIL_TAKEN);
	if (error)
		vm_set_bool(page, "has_errors", true);
	page_render(req, status, "pages/register", page);
}

/* GET /register — 200; 404 when registration is closed. */
void register_form(struct request *req)
{
	if (!req_app(req)->registration_open) {
		resp_error(req, 404);
		return;
	}
	if (web_client(req)) {
		resp_redirect(req, 303, "/");
		return;
	}
	register_render(req, 200, 0);
}

/* POST /register — 303 signed in; 422 with the form kept; 404 closed; 429
 * too many attempts from this address or for this email; 503 busy. */
void register_submit(struct request *req)
{
	if (!req_app(req)->registration_open) {
		resp_error(req, 404);
		return;
	}
	db *d = req_db(req);
	if (!d) {
		resp_error(req, 500);
		return;
	}
	char name[256];
	snprintf(name, sizeof name, "%s", form_value(req, "name"));
	str_trim(name);
	char email[256];
	snprintf(email, sizeof email, "%s", form_value(req, "email"));
	str_trim(email);
	struct account_new n = {
		.kind = ACCOUNT_CLIENT, .email = email, .name = name,
		.password = form_value(req, "password"), .lang = lang_code(req_lang(req)),
	};
	int64_t now = (int64_t)time(NULL);
	int64_t wait = throttle_form_wait(d, THROTTLE_REGISTER, email, req_client_ip(req), now);
	if (wait > 0) {
		web_throttled(req, wait);
		return;
	}
	if (wait < 0 || throttle_form_count(d, THROTTLE_REGISTER, email, req_client_ip(req), now) < 0) {
		resp_error(req, 500);
		return;
	}
	struct auth_result out;
	struct session_origin origin = {req_client_ip(req), req_header(req, "User-Agent")};
	int rc = auth_register(d, &n, &origin, web_now(req), &out);
	if (rc == ACCOUNT_BUSY) {
		web_busy(req);
		return;
	}
	if (rc != AUTH_OK) {
		register_render(req, rc == ACCOUNT_STORE_FAILED ? 500 : 422, rc);
		return;
	}
	web_set_session_cookie(req, false, out.token);
	web_flash(req, "welcome");
	resp_redirect(req, 303, "/");
}
