#include "mail/html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/dynlib.h"
#include "base/log.h"

/* libxml2 is opened by the first HTML email, with the ICU and C++
 * libraries it brings (base/dynlib.h). */
#define XML_FUNCTIONS(X)           \
	X(xmlInitParser)            \
	X(htmlCreatePushParserCtxt) \
	X(htmlCtxtUseOptions)       \
	X(htmlParseChunk)           \
	X(xmlStopParser)            \
	X(xmlFreeDoc)               \
	X(htmlFreeParserCtxt)
static struct {
	XML_FUNCTIONS(DYNLIB_FIELD)
} libxml;
static const char *const libxml_names[] = {XML_FUNCTIONS(DYNLIB_NAME)};
DYNLIB_TABLE_CHECK(libxml, libxml_names);

static void parser_init(void)
{
	libxml.xmlInitParser();
}

static struct dynlib libxml_loader =
    DYNLIB_INIT_READY("libxml2.so.2", libxml_names, libxml, parser_init);

/* ---- references: rewritten before libxml2 sees them ---------------------- */

struct entity {
	const char *name;
	int semicolon; /* 1: "&name;" only; 0: also without ';' (legacy) */
	uint32_t cp1, cp2;
};

static const struct entity entities[] = {
#include "mail/html_entities.inc"
};

static int digit_value(char c, bool hex)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (hex && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (hex && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int entity_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct entity *)e)->name);
}

/* Windows-1252's 0x80..0x9F, which browsers read numeric references in. */
static const uint16_t c1_as_1252[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178,
};

static void put_ref(buf *b, uint32_t cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	else if (cp >= 0x80 && cp < 0xA0)
		cp = c1_as_1252[cp - 0x80];
	else if (cp < 0x20 && cp != '\n' && cp != '\t')
		cp = ' ';
	buf_printf(b, "&#x%X;", (unsigned)cp);
}

/* The reference at s ('&' first) as a numeric one in b; returns the bytes
 * it took, 0 when it is not one (the '&' is then literal text). */
static size_t ref_rewrite(const char *s, size_t left, buf *b)
{
	size_t n = 1;
	if (n < left && s[n] == '#') {
		bool hex = n + 1 < left && (s[n + 1] == 'x' || s[n + 1] == 'X');
		n += hex ? 2 : 1;
		uint32_t cp = 0;
		size_t digits = 0;
		for (; n < left; n++, digits++) {
			int d = digit_value(s[n], hex);
			if (d < 0)
				break;
			if (cp <= 0x10FFFF)
				cp = cp * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (!digits)
			return 0;
		put_ref(b, cp);
		return n < left && s[n] == ';' ? n + 1 : n;
	}
	char name[40];
	size_t k = 0;
	while (n < left && k + 1 < sizeof name && is_alnum(s[n]))
		name[k++] = s[n++];
	name[k] = '\0';
	if (!k)
		return 0;
	bool semi = n < left && s[n] == ';';
	/* The longest legacy name that is a prefix ("&copy2024" is "©2024"). */
	for (size_t len = k; len > 0; len--) {
		name[len] = '\0';
		const struct entity *e = bsearch(name, entities, sizeof entities / sizeof *entities,
		                                 sizeof *entities, entity_cmp);
		if (!e)
			continue;
		/* Both spellings sit side by side: without ';' first. */
		while (e > entities && strcmp(e[-1].name, name) == 0)
			e--;
		bool full = len == k && semi;
		const struct entity *hit = NULL;
		for (; e < entities + sizeof entities / sizeof *entities &&
		       strcmp(e->name, name) == 0;
		     e++)
			if (full || !e->semicolon)
				hit = e;
		if (!hit)
			continue;
		put_ref(b, hit->cp1);
		if (hit->cp2)
			put_ref(b, hit->cp2);
		return 1 + len + (full ? 1 : 0);
	}
	return 0;
}

/* ---- the walk --------------------------------------------------------------- */

struct html_state {
	buf *out;
	int skip; /* inside script/style/head/...: text dropped */
	int pre;  /* inside <pre>: white space kept */
	int quote_depth;
	bool at_line_start;
	bool pending_space;
	int newlines;      /* line breaks at the end of out */
	size_t link_start; /* where the text of the open <a> starts */
	char *link_href;
	htmlParserCtxtPtr ctxt;
	size_t max;
};

static void newline(struct html_state *h, int want)
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

static void text_byte(struct html_state *h, char c)
{
	if (c == '\n' && h->pre) {
		h->newlines = 0;
		newline(h, 1);
		return;
	}
	if ((c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') && !h->pre) {
		if (!h->at_line_start)
			h->pending_space = true;
		return;
	}
	if (c == '\r')
		return;
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

static void on_text(void *ctx, const xmlChar *s, int len)
{
	struct html_state *h = ctx;
	if (h->skip)
		return;
	for (int i = 0; i < len; i++) {
		/* A no-break space is a space; zero-width padding is nothing. */
		if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0) {
			text_byte(h, ' ');
			i++;
		} else if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0x8B) {
			i += 2;
		} else if (s[i] == 0xEF && i + 2 < len && s[i + 1] == 0xBB && s[i + 2] == 0xBF) {
			i += 2;
		} else {
			text_byte(h, (char)s[i]);
		}
	}
	if (h->out->len >= h->max)
		libxml.xmlStopParser(h->ctxt);
}

static bool name_in(const xmlChar *name, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp((const char *)name, *list) == 0)
			return true;
	return false;
}

static const char *const skipped[] = {"script",   "style",  "head", "title", "template",
                                      "noscript", "object", "svg",  NULL};
static const char *const blocks[] = {
    "div",     "tr",      "table",    "ul",     "ol",         "dl",      "dt",      "dd",
    "center",  "section", "article",  "header", "footer",     "nav",     "aside",   "main",
    "address", "form",    "fieldset", "figure", "figcaption", "details", "summary", "caption",
    "hr",      "body",    "tbody",    "thead",  "tfoot",      NULL};
static const char *const paragraphs[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", NULL};

/* Only links a person can follow are worth writing out. */
static bool link_shown(const char *href)
{
	return strncasecmp(href, "http://", 7) == 0 || strncasecmp(href, "https://", 8) == 0 ||
	       strncasecmp(href, "mailto:", 7) == 0;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
	struct html_state *h = ctx;
	if (name_in(name, skipped)) {
		h->skip++;
		return;
	}
	if (h->skip)
		return;
	if (strcasecmp((const char *)name, "br") == 0) {
		h->newlines = 0;
		newline(h, 1);
	} else if (strcasecmp((const char *)name, "blockquote") == 0) {
		newline(h, 1);
		if (h->quote_depth < 8)
			h->quote_depth++;
	} else if (strcasecmp((const char *)name, "li") == 0) {
		newline(h, 1);
		text_byte(h, '-');
		h->pending_space = true;
	} else if (name_in(name, paragraphs)) {
		newline(h, 2);
		if (strcasecmp((const char *)name, "pre") == 0)
			h->pre++;
	} else if (name_in(name, blocks)) {
		newline(h, 1);
	} else if (strcasecmp((const char *)name, "td") == 0 ||
	           strcasecmp((const char *)name, "th") == 0) {
		if (!h->at_line_start)
			h->pending_space = true;
	} else if (strcasecmp((const char *)name, "a") == 0) {
		free(h->link_href);
		h->link_href = NULL;
		for (int i = 0; attrs && attrs[i]; i += 2)
			if (strcasecmp((const char *)attrs[i], "href") == 0 && attrs[i + 1] &&
			    link_shown((const char *)attrs[i + 1]))
				h->link_href = strdup((const char *)attrs[i + 1]);
		h->link_start = h->out->len;
	}
}

/* href without its scheme ("https://", "mailto:") and a final '/'. */
static void link_core(const char *s, size_t len, const char **out, size_t *out_len)
{
	static const char *const schemes[] = {"https://", "http://", "mailto:"};
	for (size_t i = 0; i < 3; i++)
		if (len >= strlen(schemes[i]) &&
		    strncasecmp(s, schemes[i], strlen(schemes[i])) == 0) {
			s += strlen(schemes[i]);
			len -= strlen(schemes[i]);
			break;
		}
	if (len && s[len - 1] == '/')
		len--;
	*out = s;
	*out_len = len;
}

/* After a link's text: its URL, unless the text already says it
 * ("x.example" for https://x.example/). */
static void link_end(struct html_state *h)
{
	const char *href = h->link_href;
	const char *text = h->out->len > h->link_start ? h->out->data + h->link_start : "";
	size_t tlen = h->out->len > h->link_start ? h->out->len - h->link_start : 0;
	while (tlen && (*text == ' ' || *text == '\n'))
		text++, tlen--;
	const char *a, *b;
	size_t alen, blen;
	link_core(text, tlen, &a, &alen);
	link_core(href, strlen(href), &b, &blen);
	if (tlen && alen == blen && strncasecmp(a, b, alen) == 0)
		return;
	if (tlen) {
		buf_puts(h->out, " (");
	} else {
		text_byte(h, '(');
	}
	buf_puts(h->out, href);
	buf_putc(h->out, ')');
	h->newlines = 0;
}

static void on_end(void *ctx, const xmlChar *name)
{
	struct html_state *h = ctx;
	if (name_in(name, skipped)) {
		if (h->skip)
			h->skip--;
		return;
	}
	if (h->skip)
		return;
	if (strcasecmp((const char *)name, "blockquote") == 0) {
		newline(h, 1);
		if (h->quote_depth)
			h->quote_depth--;
	} else if (strcasecmp((const char *)name, "li") == 0) {
		newline(h, 1);
	} else if (name_in(name, paragraphs)) {
		newline(h, 2);
		if (strcasecmp((const char *)name, "pre") == 0 && h->pre)
			h->pre--;
	} else if (name_in(name, blocks)) {
		newline(h, 1);
	} else if (strcasecmp((const char *)name, "a") == 0 && h->link_href) {
		link_end(h);
		free(h->link_href);
		h->link_href = NULL;
	}
}

/* libxml2 reports nothing to stderr: malformed mail is the normal case. */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void tidy(buf *tidy, const char *raw)
{
	for (const char *p = raw; *p;) {
		size_t l = strcspn(p, "\n");
		size_t k = l;
		while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		buf_append(tidy, p, k);
		/* At most one blank line in a row. */
		bool third = tidy->len >= 2 && tidy->data[tidy->len - 1] == '\n' &&
		             tidy->data[tidy->len - 2] == '\n';
		if (p[l] == '\n' && !(k == 0 && third))
			buf_putc(tidy, '\n');
		p += l + (p[l] == '\n');
	}
	while (tidy->len && tidy->data[tidy->len - 1] == '\n')
		tidy->data[--tidy->len] = '\0';
}

const char *html_text_convert(arena *a, const char *html, size_t len, size_t max)
{
	char err[256];
	if (dynlib_load(&libxml_loader, err, sizeof err) < 0) {
		log_error("HTML email: %s", err);
		return NULL;
	}
	if (len > HTML_TEXT_MAX_INPUT)
		len = HTML_TEXT_MAX_INPUT;
	/* Every reference libxml2 might not know becomes a numeric one. */
	buf in;
	buf_init(&in, 2 * len + 64);
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(html + i, '&', len - i);
		size_t span = amp ? (size_t)(amp - (html + i)) : len - i;
		buf_append(&in, html + i, span);
		i += span;
		if (i >= len)
			break;
		size_t used = ref_rewrite(html + i, len - i, &in);
		if (used) {
			i += used;
		} else {
			buf_puts(&in, "&amp;");
			i++;
		}
	}
	buf out;
	buf_init(&out, max + 1024);
	struct html_state h = {.out = &out, .at_line_start = true, .max = max};
	htmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_text;
	sax.cdataBlock = NULL; /* script and style bodies */
	sax.warning = quiet;
	sax.error = quiet;
	htmlParserCtxtPtr ctxt =
	    libxml.htmlCreatePushParserCtxt(&sax, &h, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (ctxt) {
		h.ctxt = ctxt;
		libxml.htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
		                             HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
		                             HTML_PARSE_NODEFDTD | HTML_PARSE_IGNORE_ENC);
		const char *p = in.len ? in.data : "";
		/* In pieces, so a full output stops the parse early. */
		for (size_t off = 0; off < in.len && !ctxt->disableSAX && out.len < max;) {
			size_t n = in.len - off > 65536 ? 65536 : in.len - off;
			libxml.htmlParseChunk(ctxt, p + off, (int)n, 0);
			off += n;
		}
		if (!ctxt->disableSAX)
			libxml.htmlParseChunk(ctxt, NULL, 0, 1);
		if (ctxt->myDoc)
			libxml.xmlFreeDoc(ctxt->myDoc);
		libxml.htmlFreeParserCtxt(ctxt);
	}
	free(h.link_href);
	buf_free(&in);
	buf t;
	buf_init(&t, max + 1);
	tidy(&t, buf_str(&out));
	if (t.len > max) {
		size_t cut = max;
		while (cut && ((unsigned char)t.data[cut] & 0xC0) == 0x80)
			cut--;
		t.len = cut;
	}
	const char *result = arena_strndup(a, t.len ? t.data : "", t.len);
	buf_free(&t);
	buf_free(&out);
	return result;
}
