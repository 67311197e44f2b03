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

static void mail_init_once(void)
{
	g_mime_init();
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

int mail_addresses_of(const char *list, char (*out)[MAIL_ADDRESS_MAX], int max)
{
	mail_init();
	InternetAddressList *l = mailbox_list_parse(list);
	if (!l)
		return -1;
	int n = internet_address_list_length(l), rc = n <= max ? n : -1;
	for (int i = 0; i < n && rc > 0; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		if ((size_t)snprintf(out[i], MAIL_ADDRESS_MAX, "%s", addr) >= MAIL_ADDRESS_MAX)
			rc = -1;
	}
	g_object_unref(l);
	return rc;
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

/* Appends "name: " and the addresses of list, encoded and folded. */
static void put_address_header(GString *h, GMimeFormatOptions *options, const char *name,
                               InternetAddressList *list)
{
	/* GMime folds from the start of the string it is given. */
	GString *line = g_string_new(name);
	g_string_append(line, ": ");
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

/* Appends text quoted-printable with CRLF line ends. Its own line ends
 * (CRLF, LF or a lone CR) are hard breaks, as in the text. */
static void put_quoted_printable(GString *h, const char *text)
{
	size_t len = strlen(text);
	char *lf = g_malloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\r')
			lf[n++] = text[i];
		else if (text[i + 1] != '\n')
			lf[n++] = '\n'; /* a lone CR ends a line too */
	}
	char *qp = g_malloc(GMIME_QP_ENCODE_LEN(n) + 1);
	int state = -1;
	guint32 save = 0;
	size_t qlen = g_mime_encoding_quoted_encode_close((const unsigned char *)lf, n,
	                                                  (unsigned char *)qp, &state, &save);
	for (size_t i = 0; i < qlen;) {
		const char *nl = memchr(qp + i, '\n', qlen - i);
		size_t line = nl ? (size_t)(nl - (qp + i)) : qlen - i;
		g_string_append_len(h, qp + i, (gssize)line);
		if (!nl)
			break;
		g_string_append(h, "\r\n");
		i += line + 1;
	}
	g_free(qp);
	g_free(lf);
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
 * same order, and the body. GMime encodes the words, folds the lines and
 * quotes the text; building no object tree costs a tenth of the time. */
static int message_write(GString *h, GMimeFormatOptions *options, const struct mail_message *m,
                         char *err, size_t errlen)
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

int mail_message_build(const struct mail_message *m, buf *out, char *err, size_t errlen)
{
	mail_init();
	GMimeFormatOptions *options = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
	GString *h = g_string_sized_new(4096);
	int rc = message_write(h, options, m, err, errlen);
	if (rc == 0 && buf_append(out, h->str, h->len) != BUF_OK)
		rc = build_error(err, errlen, "the message is too big or memory ran out");
	g_string_free(h, TRUE);
	g_mime_format_options_free(options);
	return rc;
}
