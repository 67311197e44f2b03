/* Markdown to HTML that is safe to show (ticket messages, KB articles).
 *
 * md4c-html does the rendering (GitHub dialect: tables, strikethrough,
 * autolinks) with raw HTML disabled, so HTML in the source comes out escaped.
 * md4c still passes any link scheme through, so its output is rewritten in one
 * pass: every href and src value must be http:, https:, mailto: or relative
 * (no scheme), anything else becomes "#"; every link gets
 * rel="nofollow noopener noreferrer". The result is the one kind of HTML that
 * templates may print raw ({{&name}}). No global state: thread-safe. */
#ifndef CHAMADO_MARKDOWN_H
#define CHAMADO_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Renders len bytes of Markdown src (UTF-8, need not be NUL-terminated) and
 * appends the HTML to out. Returns 0, or -1 when the output would pass out's
 * cap, memory runs out or md4c fails; out is then left as it was. md4c's raw
 * output is held to the same cap before it is rewritten. */
int markdown_render(const char *src, size_t len, buf *out);

/* Whether a link or image URL may be shown. decoded_url has its HTML entities
 * already decoded. ASCII control characters and spaces are ignored, as
 * browsers ignore them (or some of them) when they read a scheme; the scheme is
 * compared case-insensitively. A URL whose first ':' comes before any '/', '?'
 * or '#' has a scheme and passes only when that scheme is http, https or
 * mailto; any other URL is relative and passes. */
bool markdown_url_allowed(const char *decoded_url);

#endif
