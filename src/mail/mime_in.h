/* Inbound email, parsed: one RFC 5322 message (untrusted bytes) into a
 * struct inbound_msg that the router (mail/mail_in.c) can act on without
 * ever touching MIME again.
 *
 * What comes out:
 *   - the sender (first From mailbox), the recipients (To, Cc and the
 *     envelope headers an MTA adds: Delivered-To, X-Original-To,
 *     Envelope-To), the subject with encoded words decoded, Message-ID,
 *     In-Reply-To and References (ids without <>);
 *   - the loop signs: Auto-Submitted, Precedence, X-Autoreply,
 *     X-Autorespond, an empty Return-Path, a delivery report;
 *   - the body as UTF-8 text: the first text/plain part, or the first
 *     text/html part turned into readable text when there is no plain one;
 *     a forwarded message (message/rfc822) adds its own text below;
 *     charsets UTF-8, ISO-8859-1 and Windows-1252 (read as Windows-1252,
 *     its superset, as browsers do) and whatever iconv knows; invalid
 *     bytes become U+FFFD;
 *   - `reply`: the body with the quoted history cut (mime_in_cut_quoted);
 *   - every other leaf part with a file name, or any image, as an
 *     attachment (name as sent, bytes decoded). The caller checks them
 *     with attachment_check_bytes.
 *
 * Caps (struct mime_in_limits): nesting depth, number of parts, bytes of
 * text kept. What passes a cap is left out and counted, never an error.
 * Everything is allocated in the arena given; nothing else to free. */
#ifndef CHAMADO_MIME_IN_H
#define CHAMADO_MIME_IN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "domain/inbound.h"

/* The line our own emails carry above the quoted text. */
#define MIME_IN_MARKER_EN "##- Please type your reply above this line -##"
#define MIME_IN_MARKER_PT "##- Por favor, responda acima desta linha -##"

struct mime_in_limits {
	int max_depth;         /* multipart / message nesting; default 16 */
	int max_parts;         /* leaf parts looked at; default 100 */
	int max_attachments;   /* attachments kept; default 20 */
	size_t max_text;       /* bytes of body text kept; default 1 MiB */
	int max_addresses;     /* recipients kept; default 50 */
	int max_references;    /* References ids kept (the last ones); default 30 */
};

/* Fills l with the defaults above. */
void mime_in_limits_default(struct mime_in_limits *l);

/* Parses len bytes. Returns 0 with out filled (strings in a), or -1 when
 * the bytes are not a message at all (no header) or memory ran out. */
int mime_in_parse(const void *data, size_t len, const struct mime_in_limits *limits, arena *a,
                  struct inbound_msg *out);

/* The text a person wrote above the quoted history: cut at our marker
 * line, at "On … wrote:" / "Em … escreveu:" (also wrapped over two lines),
 * at Outlook's "-----Original Message-----" or From:/De: header block, at a
 * "-- " signature, and drops a quoted (">") block and blank lines at the
 * end. When the cut would leave nothing, the whole text is kept. In a. */
const char *mime_in_cut_quoted(arena *a, const char *text);

/* Readable text from HTML: tags dropped, <br>, paragraphs, list items and
 * table rows made line breaks, <style>/<script>/<head> skipped, entities
 * decoded, blockquotes prefixed with "> ". At most max bytes. In a. */
const char *mime_in_html_to_text(arena *a, const char *html, size_t len, size_t max);

/* bytes in charset (NULL: unknown) as valid UTF-8, in a. */
const char *mime_in_to_utf8(arena *a, const char *bytes, size_t len, const char *charset);

#endif
