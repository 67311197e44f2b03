/* Signing in, registering and changing one's own account: the rules the
 * web pages (and later the API) call. */
#ifndef CHAMADO_AUTH_H
#define CHAMADO_AUTH_H

#include <stdint.h>

#include "domain/account.h"
#include "domain/session.h"
#include "store/db.h"

enum auth_status {
	AUTH_OK = 0,
	AUTH_BAD_CREDENTIALS = 1, /* unknown email, wrong password or inactive account */
	AUTH_THROTTLED = 2,       /* too many failures: see wait_seconds */
	AUTH_BUSY = 3,            /* too much password work queued: nothing was checked */
	AUTH_NEED_CODE = 4,       /* password right; the second factor is next (see challenge) */
	AUTH_BAD_CODE = 5,        /* the code did not match (or was used already) */
	AUTH_EXPIRED = 6,         /* no such sign-in waits for a code: start again */
	AUTH_ERROR = -1,
};

struct auth_login {
	enum account_kind kind;
	const char *email;
	const char *password;
	const char *ip;
	const char *user_agent;
	int64_t now;
};

struct auth_result {
	int status;
	int64_t wait_seconds;
	char token[TOKEN_LEN + 1];
	/* AUTH_NEED_CODE: the token of the sign-in that waits for the code. */
	char challenge[TOKEN_LEN + 1];
	/* AUTH_OK: a staff member who must set up two-factor sign-in first. */
	bool setup_required;
	struct session session;
};

enum { AUTH_CHALLENGE_TTL = 5 * 60 };

/* Checks the throttle, then the password (in constant time, and as slowly
 * for an unknown address as for a known one); on success starts a new
 * session (a new token: no session fixation) and resets the account's
 * failures. Rehashes a password hashed with older limits. */
void auth_login(db *d, const struct auth_login *in, struct auth_result *out);

/* The second step, for an account with two-factor sign-in: AUTH_NEED_CODE
 * from auth_login gave a challenge; the code (or a recovery code) finishes
 * it. A wrong code counts as a failed sign-in for the account and the
 * address (the same throttle as passwords, so the five tries per window
 * cover both steps); the session starts only when the code passes.
 * AUTH_OK, AUTH_BAD_CODE, AUTH_THROTTLED, AUTH_EXPIRED or AUTH_ERROR. */
struct auth_code {
	enum account_kind kind;
	const char *challenge;
	const char *code;
	const char *ip;
	const char *user_agent;
	int64_t now;
};
void auth_login_code(db *d, const struct auth_code *in, struct auth_result *out);

/* Creates a client account and signs it in. Returns AUTH_OK, or an
 * account_error (< 0) for the form. */
int auth_register(db *d, const struct account_new *n, const struct session_origin *origin,
                  int64_t now, struct auth_result *out);

enum {
	AUTH_WRONG_PASSWORD = -20, /* the current password did not match */
};

/* Changes the password after checking the current one; ends every other
 * session of the account. AUTH_OK, AUTH_WRONG_PASSWORD or account_error
 * (ACCOUNT_BUSY when password work is queued full). */
int auth_change_password(db *d, const struct session *s, const char *current, const char *next,
                         int64_t now);
/* Name and language. AUTH_OK or an account_error. */
int auth_update_profile(db *d, const struct session *s, const char *name, const char *lang,
                        int64_t now);

/* The language the account reads pages and emails in ("pt-BR" or "en"). */
int auth_set_language(db *d, const struct session *s, const char *lang, int64_t now);

#endif
