/* Two-factor sign-in: each account's TOTP secret and last used step, its
 * recovery codes (hashed) and the sign-ins that wait for a code. user_kind
 * is "client" or "staff". */
#ifndef CHAMADO_TWOFA_STORE_H
#define CHAMADO_TWOFA_STORE_H

#include <stdint.h>

#include "store/db.h"

struct twofa_row {
	char secret[72];    /* base32 */
	int64_t enabled_at; /* 0 while the set-up waits for its first code */
	int64_t last_step;
	int64_t created_at;
};

/* 1 found (row filled), 0 none, < 0 error. */
int store_twofa_get(db *d, const char *user_kind, int64_t user_id, struct twofa_row *row);
/* Starts (or restarts) a set-up: a new secret, not enabled. */
int store_twofa_put_pending(db *d, const char *user_kind, int64_t user_id, const char *secret,
                            int64_t now);
int store_twofa_enable(db *d, const char *user_kind, int64_t user_id, int64_t step, int64_t now);
/* Records step as the last accepted one, only when it is later than the
 * recorded one: 1 recorded, 0 not (the code was used already), < 0. */
int store_twofa_use_step(db *d, const char *user_kind, int64_t user_id, int64_t step);
/* Removes the secret and the recovery codes. */
int store_twofa_delete(db *d, const char *user_kind, int64_t user_id);

int store_recovery_insert(db *d, const char *user_kind, int64_t user_id, const char *code_hash);
int store_recovery_delete(db *d, const char *user_kind, int64_t user_id);
/* Marks an unused code used: 1 done, 0 no such unused code, < 0. */
int store_recovery_use(db *d, const char *user_kind, int64_t user_id, const char *code_hash,
                       int64_t now);
/* Unused codes left, or < 0. */
int64_t store_recovery_left(db *d, const char *user_kind, int64_t user_id);

struct challenge_row {
	int64_t id;
	char user_kind[8];
	int64_t user_id;
	int64_t expires_at;
};

int64_t store_challenge_insert(db *d, const char *token_hash, const char *user_kind,
                               int64_t user_id, const char *ip, const char *user_agent,
                               int64_t now, int64_t expires_at);
int store_challenge_get(db *d, const char *token_hash, struct challenge_row *row);
int store_challenge_delete(db *d, int64_t id);
int store_challenge_purge(db *d, int64_t now);

#endif
