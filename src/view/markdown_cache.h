/* Rendered ticket messages kept for the next time they are shown.
 *
 * A message never changes once written, and its thread is shown again and
 * again: to its client, to each agent, through the API. Rendering it is a
 * fifth of a ticket page (md4c and the URL pass, ~25k instructions for a
 * short message). The cache is bounded: MARKDOWN_CACHE_BYTES of HTML in
 * all, direct-mapped slots (a new entry replaces the one in its slot), one
 * lock per slot. Each entry keeps its text's length and hash with the key,
 * so a text that did change is rendered again. Thread-safe. */
#ifndef CHAMADO_MARKDOWN_CACHE_H
#define CHAMADO_MARKDOWN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

enum {
	MARKDOWN_CACHE_SLOTS = 2048,
	MARKDOWN_CACHE_BYTES = 1 << 20,
	MARKDOWN_CACHE_ENTRY_MAX = 16 << 10, /* a longer HTML is not kept */
};

/* The HTML kept for key and this text, copied into a; NULL when none. */
const char *markdown_cache_get(uint64_t key, const char *src, size_t len, arena *a);
/* Keeps html (html_len bytes) as the rendering of src under key, when it
 * fits the bounds. */
void markdown_cache_put(uint64_t key, const char *src, size_t len, const char *html,
                        size_t html_len);
/* The bytes of HTML held now. */
size_t markdown_cache_bytes(void);
/* Lets go of every entry (at exit, and in tests). */
void markdown_cache_clear(void);

#endif
