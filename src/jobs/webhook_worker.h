/* The webhook sender: a thread (like the outbox sender) that claims due
 * deliveries (store/api_store.h), posts each signed JSON body to its
 * webhook's URL with libcurl and records the outcome (domain/webhook.h):
 * delivered on a 2xx, else retried with back-off, failed after the last
 * attempt. It has its own database connection and never runs inside a
 * request, so a slow or dead receiver never slows a page. A claim is a
 * lease of WEBHOOK_LEASE_S, longer than one post may take (timeout_ms);
 * several senders (app nodes) share the queue safely. */
#ifndef CHAMADO_WEBHOOK_WORKER_H
#define CHAMADO_WEBHOOK_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "domain/webhook.h"
#include "store/db.h"

enum { WEBHOOK_LEASE_S = 120 };

struct webhook_worker_config {
	const char *db_url;
	struct webhook_config hooks; /* base_url, max_attempts, retry_base_s */
	int poll_ms;                 /* default 1000 */
	int timeout_ms;              /* one post, default 10000 */
};

/* One pass: sends every due delivery (at most 100). Returns how many were
 * delivered, or < 0 when the database failed before any was. */
int webhook_send_due(db *d, const struct webhook_worker_config *c, int64_t now);

typedef struct webhook_worker webhook_worker;
/* c's strings are copied. NULL with a reason in err. */
webhook_worker *webhook_worker_start(const struct webhook_worker_config *c, char *err, size_t errlen);
/* Send soon (after a commit that queued an event). Thread-safe. */
void webhook_worker_wake(webhook_worker *w);
/* Finishes the post in progress, joins the thread, frees w. NULL allowed. */
void webhook_worker_stop(webhook_worker *w);

#endif
