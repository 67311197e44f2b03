/* Two-factor sign-in and Sessões ativas on the account pages of both
 * areas, the admin's reset and the security settings (see web/twofa.h).
 * The area's cookie decides whose session a page acts for. */
#include "web/twofa.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/admin.h"
#include "domain/auth.h"
#include "domain/twofa.h"
#include "view/qr.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

static struct session *me(struct request *req)
{
	return web_ctx(req)->session;
}

static const char *account_path(struct request *req)
{
	return web_ctx(req)->staff_area ? "/staff/account" : "/account";
}

/* False (after answering) when this account may not use the set-up pages:
 * signed out (303 to sign-in), or a client while the option is off (404). */
static bool setup_allowed(struct request *req)
{
	struct session *s = me(req);
	if (!s) {
		web_require_login(req);
		return false;
	}
	if (s->kind == ACCOUNT_CLIENT && !twofa_offered_to_clients(req_db(req))) {
		resp_error(req, 404);
		return false;
	}
	return true;
}

void web_set_challenge_cookie(struct request *req, bool staff, const char *challenge)
{
	bool secure = str_starts_with(req_app(req)->cfg.base_url, "https:");
	const char *line = arena_printf(req->arena, "mfa=%s; Path=%s; Max-Age=%d; HttpOnly; SameSite=Lax%s",
	                                challenge ? challenge : "", staff ? "/staff/login" : "/login",
	                                challenge ? AUTH_CHALLENGE_TTL : 0, secure ? "; Secure" : "");
	if (line)
		resp_header(req, "Set-Cookie", line);
}

/* "Chrome no Linux": the browser and the system, as far as known. */
static const char *device_text(struct request *req, const struct session_info *si)
{
	if (si->browser && si->os)
		return arena_printf(req->arena, tr(req, "%s on %s"), si->browser, si->os);
	if (si->browser || si->os)
		return si->browser ? si->browser : si->os;
	return tr(req, "Unknown device");
}

void web_account_security(struct request *req, vm_obj *page)
{
	struct session *s = me(req);
	db *d = req_db(req);
	if (!s || !d)
		return;
	bool offered = s->kind == ACCOUNT_STAFF || twofa_offered_to_clients(d);
	struct twofa_state st;
	if (twofa_state(d, s->kind, s->user_id, &st) == 0 && (offered || st.enabled)) {
		vm_obj *tf = vm_set_obj(page, "twofa");
		vm_set_bool(tf, "enabled", st.enabled);
		if (st.enabled) {
			page_time(req, tf, "since", st.enabled_at);
			vm_set_int(tf, "recovery_left", st.recovery_left);
		}
		vm_set_bool(tf, "locked", s->kind == ACCOUNT_STAFF && twofa_required_for_staff(d));
	}
	struct session_info *list = arena_alloc(req->arena, sizeof *list * SESSION_LIST_MAX);
	int n = list ? session_list(d, s, web_now(req), list, SESSION_LIST_MAX) : -1;
	vm_list *rows = vm_set_list(page, "sessions");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(rows);
		vm_set_int(o, "id", list[i].id);
		vm_set_text(o, "device", device_text(req, &list[i]));
		vm_set_text(o, "ip", list[i].ip[0] ? arena_strdup(req->arena, list[i].ip) : "—");
		page_time(req, o, "started", list[i].created_at);
		page_time(req, o, "seen", list[i].last_seen_at);
		vm_set_bool(o, "current", list[i].current);
	}
	vm_set_bool(page, "other_sessions", n > 1);
}

bool web_twofa_gate(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	if (!w->staff_area || !w->session || w->session->twofa || !req->path)
		return false;
	if (str_eq(req->path, "/staff/account/2fa") || str_eq(req->path, "/staff/logout"))
		return false;
	if (!twofa_setup_required(req_db(req), w->session))
		return false;
	resp_redirect(req, 303, "/staff/account/2fa");
	return true;
}

/* ---- set-up ---- */

/* "ABCD EFGH …": the secret in groups of four, easier to type. */
static const char *grouped(struct request *req, const char *secret)
{
	char out[TWOFA_SECRET_B32 + TWOFA_SECRET_B32 / 4 + 1];
	size_t o = 0;
	for (size_t i = 0; secret[i] && o + 2 < sizeof out; i++) {
		if (i && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = secret[i];
	}
	out[o] = '\0';
	return arena_strdup(req->arena, out);
}

static void setup_render(struct request *req, int status, const char *error)
{
	struct session *s = me(req);
	db *d = req_db(req);
	char secret[TWOFA_SECRET_B32 + 1];
	const struct actor *actor = web_actor(req);
	int rc = d ? twofa_setup_begin(d, actor, web_now(req), secret) : -1;
	if (rc == TWOFA_ALREADY_ON) {
		resp_redirect(req, 303, account_path(req));
		return;
	}
	if (rc == TWOFA_NOT_OFFERED) {
		resp_error(req, 404);
		return;
	}
	vm_obj *page = rc == TWOFA_OK ? page_new(req, "Two-factor sign-in", "account") : NULL;
	char uri[768];
	buf svg;
	buf_init(&svg, 64 * 1024);
	if (!page || !twofa_otpauth_uri(req_app(req)->company_name, s->email, secret, uri, sizeof uri) ||
	    qr_svg(uri, tr(req, "QR code for the authenticator app"), &svg) < 0) {
		buf_free(&svg);
		resp_error(req, 500);
		return;
	}
	vm_set_trusted_html(page, "qr", arena_strndup(req->arena, buf_str(&svg), svg.len));
	buf_free(&svg);
	vm_set_text(page, "secret", grouped(req, secret));
	vm_set_text(page, "base", account_path(req));
	vm_set_bool(page, "required", twofa_setup_required(d, s));
	if (error)
		vm_set_text(page, "code_error", error);
	page_render(req, status, "pages/twofa_setup", page);
}

/* GET /account/2fa, /staff/account/2fa — 200 with the QR code; 303 to the
 * account when it is on already; 404 for clients when not offered. */
void twofa_setup_page(struct request *req)
{
	if (setup_allowed(req))
		setup_render(req, 200, NULL);
}

/* POST …/2fa — 200 with the ten recovery codes (shown this once); 422 when
 * the code is wrong; 303 back to the set-up when it took too long. */
void twofa_setup_submit(struct request *req)
{
	if (!setup_allowed(req))
		return;
	struct session *s = me(req);
	char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	const struct actor *actor = web_actor(req);
	int rc = twofa_setup_confirm(req_db(req), actor, req_form(req, "code"),
	                             web_now(req), codes);
	if (rc == TWOFA_BAD_CODE) {
		setup_render(req, 422, tr(req, "That code is not right. Enter the six digits the app "
		                               "shows now."));
		return;
	}
	if (rc == TWOFA_NOT_ENABLED) {
		web_flash(req, "2fa-expired");
		resp_redirect(req, 303, arena_printf(req->arena, "%s/2fa", account_path(req)));
		return;
	}
	if (rc == TWOFA_ALREADY_ON) {
		resp_redirect(req, 303, account_path(req));
		return;
	}
	if (rc != TWOFA_OK) {
		resp_error(req, 500);
		return;
	}
	s->twofa = true; /* the page below is the first with it on */
	vm_obj *page = page_new(req, "Save your recovery codes", "account");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "codes");
	for (int i = 0; i < TWOFA_RECOVERY_CODES; i++)
		vm_set_text(vm_list_add(list), "code", arena_strdup(req->arena, codes[i]));
	vm_set_text(page, "next", s->kind == ACCOUNT_STAFF ? "/staff" : account_path(req));
	page_render(req, 200, "pages/twofa_codes", page);
}

/* POST …/2fa/disable — 303 with a message; 422 wrong password, or staff
 * while the admin requires it. */
void twofa_disable_submit(struct request *req)
{
	struct session *s = me(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	const struct actor *actor = web_actor(req);
	int rc = twofa_disable(req_db(req), actor, req_form(req, "password"),
	                       web_now(req));
	if (rc == TWOFA_WRONG_PASSWORD || rc == TWOFA_FORBIDDEN) {
		account_render_error(req, "twofa_password",
		                     tr(req, rc == TWOFA_FORBIDDEN
		                                     ? "Two-factor sign-in is required for staff: it "
		                                       "cannot be turned off."
		                                     : "The current password is not correct."));
		return;
	}
	if (rc < 0) {
		resp_error(req, 500);
		return;
	}
	web_flash(req, "2fa-off");
	resp_redirect(req, 303, account_path(req));
}

/* POST …/2fa/recovery — 200 with ten new recovery codes (shown this once;
 * the old ones stop working); 422 when neither the password nor a code of
 * the app was given right; 303 to the account when two-factor is off. */
void twofa_recovery_submit(struct request *req)
{
	struct session *s = me(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	int rc = twofa_recovery_regenerate(req_db(req), web_actor(req), req_form(req, "proof"),
	                                   web_now(req), codes);
	if (rc == TWOFA_WRONG_PASSWORD) {
		account_render_error(req, "recovery_proof",
		                     tr(req, "Enter your current password or the six digits the app shows now."));
		return;
	}
	if (rc == TWOFA_NOT_ENABLED) {
		resp_redirect(req, 303, account_path(req));
		return;
	}
	if (rc != TWOFA_OK) {
		resp_error(req, rc == TWOFA_FORBIDDEN ? 403 : 500);
		return;
	}
	vm_obj *page = page_new(req, "Save your recovery codes", "account");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "regenerated", true);
	vm_list *list = vm_set_list(page, "codes");
	for (int i = 0; i < TWOFA_RECOVERY_CODES; i++)
		vm_set_text(vm_list_add(list), "code", arena_strdup(req->arena, codes[i]));
	sodium_memzero(codes, sizeof codes);
	vm_set_text(page, "next", account_path(req));
	page_render(req, 200, "pages/twofa_codes", page);
}

/* ---- sessions ---- */

/* POST …/sessions/:id/end — 303 back; 404 when the session is not one of
 * this account's. */
void session_end_submit(struct request *req)
{
	struct session *s = me(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	int64_t id;
	if (!str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id)) {
		resp_error(req, 404);
		return;
	}
	int rc = session_end_one(req_db(req), s, id);
	if (rc <= 0) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	web_flash(req, "session-ended");
	resp_redirect(req, 303, id == s->id ? (web_ctx(req)->staff_area ? "/staff/login" : "/login")
	                                    : arena_printf(req->arena, "%s#sessions", account_path(req)));
}

/* POST …/sessions/end-others — 303 back. */
void sessions_end_others_submit(struct request *req)
{
	struct session *s = me(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	if (session_end_others(req_db(req), s) < 0) {
		resp_error(req, 500);
		return;
	}
	web_flash(req, "sessions-ended");
	resp_redirect(req, 303, arena_printf(req->arena, "%s#sessions", account_path(req)));
}

/* ---- administration ---- */

/* POST /staff/admin/staff/:id/2fa-reset — 303 to the member with a
 * message; 404 for agents, an unknown member or one without it. */
void admin_staff_twofa_reset_submit(struct request *req)
{
	struct session *admin = admin_require(req);
	if (!admin)
		return;
	int64_t id;
	if (!admin_param_id(req, "id", &id)) {
		resp_error(req, 404);
		return;
	}
	const struct actor *actor = web_actor(req);
	int rc = twofa_reset(req_db(req), actor, ACCOUNT_STAFF, id,
	                     web_now(req));
	if (rc != TWOFA_OK) {
		resp_error(req, rc < 0 ? 500 : 404);
		return;
	}
	web_flash(req, "2fa-reset");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/admin/staff/%lld", (long long)id));
}

static void security_render(struct request *req, bool require_staff, bool offer_clients)
{
	vm_obj *page = page_new(req, "Sign-in security", "admin");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "require_staff", require_staff);
	vm_set_bool(page, "offer_clients", offer_clients);
	page_render(req, 200, "staff/admin/security", page);
}

/* GET /staff/admin/security — 200; 303 signed out; 404 for agents. */
void admin_security_page(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	security_render(req, twofa_required_for_staff(d), twofa_offered_to_clients(d));
}

/* POST /staff/admin/security — 303 back with "saved". */
void admin_security_submit(struct request *req)
{
	struct session *admin = admin_require(req);
	if (!admin)
		return;
	const struct actor *actor = web_actor(req);
	int rc = twofa_settings_save(req_db(req), actor,
	                             admin_form_checked(req, "require_staff"),
	                             admin_form_checked(req, "offer_clients"));
	if (rc != 0) {
		resp_error(req, 500);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, "/staff/admin/security");
}
