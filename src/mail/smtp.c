#include "mail/smtp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/curl_lib.h"
#include "mail/message.h"

#define SMTP_STARTTLS_REQUIRED "?starttls=required"
#define SMTP_ADDRESS_MAX 320

/* The bytes still to upload. */
struct upload {
	const char *data;
	size_t len;
	size_t sent;
};

static size_t upload_read(char *to, size_t size, size_t count, void *userdata)
{
	struct upload *u = userdata;
	size_t room = size * count;
	size_t left = u->len - u->sent;
	size_t n = left < room ? left : room;
	memcpy(to, u->data + u->sent, n);
	u->sent += n;
	return n;
}

static int smtp_error(char *err, size_t errlen, const char *reason)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", reason);
	return -1;
}

/* A bare address a server will take in MAIL FROM or RCPT TO. */
static bool envelope_address_valid(const char *address)
{
	return address && *address && strlen(address) <= SMTP_ADDRESS_MAX && strchr(address, '@') &&
	       !strpbrk(address, "<> \r\n\t");
}

/* Sets every option of one transfer; CURLE_OK or the first failure. */
static CURLcode transfer_setup(CURL *curl, const char *url, bool tls_required,
                               struct curl_slist *rcpt, const char *mail_from, struct upload *u)
{
	CURLcode rc = CURLE_OK;
#define SET(option, value)                                                                         \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = libcurl.curl_easy_setopt(curl, option, value);                                \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_USE_SSL, tls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	SET(CURLOPT_MAIL_FROM, mail_from);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_READFUNCTION, upload_read);
	SET(CURLOPT_READDATA, u);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
	SET(CURLOPT_CONNECTTIMEOUT, (long)SMTP_CONNECT_TIMEOUT_S);
	SET(CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT_S);
	SET(CURLOPT_NOSIGNAL, 1L);
#undef SET
	return rc;
}

struct smtp_session {
	CURL *curl; /* its live connection, kept between emails */
};

smtp_session *smtp_session_new(char *err, size_t errlen)
{
	mail_init();
	if (curl_lib_load(err, errlen) < 0)
		return NULL;
	smtp_session *s = calloc(1, sizeof *s);
	if (s && !(s->curl = libcurl.curl_easy_init())) {
		free(s);
		s = NULL;
	}
	if (!s)
		smtp_error(err, errlen, "out of memory");
	return s;
}

void smtp_session_free(smtp_session *s)
{
	if (!s)
		return;
	libcurl.curl_easy_cleanup(s->curl);
	free(s);
}

int smtp_send(const char *url, const char *from_address, const char *rcpt_address,
              const char *message, size_t len, char *err, size_t errlen)
{
	return smtp_send_many(url, from_address, &rcpt_address, 1, message, len, err, errlen);
}

int smtp_send_many(const char *url, const char *from_address, const char *const *rcpt_addresses,
                   int rcpt_count, const char *message, size_t len, char *err, size_t errlen)
{
	smtp_session *s = smtp_session_new(err, errlen);
	if (!s)
		return -1;
	int rc = smtp_session_send(s, url, from_address, rcpt_addresses, rcpt_count, message, len,
	                           err, errlen);
	smtp_session_free(s);
	return rc;
}

int smtp_session_send(smtp_session *s, const char *url, const char *from_address,
                      const char *const *rcpt_addresses, int rcpt_count, const char *message,
                      size_t len, char *err, size_t errlen)
{
	if (!url || !*url)
		return smtp_error(err, errlen, "no SMTP URL");
	if (!envelope_address_valid(from_address) || rcpt_count < 1)
		return smtp_error(err, errlen, "bad envelope address");
	for (int i = 0; i < rcpt_count; i++)
		if (!envelope_address_valid(rcpt_addresses[i]))
			return smtp_error(err, errlen, "bad envelope address");
	char mail_from[SMTP_ADDRESS_MAX + 3];
	snprintf(mail_from, sizeof mail_from, "<%s>", from_address);
	char curl_error[CURL_ERROR_SIZE] = "";
	struct upload u = {message, len, 0};
	int result = -1;
	char *server = strdup(url);
	struct curl_slist *rcpt = NULL;
	bool rcpt_ok = true;
	for (int i = 0; i < rcpt_count && rcpt_ok; i++) {
		char rcpt_to[SMTP_ADDRESS_MAX + 3];
		snprintf(rcpt_to, sizeof rcpt_to, "<%s>", rcpt_addresses[i]);
		struct curl_slist *more = libcurl.curl_slist_append(rcpt, rcpt_to);
		rcpt_ok = more != NULL;
		rcpt = more ? more : rcpt;
	}
	if (!server || !rcpt_ok) {
		smtp_error(err, errlen, "out of memory");
		goto done;
	}
	size_t url_len = strlen(server);
	size_t option_len = strlen(SMTP_STARTTLS_REQUIRED);
	bool tls_required = url_len > option_len &&
	                    strcmp(server + url_len - option_len, SMTP_STARTTLS_REQUIRED) == 0;
	if (tls_required)
		server[url_len - option_len] = '\0';
	/* A reset forgets the last email's options, not its connection: the
	 * next email to the same server goes on it, without a new handshake. */
	libcurl.curl_easy_reset(s->curl);
	libcurl.curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, curl_error);
	CURLcode rc = transfer_setup(s->curl, server, tls_required, rcpt, mail_from, &u);
	/* One refused address (a staff member gone) must not hold the email
	 * back from the others. */
	if (rc == CURLE_OK && rcpt_count > 1)
		rc = libcurl.curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	if (rc == CURLE_OK)
		rc = libcurl.curl_easy_perform(s->curl);
	if (rc == CURLE_OK)
		result = 0;
	else
		smtp_error(err, errlen, curl_error[0] ? curl_error : libcurl.curl_easy_strerror(rc));
	/* The buffer is on this stack: curl must not keep it. */
	libcurl.curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, NULL);
done:
	libcurl.curl_slist_free_all(rcpt);
	free(server);
	return result;
}
