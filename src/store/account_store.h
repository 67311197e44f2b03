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

#endif
