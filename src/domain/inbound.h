/* Inbound email: the rules of where one message goes. mail/ parses the
 * bytes (mail/mime_in.h) and hands the parsed message here, for the MTA pipe
 * (`chamado mail-in`) and the IMAP poller alike; the ticket itself is
 * written by the same domain functions the pages and the API call
 * (ticket_open, ticket_reply, with the sender as the actor and the email
 * channel), so permissions and notices are the same.
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
 *      (domain/ticket_ref.h). The sender decides: the ticket's client -> a client
 *      reply; a staff member allowed on the ticket's department -> a staff
 *      reply (the client is emailed); a CC of the ticket -> a reply of
 *      theirs on the client's side (domain/ticket_cc.h); anyone else -> not
 *      added, a polite auto-reply;
 *   5. otherwise a new ticket in the department whose inbound address is
 *      in To/Cc (or the envelope headers), else setting
 *      mail_default_department, else the first visible department. An
 *      unknown sender per setting mail_unknown_sender: "create" (default;
 *      a client without a password, who can set one with "Esqueceu a
 *      senha?") or "refuse" (a polite auto-reply). Its Cc addresses
 *      become the ticket's CCs (never the sender nor our addresses). At most
 *      mail_new_tickets_per_hour (default 10) new tickets per sender.
 * Auto-replies are themselves limited to 3 an hour per address.
 * The reply text is cut above the quoted history (mime_in_cut_quoted); a
 * new ticket keeps a forwarded message whole. The raw message is kept,
 * zlib-compressed, for mail_raw_keep_days (default 30) days. */
#ifndef CHAMADO_INBOUND_H
#define CHAMADO_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/notice.h"
#include "domain/session.h"
#include "store/db.h"
#include "store/mail_store.h"
#include "view/i18n.h"

/* One message, parsed (by mail/mime_in.c): every string UTF-8. */
struct inbound_attachment {
	const char *filename;     /* decoded, untrusted; never NULL ("" none) */
	const char *name;         /* filename, or one made from the type when
	                           * none was sent: "imagem-1.jpg", "anexo-2.pdf"
	                           * (the number is the attachment's position) */
	const char *content_type; /* as claimed, "type/subtype" */
	const unsigned char *data;
	size_t len;
	bool inline_part; /* Content-Disposition: inline (an inline image) */
};

struct inbound_msg {
	const char *from_address; /* bare address, "" when none */
	const char *from_name;    /* display name, UTF-8, "" when none */
	const char **recipients;  /* bare addresses: To, Cc, envelope headers */
	int nrecipients;
	const char **cc; /* bare addresses of Cc alone (also in recipients) */
	int ncc;
	const char *subject;     /* decoded, one line, "" when none */
	const char *message_id;  /* without <>, NULL when none */
	const char *in_reply_to; /* the first id, without <>, NULL when none */
	const char **references; /* without <>, oldest first */
	int nreferences;

	/* Loop and bounce signs (raw header values, NULL when absent). */
	const char *auto_submitted;
	const char *precedence;
	bool x_autoreply;
	bool x_autorespond;
	bool null_return_path;                /* Return-Path: <> (a bounce or an auto-reply) */
	bool delivery_report;                 /* multipart/report (DSN, MDN) */
	const char *x_auto_response_suppress; /* Outlook's header, raw; NULL absent */
	/* The subject starts with an out-of-office phrase ("Automatic reply:",
	 * "Resposta automática:", "Ausente:", ...) and the message has another
	 * auto sign (X-Auto-Response-Suppress, Auto-Submitted, X-Autoreply,
	 * Precedence auto_reply/bulk/junk, an empty Return-Path, ...). */
	bool looks_auto_reply;

	const char *text;      /* the whole body as UTF-8 text, "" when none */
	const char *reply;     /* text with the quoted history cut */
	const char *html_text; /* the HTML parts as text ("" none), for searching */
	bool from_html;        /* text came from HTML (no text/plain part with text) */
	bool forwarded;        /* a forwarded message: Fwd:/Enc: subject, or a marker */

	struct inbound_attachment *attachments;
	int nattachments;
	int parts_skipped; /* left out by a cap */
};

enum inbound_outcome {
	INBOUND_STORED,    /* a new ticket or a reply was saved */
	INBOUND_DUPLICATE, /* this message was taken before: nothing done */
	INBOUND_IGNORED,   /* deliberately not acted on, no reply (loop, ban, limit) */
	INBOUND_REFUSED,   /* not saved; the sender was answered (unless limited) */
};

struct inbound_result {
	enum inbound_outcome outcome;
	int64_t ticket_number; /* the ticket written to or refused, 0 none */
	char reason[256];      /* one line for logs and stderr */
};

struct inbound_options {
	const struct notifier *notifier; /* auto-replies and the tickets' notices */
	const i18n_catalog *catalog;     /* texts added to a ticket's message */
	const char *our_address;         /* our From address: mail from it is a loop */
	const char *source;              /* "pipe", or the IMAP mailbox */
	int64_t now;
};

/* Defaults of the settings above. */
#define INBOUND_DEFAULT_MAX_BYTES (25u << 20)
#define INBOUND_DEFAULT_KEEP_DAYS 30
#define INBOUND_DEFAULT_NEW_PER_HOUR 10
#define INBOUND_BOUNCES_PER_HOUR 3

/* The most bytes a message may have: the setting mail_max_bytes (or its
 * default). A reader that reads one more byte knows a message is too big. */
size_t inbound_max_bytes(db *d);

/* Takes one message: m parsed from the len bytes of raw (when len > max,
 * from their first bytes only, and the message is refused as too big; m
 * NULL when the bytes are not a message at all). Returns 0 with r filled
 * whatever the outcome, or < 0 (DB_E*) when it could not be stored now:
 * the caller must offer it again later, and nothing is lost or doubled by
 * that. */
int inbound_deliver(db *d, const struct inbound_options *o, const struct inbound_msg *m,
                    const void *raw, size_t len, size_t max, struct inbound_result *r);

/* The mailboxes the IMAP poller reads (departments with an imap:// URL),
 * and where it stopped in each: the last UID taken under a UIDVALIDITY. */
int inbound_mailboxes(db *d, arena *a, struct mail_mailbox_row *rows, int max);
/* The last UID taken, 0 none (or another UIDVALIDITY), < 0. */
int64_t inbound_mailbox_last_uid(db *d, const char *mailbox, int64_t uidvalidity);
int inbound_mailbox_set_last_uid(db *d, const char *mailbox, int64_t uidvalidity, int64_t uid,
                                 int64_t now);

/* The original email of a ticket's message that came in by email, for
 * staff allowed on that ticket: 1 with *data / *len in a, 0 when there is
 * none (not an email, purged, or not this staff member's), < 0. */
int inbound_original_for_staff(db *d, const struct session *staff, int64_t number,
                               int64_t message_row_id, arena *a, const char **data, size_t *len);

#endif
