/* uuencoded files ("begin 644 name" ... "end"), as old mailers and some
 * scripts still send them: inside a text body or as an x-uuencode part. */
#ifndef CHAMADO_MAIL_UUDECODE_H
#define CHAMADO_MAIL_UUDECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

struct uudecode_block {
	size_t start, end;         /* the block's bytes in the text: [start, end) */
	const char *name;          /* from the begin line, in a ("" none) */
	const unsigned char *data; /* decoded, in a */
	size_t len;
};

/* Finds the first complete block in text[from, len) and decodes it.
 * Returns false when there is none (or out of memory). */
bool uudecode_find(arena *a, const char *text, size_t len, size_t from, struct uudecode_block *out);

#endif
