/* Sending one email's bytes to an SMTP server with libcurl.
 *
 * The URL names the server and how to reach it:
 *   smtp://host:587          plain SMTP; STARTTLS is used when the server
 *                            offers it (CURLUSESSL_TRY), so a local sink
 *                            without TLS works too
 *   smtp://host:587?starttls=required
 *                            refuses to send unless STARTTLS succeeds
 *   smtps://host:465         TLS from the first byte
 *   smtp://user:password@host:587   AUTH with these (percent-encode
 *                            '@', ':' and '/' inside them)
 * Certificates are verified against the system's store. Connecting may
 * take 10 s, the whole transfer 60 s. */
#ifndef CHAMADO_SMTP_H
#define CHAMADO_SMTP_H

#include <stddef.h>

enum { SMTP_CONNECT_TIMEOUT_S = 10, SMTP_TIMEOUT_S = 60 };

/* Sends message (len bytes, CRLF line ends) from the envelope sender
 * from_address to rcpt_address (bare addresses, no names). Returns 0 once
 * the server accepted it, or -1 with curl's reason in err (never the URL's
 * password). Thread-safe; every call opens its own connection (see
 * smtp_session for one kept between emails). */
int smtp_send(const char *url, const char *from_address, const char *rcpt_address,
              const char *message, size_t len, char *err, size_t errlen);
/* The same email to several recipients in one SMTP transaction (one RCPT TO
 * each). 0 once the server took it for at least one of them: an address it
 * refuses does not hold the email back from the others. */
int smtp_send_many(const char *url, const char *from_address, const char *const *rcpt_addresses,
                   int rcpt_count, const char *message, size_t len, char *err, size_t errlen);

/* One sender's connection, kept open between its emails to the same
 * server: each email is a new MAIL FROM on it, not a new handshake (TCP,
 * EHLO, STARTTLS, AUTH). A connection the server closed meanwhile is opened
 * again. A session belongs to one thread at a time. */
typedef struct smtp_session smtp_session;
/* NULL with the reason in err when out of memory. libcurl is loaded when an
 * email first goes through it (one that cannot load it fails with why). */
smtp_session *smtp_session_new(char *err, size_t errlen);
void smtp_session_free(smtp_session *s); /* closes the connection; NULL is fine */
/* smtp_send_many on the session's connection. */
int smtp_session_send(smtp_session *s, const char *url, const char *from_address,
                      const char *const *rcpt_addresses, int rcpt_count, const char *message,
                      size_t len, char *err, size_t errlen);

/* Connections a session sends on at once. Through libcurl a connection
 * waits for the server's answer to each command (MAIL, RCPT, DATA, the
 * message); with several, one sends while the others wait. A plain
 * smtp://host[:port] server that offers PIPELINING and no STARTTLS (a local
 * relay, say) gets our own connections instead (smtp_pipe.h): one round
 * trip an email, its content going out with the next email's commands. */
enum { SMTP_LANES = 4, SMTP_ERROR_MAX = 256 };

/* One email of smtp_session_send_all. */
struct smtp_email {
	const char *from;                 /* bare envelope addresses */
	const char *const *rcpt_addresses;
	int rcpt_count;
	const char *message;
	size_t len;
	unsigned lane; /* emails whose lanes are equal modulo SMTP_LANES go one
	                  after another, in their order in the array */
	int rc;        /* set: 0 once the server took it, or -1 with err */
	char err[SMTP_ERROR_MAX];
};

/* Sends the n emails on up to SMTP_LANES connections of the session at
 * once. 0 when every email went, -1 when one did not (see each rc). */
int smtp_session_send_all(smtp_session *s, const char *url, struct smtp_email *emails, int n);

/* The same in steps, for a caller that builds its emails one by one and
 * sends the first while it builds the next: begin, then advance after each
 * email added to the array (it starts what it can and returns at once),
 * then finish, which waits for the rest. The array stays in place and only
 * grows between the calls. begin gives -1 when the URL is unusable (finish
 * then fails every email). */
int smtp_session_begin(smtp_session *s, const char *url);
void smtp_session_advance(smtp_session *s, struct smtp_email *emails, int n);
int smtp_session_finish(smtp_session *s, struct smtp_email *emails, int n);

#endif
