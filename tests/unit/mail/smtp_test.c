/* Sending through a real SMTP server (aiosmtpd on loopback). */
#include "mail/smtp.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"
#include "smtp_sink.h"

static char dir[] = "/tmp/chamado-smtp-test-XXXXXX";
static struct smtp_sink sink;

static void setup(void)
{
	mail_init();
	cr_assert_not_null(mkdtemp(dir));
	sink_prepare(&sink, dir);
}

static void teardown(void)
{
	sink_stop(&sink);
	char command[300];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(smtp, .init = setup, .fini = teardown, .timeout = 60);

static const char email[] = "From: a@example.com\r\nTo: b@example.com\r\n"
                            "Subject: hello\r\nMessage-Id: <smtp-test@example.com>\r\n\r\n"
                            "body line\r\n.leading dot\r\n";

static void copy_path(const char *path, void *data)
{
	snprintf(data, 600, "%s", path);
}

Test(smtp, delivers_one_email_to_a_plain_loopback_server)
{
	sink_start(&sink);
	char err[256] = "";
	cr_assert_eq(smtp_send(sink.url, "a@example.com", "b@example.com", email, strlen(email),
	                       err, sizeof err),
	             0, "%s", err);
	char path[600] = "";
	cr_assert_eq(sink_each(&sink, copy_path, path), 1);
	char *got = sink_read_file(path);
	cr_expect(strstr(got, "Message-Id: <smtp-test@example.com>"), "%s", got);
	cr_expect(strstr(got, "\n.leading dot"), "dot-stuffing undone by the server: %s", got);
	cr_expect(strstr(got, "X-MailFrom: a@example.com"), "the envelope sender: %s", got);
	cr_expect(strstr(got, "X-RcptTo: b@example.com"), "the envelope recipient: %s", got);
	free(got);
}

Test(smtp, reports_a_server_that_is_down)
{
	char err[256] = "";
	cr_assert_eq(smtp_send(sink.url, "a@example.com", "b@example.com", email, strlen(email),
	                       err, sizeof err),
	             -1);
	cr_expect(strlen(err) > 0, "a reason");
	cr_expect_eq(sink_each(&sink, NULL, NULL), 0);
}

Test(smtp, required_starttls_refuses_a_server_without_tls)
{
	sink_start(&sink);
	char url[128], err[256] = "";
	snprintf(url, sizeof url, "%s?starttls=required", sink.url);
	cr_assert_eq(
	    smtp_send(url, "a@example.com", "b@example.com", email, strlen(email), err, sizeof err),
	    -1);
	cr_expect(strlen(err) > 0);
	cr_expect_eq(sink_each(&sink, NULL, NULL), 0, "nothing sent in the clear");
}

Test(smtp, refuses_bad_envelope_addresses_and_other_protocols)
{
	char err[256] = "";
	cr_expect_eq(smtp_send("smtp://127.0.0.1:1", "a@example.com", "b@x>\r\nRCPT TO:<c@x", email,
	                       strlen(email), err, sizeof err),
	             -1);
	cr_expect_str_eq(err, "bad envelope address");
	cr_expect_eq(smtp_send("file:///tmp/x", "a@example.com", "b@example.com", email,
	                       strlen(email), err, sizeof err),
	             -1);
	cr_expect_eq(
	    smtp_send("", "a@example.com", "b@example.com", email, strlen(email), err, sizeof err),
	    -1);
	cr_expect_str_eq(err, "no SMTP URL");
}

/* The X-Peer line aiosmtpd adds to an email: the client's address and
 * port, which tell one connection from another. */
static void collect_peer(const char *path, void *data)
{
	char *got = sink_read_file(path);
	const char *peer = strstr(got, "X-Peer: ");
	cr_assert_not_null(peer, "%s", got);
	char(*peers)[64] = data;
	int i = 0;
	while (peers[i][0])
		i++;
	snprintf(peers[i], 64, "%.*s", (int)strcspn(peer, "\r\n"), peer);
	free(got);
}

/* Three emails on one connection, then one more after the server's
 * restart: the session opens a new connection instead of failing. */
static void check_session_reconnects(void)
{
	sink_start(&sink);
	char err[256] = "";
	smtp_session *s = smtp_session_new(err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	const char *rcpt[] = {"b@example.com"};
	for (int i = 0; i < 3; i++)
		cr_assert_eq(smtp_session_send(s, sink.url, "a@example.com", rcpt, 1, email,
		                               strlen(email), err, sizeof err),
		             0, "email %d: %s", i, err);
	char peers[8][64] = {{0}};
	cr_assert_eq(sink_each(&sink, collect_peer, peers), 3);
	cr_expect_str_eq(peers[0], peers[1], "one connection");
	cr_expect_str_eq(peers[1], peers[2], "one connection");

	/* The server went away and came back: the next email opens a new
	 * connection instead of failing on the dead one. */
	sink_stop(&sink);
	sink_start(&sink);
	cr_expect_eq(smtp_session_send(s, sink.url, "a@example.com", rcpt, 1, email, strlen(email),
	                               err, sizeof err),
	             0, "%s", err);
	cr_expect_eq(sink_each(&sink, NULL, NULL), 4);
	smtp_session_free(s);
}

Test(smtp, a_session_sends_its_emails_on_one_connection_and_reconnects_when_it_is_gone)
{
	check_session_reconnects();
}

Test(smtp, a_pipelined_session_sends_on_one_connection_and_reconnects_when_it_is_gone)
{
	sink.pipelining = true;
	check_session_reconnects();
}

/* An email the sink stored: its arrival (the Maildir name's Q counter), its
 * envelope recipient, its Message-Id and the connection it came on. */
struct stored {
	int arrival;
	char rcpt[64], message_id[64], peer[64];
};

static void header_value(const char *text, const char *name, char *out, size_t outlen)
{
	const char *at = strstr(text, name);
	cr_assert_not_null(at, "no %s in: %s", name, text);
	at += strlen(name);
	snprintf(out, outlen, "%.*s", (int)strcspn(at, "\r\n"), at);
}

static void collect_stored(const char *path, void *data)
{
	struct stored *all = data;
	int i = 0;
	while (all[i].rcpt[0])
		i++;
	const char *q = strstr(strrchr(path, '/'), "Q");
	cr_assert_not_null(q, "%s", path);
	all[i].arrival = atoi(q + 1);
	char *got = sink_read_file(path);
	header_value(got, "X-RcptTo: ", all[i].rcpt, sizeof all[i].rcpt);
	header_value(got, "Message-Id: ", all[i].message_id, sizeof all[i].message_id);
	header_value(got, "X-Peer: ", all[i].peer, sizeof all[i].peer);
	free(got);
}

static int by_arrival(const void *a, const void *b)
{
	return ((const struct stored *)a)->arrival - ((const struct stored *)b)->arrival;
}

/* A batch over two lanes, one email refused before it is sent. */
static void check_batch(void)
{
	sink_start(&sink);
	char err[256] = "";
	smtp_session *s = smtp_session_new(err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	enum { N = 13, BAD = 6 };
	static const char *const rcpt[2][1] = {{"one@example.com"}, {"two@example.com"}};
	static const char *const nobody[] = {"no address"};
	char texts[N][200];
	struct smtp_email emails[N];
	for (int i = 0; i < N; i++) {
		snprintf(texts[i], sizeof texts[i],
		         "From: a@example.com\r\nSubject: %d\r\nMessage-Id: <m%d@example.com>\r\n\r\n%d\r\n",
		         i, i, i);
		emails[i] = (struct smtp_email){.from = "a@example.com",
		                                .rcpt_addresses = rcpt[i % 2],
		                                .rcpt_count = 1,
		                                .message = texts[i],
		                                .len = strlen(texts[i]),
		                                .lane = (unsigned)(i % 2)};
	}
	emails[BAD].rcpt_addresses = nobody; /* refused before it is sent */
	emails[BAD].lane = 2;
	cr_assert_eq(smtp_session_send_all(s, sink.url, emails, N), -1, "one email did not go");
	for (int i = 0; i < N; i++)
		if (i == BAD)
			cr_expect_str_eq(emails[i].err, "bad envelope address");
		else
			cr_expect_eq(emails[i].rc, 0, "email %d: %s", i, emails[i].err);

	struct stored got[N] = {{0}};
	cr_assert_eq(sink_each(&sink, collect_stored, got), N - 1);
	qsort(got, N - 1, sizeof got[0], by_arrival);
	/* Each recipient's emails arrived in the order of the array. */
	int last[2] = {-1, -1};
	for (int i = 0; i < N - 1; i++) {
		int who = strcmp(got[i].rcpt, "two@example.com") == 0;
		int number = atoi(got[i].message_id + 2); /* "<m12@..." */
		cr_expect_eq(number % 2, who, "%s went to %s", got[i].message_id, got[i].rcpt);
		cr_expect_gt(number, last[who], "%s arrived after m%d", got[i].message_id, last[who]);
		last[who] = number;
	}
	/* The two lanes started at once, each on a connection (a lane takes
	 * whichever the session holds idle when its next email starts). */
	bool two_peers = false;
	for (int i = 1; i < N - 1; i++)
		two_peers = two_peers || strcmp(got[i].peer, got[0].peer) != 0;
	cr_expect(two_peers, "every email came on one connection: %s", got[0].peer);
	smtp_session_free(s);
}

Test(smtp, a_batch_keeps_each_lanes_order_sends_lanes_side_by_side_and_reports_each_email)
{
	check_batch();
}

Test(smtp, a_pipelined_batch_keeps_each_lanes_order_and_reports_each_email)
{
	sink.pipelining = true;
	check_batch();
}

static void read_only(const char *path, void *data)
{
	char **got = data;
	*got = sink_read_file(path);
}

Test(smtp, a_server_that_offers_pipelining_gets_the_commands_pipelined_and_the_content_intact)
{
	sink.pipelining = true;
	sink_start(&sink);
	/* Lines that begin with a dot, one that is only a dot, and no CRLF at
	 * the end: the content arrives as it was. */
	static const char text[] = "From: a@example.com\r\nTo: b@example.com\r\n"
	                           "Subject: dots\r\nMessage-Id: <dots@example.com>\r\n\r\n"
	                           "first\r\n.leading dot\r\n.\r\n..two dots\r\nlast line";
	char err[256] = "";
	cr_assert_eq(smtp_send(sink.url, "a@example.com", "b@example.com", text, strlen(text), err,
	                       sizeof err),
	             0, "%s", err);
	char *got = NULL;
	cr_assert_eq(sink_each(&sink, read_only, &got), 1);
	cr_expect(strstr(got, "X-Pipelined: yes"), "MAIL, RCPT and DATA went one by one: %s", got);
	cr_expect(strstr(got, "\nfirst\n.leading dot\n.\n..two dots\nlast line"),
	          "the content changed on its way: %s", got);
	cr_expect(strstr(got, "X-MailFrom: a@example.com"), "the envelope sender: %s", got);
	cr_expect(strstr(got, "X-RcptTo: b@example.com"), "the envelope recipient: %s", got);
	free(got);
}

/* The test email from a@example.com to rcpt (n addresses). */
static struct smtp_email test_email(const char *const *rcpt, int n)
{
	return (struct smtp_email){.from = "a@example.com",
	                           .rcpt_addresses = rcpt,
	                           .rcpt_count = n,
	                           .message = email,
	                           .len = strlen(email)};
}

/* A session to the sink that offers PIPELINING, started when start. */
static smtp_session *pipelined_session(bool start)
{
	sink.pipelining = true;
	if (start)
		sink_start(&sink);
	char err[256] = "";
	smtp_session *s = smtp_session_new(err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	return s;
}

Test(smtp, a_pipelined_refusal_fails_only_its_email_and_the_next_one_goes)
{
	smtp_session *s = pipelined_session(true);
	static const char *const some[] = {"refused1@example.com", "b@example.com"};
	static const char *const none[] = {"refused2@example.com", "refused3@example.com"};
	static const char *const one[] = {"c@example.com"};
	struct smtp_email emails[3] = {test_email(some, 2), test_email(none, 2), test_email(one, 1)};
	cr_assert_eq(smtp_session_send_all(s, sink.url, emails, 3), -1, "the second did not go");
	cr_expect_eq(emails[0].rc, 0, "one refused recipient of two: %s", emails[0].err);
	cr_expect_eq(emails[1].rc, -1);
	cr_expect(strstr(emails[1].err, "550"), "the server's reason: %s", emails[1].err);
	cr_expect_eq(emails[2].rc, 0, "after a refused email: %s", emails[2].err);
	struct stored got[3] = {{0}};
	cr_assert_eq(sink_each(&sink, collect_stored, got), 2);
	qsort(got, 2, sizeof got[0], by_arrival);
	cr_expect_str_eq(got[0].rcpt, "b@example.com");
	cr_expect_str_eq(got[1].rcpt, "c@example.com");
	smtp_session_free(s);
}

Test(smtp, a_pipelined_session_reports_a_server_that_is_down)
{
	smtp_session *s = pipelined_session(false); /* the sink never started */
	static const char *const rcpt[] = {"b@example.com"};
	struct smtp_email emails[2] = {test_email(rcpt, 1), test_email(rcpt, 1)};
	cr_assert_eq(smtp_session_send_all(s, sink.url, emails, 2), -1);
	for (int i = 0; i < 2; i++) {
		cr_expect_eq(emails[i].rc, -1);
		cr_expect(emails[i].err[0], "email %d has a reason", i);
	}
	smtp_session_free(s);
}

static bool libcurl_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	cr_assert_not_null(f);
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, "libcurl") != NULL;
	fclose(f);
	return found;
}

Test(smtp, a_session_to_a_pipelining_server_never_loads_libcurl)
{
	cr_assert_not(libcurl_mapped(), "loaded before any email");
	sink.pipelining = true;
	sink_start(&sink);
	char err[256] = "";
	cr_assert_eq(smtp_send(sink.url, "a@example.com", "b@example.com", email, strlen(email),
	                       err, sizeof err),
	             0, "%s", err);
	cr_expect_not(libcurl_mapped(), "some 3 MB of pages for nothing");
	/* A server that does not pipeline: libcurl is loaded then. */
	sink_stop(&sink);
	sink.pipelining = false;
	sink_start(&sink);
	cr_assert_eq(smtp_send(sink.url, "a@example.com", "b@example.com", email, strlen(email),
	                       err, sizeof err),
	             0, "%s", err);
	cr_expect(libcurl_mapped());
}

Test(smtp, a_pipelined_connection_is_kept_after_an_email_every_recipient_refused)
{
	smtp_session *s = pipelined_session(true);
	static const char *const ok[] = {"b@example.com"};
	static const char *const none[] = {"refused@example.com"};
	struct smtp_email first[2] = {test_email(ok, 1), test_email(none, 1)};
	struct smtp_email second = test_email(ok, 1);
	cr_assert_eq(smtp_session_send_all(s, sink.url, first, 2), -1);
	/* The server's answer to the RSET that ended the refused email has
	 * come by now: it is no reason to drop the connection. */
	nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
	cr_assert_eq(smtp_session_send_all(s, sink.url, &second, 1), 0, "%s", second.err);
	char peers[8][64] = {{0}};
	cr_assert_eq(sink_each(&sink, collect_peer, peers), 2);
	cr_expect_str_eq(peers[0], peers[1], "one connection for both batches");
	smtp_session_free(s);
}
