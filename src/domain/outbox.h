/* Outgoing email that is never lost. A domain function that causes an
 * email queues it with outbox_enqueue inside its own transaction, so the
 * event and its email are saved together or not at all; a sender
 * (jobs/outbox_worker.c) delivers it later and records each attempt with
 * outbox_record_attempt.
 *
 * Delivery is a state machine (the outbox.status column):
 *   queued --claimed--> sending --delivered--> sent
 *                       sending --attempt failed, attempts left--> queued (after a back-off)
 *                       sending --attempt failed, none left-----> failed
 *                       sending --lease ran out (sender died)---> due again
 *   failed --admin retry--> queued (attempts reset) */
#ifndef CHAMADO_OUTBOX_H
#define CHAMADO_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/outbox_store.h"

enum { OUTBOX_MESSAGE_ID_MAX = 160, OUTBOX_ALSO_MAX = 63 };

/* One more recipient of the same email. */
struct mail_recipient {
	const char *address;
	const char *name; /* may be NULL */
};

struct mail {
	const char *to;          /* address */
	const char *to_name;     /* display name, may be NULL */
	/* More recipients in the same To (a department's staff told at once),
	 * each sent the one email; also_count at most OUTBOX_ALSO_MAX. */
	const struct mail_recipient *also;
	int also_count;
	const char *subject;     /* UTF-8 */
	const char *text;        /* plain-text body */
	const char *html;        /* HTML body, may be NULL */
	const char *in_reply_to; /* Message-ID without <>, may be NULL (threading, later) */
	const char *references;  /* space-separated ids without <>, may be NULL */
	bool auto_generated; /* adds Auto-Submitted: auto-generated and X-Auto-Response-Suppress:
	                        All */
	int64_t ticket_id;   /* 0 when none */
};

enum outbox_status { OUTBOX_QUEUED, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_FAILED };

/* How a sender retries. */
struct outbox_policy {
	int max_attempts; /* attempts before an email is 'failed' */
	int retry_base_s; /* the first delay; each next one doubles, capped at an hour */
};

/* Queues m in the caller's open transaction (does NOT begin/commit).
 * Generates our Message-ID "<random hex>@<domain of mail_from>" and writes
 * it WITHOUT the angle brackets (the form in_reply_to takes) to message_id,
 * which may be NULL. mail_from is "addr" or "Name <addr>"; only its domain
 * is used here (the sender's configured From goes on the email).
 * Returns the outbox id, DB_CONSTRAINT when m is not a valid email (bad
 * address, no subject or text, invalid UTF-8, a bad Message-ID in the
 * threading fields), or another DB_E* code. */
int64_t outbox_enqueue(db *d, const struct mail *m, const char *mail_from,
                       char message_id[OUTBOX_MESSAGE_ID_MAX]);

/* An email checked and laid out for the outbox but not yet written: made
 * by outbox_prepare outside any transaction, so that the transaction that
 * queues it only writes it (an opening's emails are composed before the
 * database's write turn). */
struct outbox_prepared {
	struct outbox_new row; /* its text and HTML are the mail's own */
	char message_id[OUTBOX_MESSAGE_ID_MAX];
};

/* Checks and lays out m as outbox_enqueue does, copying what it builds into
 * a; m's text and HTML must outlive out. 0, DB_CONSTRAINT (not a valid
 * email) or < 0. */
int outbox_prepare(const struct mail *m, const char *mail_from, arena *a,
                   struct outbox_prepared *out);
/* Queues a prepared email in the caller's open transaction, for ticket_id
 * when > 0 (else the mail's own). The outbox id, or < 0. */
int64_t outbox_enqueue_prepared(db *d, const struct outbox_prepared *p, int64_t ticket_id);

/* A node that starts again takes back the emails its earlier boot left
 * 'sending' (it died mid-send): they are due at now instead of when their
 * lease ends, so the delay is seconds, not OUTBOX_LEASE_S. Rows another node
 * holds wait for their lease: that node may be alive. node is stable across
 * the node's restarts, boot is this start's. How many, or < 0. */
int outbox_reclaim_own(db *d, const char *node, const char *boot, int64_t now);

/* Admin "retry": a failed email goes back to queued, due at now, with its
 * attempts reset. 0; 1 when there is no such failed row; or < 0. */
int outbox_retry(db *d, int64_t id, int64_t now);

/* The back-off before the next try after attempt number attempts (1 for
 * the first): retry_base_s * 2^(attempts-1), at most 3600 s. */
int64_t outbox_retry_delay(int attempts, int retry_base_s);

/* The one transition after an attempt on a claimed ('sending') row, which
 * was attempt number attempts. error NULL: delivered, the row is sent.
 * Otherwise queued again after outbox_retry_delay, or failed with error
 * once attempts reached p->max_attempts. Returns the new status, or < 0.
 * A row that is no longer 'sending' (another sender, whose lease it was,
 * finished it) is left as it is. */
int outbox_record_attempt(db *d, int64_t id, int attempts, const char *error, int64_t now,
                          const struct outbox_policy *p);

/* The failed emails for the admin page, newest first, keyset-paginated by
 * id (before_id 0: from the newest). Also counts those still queued. */
int outbox_failed_page(db *d, int64_t before_id, int limit, arena *a, struct outbox_row *rows);
int64_t outbox_count(db *d, enum outbox_status status);

/* Claims up to limit due rows for one sender (who: its node and boot, or
 * NULL) until lease_until, in its own write transaction (call it outside
 * one). Writes the ids; how many, or < 0. */
int outbox_claim_due(db *d, const struct outbox_claimant *who, int64_t now, int64_t lease_until,
                     int limit, int64_t *ids);
/* A claimed row, its strings in a: 0, 1 when gone, or < 0. */
int outbox_get(db *d, int64_t id, arena *a, struct outbox_row *out);

#endif
