#include "web/context.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "web/page.h"

static const char *const flash_codes[][2] = {
	{"signed-out", N_("You have signed out.")},
	{"profile-saved", N_("Your profile was saved.")},
	{"password-changed", N_("Your password was changed. Other devices were signed out.")},
	{"password-reset", N_("Your password was changed. Sign in with the new password.")},
	{"email-sent", N_("We sent you an email with the next step.")},
	{"email-changed", N_("Your email address was changed.")},
	{"welcome", N_("Welcome! Your account was created.")},
	{"email-retried", N_("The email was queued again.")},
	{"reply-sent", N_("Your reply was sent.")},
	{"saved", N_("Changes saved.")},
	{"client-created", N_("The client was created.")},
	{"client-created-link", N_("The client was created and was sent a link to choose a password.")},
	{"client-anonymised", N_("The client's personal data was removed. Their tickets stay, without their name or address.")},
	{"contact-added", N_("The contact was added and was sent a link to choose a password.")},
	{"contact-saved", N_("The contact's permissions were saved.")},
	{"contact-removed", N_("The contact was removed and signed out.")},
	{"2fa-off", N_("Two-factor sign-in was turned off.")},
	{"2fa-reset", N_("Two-factor sign-in was reset. The member sets it up again at the next sign-in.")},
	{"2fa-expired", N_("The set-up took too long. Scan the new code below.")},
	{"code-expired", N_("The sign-in took too long. Enter your password again.")},
	{"session-ended", N_("The session was ended.")},
	{"sessions-ended", N_("Every other session was ended.")},
	{"note-added", N_("The note was added.")},
	{"ticket-updated", N_("The ticket was updated.")},
	{"ticket-merged", N_("The tickets were merged.")},
	{"ticket-split", N_("This new ticket holds the messages split from the other one; the two are linked.")},
	{"ticket-closed", N_("The ticket was closed. Reply to it any time to open it again.")},
	{"cc-added", N_("The address now receives copies of this ticket.")},
	{"cc-removed", N_("The address no longer receives copies of this ticket.")},
	{"access-revoked", N_("The access link was revoked. The next email carries a new one.")},
	/* With an argument after the dot: the ticket number. */
	{"ticket-opened", N_("Ticket #%s opened successfully. We sent a confirmation to %s.")},
};

struct web_ctx *web_ctx(struct request *req)
{
	if (!req->web)
		req->web = arena_zalloc(req->arena, sizeof(struct web_ctx));
	return req->web;
}

int64_t web_now(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	if (!w)
		return (int64_t)time(NULL);
	if (!w->now)
		w->now = (int64_t)time(NULL);
	return w->now;
}

const struct actor *web_actor(struct request *req)
{
	struct actor *a = arena_alloc(req->arena, sizeof *a);
	if (!a)
		return NULL;
	*a = actor_of(web_ctx(req)->session, CHANNEL_WEB);
	return a;
}

struct session *web_client(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	return w && w->session && w->session->kind == ACCOUNT_CLIENT ? w->session : NULL;
}

struct session *web_staff(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	return w && w->session && w->session->kind == ACCOUNT_STAFF ? w->session : NULL;
}

static bool secure_cookies(struct request *req)
{
	return str_starts_with(req_app(req)->cfg.base_url, "https:");
}

void web_flash(struct request *req, const char *code)
{
	resp_cookie(req, "flash", code, 60, secure_cookies(req));
}

/* The msgid of a flash code ("name" or "name.argument"); NULL for an
 * unknown one. */
const char *web_flash_text(const char *code)
{
	size_t len = code ? strcspn(code, ".") : 0;
	for (size_t i = 0; code && i < sizeof flash_codes / sizeof flash_codes[0]; i++)
		if (strlen(flash_codes[i][0]) == len && strncmp(flash_codes[i][0], code, len) == 0)
			return flash_codes[i][1];
	return NULL;
}

const char *web_flash_message(struct request *req, const char *code)
{
	const char *msgid = web_flash_text(code);
	if (!msgid)
		return NULL;
	const char *text = tr(req, msgid);
	const char *dot = strchr(code, '.');
	if (!strstr(msgid, "%s"))
		return text;
	/* Only a ticket's number (digits, or a display number such as
	 * SUP-2026-000123) may come from the cookie into the message. */
	const char *arg = dot ? dot + 1 : "";
	if (!*arg || strspn(arg, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(arg) ||
	    strlen(arg) > 40)
		return NULL;
	struct session *s = web_client(req);
	return arena_printf(req->arena, text, arg, s ? s->email : "");
}

void web_require_login(struct request *req)
{
	bool staff = str_starts_with(req->path, "/staff");
	/* After a form's POST, come back to the page that holds the form. */
	const char *next = req->path;
	if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
		const char *slash = strrchr(req->path, '/');
		next = slash && slash != req->path ? arena_strndup(req->arena, req->path, (size_t)(slash - req->path)) : "/";
	}
	const char *target = arena_printf(req->arena, "%s?next=%s", staff ? "/staff/login" : "/login",
	                                  next ? next : "/");
	resp_redirect(req, 303, target ? target : "/login");
}

void web_set_session_cookie(struct request *req, bool staff, const char *token)
{
	bool secure = secure_cookies(req);
	char age[24];
	snprintf(age, sizeof age, "%d", SESSION_MAX);
	const char *line = arena_printf(req->arena, "%s=%s; Path=%s; Max-Age=%s; HttpOnly; SameSite=Lax%s",
	                                staff ? "ssid" : "sid", token, staff ? "/staff" : "/", age,
	                                secure ? "; Secure" : "");
	if (line)
		resp_header(req, "Set-Cookie", line);
}

void web_clear_session_cookie(struct request *req, bool staff)
{
	const char *line = arena_printf(req->arena, "%s=; Path=%s; Max-Age=0; HttpOnly; SameSite=Lax",
	                                staff ? "ssid" : "sid", staff ? "/staff" : "/");
	if (line)
		resp_header(req, "Set-Cookie", line);
}

const char *web_safe_next(const char *next, const char *fallback)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n\\"))
		return fallback;
	return next;
}
