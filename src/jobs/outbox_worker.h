/* The outbox sender: claims due emails (store/outbox_store.h), builds each
 * one (mail/message.h), sends it over SMTP (mail/smtp.h) or, with no SMTP
 * URL, writes it as DATA_DIR/mail/<id>-<message id>.eml, and records the
 * outcome (domain/outbox.h): sent; queued again after a back-off of
 * retry_base_s * 2^(attempts-1) s (at most an hour); or failed after
 * max_attempts. Several senders (threads, `chamado worker` processes) may
 * share one database: a claim is a lease of OUTBOX_LEASE_S seconds, longer
 * than one SMTP transfer may take, after which an unfinished email (its
 * sender died) is due again. An email is sent at least once and, unless a
 * sender dies between the server's "250 OK" and the database write, once.
 * Each claim records the node and boot of its sender; a sender starting on a
 * node takes back at once what that node's earlier boot left unfinished
 * (outbox_reclaim_own), so after a crash the delay is not the whole lease. */
#ifndef CHAMADO_OUTBOX_WORKER_H
#define CHAMADO_OUTBOX_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

enum { OUTBOX_LEASE_S = 120 };

struct outbox_config {
	const char *db_url;
	const char *smtp_url;  /* "" or NULL: write .eml files */
	const char *mail_from; /* the From of every email: "addr" or "Name <addr>" */
	const char *mail_dir;  /* DATA_DIR/mail */
	int max_attempts;      /* default 8 (when <= 0) */
	int retry_base_s;      /* default 30: delay = base * 2^(attempts-1), capped at 1 h */
	int poll_ms;           /* default 1000 */
	const char *node_id;   /* this node across restarts; NULL or "": claims carry none */
	const char *boot_id;   /* this start; NULL: outbox_worker_start makes a random one */
};

/* One pass: claims due emails one by one, sends or writes each, records the
 * result, until none is due at now (an email that failed in this pass is
 * due later) or 1000 have been tried. Returns how many were delivered, or
 * < 0 when the database failed before any was. For tests and for the loop. */
int outbox_send_due(db *d, const struct outbox_config *c, int64_t now);

typedef struct outbox_worker outbox_worker;

/* Starts a thread with its own connection to c->db_url that runs a pass
 * every poll_ms, and at once when woken. c's strings are copied. NULL with
 * a reason in err when the database or the thread cannot be opened. */
outbox_worker *outbox_worker_start(const struct outbox_config *c, char *err, size_t errlen);
/* Send soon: call after a commit that queued mail. Thread-safe. */
void outbox_worker_wake(outbox_worker *w);
/* Finishes the email in progress (it claims one at a time, so no other is
 * held), joins the thread, closes its connection and frees w. NULL is allowed. */
void outbox_worker_stop(outbox_worker *w);

#endif
