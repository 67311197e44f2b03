/* Signed-in sessions. The cookie holds a random token; the database holds
 * its hash, so any app node can check it and a stolen database cannot be
 * replayed. Sessions end after SESSION_IDLE of inactivity or SESSION_MAX
 * after sign-in, whichever comes first. */
#ifndef CHAMADO_SESSION_H
#define CHAMADO_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/account.h"
#include "domain/token.h"
#include "store/db.h"

enum {
	SESSION_IDLE = 12 * 3600,
	SESSION_MAX = 14 * 24 * 3600,
	SESSION_TOUCH_EVERY = 60, /* last_seen_at is written at most this often */
};

struct session {
	int64_t id;
	enum account_kind kind;
	int64_t user_id;
	char csrf[80];
	char name[256];
	char email[256];
	char language[16];
	bool admin;
	bool twofa; /* the account signs in with a second factor */
	char ip[64]; /* where this request comes from (set by the web layer) */
	/* > 0: not an account but a CC of one ticket (ticket_ccs.id), acting
	 * through their access link or by email; kind is ACCOUNT_CLIENT and
	 * user_id 0, so they write as the client side and never sign in. */
	int64_t cc_id;
	/* > 0: a contact (sub-account) of the client account owner_id; with
	 * contact_tickets it opens and sees that account's tickets. Read from
	 * the account on every request, so a change of permission or a removal
	 * takes effect at once. */
	int64_t owner_id;
	bool contact_tickets;
};

/* Whether s is a client's contact rather than the account's owner. */
static inline bool session_is_contact(const struct session *s)
{
	return s && s->kind == ACCOUNT_CLIENT && s->owner_id > 0;
}

/* The client account whose tickets and services s works with: its own for
 * an owner, the owner's for a contact allowed to open and see tickets, and
 * 0 (no account: nothing to see) for a contact without that permission,
 * a CC or staff. */
static inline int64_t session_ticket_account(const struct session *s)
{
	if (!s || s->kind != ACCOUNT_CLIENT || s->cc_id > 0)
		return 0;
	if (s->owner_id > 0)
		return s->contact_tickets ? s->owner_id : 0;
	return s->user_id;
}

/* Where a session is opened from: the client's address and User-Agent
 * (either may be NULL), shown later in Sessões ativas. */
struct session_origin {
	const char *ip;
	const char *user_agent;
};

/* Starts a session for an account: fills token (for the cookie) and s.
 * origin may be NULL. 0 or a DB_E* code. */
int session_start(db *d, enum account_kind kind, int64_t user_id, int64_t now,
                  const struct session_origin *origin, char token[TOKEN_LEN + 1],
                  struct session *s);
/* Finds the live session of token: 1 (s filled), 0 none or expired (an
 * expired one is deleted), < 0 database error. kind must match. */
int session_resume(db *d, enum account_kind kind, const char *token, int64_t now, struct session *s);
int session_end(db *d, const char *token);
/* Ends every session of the account but keep_id (0: all). */
int session_end_all(db *d, enum account_kind kind, int64_t user_id, int64_t keep_id);
/* Deletes the sessions that expired by now. 0 or < 0. */
int session_purge(db *d, int64_t now);
const char *account_kind_name(enum account_kind kind);

/* ---- Sessões ativas: an account's own sessions ---- */

enum { SESSION_LIST_MAX = 50 };

struct session_info {
	int64_t id;
	char ip[64];
	const char *browser; /* "Chrome", "Firefox"…; NULL when not recognised */
	const char *os;      /* "Linux", "Windows", "iPhone"…; NULL likewise */
	int64_t created_at, last_seen_at;
	bool current;        /* the session asking */
};

/* The live sessions of s's account: s's own first, then the most recently
 * seen first, at most max:
 * the count or < 0. */
int session_list(db *d, const struct session *s, int64_t now, struct session_info *out, int max);
/* Ends one session of the account (never another account's): 1 ended,
 * 0 no such session of theirs, < 0. */
int session_end_one(db *d, const struct session *s, int64_t session_id);
/* Ends every session of the account but the one asking. 0 or < 0. */
int session_end_others(db *d, const struct session *s);
/* Names the browser and the system of a User-Agent header (static
 * strings; NULL for what is not recognised). */
void session_device(const char *user_agent, const char **browser, const char **os);

#endif
