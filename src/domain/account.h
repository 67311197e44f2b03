/* Accounts: clients of the company and its staff. The rules for creating
 * one live here, used by the CLI, the demo data and (later) the web. */
#ifndef CHAMADO_ACCOUNT_H
#define CHAMADO_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

enum account_kind { ACCOUNT_CLIENT, ACCOUNT_STAFF };

enum account_error {
	ACCOUNT_OK = 0,
	ACCOUNT_EMAIL_INVALID = -1,
	ACCOUNT_EMAIL_TAKEN = -2,
	ACCOUNT_NAME_EMPTY = -3,
	ACCOUNT_PASSWORD_SHORT = -4,
	ACCOUNT_PASSWORD_LONG = -5,
	ACCOUNT_STORE_FAILED = -6,
	ACCOUNT_NOT_FOUND = -7,
	ACCOUNT_BUSY = -8, /* too much password work queued: try again in a moment */
};

struct account_new {
	enum account_kind kind;
	const char *email;
	const char *name;
	const char *password;
	bool admin;        /* staff only */
	const char *lang;  /* "pt-BR" when NULL */
};

/* Validates and stores a new account. Returns its id (> 0) or an
 * account_error. Email is compared without case. */
int64_t account_create(db *d, const struct account_new *n);
/* Sets the password of the account with that email (the CLI's "user
 * passwd") and signs out all of its sessions. 0 or an account_error. */
int account_set_password(db *d, enum account_kind kind, const char *email, const char *password);
/* An English sentence for an error (a gettext msgid). */
const char *account_error_text(int error);
/* A plausible address: one '@', a dot in the domain, no spaces, <= 254. */
bool account_email_valid(const char *email);

#endif
