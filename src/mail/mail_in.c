#include "mail/mail_in.h"

#include <stdio.h>
#include <string.h>

#include "mail/message.h"
#include "mail/mime_in.h"

/* The bytes of a too-big message that are parsed, for its headers. */
#define MAIL_IN_HEADERS_PEEK (256u << 10)

int mail_in_deliver(db *d, const struct mail_in_options *o, const void *raw, size_t len,
                    struct inbound_result *r)
{
	memset(r, 0, sizeof *r);
	size_t max = inbound_max_bytes(d);
	arena *a = arena_new(64 * 1024);
	if (!a)
		return DB_NOMEM;
	struct mime_in_limits limits;
	mime_in_limits_default(&limits);
	struct inbound_msg m;
	size_t parsed_len = len > max && len > MAIL_IN_HEADERS_PEEK ? MAIL_IN_HEADERS_PEEK : len;
	bool parsed = mime_in_parse(raw, parsed_len, &limits, a, &m) == 0;
	char ours[256];
	struct notifier notifier = mail_notifier(o->mailer);
	struct inbound_options io = {
		.notifier = &notifier,
		.catalog = o->mailer->catalog,
		.our_address = mail_address_of(o->mailer->mail_from, ours, sizeof ours) == 0 ? ours : NULL,
		.source = o->source,
		.now = o->now,
	};
	int rc = inbound_deliver(d, &io, parsed ? &m : NULL, raw, len, max, r);
	arena_free(a);
	return rc;
}
