#include "jobs/outbox_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "domain/outbox.h"
#include "domain/token.h"
#include "jobs/wakeup.h"
#include "mail/message.h"
#include "mail/smtp.h"

#define OUTBOX_PASS_MAX 1000           /* emails tried in one pass at most */
/* Emails claimed, and their outcomes written, at once. A sender killed
 * between sending and writing sends these few again after its restart (at
 * least once, never lost; an .eml is written again under the same name). */
#define OUTBOX_BATCH 16
#define OUTBOX_MESSAGE_MAX (64u << 20) /* bytes of one built email */
#define OUTBOX_ERROR_MAX 512
#define OUTBOX_ADDRESS_MAX 320
#define OUTBOX_RECIPIENTS_MAX 64 /* the staff of a department told in one email */
#define OUTBOX_PATH_MAX 4096
#define OUTBOX_DEFAULT_FROM "chamado@localhost"

/* c with every unset field given its default. */
static struct outbox_config config_with_defaults(const struct outbox_config *c)
{
	struct outbox_config out = *c;
	if (out.max_attempts <= 0)
		out.max_attempts = 8;
	if (out.retry_base_s <= 0)
		out.retry_base_s = 30;
	if (out.poll_ms <= 0)
		out.poll_ms = 1000;
	if (!out.mail_from || !*out.mail_from)
		out.mail_from = OUTBOX_DEFAULT_FROM;
	if (!out.mail_dir || !*out.mail_dir)
		out.mail_dir = "mail";
	return out;
}

static int worker_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a reason (cut to errlen) into err and returns -1. */
static int worker_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Creates dir and its missing parents (mode 0700). 0 or -1 with errno. */
static int make_dirs(const char *dir)
{
	char path[OUTBOX_PATH_MAX];
	if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Writes all of data to fd; false on a write error. */
static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Writes the email as mail_dir/<id>-<local part of its Message-ID>.eml,
 * through a temporary file renamed into place, so a reader never sees half
 * an email. Nothing is synced here: the pass syncs the file system once for
 * all the files of a batch (eml_sync) before any is marked sent, so a sent
 * mark never outlives a lost file. */
static int eml_write(const char *mail_dir, const struct outbox_row *row, const buf *bytes,
                     char *err, size_t errlen)
{
	char final[OUTBOX_PATH_MAX], temp[OUTBOX_PATH_MAX];
	int local = (int)strcspn(row->message_id, "@");
	if ((size_t)snprintf(final, sizeof final, "%s/%lld-%.*s.eml", mail_dir, (long long)row->id,
	                     local, row->message_id) >= sizeof final ||
	    (size_t)snprintf(temp, sizeof temp, "%s/.%lld.tmp", mail_dir, (long long)row->id) >=
	        sizeof temp)
		return worker_error(err, errlen, "%s: path too long", mail_dir);
	int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT && make_dirs(mail_dir) == 0)
		fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return worker_error(err, errlen, "%s: %s", temp, strerror(errno));
	bool ok = write_all(fd, bytes->data, bytes->len);
	ok = close(fd) == 0 && ok;
	if (!ok || rename(temp, final) < 0) {
		int saved = errno;
		unlink(temp);
		return worker_error(err, errlen, "%s: %s", final, strerror(saved));
	}
	return 0;
}

/* Makes the .eml files written so far durable: one sync of the file system
 * that holds mail_dir, not an fsync per file. 0, or -1 with err. */
static int eml_sync(const char *mail_dir, char *err, size_t errlen)
{
	int fd = open(mail_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return worker_error(err, errlen, "%s: %s", mail_dir, strerror(errno));
	int rc = syncfs(fd);
	int saved = errno;
	close(fd);
	return rc == 0 ? 0 : worker_error(err, errlen, "%s: %s", mail_dir, strerror(saved));
}

/* One claimed email's attempt, kept until its outcome is written. */
struct attempt {
	int64_t id;
	int attempts;
	bool permanent;
	char to[OUTBOX_ADDRESS_MAX];
	char message_id[OUTBOX_MESSAGE_ID_MAX];
	char error[OUTBOX_ERROR_MAX]; /* "" when delivered */
};

/* The attempts of a claim whose outcomes are not written yet. A sender keeps
 * them across passes: when the database went away after the emails went
 * out, the outcomes are written once it is back (no email sent twice, none
 * left "sending" until its lease ends). */
struct outcomes {
	struct attempt at[OUTBOX_BATCH];
	int n;
};

/* The emails of a claim on their way to SMTP: each starts on the lane of
 * its recipients while the next is built, and the claim's outcomes are
 * known once the last is sent (smtp_batch_send). */
struct smtp_batch {
	struct smtp_outgoing {
		struct attempt *at;
		buf bytes;
		char envelope_from[MAIL_ADDRESS_MAX];
		char rcpt[OUTBOX_RECIPIENTS_MAX][MAIL_ADDRESS_MAX];
		const char *rcpts[OUTBOX_RECIPIENTS_MAX];
	} out[OUTBOX_BATCH];
	struct smtp_email emails[OUTBOX_BATCH];
	int n;
	/* The pass's connections: opened at its first email, closed at its end
	 * (a sender waiting for work holds none open) or after a failure (the
	 * next emails start on clean ones). */
	smtp_session *session;
	char session_error[OUTBOX_ERROR_MAX]; /* why there is no session */
};

/* The lane of an email: its recipients, so that one person's emails reach
 * them in the order they were queued while other people's go beside them. */
static unsigned lane_of(const char *to_address)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)to_address; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* Adds the email built into the batch's next slot (bytes, taken over, and
 * its envelope of nrcpt recipients) to the batch, and starts sending it
 * while the next is built. */
static void smtp_batch_add(struct smtp_batch *b, const char *url, const struct outbox_row *row,
                           buf *bytes, int nrcpt, struct attempt *at)
{
	struct smtp_outgoing *o = &b->out[b->n];
	for (int i = 0; i < nrcpt; i++)
		o->rcpts[i] = o->rcpt[i];
	o->at = at;
	o->bytes = *bytes;
	b->emails[b->n] = (struct smtp_email){.from = o->envelope_from,
	                                      .rcpt_addresses = o->rcpts,
	                                      .rcpt_count = nrcpt,
	                                      .message = bytes->data,
	                                      .len = bytes->len,
	                                      .lane = lane_of(row->to_address)};
	if (b->n == 0 && !b->session)
		b->session = smtp_session_new(b->session_error, sizeof b->session_error);
	if (b->n == 0 && b->session)
		smtp_session_begin(b->session, url);
	b->n++;
	if (b->session)
		smtp_session_advance(b->session, b->emails, b->n);
}

/* Waits until the batch is sent and writes each outcome into its attempt. */
static void smtp_batch_send(struct smtp_batch *b)
{
	if (b->n == 0)
		return;
	int rc = b->session ? smtp_session_finish(b->session, b->emails, b->n) : -1;
	for (int i = 0; i < b->n; i++) {
		struct attempt *at = b->out[i].at;
		if (!b->session)
			snprintf(at->error, sizeof at->error, "%s", b->session_error);
		else if (b->emails[i].rc < 0)
			snprintf(at->error, sizeof at->error, "%s", b->emails[i].err);
		buf_free(&b->out[i].bytes);
	}
	if (rc < 0) {
		smtp_session_free(b->session);
		b->session = NULL;
	}
	b->n = 0;
}

/* Logs the written outcome of at (rc: its outbox_status). */
static void log_outcome(const struct outbox_config *c, const struct attempt *at, int rc)
{
	if (rc == OUTBOX_SENT)
		log_info("outbox: sent #%lld to %s <%s>", (long long)at->id, at->to, at->message_id);
	else if (rc == OUTBOX_QUEUED)
		log_warn("outbox: #%lld to %s not sent (attempt %d of %d), next in %llds: %s",
		         (long long)at->id, at->to, at->attempts, c->max_attempts,
		         (long long)outbox_retry_delay(at->attempts, c->retry_base_s), at->error);
	else
		log_error("outbox: #%lld to %s failed after %d attempts: %s", (long long)at->id, at->to,
		          at->attempts, at->error);
}

/* Writes every outcome of o in one transaction: a sender that sends many
 * emails a second should not commit twice per email. The emails delivered,
 * or < 0 with o kept for the next try. */
static int record_outcomes(db *d, const struct outbox_config *c, struct outcomes *o, int64_t now)
{
	if (o->n == 0)
		return 0;
	struct outbox_policy policy = {c->max_attempts, c->retry_base_s};
	int status[OUTBOX_BATCH];
	/* Each outcome changes one row this sender claimed, if still claimed. */
	int rc = db_begin_concurrent(d);
	for (int i = 0; rc == 0 && i < o->n; i++) {
		const struct attempt *at = &o->at[i];
		int attempts = at->permanent ? c->max_attempts : at->attempts;
		status[i] = outbox_record_attempt(d, at->id, attempts, at->error[0] ? at->error : NULL,
		                                  now, &policy);
		rc = status[i] < 0 ? status[i] : 0;
	}
	if (rc == 0)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc < 0) {
		log_error("outbox: recording %d attempt(s) failed, kept to record again: %s", o->n,
		          db_error(d));
		return rc;
	}
	int delivered = 0;
	for (int i = 0; i < o->n; i++) {
		log_outcome(c, &o->at[i], status[i]);
		delivered += status[i] == OUTBOX_SENT;
	}
	o->n = 0;
	return delivered;
}

/* Builds row's email and writes it as an .eml file (batch NULL), or adds
 * it to the SMTP batch; 0, or -1 with err (*permanent when trying again cannot help:
 * the email cannot be built). */
static int deliver(const struct outbox_config *c, struct smtp_batch *batch,
                   const struct outbox_row *row, struct attempt *at, char *err, size_t errlen,
                   bool *permanent)
{
	const char *from = row->from_address[0] ? row->from_address : c->mail_from;
	struct mail_message m = {
	    .from = from,
	    .to = row->to_address,
	    .subject = row->subject,
	    .text = row->body_text,
	    .html = row->body_html,
	    .message_id = row->message_id,
	    .extra_headers = row->headers,
	    .date = (int64_t)time(NULL),
	};
	buf bytes;
	buf_init(&bytes, OUTBOX_MESSAGE_MAX);
	/* For SMTP, the envelope goes straight into the batch's next slot. */
	struct smtp_outgoing *slot = batch ? &batch->out[batch->n] : NULL;
	struct mail_envelope env = {.from = slot ? slot->envelope_from : NULL,
	                            .rcpt = slot ? slot->rcpt : NULL,
	                            .max = OUTBOX_RECIPIENTS_MAX};
	int rc = mail_message_build(&m, &bytes, slot ? &env : NULL, err, errlen);
	*permanent = rc < 0;
	if (rc == 0 && !batch) {
		rc = eml_write(c->mail_dir, row, &bytes, err, errlen);
	} else if (rc == 0) {
		smtp_batch_add(batch, c->smtp_url, row, &bytes, env.n, at);
		return 0; /* the batch owns the bytes now */
	}
	buf_free(&bytes);
	return rc;
}

/* Loads claimed row id and delivers it, the outcome into at (an email for
 * SMTP gets its outcome when the batch is sent). 1 when there is an outcome
 * to record, 0 when the row is gone, < 0 when it could not be read (the
 * caller records a retry). */
static int attempt_claimed(db *d, const struct outbox_config *c, struct smtp_batch *batch,
                           int64_t id, arena *a, struct attempt *at)
{
	struct outbox_row row;
	*at = (struct attempt){.id = id};
	int rc = outbox_get(d, id, a, &row);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	at->attempts = row.attempts;
	snprintf(at->to, sizeof at->to, "%s", row.to_address);
	snprintf(at->message_id, sizeof at->message_id, "%s", row.message_id);
	if (row.attempts > c->max_attempts) {
		snprintf(at->error, sizeof at->error,
		         "given up: a sender stopped during its last attempts");
		at->permanent = true;
	} else if (deliver(c, batch, &row, at, at->error, sizeof at->error, &at->permanent) == 0) {
		at->error[0] = '\0';
	} else if (!at->error[0]) {
		snprintf(at->error, sizeof at->error, "not delivered");
	}
	return 1;
}

/* In .eml mode, syncs the files of the batch; when that fails, none of its
 * emails counts as delivered (they are tried again). */
static void sync_written(const struct outbox_config *c, struct outcomes *o)
{
	if (c->smtp_url && *c->smtp_url)
		return;
	bool any = false;
	for (int i = 0; i < o->n; i++)
		any = any || !o->at[i].error[0];
	char error[OUTBOX_ERROR_MAX];
	if (!any || eml_sync(c->mail_dir, error, sizeof error) == 0)
		return;
	for (int i = 0; i < o->n; i++)
		if (!o->at[i].error[0])
			snprintf(o->at[i].error, sizeof o->at[i].error, "%s", error);
}

/* The pass, stopping early when *stop turns true. *claimed counts the
 * emails tried. Emails are claimed OUTBOX_BATCH at a time and their outcomes
 * written together; o holds outcomes an earlier pass could not write, batch
 * the room for a claim's emails on their way to SMTP. */
static int send_due(db *d, const struct outbox_config *c, int64_t now, atomic_bool *stop,
                    int *claimed, struct outcomes *o, struct smtp_batch *batch)
{
	*claimed = 0;
	int delivered = record_outcomes(d, c, o, now);
	if (delivered < 0)
		return delivered;
	arena *a = arena_new(16384);
	if (!a)
		return DB_NOMEM;
	if (!c->smtp_url || !*c->smtp_url)
		batch = NULL; /* .eml files */
	int rc = 0;
	while (*claimed < OUTBOX_PASS_MAX && !(stop && atomic_load(stop))) {
		int64_t ids[OUTBOX_BATCH];
		struct outbox_claimant who = {c->node_id && *c->node_id ? c->node_id : NULL, c->boot_id};
		int n = outbox_claim_due(d, &who, now, now + OUTBOX_LEASE_S, OUTBOX_BATCH, ids);
		if (n <= 0) {
			rc = n;
			break;
		}
		bool readable = true;
		for (int i = 0; i < n; i++) {
			arena_reset(a);
			struct attempt *at = &o->at[o->n];
			int got = readable ? attempt_claimed(d, c, batch, ids[i], a, at) : -1;
			if (got < 0) { /* the database went away: try it again after the back-off */
				readable = false;
				*at = (struct attempt){.id = ids[i], .attempts = 1};
				snprintf(at->error, sizeof at->error, "not tried: the queue could not be read");
			}
			o->n += got != 0;
		}
		*claimed += n;
		if (batch)
			smtp_batch_send(batch);
		sync_written(c, o);
		rc = record_outcomes(d, c, o, now);
		if (rc < 0)
			break;
		delivered += rc;
		/* A short claim took all that was due; one more would find nothing
		 * and cost a scan of the due rows. Mail queued since wakes us. */
		if (n < OUTBOX_BATCH)
			break;
	}
	if (batch) {
		smtp_session_free(batch->session);
		batch->session = NULL;
	}
	arena_free(a);
	return rc < 0 && delivered == 0 ? rc : delivered;
}

int outbox_send_due(db *d, const struct outbox_config *c, int64_t now)
{
	struct outbox_config config = config_with_defaults(c);
	int claimed;
	struct outcomes *o = calloc(1, sizeof *o);
	struct smtp_batch *batch = calloc(1, sizeof *batch);
	int rc = o && batch ? send_due(d, &config, now, NULL, &claimed, o, batch) : DB_NOMEM;
	free(batch);
	free(o);
	return rc;
}

/* ---- the thread ---- */

struct outbox_worker {
	struct outbox_config config; /* strings point at the copies below */
	char *db_url, *smtp_url, *mail_from, *mail_dir, *node_id;
	char boot_id[TOKEN_LEN + 1];
	db *d;
	pthread_t thread;
	struct wakeup wakeup;
	struct outcomes unrecorded; /* the sender thread's own */
	struct smtp_batch *batch;   /* calloc: its pages are touched as SMTP fills them */
};

static void *worker_main(void *arg)
{
	outbox_worker *w = arg;
	bool failing = false; /* log a database failure once, not every poll */
	while (!atomic_load(&w->wakeup.stop)) {
		int claimed;
		int rc = send_due(w->d, &w->config, (int64_t)time(NULL), &w->wakeup.stop, &claimed,
		                  &w->unrecorded, w->batch);
		if (rc < 0 && !failing)
			log_error("outbox: cannot read the queue: %s", db_error(w->d));
		failing = rc < 0;
		if (claimed < OUTBOX_PASS_MAX) /* a full pass: more may be due, go on */
			wakeup_wait(&w->wakeup, w->config.poll_ms);
	}
	return NULL;
}

static void worker_free(outbox_worker *w)
{
	if (!w)
		return;
	db_close(w->d);
	free(w->db_url);
	free(w->smtp_url);
	free(w->mail_from);
	free(w->mail_dir);
	free(w->node_id);
	free(w->batch);
	free(w);
}

/* Copies c's strings into w and points w->config at them. */
static int worker_copy_config(outbox_worker *w, const struct outbox_config *c)
{
	w->config = config_with_defaults(c);
	w->db_url = strdup(c->db_url ? c->db_url : "");
	w->smtp_url = strdup(c->smtp_url ? c->smtp_url : "");
	w->mail_from = strdup(w->config.mail_from);
	w->mail_dir = strdup(w->config.mail_dir);
	w->node_id = strdup(c->node_id ? c->node_id : "");
	if (!w->db_url || !w->smtp_url || !w->mail_from || !w->mail_dir || !w->node_id)
		return -1;
	if (c->boot_id)
		snprintf(w->boot_id, sizeof w->boot_id, "%s", c->boot_id);
	else
		token_new(w->boot_id);
	w->config.node_id = w->node_id;
	w->config.boot_id = w->boot_id;
	w->config.db_url = w->db_url;
	w->config.smtp_url = w->smtp_url;
	w->config.mail_from = w->mail_from;
	w->config.mail_dir = w->mail_dir;
	return 0;
}

outbox_worker *outbox_worker_start(const struct outbox_config *c, char *err, size_t errlen)
{
	mail_init();
	outbox_worker *w = calloc(1, sizeof *w);
	if (!w || worker_copy_config(w, c) < 0 || !(w->batch = calloc(1, sizeof *w->batch))) {
		snprintf(err, errlen, "outbox worker: out of memory");
		goto fail;
	}
	if (!(w->d = db_open(w->db_url, err, errlen)))
		goto fail;
	if (*w->node_id) {
		int taken = outbox_reclaim_own(w->d, w->node_id, w->boot_id, (int64_t)time(NULL));
		if (taken > 0)
			log_info("outbox: %d email(s) left sending by an earlier run of this node are due again",
			         taken);
		else if (taken < 0) /* not fatal: the lease brings them back */
			log_error("outbox: cannot take back unfinished emails: %s", db_error(w->d));
	}
	if (wakeup_thread_start(&w->wakeup, &w->thread, worker_main, w) < 0) {
		snprintf(err, errlen, "outbox worker: cannot start its thread");
		goto fail;
	}
	return w;
fail:
	worker_free(w);
	return NULL;
}

void outbox_worker_wake(outbox_worker *w)
{
	if (w)
		wakeup_wake(&w->wakeup);
}

void outbox_worker_stop(outbox_worker *w)
{
	if (!w)
		return;
	wakeup_thread_stop(&w->wakeup, w->thread);
	/* A last try, so a stopped server leaves nothing "sending". */
	record_outcomes(w->d, &w->config, &w->unrecorded, (int64_t)time(NULL));
	worker_free(w);
}
