#include "mail/message.h"

#include <curl/curl.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAIL_HEADER_NAME_MAX 76

static pthread_once_t mail_once = PTHREAD_ONCE_INIT;

static void mail_init_once(void)
{
	g_mime_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
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

/* Adds the mailboxes of the list in text to the To list of msg. */
static int add_mailboxes(GMimeMessage *msg, const char *text)
{
	InternetAddressList *list = mailbox_list_parse(text);
	if (!list)
		return -1;
	internet_address_list_append(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), list);
	g_object_unref(list);
	return 0;
}

/* Adds the mailbox in text to the From or To list of msg. */
static int add_mailbox(GMimeMessage *msg, GMimeAddressType type, const char *text)
{
	InternetAddress *ia = mailbox_parse(text);
	if (!ia)
		return -1;
	internet_address_list_add(g_mime_message_get_addresses(msg, type), ia);
	g_object_unref(ia);
	return 0;
}

/* A text/<subtype>; charset=utf-8 part, quoted-printable, holding text with
 * its line ends made LF (the writer turns them into CRLF). */
static GMimeObject *text_part_new(const char *subtype, const char *text)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
	GMimeStream *stream = g_mime_stream_mem_new();
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\r");
		g_mime_stream_write(stream, p, len);
		p += len;
		if (*p == '\r' && p[1] != '\n')
			g_mime_stream_write(stream, "\n", 1); /* a lone CR ends a line too */
		if (*p == '\r')
			p++;
	}
	g_mime_stream_reset(stream);
	GMimeDataWrapper *content =
	    g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(part), content);
	g_object_unref(content);
	g_object_unref(stream);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	return GMIME_OBJECT(part);
}

/* The body: text alone, or text and HTML as alternatives (the last one is
 * what a client prefers, so HTML goes last). The caller unrefs it. */
static GMimeObject *body_new(const char *text, const char *html)
{
	GMimeObject *plain = text_part_new("plain", text);
	if (!html)
		return plain;
	GMimeMultipart *alternative = g_mime_multipart_new_with_subtype("alternative");
	GMimeObject *rich = text_part_new("html", html);
	g_mime_multipart_add(alternative, plain);
	g_mime_multipart_add(alternative, rich);
	g_object_unref(plain);
	g_object_unref(rich);
	return GMIME_OBJECT(alternative);
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

/* Appends one "Name: value" line to msg's headers. */
static int add_header_line(GMimeMessage *msg, const char *line, size_t len, char *err,
                           size_t errlen)
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
	char *copy = g_strndup(value, value_len);
	g_mime_object_append_header(GMIME_OBJECT(msg), name, copy, "utf-8");
	g_free(copy);
	return 0;
}

/* Adds every line of headers ("Name: value\r\n"...; a bare LF also ends a line). */
static int add_extra_headers(GMimeMessage *msg, const char *headers, char *err, size_t errlen)
{
	for (const char *p = headers; p && *p;) {
		size_t len = strcspn(p, "\r\n");
		if (len > 0 && add_header_line(msg, p, len, err, errlen) < 0)
			return -1;
		p += len;
		p += strspn(p, "\r\n");
	}
	return 0;
}

/* Fills msg's headers and body from m. */
static int message_fill(GMimeMessage *msg, const struct mail_message *m, char *err, size_t errlen)
{
	if (add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, m->from) < 0)
		return build_error(err, errlen, "From '%s' is not one address",
		                   m->from ? m->from : "");
	if (add_mailboxes(msg, m->to) < 0)
		return build_error(err, errlen, "To '%s' is not a list of addresses", m->to ? m->to : "");
	g_mime_message_set_subject(msg, m->subject ? m->subject : "", "utf-8");
	GDateTime *date = g_date_time_new_from_unix_utc(m->date);
	if (!date)
		return build_error(err, errlen, "bad date %lld", (long long)m->date);
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	if (!m->message_id || !*m->message_id || strpbrk(m->message_id, "<> \r\n"))
		return build_error(err, errlen, "bad Message-ID");
	g_mime_message_set_message_id(msg, m->message_id);
	if (add_extra_headers(msg, m->extra_headers, err, errlen) < 0)
		return -1;
	GMimeObject *body = body_new(m->text ? m->text : "", m->html);
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);
	return 0;
}

int mail_message_build(const struct mail_message *m, buf *out, char *err, size_t errlen)
{
	mail_init();
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeFormatOptions *options = g_mime_format_options_new();
	char *bytes = NULL;
	int rc = message_fill(msg, m, err, errlen);
	if (rc < 0)
		goto done;
	g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
	bytes = g_mime_object_to_string(GMIME_OBJECT(msg), options);
	if (!bytes)
		rc = build_error(err, errlen, "the message could not be written");
	else if (buf_puts(out, bytes) != BUF_OK)
		rc = build_error(err, errlen, "the message is too big or memory ran out");
done:
	g_free(bytes);
	g_mime_format_options_free(options);
	g_object_unref(msg);
	return rc;
}
