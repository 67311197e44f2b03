/* The outbox sender end to end: queued rows in a fresh SQLite database,
 * delivered as .eml files or through a real SMTP server (aiosmtpd), with
 * the server down, then up; back-off, failure, retry, two senders at once,
 * and the worker thread. */
#include "jobs/outbox_worker.h"

#include <criterion/criterion.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../mail/smtp_sink.h"
#include "base/log.h"
#include "domain/outbox.h"
#include "mail/message.h"
#include "store/outbox_store.h"
#include "../test_db.h"

static char dir[] = "/tmp/chamado-outbox-worker-test-XXXXXX";
static char url[300];
static char mail_dir[300];
static db *d;
static arena *a;
static struct smtp_sink sink;

static void setup(void)
{
	char err[256] = "";
	mail_init();
	log_set_quiet(1);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(url, sizeof url, "sqlite:%s/test.db", dir);
	snprintf(mail_dir, sizeof mail_dir, "%s/data/mail", dir);
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	a = arena_new(4096);
	sink_prepare(&sink, dir);
}

static void teardown(void)
{
	sink_stop(&sink);
	arena_free(a);
	db_close(d);
	char command[400];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(outbox_worker, .init = setup, .fini = teardown, .timeout = 120);

static struct outbox_config config(void)
{
	return (struct outbox_config){
	    .db_url = url,
	    .smtp_url = sink.url,
	    .mail_from = "Suporte Exemplo <suporte@exemplo.com.br>",
	    .mail_dir = mail_dir,
	    .max_attempts = 8,
	    .retry_base_s = 30,
	    .poll_ms = 50,
	};
}

/* Queues count emails, each committed with its own "event"; their
 * Message-IDs go to ids (when not NULL). */
static void enqueue(int count, char (*ids)[OUTBOX_MESSAGE_ID_MAX])
{
	for (int i = 0; i < count; i++) {
		char subject[64];
		snprintf(subject, sizeof subject, "Redefinição de senha %d", i);
		struct mail m = {.to = "ana@example.com",
		                 .to_name = "Ana Conceição",
		                 .subject = subject,
		                 .text = "Olá\n",
		                 .html = "<p>Olá</p>",
		                 .auto_generated = true};
		cr_assert_eq(db_begin(d), DB_OK);
		cr_assert_gt(outbox_enqueue(d, &m, "suporte@exemplo.com.br", ids ? ids[i] : NULL),
		             0, "%s", db_error(d));
		cr_assert_eq(db_commit(d), DB_OK);
	}
}

static struct outbox_row row_of(int64_t id)
{
	struct outbox_row row;
	cr_assert_eq(store_outbox_get(d, id, a, &row), 0, "%s", db_error(d));
	return row;
}

/* The Message-ID header of an email file, without <>, into out. */
static void message_id_of(const char *path, char *out, size_t outlen)
{
	char *data = sink_read_file(path);
	const char *h = strstr(data, "\nMessage-Id: <");
	cr_assert_not_null(h, "%s", data);
	h += strlen("\nMessage-Id: <");
	snprintf(out, outlen, "%.*s", (int)strcspn(h, ">"), h);
	free(data);
}

struct seen {
	char ids[64][OUTBOX_MESSAGE_ID_MAX];
	int count;
};

static void remember_id(const char *path, void *data)
{
	struct seen *s = data;
	cr_assert_lt(s->count, 64);
	message_id_of(path, s->ids[s->count++], OUTBOX_MESSAGE_ID_MAX);
}

/* Each of the count ids was received exactly once, and nothing else. */
static void expect_each_received_once(char (*ids)[OUTBOX_MESSAGE_ID_MAX], int count)
{
	struct seen seen = {.count = 0};
	cr_assert_eq(sink_each(&sink, remember_id, &seen), count, "emails in the sink");
	for (int i = 0; i < count; i++) {
		int times = 0;
		for (int j = 0; j < seen.count; j++)
			times += strcmp(ids[i], seen.ids[j]) == 0;
		cr_expect_eq(times, 1, "%s received %d times", ids[i], times);
	}
}

Test(outbox_worker, without_smtp_writes_a_readable_eml_file_and_marks_it_sent)
{
	char ids[2][OUTBOX_MESSAGE_ID_MAX];
	enqueue(2, ids);
	struct outbox_config c = config();
	c.smtp_url = "";
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(outbox_send_due(d, &c, now), 2);
	cr_expect_eq(store_outbox_count_by_status(d, "sent"), 2);
	cr_expect_eq(outbox_send_due(d, &c, now + 100000), 0, "nothing left");

	char path[600];
	int local = (int)strcspn(ids[0], "@");
	snprintf(path, sizeof path, "%s/1-%.*s.eml", mail_dir, local, ids[0]);
	char *bytes = sink_read_file(path);
	cr_expect(strstr(bytes, "\r\n\r\n"), "CRLF line ends");
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(bytes, strlen(bytes));
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	cr_assert_not_null(msg);
	cr_expect_str_eq(g_mime_message_get_subject(msg), "Redefinição de senha 0");
	cr_expect_str_eq(g_mime_message_get_message_id(msg), ids[0]);
	cr_expect_str_eq(g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted"),
	                 "auto-generated");
	InternetAddress *to = internet_address_list_get_address(g_mime_message_get_to(msg), 0);
	cr_expect_str_eq(internet_address_get_name(to), "Ana Conceição");
	InternetAddress *from = internet_address_list_get_address(g_mime_message_get_from(msg), 0);
	cr_expect_str_eq(internet_address_get_name(from), "Suporte Exemplo");
	g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	free(bytes);
}

/* A pass claims a batch at a time and ends at the first short claim: 40
 * due emails (two full claims and a short one) all go in one pass. */
Test(outbox_worker, one_pass_sends_every_due_email_over_several_claims)
{
	char ids[40][OUTBOX_MESSAGE_ID_MAX];
	enqueue(40, ids);
	sink_start(&sink);
	struct outbox_config c = config();
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(outbox_send_due(d, &c, now), 40);
	cr_expect_eq(store_outbox_count_by_status(d, "sent"), 40);
	expect_each_received_once(ids, 40);
}

Test(outbox_worker, with_the_server_down_emails_stay_queued_then_each_is_delivered_once)
{
	char ids[5][OUTBOX_MESSAGE_ID_MAX];
	enqueue(5, ids);
	struct outbox_config c = config();
	int64_t now = (int64_t)time(NULL);

	cr_assert_eq(outbox_send_due(d, &c, now), 0, "the server is down");
	for (int64_t id = 1; id <= 5; id++) {
		struct outbox_row row = row_of(id);
		cr_expect_str_eq(row.status, "queued");
		cr_expect_eq(row.attempts, 1);
		cr_expect_eq(row.next_attempt_at, now + 30, "the first back-off");
		cr_expect(strlen(row.last_error) > 0, "the reason is kept");
	}
	cr_assert_eq(outbox_send_due(d, &c, now + 29), 0);
	cr_expect_eq(row_of(1).attempts, 1, "not tried before its time");
	cr_assert_eq(outbox_send_due(d, &c, now + 30), 0);
	cr_expect_eq(row_of(3).attempts, 2);
	cr_expect_eq(row_of(3).next_attempt_at, now + 30 + 60, "the back-off doubles");

	sink_start(&sink);
	cr_assert_eq(outbox_send_due(d, &c, now + 90), 5);
	cr_expect_eq(store_outbox_count_by_status(d, "sent"), 5);
	cr_expect_eq(outbox_send_due(d, &c, now + 100000), 0);
	expect_each_received_once(ids, 5);
}

Test(outbox_worker, after_max_attempts_an_email_is_failed_with_its_error)
{
	enqueue(1, NULL);
	struct outbox_config c = config();
	c.max_attempts = 3;
	c.retry_base_s = 10;
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(outbox_send_due(d, &c, now), 0);
	cr_assert_eq(outbox_send_due(d, &c, now + 10), 0);
	cr_expect_str_eq(row_of(1).status, "queued");
	cr_assert_eq(outbox_send_due(d, &c, now + 30), 0);
	struct outbox_row row = row_of(1);
	cr_expect_str_eq(row.status, "failed");
	cr_expect_eq(row.attempts, 3);
	cr_expect(strlen(row.last_error) > 0);
	cr_expect_eq(outbox_send_due(d, &c, now + 100000), 0, "never tried again by itself");
	cr_expect_eq(row_of(1).attempts, 3);

	sink_start(&sink);
	cr_assert_eq(outbox_retry(d, 1, now + 100000), 0);
	cr_assert_eq(outbox_send_due(d, &c, now + 100000), 1, "delivered after the admin's retry");
	cr_expect_str_eq(row_of(1).status, "sent");
	cr_expect_eq(sink_each(&sink, NULL, NULL), 1);
}

Test(outbox_worker, an_email_that_cannot_be_built_fails_at_once)
{
	enqueue(1, NULL);
	struct outbox_config c = config();
	c.mail_from = "not an address";
	cr_assert_eq(outbox_send_due(d, &c, (int64_t)time(NULL)), 0);
	struct outbox_row row = row_of(1);
	cr_expect_str_eq(row.status, "failed");
	cr_expect(strstr(row.last_error, "From"), "%s", row.last_error);
}

struct sender {
	struct outbox_config c;
	int64_t now;
	int delivered;
};

static void *sender_run(void *arg)
{
	struct sender *s = arg;
	char err[256];
	db *own = db_open(s->c.db_url, err, sizeof err);
	if (!own)
		return NULL;
	int n;
	while ((n = outbox_send_due(own, &s->c, s->now)) > 0 || n == DB_BUSY)
		s->delivered += n > 0 ? n : 0;
	db_close(own);
	return NULL;
}

Test(outbox_worker, two_senders_on_one_database_deliver_each_email_once)
{
	char ids[30][OUTBOX_MESSAGE_ID_MAX];
	enqueue(30, ids);
	sink_start(&sink);
	struct sender senders[2] = {{config(), (int64_t)time(NULL), 0},
	                            {config(), (int64_t)time(NULL), 0}};
	pthread_t threads[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, sender_run, &senders[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	cr_expect_eq(senders[0].delivered + senders[1].delivered, 30);
	cr_expect_eq(store_outbox_count_by_status(d, "sent"), 30);
	expect_each_received_once(ids, 30);
}

/* Waits up to 90 s (a busy machine; the suite's timeout is 120 s) until
 * count emails are sent. */
static bool wait_sent(int64_t count)
{
	for (int i = 0; i < 1800; i++) {
		if (store_outbox_count_by_status(d, "sent") == count)
			return true;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	return false;
}

Test(outbox_worker, the_worker_thread_sends_what_is_queued_and_stops_cleanly)
{
	sink_start(&sink);
	struct outbox_config c = config();
	c.poll_ms = 60000; /* only a wake makes it look again */
	char err[256] = "";
	outbox_worker *w = outbox_worker_start(&c, err, sizeof err);
	cr_assert_not_null(w, "%s", err);
	char ids[3][OUTBOX_MESSAGE_ID_MAX];
	enqueue(3, ids);
	outbox_worker_wake(w);
	cr_expect(wait_sent(3), "sent after a wake");
	outbox_worker_stop(w);
	expect_each_received_once(ids, 3);
}

/* Waits up to 90 s until the sink holds count emails. */
static bool wait_received(int count)
{
	for (int i = 0; i < 1800; i++) {
		if (sink_each(&sink, NULL, NULL) >= count)
			return true;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	return false;
}

Test(outbox_worker, outcomes_the_database_refused_are_written_when_it_is_back_and_nothing_goes_twice)
{
	sink_start(&sink);
	/* The database takes no "sent" mark: as if it went away right after
	 * the emails went out. */
	cr_assert_eq(db_exec(d, "CREATE TRIGGER outbox_down BEFORE UPDATE OF status ON outbox "
	                        "WHEN NEW.status = 'sent' BEGIN SELECT RAISE(ABORT, 'down'); END"),
	             DB_OK, "%s", db_error(d));
	char ids[3][OUTBOX_MESSAGE_ID_MAX];
	enqueue(3, ids);
	struct outbox_config c = config();
	char err[256] = "";
	outbox_worker *w = outbox_worker_start(&c, err, sizeof err);
	cr_assert_not_null(w, "%s", err);
	cr_assert(wait_received(3), "the three emails go out");
	nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL); /* several polls of 50 ms */
	cr_expect_eq(store_outbox_count_by_status(d, "sent"), 0, "the marks could not be written");
	cr_assert_eq(db_exec(d, "DROP TRIGGER outbox_down"), DB_OK, "%s", db_error(d));
	cr_expect(wait_sent(3), "written once the database takes them");
	outbox_worker_stop(w);
	cr_expect_eq(store_outbox_count_by_status(d, "sending"), 0);
	expect_each_received_once(ids, 3);
}

Test(outbox_worker, the_worker_polls_without_a_wake)
{
	struct outbox_config c = config();
	c.smtp_url = NULL;
	char ids[2][OUTBOX_MESSAGE_ID_MAX];
	enqueue(2, ids);
	char err[256] = "";
	outbox_worker *w = outbox_worker_start(&c, err, sizeof err);
	cr_assert_not_null(w, "%s", err);
	cr_expect(wait_sent(2));
	outbox_worker_stop(w);
	outbox_worker_stop(NULL);
}

Test(outbox_worker, start_reports_a_database_it_cannot_open)
{
	struct outbox_config c = config();
	c.db_url = "nosuchscheme:x";
	char err[256] = "";
	cr_expect_null(outbox_worker_start(&c, err, sizeof err));
	cr_expect(strlen(err) > 0);
}

/* After kill -9: rows the node's earlier boot left 'sending' go out as soon
 * as the node starts again (not after OUTBOX_LEASE_S); a row another node
 * holds is left to its lease. */
Test(outbox_worker, a_restarted_node_sends_at_once_what_its_earlier_run_left_sending)
{
	struct outbox_config c = config();
	c.smtp_url = NULL;
	c.poll_ms = 60000; /* only the pass at start can send them */
	c.node_id = "host-a:/srv/chamado";
	enqueue(3, NULL);
	int64_t now = (int64_t)time(NULL), id;
	struct outbox_claimant old_boot = {"host-a:/srv/chamado", "boot-before-the-kill"};
	struct outbox_claimant other_node = {"host-b:/srv/chamado", "boot-1"};
	cr_assert_eq(store_outbox_claim_due_as(d, &old_boot, now, now + OUTBOX_LEASE_S, 1, &id), 1);
	cr_assert_eq(store_outbox_claim_due_as(d, &old_boot, now, now + OUTBOX_LEASE_S, 1, &id), 1);
	cr_assert_eq(store_outbox_claim_due_as(d, &other_node, now, now + OUTBOX_LEASE_S, 1, &id), 1);
	char err[256] = "";
	outbox_worker *w = outbox_worker_start(&c, err, sizeof err);
	cr_assert_not_null(w, "%s", err);
	cr_expect(wait_sent(2), "the two emails of this node's earlier run were not sent");
	outbox_worker_stop(w);
	cr_expect_eq(store_outbox_count_by_status(d, "sent"), 2);
	cr_expect_eq(store_outbox_count_by_status(d, "sending"), 1, "another node's email was taken");
	cr_expect_str_eq(row_of(id).status, "sending");
}
