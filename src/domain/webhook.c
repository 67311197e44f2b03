#include "domain/webhook.h"

#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "base/thread_copy.h"
#include "domain/api.h"
#include "domain/audit.h"
#include "domain/token.h"
#include "store/ticket_store.h"
#include "view/i18n.h"

const char *const webhook_events[][2] = {
	{WEBHOOK_TICKET_CREATED, N_("Ticket created")},
	{WEBHOOK_CLIENT_REPLY, N_("Client reply")},
	{WEBHOOK_STAFF_REPLY, N_("Staff reply")},
	{WEBHOOK_STATUS_CHANGED, N_("Status changed")},
	{NULL, NULL},
};

/* Set by this thread's queueing, taken by its wake after the commit: with
 * no webhook subscribed, each change woke the sender for a look at an empty
 * queue (an opening's read, lock calls and two context switches). */
static _Thread_local bool queued_here;

/* Which events some active webhook listens for, as bits of webhook_events:
 * a thread's copy, read at most every LISTENING_TTL seconds and at once
 * after a save or delete on this node. It decides only whether to wake the
 * sender after the commit (a webhook saved on another node meanwhile waits
 * for the sender's next look); the queueing itself asks the database. */
enum { LISTENING_TTL = 5, LISTENING_MAX = 100 };
static atomic_uint webhooks_generation;

static int event_bit(const char *event)
{
	for (int i = 0; webhook_events[i][0]; i++)
		if (str_eq(event, webhook_events[i][0]))
			return 1 << i;
	return 0;
}

/* The bits of the events listed in list (",a,b,"). */
static int list_bits(const char *list)
{
	int bits = 0;
	char wanted[64];
	for (int i = 0; webhook_events[i][0]; i++) {
		snprintf(wanted, sizeof wanted, ",%s,", webhook_events[i][0]);
		if (strstr(list, wanted))
			bits |= 1 << i;
	}
	return bits;
}

/* The bits of the events the active webhooks listen for, or < 0. */
static int listening_read(void *d)
{
	arena *a = arena_new(2048);
	const char *lists[LISTENING_MAX];
	int n = a ? store_webhook_active_events(d, a, lists, LISTENING_MAX) : DB_NOMEM;
	int bits = n == LISTENING_MAX ? INT_MAX : 0; /* more than read: wake for all */
	for (int i = 0; i < n; i++)
		bits |= list_bits(lists[i]);
	arena_free(a);
	return n < 0 ? n : bits;
}

static int listening_events(db *d)
{
	static _Thread_local struct kept_value kept;
	unsigned generation = atomic_load(&webhooks_generation);
	return kept_value_get(&kept, d, LISTENING_TTL, generation, listening_read);
}

int webhook_queue_event(db *d, const char *event, int64_t ticket_id, int64_t now)
{
	int listening = listening_events(d);
	if (listening < 0)
		return listening;
	int rc = store_webhook_queue(d, event, ticket_id, now);
	if (rc > 0 || (listening & event_bit(event)))
		queued_here = true;
	return rc < 0 ? rc : 0;
}

bool webhook_queued_take(void)
{
	bool was = queued_here;
	queued_here = false;
	return was;
}

static bool url_valid(const char *url)
{
	size_t n = strlen(url);
	if (n > WEBHOOK_URL_MAX || !(str_starts_with(url, "http://") || str_starts_with(url, "https://")))
		return false;
	if (n <= strlen("https://") || !str_utf8_valid(url, n))
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>')
			return false;
	return true;
}

int webhook_save(db *d, const struct actor *actor, int64_t id, const struct webhook_form *f,
                 int64_t now, struct webhook_errors *e, int64_t *out_id)
{
	memset(e, 0, sizeof *e);
	char url[WEBHOOK_URL_MAX + 1] = "";
	if (f->url && strlen(f->url) <= WEBHOOK_URL_MAX)
		snprintf(url, sizeof url, "%s", f->url);
	str_trim(url);
	if (!url_valid(url))
		e->url = N_("Enter the address that receives the events (http:// or https://).");
	char events[128] = ",";
	for (int i = 0; webhook_events[i][0]; i++)
		if (f->events[i]) {
			strcat(events, webhook_events[i][0]);
			strcat(events, ",");
		}
	if (str_eq(events, ","))
		e->events = N_("Choose at least one event.");
	if (e->url || e->events)
		return WEBHOOK_INVALID;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "webhook", id);
	int64_t saved = id;
	if (rc == 0 && id > 0) {
		/* The snapshot is empty exactly when there is no such webhook. */
		rc = snap.before.len == 0 ? WEBHOOK_NOT_FOUND : store_webhook_update(d, id, url, events, f->active);
	} else if (rc == 0) {
		char secret[TOKEN_LEN + 1];
		token_new(secret);
		saved = store_webhook_insert(d, url, events, secret, f->active, now);
		sodium_memzero(secret, sizeof secret);
		rc = saved < 0 ? (int)saved : 0;
	}
	if (rc != 0) {
		buf_free(&snap.before);
		db_rollback(d);
		return rc;
	}
	rc = audit_end(d, &snap, actor, saved, now);
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	atomic_fetch_add(&webhooks_generation, 1);
	*out_id = saved;
	return WEBHOOK_OK;
}

int webhook_delete(db *d, const struct actor *actor, int64_t id, int64_t now)
{
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "webhook", id);
	if (rc == 0)
		rc = snap.before.len == 0 ? 1 : store_webhook_delete(d, id);
	if (rc != 0) {
		buf_free(&snap.before);
		db_rollback(d);
		return rc;
	}
	rc = audit_end(d, &snap, actor, id, now);
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0)
		db_rollback(d);
	else
		atomic_fetch_add(&webhooks_generation, 1);
	return rc;
}

int webhook_list(db *d, arena *a, struct webhook_row *rows, int max)
{
	return store_webhook_list(d, a, rows, max);
}

int webhook_get(db *d, int64_t id, arena *a, struct webhook_row *row)
{
	return store_webhook_get(d, id, a, row);
}

bool webhook_has_event(const struct webhook_row *w, const char *event)
{
	char needle[64];
	snprintf(needle, sizeof needle, ",%s,", event);
	return w->events && strstr(w->events, needle) != NULL;
}

int webhook_deliveries(db *d, int64_t webhook_id, arena *a, struct webhook_delivery_row *rows,
                       int max)
{
	return store_webhook_delivery_list(d, webhook_id, a, rows, max);
}

int webhook_resend(db *d, const struct actor *actor, int64_t webhook_id, int64_t delivery_id,
                   int64_t now)
{
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	int rc = db_begin_write(d);
	if (rc < 0) {
		arena_free(a);
		return rc;
	}
	struct webhook_delivery_row row;
	rc = store_webhook_delivery_get(d, delivery_id, a, &row);
	if (rc == 1 && row.webhook_id != webhook_id)
		rc = 0;
	const char *before = rc == 1 ? arena_strdup(a, row.status) : NULL;
	if (rc == 1)
		rc = store_webhook_delivery_requeue(d, webhook_id, delivery_id, now);
	if (rc == 1) {
		queued_here = true;
		/* The record names the webhook by its address and the delivery
		 * by its number; never the secret or the payload. */
		const char *changes = arena_printf(a, "delivery: %lld\nevent: %s\nstatus: %s \xe2\x86\x92 queued\n",
		                                   (long long)delivery_id, row.event, before ? before : "");
		int wrote = changes ? audit_record(d, actor, "webhook.resend", row.url, changes, now) : DB_NOMEM;
		if (wrote == 0)
			wrote = db_commit(d);
		if (wrote < 0)
			rc = wrote;
	}
	if (rc != 1)
		db_rollback(d);
	arena_free(a);
	return rc;
}

int webhook_claim_due(db *d, int64_t now, int lease_s, int limit, int64_t *ids)
{
	return store_webhook_claim_due(d, now, now + lease_s, limit, ids);
}

int webhook_delivery_get(db *d, int64_t id, arena *a, struct webhook_delivery_row *row)
{
	return store_webhook_delivery_get(d, id, a, row);
}

const char *webhook_payload(db *d, const struct webhook_config *c,
                            const struct webhook_delivery_row *row, arena *a)
{
	if (row->payload)
		return row->payload;
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "event", json_string(row->event));
	json_object_set_new(o, "delivery_id", json_integer(row->id));
	json_object_set_new(o, "created_at", api_json_time(row->created_at));
	struct ticket_row t;
	int rc = row->ticket_id > 0 ? store_ticket_id_get(d, row->ticket_id, a, &t) : 0;
	if (rc < 0) {
		json_decref(o);
		return NULL;
	}
	json_t *ticket = rc == 1 ? api_json_ticket(&t, api_ticket_description(d, t.id, a), c->base_url) : NULL;
	if (ticket && api_json_ticket_ccs(d, &t, ticket) < 0) {
		json_decref(ticket);
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "ticket", ticket ? ticket : json_null());
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		return NULL;
	const char *copy = arena_strdup(a, text);
	free(text);
	if (copy && store_webhook_delivery_set_payload(d, row->id, copy) < 0)
		return NULL;
	return copy;
}

void webhook_sign(const char *secret, int64_t timestamp, const char *body,
                  char out[WEBHOOK_SIGNATURE_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char ts[24];
	snprintf(ts, sizeof ts, "%lld.", (long long)timestamp);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, WEBHOOK_SIGNATURE_LEN + 1 - 7, mac, sizeof mac);
}

int webhook_record(db *d, const struct webhook_config *c, const struct webhook_delivery_row *row,
                   long http_status, const char *error, int64_t answer_ms, int64_t now)
{
	if (http_status >= 200 && http_status < 300)
		return store_webhook_delivery_result(d, row->id, "delivered", now, http_status, "",
		                                     answer_ms, now);
	int max_attempts = c->max_attempts > 0 ? c->max_attempts : 10;
	int64_t base = c->retry_base_s > 0 ? c->retry_base_s : 30;
	int64_t delay = base;
	for (int i = 1; i < row->attempts && delay < 3600; i++)
		delay *= 2;
	if (delay > 3600)
		delay = 3600;
	char why[200];
	if (error && *error)
		snprintf(why, sizeof why, "%s", error);
	else
		snprintf(why, sizeof why, "HTTP %ld", http_status);
	bool last = row->attempts >= max_attempts;
	return store_webhook_delivery_result(d, row->id, last ? "failed" : "queued",
	                                     last ? now : now + delay, http_status, why, answer_ms, now);
}
