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

/* One connection of a session and the email on it. */
struct lane {
	CURL *curl;
	struct smtp_email *email; /* NULL when idle */
	int cursor;               /* the next email of the array to look at */
	struct upload u;
	struct curl_slist *rcpt;
	char mail_from[SMTP_ADDRESS_MAX + 3];
	char curl_error[CURL_ERROR_SIZE];
};

struct smtp_session {
	CURLM *multi; /* holds the live connections, kept between emails */
	struct lane lanes[SMTP_LANES];
	char *server; /* of the batch under way (smtp_session_begin); NULL: none */
	bool tls_required;
	const char *refused; /* why the batch cannot go: its emails fail with it */
};

static void lane_finish(smtp_session *s, struct lane *l, CURLcode result);

smtp_session *smtp_session_new(char *err, size_t errlen)
{
	mail_init();
	if (curl_lib_load(err, errlen) < 0)
		return NULL;
	smtp_session *s = calloc(1, sizeof *s);
	bool ok = s && (s->multi = libcurl.curl_multi_init());
	for (int i = 0; ok && i < SMTP_LANES; i++)
		ok = (s->lanes[i].curl = libcurl.curl_easy_init()) != NULL;
	if (!ok) {
		smtp_session_free(s);
		smtp_error(err, errlen, "out of memory");
		return NULL;
	}
	return s;
}

void smtp_session_free(smtp_session *s)
{
	if (!s)
		return;
	for (int i = 0; i < SMTP_LANES; i++) {
		struct lane *l = &s->lanes[i];
		if (l->email) /* a batch begun and not finished */
			lane_finish(s, l, CURLE_ABORTED_BY_CALLBACK);
		if (l->curl)
			libcurl.curl_easy_cleanup(l->curl);
	}
	if (s->multi)
		libcurl.curl_multi_cleanup(s->multi);
	free(s->server);
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
	struct smtp_email e = {.from = from_address,
	                       .rcpt_addresses = rcpt_addresses,
	                       .rcpt_count = rcpt_count,
	                       .message = message,
	                       .len = len};
	int rc = smtp_session_send_all(s, url, &e, 1);
	if (rc < 0)
		smtp_error(err, errlen, e.err);
	return rc;
}

/* The server of url (its "?starttls=required" cut off) and whether TLS is
 * required; NULL when out of memory. The caller frees. */
static char *server_of(const char *url, bool *tls_required)
{
	char *server = strdup(url);
	if (!server)
		return NULL;
	size_t url_len = strlen(server);
	size_t option_len = strlen(SMTP_STARTTLS_REQUIRED);
	*tls_required = url_len > option_len &&
	                strcmp(server + url_len - option_len, SMTP_STARTTLS_REQUIRED) == 0;
	if (*tls_required)
		server[url_len - option_len] = '\0';
	return server;
}

static void email_failed(struct smtp_email *e, const char *reason)
{
	e->rc = -1;
	snprintf(e->err, sizeof e->err, "%s", reason);
}

static bool email_envelope_valid(const struct smtp_email *e)
{
	if (!envelope_address_valid(e->from) || e->rcpt_count < 1)
		return false;
	for (int i = 0; i < e->rcpt_count; i++)
		if (!envelope_address_valid(e->rcpt_addresses[i]))
			return false;
	return true;
}

/* Puts e on lane l's connection: true once its transfer is under way,
 * false with e->rc set when it cannot start. */
static bool lane_start(smtp_session *s, struct lane *l, struct smtp_email *e)
{
	if (!email_envelope_valid(e)) {
		email_failed(e, "bad envelope address");
		return false;
	}
	snprintf(l->mail_from, sizeof l->mail_from, "<%s>", e->from);
	l->rcpt = NULL;
	for (int i = 0; i < e->rcpt_count; i++) {
		char rcpt_to[SMTP_ADDRESS_MAX + 3];
		snprintf(rcpt_to, sizeof rcpt_to, "<%s>", e->rcpt_addresses[i]);
		struct curl_slist *more = libcurl.curl_slist_append(l->rcpt, rcpt_to);
		if (!more) {
			email_failed(e, "out of memory");
			return false;
		}
		l->rcpt = more;
	}
	l->u = (struct upload){e->message, e->len, 0};
	l->curl_error[0] = '\0';
	/* A reset forgets the last email's options, not the connection: the
	 * next email to the same server goes on one the session holds, without
	 * a new handshake. */
	libcurl.curl_easy_reset(l->curl);
	CURLcode rc = libcurl.curl_easy_setopt(l->curl, CURLOPT_ERRORBUFFER, l->curl_error);
	if (rc == CURLE_OK)
		rc = transfer_setup(l->curl, s->server, s->tls_required, l->rcpt, l->mail_from, &l->u);
	/* One refused address (a staff member gone) must not hold the email
	 * back from the others. */
	if (rc == CURLE_OK && e->rcpt_count > 1)
		rc = libcurl.curl_easy_setopt(l->curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	if (rc == CURLE_OK && libcurl.curl_multi_add_handle(s->multi, l->curl) != CURLM_OK)
		rc = CURLE_OUT_OF_MEMORY;
	if (rc != CURLE_OK) {
		email_failed(e, libcurl.curl_easy_strerror(rc));
		return false;
	}
	l->email = e;
	return true;
}

static void lane_finish(smtp_session *s, struct lane *l, CURLcode result)
{
	libcurl.curl_multi_remove_handle(s->multi, l->curl);
	if (result == CURLE_OK)
		l->email->rc = 0;
	else
		email_failed(l->email, l->curl_error[0] ? l->curl_error
		                                        : libcurl.curl_easy_strerror(result));
	libcurl.curl_slist_free_all(l->rcpt);
	l->rcpt = NULL;
	l->email = NULL;
}

/* Starts the next email of every idle lane; how many lanes are busy. */
static int lanes_start(smtp_session *s, struct smtp_email *emails, int n)
{
	int busy = 0;
	for (int i = 0; i < SMTP_LANES; i++) {
		struct lane *l = &s->lanes[i];
		while (!l->email && l->cursor < n) {
			struct smtp_email *e = &emails[l->cursor++];
			if (e->lane % SMTP_LANES != (unsigned)i)
				continue;
			if (s->refused)
				email_failed(e, s->refused);
			else
				lane_start(s, l, e);
		}
		busy += l->email != NULL;
	}
	return busy;
}

/* Ends every transfer under way with reason (the multi handle failed). */
static void lanes_abandon(smtp_session *s, const char *reason)
{
	for (int i = 0; i < SMTP_LANES; i++) {
		struct lane *l = &s->lanes[i];
		if (!l->email)
			continue;
		snprintf(l->curl_error, sizeof l->curl_error, "%s", reason);
		lane_finish(s, l, CURLE_SEND_ERROR);
	}
}

int smtp_session_begin(smtp_session *s, const char *url)
{
	free(s->server);
	s->server = NULL;
	s->refused = NULL;
	for (int i = 0; i < SMTP_LANES; i++)
		s->lanes[i].cursor = 0;
	if (!url || !*url)
		s->refused = "no SMTP URL";
	else if (!(s->server = server_of(url, &s->tls_required)))
		s->refused = "out of memory";
	return s->refused ? -1 : 0;
}

/* Moves every transfer under way as far as it goes without waiting (wait:
 * until one has news, at most a second); how many lanes are still busy. */
static int lanes_step(smtp_session *s, struct smtp_email *emails, int n, bool wait)
{
	int running = 0, finished = 0;
	CURLMcode mc = libcurl.curl_multi_perform(s->multi, &running);
	CURLMsg *m;
	int left;
	while (mc == CURLM_OK && (m = libcurl.curl_multi_info_read(s->multi, &left))) {
		for (int i = 0; m->msg == CURLMSG_DONE && i < SMTP_LANES; i++) {
			struct lane *l = &s->lanes[i];
			if (l->email && l->curl == m->easy_handle) {
				lane_finish(s, l, m->data.result);
				finished++;
			}
		}
	}
	/* A lane that finished starts its next email before any wait. */
	if (wait && mc == CURLM_OK && finished == 0 && running > 0)
		mc = libcurl.curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
	if (mc != CURLM_OK)
		lanes_abandon(s, libcurl.curl_multi_strerror(mc));
	return lanes_start(s, emails, n);
}

void smtp_session_advance(smtp_session *s, struct smtp_email *emails, int n)
{
	if (lanes_start(s, emails, n) > 0)
		lanes_step(s, emails, n, false);
}

int smtp_session_finish(smtp_session *s, struct smtp_email *emails, int n)
{
	int busy = lanes_start(s, emails, n);
	while (busy > 0)
		busy = lanes_step(s, emails, n, true);
	free(s->server);
	s->server = NULL;
	int result = 0;
	for (int i = 0; i < n; i++)
		result = emails[i].rc < 0 ? -1 : result;
	return result;
}

int smtp_session_send_all(smtp_session *s, const char *url, struct smtp_email *emails, int n)
{
	smtp_session_begin(s, url);
	return smtp_session_finish(s, emails, n);
}
