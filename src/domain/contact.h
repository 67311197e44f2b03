/* Contacts (sub-accounts) of a client account, as hosting client areas
 * have them: the account's owner adds people with their own sign-in and two
 * permissions, "can open and see tickets" and "gets ticket emails".
 *
 * A contact is a client row with owner_id set (store/contact_store.h), so
 * it signs in, chooses its password by the reset link and turns on 2FA like
 * any client. With the ticket permission its session works on the owner's
 * tickets (session_ticket_account): the tickets it opens belong to the
 * account, its messages carry its own name. It never manages contacts nor
 * reaches the owner's profile, services or password. */
#ifndef CHAMADO_CONTACT_H
#define CHAMADO_CONTACT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "domain/actor.h"
#include "domain/notice.h"
#include "store/contact_store.h"
#include "store/db.h"

struct ticket_row;

enum { CONTACT_MAX = 50, CONTACT_NAME_MAX = 100 };

enum contact_result {
	CONTACT_OK = 0,
	CONTACT_INVALID = 1,   /* see the errors */
	CONTACT_NOT_FOUND = 2, /* no such contact of the account, or not allowed */
	CONTACT_FULL = 3,      /* the account has CONTACT_MAX contacts */
};

struct contact_form {
	const char *name, *email;
	bool can_tickets, gets_emails;
};

struct contact_errors {
	const char *name, *email; /* msgids, NULL when fine */
};

/* Whether the actor may manage the contacts of their account: a signed-in
 * client who owns it (never a contact, a CC or staff). */
bool contact_may_manage(const struct actor *who);

/* The owner's contacts, oldest first: the count, CONTACT_NOT_FOUND when the
 * actor may not manage contacts, or < 0. */
int contact_list(db *d, const struct actor *who, arena *a, struct contact_row *rows, int max);
/* Staff's view of a client account's contacts (admin client page, ticket
 * page): the count or < 0. */
int contact_list_of_account(db *d, int64_t owner_id, arena *a, struct contact_row *rows, int max);
void contact_list_of_account_prefetch(db *d, int64_t owner_id, int max);

/* The name of the account a contact belongs to (in a), "" when s is not a
 * contact or on failure. */
const char *contact_owner_name(db *d, const struct session *s, arena *a);

/* Whether the client account client_id is a contact: 1 with the owner's id
 * and name (in a), 0 not a contact, < 0. */
int contact_owner_of(db *d, int64_t client_id, arena *a, int64_t *owner_id, const char **owner_name);

/* Adds a contact to the actor's account, audited, and emails them the link
 * to choose a password. CONTACT_OK (*id set), CONTACT_INVALID (e),
 * CONTACT_NOT_FOUND (not the owner), CONTACT_FULL or < 0. */
int contact_add(db *d, const struct notifier *n, const struct actor *who,
                const struct contact_form *f, int64_t now, struct contact_errors *e, int64_t *id);
/* Sets a contact's permissions, audited; takes effect on the contact's
 * next request. CONTACT_OK, CONTACT_NOT_FOUND or < 0. */
int contact_update(db *d, const struct actor *who, int64_t id, bool can_tickets, bool gets_emails,
                   int64_t now);
/* Removes a contact, audited: their sessions end at once; their messages
 * keep their name. CONTACT_OK, CONTACT_NOT_FOUND or < 0. */
int contact_remove(db *d, const struct actor *who, int64_t id, int64_t now);

/* In the caller's transaction (admin_client_anonymise): removes the
 * personal data of every contact of owner_id and ends their sessions. 0 or
 * < 0. */
int contact_anonymise_all(db *d, int64_t owner_id, int64_t now);

/* In the caller's transaction: tells the account's contacts who get ticket
 * emails about a public message of t (never a note), but not the contact
 * except_id (the author); also_id, a contact who must be told whatever
 * their setting (the one who opened the ticket), or 0. Contacts' emails
 * link to the ticket in the Client Area, never by an access key. 0 or < 0. */
int contact_notify(db *d, const struct notifier *n, const struct ticket_row *t, enum notice_kind kind,
                   const char *message, const char *author, int64_t except_id, int64_t also_id);

#endif
