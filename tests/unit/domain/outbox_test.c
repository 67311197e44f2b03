/* The outbox in the domain: queuing inside the caller's transaction (both
 * or neither), Message-IDs, stored headers, the back-off and the delivery
 * state machine, over a fresh SQLite schema. */
#include "domain/outbox.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/outbox_store.h"
#include "../test_db.h"

static char dir[] = "/tmp/chamado-outbox-test-XXXXXX";
static db *d;
static arena *a;

static void setup(void)
{
	char url[300], err[256] = "";
	cr_assert_not_null(mkdtemp(dir));
	snprintf(url, sizeof url, "sqlite:%s/test.db", dir);
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	a = arena_new(4096);
}

static void teardown(void)
{
	arena_free(a);
	db_close(d);
	char command[300];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(outbox, .init = setup, .fini = teardown);

static const char from[] = "Suporte Exemplo <suporte@exemplo.com.br>";

static struct mail sample(void)
{
	return (struct mail){
	    .to = "ana@example.com",
	    .to_name = "Ana",
	    .subject = "Redefinição de senha",
	    .text = "Olá",
	    .html = "<p>Olá</p>",
	};
}

/* Queues m in its own committed transaction; returns the id. */
static int64_t enqueue_committed(const struct mail *m, char id[OUTBOX_MESSAGE_ID_MAX])
{
	cr_assert_eq(db_begin(d), DB_OK, "%s", db_error(d));
	int64_t rc = outbox_enqueue(d, m, from, id);
	cr_assert_gt(rc, 0, "enqueue: %lld %s", (long long)rc, db_error(d));
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	return rc;
}

static struct outbox_row get(int64_t id)
{
	struct outbox_row row;
	cr_assert_eq(store_outbox_get(d, id, a, &row), 0, "%s", db_error(d));
	return row;
}

Test(outbox, queuing_in_a_rolled_back_transaction_leaves_no_row)
{
	struct mail m = sample();
	cr_assert_eq(db_begin(d), DB_OK);
	cr_assert_gt(outbox_enqueue(d, &m, from, NULL), 0);
	cr_assert_eq(db_rollback(d), DB_OK);
	cr_expect_eq(store_outbox_count_by_status(d, "queued"), 0);
}

Test(outbox, queuing_in_a_committed_transaction_leaves_one_queued_row)
{
	struct mail m = sample();
	char message_id[OUTBOX_MESSAGE_ID_MAX];
	int64_t before = (int64_t)time(NULL);
	int64_t id = enqueue_committed(&m, message_id);
	cr_expect_eq(store_outbox_count_by_status(d, "queued"), 1);
	struct outbox_row row = get(id);
	cr_expect_str_eq(row.status, "queued");
	cr_expect_eq(row.attempts, 0);
	cr_expect_geq(row.next_attempt_at, before, "due at once");
	cr_expect_str_eq(row.to_address, "\"Ana\" <ana@example.com>");
	cr_expect_str_eq(row.from_address, "", "the sender's configured From");
	cr_expect_str_eq(row.subject, "Redefinição de senha");
	cr_expect_str_eq(row.body_text, "Olá");
	cr_expect_str_eq(row.body_html, "<p>Olá</p>");
	cr_expect_str_eq(row.headers, "");
	cr_expect_str_eq(row.message_id, message_id);
	cr_expect_eq(row.ticket_id, 0);
}

/* Outside a transaction the row and its body go in together, or neither. */
Test(outbox, an_email_queued_on_its_own_keeps_its_body_or_leaves_nothing)
{
	struct mail m = sample();
	int64_t id = outbox_enqueue(d, &m, from, NULL);
	cr_assert_gt(id, 0, "%s", db_error(d));
	cr_expect(!db_in_transaction(d));
	cr_expect_str_eq(get(id).body_html, "<p>Olá</p>");

	/* A body the database refuses takes its row with it. */
	cr_assert_eq(db_exec(d, "CREATE TRIGGER refuse_body BEFORE INSERT ON outbox_bodies "
	                        "BEGIN SELECT RAISE(ABORT, 'no room'); END"),
	             DB_OK, "%s", db_error(d));
	cr_expect_lt(outbox_enqueue(d, &m, from, NULL), 0);
	cr_expect(!db_in_transaction(d));
	cr_expect_eq(store_outbox_count_by_status(d, "queued"), 1, "only the first email");
}

/* A sender that finds nothing due does not wait for the write lock that
 * another writer holds (on SQLite every writer waits for it). */
Test(outbox, a_sender_with_nothing_due_does_not_wait_for_a_writer)
{
	char url[300], err[256] = "";
	snprintf(url, sizeof url, "sqlite:%s/test.db", dir);
	db *other = db_open(url, err, sizeof err);
	cr_assert_not_null(other, "%s", err);
	cr_assert_eq(db_begin_write(other), DB_OK, "%s", db_error(other));
	int64_t ids[4];
	cr_expect_eq(store_outbox_claim_due(d, (int64_t)time(NULL), (int64_t)time(NULL) + 60, 4, ids), 0,
	             "nothing due, and no wait for the lock: %s", db_error(d));
	cr_assert_eq(db_rollback(other), DB_OK);
	db_close(other);
}

Test(outbox, one_email_to_several_recipients_lists_them_all_in_to)
{
	struct mail m = sample();
	const struct mail_recipient also[] = {{"bia@example.com", "Bia \"B\""}, {"caio@example.com", NULL}};
	m.also = also;
	m.also_count = 2;
	int64_t id = enqueue_committed(&m, NULL);
	cr_expect_eq(store_outbox_count_by_status(d, "queued"), 1, "one email, not three");
	cr_expect_str_eq(get(id).to_address,
	                 "\"Ana\" <ana@example.com>, \"Bia \\\"B\\\"\" <bia@example.com>, caio@example.com");
	const struct mail_recipient bad[] = {{"bia@example.com", NULL}, {"not an address", NULL}};
	m.also = bad;
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT, "every recipient is checked");
	m.also = NULL;
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT, "a count without the list");
}

/* Message-IDs: 12 hex digits of the time in ms, 32 random hex digits, then
 * @ and the sender's domain. */
Test(outbox, message_ids_are_time_then_random_hex_at_the_domain_of_the_sender)
{
	struct mail m = sample();
	char first[OUTBOX_MESSAGE_ID_MAX], second[OUTBOX_MESSAGE_ID_MAX];
	long long before = (long long)time(NULL) * 1000;
	enqueue_committed(&m, first);
	enqueue_committed(&m, second);
	long long after = ((long long)time(NULL) + 1) * 1000;
	cr_expect_str_neq(first, second);
	cr_expect_eq(strspn(first, "0123456789abcdef"), 44, "%s", first);
	cr_expect_str_eq(first + 44, "@exemplo.com.br");
	cr_expect_null(strpbrk(first, "<> "), "stored without brackets");
	char ms_hex[13];
	memcpy(ms_hex, first, 12);
	ms_hex[12] = '\0';
	long long ms = strtoll(ms_hex, NULL, 16);
	cr_expect(ms >= before && ms < after, "%s: %lld not in [%lld, %lld)", first, ms, before, after);
	cr_expect_leq(strncmp(first, second, 12), 0, "a later id has a time no earlier: %s, %s", first, second);
	cr_expect_str_neq(first + 12, second + 12, "the random part differs");

	cr_assert_eq(db_begin(d), DB_OK);
	cr_assert_gt(outbox_enqueue(d, &m, "no-domain", first), 0);
	cr_assert_gt(outbox_enqueue(d, &m, NULL, second), 0);
	cr_assert_eq(db_commit(d), DB_OK);
	cr_expect_str_eq(first + 44, "@localhost");
	cr_expect_str_eq(second + 44, "@localhost");
}

Test(outbox, stores_the_threading_and_auto_generated_headers)
{
	struct mail m = sample();
	m.auto_generated = true;
	m.in_reply_to = "a1@exemplo.com.br";
	m.references = "  a0@x   a1@exemplo.com.br ";
	struct outbox_row row = get(enqueue_committed(&m, NULL));
	cr_expect_str_eq(row.headers, "Auto-Submitted: auto-generated\r\n"
	                              "X-Auto-Response-Suppress: All\r\n"
	                              "In-Reply-To: <a1@exemplo.com.br>\r\n"
	                              "References: <a0@x> <a1@exemplo.com.br>\r\n");
}

Test(outbox, no_value_can_add_a_header_line)
{
	struct mail m = sample();
	m.subject = "Hello\r\nBcc: victim@example.com";
	m.to_name = "Ana \"the boss\"\r\nBcc: x@y";
	struct outbox_row row = get(enqueue_committed(&m, NULL));
	cr_expect_str_eq(row.subject, "Hello  Bcc: victim@example.com");
	cr_expect_str_eq(row.to_address, "\"Ana \\\"the boss\\\"  Bcc: x@y\" <ana@example.com>");

	cr_assert_eq(db_begin(d), DB_OK);
	m = sample();
	m.in_reply_to = "x@y>\r\nBcc: <z@w";
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT);
	m = sample();
	m.references = "a@b c@d>\r\nBcc:";
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT);
	cr_assert_eq(db_commit(d), DB_OK);
	cr_expect_eq(store_outbox_count_by_status(d, "queued"), 1);
}

Test(outbox, refuses_an_email_that_cannot_be_sent)
{
	struct mail m = sample();
	cr_assert_eq(db_begin(d), DB_OK);
	m.to = "not an address";
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT);
	m = sample();
	m.to = "a@b.com\r\nx";
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT);
	m = sample();
	m.subject = "";
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT);
	m = sample();
	m.text = NULL;
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT);
	m = sample();
	m.text = "bad \xC3\x28 UTF-8";
	cr_expect_eq(outbox_enqueue(d, &m, from, NULL), DB_CONSTRAINT);
	cr_expect_eq(outbox_enqueue(d, NULL, from, NULL), DB_CONSTRAINT);
	cr_assert_eq(db_commit(d), DB_OK);
	cr_expect_eq(store_outbox_count_by_status(d, "queued"), 0);
}

Test(outbox, the_back_off_doubles_from_the_base_up_to_an_hour)
{
	cr_expect_eq(outbox_retry_delay(1, 30), 30);
	cr_expect_eq(outbox_retry_delay(2, 30), 60);
	cr_expect_eq(outbox_retry_delay(3, 30), 120);
	cr_expect_eq(outbox_retry_delay(7, 30), 1920);
	cr_expect_eq(outbox_retry_delay(8, 30), 3600);
	cr_expect_eq(outbox_retry_delay(1000, 30), 3600);
	cr_expect_eq(outbox_retry_delay(1, 5000), 3600);
}

/* Claims the one due row at now; returns its id. */
static int64_t claim_one(int64_t now)
{
	int64_t id = 0;
	cr_assert_eq(store_outbox_claim_due(d, now, now + 120, 5, &id), 1, "%s", db_error(d));
	return id;
}

Test(outbox, a_failed_attempt_queues_again_after_the_back_off_until_none_are_left)
{
	struct mail m = sample();
	int64_t id = enqueue_committed(&m, NULL);
	struct outbox_policy p = {.max_attempts = 3, .retry_base_s = 30};
	int64_t now = (int64_t)time(NULL) + 10;
	int64_t lease;

	cr_assert_eq(claim_one(now), id);
	struct outbox_row row = get(id);
	cr_expect_str_eq(row.status, "sending");
	cr_expect_eq(row.attempts, 1);
	cr_expect_eq(row.next_attempt_at, now + 120, "the lease");
	cr_expect_eq(store_outbox_claim_due(d, now, now + 120, 5, &lease), 0, "claimed only once");

	cr_expect_eq(outbox_record_attempt(d, id, 1, "connection refused", now, &p), OUTBOX_QUEUED);
	row = get(id);
	cr_expect_str_eq(row.status, "queued");
	cr_expect_eq(row.next_attempt_at, now + 30);
	cr_expect_str_eq(row.last_error, "connection refused");
	cr_expect_eq(store_outbox_claim_due(d, now + 29, now + 149, 5, &lease), 0, "not due yet");

	now += 30;
	cr_assert_eq(claim_one(now), id);
	cr_expect_eq(outbox_record_attempt(d, id, 2, "timeout", now, &p), OUTBOX_QUEUED);
	cr_expect_eq(get(id).next_attempt_at, now + 60);

	now += 60;
	cr_assert_eq(claim_one(now), id);
	cr_expect_eq(outbox_record_attempt(d, id, 3, "550 no such user", now, &p), OUTBOX_FAILED);
	row = get(id);
	cr_expect_str_eq(row.status, "failed");
	cr_expect_eq(row.attempts, 3);
	cr_expect_str_eq(row.last_error, "550 no such user");
	cr_expect_eq(store_outbox_claim_due(d, now + 100000, now + 100120, 5, &lease), 0,
	             "a failed email is never due");
}

Test(outbox, a_delivered_email_is_sent_and_never_due_again)
{
	struct mail m = sample();
	int64_t id = enqueue_committed(&m, NULL);
	struct outbox_policy p = {.max_attempts = 8, .retry_base_s = 30};
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(claim_one(now), id);
	cr_expect_eq(outbox_record_attempt(d, id, 1, NULL, now, &p), OUTBOX_SENT);
	struct outbox_row row = get(id);
	cr_expect_str_eq(row.status, "sent");
	cr_expect_eq(row.sent_at, now);
	cr_expect_eq(store_outbox_count_by_status(d, "sent"), 1);
	int64_t other;
	cr_expect_eq(store_outbox_claim_due(d, now + 100000, now + 100120, 5, &other), 0);
	/* A late failure report of a sender whose lease ran out changes nothing. */
	cr_expect_eq(outbox_record_attempt(d, id, 1, "late", now, &p), OUTBOX_QUEUED);
	cr_expect_str_eq(get(id).status, "sent");
}

Test(outbox, an_expired_lease_makes_an_email_due_again)
{
	struct mail m = sample();
	int64_t id = enqueue_committed(&m, NULL);
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(claim_one(now), id);
	int64_t other;
	cr_expect_eq(store_outbox_claim_due(d, now + 119, now + 239, 5, &other), 0);
	cr_expect_eq(claim_one(now + 120), id, "the sender died: claimed again");
	cr_expect_eq(get(id).attempts, 2);
}

Test(outbox, retry_puts_a_failed_email_back_in_the_queue)
{
	struct mail m = sample();
	int64_t id = enqueue_committed(&m, NULL);
	struct outbox_policy p = {.max_attempts = 1, .retry_base_s = 30};
	int64_t now = (int64_t)time(NULL);
	cr_expect_eq(outbox_retry(d, id, now), 1, "a queued email is not failed");
	cr_assert_eq(claim_one(now), id);
	cr_assert_eq(outbox_record_attempt(d, id, 1, "refused", now, &p), OUTBOX_FAILED);

	cr_expect_eq(outbox_retry(d, id, now + 500), 0);
	struct outbox_row row = get(id);
	cr_expect_str_eq(row.status, "queued");
	cr_expect_eq(row.attempts, 0);
	cr_expect_eq(row.next_attempt_at, now + 500);
	cr_expect_eq(claim_one(now + 500), id);
	cr_expect_eq(outbox_retry(d, 999999, now), 1, "no such row");
}

Test(outbox, lists_failed_emails_newest_first_a_page_at_a_time)
{
	struct mail m = sample();
	struct outbox_policy p = {.max_attempts = 1, .retry_base_s = 30};
	int64_t now = (int64_t)time(NULL) + 10; /* due even if the second turns while queueing */
	int64_t ids[5];
	for (int i = 0; i < 5; i++) {
		ids[i] = enqueue_committed(&m, NULL);
		cr_assert_eq(claim_one(now), ids[i]);
		if (i != 2)
			cr_assert_eq(outbox_record_attempt(d, ids[i], 1, "refused", now, &p),
			             OUTBOX_FAILED);
		else
			cr_assert_eq(outbox_record_attempt(d, ids[i], 1, NULL, now, &p),
			             OUTBOX_SENT);
	}
	cr_expect_eq(store_outbox_count_by_status(d, "failed"), 4);
	struct outbox_row rows[3];
	cr_assert_eq(store_outbox_list_failed(d, 0, 3, a, rows), 3);
	cr_expect_eq(rows[0].id, ids[4]);
	cr_expect_eq(rows[1].id, ids[3]);
	cr_expect_eq(rows[2].id, ids[1]);
	cr_expect_str_eq(rows[2].last_error, "refused");
	cr_assert_eq(store_outbox_list_failed(d, rows[2].id, 3, a, rows), 1);
	cr_expect_eq(rows[0].id, ids[0]);
	cr_expect_eq(store_outbox_list_failed(d, ids[0], 3, a, rows), 0);
}

/* ---- taking back what a node left unfinished ---- */

static int64_t claim_as(const char *node, const char *boot, int64_t now)
{
	struct outbox_claimant who = {node, boot};
	int64_t id = 0;
	int n = store_outbox_claim_due_as(d, &who, now, now + 120, 1, &id);
	cr_assert_geq(n, 0, "%s", db_error(d));
	return n == 1 ? id : 0;
}

Test(outbox, a_row_an_earlier_boot_of_this_node_left_sending_is_due_again_at_once)
{
	struct mail m = sample();
	int64_t id = enqueue_committed(&m, NULL);
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(claim_as("host-a:/srv/chamado", "boot-1", now), id);
	/* The node died mid-send and starts again 5 s later, as boot 2. */
	cr_expect_eq(outbox_reclaim_own(d, "host-a:/srv/chamado", "boot-2", now + 5), 1);
	cr_expect_eq(claim_as("host-a:/srv/chamado", "boot-2", now + 5), id,
	             "due at once, not after the 120 s lease");
	cr_expect_eq(get(id).attempts, 2);
	/* Its own current claim is not taken back by itself. */
	cr_expect_eq(outbox_reclaim_own(d, "host-a:/srv/chamado", "boot-2", now + 6), 0);
	cr_expect_eq(claim_as("host-a:/srv/chamado", "boot-2", now + 6), 0);
}

Test(outbox, a_row_another_node_holds_waits_for_its_lease)
{
	struct mail m = sample();
	int64_t id = enqueue_committed(&m, NULL);
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(claim_as("host-b:/srv/chamado", "boot-1", now), id);
	/* Node A starting says nothing about node B, which may be alive. */
	cr_expect_eq(outbox_reclaim_own(d, "host-a:/srv/chamado", "boot-2", now + 5), 0);
	cr_expect_eq(claim_as("host-a:/srv/chamado", "boot-2", now + 5), 0);
	cr_expect_str_eq(get(id).status, "sending");
	/* Rows claimed without a node (older senders) wait for the lease too. */
	int64_t other = enqueue_committed(&m, NULL);
	cr_assert_eq(claim_one((int64_t)time(NULL)), other); /* queued after now was read */
	cr_expect_eq(outbox_reclaim_own(d, "host-a:/srv/chamado", "boot-2", now + 5), 0);
	cr_expect_eq(claim_as("host-a:/srv/chamado", "boot-2", now + 120), id, "the lease ran out");
}
