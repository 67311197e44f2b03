/* The SQL of the JSON API (issue 13): API tokens, the lists the API walks
 * in id order (tickets, users across clients and staff), services by id,
 * webhooks and their delivery queue. Strings in rows live in the arena
 * passed in. Functions returning int answer 0 (or a count, or 1 found /
 * 0 none) or a negative DB_E* code; inserts return the new id. */
#ifndef CHAMADO_API_STORE_H
#define CHAMADO_API_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/ticket_store.h"

/* ---- tokens ---- */

struct api_token_row {
	int64_t id, staff_id;
	const char *name, *staff_name, *staff_email, *role, *language;
	bool staff_active;
	int64_t created_at, last_used_at, revoked_at; /* 0: never */
};

int64_t store_api_token_insert(db *d, int64_t staff_id, const char *name, const char *token_hash,
                               int64_t now);
/* Every token, newest first (revoked ones too). */
int store_api_token_list(db *d, arena *a, struct api_token_row *rows, int max);
/* The token whose hash is token_hash, revoked or not: 1, 0, < 0. */
int store_api_token_by_hash(db *d, const char *token_hash, arena *a, struct api_token_row *row);
/* 1 when a live token was revoked, 0 when there was none. */
int store_api_token_revoke(db *d, int64_t id, int64_t now);
/* Records a use; written at most once a minute per token (the caller decides). */
int store_api_token_touch(db *d, int64_t id, int64_t now);

/* ---- tickets in id order ---- */

struct api_ticket_query {
	int64_t staff_id;
	bool all_departments; /* admins */
	int64_t after_id;     /* cursor: tickets with a larger id */
	int64_t offset;       /* offset pagination (0 with a cursor) */
	int limit;
	int64_t client_id;    /* 0: any requester */
	int status_mask;      /* STATUS_BIT_* of queue_store.h; 0: any */
	const char *words;    /* free words of a search, as typed; NULL none */
	const char *match;    /* the search index's match expression (set from
	                       * words by api_ticket_list); NULL or "" none */
	bool newest_first;
};
int store_api_ticket_list(db *d, const struct api_ticket_query *q, arena *a, struct ticket_row *rows);
/* How many tickets match q (its cursor, offset and limit ignored). */
int64_t store_api_ticket_count(db *d, const struct api_ticket_query *q);

/* ---- users: clients and staff in one id space ---- */

/* uid is the API's id: 2 * client id for clients, 2 * staff id + 1 for
 * staff (domain/api_user.h explains why). */
struct api_user_row {
	int64_t uid, id;
	const char *kind;  /* "client" or "staff" */
	const char *name, *email, *role, *language; /* role: end-user, agent, admin */
	bool active;
	int64_t created_at, updated_at;
	int64_t owner_id; /* a client's contact: the owner's client id (0021); else 0 */
	bool contact_tickets, contact_emails;
};

struct api_user_query {
	int64_t after_uid; /* users with a larger uid */
	int64_t offset;
	int limit;
	const char *role;    /* "" any, else end-user / agent / admin */
	const char *pattern; /* lowercase LIKE pattern on name or email; "" none */
	const char *email;   /* exact address (compared lowercased); "" none */
};
int store_api_user_list(db *d, const struct api_user_query *q, arena *a, struct api_user_row *rows);
int64_t store_api_user_count(db *d, const struct api_user_query *q);
/* One user by uid: 1, 0, < 0. */
int store_api_user_get(db *d, int64_t uid, arena *a, struct api_user_row *row);

/* ---- services ---- */

struct api_service_row {
	int64_t id, client_id;
	const char *kind, *label, *status;
	int64_t created_at;
};
int store_api_service_get(db *d, int64_t id, arena *a, struct api_service_row *row);
int store_api_service_list(db *d, int64_t client_id, arena *a, struct api_service_row *rows, int max);
int64_t store_api_service_insert(db *d, int64_t client_id, const char *kind, const char *label,
                                 const char *status, int64_t now);

/* ---- webhooks ---- */

struct webhook_row {
	int64_t id;
	const char *url, *events, *secret; /* events: ",a,b," */
	bool active;
	int64_t created_at;
	int64_t delivered, failed, pending; /* counts (lists only) */
};

int64_t store_webhook_insert(db *d, const char *url, const char *events, const char *secret,
                             bool active, int64_t now);
int store_webhook_update(db *d, int64_t id, const char *url, const char *events, bool active);
int store_webhook_delete(db *d, int64_t id);
int store_webhook_get(db *d, int64_t id, arena *a, struct webhook_row *row);
int store_webhook_list(db *d, arena *a, struct webhook_row *rows, int max);

/* The events lists of the active webhooks, at most max, strings in a:
 * how many, or < 0. */
int store_webhook_active_events(db *d, arena *a, const char **events, int max);

/* In the caller's transaction: one queued delivery of event for every
 * active webhook subscribed to it. Returns 1 when one was queued, 0 when
 * no webhook is subscribed or (PostgreSQL inside a transaction) when the
 * insert went without waiting for its answer, or < 0. */
int store_webhook_queue(db *d, const char *event, int64_t ticket_id, int64_t now);

struct webhook_delivery_row {
	int64_t id, webhook_id, ticket_id;
	const char *event, *payload, *status, *last_error; /* payload NULL until composed */
	const char *url, *secret;
	int attempts;
	int64_t next_attempt_at, last_status, answer_ms, created_at, delivered_at; /* 0: none */
};

/* Claims up to limit due deliveries (queued, or sending past its lease):
 * each becomes sending until lease_until, attempts + 1. Own transaction. */
int store_webhook_claim_due(db *d, int64_t now, int64_t lease_until, int limit, int64_t *ids);
int store_webhook_delivery_get(db *d, int64_t id, arena *a, struct webhook_delivery_row *row);
int store_webhook_delivery_set_payload(db *d, int64_t id, const char *payload);
/* The outcome of one attempt. status: delivered, queued (next_attempt_at
 * is when to try again) or failed. */
int store_webhook_delivery_result(db *d, int64_t id, const char *status, int64_t next_attempt_at,
                                  int64_t http_status, const char *error, int64_t answer_ms,
                                  int64_t now);
/* The newest deliveries of a webhook. */
int store_webhook_delivery_list(db *d, int64_t webhook_id, arena *a,
                                struct webhook_delivery_row *rows, int max);
/* "Send again": queued, due now, attempts from zero. 1 done, 0 none. */
int store_webhook_delivery_requeue(db *d, int64_t webhook_id, int64_t id, int64_t now);

#endif
