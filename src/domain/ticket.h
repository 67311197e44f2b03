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

#include "domain/actor.h"
#include "domain/attachment.h"
#include "domain/custom_field.h"
#include "domain/notice.h"
#include "domain/session.h"
#include "domain/ticket_number.h"
#include "store/db.h"
#include "store/department_store.h"
#include "store/ticket_store.h"

enum { TICKET_SUBJECT_MAX = 200, TICKET_MESSAGE_MAX = 64 * 1024 };

enum ticket_result {
	TICKET_OK = 0,
	TICKET_INVALID = 1,   /* see the errors struct */
	TICKET_NOT_FOUND = 2, /* no such ticket for this actor */
	TICKET_COLLISION = 3, /* someone replied since the page was opened */
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
	int64_t client_id; /* staff (or the API) opening it on a client's behalf */
	const char *cc;    /* addresses to copy (ticket_cc_parse's format), NULL none */
	/* Custom fields (custom_field.h): a client fills the department's
	 * client-visible ones, required ones enforced on the web; staff and
	 * the API any of them. */
	const struct field_input *fields;
	int nfields;
	/* Tags as typed (ticket_tag.h); staff and the API only, else ignored. */
	const char *const *tags;
	int ntags;
};

/* A msgid per wrong field, NULL when the field is fine. */
struct ticket_errors {
	const char *department, *subject, *service, *priority, *message;
	const char *cc;     /* a msgid with one %s: cc_value */
	char cc_value[256]; /* the address at fault (a copy: the caller keeps it) */
	const char *tags;      /* a msgid with one %s: tag_value */
	char tag_value[200];
	struct field_errors fields;
};

/* Opens a ticket: in one transaction the ticket (a random unique number),
 * its first message (the actor's, through the actor's channel), the
 * attachments, the confirmation to the client, a notice to each staff
 * member of the department, and the CCs of f->cc (each told; the client's
 * own address is skipped). Never by a CC (ticket_cc.h). A client opens for themself; staff (or an API
 * token) for the active client f->client_id. A second submit with the same
 * key returns the first ticket. TICKET_OK with *opened, TICKET_INVALID
 * with errors, TICKET_NOT_FOUND (no such client, or an actor that may not
 * open tickets) or < 0. */
struct ticket_opened {
	int64_t id, number;
	char shown[TICKET_LABEL_MAX]; /* the number people see (ticket_number.h) */
};
int ticket_open(db *d, const struct notifier *n, const struct actor *who,
                const struct ticket_form *f, int64_t now, struct ticket_errors *errors,
                struct ticket_opened *opened);

/* The ticket by number when the actor may act on it (a client: their own;
 * staff: their departments', every one for an admin): 1 (row filled), 0
 * none or not theirs, < 0. */
int ticket_get_for(db *d, const struct actor *who, int64_t number, arena *a,
                   struct ticket_row *row);
/* The same rule on a row already read: 1 when the actor may act on it. */
int ticket_row_for(db *d, const struct actor *who, const struct ticket_row *row);

/* For the domain's own files: runs change on the ticket `number` inside
 * one write transaction, when the actor may act on it (TICKET_NOT_FOUND
 * otherwise). change returns 0 to commit, TICKET_UNCHANGED to roll back
 * and answer TICKET_OK (nothing to do), or anything else to roll back and
 * answer that. */
enum { TICKET_UNCHANGED = 100 };
/* A new ticket row with a fresh random number (inside the caller's
 * transaction), its SLA clock started as sla says (NULL: none yet): 0 with
 * *number, 1 when the client's submission key was already used (*number:
 * that ticket), or < 0. */
int ticket_insert_numbered(db *d, int64_t client_id, const struct ticket_form *f,
                           const char *subject, const struct sla_state *sla, int64_t now,
                           int64_t *number);
/* An audit entry of the actor on the ticket, in the caller's transaction. */
int ticket_audit(db *d, const struct actor *who, int64_t ticket_id, const char *action,
                 const char *old_value, const char *new_value, int64_t now);
typedef int (*ticket_change_fn)(db *d, const struct actor *who, const struct ticket_row *t,
                                const void *arg, arena *a, int64_t now);
int ticket_transaction(db *d, const struct actor *who, int64_t number, ticket_change_fn change,
                       const void *arg, int64_t now);

/* The number of the ticket t was merged into (following every merge), or
 * t's own number when it was not merged; < 0 on a database error. */
int64_t ticket_surviving_number(db *d, const struct ticket_row *t);

/* A reply or a note. */
struct ticket_post {
	const char *message;
	const struct attachment_in *files;
	int nfiles;
	const char *submission_key; /* against double submits: a repeat adds nothing */
	int64_t seen_message_id;    /* staff: the newest message when the page was opened */
	bool confirmed;             /* send even if someone replied since */
};

/* A reply on the ticket (on a merged-away ticket: on the ticket it was
 * merged into). A client's sets customer-reply (reopening a closed
 * ticket) and tells the department's staff; a staff member's sets answered
 * and emails the client. TICKET_OK, TICKET_INVALID (errors->message),
 * TICKET_NOT_FOUND, TICKET_COLLISION (staff; nothing saved: ask to
 * confirm) or < 0. */
int ticket_reply(db *d, const struct notifier *n, const struct actor *who, int64_t number,
                 const struct ticket_post *p, int64_t now, struct ticket_errors *errors);
/* ticket_reply, with *landed the number of the ticket the reply went to
 * (a merged-away number's survivor): the caller need not read the ticket
 * before, the permission is checked in the write's transaction. */
int ticket_reply_landing(db *d, const struct notifier *n, const struct actor *who, int64_t number,
                         const struct ticket_post *p, int64_t now, struct ticket_errors *errors,
                         int64_t *landed);
/* An internal note: staff only, emailed to nobody, status unchanged. */
int ticket_note(db *d, const struct actor *who, int64_t number, const struct ticket_post *p,
                int64_t now, struct ticket_errors *errors);

struct ticket_changes {
	const char *status;    /* NULL: unchanged */
	const char *priority;  /* NULL: unchanged */
	int64_t department_id; /* 0: unchanged */
	int64_t assignee_id;   /* -1: unchanged, 0: nobody */
};
/* Applies the changes that differ from the ticket, each with an audit
 * entry. Staff change anything on their tickets; a client may only close
 * their own ("Fechar ticket"). TICKET_OK, TICKET_INVALID (a bad value),
 * TICKET_NOT_FOUND or < 0. */
int ticket_update(db *d, const struct actor *who, int64_t number, const struct ticket_changes *c,
                  int64_t now);
/* A reply (or, with note, an internal note) and field changes as one
 * change in one transaction: both land or neither does. The changes apply
 * after the message, so a status sent with a reply wins over the reply's
 * own. Answers as ticket_reply and ticket_update. */
int ticket_reply_and_update(db *d, const struct notifier *n, const struct actor *who,
                            int64_t number, const struct ticket_post *p, bool note,
                            const struct ticket_changes *c, int64_t now,
                            struct ticket_errors *errors);
/* ticket_update's and ticket_note's changes on t, a ticket the caller has
 * read inside its own write transaction (no transaction and no permission
 * check here): for the domain's jobs that act as the system (escalations)
 * and must do several changes in one transaction. A note by the system
 * actor shows as from the system. TICKET_OK, TICKET_INVALID or < 0. */
int ticket_update_in_transaction(db *d, const struct actor *who, const struct ticket_row *t,
                                 const struct ticket_changes *c, arena *a, int64_t now);
int ticket_note_in_transaction(db *d, const struct actor *who, const struct ticket_row *t,
                               const char *text, arena *a, int64_t now);
/* Moves the messages of number into into_number and closes number with a
 * pointer. Staff only; both must be theirs and of one client. TICKET_OK,
 * TICKET_INVALID (same ticket, or target missing), TICKET_NOT_FOUND or < 0. */
int ticket_merge(db *d, const struct actor *who, int64_t number, int64_t into_number, int64_t now);

/* Sends the read of the ticket numbered number ahead (db_prefetch): a
 * page that names a ticket asks for it with the session's read, before
 * knowing whose it may show (ticket_for_client, staff_ticket_get). */
void ticket_prefetch_by_number(db *d, int64_t number);
/* The client's ticket by number: 1 (row filled), 0 not theirs or none, < 0. */
int ticket_for_client(db *d, const struct session *client, int64_t number, arena *a,
                      struct ticket_row *row);

struct ticket_thread {
	struct message_row *messages;
	int nmessages;
	struct attachment_row *attachments;
	int nattachments;
	/* The ticket's client account, set by the caller when it shows whose
	 * messages are a contact's (not the owner's); 0 unknown. */
	int64_t client_id;
};
/* The thread of a ticket the caller may see; internal notes and their
 * attachments only with_internal (staff). 0 or < 0. */
int ticket_thread_load(db *d, int64_t ticket_id, bool with_internal, arena *a,
                       struct ticket_thread *t);
/* Sends ticket_thread_load's reads ahead (db_prefetch): a page that knows
 * its ticket asks for everything it shows in one round trip. */
void ticket_thread_prefetch(db *d, int64_t ticket_id, bool with_internal);

/* An attachment of the client's ticket (not of an internal note): 1, 0, < 0. */
int ticket_attachment_for_client(db *d, const struct session *client, int64_t number,
                                 int64_t attachment_id, arena *a, struct attachment_row *row);

/* Meus Tickets de Suporte: a page of the client's tickets. */
int ticket_list_for_client(db *d, const struct session *client, enum ticket_filter filter,
                           int64_t after_updated, int64_t after_id, int limit, arena *a,
                           struct ticket_row *rows);
/* The client's open tickets for the menu, counted up to one more than
 * TICKET_OPEN_COUNT_MAX: more shows as "99+". */
enum { TICKET_OPEN_COUNT_MAX = 99 };
int64_t ticket_open_count(db *d, const struct session *client);
void ticket_open_count_prefetch(db *d, const struct session *client);
/* A service a ticket may be about: not cancelled nor terminated. */
bool ticket_service_selectable(const char *status);
/* The client's services a new ticket may name (Serviço Relacionado). */
int ticket_services_selectable(db *d, int64_t client_id, arena *a, struct service_row *rows, int max);
/* The same, for the signed-in client. */
int ticket_services_for_client(db *d, const struct session *client, arena *a,
                               struct service_row *rows, int max);

/* The departments a client may open tickets in (Abrir Ticket, step 1). */
int ticket_departments(db *d, struct department_row *rows, int max);
/* Tells ticket_departments that the departments changed (admin, setup). */
void ticket_departments_changed(void);
/* Tells the kept department staff (who is notified) that a staff account
 * changed: call after the change's commit. */
void ticket_staff_changed(void);
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
