#include "http/form.h"

#include <string.h>

#include "base/str.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *form_decode(arena *a, const char *s, size_t len, bool plus_is_space, int *why)
{
	char *out = arena_alloc(a, len + 1);
	if (!out) {
		*why = FORM_NOMEM;
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+' && plus_is_space) {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3)
				goto bad;
			int hi = hex_value(s[i + 1]);
			int lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = (char)(hi * 16 + lo);
			if (c == '\0')
				goto bad;
			i += 2;
		} else if (c == '\0') {
			goto bad;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (!str_utf8_valid(out, n))
		goto bad;
	return out;
bad:
	*why = FORM_BAD_ENCODING;
	return NULL;
}

int kv_add(arena *a, struct kvlist *l, const char *key, const char *value)
{
	struct kv *e = arena_alloc(a, sizeof *e);
	if (!e)
		return FORM_NOMEM;
	e->key = key;
	e->value = value;
	e->next = NULL;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->count++;
	return FORM_OK;
}

int form_parse_urlencoded(arena *a, const char *s, size_t len, int max_fields, struct kvlist *out)
{
	size_t i = 0;
	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end > i) {
			if (out->count >= max_fields)
				return FORM_TOO_MANY;
			const char *piece = s + i;
			size_t plen = end - i;
			const char *eq = memchr(piece, '=', plen);
			size_t klen = eq ? (size_t)(eq - piece) : plen;
			int why = FORM_OK;
			char *key = form_decode(a, piece, klen, true, &why);
			char *value = eq ? form_decode(a, eq + 1, plen - klen - 1, true, &why)
			                 : arena_strdup(a, "");
			if (!key || !value)
				return why ? why : FORM_NOMEM;
			int rc = kv_add(a, out, key, value);
			if (rc)
				return rc;
		}
		i = end + 1;
	}
	return FORM_OK;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	for (const struct kv *e = l->head; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->value;
	return NULL;
}

int kv_count(const struct kvlist *l, const char *key)
{
	int n = 0;
	for (const struct kv *e = l->head; e; e = e->next)
		n += strcmp(e->key, key) == 0;
	return n;
}
