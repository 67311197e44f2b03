#include "jobs/webhook_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "jobs/wakeup.h"
#include "mail/curl_lib.h"
#include "mail/message.h"

enum { PASS_MAX = 100 };

struct webhook_worker {
	struct webhook_worker_config config;
	char *db_url, *base_url;
	db *d;
	pthread_t thread;
	struct wakeup wakeup;
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The receiver's answer body is not kept: only its status matters. */
static size_t discard(char *data, size_t size, size_t n, void *user)
{
	(void)data;
	(void)user;
	return size * n;
}

/* Posts body to the delivery's URL. Returns the HTTP status (0 when there
 * was no answer, with a reason in error). */
static long post(const struct webhook_worker_config *c, const struct webhook_delivery_row *row,
                 const char *body, int64_t now, char *error, size_t errlen, int64_t *ms)
{
	if (curl_lib_load(error, errlen) < 0)
		return 0;
	CURL *curl = libcurl.curl_easy_init();
	if (!curl) {
		snprintf(error, errlen, "cannot start an HTTP client");
		return 0;
	}
	char signature[WEBHOOK_SIGNATURE_LEN + 1], line[160];
	webhook_sign(row->secret, now, body, signature);
	struct curl_slist *headers = libcurl.curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
	snprintf(line, sizeof line, "X-Chamado-Event: %s", row->event);
	headers = libcurl.curl_slist_append(headers, line);
	snprintf(line, sizeof line, "X-Chamado-Delivery: %lld", (long long)row->id);
	headers = libcurl.curl_slist_append(headers, line);
	snprintf(line, sizeof line, "X-Chamado-Timestamp: %lld", (long long)now);
	headers = libcurl.curl_slist_append(headers, line);
	snprintf(line, sizeof line, "X-Chamado-Signature: %s", signature);
	headers = libcurl.curl_slist_append(headers, line);
	headers = libcurl.curl_slist_append(headers, "Expect:");
	char curl_error[CURL_ERROR_SIZE] = "";
	libcurl.curl_easy_setopt(curl, CURLOPT_URL, row->url);
	libcurl.curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	libcurl.curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	libcurl.curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	libcurl.curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	libcurl.curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	libcurl.curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	libcurl.curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
	libcurl.curl_easy_setopt(curl, CURLOPT_USERAGENT, "Chamado-Webhooks/1");
	libcurl.curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	libcurl.curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	int64_t started = monotonic_ms();
	CURLcode rc = libcurl.curl_easy_perform(curl);
	*ms = monotonic_ms() - started;
	long status = 0;
	if (rc == CURLE_OK)
		libcurl.curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(error, errlen, "%s", curl_error[0] ? curl_error : libcurl.curl_easy_strerror(rc));
	libcurl.curl_slist_free_all(headers);
	libcurl.curl_easy_cleanup(curl);
	return status;
}

/* Sends one claimed delivery and records the outcome. 1 delivered, 0 not,
 * < 0 database error. */
static int send_one(db *d, const struct webhook_worker_config *c, int64_t id, arena *a)
{
	struct webhook_delivery_row row;
	int rc = webhook_delivery_get(d, id, a, &row);
	if (rc <= 0)
		return rc;
	const char *body = webhook_payload(d, &c->hooks, &row, a);
	if (!body)
		return DB_ERROR;
	char error[256] = "";
	int64_t ms = 0, now = (int64_t)time(NULL);
	long status = post(c, &row, body, now, error, sizeof error, &ms);
	rc = webhook_record(d, &c->hooks, &row, status, error, ms, (int64_t)time(NULL));
	if (rc < 0)
		return rc;
	return status >= 200 && status < 300;
}

static int send_due_pass(db *d, const struct webhook_worker_config *c, int64_t now, atomic_bool *stop,
                         int *claimed)
{
	int delivered = 0;
	*claimed = 0;
	arena *a = arena_new(16384);
	if (!a)
		return DB_NOMEM;
	while (*claimed < PASS_MAX && !(stop && atomic_load(stop))) {
		int64_t id;
		int n = webhook_claim_due(d, now, WEBHOOK_LEASE_S, 1, &id);
		if (n <= 0) {
			if (n < 0 && delivered == 0) {
				arena_free(a);
				return n;
			}
			break;
		}
		(*claimed)++;
		arena_reset(a);
		int rc = send_one(d, c, id, a);
		if (rc < 0)
			log_warn("webhooks: cannot record delivery %lld: %s", (long long)id, db_error(d));
		else
			delivered += rc;
	}
	arena_free(a);
	return delivered;
}

int webhook_send_due(db *d, const struct webhook_worker_config *c, int64_t now)
{
	int claimed;
	return send_due_pass(d, c, now, NULL, &claimed);
}

static void *worker_main(void *arg)
{
	webhook_worker *w = arg;
	bool failing = false;
	while (!atomic_load(&w->wakeup.stop)) {
		int claimed = 0;
		int rc = send_due_pass(w->d, &w->config, (int64_t)time(NULL), &w->wakeup.stop, &claimed);
		if (rc < 0 && !failing)
			log_error("webhooks: cannot read the queue: %s", db_error(w->d));
		failing = rc < 0;
		if (claimed < PASS_MAX)
			wakeup_wait(&w->wakeup, w->config.poll_ms);
	}
	return NULL;
}

static void worker_free(webhook_worker *w)
{
	if (!w)
		return;
	db_close(w->d);
	free(w->db_url);
	free(w->base_url);
	free(w);
}

webhook_worker *webhook_worker_start(const struct webhook_worker_config *c, char *err, size_t errlen)
{
	webhook_worker *w = calloc(1, sizeof *w);
	if (!w)
		goto nomem;
	w->config = *c;
	if (w->config.poll_ms <= 0)
		w->config.poll_ms = 1000;
	if (w->config.timeout_ms <= 0)
		w->config.timeout_ms = 10000;
	w->db_url = strdup(c->db_url ? c->db_url : "");
	w->base_url = strdup(c->hooks.base_url ? c->hooks.base_url : "");
	if (!w->db_url || !w->base_url)
		goto nomem;
	w->config.db_url = w->db_url;
	w->config.hooks.base_url = w->base_url;
	if (!(w->d = db_open(w->db_url, err, errlen)))
		goto fail;
	if (wakeup_thread_start(&w->wakeup, &w->thread, worker_main, w) < 0) {
		snprintf(err, errlen, "webhook sender: cannot start its thread");
		goto fail;
	}
	return w;
nomem:
	snprintf(err, errlen, "webhook sender: out of memory");
fail:
	worker_free(w);
	return NULL;
}

void webhook_worker_wake(webhook_worker *w)
{
	if (w)
		wakeup_wake(&w->wakeup);
}

void webhook_worker_stop(webhook_worker *w)
{
	if (!w)
		return;
	wakeup_thread_stop(&w->wakeup, w->thread);
	worker_free(w);
}
