/* The outbox: every email to send, one row each, written in the same
 * transaction as the event that caused it (store_outbox_insert never opens
 * one), then claimed, sent and marked by a sender (jobs/outbox_worker.c).
 *
 * Delivery states: queued -> sending (claimed, with a lease) -> sent;
 * sending -> queued (a failed attempt, due again later) or failed (no
 * attempts left; an admin may queue it again). A 'sending' row whose lease
 * has run out is due again, so a crashed sender loses nothing (the email may
 * then go out twice, never zero times). */
#ifndef CHAMADO_OUTBOX_STORE_H
#define CHAMADO_OUTBOX_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

/* A new row; strings are copied by the database. */
struct outbox_new {
	const char *to_address;   /* a mailbox: "addr" or "\"Name\" <addr>" */
	const char *from_address; /* NULL: the sender's configured address */
	const char *subject;
	const char *body_text;
	const char *body_html;  /* may be NULL */
	const char *headers;    /* extra header lines, "Name: value\r\n"..., or "" */
	const char *message_id; /* without <> */
	int64_t ticket_id;      /* 0 when none */
	int64_t now;            /* created_at, and due at once */
};

/* One row as read back; strings live in the arena given to the reader. */
struct outbox_row {
	int64_t id;
	const char *to_address;
	const char *from_address; /* "" when NULL */
	const char *subject;
	const char *body_text;
	const char *body_html; /* NULL when none */
	const char *headers;
	const char *message_id;
	int64_t ticket_id;  /* 0 when none */
	const char *status; /* "queued", "sending", "sent", "failed" */
	int attempts;
	int64_t next_attempt_at;
	const char *last_error; /* "" when none */
	int64_t created_at;
	int64_t sent_at; /* 0 when not sent */
};

/* Queues one email in the caller's transaction. The new id, or < 0. */
int64_t store_outbox_insert(db *d, const struct outbox_new *n);

/* Who claims rows: the node (stable across its restarts) and this boot of
 * it. NULL fields (or a NULL claimant) leave the row without one. */
struct outbox_claimant {
	const char *node;
	const char *boot;
};

/* Claims up to limit due rows (queued, or sending with an expired lease,
 * next_attempt_at <= now) for one sender, oldest due first: each becomes
 * 'sending' with next_attempt_at = lease_until and one more attempt counted.
 * Runs its own write transaction (call it outside one), so two senders never
 * claim the same row. Writes the ids to ids[]; returns how many, or < 0. */
int store_outbox_claim_due(db *d, int64_t now, int64_t lease_until, int limit, int64_t *ids);
/* The same, recording who claimed each row. */
int store_outbox_claim_due_as(db *d, const struct outbox_claimant *who, int64_t now,
                              int64_t lease_until, int limit, int64_t *ids);

/* Rows still 'sending' that node claimed in a boot other than boot (its
 * sender died with them) become due at now. How many, or < 0. */
int store_outbox_reclaim_node(db *d, const char *node, const char *boot, int64_t now);

/* Reads row id into out, its strings allocated from a.
 * 0, 1 when there is no such row, or < 0 (DB_NOMEM when a runs out). */
int store_outbox_get(db *d, int64_t id, arena *a, struct outbox_row *out);

/* The outcomes of an attempt on a claimed row. 0 or < 0. */
int store_outbox_mark_sent(db *d, int64_t id, int64_t now);
int store_outbox_mark_retry(db *d, int64_t id, int64_t next_attempt_at, const char *error);
int store_outbox_mark_failed(db *d, int64_t id, const char *error);

/* A failed row back to queued, due at now, attempts reset to 0, error kept
 * for the record until the next attempt. 0, 1 when id is not a failed row,
 * or < 0. */
int store_outbox_retry(db *d, int64_t id, int64_t now);

/* Failed rows, newest first, for an admin page: those with id < before_id
 * (0: from the newest), at most limit, into rows[] (strings from a).
 * Returns how many, or < 0. The next page starts before the last id. */
int store_outbox_list_failed(db *d, int64_t before_id, int limit, arena *a,
                             struct outbox_row *rows);

/* How many rows have status ("queued", "sending", "sent", "failed"); < 0 on error. */
int64_t store_outbox_count_by_status(db *d, const char *status);

#endif
