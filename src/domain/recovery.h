/* Links sent by email: "Esqueceu a senha?" (a password reset) and the
 * confirmation of a new email address. Each link holds a random token that
 * works once and for a limited time; only its hash is stored. */
#ifndef CHAMADO_RECOVERY_H
#define CHAMADO_RECOVERY_H

#include <stdint.h>

#include "domain/account.h"
#include "domain/notice.h"
#include "domain/session.h"
#include "store/db.h"

enum {
	RECOVERY_LINK_SECONDS = 3600,     /* a reset link lives one hour */
	RECOVERY_MAX_PER_HOUR = 3,        /* links one account may get per hour */
	EMAIL_CHANGE_LINK_SECONDS = 24 * 3600,
};

enum recovery_status {
	RECOVERY_OK = 0,
	RECOVERY_INVALID = 1, /* unknown, used or expired link */
	RECOVERY_WRONG_PASSWORD = 2,
};

/* Sends a reset link when the address belongs to an active account; says
 * nothing about whether it does. 0, or < 0 on a database failure. */
int recovery_request(db *d, const struct notifier *m, enum account_kind kind, const char *email,
                     int64_t now);
/* RECOVERY_OK when token is a live link of kind, else RECOVERY_INVALID. */
int recovery_check(db *d, enum account_kind kind, const char *token, int64_t now);
/* Sets the new password, uses up the link and signs out every session of
 * the account. The link is checked before the password is hashed.
 * RECOVERY_OK, RECOVERY_INVALID, an account_error (password rules,
 * ACCOUNT_BUSY) or < 0. */
int recovery_complete(db *d, enum account_kind kind, const char *token, const char *password,
                      int64_t now);

/* Asks to change the address of s's account to new_email: checks the
 * password and sends a confirmation link to the new address. RECOVERY_OK,
 * RECOVERY_WRONG_PASSWORD, ACCOUNT_EMAIL_INVALID/TAKEN, ACCOUNT_BUSY or < 0. */
int email_change_request(db *d, const struct notifier *m, const struct session *s,
                         const char *new_email, const char *password, int64_t now);
/* Applies a confirmed change. RECOVERY_OK, RECOVERY_INVALID,
 * ACCOUNT_EMAIL_TAKEN or < 0. */
int email_change_confirm(db *d, const char *token, int64_t now);

#endif
