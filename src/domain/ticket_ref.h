/* A ticket's identity in email. Every email about a ticket carries a
 * hidden reference "Ref: T482913-1a2b3c4d5e6f" (the ticket number and an
 * HMAC of it under the installation's secret, the `mail_ref_secret`
 * setting created on first use), so a reply through a provider that
 * rewrites Message-IDs still finds its ticket (the sender is checked all
 * the same); and In-Reply-To/References naming the ticket's emails, so
 * mail clients thread the conversation. */
#ifndef CHAMADO_TICKET_REF_H
#define CHAMADO_TICKET_REF_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/ticket_store.h"

enum { TICKET_REF_MAX = 48 };

/* The reference of ticket number into out. 0, or < 0 (database). */
int ticket_ref_make(db *d, int64_t number, char out[TICKET_REF_MAX]);

/* The ticket number of the first valid reference in text, 0 when none,
 * < 0 on a database error. A reference whose HMAC does not match is not one. */
int64_t ticket_ref_find(db *d, const char *text);

/* HMAC-SHA256 of message under the same installation secret, for other
 * signed links (CSAT). Callers prefix their messages so the uses never
 * collide with the references' "T<number>". 0 or < 0. */
int ticket_ref_sign(db *d, const char *message, unsigned char mac[32]);

/* What the next email about a ticket threads on. */
struct ticket_mail_thread {
	const char *first_sent;    /* Message-ID of its first email we sent, NULL none */
	const char *last_received; /* of the client's last message by email, NULL none */
	int64_t number;            /* the ticket's number (after merges), 0 none */
	char ref[TICKET_REF_MAX];  /* its hidden reference, "" when number is 0 */
};
/* Fills out for the ticket t (strings in a). 0 or < 0. */
int ticket_mail_thread(db *d, const struct ticket_row *t, arena *a, struct ticket_mail_thread *out);

#endif
