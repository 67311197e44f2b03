/* Markdown rendering: md4c-html, then one pass over its output that checks
 * every URL attribute and marks every link (see markdown.h).
 *
 * The pass relies on how md4c-html escapes: '<' in text and '"' in text and
 * attribute values always come out as entities (or %XX in URLs), so every '<'
 * in its output opens a tag and every pair of '"' holds one attribute value. */
#include "view/markdown.h"

#include <limits.h>
#include <md4c-html.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MARKDOWN_PARSER_FLAGS (MD_DIALECT_GITHUB | MD_FLAG_NOHTML)
#define LINK_REL " rel=\"nofollow noopener noreferrer\""
#define SCHEME_MAX 16         /* longer than any scheme we allow */
#define ENTITY_NAME_MAX 32    /* longer than any entity we decode */
#define NON_ASCII_BYTE '\x80' /* stands for a decoded character outside ASCII */

/* Collects md4c's output; md4c cannot be stopped, so a failed append is
 * remembered and later output ignored. */
struct raw_output {
	buf html;
	bool failed;
};

static void collect_output(const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	struct raw_output *raw = userdata;
	if (!raw->failed && buf_append(&raw->html, text, size) != BUF_OK)
		raw->failed = true;
}

/* ---- URL check ---- */

static bool scheme_is_allowed(const char *scheme, size_t len)
{
	static const char *const allowed[] = {"http", "https", "mailto"};
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (strlen(allowed[i]) == len && strncasecmp(scheme, allowed[i], len) == 0)
			return true;
	return false;
}

bool markdown_url_allowed(const char *decoded_url)
{
	char scheme[SCHEME_MAX];
	size_t len = 0;
	bool too_long = false;
	for (const unsigned char *p = (const unsigned char *)decoded_url; *p; p++) {
		/* Browsers drop tabs and newlines anywhere and trim controls and
		 * spaces; dropping them all is stricter and simpler. */
		if (*p <= ' ' || *p == 0x7f)
			continue;
		if (*p == ':')
			return !too_long && scheme_is_allowed(scheme, len);
		if (*p == '/' || *p == '?' || *p == '#')
			return true;
		if (len < sizeof scheme)
			scheme[len++] = (char)*p;
		else
			too_long = true;
	}
	return true;
}

/* ---- entity decoding ---- */

/* Decodes the numeric reference "#106" or "#x6A" (the text between '&' and
 * ';'). Characters outside ASCII, and NUL, become NON_ASCII_BYTE: only ASCII
 * can spell an allowed scheme. False when it is not a number. */
static bool decode_numeric_entity(const char *name, size_t len, char *out)
{
	bool hex = len > 1 && (name[1] == 'x' || name[1] == 'X');
	size_t start = hex ? 2 : 1;
	uint32_t code = 0;
	if (start == len)
		return false;
	for (size_t i = start; i < len; i++) {
		char c = name[i];
		uint32_t digit;
		if (c >= '0' && c <= '9')
			digit = (uint32_t)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			digit = (uint32_t)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			digit = (uint32_t)(c - 'A' + 10);
		else
			return false;
		if (code < 0x110000) /* saturate: anything above is not ASCII anyway */
			code = code * (hex ? 16 : 10) + digit;
	}
	*out = (code > 0 && code < 0x80) ? (char)code : NON_ASCII_BYTE;
	return true;
}

/* Decodes a named or numeric entity (name without '&' and ';'). The named
 * ones are those md4c-html writes plus those an attacker would use to hide a
 * scheme; false for any other. */
static bool decode_entity(const char *name, size_t len, char *out)
{
	static const struct {
		const char *name;
		char value;
	} named[] = {
	    {"amp", '&'},   {"lt", '<'},    {"gt", '>'},   {"quot", '"'},
	    {"apos", '\''}, {"colon", ':'}, {"Tab", '\t'}, {"NewLine", '\n'},
	};
	if (len > 0 && name[0] == '#')
		return decode_numeric_entity(name, len, out);
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strlen(named[i].name) == len && memcmp(name, named[i].name, len) == 0) {
			*out = named[i].value;
			return true;
		}
	}
	return false;
}

/* Decodes the entities of an attribute value into out, NUL-terminated (out
 * needs len + 1 bytes: each entity decodes to one byte). False when an '&'
 * does not start an entity we know: a browser might still decode it into a
 * character that changes the scheme, so such a URL is refused. */
static bool decode_attribute(const char *value, size_t len, char *out)
{
	size_t used = 0;
	for (size_t i = 0; i < len; i++) {
		if (value[i] != '&') {
			out[used++] = value[i];
			continue;
		}
		const char *name = value + i + 1;
		size_t room = len - i - 1;
		const char *semicolon =
		    memchr(name, ';', room < ENTITY_NAME_MAX ? room : ENTITY_NAME_MAX);
		if (!semicolon || !decode_entity(name, (size_t)(semicolon - name), &out[used++]))
			return false;
		i = (size_t)(semicolon - value); /* the loop steps past ';' */
	}
	out[used] = '\0';
	return true;
}

/* Appends the attribute value as it is when it is an allowed URL, else "#". */
static int put_checked_url(const char *value, size_t len, buf *safe)
{
	char *decoded = malloc(len + 1);
	if (!decoded)
		return BUF_NOMEM;
	bool allowed = decode_attribute(value, len, decoded) && markdown_url_allowed(decoded);
	free(decoded);
	return allowed ? buf_append(safe, value, len) : buf_putc(safe, '#');
}

/* ---- the rewriting pass ---- */

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Length of the run at s that holds none of the bytes in stops. */
static size_t span_until(const char *s, size_t len, const char *stops)
{
	size_t n = 0;
	while (n < len && !memchr(stops, s[n], strlen(stops)))
		n++;
	return n;
}

/* Copies one attribute value (after its opening '"') and its closing '"',
 * checking it when it is a URL. Sets *used to the bytes read. */
static int copy_value(const char *value, size_t len, bool is_url, buf *safe, size_t *used)
{
	size_t n = span_until(value, len, "\"");
	int rc = is_url ? put_checked_url(value, n, safe) : buf_append(safe, value, n);
	if (!rc && n < len) {
		rc = buf_putc(safe, '"');
		n++;
	}
	*used = n;
	return rc;
}

/* Copies the tag at tag[0] == '<', up to and including its '>': adds rel to
 * a link and replaces a disallowed href or src value. Sets *used to the bytes
 * read. */
static int rewrite_tag(const char *tag, size_t len, buf *safe, size_t *used)
{
	size_t pos = 0;
	int rc = BUF_OK;
	if (starts_with(tag, len, "<a ")) {
		rc = buf_puts(safe, "<a" LINK_REL);
		pos = 2;
	}
	while (!rc && pos < len) {
		size_t n = span_until(tag + pos, len - pos, "\">");
		bool opens_value = pos + n < len && tag[pos + n] == '"';
		bool is_url = opens_value && (ends_with(tag, pos + n, " href=") ||
		                              ends_with(tag, pos + n, " src="));
		if (pos + n < len)
			n++; /* the '"' or '>' itself */
		rc = buf_append(safe, tag + pos, n);
		pos += n;
		if (!opens_value)
			break;
		if (!rc) {
			rc = copy_value(tag + pos, len - pos, is_url, safe, &n);
			pos += n;
		}
	}
	*used = pos;
	return rc;
}

static int rewrite_html(const char *html, size_t len, buf *safe)
{
	size_t pos = 0;
	int rc = BUF_OK;
	while (!rc && pos < len) {
		size_t n;
		if (html[pos] == '<') {
			rc = rewrite_tag(html + pos, len - pos, safe, &n);
		} else {
			n = span_until(html + pos, len - pos, "<");
			rc = buf_append(safe, html + pos, n);
		}
		pos += n;
	}
	return rc;
}

int markdown_render(const char *src, size_t len, buf *out)
{
	struct raw_output raw = {.failed = false};
	buf safe;
	int rc = -1;
	char *terminated = NULL;

	buf_init(&raw.html, out->max);
	buf_init(&safe, out->len < out->max ? out->max - out->len : 0);
	if (len > UINT_MAX - 1) /* md4c takes an unsigned size */
		goto done;
	/* md4c 0.4.8 reads one byte past the end of its input on some inputs
	 * (found by tests/fuzz/markdown_fuzz.c): it gets a copy with a NUL after
	 * it, whatever the caller passed. */
	terminated = malloc(len + 1);
	if (!terminated)
		goto done;
	memcpy(terminated, src, len);
	terminated[len] = '\0';
	if (md_html(terminated, (MD_SIZE)len, collect_output, &raw, MARKDOWN_PARSER_FLAGS, 0) != 0 ||
	    raw.failed)
		goto done;
	/* Rendered apart and appended whole, so a failure leaves out as it was. */
	if (rewrite_html(buf_str(&raw.html), raw.html.len, &safe) != BUF_OK)
		goto done;
	if (buf_append(out, safe.data, safe.len) != BUF_OK)
		goto done;
	rc = 0;
done:
	free(terminated);
	buf_free(&raw.html);
	buf_free(&safe);
	return rc;
}
