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

Test(smtp, a_session_sends_its_emails_on_one_connection_and_reconnects_when_it_is_gone)
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
