/* API tokens (issue 13). A token is 256 random bits shown once; only its
 * SHA-256 is stored, like a session's. It acts as the staff member it was
 * made for: an agent's token reaches only that agent's departments, and a
 * deactivated staff member's tokens stop working. Each token may make at
 * most api_rate_limit requests a minute (a setting, 700 by default),
 * counted in the database so every app node counts the same; each node
 * adds its hits in batches, and one at a time near the limit, so a read
 * is not a write and one node's count is exact. */
#ifndef CHAMADO_API_TOKEN_H
#define CHAMADO_API_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/actor.h"
#include "domain/session.h"
#include "domain/token.h"
#include "store/api_store.h"
#include "store/db.h"

enum {
	API_TOKEN_NAME_MAX = 100, /* characters */
	API_RATE_DEFAULT = 700,   /* requests a minute */
	API_RATE_MAX = 1000000,
};

enum api_token_result {
	API_TOKEN_OK = 0,
	API_TOKEN_NO_STAFF = 1,  /* no active staff member with that email */
	API_TOKEN_BAD_NAME = 2,  /* empty or too long */
};

/* Changes below are written with their audit record (domain/audit.h:
 * token.create, token.update for a revocation, settings.update for the
 * rate) in one transaction; the token itself is never in the record.
 * actor: the admin, or NULL for the command line (the system). */

/* Makes a token for the staff member with email: token (shown once) and
 * *id. API_TOKEN_OK, API_TOKEN_NO_STAFF, API_TOKEN_BAD_NAME or < 0. */
int api_token_create(db *d, const struct actor *actor, const char *staff_email, const char *name,
                     int64_t now, char token[TOKEN_LEN + 1], int64_t *id);
/* The same for the staff member with this id (the admin page's form). */
int api_token_create_for(db *d, const struct actor *actor, int64_t staff_id, const char *name,
                         int64_t now, char token[TOKEN_LEN + 1], int64_t *id);
/* Every token, newest first. A count or < 0. */
int api_token_list(db *d, arena *a, struct api_token_row *rows, int max);
/* 1 when a live token was revoked, 0 when there was none, < 0. */
int api_token_revoke(db *d, const struct actor *actor, int64_t id, int64_t now);

/* Checks a presented token (and, with Basic auth, the email it was sent
 * with): 1 with *s (the staff member it acts as) and *token_id, 0 when it
 * is unknown, revoked, sent with another email or its staff member is
 * inactive, < 0 on a database error. */
int api_token_authenticate(db *d, const char *email, const char *token, int64_t now,
                           struct session *s, int64_t *token_id);

/* Counts one request of token_id: 1 allowed; 0 over the limit, with
 * *retry_after the seconds until the window ends; < 0 on error. */
int api_rate_take(db *d, int64_t token_id, int64_t now, int64_t *retry_after);
/* The limit in force (requests a minute), and setting it (1..API_RATE_MAX;
 * false when out of range). */
int api_rate_limit(db *d);
int api_rate_limit_set(db *d, const struct actor *actor, const char *typed, bool *valid, int64_t now);

#endif
