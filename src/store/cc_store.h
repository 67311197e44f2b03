/* CC contacts of a ticket (ticket_ccs) and the hashed keys of the
 * password-less access links (ticket_access_keys). Strings in rows are
 * allocated in the arena passed in. */
#ifndef CHAMADO_CC_STORE_H
#define CHAMADO_CC_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

struct cc_row {
	int64_t id, ticket_id;
	const char *email, *name;
	int64_t live_keys; /* access keys not revoked (store_cc_list only) */
};

/* Adds a CC: its id, DB_CONSTRAINT when the address is already one of the
 * ticket's (case-insensitively), or < 0. added_by_id 0 stores NULL. */
int64_t store_cc_insert(db *d, int64_t ticket_id, const char *email, const char *name,
                        const char *added_by_kind, int64_t added_by_id, int64_t now);
/* Deletes the CC (and its keys): 1, 0 none of that ticket, < 0. */
int store_cc_delete(db *d, int64_t ticket_id, int64_t cc_id);
/* The ticket's CCs, oldest first, with live_keys: the count or < 0. */
int store_cc_list(db *d, int64_t ticket_id, arena *a, struct cc_row *rows, int max);
/* Sends store_cc_list's query ahead (db_prefetch). */
void store_cc_list_prefetch(db *d, int64_t ticket_id);
int64_t store_cc_count(db *d, int64_t ticket_id);
/* One CC of the ticket, by id or by address: 1, 0 none, < 0. */
int store_cc_get(db *d, int64_t ticket_id, int64_t cc_id, arena *a, struct cc_row *row);
int store_cc_by_email(db *d, int64_t ticket_id, const char *email, arena *a, struct cc_row *row);

struct access_key_row {
	int64_t ticket_id, cc_id; /* cc_id 0: the ticket's client */
	const char *key_hash;
	bool revoked;
};

/* Stores the hash of a new key of the ticket's client (cc_id 0) or of a CC. 0 or < 0. */
int store_access_key_insert(db *d, int64_t ticket_id, int64_t cc_id, const char *key_hash,
                            int64_t now);
/* The ticket's key with that hash: 1, 0 none, < 0. */
int store_access_key_find(db *d, int64_t ticket_id, const char *key_hash, arena *a,
                          struct access_key_row *row);
/* Revokes every live key of the person (cc_id 0: the client) on the
 * ticket: how many, or < 0. */
int store_access_keys_revoke(db *d, int64_t ticket_id, int64_t cc_id, int64_t now);
/* The client's live keys on the ticket: a count or < 0. */
int64_t store_access_keys_live_client(db *d, int64_t ticket_id);
/* Sends store_access_keys_live_client's query ahead (db_prefetch). */
void store_access_keys_live_client_prefetch(db *d, int64_t ticket_id);

#endif
