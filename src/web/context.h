/* What the web layer knows about the current request beyond HTTP: who is
 * signed in, the CSRF token its forms carry, a flash message to show. */
#ifndef CHAMADO_WEB_CONTEXT_H
#define CHAMADO_WEB_CONTEXT_H

#include "domain/actor.h"
#include "domain/session.h"
#include "http/request.h"

struct web_ctx {
	struct session *session; /* NULL when nobody is signed in */
	const char *session_token;
	const char *csrf;        /* the token forms must send back */
	const char *flash;       /* a msgid to show once, or NULL */
	bool staff_area;         /* the path is under /staff */
	int64_t now;             /* this request's time (web_now), 0 until read */
	bool read_snapshot;      /* db_read_snapshot is on for this request */
	/* The menu's open-ticket count, when the page's own rows gave it. */
	bool open_tickets_known;
	int open_tickets;
};

struct web_ctx *web_ctx(struct request *req);
/* The time of this request, read from the clock once and then the same for
 * every rule the request applies (Unix seconds). */
int64_t web_now(struct request *req);
/* The signed-in account of this area acting through the pages (its
 * session carries the request's address, for the audit log); in the
 * request's arena. */
const struct actor *web_actor(struct request *req);
/* The signed-in client, or NULL (also for staff sessions). */
struct session *web_client(struct request *req);
/* The signed-in staff member (staff area only), or NULL. */
struct session *web_staff(struct request *req);
/* Remembers a message for the next page (a cookie with its code). */
void web_flash(struct request *req, const char *code);
/* Sends an anonymous visitor to the sign-in page, back here afterwards. */
void web_require_login(struct request *req);
/* Session cookie helpers. */
void web_set_session_cookie(struct request *req, bool staff, const char *token);
void web_clear_session_cookie(struct request *req, bool staff);
/* Only local paths: anything else becomes fallback. */
const char *web_safe_next(const char *next, const char *fallback);

#endif
