/* Header values of inbound email as UTF-8: encoded words (RFC 2047, read
 * loosely, as mailers write them) and raw 8-bit bytes (read with the
 * charset chain of mail/charset.h, hints being the message's declared
 * charsets). */
#ifndef CHAMADO_MAIL_HEADER_TEXT_H
#define CHAMADO_MAIL_HEADER_TEXT_H

#include "base/arena.h"

/* s as one line: folding, line breaks and tabs become single spaces,
 * other control characters go, trimmed. In a; "" for NULL. */
const char *header_text_one_line(arena *a, const char *s);

/* An unstructured header's raw value (a Subject) decoded to one line of
 * UTF-8. Adjacent encoded words of one charset are joined before
 * conversion, so a character split between them survives; a word that
 * decodes to a line break gives a space. NULL for NULL. */
const char *header_text_decode(arena *a, const char *raw, const char *const *hints);

/* A structured header's raw value (addresses, parameters) made UTF-8 for
 * GMime to parse, with encoded words' charset labels replaced by their
 * supersets (gb2312 -> GB18030), so GMime decodes names right. */
const char *header_text_structured(arena *a, const char *raw, const char *const *hints);

#endif
