/* Webhooks (issue 13): other systems told what happened to a ticket.
 *
 * An event is queued in the transaction of the change that caused it
 * (webhook_queue_event, one line in each domain function that makes an
 * event), one delivery per active webhook subscribed to it, so a committed
 * change is always announced and a rolled-back one never is. A sender
 * (jobs/webhook_worker.c) posts each delivery as JSON, signed with the
 * webhook's secret:
 *
 *   X-Chamado-Timestamp: <Unix seconds>
 *   X-Chamado-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "." body)>
 *
 * A 2xx answer delivers it (once: it is never sent again unless an admin
 * asks); anything else is retried after retry_base * 2^(attempts-1)
 * seconds (at most an hour) until max_attempts, then it is failed. Each
 * attempt's answer is logged for the admin page. */
#ifndef CHAMADO_WEBHOOK_H
#define CHAMADO_WEBHOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/actor.h"
#include "store/api_store.h"
#include "store/db.h"

#define WEBHOOK_TICKET_CREATED "ticket_created"
#define WEBHOOK_CLIENT_REPLY "client_reply"
#define WEBHOOK_STAFF_REPLY "staff_reply"
#define WEBHOOK_STATUS_CHANGED "status_changed"

enum { WEBHOOK_URL_MAX = 2000, WEBHOOK_SECRET_LEN = 43, WEBHOOK_SIGNATURE_LEN = 71 };

/* The events, {name, msgid}, ended by {NULL, NULL}. */
extern const char *const webhook_events[][2];

/* In the caller's transaction: 0 or < 0. */
int webhook_queue_event(db *d, const char *event, int64_t ticket_id, int64_t now);
/* Whether this thread queued a delivery (an event, or one sent again)
 * since it last asked: after its commit, wake the sender only then. */
bool webhook_queued_take(void);

struct webhook_form {
	const char *url;
	bool events[4]; /* in the order of webhook_events */
	bool active;
};
struct webhook_errors {
	const char *url, *events; /* msgids */
};
enum { WEBHOOK_OK = 0, WEBHOOK_INVALID = 1, WEBHOOK_NOT_FOUND = 2 };

/* The admin's changes below are written with their audit record
 * (webhook.create, .update, .delete, .resend: the address, the events and
 * the switch, never the secret) in one transaction. */

/* Creates (id 0: a new secret is made) or updates a webhook. *out_id.
 * WEBHOOK_OK, WEBHOOK_INVALID (e), WEBHOOK_NOT_FOUND or < 0. */
int webhook_save(db *d, const struct actor *actor, int64_t id, const struct webhook_form *f,
                 int64_t now, struct webhook_errors *e, int64_t *out_id);
/* 0, 1 when there is no such webhook, or < 0. */
int webhook_delete(db *d, const struct actor *actor, int64_t id, int64_t now);
int webhook_list(db *d, arena *a, struct webhook_row *rows, int max);
int webhook_get(db *d, int64_t id, arena *a, struct webhook_row *row);
bool webhook_has_event(const struct webhook_row *w, const char *event);
int webhook_deliveries(db *d, int64_t webhook_id, arena *a, struct webhook_delivery_row *rows,
                       int max);
/* "Send again" a delivered or failed delivery: 1, 0 when there is none. */
int webhook_resend(db *d, const struct actor *actor, int64_t webhook_id, int64_t delivery_id,
                   int64_t now);

/* ---- for the sender ---- */

struct webhook_config {
	const char *base_url;  /* for the "url" fields of the payload */
	int max_attempts;      /* default 10 */
	int retry_base_s;      /* default 30 */
};

/* Claims up to limit due deliveries for lease_s seconds (their ids), in a
 * transaction of its own; and reads one. See store/api_store.h. */
int webhook_claim_due(db *d, int64_t now, int lease_s, int limit, int64_t *ids);
int webhook_delivery_get(db *d, int64_t id, arena *a, struct webhook_delivery_row *row);
/* The delivery's payload, composed from the ticket as it is now on the
 * first attempt and stored, so a retry sends the same bytes. NULL when out
 * of memory or the database failed. */
const char *webhook_payload(db *d, const struct webhook_config *c,
                            const struct webhook_delivery_row *row, arena *a);
/* "sha256=" and the hex HMAC-SHA256 of timestamp "." body under secret. */
void webhook_sign(const char *secret, int64_t timestamp, const char *body,
                  char out[WEBHOOK_SIGNATURE_LEN + 1]);
/* Records an attempt: http_status 2xx delivered, else queued again with
 * back-off or failed after the last attempt. error "" when none. */
int webhook_record(db *d, const struct webhook_config *c, const struct webhook_delivery_row *row,
                   long http_status, const char *error, int64_t answer_ms, int64_t now);

#endif
