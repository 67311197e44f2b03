#include "mail/header_text.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "mail/charset.h"

/* One line: folding, line breaks and tabs as single spaces, trimmed. */
const char *header_text_one_line(arena *a, const char *s)
{
	if (!s)
		return "";
	char *copy = arena_strdup(a, s);
	if (!copy)
		return NULL;
	char *w = copy;
	for (const char *p = copy; *p; p++) {
		char c = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
		if ((unsigned char)c < 0x20 || c == 0x7f)
			continue;
		if (c == ' ' && w > copy && w[-1] == ' ')
			continue;
		*w++ = c;
	}
	*w = '\0';
	return str_trim(copy);
}

/* Appends an encoded word's bytes: B (base64) or Q (quoted-printable,
 * '_' a space). */
static void word_bytes(buf *b, char enc, const char *s, size_t n)
{
	if (enc == 'B' || enc == 'b') {
		unsigned val = 0;
		int bits = 0;
		for (size_t i = 0; i < n; i++) {
			const char *pos = strchr(
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
			    s[i]);
			if (!pos || !s[i])
				continue;
			val = (val << 6) | (unsigned)(pos - "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
			                                    "mnopqrstuvwxyz0123456789+/");
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf_putc(b, (char)((val >> bits) & 0xFF));
			}
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_') {
			buf_putc(b, ' ');
		} else if (s[i] == '=' && i + 2 < n && g_ascii_isxdigit(s[i + 1]) &&
		           g_ascii_isxdigit(s[i + 2])) {
			buf_putc(b, (char)(g_ascii_xdigit_value(s[i + 1]) * 16 +
			                   g_ascii_xdigit_value(s[i + 2])));
			i += 2;
		} else {
			buf_putc(b, s[i]);
		}
	}
}

/* An encoded word at s: "=?charset[*lang]?Q|B?text?=". Sets its parts and
 * returns its length, 0 when s is not one. */
static size_t word_at(const char *s, const char **cs, size_t *cs_len, char *enc, const char **text,
                      size_t *text_len)
{
	if (s[0] != '=' || s[1] != '?')
		return 0;
	const char *p = s + 2;
	size_t n = strcspn(p, "?* \t\r\n");
	if (n == 0 || n > 40)
		return 0;
	*cs = p;
	*cs_len = n;
	p += n;
	if (*p == '*')
		p += strcspn(p, "?");
	if (p[0] != '?' || !strchr("QqBb", p[1]) || !p[1] || p[2] != '?')
		return 0;
	*enc = p[1];
	p += 3;
	/* A word ends on its line, within a word's length (75 by the RFC,
	 * more from loose mailers): looking further only costs time. */
	size_t room = strcspn(p, "\r\n");
	if (room > 1000)
		room = 1000;
	const char *end = memmem(p, room, "?=", 2);
	if (!end)
		return 0;
	*text = p;
	*text_len = (size_t)(end - p);
	return (size_t)(end + 2 - s);
}

/* A header value as sent (raw bytes, folded) as one line of UTF-8:
 * encoded words decoded (adjacent ones of a charset joined first, so a
 * character split between two words survives), raw 8-bit text read with
 * the charset chain (hints: the message's declared charsets). */
const char *header_text_decode(arena *a, const char *raw, const char *const *hints)
{
	if (!raw)
		return NULL;
	buf out, pend;
	buf_init(&out, 4 * strlen(raw) + 16);
	buf_init(&pend, strlen(raw) + 16);
	char pend_cs[48] = "";
	for (const char *p = raw; *p;) {
		const char *cs, *text;
		size_t cs_len, text_len;
		char enc;
		size_t n = word_at(p, &cs, &cs_len, &enc, &text, &text_len);
		if (n) {
			char label[48];
			snprintf(label, sizeof label, "%.*s", (int)cs_len, cs);
			if (pend.len && g_ascii_strcasecmp(label, pend_cs) != 0) {
				buf_puts(&out,
				         charset_to_utf8(a, pend.data, pend.len, pend_cs, hints));
				buf_clear(&pend);
			}
			snprintf(pend_cs, sizeof pend_cs, "%s", label);
			word_bytes(&pend, enc, text, text_len);
			p += n;
			/* White space between two encoded words is not text. */
			size_t ws = strspn(p, " \t\r\n");
			const char *c2, *t2;
			size_t l2, tl2;
			char e2;
			if (ws && word_at(p + ws, &c2, &l2, &e2, &t2, &tl2))
				p += ws;
			continue;
		}
		if (pend.len) {
			buf_puts(&out, charset_to_utf8(a, pend.data, pend.len, pend_cs, hints));
			buf_clear(&pend);
		}
		/* Plain text up to the next encoded word. */
		const char *next = strstr(p + 1, "=?");
		size_t len = next ? (size_t)(next - p) : strlen(p);
		buf_puts(&out, charset_to_utf8(a, p, len, NULL, hints));
		p += len;
	}
	if (pend.len)
		buf_puts(&out, charset_to_utf8(a, pend.data, pend.len, pend_cs, hints));
	const char *result = header_text_one_line(a, buf_str(&out));
	buf_free(&out);
	buf_free(&pend);
	return result;
}

/* A structured header's raw value made UTF-8 for GMime to parse again,
 * with encoded words' charset labels made their supersets (gb2312 ->
 * GB18030), so GMime's own decoding of names reads them right. */
const char *header_text_structured(arena *a, const char *raw, const char *const *hints)
{
	if (!raw)
		return NULL;
	const char *u = charset_to_utf8(a, raw, strlen(raw), NULL, hints);
	if (!u || !strstr(u, "=?"))
		return u;
	buf b;
	buf_init(&b, 2 * strlen(u) + 16);
	for (const char *p = u; *p;) {
		const char *cs, *text;
		size_t cs_len, text_len;
		char enc;
		size_t n = word_at(p, &cs, &cs_len, &enc, &text, &text_len);
		if (!n) {
			buf_putc(&b, *p++);
			continue;
		}
		char label[48];
		snprintf(label, sizeof label, "%.*s", (int)cs_len, cs);
		const char *super = charset_canonical(label);
		buf_printf(&b, "=?%s?%c?%.*s?=",
		           super && strcmp(super, "ISO-2022-JP") != 0 ? super : label, enc,
		           (int)text_len, text);
		p += n;
	}
	const char *out = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return out;
}
