/* Building one outgoing email as RFC 5322 bytes, written straight into a
 * string without GMime's object tree (which cost four times as much). The
 * body's quoted-printable and plain address headers are written here; GMime
 * parses the addresses and writes the rest: encoded subjects and extra
 * headers, long or unusual address lists, and their folding.
 *
 * The email is multipart/alternative (text/plain, then text/html, both
 * charset=utf-8, quoted-printable), or a single text/plain part when there
 * is no HTML. Headers: Date, From, To, Subject, Message-Id, MIME-Version and
 * the stored extra lines (Auto-Submitted, In-Reply-To, References ...). Names
 * and subjects that are not ASCII become RFC 2047 encoded words in UTF-8.
 * Lines end in CRLF, ready for SMTP. */
#ifndef CHAMADO_MESSAGE_H
#define CHAMADO_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Initialises GMime once for the whole process; idempotent and
 * thread-safe (pthread_once). Call it at start-up, before any thread sends
 * mail; the functions of mail/ also call it, so forgetting is not fatal. */
void mail_init(void);

struct mail_message {
	const char *from;          /* a mailbox: "addr" or "Name <addr>" (UTF-8 name) */
	const char *to;            /* one or more mailboxes, as above, comma-separated */
	const char *subject;       /* UTF-8, one line */
	const char *text;          /* the plain-text body, UTF-8 */
	const char *html;          /* the HTML body, or NULL for text only */
	const char *message_id;    /* without <> */
	const char *extra_headers; /* "Name: value\r\n" lines (UTF-8 values), or NULL */
	int64_t date;              /* Unix seconds */
};

enum { MAIL_ADDRESS_MAX = 320 };

/* The SMTP envelope of a built email, from the addresses its headers were
 * built from: the sender does not parse them a second time. */
struct mail_envelope {
	char *from;                     /* room for MAIL_ADDRESS_MAX */
	char (*rcpt)[MAIL_ADDRESS_MAX]; /* room for max */
	int max;
	int n; /* set by the build: the recipients in rcpt */
};

/* Appends the email's bytes to out (its cap applies), and fills env unless
 * it is NULL. Returns 0, or -1 with a reason in err: an address that is not
 * one mailbox, a malformed extra header line or one that would replace a
 * header set here, out of memory, too big for out, more recipients than
 * env holds. */
int mail_message_build(const struct mail_message *m, buf *out, struct mail_envelope *env,
                       char *err, size_t errlen);

/* The bare address of a mailbox ("Ana <ana@example.com>" -> "ana@example.com")
 * into out. 0, or -1 when mailbox is not exactly one address or out is too small. */
int mail_address_of(const char *mailbox, char *out, size_t outlen);

/* The bare addresses of a list of mailboxes ("Ana <a@x>, b@y") into out:
 * their count, or -1 when one is not an address or there are over max. */
int mail_addresses_of(const char *list, char (*out)[MAIL_ADDRESS_MAX], int max);

#endif
