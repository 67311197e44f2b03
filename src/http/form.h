/* Decoding of query strings and application/x-www-form-urlencoded bodies
 * into a list of fields. Pure functions over an arena, no I/O. */
#ifndef CHAMADO_FORM_H
#define CHAMADO_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

/* Fields keep the order they came in; repeated keys give repeated entries. */
struct kv {
	const char *key;
	const char *value;
	struct kv *next;
};

struct kvlist {
	struct kv *head;
	struct kv *tail;
	int count;
};

enum {
	FORM_OK = 0,
	FORM_BAD_ENCODING = -1, /* bad %XX or not UTF-8 */
	FORM_TOO_MANY = -2,     /* more fields than allowed */
	FORM_NOMEM = -3,
};

/* Decodes %XX escapes (and '+' as a space when plus_is_space) into a new
 * NUL-terminated string in a. Returns NULL on a malformed escape, an encoded
 * NUL byte or a result that is not valid UTF-8 (and sets *why). */
char *form_decode(arena *a, const char *s, size_t len, bool plus_is_space, int *why);

/* Parses "a=1&b=2&a=3" into out (appending). A key without '=' gets "".
 * Empty pieces ("a=1&&b=2") are skipped. max_fields caps out->count. */
int form_parse_urlencoded(arena *a, const char *s, size_t len, int max_fields, struct kvlist *out);

int kv_add(arena *a, struct kvlist *l, const char *key, const char *value);
/* First value for key, or NULL. */
const char *kv_get(const struct kvlist *l, const char *key);
/* Number of entries with key. */
int kv_count(const struct kvlist *l, const char *key);

#endif
