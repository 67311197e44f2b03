/* Inbound email: one message in, and where it goes. The same rules for the
 * MTA pipe (`chamado mail-in`) and the IMAP poller (jobs/imap_poller.c);
 * the ticket itself is written by the domain functions the web uses
 * (ticket_open, ticket_reply_by_client, staff_reply), so the rules,
 * permissions and notification emails are the same.
 *
 * Check, then proceed:
 *   1. the same message twice (same Message-ID, or the same bytes when it
 *      has none) does nothing the second time (table mail_inbound);
 *   2. ignored, never answered: Auto-Submitted other than "no",
 *      Precedence bulk/junk/list, X-Autoreply, X-Autorespond, an empty
 *      Return-Path or a delivery report, mailer-daemon/postmaster, our own
 *      address (mail_from or a department's) as sender, no sender, a banned
 *      sender (setting mail_banned_senders: addresses and @domains, comma
 *      or newline separated);
 *   3. too big (setting mail_max_bytes, default 25 MiB): refused with a
 *      polite auto-reply;
 *   4. a reply: In-Reply-To / References naming one of our emails (or a
 *      message that came in by email), else the subject tag
 *      "[Ticket ID: N]", else the hidden reference of our emails
 *      (mail/thread.h). The sender decides: the ticket's client -> a client
 *      reply; a staff member allowed on the ticket's department -> a staff
 *      reply (the client is emailed); anyone else -> not added, a polite
 *      auto-reply;
 *   5. otherwise a new ticket in the department whose inbound address is
 *      in To/Cc (or the envelope headers), else setting
 *      mail_default_department, else the first visible department. An
 *      unknown sender per setting mail_unknown_sender: "create" (default;
 *      a client without a password, who can set one with "Esqueceu a
 *      senha?") or "refuse" (a polite auto-reply). At most
 *      mail_new_tickets_per_hour (default 10) new tickets per sender.
 * Auto-replies are themselves limited to 3 an hour per address.
 * The reply text is cut above the quoted history (mime_in_cut_quoted); a
 * new ticket keeps a forwarded message whole. The raw message is kept,
 * zlib-compressed, for mail_raw_keep_days (default 30) days. */
#ifndef CHAMADO_MAIL_IN_H
#define CHAMADO_MAIL_IN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "domain/notify.h"
#include "domain/session.h"
#include "store/db.h"

enum mail_in_outcome {
	MAIL_IN_STORED,    /* a new ticket or a reply was saved */
	MAIL_IN_DUPLICATE, /* this message was taken before: nothing done */
	MAIL_IN_IGNORED,   /* deliberately not acted on, no reply (loop, ban, limit) */
	MAIL_IN_REFUSED,   /* not saved; the sender was answered (unless limited) */
};

struct mail_in_result {
	enum mail_in_outcome outcome;
	int64_t ticket_number; /* the ticket written to or refused, 0 none */
	char reason[256];      /* one line for logs and stderr */
};

struct mail_in_options {
	const struct mailer *mailer;
	const char *source; /* "pipe", or the IMAP mailbox */
	int64_t now;
};

/* Defaults of the settings above. */
#define MAIL_IN_DEFAULT_MAX_BYTES (25u << 20)
#define MAIL_IN_DEFAULT_KEEP_DAYS 30
#define MAIL_IN_DEFAULT_NEW_PER_HOUR 10
#define MAIL_IN_BOUNCES_PER_HOUR 3

/* The most bytes a reader should hand to mail_in_deliver: the setting
 * mail_max_bytes (or its default). Reading one more byte tells a message
 * that is too big. */
size_t mail_in_max_bytes(db *d);

/* Takes one message (len bytes; when len > mail_in_max_bytes the message
 * is refused as too big, its headers read from the first bytes). Returns 0
 * with r filled whatever the outcome, or < 0 (DB_E*) when it could not be
 * stored now: the caller must offer it again later (EX_TEMPFAIL, or the
 * IMAP UID not passed), and nothing is lost or doubled by that. */
int mail_in_deliver(db *d, const struct mail_in_options *o, const void *raw, size_t len,
                    struct mail_in_result *r);

/* The original email (decompressed) of a ticket's message that came in by
 * email, for staff allowed on that ticket: 1 with *data / *len in a, 0 when
 * there is none (not an email, purged, or not this staff member's), < 0. */
int mail_in_original_for_staff(db *d, const struct session *staff, int64_t number,
                               int64_t message_row_id, arena *a, const char **data, size_t *len);

/* `chamado mail-in`: one message on stdin; `--imap` polls the departments'
 * mailboxes once instead (`--every SECONDS` keeps polling). argv[0] is
 * "mail-in". Exit codes: 0 stored or deliberately not stored, 75
 * (EX_TEMPFAIL) when the database is unavailable, 2 usage, 1 other. */
int mail_in_command(const struct config *cfg, int argc, char **argv);

#endif
