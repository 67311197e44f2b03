/* A growable byte buffer that knows its maximum size (like curl's dynbuf).
 * Appends past the cap fail with BUF_TOO_BIG and leave the buffer unchanged. */
#ifndef CHAMADO_BUF_H
#define CHAMADO_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

enum { BUF_OK = 0, BUF_NOMEM = -1, BUF_TOO_BIG = -2 };

typedef struct buf {
	char *data; /* always NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t max;
} buf;

void buf_init(buf *b, size_t max);
void buf_free(buf *b);
void buf_clear(buf *b);
int buf_append_grow(buf *b, const void *data, size_t len);
/* Room for extra more bytes (and the NUL) without growing again; fails as
 * an append of that size would. */
int buf_reserve(buf *b, size_t extra);
/* Inline when it fits: a page is ~1,700 small appends, and the call and
 * the room's check cost more than their copies (10% of the staff queue's
 * instructions). */
static inline int buf_append(buf *b, const void *data, size_t len)
{
	/* cap - len never wraps: an allocated buffer always holds len + 1. */
	if (len >= b->cap - b->len || b->len + len > b->max)
		return buf_append_grow(b, data, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return BUF_OK;
}
int buf_puts(buf *b, const char *s);
/* One byte; inline, as text folding and escaping append byte by byte. */
static inline int buf_putc(buf *b, char c)
{
	if (b->len + 2 > b->cap || b->len >= b->max)
		return buf_append(b, &c, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return BUF_OK;
}
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Appends s with the five HTML-special characters escaped. */
int buf_put_html(buf *b, const char *s, size_t len);
/* Returns the contents (never NULL) and forgets them; the caller frees. */
char *buf_take(buf *b);
const char *buf_str(const buf *b);

#endif
