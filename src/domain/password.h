/* Password hashing with argon2id (libsodium, interactive limits). Each hash
 * takes ~64 MiB for ~60 ms, so at most two run at once. */
#ifndef CHAMADO_PASSWORD_H
#define CHAMADO_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

enum { PASSWORD_HASH_MAX = 128, PASSWORD_MIN_LENGTH = 8, PASSWORD_MAX_LENGTH = 1024 };

/* Call once before threads start. -1 when libsodium cannot start. */
int password_init(void);
/* Writes an encoded argon2id hash into out. -1 out of memory. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);
/* Constant-time check of password against an encoded hash. */
bool password_verify(const char *password, const char *hash);
/* Runs a verification against a fixed hash, so an unknown account takes as
 * long as a known one. Always false. */
bool password_verify_dummy(const char *password);
/* ACCOUNT_PASSWORD_SHORT / _LONG (account.h) or 0. */
int password_check_rules(const char *password);
/* True when hash was made with other limits than today's. */
bool password_needs_rehash(const char *hash);

#endif
