/* What the domain tells people, as events: "ticket #N was opened, tell its
 * client", "a staff member replied, tell the client". The domain decides
 * who is told and when (in the transaction of the change, so a notice is
 * never lost nor sent for a change that rolled back); how it reads — the
 * templates, the language's texts, links, MIME — is composed outside the
 * domain, by the notifier the application hands in (mail/notice.c writes
 * an outbox email). */
#ifndef CHAMADO_NOTICE_H
#define CHAMADO_NOTICE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/account.h"
#include "domain/outbox.h"
#include "store/db.h"
#include "view/i18n.h"

struct ticket_row;

enum notice_kind {
	NOTICE_TICKET_OPENED,      /* to the client: the confirmation with the number */
	NOTICE_TICKET_NEW_STAFF,   /* to a department member: a new ticket */
	NOTICE_CLIENT_REPLY_STAFF, /* to a department member: the client replied */
	NOTICE_STAFF_REPLY,        /* to the client: a staff reply */
	NOTICE_PASSWORD_RESET,     /* to an account: the reset link */
	NOTICE_EMAIL_CHANGE,       /* to the new address: the confirmation link */
	NOTICE_MAIL_NOT_ADDED,     /* to an email sender: not allowed on that ticket */
	NOTICE_MAIL_REFUSED,       /* to an email sender: unknown senders are refused */
	NOTICE_MAIL_TOO_BIG,       /* to an email sender: over the size limit */
	NOTICE_CSAT_REQUEST,       /* to the client: rate the support (token: the signed link) */
	NOTICE_CSAT_BAD_STAFF,     /* to a department member: a bad rating with a comment */
	NOTICE_CC_ADDED,           /* to a new CC: copied on the ticket (message: its first, or NULL) */
	NOTICE_TICKET_REPLY_COPY,  /* to a CC, or the client when a CC wrote: a public reply */
	NOTICE_ESCALATION_STAFF,   /* to staff: an escalation rule fired (message: its name) */
};

struct notice {
	enum notice_kind kind;
	const char *to;      /* the recipient's address */
	const char *to_name; /* NULL or their name */
	enum lang lang;      /* the recipient's language */
	/* More recipients of the same email, in the same language (staff);
	 * notice_queue_staff fills these. */
	const struct mail_recipient *also;
	int also_count;

	/* Ticket notices: the ticket and what was written. */
	const struct ticket_row *ticket;
	const char *message;
	const char *author_name; /* NOTICE_STAFF_REPLY and the CC notices: who wrote */
	/* The recipient's access key (domain/ticket_cc.h): the email links to
	 * <base_url>/t/<number>/<key> instead of the Client Area; NULL none. */
	const char *access_key;
	/* The ticket's first email when it is not in the outbox yet (an
	 * opening's emails composed before their transaction): it threads the
	 * later ones as if it were. NULL otherwise. */
	const char *first_sent;

	/* Account notices: the link's token, whose it is, the new address. */
	const char *token;
	enum account_kind account_kind;
	const char *new_email;

	/* Answers to an email sender: what they sent, and why. */
	const char *in_reply_to; /* their Message-ID, NULL none */
	const char *subject;
	int64_t number; /* the ticket they wrote to, 0 none */
	const char *limit; /* NOTICE_MAIL_TOO_BIG: "25 MB" */
};

/* queue: queues the notice in the caller's transaction: 0, or < 0 (DB_E*).
 * prepare (NULL: the notifier has none): composes it outside any
 * transaction into out, in a, for outbox_enqueue_prepared to write in one. */
struct notifier {
	int (*queue)(void *self, db *d, const struct notice *n);
	int (*prepare)(void *self, db *d, const struct notice *n, arena *a,
	               struct outbox_prepared *out);
	void *self;
};

static inline int notice_queue(db *d, const struct notifier *to, const struct notice *n)
{
	return to && to->queue ? to->queue(to->self, d, n) : 0;
}

static inline bool notice_can_prepare(const struct notifier *to)
{
	return to && to->queue && to->prepare;
}

struct staff_contact;
/* Tells staff what n says: one email per language with every one of them
 * who reads it in its To, not one email each (a department of ten is told
 * in one or two emails). n's recipient fields are ignored. 0, or < 0. */
int notice_queue_staff(db *d, const struct notifier *to, const struct notice *n,
                       const struct staff_contact *staff, int count);
/* The same emails composed outside any transaction (notice_can_prepare)
 * into out, in a: how many, or < 0 (DB_ERROR when they would be more than
 * max). Each is written with outbox_enqueue_prepared. */
int notice_prepare_staff(db *d, const struct notifier *to, const struct notice *n,
                         const struct staff_contact *staff, int count, arena *a,
                         struct outbox_prepared *out, int max);

#endif
