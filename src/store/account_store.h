/* Clients and staff accounts. Emails are looked up by their ASCII-lowercased
 * form (email_lower), which is unique. */
#ifndef CHAMADO_ACCOUNT_STORE_H
#define CHAMADO_ACCOUNT_STORE_H

#include <stdint.h>

#include "store/db.h"

/* Returns the new id, DB_CONSTRAINT when the email is taken, or < 0. */
int64_t store_client_insert(db *d, const char *email, const char *name, const char *password_hash,
                            const char *lang, int64_t now);
int64_t store_staff_insert(db *d, const char *email, const char *name, const char *password_hash,
                           const char *role, const char *lang, int64_t now);
/* The id, 0 when there is none, < 0 on error. */
int64_t store_client_id_by_email(db *d, const char *email);
int64_t store_staff_id_by_email(db *d, const char *email);


/* Either kind of account; kind is "client" or "staff". */
struct account_row {
	int64_t id;
	char email[256];
	char name[256];
	char password_hash[160]; /* "" when none was set */
	char language[16];
	char role[16];           /* staff only */
	int active;
	/* clients: > 0 when the account is a contact of the client owner_id
	 * (0021), with its two permissions; 0 for owners and staff */
	int64_t owner_id;
	int contact_tickets;
	int contact_emails;
};

/* 1 found, 0 none, < 0 error. */
int store_account_get_by_email(db *d, const char *kind, const char *email, struct account_row *row);
int store_account_get(db *d, const char *kind, int64_t id, struct account_row *row);
int store_account_set_password(db *d, const char *kind, int64_t id, const char *hash, int64_t now);
int store_account_set_profile(db *d, const char *kind, int64_t id, const char *name,
                              const char *lang, int64_t now);
int store_account_set_language(db *d, const char *kind, int64_t id, const char *lang, int64_t now);
/* DB_CONSTRAINT when another account has the address. */
int store_account_set_email(db *d, const char *kind, int64_t id, const char *email, int64_t now);

#endif
