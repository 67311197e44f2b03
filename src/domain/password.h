/* Password hashing with argon2id (libsodium, interactive limits). Each hash
 * takes ~64 MiB for ~60 ms, so only a few run at once, and only a few more
 * requests may wait for a turn: past that bound, password work answers
 * PASSWORD_BUSY at once instead of holding a server thread, so a flood of
 * sign-ins (or of anything that hashes) never starves the other pages and
 * /healthz. The server runs more threads than that bound (config.c). */
#ifndef CHAMADO_PASSWORD_H
#define CHAMADO_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

enum {
	PASSWORD_HASH_MAX = 128,
	PASSWORD_MIN_LENGTH = 8,
	PASSWORD_MAX_LENGTH = 1024,
	PASSWORD_RUNNING_MAX = 2, /* hashes at once */
	PASSWORD_WAITING_MAX = 4, /* requests that may wait for a turn */
	PASSWORD_BUSY = -2,       /* the wait queue is full: try again later */
};

/* Call once before threads start. -1 when libsodium cannot start.
 * With CHAMADO_TEST_WEAK_PASSWORD_HASHING=1 in the environment, hashes
 * are made with argon2id's smallest limits (one pass over 8 KiB) instead
 * of the interactive ones: the test suites set it, as they sign in and
 * create accounts thousands of times and each real hash costs 60 ms and
 * 64 MiB. The algorithm, the code paths and the turns stay the same; a
 * hash made so is remade at the next sign-in without the setting
 * (password_needs_rehash). Never set it in production: the server logs a
 * warning at start when it is on. */
int password_init(void);
/* True when CHAMADO_TEST_WEAK_PASSWORD_HASHING is on. */
bool password_hashing_weak(void);
/* Changes the bounds (tests; before or between uses). running >= 1,
 * waiting >= 0. */
void password_set_limits(int running, int waiting);
/* A turn of password work, taken and given back around work that must count
 * against the bound (and by tests, to fill the queue): 0 with a turn, or
 * PASSWORD_BUSY. */
int password_turn_take(void);
void password_turn_give(void);
/* How many turns are taken and how many callers wait for one now. */
void password_load(int *running_now, int *waiting_now);
/* Writes an encoded argon2id hash into out. 0, -1 out of memory, or
 * PASSWORD_BUSY. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);
/* Constant-time check of password against an encoded hash: 1 when it
 * matches, 0 when not, PASSWORD_BUSY when no turn was free. */
int password_check(const char *password, const char *hash);
/* As password_check, for callers that cannot report "busy" (the command
 * line): true only on a match, false also when busy. */
bool password_verify(const char *password, const char *hash);
/* Runs a verification against a fixed hash, so an unknown account takes as
 * long as a known one. 0 (never a match) or PASSWORD_BUSY. */
int password_check_dummy(const char *password);
/* ACCOUNT_PASSWORD_SHORT / _LONG (account.h) or 0. */
int password_check_rules(const char *password);
/* True when hash was made with other limits than today's. */
bool password_needs_rehash(const char *hash);

#endif
