#include "mail/message.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAIL_HEADER_NAME_MAX 76

static pthread_once_t mail_once = PTHREAD_ONCE_INIT;

/* How quoted-printable writes each byte (put_quoted_printable). */
enum qp_kind { QP_LITERAL, QP_BLANK, QP_ENCODED, QP_LINE_END };
static unsigned char qp_kind[256];

static void mail_init_once(void)
{
	g_mime_init();
	for (int c = 0; c < 256; c++)
		qp_kind[c] = c > ' ' && c < 0x7f && c != '=' ? QP_LITERAL : QP_ENCODED;
	qp_kind[' '] = qp_kind['\t'] = QP_BLANK;
	qp_kind['\r'] = qp_kind['\n'] = qp_kind[0] = QP_LINE_END;
}

void mail_init(void)
{
	pthread_once(&mail_once, mail_init_once);
}

static int build_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the reason into err and returns -1. */
static int build_error(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The one mailbox in text, with a UTF-8 name; NULL when text holds no
 * address, several, or a group. The caller unrefs it. */
static InternetAddress *mailbox_parse(const char *text)
{
	if (!text)
		return NULL;
	InternetAddressList *list = internet_address_list_parse(NULL, text);
	InternetAddress *ia = NULL;
	if (list && internet_address_list_length(list) == 1) {
		InternetAddress *first = internet_address_list_get_address(list, 0);
		const char *addr =
		    INTERNET_ADDRESS_IS_MAILBOX(first)
		        ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(first))
		        : NULL;
		if (addr && strchr(addr, '@')) {
			ia = g_object_ref(first);
			internet_address_set_charset(ia, "utf-8");
		}
	}
	if (list)
		g_object_unref(list);
	return ia;
}

int mail_address_of(const char *mailbox, char *out, size_t outlen)
{
	mail_init();
	InternetAddress *ia = mailbox_parse(mailbox);
	if (!ia)
		return -1;
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	int rc = (size_t)snprintf(out, outlen, "%s", addr) < outlen ? 0 : -1;
	g_object_unref(ia);
	return rc;
}

/* The mailboxes of a list ("Ana <a@x>, b@y"): each must be one address
 * with an '@' (no groups). The list, or NULL; the caller unrefs it. */
static InternetAddressList *mailbox_list_parse(const char *text)
{
	InternetAddressList *list = text ? internet_address_list_parse(NULL, text) : NULL;
	int n = list ? internet_address_list_length(list) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		const char *addr = INTERNET_ADDRESS_IS_MAILBOX(ia)
		                       ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia))
		                       : NULL;
		if (!addr || !strchr(addr, '@')) {
			n = 0;
			break;
		}
		internet_address_set_charset(ia, "utf-8");
	}
	if (n == 0 && list) {
		g_object_unref(list);
		list = NULL;
	}
	return list;
}

/* The bare addresses of parsed list l into out: their count, or -1 when
 * there are over max or one is too long. */
static int list_addresses(InternetAddressList *l, char (*out)[MAIL_ADDRESS_MAX], int max)
{
	int n = internet_address_list_length(l), rc = n <= max ? n : -1;
	for (int i = 0; i < n && rc > 0; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		if ((size_t)snprintf(out[i], MAIL_ADDRESS_MAX, "%s", addr) >= MAIL_ADDRESS_MAX)
			rc = -1;
	}
	return rc;
}

int mail_addresses_of(const char *list, char (*out)[MAIL_ADDRESS_MAX], int max)
{
	mail_init();
	InternetAddressList *l = mailbox_list_parse(list);
	if (!l)
		return -1;
	int rc = list_addresses(l, out, max);
	g_object_unref(l);
	return rc;
}

/* Fills env from the parsed sender and recipients; -1 when they do not fit. */
static int envelope_fill(struct mail_envelope *env, InternetAddress *sender,
                         InternetAddressList *to)
{
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(sender));
	if ((size_t)snprintf(env->from, MAIL_ADDRESS_MAX, "%s", addr) >= MAIL_ADDRESS_MAX)
		return -1;
	env->n = list_addresses(to, env->rcpt, env->max);
	return env->n > 0 ? 0 : -1;
}

/* Headers the builder sets itself; an extra line may not replace them. */
static bool header_reserved(const char *name)
{
	static const char *const reserved[] = {"From",    "To",      "Cc",         "Bcc",
	                                       "Subject", "Date",    "Message-Id", "MIME-Version",
	                                       "Sender",  "Reply-To"};
	for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
		if (g_ascii_strcasecmp(name, reserved[i]) == 0)
			return true;
	return g_ascii_strncasecmp(name, "Content-", 8) == 0;
}

static bool header_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > MAIL_HEADER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(name[i]) && name[i] != '-')
			return false;
	return true;
}

/* Appends text with each line ended by CRLF, the last one too: GMime's
 * folding ends lines in LF whatever the format options say. */
static void put_crlf_lines(GString *h, const char *text)
{
	while (*text) {
		size_t len = strcspn(text, "\r\n");
		g_string_append_len(h, text, (gssize)len);
		g_string_append(h, "\r\n");
		text += len;
		if (*text == '\r')
			text++;
		if (*text == '\n')
			text++;
	}
}

/* Appends "name: value" to h as GMime would write it: RFC 2047 words
 * for text that is not ASCII, folded at 78 columns, ending in CRLF. */
static void put_text_header(GString *h, GMimeFormatOptions *options, const char *name,
                            const char *value, size_t value_len)
{
	char *raw = g_strdup_printf("%s: %.*s", name, (int)value_len, value);
	/* A line end in a value would start a header of its own. */
	for (char *p = raw; (p = strpbrk(p, "\r\n"));)
		*p = ' ';
	char *encoded = NULL;
	if (g_mime_utils_text_is_8bit((const unsigned char *)value, value_len)) {
		char *words = g_mime_utils_header_encode_text(options, raw + strlen(name) + 2, "utf-8");
		encoded = g_strdup_printf("%s: %s", name, words);
		g_free(words);
	}
	const char *line = encoded ? encoded : raw;
	char *folded = strlen(line) > 78 ? g_mime_utils_unstructured_header_fold(NULL, options, line)
	                                 : NULL;
	put_crlf_lines(h, folded ? folded : line);
	g_free(folded);
	g_free(encoded);
	g_free(raw);
}

/* An address written as it is: ASCII letters, digits and the few signs
 * addresses use. Anything else (a quoted local part, a non-ASCII domain)
 * goes through GMime. */
static bool address_plain(const char *addr)
{
	if (!*addr)
		return false;
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr(".@-_+=!#$%&'*/?^`{|}~", *p))
			return false;
	return true;
}

/* Appends name (UTF-8) as one RFC 2047 word, "=?UTF-8?B?...?=", which may
 * be 75 columns long: false for a name of more than 45 bytes. */
static bool put_encoded_name(GString *line, const char *name)
{
	size_t len = strlen(name);
	if (len > 45)
		return false;
	char b64[(45 / 3 + 1) * 4 + 4]; /* the room g_base64_encode_step asks for */
	gint state = 0, save = 0;
	gsize n = g_base64_encode_step((const guchar *)name, len, FALSE, b64, &state, &save);
	n += g_base64_encode_close(FALSE, b64 + n, &state, &save);
	g_string_append_printf(line, "=?UTF-8?B?%.*s?=", (int)n, b64);
	return true;
}

/* Appends a display name as RFC 5322 and RFC 2047 allow it: as it is when
 * it is ASCII words of letters and digits, quoted when it is other ASCII,
 * an encoded word when it is not ASCII. false (nothing appended) for what
 * GMime writes: control characters, text not UTF-8, a long name. */
static bool put_name(GString *line, const char *name)
{
	bool atoms = *name != ' ', ascii = true;
	const char *p = name;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			return false;
		ascii = ascii && c < 0x80;
		if (!g_ascii_isalnum(c) && !(c == ' ' && p[1] != ' ' && p[1]) &&
		    !strchr("!#$%&'*+-/=?^_`{|}~", c))
			atoms = false;
	}
	if (!ascii)
		return g_utf8_validate(name, -1, NULL) && put_encoded_name(line, name);
	if (atoms) {
		g_string_append(line, name);
		return true;
	}
	g_string_append_c(line, '"');
	for (p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(line, '\\');
		g_string_append_c(line, *p);
	}
	g_string_append_c(line, '"');
	return true;
}

/* Appends one mailbox to piece; false when GMime must write it. */
static bool put_mailbox(GString *piece, InternetAddress *ia)
{
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	const char *name = internet_address_get_name(ia);
	if (!address_plain(addr))
		return false;
	if (!name || !*name) {
		g_string_append(piece, addr);
		return true;
	}
	if (!put_name(piece, name))
		return false;
	g_string_append_printf(piece, " <%s>", addr);
	return true;
}

/* Writes the mailboxes of list after "name: ", folded between mailboxes
 * so that no line passes 78 columns, as GMime would write them for a sixth
 * of the cost. false, with line as it was, for what GMime must write: a
 * mailbox that is not plain or too long for a line of its own. */
static bool put_plain_addresses(GString *line, InternetAddressList *list)
{
	size_t start = line->len, line_start = 0;
	GString *piece = g_string_sized_new(128);
	bool ok = true;
	int n = internet_address_list_length(list);
	for (int i = 0; ok && i < n; i++) {
		g_string_truncate(piece, 0);
		ok = put_mailbox(piece, internet_address_list_get_address(list, i));
		/* ", " or a fold after the comma, and the mailbox: within 78. */
		size_t col = line->len - line_start + (i > 0 ? 2 : 0);
		if (ok && i > 0 && col + piece->len > 78) {
			g_string_append(line, ",\n");
			line_start = line->len;
			g_string_append_c(line, '\t');
		} else if (i > 0) {
			g_string_append(line, ", ");
		}
		ok = ok && line->len - line_start + piece->len <= 78;
		g_string_append_len(line, piece->str, (gssize)piece->len);
	}
	g_string_free(piece, TRUE);
	if (!ok)
		g_string_truncate(line, start);
	return ok;
}

/* Appends "name: " and the addresses of list, encoded and folded. */
static void put_address_header(GString *h, GMimeFormatOptions *options, const char *name,
                               InternetAddressList *list)
{
	/* GMime folds from the start of the string it is given. */
	GString *line = g_string_new(name);
	g_string_append(line, ": ");
	if (!put_plain_addresses(line, list))
		internet_address_list_encode(list, options, line);
	put_crlf_lines(h, line->str);
	g_string_free(line, TRUE);
}

/* Checks one "Name: value" extra line and appends it to h. */
static int put_header_line(GString *h, GMimeFormatOptions *options, const char *line, size_t len,
                           char *err, size_t errlen)
{
	const char *colon = memchr(line, ':', len);
	size_t name_len = colon ? (size_t)(colon - line) : 0;
	char name[MAIL_HEADER_NAME_MAX + 1];
	if (!colon || !header_name_valid(line, name_len))
		return build_error(err, errlen, "malformed extra header line '%.*s'", (int)len,
		                   line);
	memcpy(name, line, name_len);
	name[name_len] = '\0';
	if (header_reserved(name))
		return build_error(err, errlen,
		                   "extra header '%s' would replace one set by the builder", name);
	const char *value = colon + 1;
	size_t value_len = len - name_len - 1;
	while (value_len && (*value == ' ' || *value == '\t'))
		value++, value_len--;
	put_text_header(h, options, name, value, value_len);
	return 0;
}

/* Appends every line of headers ("Name: value\r\n"...; a bare LF also ends a line). */
static int put_extra_headers(GString *h, GMimeFormatOptions *options, const char *headers,
                             char *err, size_t errlen)
{
	for (const char *p = headers; p && *p;) {
		size_t len = strcspn(p, "\r\n");
		if (len > 0 && put_header_line(h, options, p, len, err, errlen) < 0)
			return -1;
		p += len;
		p += strspn(p, "\r\n");
	}
	return 0;
}

/* Appends text quoted-printable (RFC 2045) with CRLF line ends. Its own
 * line ends (CRLF, LF or a lone CR) are hard breaks, as in the text; lines
 * longer than 76 columns get soft breaks. '=' is always encoded, so a
 * boundary beginning with "=-" cannot occur; so is the F of "From " at the
 * start of a line, which mbox files would mangle. Written here in one pass
 * into one buffer: GMime's encoder cost ten times as much per email. */
static void put_quoted_printable(GString *h, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(text);
	/* Each byte takes at most 3 columns, and each 73 columns a soft break. */
	size_t start = h->len, cap = len * 3 + (len * 3 / 73 + 2) * 3;
	g_string_set_size(h, start + cap);
	char *out = h->str + start;
	size_t o = 0, col = 0;
	for (size_t i = 0; i < len;) {
		/* "From " at a line start would be mangled by an mbox file. */
		if (col == 0 && text[i] == 'F' && strncmp(text + i, "From ", 5) == 0) {
			memcpy(out + o, "=46", 3);
			o += 3, col = 3, i++;
		}
		/* The bytes written as they are, up to the line's 75 columns. */
		size_t run = i, end = len - i < 75 - col ? len : i + 75 - col;
		while (run < end && qp_kind[(unsigned char)text[run]] == QP_LITERAL)
			run++;
		memcpy(out + o, text + i, run - i);
		o += run - i, col += run - i, i = run;
		if (i == len)
			break;
		unsigned char c = (unsigned char)text[i];
		int k = qp_kind[c];
		if (k == QP_LINE_END) {
			i += c == '\r' && text[i + 1] == '\n' ? 2 : 1;
			memcpy(out + o, "\r\n", 2);
			o += 2, col = 0;
			continue;
		}
		/* A blank before a line end would be lost to a relay that strips
		 * trailing blanks. */
		if (k == QP_BLANK && qp_kind[(unsigned char)text[i + 1]] == QP_LINE_END)
			k = QP_ENCODED;
		size_t width = k == QP_ENCODED ? 3 : 1;
		if (col + width > 75) { /* a soft break, and this byte again at the line start */
			memcpy(out + o, "=\r\n", 3);
			o += 3, col = 0;
			continue;
		}
		if (k == QP_ENCODED) {
			out[o++] = '=';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
		col += width, i++;
	}
	/* A soft break ends the last line: the CRLF before a boundary belongs
	 * to the boundary, and the text gains no line end it did not have. */
	if (col > 0) {
		memcpy(out + o, "=\r\n", 3);
		o += 3;
	}
	g_string_truncate(h, start + o);
}

/* Appends one text/<subtype> part's headers and content. */
static void put_text_part(GString *h, const char *subtype, const char *text)
{
	g_string_append_printf(h,
	                       "Content-Type: text/%s; charset=utf-8\r\n"
	                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	                       subtype);
	put_quoted_printable(h, text);
}

/* Appends the body: text alone, or text and HTML as alternatives (the last
 * one is what a client prefers, so HTML goes last). A boundary that begins
 * with "=-" cannot occur in quoted-printable text. */
static void put_body(GString *h, const char *text, const char *html)
{
	if (!html) {
		put_text_part(h, "plain", text);
		return;
	}
	char boundary[32];
	snprintf(boundary, sizeof boundary, "=-%08x%08x%08x", g_random_int(), g_random_int(),
	         g_random_int());
	g_string_append_printf(h, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n",
	                       boundary, boundary);
	put_text_part(h, "plain", text);
	g_string_append_printf(h, "\r\n--%s\r\n", boundary);
	put_text_part(h, "html", html);
	g_string_append_printf(h, "\r\n--%s--\r\n", boundary);
}

/* "Date: Tue, 14 Nov 2023 22:13:20 +0000", in English whatever the locale. */
static int put_date(GString *h, int64_t unix_seconds)
{
	static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)unix_seconds;
	struct tm tm;
	if (unix_seconds < 0 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
		return -1;
	g_string_append_printf(h, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	                       tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	                       tm.tm_min, tm.tm_sec);
	return 0;
}

/* Writes the whole email into h: the headers GMime would write, in the
 * same order, and the body. Building no object tree costs a tenth of the
 * time; GMime parses the addresses and writes what is not plain (encoded
 * subjects, long lists), the body's quoting and plain addresses are ours. */
static int message_write(GString *h, GMimeFormatOptions *options, const struct mail_message *m,
                         struct mail_envelope *env, char *err, size_t errlen)
{
	InternetAddressList *from = NULL, *to = NULL;
	InternetAddress *sender = mailbox_parse(m->from);
	int rc = 0;
	if (!sender) {
		rc = build_error(err, errlen, "From '%s' is not one address", m->from ? m->from : "");
		goto done;
	}
	if (!(to = mailbox_list_parse(m->to))) {
		rc = build_error(err, errlen, "To '%s' is not a list of addresses", m->to ? m->to : "");
		goto done;
	}
	if (env && envelope_fill(env, sender, to) < 0) {
		rc = build_error(err, errlen, "the envelope's addresses do not fit");
		goto done;
	}
	if (!m->message_id || !*m->message_id || strpbrk(m->message_id, "<> \r\n")) {
		rc = build_error(err, errlen, "bad Message-ID");
		goto done;
	}
	if (put_date(h, m->date) < 0) {
		rc = build_error(err, errlen, "bad date %lld", (long long)m->date);
		goto done;
	}
	from = internet_address_list_new();
	internet_address_list_add(from, sender);
	put_address_header(h, options, "From", from);
	const char *subject = m->subject ? m->subject : "";
	put_text_header(h, options, "Subject", subject, strlen(subject));
	put_address_header(h, options, "To", to);
	g_string_append_printf(h, "Message-Id: <%s>\r\n", m->message_id);
	rc = put_extra_headers(h, options, m->extra_headers, err, errlen);
	if (rc < 0)
		goto done;
	g_string_append(h, "MIME-Version: 1.0\r\n");
	put_body(h, m->text ? m->text : "", m->html);
done:
	if (from)
		g_object_unref(from);
	if (to)
		g_object_unref(to);
	if (sender)
		g_object_unref(sender);
	return rc;
}

int mail_message_build(const struct mail_message *m, buf *out, struct mail_envelope *env,
                       char *err, size_t errlen)
{
	mail_init();
	GMimeFormatOptions *options = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
	GString *h = g_string_sized_new(4096);
	int rc = message_write(h, options, m, env, err, errlen);
	if (rc == 0 && buf_append(out, h->str, h->len) != BUF_OK)
		rc = build_error(err, errlen, "the message is too big or memory ran out");
	g_string_free(h, TRUE);
	g_mime_format_options_free(options);
	return rc;
}
