#include "mail/mime_in.h"

#include <gmime/gmime.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "mail/message.h"

#define MIME_IN_ID_MAX 250     /* one Message-ID, as outbox.c accepts them */
#define MIME_IN_LINES_MAX 100000
#define MIME_IN_FORWARD_MAX 4  /* forwarded messages whose text is kept */

void mime_in_limits_default(struct mime_in_limits *l)
{
	*l = (struct mime_in_limits){
		.max_depth = 16,
		.max_parts = 100,
		.max_attachments = 20,
		.max_text = 1u << 20,
		.max_addresses = 50,
		.max_references = 30,
	};
}

/* ---- text: charsets and UTF-8 ------------------------------------------- */

/* Windows-1252's 0x80..0x9F; 0 where the code page has no character. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
	0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static int put_code_point(buf *b, uint32_t cp)
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
	return buf_append(b, out, n);
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when invalid
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
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
	return n;
}

/* Appends one decoded character, normalising line ends (CRLF and CR
 * become LF) and dropping other control characters but TAB. */
static int put_text_byte(buf *b, char c, bool *after_cr)
{
	bool was_cr = *after_cr;
	*after_cr = c == '\r';
	if (c == '\r')
		return buf_putc(b, '\n');
	if (c == '\n')
		return was_cr ? BUF_OK : buf_putc(b, '\n');
	if ((unsigned char)c < 0x20 && c != '\t')
		return BUF_OK;
	if (c == 0x7f)
		return BUF_OK;
	return buf_putc(b, c);
}

/* UTF-8 with every invalid byte made U+FFFD. */
static void utf8_sanitize(buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	bool cr = false;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence(p + i, len - i);
		if (n == 0) {
			cr = false;
			if (put_code_point(b, 0xFFFD) != BUF_OK)
				return;
			i++;
		} else if (n == 1) {
			if (put_text_byte(b, (char)p[i], &cr) != BUF_OK)
				return;
			i++;
		} else {
			cr = false;
			if (buf_append(b, p + i, n) != BUF_OK)
				return;
			i += n;
		}
	}
}

static void cp1252_decode(buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	bool cr = false;
	for (size_t i = 0; i < len; i++) {
		int rc;
		if (p[i] < 0x80) {
			rc = put_text_byte(b, (char)p[i], &cr);
		} else {
			cr = false;
			uint32_t cp = p[i] < 0xA0 ? cp1252_high[p[i] - 0x80] : p[i];
			rc = put_code_point(b, cp ? cp : 0xFFFD);
		}
		if (rc != BUF_OK)
			return;
	}
}

/* Charsets read as Windows-1252: mail that says Latin-1 or ASCII is very
 * often Windows-1252 (curly quotes, the euro sign) in real life. */
static bool charset_is_latin(const char *cs)
{
	static const char *const names[] = {"iso-8859-1", "iso8859-1", "latin1",   "l1",
	                                    "windows-1252", "cp1252", "x-cp1252", "iso_8859-1",
	                                    "iso-ir-100", "ibm819", "cp819"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (g_ascii_strcasecmp(cs, names[i]) == 0)
			return true;
	return false;
}

static bool charset_is_utf8(const char *cs)
{
	return g_ascii_strcasecmp(cs, "utf-8") == 0 || g_ascii_strcasecmp(cs, "utf8") == 0;
}

static bool charset_is_ascii(const char *cs)
{
	return g_ascii_strcasecmp(cs, "us-ascii") == 0 || g_ascii_strcasecmp(cs, "ascii") == 0;
}

const char *mime_in_to_utf8(arena *a, const char *bytes, size_t len, const char *charset)
{
	buf b;
	buf_init(&b, 4 * len + 16);
	if (!charset || !*charset || charset_is_ascii(charset)) {
		if (str_utf8_valid(bytes, len))
			utf8_sanitize(&b, bytes, len);
		else
			cp1252_decode(&b, bytes, len);
	} else if (charset_is_utf8(charset)) {
		utf8_sanitize(&b, bytes, len);
	} else if (charset_is_latin(charset)) {
		cp1252_decode(&b, bytes, len);
	} else {
		gsize written = 0;
		gchar *converted = g_convert(bytes, (gssize)len, "UTF-8", charset, NULL, &written, NULL);
		if (converted)
			utf8_sanitize(&b, converted, written);
		else if (str_utf8_valid(bytes, len))
			utf8_sanitize(&b, bytes, len);
		else
			cp1252_decode(&b, bytes, len);
		g_free(converted);
	}
	const char *out = arena_strndup(a, b.len ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/* One line of UTF-8 without control characters (a subject, a name). */
static const char *one_line(arena *a, const char *s)
{
	if (!s)
		return "";
	const char *u = mime_in_to_utf8(a, s, strlen(s), "utf-8");
	if (!u)
		return NULL;
	char *copy = arena_strdup(a, u);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return str_trim(copy);
}

/* ---- HTML to text ------------------------------------------------------- */

struct entity {
	const char *name;
	uint32_t cp;
};

static const struct entity entities[] = {
	{"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
	{"apos", '\''},    {"nbsp", ' '},      {"copy", 0xA9},     {"reg", 0xAE},
	{"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},  {"laquo", 0xAB},
	{"raquo", 0xBB},   {"ldquo", 0x201C},  {"rdquo", 0x201D},  {"lsquo", 0x2018},
	{"rsquo", 0x2019}, {"bull", 0x2022},   {"euro", 0x20AC},   {"ordm", 0xBA},
	{"ordf", 0xAA},    {"deg", 0xB0},      {"middot", 0xB7},   {"zwnj", 0x200C},
	{"aacute", 0xE1},  {"eacute", 0xE9},   {"iacute", 0xED},   {"oacute", 0xF3},
	{"uacute", 0xFA},  {"Aacute", 0xC1},   {"Eacute", 0xC9},   {"Iacute", 0xCD},
	{"Oacute", 0xD3},  {"Uacute", 0xDA},   {"atilde", 0xE3},   {"otilde", 0xF5},
	{"Atilde", 0xC3},  {"Otilde", 0xD5},   {"acirc", 0xE2},    {"ecirc", 0xEA},
	{"ocirc", 0xF4},   {"Acirc", 0xC2},    {"Ecirc", 0xCA},    {"Ocirc", 0xD4},
	{"agrave", 0xE0},  {"Agrave", 0xC0},   {"ccedil", 0xE7},   {"Ccedil", 0xC7},
	{"uuml", 0xFC},    {"Uuml", 0xDC},     {"ntilde", 0xF1},   {"Ntilde", 0xD1},
};

/* Decodes the entity at s ('&' first); returns the bytes it took (0: not
 * an entity, the '&' is literal). */
static size_t entity_decode(const char *s, size_t left, buf *b)
{
	size_t n = 1;
	while (n < left && n < 12 && s[n] != ';' && (g_ascii_isalnum(s[n]) || s[n] == '#'))
		n++;
	if (n >= left || s[n] != ';' || n < 2)
		return 0;
	uint32_t cp = 0;
	if (s[1] == '#') {
		bool hex = n > 2 && (s[2] == 'x' || s[2] == 'X');
		for (size_t i = hex ? 3 : 2; i < n; i++) {
			int digit = hex ? g_ascii_xdigit_value(s[i]) : g_ascii_digit_value(s[i]);
			if (digit < 0 || cp > 0x10FFFF)
				return 0;
			cp = cp * (hex ? 16 : 10) + (uint32_t)digit;
		}
		if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			cp = 0xFFFD;
		if (cp < 0x20 && cp != '\n' && cp != '\t')
			cp = ' ';
		if (cp >= 0x80 && cp < 0xA0)
			cp = cp1252_high[cp - 0x80] ? cp1252_high[cp - 0x80] : 0xFFFD;
	} else {
		for (size_t i = 0; i < sizeof entities / sizeof *entities; i++)
			if (strlen(entities[i].name) == n - 1 && memcmp(entities[i].name, s + 1, n - 1) == 0)
				cp = entities[i].cp;
		if (!cp)
			return 0;
	}
	put_code_point(b, cp);
	return n + 1;
}

struct html_state {
	buf *out;
	int quote_depth;
	bool at_line_start;
	bool pending_space;
	int newlines; /* line breaks at the end of out */
};

static void html_newline(struct html_state *h, int want)
{
	h->pending_space = false;
	if (h->out->len == 0)
		return;
	while (h->newlines < want) {
		buf_putc(h->out, '\n');
		h->newlines++;
	}
	h->at_line_start = true;
}

static void html_text_byte(struct html_state *h, char c)
{
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
		if (!h->at_line_start)
			h->pending_space = true;
		return;
	}
	if (h->at_line_start) {
		for (int i = 0; i < h->quote_depth; i++)
			buf_puts(h->out, "> ");
		h->at_line_start = false;
	} else if (h->pending_space) {
		buf_putc(h->out, ' ');
	}
	h->pending_space = false;
	h->newlines = 0;
	buf_putc(h->out, c);
}

static bool tag_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && g_ascii_strncasecmp(name, want, len) == 0;
}

static bool tag_in(const char *name, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (tag_is(name, len, *list))
			return true;
	return false;
}

/* Finds the end ('>') of the tag starting at html[i] ('<'), skipping quoted
 * attribute values; returns len when unterminated. */
static size_t tag_end(const char *html, size_t len, size_t i)
{
	char quote = 0;
	for (size_t j = i + 1; j < len; j++) {
		if (quote) {
			if (html[j] == quote)
				quote = 0;
		} else if (html[j] == '"' || html[j] == '\'') {
			quote = html[j];
		} else if (html[j] == '>') {
			return j;
		}
	}
	return len;
}

/* Skips to just past "</name ...>", or to the end. */
static size_t skip_element(const char *html, size_t len, size_t from, const char *name)
{
	size_t nlen = strlen(name);
	for (size_t j = from; j + 2 + nlen <= len; j++)
		if (html[j] == '<' && html[j + 1] == '/' && g_ascii_strncasecmp(html + j + 2, name, nlen) == 0) {
			size_t end = tag_end(html, len, j);
			return end < len ? end + 1 : len;
		}
	return len;
}

const char *mime_in_html_to_text(arena *a, const char *html, size_t len, size_t max)
{
	static const char *const block[] = {"p", "div", "tr", "table", "h1", "h2", "h3", "h4", "h5",
	                                    "h6", "ul", "ol", "pre", "hr", "center", "section",
	                                    "article", "header", "footer", "dl", "dt", "dd", NULL};
	static const char *const skipped[] = {"style", "script", "head", "title", "template", NULL};
	buf out;
	buf_init(&out, max);
	struct html_state h = {.out = &out, .at_line_start = true};
	for (size_t i = 0; i < len && out.len < max;) {
		char c = html[i];
		if (c == '&') {
			buf tmp;
			buf_init(&tmp, 8);
			size_t used = entity_decode(html + i, len - i, &tmp);
			if (used) {
				for (size_t k = 0; k < tmp.len; k++)
					html_text_byte(&h, tmp.data[k]);
				i += used;
			} else {
				html_text_byte(&h, '&');
				i++;
			}
			buf_free(&tmp);
			continue;
		}
		if (c != '<') {
			html_text_byte(&h, c);
			i++;
			continue;
		}
		if (i + 3 < len && memcmp(html + i, "<!--", 4) == 0) {
			const char *end = g_strstr_len(html + i + 4, (gssize)(len - i - 4), "-->");
			i = end ? (size_t)(end - html) + 3 : len;
			continue;
		}
		size_t end = tag_end(html, len, i);
		size_t j = i + 1;
		bool closing = j < end && html[j] == '/';
		if (closing)
			j++;
		size_t name_start = j;
		while (j < end && (g_ascii_isalnum(html[j])))
			j++;
		const char *name = html + name_start;
		size_t nlen = j - name_start;
		size_t next = end < len ? end + 1 : len;
		if (nlen == 0) { /* not a tag: "a < b" */
			html_text_byte(&h, '<');
			i++;
			continue;
		}
		if (!closing && tag_in(name, nlen, skipped)) {
			char tag[16];
			snprintf(tag, sizeof tag, "%.*s", (int)nlen, name);
			i = skip_element(html, len, next, tag);
			continue;
		}
		if (tag_is(name, nlen, "br")) {
			h.newlines = 0;
			html_newline(&h, 1);
		} else if (tag_is(name, nlen, "blockquote")) {
			html_newline(&h, 1);
			h.quote_depth += closing ? (h.quote_depth > 0 ? -1 : 0) : (h.quote_depth < 8 ? 1 : 0);
		} else if (tag_is(name, nlen, "li")) {
			html_newline(&h, 1);
			if (!closing) {
				html_text_byte(&h, '-');
				h.pending_space = true;
			}
		} else if (tag_in(name, nlen, block)) {
			html_newline(&h, tag_is(name, nlen, "p") ? 2 : 1);
		} else if (tag_is(name, nlen, "td") || tag_is(name, nlen, "th")) {
			if (!h.at_line_start)
				h.pending_space = true;
		}
		i = next;
	}
	/* Trailing white space of each line, and of the whole text, goes. */
	const char *raw = buf_str(&out);
	buf tidy;
	buf_init(&tidy, max + 1);
	for (const char *p = raw; *p;) {
		size_t l = strcspn(p, "\n");
		size_t k = l;
		while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		buf_append(&tidy, p, k);
		/* At most one blank line in a row. */
		bool third = tidy.len >= 2 && tidy.data[tidy.len - 1] == '\n' &&
		             tidy.data[tidy.len - 2] == '\n';
		if (p[l] == '\n' && !(k == 0 && third))
			buf_putc(&tidy, '\n');
		p += l + (p[l] == '\n');
	}
	while (tidy.len && (tidy.data[tidy.len - 1] == '\n'))
		tidy.data[--tidy.len] = '\0';
	const char *result = arena_strndup(a, tidy.len ? tidy.data : "", tidy.len);
	buf_free(&tidy);
	buf_free(&out);
	return result;
}

/* ---- the quoted history -------------------------------------------------- */

struct line {
	const char *s;
	size_t len;
};

static bool line_starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);
	return l->len >= n && g_ascii_strncasecmp(l->s, prefix, n) == 0;
}

/* The line without spaces, '>' and '*' (bold in text made from HTML) at
 * its start and spaces at its end. */
static struct line line_core(struct line l)
{
	while (l.len && (*l.s == ' ' || *l.s == '>' || *l.s == '\t' || *l.s == '*'))
		l.s++, l.len--;
	while (l.len && (l.s[l.len - 1] == ' ' || l.s[l.len - 1] == '\t' || l.s[l.len - 1] == '*'))
		l.len--;
	return l;
}

static bool line_ends(const struct line *l, const char *suffix)
{
	size_t n = strlen(suffix);
	return l->len >= n && g_ascii_strncasecmp(l->s + l->len - n, suffix, n) == 0;
}

static bool line_has(const struct line *l, const char *needle)
{
	return g_strstr_len(l->s, (gssize)l->len, needle) != NULL;
}

static bool line_has_digit(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (g_ascii_isdigit(l->s[i]))
			return true;
	return false;
}

static bool line_blank(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return false;
	return true;
}

/* "On <date>, <name> wrote:" in one line or wrapped over two. */
static bool attribution_at(const struct line *lines, int n, int i, const char *start,
                           const char *end)
{
	struct line l = line_core(lines[i]);
	if (!line_starts(&l, start) || !line_has_digit(&l))
		return false;
	if (line_ends(&l, end))
		return true;
	for (int k = i + 1; k < n && k <= i + 2; k++) {
		struct line next = line_core(lines[k]);
		if (line_ends(&next, end))
			return true;
	}
	return false;
}

/* Outlook's header block: From:/De: followed by Sent:/Date: and To:/Subject:. */
static bool outlook_block_at(const struct line *lines, int n, int i)
{
	struct line l = line_core(lines[i]);
	if (!line_starts(&l, "From:") && !line_starts(&l, "De:"))
		return false;
	bool when = false, what = false;
	for (int k = i + 1; k < n && k <= i + 6; k++) {
		struct line m = line_core(lines[k]);
		if (line_starts(&m, "Sent:") || line_starts(&m, "Date:") || line_starts(&m, "Enviado:") ||
		    line_starts(&m, "Enviada em:") || line_starts(&m, "Enviado em:") ||
		    line_starts(&m, "Data:"))
			when = true;
		if (line_starts(&m, "To:") || line_starts(&m, "Para:") || line_starts(&m, "Subject:") ||
		    line_starts(&m, "Assunto:"))
			what = true;
	}
	return when && what;
}

static bool history_starts_at(const struct line *lines, int n, int i)
{
	struct line raw = lines[i];
	struct line l = line_core(raw);
	if (line_has(&raw, MIME_IN_MARKER_EN) || line_has(&raw, MIME_IN_MARKER_PT))
		return true;
	/* A signature: exactly "-- " (or "--" once its space was trimmed). */
	if ((raw.len == 3 && memcmp(raw.s, "-- ", 3) == 0) || (raw.len == 2 && memcmp(raw.s, "--", 2) == 0))
		return true;
	if (attribution_at(lines, n, i, "On ", "wrote:") ||
	    attribution_at(lines, n, i, "Em ", "escreveu:"))
		return true;
	if (line_has(&l, "-----Original Message-----") || line_has(&l, "-----Mensagem original-----") ||
	    line_has(&l, "----- Original Message -----") ||
	    line_has(&l, "----- Mensagem original -----"))
		return true;
	if (l.len >= 20 && strspn(l.s, "_") >= 20 && i + 1 < n) {
		for (int k = i + 1; k < n && k <= i + 2; k++)
			if (outlook_block_at(lines, n, k))
				return true;
	}
	return outlook_block_at(lines, n, i);
}

static bool quoted(const struct line *l)
{
	return l->len && l->s[0] == '>';
}

static bool mobile_footer(const struct line *l)
{
	struct line c = line_core(*l);
	return line_starts(&c, "Sent from my ") || line_starts(&c, "Enviado do meu ") ||
	       line_starts(&c, "Enviado de meu ") || line_starts(&c, "Enviado do ");
}

/* The text of lines [0, n) trimmed of blank lines at both ends. */
static const char *join_lines(arena *a, const struct line *lines, int n)
{
	int first = 0;
	while (first < n && line_blank(&lines[first]))
		first++;
	while (n > first && line_blank(&lines[n - 1]))
		n--;
	if (first >= n)
		return "";
	const char *start = lines[first].s;
	const char *end = lines[n - 1].s + lines[n - 1].len;
	return arena_strndup(a, start, (size_t)(end - start));
}

const char *mime_in_cut_quoted(arena *a, const char *text)
{
	if (!text)
		return "";
	int count = 1;
	for (const char *p = text; *p; p++)
		if (*p == '\n')
			count++;
	if (count > MIME_IN_LINES_MAX)
		return text;
	struct line *lines = arena_alloc(a, (size_t)count * sizeof *lines);
	if (!lines)
		return NULL;
	int n = 0;
	for (const char *p = text;; n++) {
		size_t l = strcspn(p, "\n");
		lines[n] = (struct line){p, l};
		if (!p[l]) {
			n++;
			break;
		}
		p += l + 1;
	}
	int cut = n;
	for (int i = 0; i < n; i++)
		if (history_starts_at(lines, n, i)) {
			cut = i;
			break;
		}
	/* A quoted block, a mobile footer and blank lines at the end go too. */
	while (cut > 0 && (quoted(&lines[cut - 1]) || line_blank(&lines[cut - 1]) ||
	                   mobile_footer(&lines[cut - 1])))
		cut--;
	const char *reply = join_lines(a, lines, cut);
	if (reply && !*reply)
		return join_lines(a, lines, n);
	return reply;
}

/* ---- MIME ---------------------------------------------------------------- */

struct walk {
	arena *a;
	const struct mime_in_limits *l;
	struct inbound_msg *m;
	int *parts;     /* shared by forwarded messages */
	int *forwards;
	buf plain;      /* UTF-8 */
	buf html;       /* UTF-8 HTML of the first HTML part */
	bool have_html;
	buf forwarded;  /* texts of forwarded messages */
	int attachments_max;
};

/* The decoded (transfer encoding undone) bytes of part. */
static GByteArray *part_bytes(GMimePart *part, GMimeStream **keep)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	if (!w)
		return NULL;
	GMimeStream *mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(w, mem) < 0) {
		g_object_unref(mem);
		return NULL;
	}
	*keep = mem;
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

static void add_attachment(struct walk *w, GMimePart *part, const char *filename,
                           GMimeContentType *ct)
{
	if (w->m->nattachments >= w->attachments_max) {
		w->m->parts_skipped++;
		return;
	}
	GMimeStream *keep = NULL;
	GByteArray *bytes = part_bytes(part, &keep);
	if (!bytes) {
		w->m->parts_skipped++;
		if (keep)
			g_object_unref(keep);
		return;
	}
	struct inbound_attachment *at = &w->m->attachments[w->m->nattachments];
	unsigned char *data = arena_alloc(w->a, bytes->len + 1);
	char *type = g_mime_content_type_get_mime_type(ct);
	if (data) {
		if (bytes->len)
			memcpy(data, bytes->data, bytes->len);
		data[bytes->len] = 0;
		const char *name = filename ? mime_in_to_utf8(w->a, filename, strlen(filename), "utf-8") : "";
		*at = (struct inbound_attachment){
			.filename = name ? name : "",
			.content_type = arena_strdup(w->a, type ? type : "application/octet-stream"),
			.data = data,
			.len = bytes->len,
			.inline_part = false,
		};
		GMimeContentDisposition *cd = g_mime_object_get_content_disposition(GMIME_OBJECT(part));
		at->inline_part = cd && !g_mime_content_disposition_is_attachment(cd);
		w->m->nattachments++;
	}
	g_free(type);
	g_object_unref(keep);
}

static void add_text(struct walk *w, GMimePart *part, GMimeContentType *ct, bool html)
{
	GMimeStream *keep = NULL;
	GByteArray *bytes = part_bytes(part, &keep);
	if (bytes) {
		const char *charset = g_mime_content_type_get_parameter(ct, "charset");
		const char *text = mime_in_to_utf8(w->a, (const char *)bytes->data, bytes->len, charset);
		buf *b = html ? &w->html : &w->plain;
		if (text) {
			if (b->len && !html)
				buf_puts(b, "\n\n");
			if (buf_puts(b, text) != BUF_OK)
				w->m->parts_skipped++;
		}
	}
	if (keep)
		g_object_unref(keep);
}

static void walk_object(struct walk *w, GMimeObject *obj, int depth);

static void addresses_put(struct walk *w, InternetAddressList *list, int depth);

static const char *message_text(struct walk *w);

/* A forwarded message: its header summary and its text go below the body. */
static void walk_forwarded(struct walk *w, GMimeMessage *msg, int depth)
{
	if (!msg || *w->forwards >= MIME_IN_FORWARD_MAX) {
		w->m->parts_skipped++;
		return;
	}
	(*w->forwards)++;
	struct walk inner = *w;
	buf_init(&inner.plain, w->l->max_text);
	buf_init(&inner.html, w->l->max_text);
	buf_init(&inner.forwarded, w->l->max_text);
	inner.have_html = false;
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	if (body)
		walk_object(&inner, body, depth + 1);
	const char *text = message_text(&inner);
	InternetAddressList *from = g_mime_message_get_from(msg);
	char *from_text = from ? internet_address_list_to_string(from, NULL, FALSE) : NULL;
	const char *subject = one_line(w->a, g_mime_message_get_subject(msg));
	if (w->forwarded.len)
		buf_puts(&w->forwarded, "\n\n");
	buf_printf(&w->forwarded, "---------- Forwarded message ----------\nFrom: %s\nSubject: %s\n\n%s",
	           one_line(w->a, from_text ? from_text : ""), subject ? subject : "",
	           text ? text : "");
	g_free(from_text);
	buf_free(&inner.plain);
	buf_free(&inner.html);
	buf_free(&inner.forwarded);
}

static void walk_leaf(struct walk *w, GMimePart *part)
{
	if (++*w->parts > w->l->max_parts) {
		w->m->parts_skipped++;
		return;
	}
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
	const char *filename = g_mime_part_get_filename(part);
	bool attachment = (cd && g_mime_content_disposition_is_attachment(cd)) ||
	                  (filename && *filename);
	if (ct && !attachment && g_mime_content_type_is_type(ct, "text", "plain")) {
		add_text(w, part, ct, false);
	} else if (ct && !attachment && g_mime_content_type_is_type(ct, "text", "html")) {
		if (!w->have_html) {
			add_text(w, part, ct, true);
			w->have_html = true;
		}
	} else if (attachment || (ct && g_mime_content_type_is_type(ct, "image", "*"))) {
		add_attachment(w, part, filename, ct);
	} else {
		w->m->parts_skipped++;
	}
}

static void walk_object(struct walk *w, GMimeObject *obj, int depth)
{
	if (depth > w->l->max_depth) {
		w->m->parts_skipped++;
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		if (ct && g_mime_content_type_is_type(ct, "multipart", "report"))
			w->m->delivery_report = true;
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		walk_forwarded(w, g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj)), depth);
	} else if (GMIME_IS_PART(obj)) {
		walk_leaf(w, GMIME_PART(obj));
	} else {
		w->m->parts_skipped++;
	}
}

/* The body text of what w walked: plain text, else the HTML as text. */
static const char *message_text(struct walk *w)
{
	const char *body;
	if (w->plain.len) {
		body = arena_strndup(w->a, w->plain.data, w->plain.len);
	} else if (w->html.len) {
		body = mime_in_html_to_text(w->a, w->html.data, w->html.len, w->l->max_text);
	} else {
		body = "";
	}
	if (!body || !w->forwarded.len)
		return body;
	return arena_printf(w->a, "%s%s%.*s", body, *body ? "\n\n" : "", (int)w->forwarded.len,
	                    w->forwarded.data);
}

/* ---- headers ------------------------------------------------------------- */

/* A Message-ID we can store and match: printable ASCII, no <> or spaces. */
static const char *id_copy(arena *a, const char *id)
{
	if (!id)
		return NULL;
	size_t len = strlen(id);
	if (len == 0 || len > MIME_IN_ID_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (id[i] <= ' ' || id[i] > '~' || id[i] == '<' || id[i] == '>')
			return NULL;
	return arena_strdup(a, id);
}

static const char *address_copy(arena *a, const char *addr)
{
	if (!addr || !strchr(addr, '@') || strlen(addr) > 254)
		return NULL;
	for (const char *p = addr; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"')
			return NULL;
	return arena_strdup(a, addr);
}

static void address_add(struct walk *w, InternetAddress *ia, int depth)
{
	struct inbound_msg *m = w->m;
	if (depth > 2)
		return;
	if (INTERNET_ADDRESS_IS_GROUP(ia)) {
		addresses_put(w, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), depth + 1);
		return;
	}
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia) || m->nrecipients >= w->l->max_addresses)
		return;
	const char *addr = address_copy(w->a, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
	if (addr)
		m->recipients[m->nrecipients++] = addr;
}

static void addresses_put(struct walk *w, InternetAddressList *list, int depth)
{
	if (!list)
		return;
	int n = internet_address_list_length(list);
	for (int i = 0; i < n; i++)
		address_add(w, internet_address_list_get_address(list, i), depth);
}

static void envelope_put(struct walk *w, GMimeObject *msg, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(msg);
	int n = g_mime_header_list_get_count(headers);
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) != 0)
			continue;
		InternetAddressList *list = internet_address_list_parse(NULL, g_mime_header_get_value(h));
		if (list) {
			addresses_put(w, list, 0);
			g_object_unref(list);
		}
	}
}

static void sender_put(struct inbound_msg *m, arena *a, GMimeMessage *msg)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	int n = from ? internet_address_list_length(from) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(from, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		const char *addr = address_copy(a, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		if (!addr)
			continue;
		m->from_address = addr;
		const char *name = one_line(a, internet_address_get_name(ia));
		m->from_name = name ? name : "";
		return;
	}
}

static const char *header_copy(arena *a, GMimeObject *obj, const char *name)
{
	const char *v = g_mime_object_get_header(obj, name);
	return v ? one_line(a, v) : NULL;
}

static void threading_put(struct inbound_msg *m, arena *a, const struct mime_in_limits *l,
                          GMimeMessage *msg)
{
	m->message_id = id_copy(a, g_mime_message_get_message_id(msg));
	const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
	if (irt) {
		GMimeReferences *refs = g_mime_references_parse(NULL, irt);
		if (refs && g_mime_references_length(refs) > 0)
			m->in_reply_to = id_copy(a, g_mime_references_get_message_id(refs, 0));
		if (refs)
			g_mime_references_free(refs);
	}
	const char *header = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
	GMimeReferences *refs = header ? g_mime_references_parse(NULL, header) : NULL;
	int n = refs ? g_mime_references_length(refs) : 0;
	int first = n > l->max_references ? n - l->max_references : 0;
	m->references = arena_alloc(a, (size_t)(n - first + 1) * sizeof *m->references);
	for (int i = first; m->references && i < n; i++) {
		const char *id = id_copy(a, g_mime_references_get_message_id(refs, i));
		if (id)
			m->references[m->nreferences++] = id;
	}
	if (refs)
		g_mime_references_free(refs);
}

static bool subject_forwarded(const char *subject)
{
	static const char *const prefixes[] = {"fwd:", "fw:", "enc:", "tr:", "encaminhar:", NULL};
	for (const char *const *p = prefixes; *p; p++)
		if (g_ascii_strncasecmp(subject, *p, strlen(*p)) == 0)
			return true;
	return false;
}

static bool text_forwarded(const char *text)
{
	return strstr(text, "---------- Forwarded message") ||
	       strstr(text, "---------- Mensagem encaminhada") ||
	       strstr(text, "-------- Forwarded Message --------") ||
	       strstr(text, "-------- Mensagem encaminhada --------");
}

static void loop_signs_put(struct inbound_msg *m, arena *a, GMimeObject *obj)
{
	m->auto_submitted = header_copy(a, obj, "Auto-Submitted");
	m->precedence = header_copy(a, obj, "Precedence");
	m->x_autoreply = g_mime_object_get_header(obj, "X-Autoreply") != NULL;
	m->x_autorespond = g_mime_object_get_header(obj, "X-Autorespond") != NULL;
	const char *rp = g_mime_object_get_header(obj, "Return-Path");
	if (rp) {
		while (*rp == ' ' || *rp == '\t')
			rp++;
		m->null_return_path = strncmp(rp, "<>", 2) == 0;
	}
}

int mime_in_parse(const void *data, size_t len, const struct mime_in_limits *limits, arena *a,
                  struct inbound_msg *out)
{
	mail_init();
	struct mime_in_limits defaults;
	if (!limits) {
		mime_in_limits_default(&defaults);
		limits = &defaults;
	}
	memset(out, 0, sizeof *out);
	out->from_address = out->from_name = out->subject = "";
	out->text = out->reply = out->html_text = "";
	out->recipients = arena_alloc(a, (size_t)(limits->max_addresses + 1) * sizeof *out->recipients);
	out->attachments = arena_alloc(a, (size_t)(limits->max_attachments + 1) * sizeof *out->attachments);
	if (!out->recipients || !out->attachments)
		return -1;

	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeParserOptions *options = g_mime_parser_options_new();
	const char *fallback[] = {"UTF-8", "WINDOWS-1252", NULL};
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg) {
		g_mime_parser_options_free(options);
		return -1;
	}
	int rc = 0;
	int parts = 0, forwards = 0;
	struct walk w = {.a = a, .l = limits, .m = out, .parts = &parts, .forwards = &forwards,
	                 .attachments_max = limits->max_attachments};
	buf_init(&w.plain, limits->max_text);
	buf_init(&w.html, limits->max_text);
	buf_init(&w.forwarded, limits->max_text);

	GMimeObject *obj = GMIME_OBJECT(msg);
	sender_put(out, a, msg);
	addresses_put(&w, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), 0);
	addresses_put(&w, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC), 0);
	envelope_put(&w, obj, "Delivered-To");
	envelope_put(&w, obj, "X-Original-To");
	envelope_put(&w, obj, "Envelope-To");
	const char *subject = one_line(a, g_mime_message_get_subject(msg));
	out->subject = subject ? subject : "";
	threading_put(out, a, limits, msg);
	loop_signs_put(out, a, obj);

	GMimeObject *body = g_mime_message_get_mime_part(msg);
	if (body)
		walk_object(&w, body, 0);
	const char *text = message_text(&w);
	if (!text) {
		rc = -1;
		goto done;
	}
	out->text = text;
	out->from_html = w.plain.len == 0 && w.html.len > 0;
	if (w.html.len) {
		const char *h = mime_in_html_to_text(a, w.html.data, w.html.len, limits->max_text);
		out->html_text = h ? h : "";
	}
	const char *reply = mime_in_cut_quoted(a, text);
	out->reply = reply ? reply : text;
	out->forwarded = subject_forwarded(out->subject) || text_forwarded(text);
done:
	buf_free(&w.plain);
	buf_free(&w.html);
	buf_free(&w.forwarded);
	g_object_unref(msg);
	g_mime_parser_options_free(options);
	return rc;
}
