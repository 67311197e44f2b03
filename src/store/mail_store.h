/* Inbound email's SQL: the mail_inbound log (deduplication by Message-ID,
 * the raw message kept for a while), the lookups that route a message to a
 * ticket or a department, the threading ids of a ticket's emails, the
 * global rate-limit counters and the IMAP poller's place in each mailbox.
 * Strings in results are allocated in the arena passed in. */
#ifndef CHAMADO_MAIL_STORE_H
#define CHAMADO_MAIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

struct mail_inbound_new {
	const char *message_id; /* the key: a Message-ID, or "sha256:<hex>" */
	const char *source;     /* "pipe" or a mailbox */
	const char *sender;
	const char *subject;
	const void *raw;        /* the message; NULL: not kept (compressed when stored) */
	size_t raw_len;         /* its size, also when not kept */
	int64_t now;
};

/* A new row with status 'received'. Its id, DB_CONSTRAINT when the key is
 * already there, or < 0. */
int64_t store_mail_inbound_insert(db *d, const struct mail_inbound_new *n);
/* The row of a key: 1 with *id and status (a static string: "received",
 * "stored", "ignored", "refused"), 0 none, < 0. */
int store_mail_inbound_status(db *d, const char *message_id, int64_t *id, const char **status);
/* The outcome of a row. ticket_id / message_row_id 0 store NULL. */
int store_mail_inbound_finish(db *d, int64_t id, const char *status, const char *reason,
                              int64_t ticket_id, int64_t message_row_id, int64_t now);
/* The kept original of the message that became messages.id = message_row_id,
 * as it arrived: 1 with *data (in a, NUL-terminated) and *len, 0 none (or
 * purged), < 0. */
int store_mail_inbound_raw(db *d, int64_t message_row_id, arena *a, const char **data, size_t *len);
/* Drops the raw bytes of rows received before `before`. Rows purged, or < 0. */
int store_mail_inbound_purge_raw(db *d, int64_t before);

/* The ticket one of our emails (outbox.message_id) was about; 0 none. */
int64_t store_mail_ticket_by_sent_id(db *d, const char *message_id);
/* The ticket of a message that came in by email with that Message-ID; 0 none. */
int64_t store_mail_ticket_by_received_id(db *d, const char *message_id);
/* A ticket's number, following merges to the ticket it was merged into:
 * 1 with *number, 0 none, < 0. */
int store_mail_ticket_number(db *d, int64_t ticket_id, int64_t *number, int64_t *final_id);
/* The ticket of a number; 0 none. */
int64_t store_mail_ticket_id_by_number(db *d, int64_t number);
/* The ticket whose display number is label (SUP-2026-000123): its id, 0, < 0. */
int64_t store_mail_ticket_id_by_label(db *d, const char *label);

/* Marks the ticket's message saved with submission_key (a reply), or its
 * first message when submission_key is NULL (a new ticket), as came by
 * email with that Message-ID. Returns the message's id, 0 none, < 0. */
int64_t store_mail_message_mark_email(db *d, int64_t ticket_id, const char *submission_key,
                                      const char *email_message_id);

/* Threading of a ticket's next email: the Message-ID of its first email
 * (NULL when none) and of the client's last message that came in by email
 * (NULL when none), in a. 0 or < 0. */
int store_mail_thread_ids(db *d, int64_t ticket_id, arena *a, const char **first_sent,
                          const char **last_received);

/* A department by its inbound address (any case): its id when clients may
 * open tickets there, 0 none, < 0. */
int64_t store_mail_department_by_address(db *d, const char *address);
/* 1 when address is some department's inbound address, 0 no, < 0. */
int store_mail_is_department_address(db *d, const char *address);
/* The first department clients see; 0 none. */
int64_t store_mail_first_department(db *d);

/* hits more on a fixed-window counter of the rate_limits table: the hits in
 * the window that starts at window_start (these included), or < 0. */
int64_t store_rate_limit_add(db *d, const char *key, int64_t window_start, int64_t hits);
static inline int64_t store_rate_limit_hit(db *d, const char *key, int64_t window_start)
{
	return store_rate_limit_add(d, key, window_start, 1);
}

/* IMAP: the mailboxes departments read. */
struct mail_mailbox_row {
	int64_t department_id;
	const char *url;
};
int store_mail_mailboxes(db *d, arena *a, struct mail_mailbox_row *rows, int max);
int store_mail_set_mailbox(db *d, int64_t department_id, const char *url);
/* The highest UID stored from (mailbox, uidvalidity); 0 when none. */
int64_t store_imap_last_uid(db *d, const char *mailbox, int64_t uidvalidity);
int store_imap_set_last_uid(db *d, const char *mailbox, int64_t uidvalidity, int64_t uid,
                            int64_t now);

#endif
