/* Inbound email at the door: the bytes of one message (from the MTA pipe or
 * the IMAP poller) parsed by mail/mime_in.c and handed to the domain
 * (domain/inbound.h), which holds every rule of where it goes. */
#ifndef CHAMADO_MAIL_IN_H
#define CHAMADO_MAIL_IN_H

#include <stddef.h>
#include <stdint.h>

#include "domain/inbound.h"
#include "mail/notice.h"

struct mail_in_options {
	const struct mailer *mailer;
	const char *source; /* "pipe", or the IMAP mailbox */
	int64_t now;
};

/* Parses len bytes and delivers them (inbound_deliver): when len is over
 * inbound_max_bytes only the headers are read and the message is refused
 * as too big. Returns 0 with r filled whatever the outcome, or < 0 (DB_E*)
 * when it could not be stored now: the caller must offer it again later
 * (EX_TEMPFAIL, or the IMAP UID not passed). */
int mail_in_deliver(db *d, const struct mail_in_options *o, const void *raw, size_t len,
                    struct inbound_result *r);

#endif
