/* Readable text from the HTML part of an email, with libxml2's HTML parser
 * (SAX: no tree, no network, no external entities, the document's own
 * charset hint ignored: the input is UTF-8 already).
 *
 * - every HTML5 named character reference and numeric reference decoded
 *   (those in 0x80..0x9F as Windows-1252, as browsers do);
 * - comments, the doctype, <head>, <title>, <script>, <style>, <template>
 *   dropped;
 * - block elements (p, div, headings, tables rows, ...) and <br> as line
 *   breaks, white space collapsed elsewhere, <pre> kept as written;
 * - links as "text (URL)" (only the text when it is the URL), list items
 *   as "- ", blockquotes as "> " before each line;
 * - at most max bytes out; input past HTML_TEXT_MAX_INPUT is not read. */
#ifndef CHAMADO_MAIL_HTML_TEXT_H
#define CHAMADO_MAIL_HTML_TEXT_H

#include <stddef.h>

#include "base/arena.h"

#define HTML_TEXT_MAX_INPUT (4u << 20)

/* html (UTF-8, len bytes) as text, in a; "" for nothing, NULL when out of memory. */
const char *html_text_convert(arena *a, const char *html, size_t len, size_t max);

#endif
