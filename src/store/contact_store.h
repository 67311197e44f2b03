/* Contacts (sub-accounts) of a client account: rows of clients with
 * owner_id set (migration 0021). Strings in rows live in the arena passed
 * in. */
#ifndef CHAMADO_CONTACT_STORE_H
#define CHAMADO_CONTACT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

struct contact_row {
	int64_t id, owner_id;
	const char *email, *name, *language;
	bool can_tickets;   /* may open and see the account's tickets */
	bool gets_emails;   /* gets the account's ticket emails */
	bool active;
	bool has_password;  /* has chosen a password (signed in at least once, or could) */
	int64_t created_at;
};

/* A new contact of owner_id without a password: its id, DB_CONSTRAINT when
 * the address is any account's already, or < 0. */
int64_t store_contact_insert(db *d, int64_t owner_id, const char *email, const char *name,
                             const char *language, bool can_tickets, bool gets_emails, int64_t now);
/* Sets a contact's permissions: 1, 0 not a contact of owner_id, < 0. */
int store_contact_update(db *d, int64_t owner_id, int64_t id, bool can_tickets, bool gets_emails,
                         int64_t now);
/* Deletes a contact of owner_id with what hangs on its id (sessions, 2FA,
 * links); its messages keep their author's name: 1, 0 none, < 0. */
int store_contact_delete(db *d, int64_t owner_id, int64_t id);
/* The contacts of owner_id, oldest first: the count or < 0. */
int store_contact_list(db *d, int64_t owner_id, arena *a, struct contact_row *rows, int max);
/* Sends store_contact_list's query ahead (db_prefetch). */
void store_contact_list_prefetch(db *d, int64_t owner_id, int max);
/* One contact of owner_id: 1, 0 none, < 0. */
int store_contact_get(db *d, int64_t owner_id, int64_t id, arena *a, struct contact_row *row);

#endif
