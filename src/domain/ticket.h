/* Tickets as a client sees them: opening one, following it, replying,
 * closing, and downloading its attachments. Every function checks that
 * the ticket is the client's own: another client's ticket is answered
 * exactly like one that does not exist, so numbers cannot be probed.
 *
 * Ticket status is a named state machine (DESIGN.md):
 *   open --staff reply--> answered --client reply--> customer-reply
 *   any --close--> closed --client reply--> customer-reply (reopened)
 *   on-hold and in-progress are set by staff. */
#ifndef CHAMADO_TICKET_H
#define CHAMADO_TICKET_H

#include <stdint.h>

#include "domain/attachment.h"
#include "domain/notify.h"
#include "domain/session.h"
#include "store/db.h"
#include "store/ticket_store.h"

enum { TICKET_SUBJECT_MAX = 200, TICKET_MESSAGE_MAX = 64 * 1024 };

enum ticket_result {
	TICKET_OK = 0,
	TICKET_INVALID = 1,   /* see the errors struct */
	TICKET_NOT_FOUND = 2, /* no such ticket for this client */
};

struct ticket_form {
	int64_t department_id;
	int64_t service_id; /* 0: none */
	const char *subject;
	const char *priority; /* "low", "medium", "high" */
	const char *message;
	const char *submission_key; /* from the form, against double submits */
	const struct attachment_in *files;
	int nfiles;
	const struct session *staff; /* set when staff opens it on the client's behalf */
};

/* A msgid per wrong field, NULL when the field is fine. */
struct ticket_errors {
	const char *department, *subject, *service, *priority, *message;
};

/* Opens a ticket for the signed-in client: in one transaction the ticket
 * (a random unique number), its first message, the attachments, the
 * confirmation email to the client and a notification to the department's
 * staff. A second submit with the same key returns the first ticket's
 * number. TICKET_OK with *number, TICKET_INVALID with errors, or < 0. */
int ticket_open(db *d, const struct mailer *m, const struct session *client,
                const struct ticket_form *f, int64_t now, struct ticket_errors *errors,
                int64_t *number);

/* The client's ticket by number: 1 (row filled), 0 not theirs or none, < 0. */
int ticket_for_client(db *d, const struct session *client, int64_t number, arena *a,
                      struct ticket_row *row);

struct ticket_thread {
	struct message_row *messages;
	int nmessages;
	struct attachment_row *attachments;
	int nattachments;
};
/* The thread of a ticket the caller may see; internal notes and their
 * attachments only with_internal (staff). 0 or < 0. */
int ticket_thread_load(db *d, int64_t ticket_id, bool with_internal, arena *a,
                       struct ticket_thread *t);

/* A client's reply: sets customer-reply (reopening a closed ticket) and
 * emails the department's staff. TICKET_OK, TICKET_INVALID (errors->message),
 * TICKET_NOT_FOUND or < 0. Repeated keys add nothing. */
int ticket_reply_by_client(db *d, const struct mailer *m, const struct session *client,
                           int64_t number, const char *message, const struct attachment_in *files,
                           int nfiles, const char *submission_key, int64_t now,
                           struct ticket_errors *errors);
/* "Fechar ticket". TICKET_OK, TICKET_NOT_FOUND or < 0. */
int ticket_close_by_client(db *d, const struct session *client, int64_t number, int64_t now);

/* An attachment of the client's ticket (not of an internal note): 1, 0, < 0. */
int ticket_attachment_for_client(db *d, const struct session *client, int64_t number,
                                 int64_t attachment_id, arena *a, struct attachment_row *row);

/* Meus Tickets de Suporte: a page of the client's tickets. */
int ticket_list_for_client(db *d, const struct session *client, enum ticket_filter filter,
                           int64_t after_updated, int64_t after_id, int limit, arena *a,
                           struct ticket_row *rows);
int64_t ticket_open_count(db *d, const struct session *client);
/* The client's services for Serviço Relacionado. */
int ticket_services_for_client(db *d, const struct session *client, arena *a,
                               struct service_row *rows, int max);

/* The departments a client may open tickets in (Abrir Ticket, step 1). */
struct department_row;
int ticket_departments(db *d, struct department_row *rows, int max);
/* 1 with *name when department_id is one of them, else 0; < 0 error. */
int ticket_department_name(db *d, int64_t department_id, arena *a, const char **name);

/* Stores checked files as attachments of a message, in the caller's
 * transaction. 0 or < 0. */
int ticket_store_attachments(db *d, int64_t message_id, const struct attachment_in *files, int n,
                             int64_t now);

/* The attachment limits in force (admin settings), in arena a (the
 * extension list is copied there). */
void ticket_attachment_limits(db *d, arena *a, struct attachment_limits *l);

/* msgids for display. */
const char *ticket_status_label(const char *status);
const char *ticket_priority_label(const char *priority);
/* Parses "#482913" or "482913"; 0 when not a ticket number. */
int64_t ticket_number_parse(const char *s);

#endif
