/* Settings: key/value text in the database, shared by every app node. */
#ifndef CHAMADO_SETTINGS_STORE_H
#define CHAMADO_SETTINGS_STORE_H

#include <stddef.h>

#include "store/db.h"

/* Copies the value (or fallback when absent or on error) into out. */
void store_setting_get(db *d, const char *key, const char *fallback, char *out, size_t outlen);
/* key's value into out: 1, 0 when it is not set (out ""), < 0 when it
 * could not be read. */
int store_setting_read(db *d, const char *key, char *out, size_t outlen);
/* Inserts or replaces. 0 or a DB_E* code. */
int store_setting_set(db *d, const char *key, const char *value);
/* Sets only when the key is absent. 0 or a DB_E* code. */
int store_setting_default(db *d, const char *key, const char *value);
/* Removes the key. 0 or a DB_E* code. */
int store_setting_delete(db *d, const char *key);
/* A trivial query, for /healthz. 0 when the database answers. */
int store_ping(db *d);

#endif
