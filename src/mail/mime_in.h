/* Inbound email, parsed: one RFC 5322 message (untrusted bytes) into a
 * struct inbound_msg that the router (mail/mail_in.c) can act on without
 * ever touching MIME again.
 *
 * What comes out:
 *   - the sender: the first From mailbox; an address salvaged from a From
 *     GMime cannot read ("Name a@b.example"); else Reply-To, else Sender;
 *     junk lines before the header (an mbox "From " line) are skipped;
 *   - the recipients (To, Cc and the envelope headers an MTA adds:
 *     Delivered-To, X-Original-To, Envelope-To), Cc also on its own, the
 *     subject with encoded words decoded and line breaks made spaces,
 *     Message-ID, In-Reply-To and References (ids without <>);
 *   - the loop signs: Auto-Submitted, Precedence, X-Autoreply,
 *     X-Autorespond, X-Auto-Response-Suppress, an empty Return-Path, a
 *     delivery report, an out-of-office subject with one of those;
 *   - the body as UTF-8 text: every inline text part in order (HTML made
 *     readable text, mail/html_text.h); in multipart/alternative the best
 *     alternative that has text (plain, else HTML); a forwarded message
 *     (message/rfc822) adds its own text below; every charset read per
 *     character as its superset, unlabelled bytes guessed (mail/charset.h);
 *     invalid bytes become U+FFFD;
 *   - `reply`: the body with the quoted history cut (mail/quote.h);
 *   - every other leaf part as an attachment (bytes decoded; uuencoded
 *     files, in an x-uuencode part or inside the text, decoded too), but
 *     signatures and reports. The caller checks them with
 *     attachment_check_bytes.
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
	int max_depth;       /* multipart / message nesting; default 16 */
	int max_parts;       /* leaf parts looked at; default 100 */
	int max_attachments; /* attachments kept; default 20 */
	size_t max_text;     /* bytes of body text kept; default 1 MiB */
	int max_addresses;   /* recipients kept; default 50 */
	int max_references;  /* References ids kept (the last ones); default 30 */
};

/* Fills l with the defaults above. */
void mime_in_limits_default(struct mime_in_limits *l);

/* Parses len bytes. Returns 0 with out filled (strings in a), or -1 when
 * the bytes are not a message at all (no header) or memory ran out. */
int mime_in_parse(const void *data, size_t len, const struct mime_in_limits *limits, arena *a,
                  struct inbound_msg *out);

/* The text a person wrote above the quoted history (quote_cut, mail/quote.h). */
const char *mime_in_cut_quoted(arena *a, const char *text);

/* Readable text from HTML (html_text_convert, mail/html_text.h). At most max bytes. In a. */
const char *mime_in_html_to_text(arena *a, const char *html, size_t len, size_t max);

/* bytes in charset (NULL: unknown, guessed) as valid UTF-8, in a
 * (charset_to_utf8, mail/charset.h). */
const char *mime_in_to_utf8(arena *a, const char *bytes, size_t len, const char *charset);

#endif
