#include "mail/smtp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>
#include <strings.h>

#include "mail/curl_lib.h"
#include "mail/message.h"
#include "mail/smtp_pipe.h"

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

/* One connection of a session and the email on it: libcurl's, or a
 * pipelined one of ours (smtp_pipe.h) when the server allows it. */
struct lane {
	CURL *curl;
	struct smtp_email *email; /* on curl; NULL when idle */
	smtp_pipe *pipe;          /* NULL: none open */
	const char *open_failed;  /* why the pipe would not open, for the batch's other emails */
	char open_error[SMTP_ERROR_MAX];
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
	/* Pipelining: whether the server takes it, learnt at the first
	 * connection and kept while the batches go to the same server. */
	enum { PIPE_UNKNOWN, PIPE_YES, PIPE_NO } pipe_mode;
	char pipe_server[512];
	char host[256];
	int port;
	char curl_error[SMTP_ERROR_MAX]; /* why libcurl could not be loaded */
};

static void lane_finish(smtp_session *s, struct lane *l, CURLcode result);

smtp_session *smtp_session_new(char *err, size_t errlen)
{
	mail_init();
	smtp_session *s = calloc(1, sizeof *s);
	if (!s)
		smtp_error(err, errlen, "out of memory");
	return s;
}

/* libcurl and the session's handles, at the first email that goes through
 * it: a session whose server pipelines never loads it (some 3 MB of
 * resident pages with its TLS libraries). NULL when ready, else why not. */
static const char *session_curl(smtp_session *s)
{
	if (s->multi)
		return NULL;
	if (curl_lib_load(s->curl_error, sizeof s->curl_error) < 0)
		return s->curl_error;
	bool ok = (s->multi = libcurl.curl_multi_init()) != NULL;
	for (int i = 0; ok && i < SMTP_LANES; i++)
		ok = (s->lanes[i].curl = libcurl.curl_easy_init()) != NULL;
	if (ok)
		return NULL;
	for (int i = 0; i < SMTP_LANES; i++) {
		if (s->lanes[i].curl)
			libcurl.curl_easy_cleanup(s->lanes[i].curl);
		s->lanes[i].curl = NULL;
	}
	if (s->multi)
		libcurl.curl_multi_cleanup(s->multi);
	s->multi = NULL;
	return "out of memory";
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
		smtp_pipe_close(l->pipe);
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
	const char *no_curl = session_curl(s);
	if (no_curl) {
		email_failed(e, no_curl);
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

/* Whether lane l has an email under way, on either kind of connection. */
static bool lane_busy(const struct lane *l)
{
	return l->email || (l->pipe && !smtp_pipe_idle(l->pipe));
}

/* The next email of lane i in the array, its cursor moved past it; NULL
 * when the lane has none left. */
static struct smtp_email *lane_next(struct lane *l, int i, struct smtp_email *emails, int n)
{
	while (l->cursor < n) {
		struct smtp_email *e = &emails[l->cursor++];
		if (e->lane % SMTP_LANES == (unsigned)i)
			return e;
	}
	return NULL;
}

/* A pipe on lane l that is open and still held by the server, opened now
 * if need be; NULL when e goes by libcurl (the server does not pipeline)
 * or has failed (no connection). */
static smtp_pipe *lane_pipe(smtp_session *s, struct lane *l, struct smtp_email *e)
{
	if (l->pipe && !smtp_pipe_alive(l->pipe)) {
		smtp_pipe_close(l->pipe);
		l->pipe = NULL;
	}
	if (l->pipe)
		return l->pipe;
	if (l->open_failed) {
		email_failed(e, l->open_failed);
		return NULL;
	}
	switch (smtp_pipe_open(s->host, s->port, SMTP_CONNECT_TIMEOUT_S, SMTP_TIMEOUT_S, &l->pipe,
	                       l->open_error, sizeof l->open_error)) {
	case SMTP_PIPE_OPEN:
		s->pipe_mode = PIPE_YES;
		return l->pipe;
	case SMTP_PIPE_UNSUITED:
		s->pipe_mode = PIPE_NO;
		lane_start(s, l, e);
		return NULL;
	case SMTP_PIPE_FAILED:
		break;
	}
	l->open_failed = l->open_error;
	email_failed(e, l->open_failed);
	return NULL;
}

/* Starts what lane i's pipe can take now: the commands of its next email. */
static void lane_start_piped(smtp_session *s, int i, struct smtp_email *emails, int n)
{
	struct lane *l = &s->lanes[i];
	while (!l->email && (!l->pipe || smtp_pipe_can_take(l->pipe)) && s->pipe_mode != PIPE_NO) {
		struct smtp_email *e = lane_next(l, i, emails, n);
		if (!e)
			return;
		if (s->refused) {
			email_failed(e, s->refused);
		} else if (!email_envelope_valid(e)) {
			email_failed(e, "bad envelope address");
		} else {
			smtp_pipe *p = lane_pipe(s, l, e);
			if (p)
				smtp_pipe_start(p, e);
		}
	}
}

/* Starts the next email of every lane that can take one; how many lanes
 * are busy. A lane's emails go one after another in the array's order, on
 * libcurl only once its pipe has nothing left under way. */
static int lanes_start(smtp_session *s, struct smtp_email *emails, int n)
{
	int busy = 0;
	for (int i = 0; i < SMTP_LANES; i++) {
		struct lane *l = &s->lanes[i];
		if (s->pipe_mode != PIPE_NO && *s->host && !s->refused)
			lane_start_piped(s, i, emails, n);
		while (!l->email && (!l->pipe || smtp_pipe_idle(l->pipe))) {
			struct smtp_email *e = lane_next(l, i, emails, n);
			if (!e)
				break;
			if (s->refused)
				email_failed(e, s->refused);
			else
				lane_start(s, l, e);
		}
		busy += lane_busy(l);
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

/* Whether server is "smtp://host[:port][/]", with no user, domain or
 * options: then host and port are filled, for a pipelined connection. */
static bool plain_server(const char *server, char *host, size_t hostlen, int *port)
{
	if (strncasecmp(server, "smtp://", 7) != 0)
		return false;
	const char *h = server + 7, *end = h + strcspn(h, "/?#@");
	if (*end == '@' || *end == '?' || *end == '#' || (*end == '/' && end[1]))
		return false;
	const char *colon = NULL;
	if (*h == '[') { /* an IPv6 address */
		const char *close = memchr(h, ']', (size_t)(end - h));
		if (!close)
			return false;
		colon = close[1] == ':' ? close + 1 : NULL;
		if (!colon && close + 1 != end)
			return false;
		snprintf(host, hostlen, "%.*s", (int)(close - h - 1), h + 1);
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		snprintf(host, hostlen, "%.*s", (int)((colon ? colon : end) - h), h);
	}
	*port = 25;
	if (colon) {
		char *stop;
		long p = strtol(colon + 1, &stop, 10);
		if (stop != end || p < 1 || p > 65535)
			return false;
		*port = (int)p;
	}
	return *host != '\0';
}

/* Closes the pipes: the server changed, or it does not take pipelining. */
static void pipes_close(smtp_session *s)
{
	for (int i = 0; i < SMTP_LANES; i++) {
		smtp_pipe_close(s->lanes[i].pipe);
		s->lanes[i].pipe = NULL;
	}
}

int smtp_session_begin(smtp_session *s, const char *url)
{
	free(s->server);
	s->server = NULL;
	s->refused = NULL;
	for (int i = 0; i < SMTP_LANES; i++) {
		s->lanes[i].cursor = 0;
		s->lanes[i].open_failed = NULL;
	}
	if (!url || !*url)
		s->refused = "no SMTP URL";
	else if (!(s->server = server_of(url, &s->tls_required)))
		s->refused = "out of memory";
	if (s->refused)
		return -1;
	if (strcmp(s->pipe_server, s->server) != 0) {
		pipes_close(s);
		s->pipe_mode = PIPE_UNKNOWN;
		snprintf(s->pipe_server, sizeof s->pipe_server, "%s", s->server);
		if (s->tls_required || strlen(s->server) >= sizeof s->pipe_server ||
		    !plain_server(s->server, s->host, sizeof s->host, &s->port))
			s->host[0] = '\0';
	}
	if (s->pipe_mode == PIPE_NO)
		pipes_close(s);
	return 0;
}

/* Reads what came on every busy pipe after a poll (fds, in lane order).
 * Without one (fds NULL), only on the pipes whose commands wait for DATA's
 * answer, which lets their next email go; the rest waits for a poll. */
static void pipes_read(smtp_session *s, const struct pollfd *fds)
{
	int k = 0;
	for (int i = 0; i < SMTP_LANES; i++) {
		smtp_pipe *p = s->lanes[i].pipe;
		if (!p || smtp_pipe_idle(p))
			continue;
		if (fds)
			smtp_pipe_read(p, fds[k++].revents);
		else if (!smtp_pipe_can_take(p))
			smtp_pipe_read(p, POLLIN);
	}
}

/* Writes what the pipes have queued. Without all, an email's content
 * waits until its lane's next commands join it (one write, and one wake of
 * the server, for both), or until the batch is finished. */
static void pipes_flush(smtp_session *s, bool all)
{
	for (int i = 0; i < SMTP_LANES; i++) {
		smtp_pipe *p = s->lanes[i].pipe;
		if (p && (all || !smtp_pipe_can_take(p)))
			smtp_pipe_flush(p);
	}
}

/* The busy pipes' fds, in lane order; how many. */
static int pipes_pollfds(smtp_session *s, struct pollfd *fds)
{
	int k = 0;
	for (int i = 0; i < SMTP_LANES; i++) {
		struct lane *l = &s->lanes[i];
		if (l->pipe && !smtp_pipe_idle(l->pipe))
			fds[k++] = (struct pollfd){.fd = smtp_pipe_fd(l->pipe),
			                           .events = smtp_pipe_events(l->pipe)};
	}
	return k;
}

/* Moves every transfer under way as far as it goes without waiting (wait:
 * until one has news, at most a second); how many lanes are still busy. */
static int lanes_step(smtp_session *s, struct smtp_email *emails, int n, bool wait)
{
	int running = 0, finished = 0, curl_busy = 0;
	for (int i = 0; i < SMTP_LANES; i++)
		curl_busy += s->lanes[i].email != NULL;
	CURLMcode mc = CURLM_OK;
	if (curl_busy)
		mc = libcurl.curl_multi_perform(s->multi, &running);
	CURLMsg *m;
	int left;
	while (curl_busy && mc == CURLM_OK && (m = libcurl.curl_multi_info_read(s->multi, &left))) {
		for (int i = 0; m->msg == CURLMSG_DONE && i < SMTP_LANES; i++) {
			struct lane *l = &s->lanes[i];
			if (l->email && l->curl == m->easy_handle) {
				lane_finish(s, l, m->data.result);
				finished++;
			}
		}
	}
	struct curl_waitfd extra[SMTP_LANES];
	struct pollfd fds[SMTP_LANES];
	int nfds = pipes_pollfds(s, fds);
	/* A lane that finished starts its next email before any wait. */
	bool polled = false;
	if (wait && finished == 0 && running > 0 && mc == CURLM_OK) {
		for (int k = 0; k < nfds; k++)
			extra[k] = (struct curl_waitfd){.fd = fds[k].fd, .events = fds[k].events};
		mc = libcurl.curl_multi_poll(s->multi, extra, (unsigned)nfds, 1000, NULL);
		polled = mc == CURLM_OK;
		for (int k = 0; polled && k < nfds; k++)
			fds[k].revents = extra[k].revents;
	} else if (wait && finished == 0 && nfds > 0) {
		polled = poll(fds, (nfds_t)nfds, 1000) >= 0;
	}
	if (mc != CURLM_OK)
		lanes_abandon(s, libcurl.curl_multi_strerror(mc));
	pipes_read(s, polled ? fds : NULL);
	lanes_start(s, emails, n);
	pipes_flush(s, wait);
	int busy = 0;
	for (int i = 0; i < SMTP_LANES; i++)
		busy += lane_busy(&s->lanes[i]);
	return busy;
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
