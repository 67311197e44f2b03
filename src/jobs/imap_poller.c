#include "jobs/imap_poller.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "mail/curl_lib.h"
#include "mail/mail_in.h"
#include "mail/message.h"

#define IMAP_RESPONSE_MAX (1u << 20) /* EXAMINE and SEARCH answers */
#define IMAP_URL_MAX 2048
#define IMAP_MAILBOXES_MAX 64

int64_t imap_last_uid_after(int64_t last_uid, const int64_t *uids, const bool *taken, int n)
{
	for (int i = 0; i < n && taken[i]; i++)
		if (uids[i] > last_uid)
			last_uid = uids[i];
	return last_uid;
}

int64_t imap_parse_uidvalidity(const char *response)
{
	const char *p = response ? strstr(response, "[UIDVALIDITY ") : NULL;
	if (!p)
		return 0;
	p += strlen("[UIDVALIDITY ");
	char *end = NULL;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (errno || end == p || *end != ']' || v <= 0 || v > 0xFFFFFFFFLL)
		return 0;
	return v;
}

static int uid_compare(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int imap_parse_search(const char *response, int64_t after, int64_t *uids, int max)
{
	int n = 0;
	for (const char *line = response; line && *line && n < max;) {
		size_t len = strcspn(line, "\r\n");
		if (len > 9 && strncmp(line, "* SEARCH ", 9) == 0) {
			const char *p = line + 9;
			const char *end = line + len;
			while (p < end && n < max) {
				char *stop = NULL;
				errno = 0;
				long long v = strtoll(p, &stop, 10);
				if (stop == p)
					break;
				if (!errno && v > after && v <= 0xFFFFFFFFLL)
					uids[n++] = v;
				p = stop;
				while (p < end && *p == ' ')
					p++;
			}
		}
		line += len;
		line += strspn(line, "\r\n");
	}
	qsort(uids, (size_t)n, sizeof *uids, uid_compare);
	int unique = 0;
	for (int i = 0; i < n; i++)
		if (unique == 0 || uids[unique - 1] != uids[i])
			uids[unique++] = uids[i];
	return unique;
}

int imap_mailbox_key(const char *url, char *out, size_t outlen)
{
	if (curl_lib_load(NULL, 0) < 0)
		return -1;
	CURLU *u = libcurl.curl_url();
	char *scheme = NULL, *text = NULL;
	int rc = -1;
	if (u && libcurl.curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    libcurl.curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "imap") == 0 || strcmp(scheme, "imaps") == 0) &&
	    libcurl.curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    libcurl.curl_url_get(u, CURLUPART_URL, &text, 0) == CURLUE_OK &&
	    (size_t)snprintf(out, outlen, "%s", text) < outlen)
		rc = 0;
	libcurl.curl_free(scheme);
	libcurl.curl_free(text);
	libcurl.curl_url_cleanup(u);
	return rc;
}

/* ---- one pass over one mailbox ------------------------------------------- */

struct pass {
	db *d;
	const struct mailer *m;
	CURL *curl;
	CURLU *url;          /* the mailbox's URL; its path is changed per command */
	char mailbox[512];   /* the mailbox name (path without '/'), "INBOX" by default */
	char key[IMAP_URL_MAX];
	int64_t uidvalidity, last_uid, now;
	buf response;
	char *err;
	size_t errlen;
	enum imap_pass_state state;
};

static size_t on_data(char *data, size_t size, size_t n, void *userdata)
{
	buf *b = userdata;
	/* Past the cap the transfer stops; the caller sees a full buffer. */
	return buf_append(b, data, size * n) == BUF_OK ? size * n : 0;
}

static int pass_fail(struct pass *p, const char *what, CURLcode rc)
{
	snprintf(p->err, p->errlen, "%s: %s: %s", p->key, what, libcurl.curl_easy_strerror(rc));
	p->state = IMAP_FAILED;
	return -1;
}

/* Runs one request on path (NULL: the server root) with an optional custom
 * command, answers into p->response (capped at max). */
static CURLcode request(struct pass *p, const char *path, const char *command, size_t max)
{
	buf_free(&p->response);
	buf_init(&p->response, max);
	char *text = NULL;
	if (libcurl.curl_url_set(p->url, CURLUPART_PATH, path ? path : "/", 0) != CURLUE_OK ||
	    libcurl.curl_url_get(p->url, CURLUPART_URL, &text, 0) != CURLUE_OK)
		return CURLE_URL_MALFORMAT;
	libcurl.curl_easy_setopt(p->curl, CURLOPT_URL, text);
	libcurl.curl_easy_setopt(p->curl, CURLOPT_CUSTOMREQUEST, command);
	libcurl.curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, &p->response);
	CURLcode rc = libcurl.curl_easy_perform(p->curl);
	libcurl.curl_free(text);
	return rc;
}

static int pass_examine(struct pass *p)
{
	char command[600];
	snprintf(command, sizeof command, "EXAMINE \"%s\"", p->mailbox);
	CURLcode rc = request(p, "/", command, IMAP_RESPONSE_MAX);
	if (rc != CURLE_OK)
		return pass_fail(p, "EXAMINE", rc);
	p->uidvalidity = imap_parse_uidvalidity(buf_str(&p->response));
	if (p->uidvalidity <= 0) {
		snprintf(p->err, p->errlen, "%s: no UIDVALIDITY in the EXAMINE answer", p->key);
		p->state = IMAP_FAILED;
		return -1;
	}
	int64_t last = inbound_mailbox_last_uid(p->d, p->key, p->uidvalidity);
	if (last < 0) {
		snprintf(p->err, p->errlen, "%s: database: %s", p->key, db_error(p->d));
		p->state = IMAP_FAILED;
		return -1;
	}
	p->last_uid = last;
	p->state = IMAP_SEARCH;
	return 0;
}

static int pass_fetch_one(struct pass *p, int64_t uid, struct imap_poll_stats *st, bool *taken)
{
	*taken = false;
	size_t max = inbound_max_bytes(p->d);
	char path[700];
	snprintf(path, sizeof path, "/%s;UIDVALIDITY=%lld;UID=%lld", p->mailbox,
	         (long long)p->uidvalidity, (long long)uid);
	CURLcode rc = request(p, path, NULL, max + 1);
	/* Stopped at the cap: a message too big, which mail_in refuses. */
	bool too_big = rc == CURLE_WRITE_ERROR && p->response.len == max;
	if (rc != CURLE_OK && !too_big)
		return pass_fail(p, "FETCH", rc);
	st->fetched++;
	struct mail_in_options o = {.mailer = p->m, .source = p->key, .now = p->now};
	struct inbound_result r;
	size_t len = too_big ? max + 1 : p->response.len;
	int drc = too_big ? mail_in_deliver(p->d, &o, p->response.data, len, &r)
	                  : mail_in_deliver(p->d, &o, p->response.len ? p->response.data : "", len, &r);
	if (drc < 0) {
		snprintf(p->err, p->errlen, "%s: UID %lld not stored: %s", p->key, (long long)uid,
		         r.reason);
		p->state = IMAP_FAILED;
		return -1;
	}
	log_info("imap: %s UID %lld: %s", p->key, (long long)uid, r.reason);
	st->delivered++;
	*taken = true;
	return 0;
}

static int pass_search_and_fetch(struct pass *p, struct imap_poll_stats *st)
{
	char command[80], path[600];
	snprintf(command, sizeof command, "UID SEARCH UID %lld:*", (long long)p->last_uid + 1);
	snprintf(path, sizeof path, "/%s", p->mailbox);
	CURLcode rc = request(p, path, command, IMAP_RESPONSE_MAX);
	if (rc != CURLE_OK)
		return pass_fail(p, "SEARCH", rc);
	int64_t uids[IMAP_PASS_MAX];
	bool taken[IMAP_PASS_MAX];
	int n = imap_parse_search(buf_str(&p->response), p->last_uid, uids, IMAP_PASS_MAX);
	p->state = n > 0 ? IMAP_FETCH : IMAP_DONE;
	int i = 0;
	for (; i < n && p->state == IMAP_FETCH; i++)
		if (pass_fetch_one(p, uids[i], st, &taken[i]) < 0)
			break;
	int64_t last = imap_last_uid_after(p->last_uid, uids, taken, i);
	if (last > p->last_uid &&
	    inbound_mailbox_set_last_uid(p->d, p->key, p->uidvalidity, last, p->now) < 0) {
		snprintf(p->err, p->errlen, "%s: database: %s", p->key, db_error(p->d));
		p->state = IMAP_FAILED;
	}
	if (p->state == IMAP_FETCH)
		p->state = IMAP_DONE;
	return p->state == IMAP_DONE ? 0 : -1;
}

/* The mailbox name of the URL's path ("INBOX" when none), decoded. */
static int pass_mailbox_name(struct pass *p)
{
	char *path = NULL;
	if (libcurl.curl_url_get(p->url, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK)
		return -1;
	const char *name = path + strspn(path, "/");
	size_t n = strcspn(name, ";/");
	snprintf(p->mailbox, sizeof p->mailbox, "%.*s", (int)n, n ? name : "INBOX");
	libcurl.curl_free(path);
	for (const char *c = p->mailbox; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			return -1;
	return 0;
}

int imap_poll_mailbox(db *d, const struct mailer *m, const char *url, int64_t now,
                      struct imap_poll_stats *st, char *err, size_t errlen)
{
	mail_init();
	if (curl_lib_load(err, errlen) < 0) {
		st->failed++;
		return -1;
	}
	struct pass p = {.d = d, .m = m, .now = now, .err = err, .errlen = errlen,
	                 .state = IMAP_EXAMINE};
	buf_init(&p.response, IMAP_RESPONSE_MAX);
	int rc = -1;
	if (imap_mailbox_key(url, p.key, sizeof p.key) < 0) {
		snprintf(err, errlen, "not an imap:// or imaps:// URL");
		goto done;
	}
	p.url = libcurl.curl_url();
	p.curl = libcurl.curl_easy_init();
	if (!p.url || !p.curl || libcurl.curl_url_set(p.url, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    pass_mailbox_name(&p) < 0) {
		snprintf(err, errlen, "%s: bad mailbox URL", p.key);
		goto done;
	}
	libcurl.curl_easy_setopt(p.curl, CURLOPT_WRITEFUNCTION, on_data);
	libcurl.curl_easy_setopt(p.curl, CURLOPT_NOSIGNAL, 1L);
	libcurl.curl_easy_setopt(p.curl, CURLOPT_CONNECTTIMEOUT, 15L);
	libcurl.curl_easy_setopt(p.curl, CURLOPT_TIMEOUT, 300L);
	libcurl.curl_easy_setopt(p.curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	if (pass_examine(&p) == 0)
		rc = pass_search_and_fetch(&p, st);
done:
	if (rc < 0)
		st->failed++;
	buf_free(&p.response);
	if (p.curl)
		libcurl.curl_easy_cleanup(p.curl);
	libcurl.curl_url_cleanup(p.url);
	return rc;
}

int imap_poll_all(db *d, const struct mailer *m, int64_t now, struct imap_poll_stats *st)
{
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	struct mail_mailbox_row rows[IMAP_MAILBOXES_MAX];
	int n = inbound_mailboxes(d, a, rows, IMAP_MAILBOXES_MAX);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		char err[1024];
		if (imap_poll_mailbox(d, m, rows[i].url, now, st, err, sizeof err) < 0) {
			log_warn("imap: %s", err);
			failed++;
		}
	}
	arena_free(a);
	return n < 0 ? n : failed;
}

/* ---- the thread ---------------------------------------------------------- */

struct imap_poller {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool stop;
	db *d;
	const struct mailer *m;
	int interval_s;
};

static void *poller_main(void *arg)
{
	imap_poller *p = arg;
	while (!atomic_load(&p->stop)) {
		struct imap_poll_stats st = {0};
		if (imap_poll_all(p->d, p->m, (int64_t)time(NULL), &st) < 0)
			log_error("imap: cannot read the mailboxes: %s", db_error(p->d));
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += p->interval_s;
		pthread_mutex_lock(&p->lock);
		while (!atomic_load(&p->stop) &&
		       pthread_cond_timedwait(&p->cond, &p->lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

imap_poller *imap_poller_start(const char *db_url, const struct mailer *m, int interval_s,
                               char *err, size_t errlen)
{
	mail_init();
	imap_poller *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "imap poller: out of memory");
		return NULL;
	}
	p->m = m;
	p->interval_s = interval_s > 0 ? interval_s : 60;
	atomic_init(&p->stop, false);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	bool sync = pthread_cond_init(&p->cond, &attr) == 0;
	pthread_condattr_destroy(&attr);
	if (!sync || pthread_mutex_init(&p->lock, NULL) != 0) {
		snprintf(err, errlen, "imap poller: cannot create its lock");
		free(p);
		return NULL;
	}
	if (!(p->d = db_open(db_url, err, errlen)) ||
	    pthread_create(&p->thread, NULL, poller_main, p) != 0) {
		if (p->d)
			snprintf(err, errlen, "imap poller: cannot start its thread");
		db_close(p->d);
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void imap_poller_stop(imap_poller *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->stop, true);
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	db_close(p->d);
	free(p);
}
