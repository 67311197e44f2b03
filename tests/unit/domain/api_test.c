/* The API's vocabulary and webhooks in the domain: Zendesk's statuses and
 * priorities map onto ours both ways, user ids never collide, webhook
 * events are queued in the caller's transaction (both or neither) for the
 * subscribed active webhooks only, signatures are HMAC-SHA256 over
 * "timestamp.body", and a failed delivery backs off until it fails. */
#include "domain/api.h"
#include "domain/api_token.h"
#include "domain/webhook.h"
#include "store/mail_store.h"

#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../test_db.h"

static char dir[] = "/tmp/chamado-api-test-XXXXXX";
static db *d;
static arena *a;

static void setup(void)
{
	char url[300], err[256] = "";
	cr_assert_geq(sodium_init(), 0);
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

TestSuite(api, .init = setup, .fini = teardown);

Test(api, maps_every_status_of_ours_to_zendesk_and_back)
{
	static const char *const ours[] = {"open", "answered", "customer-reply", "on-hold", "in-progress", "closed"};
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
		const char *z = api_status_out(ours[i]);
		/* Asking for the status it already reads as changes nothing. */
		cr_expect_str_eq(api_status_in(z, ours[i]), ours[i], "%s -> %s", ours[i], z);
		cr_expect(api_status_mask(z) != 0, "%s", z);
	}
	cr_expect_str_eq(api_status_out("answered"), "pending");
	cr_expect_str_eq(api_status_out("on-hold"), "hold");
	cr_expect_str_eq(api_status_in("pending", "open"), "answered");
	cr_expect_str_eq(api_status_in("hold", "open"), "on-hold");
	cr_expect_str_eq(api_status_in("solved", "open"), "closed");
	cr_expect_str_eq(api_status_in("open", "answered"), "in-progress");
	cr_expect_null(api_status_in("someday", "open"));
}

Test(api, maps_priorities_normal_is_medium_and_urgent_is_high)
{
	cr_expect_str_eq(api_priority_out("medium"), "normal");
	cr_expect_str_eq(api_priority_in("normal"), "medium");
	cr_expect_str_eq(api_priority_in("urgent"), "high");
	cr_expect_str_eq(api_priority_in("low"), "low");
	cr_expect_null(api_priority_in("medium"));
}

Test(api, gives_clients_even_and_staff_odd_user_ids)
{
	for (int64_t id = 1; id < 1000; id++) {
		cr_expect_neq(api_uid_client(id), api_uid_staff(id));
		cr_expect_eq(api_uid_client(id) % 2, 0);
		cr_expect_eq(api_uid_staff(id) % 2, 1);
		cr_expect_eq(api_uid_client(id) / 2, id);
		cr_expect_eq(api_uid_staff(id) / 2, id);
	}
}

Test(api, escapes_like_wildcards_in_search_words)
{
	cr_expect_str_eq(api_search_pattern(a, "Site 100%_OK"), "%site 100\\%\\_ok%");
	cr_expect_str_eq(api_search_pattern(a, "  "), "");
}

static int64_t count(const char *sql)
{
	db_stmt *s = db_prepare(d, sql);
	cr_assert_not_null(s, "%s", db_error(d));
	return db_scalar_int(s, -1);
}

static int64_t add_webhook(const char *url, bool created, bool reply, bool active)
{
	struct webhook_form f = {.url = url, .events = {created, false, reply, false}, .active = active};
	struct webhook_errors e;
	int64_t id = 0;
	cr_assert_eq(webhook_save(d, NULL, 0, &f, 1000, &e, &id), WEBHOOK_OK, "%s", db_error(d));
	return id;
}

Test(api, queues_an_event_for_each_active_subscribed_webhook_inside_the_transaction)
{
	add_webhook("http://127.0.0.1:9/a", true, true, true);
	add_webhook("http://127.0.0.1:9/b", false, true, true);
	add_webhook("http://127.0.0.1:9/c", true, true, false);
	cr_assert_eq(db_begin_write(d), DB_OK);
	cr_assert_eq(webhook_queue_event(d, WEBHOOK_TICKET_CREATED, 0, 1000), 0, "%s", db_error(d));
	cr_assert_eq(db_rollback(d), DB_OK);
	cr_expect_eq(count("SELECT count(*) FROM webhook_deliveries"), 0, "a rolled-back event is never announced");
	cr_assert_eq(db_begin_write(d), DB_OK);
	cr_assert_eq(webhook_queue_event(d, WEBHOOK_TICKET_CREATED, 0, 1000), 0);
	cr_assert_eq(webhook_queue_event(d, WEBHOOK_STAFF_REPLY, 0, 1000), 0);
	cr_assert_eq(db_commit(d), DB_OK);
	cr_expect_eq(count("SELECT count(*) FROM webhook_deliveries WHERE event = 'ticket_created'"), 1);
	cr_expect_eq(count("SELECT count(*) FROM webhook_deliveries WHERE event = 'staff_reply'"), 2);
}

/* The sender is woken after a commit only when the change queued a
 * delivery: with no webhook subscribed there is nothing to send. */
static bool queued_in_a_transaction(const char *event)
{
	cr_assert_eq(db_begin_write(d), DB_OK);
	cr_assert_eq(webhook_queue_event(d, event, 0, 1000), 0, "%s", db_error(d));
	cr_assert_eq(db_commit(d), DB_OK);
	return webhook_queued_take();
}

Test(api, wakes_the_webhook_sender_only_when_a_delivery_was_queued)
{
	webhook_queued_take();
	cr_expect_not(queued_in_a_transaction(WEBHOOK_TICKET_CREATED), "no webhook at all");
	add_webhook("http://127.0.0.1:9/a", true, false, true);
	add_webhook("http://127.0.0.1:9/b", false, true, false);
	cr_expect_not(queued_in_a_transaction(WEBHOOK_CLIENT_REPLY),
	              "the only webhook for replies is inactive");
	cr_expect(queued_in_a_transaction(WEBHOOK_TICKET_CREATED));
	cr_expect_not(webhook_queued_take(), "taken once, the flag is cleared");
	cr_expect_eq(count("SELECT count(*) FROM webhook_deliveries"), 1);
}

/* More active webhooks than the thread's copy of their events reads: an
 * event still queues, and wakes the sender. */
Test(api, with_more_webhooks_than_the_copy_reads_an_event_still_queues_and_wakes)
{
	enum { HOOKS = 101 };
	char url[64];
	for (int i = 0; i < HOOKS; i++) {
		snprintf(url, sizeof url, "http://127.0.0.1:9/%d", i);
		add_webhook(url, i == HOOKS - 1, i < HOOKS - 1, true);
	}
	webhook_queued_take();
	cr_expect(queued_in_a_transaction(WEBHOOK_TICKET_CREATED));
	cr_expect_eq(count("SELECT count(*) FROM webhook_deliveries"), 1);
}

Test(api, refuses_a_webhook_without_an_http_address_or_events)
{
	struct webhook_form f = {.url = "ftp://example.com/x", .active = true};
	struct webhook_errors e;
	int64_t id = 0;
	cr_expect_eq(webhook_save(d, NULL, 0, &f, 1000, &e, &id), WEBHOOK_INVALID);
	cr_expect_not_null(e.url);
	cr_expect_not_null(e.events);
}

Test(api, signs_timestamp_dot_body_with_hmac_sha256)
{
	char sig[WEBHOOK_SIGNATURE_LEN + 1];
	webhook_sign("segredo", 1700000000, "{\"a\":1}", sig);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	const char *msg = "1700000000.{\"a\":1}";
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)"segredo", 7);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[sizeof mac * 2 + 1];
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	char expected[WEBHOOK_SIGNATURE_LEN + 1];
	snprintf(expected, sizeof expected, "sha256=%s", hex);
	cr_expect_str_eq(sig, expected);
	webhook_sign("segredo", 1700000001, "{\"a\":1}", expected);
	cr_expect_str_neq(sig, expected, "the timestamp is signed too");
}

Test(api, backs_off_a_failed_delivery_then_fails_it_after_the_last_attempt)
{
	add_webhook("http://127.0.0.1:9/a", true, false, true);
	cr_assert_eq(webhook_queue_event(d, WEBHOOK_TICKET_CREATED, 0, 1000), 0);
	struct webhook_config c = {.base_url = "http://x", .max_attempts = 3, .retry_base_s = 10};
	int64_t now = 1000, waits[3];
	for (int i = 0; i < 3; i++) {
		int64_t id;
		cr_assert_eq(store_webhook_claim_due(d, now, now + 120, 1, &id), 1, "attempt %d", i + 1);
		struct webhook_delivery_row row;
		cr_assert_eq(store_webhook_delivery_get(d, id, a, &row), 1);
		cr_assert_eq(webhook_record(d, &c, &row, 503, "", 5, now), 0);
		cr_assert_eq(store_webhook_delivery_get(d, id, a, &row), 1);
		waits[i] = row.next_attempt_at - now;
		if (i < 2)
			cr_expect_str_eq(row.status, "queued");
		else
			cr_expect_str_eq(row.status, "failed");
		now = row.next_attempt_at;
	}
	cr_expect_eq(waits[0], 10);
	cr_expect_eq(waits[1], 20);
	int64_t none;
	cr_expect_eq(store_webhook_claim_due(d, now + 100000, now + 100120, 1, &none), 0, "a failed one is not retried");
}

Test(api, the_rate_limit_is_exact_on_one_node_and_counts_other_nodes_hits)
{
	bool valid = false;
	cr_assert_eq(api_rate_limit_set(d, &(struct actor){NULL, CHANNEL_WEB}, "50", &valid, 1800000000), 0);
	cr_assert(valid);
	int64_t now = 1800000010, retry = 0;
	for (int i = 1; i <= 50; i++)
		cr_assert_eq(api_rate_take(d, 7, now, &retry), 1, "request %d of 50 is allowed", i);
	cr_expect_eq(api_rate_take(d, 7, now, &retry), 0, "the 51st is refused");
	cr_expect_eq(retry, 50, "until the minute ends");
	cr_expect_eq(api_rate_take(d, 8, now, &retry), 1, "another token goes on");
	cr_expect_eq(api_rate_take(d, 7, now + 60, &retry), 1, "a new minute starts afresh");
	/* Another node has made 45 requests of token 9 this minute: this node
	 * may add at most a batch before it sees them and refuses. */
	cr_assert_eq(store_rate_limit_add(d, "api:9", now - now % 60, 45), 45);
	int allowed = 0;
	while (allowed < 100 && api_rate_take(d, 9, now, &retry) == 1)
		allowed++;
	cr_expect_lt(allowed, 50, "the other node's hits count (%d allowed here)", allowed);
	cr_expect_eq(count("SELECT hits FROM rate_limits WHERE key = 'api:9'"), 45 + allowed + 1,
	             "every hit of this node reached the shared counter");
}
