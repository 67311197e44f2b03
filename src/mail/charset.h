/* Charset conversion for inbound email: bytes in whatever a mailer sent
 * into valid UTF-8, one character at a time.
 *
 * - A label is read as its common superset (gb2312/gbk -> GB18030,
 *   ISO-2022-JP -> with the NEC and IBM rows of CP50220, ks_c_5601-1987 /
 *   euc-kr -> CP949, iso-8859-1 / us-ascii -> Windows-1252, Shift_JIS ->
 *   CP932, big5 -> BIG5-HKSCS) and odd spellings (cp-850, x-cp1251,
 *   win-1251) are normalised.
 * - A byte that does not convert becomes U+FFFD; everything else is kept.
 * - Text without a (known) charset: valid UTF-8 first, then the hints (the
 *   message's other declared charsets), then a guess between Windows-1252,
 *   the CJK encodings and the Cyrillic code pages from the bytes themselves.
 * Line ends come out as LF; control characters but TAB and LF are dropped. */
#ifndef CHAMADO_MAIL_CHARSET_H
#define CHAMADO_MAIL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"

/* The iconv name to decode label with (a static string), or NULL when the
 * label is empty or nothing here knows it. "UTF-8", "WINDOWS-1252" and
 * "ISO-2022-JP" are decoded by our own code, the others by iconv. */
const char *charset_canonical(const char *label);

/* Appends bytes decoded from canonical charset cs (from charset_canonical)
 * to b. Returns how many bytes were invalid (each one U+FFFD), or -1 when
 * iconv cannot open cs. */
long charset_decode(buf *b, const char *bytes, size_t len, const char *cs);

/* The charset (canonical) that bytes without a label are best read as:
 * "UTF-8" when valid, else the first hint that decodes without an error
 * (multi-byte charsets before single-byte ones, which decode anything),
 * else a guess. hints may be NULL; it ends with NULL. */
const char *charset_guess(const char *bytes, size_t len, const char *const *hints);

/* bytes in label (NULL or unknown: guessed, using hints) as UTF-8, in a. */
const char *charset_to_utf8(arena *a, const char *bytes, size_t len, const char *label,
                            const char *const *hints);

#endif
