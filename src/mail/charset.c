#include "mail/charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/str.h"

/* Windows-1252's 0x80..0x9F; 0 where the code page has no character. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

struct alias {
	const char *label; /* lower case, without "x-" and spaces */
	const char *name;
};

/* Each label as the superset real mailers mean by it. */
static const struct alias aliases[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"utf-7", "UTF-7"},
    {"unicode-1-1-utf-7", "UTF-7"},
    {"us-ascii", "WINDOWS-1252"},
    {"ascii", "WINDOWS-1252"},
    {"ansi_x3.4-1968", "WINDOWS-1252"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"latin-1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"iso-ir-100", "WINDOWS-1252"},
    {"cp819", "WINDOWS-1252"},
    {"ibm819", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"cp1252", "WINDOWS-1252"},
    {"ansi", "WINDOWS-1252"},
    {"iso_8859-1:1987", "WINDOWS-1252"},
    {"csisolatin1", "WINDOWS-1252"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"gb18030", "GB18030"},
    {"cp936", "GB18030"},
    {"euc-cn", "GB18030"},
    {"euccn", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"csgb2312", "GB18030"},
    {"chinese", "GB18030"},
    {"ms936", "GB18030"},
    {"windows-936", "GB18030"},
    {"gb2312-80", "GB18030"},
    {"hz-gb-2312", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"big-5", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"cp950", "BIG5-HKSCS"},
    {"csbig5", "BIG5-HKSCS"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"cp50220", "ISO-2022-JP"},
    {"cp50221", "ISO-2022-JP"},
    {"cp50222", "ISO-2022-JP"},
    {"iso-2022-jp-ms", "ISO-2022-JP"},
    {"iso-2022-jp-1", "ISO-2022-JP"},
    {"jis", "ISO-2022-JP"},
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"csshiftjis", "CP932"},
    {"windows-31j", "CP932"},
    {"cp932", "CP932"},
    {"ms932", "CP932"},
    {"mscp932", "CP932"},
    {"shift_jisx0213", "CP932"},
    {"s-jis", "CP932"},
    {"euc-jp", "EUC-JP-MS"},
    {"eucjp", "EUC-JP-MS"},
    {"cseucpkdfmtjapanese", "EUC-JP-MS"},
    {"euc-jp-ms", "EUC-JP-MS"},
    {"eucjp-ms", "EUC-JP-MS"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601-1989", "CP949"},
    {"ks_c_5601", "CP949"},
    {"ksc5601", "CP949"},
    {"ksc_5601", "CP949"},
    {"euc-kr", "CP949"},
    {"euckr", "CP949"},
    {"cseuckr", "CP949"},
    {"cp949", "CP949"},
    {"windows-949", "CP949"},
    {"uhc", "CP949"},
    {"korean", "CP949"},
    {"csksc56011987", "CP949"},
    {"iso-ir-149", "CP949"},
    {"ms949", "CP949"},
    {"tis-620", "CP874"},
    {"windows-874", "CP874"},
    {"iso-8859-11", "CP874"},
    {"koi8-r", "KOI8-R"},
    {"koi8r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
    {"koi8", "KOI8-R"},
    {"iso-8859-9", "CP1254"},
    {"latin5", "CP1254"},
};

/* A spelling of a numbered code page ("cp-850", "ibm_850", "win-1251",
 * "windows-1251", "ms-1251", "850") as "CPnnn", or NULL. */
static const char *code_page(const char *l, char *out, size_t size)
{
	static const char *const prefixes[] = {"windows", "win", "cp", "ibm", "ms", "dos", ""};
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(l, prefixes[i], n) != 0)
			continue;
		const char *p = l + n;
		if (*p == '-' || *p == '_' || *p == ' ')
			p++;
		size_t digits = strspn(p, "0123456789");
		if (digits >= 3 && digits <= 5 && p[digits] == '\0') {
			snprintf(out, size, "CP%s", p);
			return out;
		}
	}
	return NULL;
}

/* Open converters, kept per thread: glibc loads a module on iconv_open and
 * unloads it on the last iconv_close, which cost more than the conversion
 * of a whole message. */
#define CD_CACHE 8
static __thread struct {
	char name[32];
	iconv_t cd;
} cds[CD_CACHE];
static __thread unsigned cd_next;

/* A converter from name to UTF-8 in its initial state, or (iconv_t)-1. */
static iconv_t cd_get(const char *name)
{
	for (unsigned i = 0; i < CD_CACHE; i++)
		if (cds[i].name[0] && strcmp(cds[i].name, name) == 0) {
			iconv(cds[i].cd, NULL, NULL, NULL, NULL);
			return cds[i].cd;
		}
	if (strlen(name) >= sizeof cds[0].name)
		return (iconv_t)-1;
	iconv_t cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return cd;
	unsigned slot = cd_next++ % CD_CACHE;
	if (cds[slot].name[0])
		iconv_close(cds[slot].cd);
	snprintf(cds[slot].name, sizeof cds[slot].name, "%s", name);
	cds[slot].cd = cd;
	return cd;
}

static bool iconv_knows(const char *name)
{
	return cd_get(name) != (iconv_t)-1;
}

const char *charset_canonical(const char *label)
{
	if (!label)
		return NULL;
	char l[64];
	size_t n = 0;
	for (const char *p = label; *p && n + 1 < sizeof l; p++) {
		if (*p == '"' || *p == '\'' || isspace((unsigned char)*p))
			continue;
		l[n++] = (char)tolower((unsigned char)*p);
	}
	l[n] = '\0';
	const char *s = l;
	if (strncmp(s, "x-", 2) == 0)
		s += 2;
	if (!*s)
		return NULL;
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
		if (strcmp(s, aliases[i].label) == 0)
			return aliases[i].name;
	/* What remains goes to iconv; keep one static copy per known name so
	 * the caller gets a string that outlives this call. */
	static __thread char cached[8][32];
	static __thread unsigned next;
	char cp[32];
	const char *name = code_page(s, cp, sizeof cp);
	if (name && strcmp(name, "CP1252") == 0)
		return "WINDOWS-1252";
	if (!name) {
		if (strlen(s) >= sizeof cp)
			return NULL;
		for (size_t i = 0; s[i]; i++)
			cp[i] = (char)toupper((unsigned char)s[i]), cp[i + 1] = '\0';
		name = cp;
	}
	for (unsigned i = 0; i < 8; i++)
		if (strcmp(cached[i], name) == 0)
			return cached[i];
	if (!iconv_knows(name))
		return NULL;
	char *slot = cached[next++ % 8];
	snprintf(slot, sizeof cached[0], "%s", name);
	return slot;
}

/* ---- writing UTF-8 -------------------------------------------------------- */

static void put_code_point(buf *b, uint32_t cp)
{
	char out[4];
	size_t n;
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, out, n);
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when invalid
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *s, size_t left, uint32_t *value)
{
	unsigned char c = s[0];
	*value = c;
	if (c < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*value = cp;
	return n;
}

/* Where the text goes: line ends as LF, control characters dropped. */
struct sink {
	buf *b;
	bool after_cr;
	long bad;
};

static void sink_char(struct sink *k, uint32_t cp)
{
	bool was_cr = k->after_cr;
	k->after_cr = cp == '\r';
	if (cp == '\r' || (cp == '\n' && !was_cr)) {
		buf_putc(k->b, '\n');
		return;
	}
	if (cp == '\n' || (cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
		return;
	if (cp == 0xFEFF) /* a byte-order mark says nothing */
		return;
	put_code_point(k->b, cp);
}

static void sink_bad(struct sink *k)
{
	k->after_cr = false;
	k->bad++;
	put_code_point(k->b, 0xFFFD);
}

static void sink_utf8(struct sink *k, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_sequence(p + i, len - i, &cp);
		if (n == 0) {
			sink_bad(k);
			i++;
		} else {
			sink_char(k, cp);
			i += n;
		}
	}
}

static void sink_cp1252(struct sink *k, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len; i++) {
		if (p[i] >= 0x80 && p[i] < 0xA0 && !cp1252_high[p[i] - 0x80])
			sink_bad(k);
		else
			sink_char(k, p[i] >= 0x80 && p[i] < 0xA0 ? cp1252_high[p[i] - 0x80] : p[i]);
	}
}

/* iconv one character at a time in effect: a byte it refuses becomes
 * U+FFFD and the conversion goes on with the next byte. */
static long sink_iconv(struct sink *k, const char *s, size_t len, const char *cs)
{
	iconv_t cd = cd_get(cs);
	if (cd == (iconv_t)-1)
		return -1;
	char *in = (char *)s;
	size_t left = len;
	char tmp[4096];
	while (left > 0) {
		char *out = tmp;
		size_t room = sizeof tmp;
		size_t r = iconv(cd, &in, &left, &out, &room);
		int err = errno;
		sink_utf8(k, tmp, (size_t)(out - tmp));
		if (r != (size_t)-1)
			break;
		if (err == E2BIG)
			continue;
		/* EILSEQ, or EINVAL (a sequence cut at the end): one bad byte. */
		sink_bad(k);
		in++;
		left--;
	}
	char *out = tmp;
	size_t room = sizeof tmp;
	iconv(cd, NULL, NULL, &out, &room);
	sink_utf8(k, tmp, (size_t)(out - tmp));
	return k->bad;
}

/* ISO-2022-JP as CP50220 reads it: JIS X 0208 with the NEC row 13 and the
 * NEC-selected IBM rows 89..92, half-width katakana by ESC ( I or SO/SI.
 * The text is rewritten as CP932 (which has those rows) and converted;
 * what CP932 cannot hold (JIS X 0212) becomes 0xFF, which CP932 refuses,
 * so it comes out as U+FFFD like any other bad byte. */
static long sink_iso2022jp(struct sink *k, const char *s, size_t len)
{
	buf sjis;
	buf_init(&sjis, 2 * len + 16);
	const unsigned char *p = (const unsigned char *)s;
	enum { ASCII, KANJI, KANA, OTHER } mode = ASCII;
	bool shifted = false;
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		if (c == 0x1B && i + 2 < len) {
			if (p[i + 1] == '(' &&
			    (p[i + 2] == 'B' || p[i + 2] == 'J' || p[i + 2] == 'H'))
				mode = ASCII;
			else if (p[i + 1] == '(' && p[i + 2] == 'I')
				mode = KANA;
			else if (p[i + 1] == '$' && (p[i + 2] == '@' || p[i + 2] == 'B'))
				mode = KANJI;
			else if (p[i + 1] == '$' && p[i + 2] == '(' && i + 3 < len) {
				mode = (p[i + 3] == 'B' || p[i + 3] == '@' || p[i + 3] == 'Q')
				           ? KANJI
				           : OTHER;
				i++;
			} else {
				buf_putc(&sjis, (char)0xFF);
				i++;
				continue;
			}
			i += 3;
			continue;
		}
		if (c == 0x0E || c == 0x0F) { /* SO / SI: half-width katakana on and off */
			shifted = c == 0x0E;
			i++;
			continue;
		}
		if (c == '\r' || c == '\n' || c >= 0x80) {
			buf_putc(&sjis, c >= 0x80 ? (char)0xFF : (char)c);
			i++;
			continue;
		}
		if ((mode == KANA || shifted) && c >= 0x21 && c <= 0x5F) {
			buf_putc(&sjis, (char)(c | 0x80));
			i++;
		} else if ((mode == KANJI || mode == OTHER) && c >= 0x21 && c <= 0x7E) {
			if (i + 1 >= len || p[i + 1] < 0x21 || p[i + 1] > 0x7E || mode == OTHER) {
				buf_putc(&sjis, (char)0xFF);
				i += (i + 1 < len && p[i + 1] >= 0x21 && p[i + 1] <= 0x7E) ? 2 : 1;
				continue;
			}
			unsigned j1 = c, j2 = p[i + 1];
			unsigned s1 = (j1 + 1) / 2 + (j1 <= 0x5E ? 0x70 : 0xB0);
			unsigned s2 = j2 + ((j1 & 1) ? (j2 < 0x60 ? 0x1F : 0x20) : 0x7E);
			buf_putc(&sjis, (char)s1);
			buf_putc(&sjis, (char)s2);
			i += 2;
		} else {
			buf_putc(&sjis, (char)c);
			i++;
		}
	}
	long bad = sink_iconv(k, sjis.len ? sjis.data : "", sjis.len, "CP932");
	buf_free(&sjis);
	return bad;
}

long charset_decode(buf *b, const char *bytes, size_t len, const char *cs)
{
	struct sink k = {.b = b};
	if (!cs || strcmp(cs, "UTF-8") == 0)
		sink_utf8(&k, bytes, len);
	else if (strcmp(cs, "WINDOWS-1252") == 0)
		sink_cp1252(&k, bytes, len);
	else if (strcmp(cs, "ISO-2022-JP") == 0)
		return sink_iso2022jp(&k, bytes, len);
	else
		return sink_iconv(&k, bytes, len, cs);
	return k.bad;
}

/* ---- guessing --------------------------------------------------------------- */

/* How many bytes would not convert from cs (none: it is a candidate). */
static long decode_errors(const char *bytes, size_t len, const char *cs, buf *out)
{
	buf_clear(out);
	return charset_decode(out, bytes, len, cs);
}

struct script_count {
	size_t nonascii, hiragana, kana, cjk, hangul, halfwidth, cyrillic, other;
};

static void count_scripts(const char *utf8, size_t len, struct script_count *c)
{
	memset(c, 0, sizeof *c);
	const unsigned char *p = (const unsigned char *)utf8;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_sequence(p + i, len - i, &cp);
		i += n ? n : 1;
		if (cp < 0x80)
			continue;
		c->nonascii++;
		if (cp >= 0x3040 && cp <= 0x309F)
			c->hiragana++;
		else if (cp >= 0x30A0 && cp <= 0x30FF)
			c->kana++;
		else if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3000 && cp <= 0x303F) ||
		         (cp >= 0xFF01 && cp <= 0xFF5E))
			c->cjk++;
		else if (cp >= 0xAC00 && cp <= 0xD7A3)
			c->hangul++;
		else if (cp >= 0xFF61 && cp <= 0xFF9F)
			c->halfwidth++;
		else if (cp >= 0x0400 && cp <= 0x04FF)
			c->cyrillic++;
		else
			c->other++;
	}
}

/* Text in a Latin script has its high bytes alone between ASCII letters
 * ("caf\xe9", "a\xe7\xe3o"); CJK and Cyrillic text has them in long runs. */
static bool looks_latin(const unsigned char *p, size_t len)
{
	size_t high = 0, in_runs = 0, run = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] >= 0x80) {
			run++;
			high++;
			continue;
		}
		if (run >= 4)
			in_runs += run;
		run = 0;
	}
	return in_runs * 2 < high;
}

static bool multi_byte(const char *cs)
{
	static const char *const prefixes[] = {"GB",    "BIG5",     "CP932",   "CP949", "CP950",
	                                       "EUC",   "ISO-2022", "ISO2022", "SHIFT", "SJIS",
	                                       "JOHAB", "UHC",      "UTF",     "UCS"};
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (strncmp(cs, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

const char *charset_guess(const char *bytes, size_t len, const char *const *hints)
{
	/* ISO-2022-JP is 7-bit: old Japanese mailers send it raw in headers. */
	if (memmem(bytes, len, "\x1b$B", 3) || memmem(bytes, len, "\x1b$@", 3))
		return "ISO-2022-JP";
	if (str_utf8_valid(bytes, len))
		return "UTF-8";
	buf tmp;
	buf_init(&tmp, 4 * len + 64);
	const char *found = NULL;
	/* A multi-byte charset that decodes without an error says much; a
	 * single-byte one decodes anything, so it is tried after them. */
	for (int pass = 0; pass < 2 && !found; pass++)
		for (int i = 0; hints && hints[i] && !found; i++) {
			const char *cs = charset_canonical(hints[i]);
			if (cs && strcmp(cs, "UTF-8") != 0 && multi_byte(cs) == (pass == 0) &&
			    decode_errors(bytes, len, cs, &tmp) == 0)
				found = cs;
		}
	if (!found && !looks_latin((const unsigned char *)bytes, len)) {
		/* The CJK encodings accept each other's bytes, so each must also
		 * give text in its own script to be taken. */
		static const char *const cjk[] = {"CP932", "EUC-JP-MS", "CP949", "GB18030",
		                                  "BIG5-HKSCS"};
		for (size_t i = 0; i < sizeof cjk / sizeof *cjk && !found; i++) {
			if (decode_errors(bytes, len, cjk[i], &tmp) != 0)
				continue;
			struct script_count c;
			count_scripts(tmp.data ? tmp.data : "", tmp.len, &c);
			size_t n = c.nonascii ? c.nonascii : 1;
			bool japanese = (c.hiragana + c.kana) * 10 >= n &&
			                (c.hiragana + c.kana + c.cjk) * 10 >= n * 9;
			bool korean = c.hangul * 10 >= n * 6 && (c.hangul + c.cjk) * 10 >= n * 9;
			bool chinese = c.cjk * 20 >= n * 19;
			if ((i < 2 && japanese) || (i == 2 && korean) || (i > 2 && chinese))
				found = cjk[i];
		}
		if (!found) {
			/* Cyrillic code pages: nearly every high byte a letter; lower
			 * case (most of the text) is 0xE0.. in Windows-1251, 0xC0.. in KOI8-R. */
			size_t high = 0, c0 = 0, e0 = 0;
			for (size_t i = 0; i < len; i++) {
				unsigned char b = (unsigned char)bytes[i];
				high += b >= 0x80;
				c0 += b >= 0xC0 && b < 0xE0;
				e0 += b >= 0xE0;
			}
			if ((c0 + e0) * 10 >= high * 8)
				found = e0 >= c0 ? "CP1251" : "KOI8-R";
		}
	}
	buf_free(&tmp);
	return found ? found : "WINDOWS-1252";
}

const char *charset_to_utf8(arena *a, const char *bytes, size_t len, const char *label,
                            const char *const *hints)
{
	if (!bytes)
		return "";
	const char *cs = charset_canonical(label);
	/* Mail labelled ASCII or Latin-1 that is valid UTF-8 was UTF-8 (a
	 * mailer that mislabels); 8-bit bytes under an ASCII label, or under a
	 * label nothing knows, have no label. */
	bool ascii =
	    label && (strcasecmp(label, "us-ascii") == 0 || strcasecmp(label, "ascii") == 0);
	if (!cs || ascii || (strcmp(cs, "WINDOWS-1252") == 0 && str_utf8_valid(bytes, len)))
		cs = charset_guess(bytes, len, hints);
	buf b;
	buf_init(&b, 4 * len + 16);
	long bad = charset_decode(&b, bytes, len, cs);
	if (bad != 0 && strcmp(cs, "UTF-8") != 0 && str_utf8_valid(bytes, len)) {
		/* Declared wrong: the bytes are UTF-8. */
		buf_clear(&b);
		charset_decode(&b, bytes, len, "UTF-8");
	} else if (bad < 0) {
		buf_clear(&b);
		charset_decode(&b, bytes, len, "WINDOWS-1252");
	}
	const char *out = arena_strndup(a, b.len ? b.data : "", b.len);
	buf_free(&b);
	return out;
}
