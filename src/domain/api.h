/* The JSON API's rules (issue 13): how Zendesk's vocabulary maps onto ours,
 * and the API's calls as domain functions that the handlers in web/api_*.c
 * translate into and out of JSON. Every change goes through the same domain
 * functions as the staff panel and email (ticket_open, ticket_reply,
 * ticket_note, ticket_update, client_create) with an actor on CHANNEL_API
 * (the token's staff member), so the permissions, the emails and the audit
 * log are theirs.
 *
 * Users: clients and staff live in two tables with ids of their own. The
 * API gives them one id space without a shared sequence: a client's API id
 * is 2 * its id (even), a staff member's 2 * id + 1 (odd). Ids never
 * collide, a lookup goes straight to one table, and the mapping survives
 * export/import, because it depends on nothing but the row's own id.
 *
 * Results: API_OK, API_INVALID (see struct api_errors), API_NOT_FOUND,
 * API_FORBIDDEN, API_EXISTS, or a negative DB_E* code. */
#ifndef CHAMADO_API_H
#define CHAMADO_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/actor.h"
#include "domain/custom_field.h"
#include "domain/notice.h"
#include "domain/session.h"
#include "store/admin_store.h"
#include "store/api_store.h"
#include "store/db.h"
#include "store/ticket_store.h"

enum api_result {
	API_OK = 0,
	API_INVALID = 1,
	API_NOT_FOUND = 2,
	API_FORBIDDEN = 3,
	API_EXISTS = 4, /* create: the email is another user's */
};

enum { API_PAGE_MAX = 100, API_PAGE_DEFAULT = 100, API_ERRORS_MAX = 8 };

/* What was wrong with a request: a field name and an English description,
 * Zendesk's "details" of a RecordInvalid. */
struct api_errors {
	int n;
	struct {
		const char *field, *description;
	} e[API_ERRORS_MAX];
};
/* Inline, so that the pure JSON readers (web/api_body.c) link without the
 * database. Errors past API_ERRORS_MAX are dropped. */
static inline void api_error_add(struct api_errors *e, const char *field, const char *description)
{
	if (e->n < API_ERRORS_MAX) {
		e->e[e->n].field = field;
		e->e[e->n].description = description;
		e->n++;
	}
}

/* ---- ids and vocabulary ---- */

static inline int64_t api_uid_client(int64_t client_id) { return client_id * 2; }
static inline int64_t api_uid_staff(int64_t staff_id) { return staff_id * 2 + 1; }

/* Ours -> Zendesk: open -> new, customer-reply and in-progress -> open,
 * answered -> pending, on-hold -> hold, closed -> closed. */
const char *api_status_out(const char *status);
/* Zendesk -> ours, for a ticket now in status `current`: NULL when the
 * name is unknown; `current` itself when it already reads as that name
 * (an "open" ticket stays customer-reply); else new -> open, open ->
 * in-progress, pending -> answered, hold -> on-hold, solved and closed ->
 * closed. */
const char *api_status_in(const char *zendesk, const char *current);
/* The STATUS_BIT_* mask of our statuses that read as a Zendesk status; 0
 * when unknown. */
int api_status_mask(const char *zendesk);
/* low -> low, medium -> normal, high -> high; back: urgent -> high. */
const char *api_priority_out(const char *priority);
const char *api_priority_in(const char *zendesk); /* NULL when unknown */

/* Free words as a lowercase LIKE pattern ("%words%", wildcards escaped);
 * "" for none. In the arena. */
const char *api_search_pattern(arena *a, const char *words);
/* An email as the store compares it (ASCII lowercase); "" for none. */
const char *api_email_key(arena *a, const char *email);

/* ---- representations ---- */

/* The Zendesk-shaped objects; base_url makes the "url" fields. New
 * references, NULL when out of memory. */
json_t *api_json_ticket(const struct ticket_row *t, const char *description, const char *base_url);
/* Adds the ticket's CCs to its JSON o: email_cc_ids (Zendesk's: the user
 * ids of the CCs who are users here) and email_ccs (ours: every CC as
 * {user_id or null, user_email, user_name}). 0 or < 0. */
int api_json_ticket_ccs(db *d, const struct ticket_row *t, json_t *o);
json_t *api_json_user(const struct api_user_row *u, const char *base_url);
json_t *api_json_service(const struct api_service_row *s, const char *base_url);
/* "2026-12-01T15:08:53Z" */
json_t *api_json_time(int64_t t);

/* ---- tickets ---- */

/* The ticket with this id, when the staff member may act on it: 1, 0, < 0. */
int api_ticket_get(db *d, const struct session *staff, int64_t id, arena *a, struct ticket_row *row);
/* Sends api_ticket_get's read ahead (db_prefetch), before the token's. */
void api_ticket_get_prefetch(db *d, int64_t id);
/* The first message's body ("" when none). */
const char *api_ticket_description(db *d, int64_t ticket_id, arena *a);
/* Sends ahead (db_prefetch) the reads of a ticket's JSON: its description,
 * tags, fields and CCs go out in one round trip. */
void api_ticket_prefetch(db *d, const struct ticket_row *t);
/* A page of the tickets the staff member may see (q's staff fields are
 * filled here). A count, or < 0; and how many in all when total != NULL. */
int api_ticket_list(db *d, const struct session *staff, struct api_ticket_query *q, arena *a,
                    struct ticket_row *rows, int64_t *total);

/* "tags" (and additional_tags, remove_tags): strings as sent, checked
 * and normalised by the domain (ticket_tag.h). */
enum { API_TAGS_MAX = 40 };
struct api_tag_list {
	bool sent;
	int n;
	const char *list[API_TAGS_MAX];
};
/* "custom_fields": [{"id": N, "value": ...}]; value points into the
 * request's JSON (a string, number, boolean or null). */
struct api_field_list {
	int n;
	struct {
		int64_t id;
		json_t *value;
	} e[CUSTOM_FIELDS_MAX];
};
/* A ticket's tags and custom field values as Zendesk shows them: "tags"
 * and "custom_fields" (every field of its department, null when unset, a
 * checkbox as a boolean) set on o. 0 or < 0. */
int api_json_ticket_extras(db *d, const struct ticket_row *t, arena *a, json_t *o);
/* GET /api/v2/ticket_fields.json: the fields of the staff member's
 * departments (all for an admin) in Zendesk's shape; NULL on an error. */
json_t *api_json_ticket_fields(db *d, const struct session *staff, arena *a, const char *base_url);
/* One entry of Zendesk's email_ccs: copy an address on the ticket ("put")
 * or stop ("delete"), through ticket_cc_add / ticket_cc_remove. */
struct api_cc_change {
	const char *email, *name; /* name may be NULL */
	bool remove;
};
enum { API_CC_CHANGES_MAX = 10 };

struct api_ticket_new {
	struct api_tag_list tags;
	struct api_field_list fields;
	const char *subject;     /* NULL: the body's first line */
	const char *body;        /* comment.body, required */
	const char *priority;    /* Zendesk's name; NULL: normal */
	int64_t requester_uid;   /* 0: by email */
	const char *requester_email, *requester_name;
	int64_t group_id;        /* 0: the staff member's first department */
	int64_t service_id;      /* 0: none */
	struct api_cc_change ccs[API_CC_CHANGES_MAX];
	int nccs;
};
/* Opens a ticket for the requester (a client created when the email is
 * new), as the panel does (ticket_open on the API channel). API_OK with *id,
 * API_INVALID, API_FORBIDDEN (an agent naming another department's group
 * answers API_INVALID instead, as a bad group_id) or < 0. */
int api_ticket_create(db *d, const struct notifier *n, const struct session *staff,
                      const struct api_ticket_new *t, int64_t now, struct api_errors *e,
                      int64_t *id);

struct api_ticket_change {
	const char *status, *priority; /* Zendesk's names; NULL: unchanged */
	int64_t group_id;              /* 0: unchanged */
	int64_t assignee_uid;          /* -1: unchanged, 0: nobody */
	const char *comment;           /* NULL: none */
	bool comment_public;           /* false: an internal note */
	/* tags replaces the set (Zendesk's PUT); additional_tags and
	 * remove_tags change it. */
	struct api_tag_list tags, additional_tags, remove_tags;
	struct api_field_list fields;
	struct api_cc_change ccs[API_CC_CHANGES_MAX];
	int nccs;
};
/* Adds the comment (a reply emails the client; a note emails nobody) and
 * then applies the changes. API_OK with the ticket as it is now in *after
 * (strings in a; shown even when the change moved it out of an agent's
 * departments), API_INVALID, API_NOT_FOUND or < 0. Everything is checked
 * before anything is written. */
int api_ticket_update(db *d, const struct notifier *n, const struct session *staff, int64_t id,
                      const struct api_ticket_change *c, int64_t now, struct api_errors *e,
                      arena *out, struct ticket_row *after);

/* ---- users ---- */

int api_user_get(db *d, int64_t uid, arena *a, struct api_user_row *row);
int api_user_list(db *d, struct api_user_query *q, arena *a, struct api_user_row *rows,
                  int64_t *total);

struct api_user_form {
	const char *name, *email; /* NULL: not sent */
	const char *role;         /* NULL or end-user; agents and admins are made in the panel */
	const char *locale;       /* NULL, pt-BR or en */
};
/* Creates an end-user (a client with no password yet: they set one with
 * "Forgot password?"). API_OK with *uid, API_INVALID, API_EXISTS or < 0. */
int api_user_create(db *d, const struct session *staff, const struct api_user_form *f, int64_t now,
                    struct api_errors *e, int64_t *uid);
/* By email: updates the client there (API_OK, *created false) or creates
 * one (*created true). A staff member's email is API_INVALID. */
int api_user_create_or_update(db *d, const struct session *staff, const struct api_user_form *f,
                              int64_t now, struct api_errors *e, int64_t *uid, bool *created);
/* Admins only (API_FORBIDDEN); end-users only (a staff id is API_INVALID). */
int api_user_update(db *d, const struct session *staff, int64_t uid, const struct api_user_form *f,
                    int64_t now, struct api_errors *e);

/* ---- groups (departments) and services ---- */

/* Every department in its order. */
int api_groups(db *d, arena *a, struct admin_department_row *rows, int max);

struct api_service_form {
	const char *kind, *label, *status; /* NULL: unchanged (create: hosting, -, active) */
};
/* The services of the end-user with this uid: a count (*found false when
 * there is no such end-user) or < 0. */
int api_services_of(db *d, int64_t uid, arena *a, struct api_service_row *rows, int max,
                    bool *found);
int api_service_get(db *d, int64_t id, arena *a, struct api_service_row *row);
/* Admins only. API_OK (*id), API_INVALID, API_NOT_FOUND, API_FORBIDDEN, < 0. */
int api_service_create(db *d, const struct session *staff, int64_t uid,
                       const struct api_service_form *f, int64_t now, struct api_errors *e,
                       int64_t *id);
int api_service_update(db *d, const struct session *staff, int64_t id,
                       const struct api_service_form *f, int64_t now, struct api_errors *e);
int api_service_delete(db *d, const struct session *staff, int64_t id);

#endif
