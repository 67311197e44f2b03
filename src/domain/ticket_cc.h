/* CC contacts of a ticket, and the password-less ticket access link.
 *
 * A CC is an address copied on one ticket: by the client (Abrir Ticket, or
 * the ticket page), by staff, or by the Cc of the email that opened the
 * ticket. CCs get every public reply (never notes) and may answer, by email
 * (the sender is checked against the ticket's CCs) or through their link.
 *
 * Every email to the client or a CC about a ticket carries
 * <base_url>/t/<number>/<key>: 32 random bytes, url-safe, of which only the
 * SHA-256 is stored, bound to that ticket and that person. The link shows
 * that ticket alone and takes a reply as that person; it signs nobody in.
 * Staff revoke a person's keys; the next email makes a new one. A CC acts
 * as a session with cc_id set (session.h), so the rules of ticket.c apply
 * to them as the client side of that one ticket. */
#ifndef CHAMADO_TICKET_CC_H
#define CHAMADO_TICKET_CC_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ticket.h"
#include "domain/token.h"
#include "store/cc_store.h"

enum { TICKET_CC_MAX = 10, TICKET_CC_NAME_MAX = 100 };

/* Splits a CC field ("a@x.com, b@y.com", or one a line; ';' too) into
 * distinct addresses (case-insensitively), each checked. Returns how many
 * (in out, strings in a), or < 0 (out of memory). When an entry is not an
 * address or there are more than max, *error is a msgid with one %s for
 * *bad, the entry at fault (and the count means nothing). */
int ticket_cc_parse(const char *text, arena *a, const char **out, int max, const char **error,
                    const char **bad);

/* In the caller's transaction (ticket_open): copies email on t for the
 * actor, audited, and tells them (message: the ticket's first, or NULL).
 * 0 added, TICKET_UNCHANGED (already a CC, or the client's own address),
 * TICKET_INVALID with *error (a msgid, %s the address: a support address),
 * or < 0. */
int ticket_cc_insert(db *d, const struct notifier *n, const struct actor *who,
                     const struct ticket_row *t, const char *email, const char *name,
                     const char *message, int64_t now, const char **error);

/* In the caller's transaction (ticket_merge): copies the CCs of from onto
 * into, each audited on into as "cc_added", without an email (they already
 * follow the conversation). An address that into already copies, or that
 * is into's client, is skipped; so is any past TICKET_CC_MAX. The rows stay
 * on from, so the links of its emails still open it and show where it
 * went. Returns how many were added, or < 0. */
int ticket_cc_merge(db *d, const struct actor *who, const struct ticket_row *from,
                    const struct ticket_row *into, int64_t now);

/* In the caller's transaction: tells every CC of t (but except_cc_id, the
 * author when a CC wrote) about a public message. 0 or < 0. */
int ticket_cc_notify(db *d, const struct notifier *n, const struct ticket_row *t,
                     const char *message, const char *author, int64_t except_cc_id, int64_t now);

/* In the caller's transaction: a fresh key for the client (cc_id 0) or a
 * CC of the ticket, its hash stored. 0 or < 0. */
int ticket_access_key_issue(db *d, int64_t ticket_id, int64_t cc_id, int64_t now,
                            char key[TOKEN_LEN + 1]);
/* The same for a key made beforehand with token_new (an email composed
 * before its transaction links with it). 0 or < 0. */
int ticket_access_key_store(db *d, int64_t ticket_id, int64_t cc_id, int64_t now,
                            const char *key);

/* Adds a CC (name may be NULL). The ticket's client or staff who may act on
 * it; never a CC. TICKET_OK (also when already a CC), TICKET_INVALID with
 * *error (a msgid with %s for the address), TICKET_NOT_FOUND or < 0. */
int ticket_cc_add(db *d, const struct notifier *n, const struct actor *who, int64_t number,
                  const char *email, const char *name, int64_t now, const char **error);
/* Removes the CC cc_id of the ticket, and their keys. TICKET_OK (also when
 * already gone), TICKET_NOT_FOUND or < 0. */
int ticket_cc_remove(db *d, const struct actor *who, int64_t number, int64_t cc_id, int64_t now);
/* The ticket's CCs, oldest first: the count or < 0. */
int ticket_cc_list(db *d, int64_t ticket_id, arena *a, struct cc_row *rows, int max);
void ticket_cc_list_prefetch(db *d, int64_t ticket_id);

/* Staff: revokes every access key of the client (cc_id 0) or of the CC
 * cc_id on the ticket, audited. TICKET_OK (also when none was live),
 * TICKET_INVALID (no such CC), TICKET_NOT_FOUND or < 0. */
int ticket_access_revoke(db *d, const struct actor *who, int64_t number, int64_t cc_id,
                         int64_t now);
/* Whether the ticket's client has a live key: 1, 0, < 0. */
int ticket_access_client_live(db *d, int64_t ticket_id);
void ticket_access_client_live_prefetch(db *d, int64_t ticket_id);

struct ticket_access {
	struct ticket_row ticket;
	struct session person; /* the actor: the client, or the CC (cc_id > 0) */
};
/* Opens ticket `number` with the key of a link: 1 (out filled, strings in
 * a), 0 when key is not a live key of that ticket (unknown, revoked,
 * another ticket's, a removed CC's, an inactive client's), < 0. The hashes
 * are compared in constant time. */
int ticket_access_open(db *d, int64_t number, const char *key, arena *a, struct ticket_access *out);
/* An attachment of a public message of the opened ticket: 1, 0, < 0. */
int ticket_access_attachment(db *d, const struct ticket_access *acc, int64_t attachment_id,
                             arena *a, struct attachment_row *row);

#endif
