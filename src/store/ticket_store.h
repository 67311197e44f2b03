/* Tickets, their messages and attachments, and the lists that show them.
 * Strings in rows are allocated in the arena passed in. */
#ifndef CHAMADO_TICKET_STORE_H
#define CHAMADO_TICKET_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

struct ticket_row {
	int64_t id, number, client_id, department_id, service_id, assignee_id;
	const char *subject, *priority, *status, *last_replier;
	int64_t created_at, updated_at, last_reply_at;
	const char *department_name, *service_label, *service_kind;
	const char *client_name, *client_email, *client_language;
	const char *number_label; /* "SUP-2026-000123", or "" (the number is shown) */
	int64_t merged_into; /* the id of the ticket it was merged into; 0 */
};

/* The columns of a ticket_row and the joins they need, for every query
 * that lists tickets (store_ticket_read reads them, from column 0). */
#define STORE_TICKET_COLUMNS \
	"t.id, t.number, t.client_id, t.department_id, COALESCE(t.service_id, 0), " \
	"COALESCE(t.assignee_id, 0), t.subject, t.priority, t.status, t.last_replier, " \
	"t.created_at, t.updated_at, t.last_reply_at, dp.name, COALESCE(sv.label, ''), " \
	"COALESCE(sv.kind, ''), c.name, c.email, c.language, COALESCE(t.number_label, ''), " \
	"COALESCE(t.merged_into, 0) "
#define STORE_TICKET_JOINS \
	"FROM tickets t JOIN departments dp ON dp.id = t.department_id " \
	"JOIN clients c ON c.id = t.client_id " \
	"LEFT JOIN services sv ON sv.id = t.service_id "
enum { STORE_TICKET_NCOLUMNS = 21 };
/* True when the row was never merged into another ticket: its number is its
 * own survivor's, with no query to follow merges. */
static inline bool store_ticket_unmerged(const struct ticket_row *t)
{
	return t->merged_into <= 0 || t->merged_into == t->id;
}
/* A db_row_reader of a struct ticket_row. */
void store_ticket_read(db_stmt *s, arena *a, void *row);

/* Returns the new id, DB_CONSTRAINT when the number (or the client's
 * submission key) is taken, or < 0. service_id 0 stores NULL; sla: the
 * clock it starts with (sla_ticket_opening), NULL for none yet. */
struct sla_state;
int64_t store_ticket_insert(db *d, int64_t number, int64_t client_id, int64_t department_id,
                            int64_t service_id, const char *subject, const char *priority,
                            const char *submission_key, const struct sla_state *sla, int64_t now);
/* Gives the ticket its display number (migration 0023): 0,
 * DB_CONSTRAINT when another ticket has it, or < 0. */
int store_ticket_set_number_label(db *d, int64_t id, const char *label);
/* Takes the next value of the sequential counter scope (1 for a new
 * scope), in the caller's transaction: the value or < 0. */
int64_t store_ticket_counter_next(db *d, const char *scope);
/* The number of the client's ticket opened with key; 0 when none. */
int64_t store_ticket_number_by_submission(db *d, int64_t client_id, const char *key);
/* 1 found, 0 none, < 0 error. */
int store_ticket_id_get(db *d, int64_t id, arena *a, struct ticket_row *row);
void store_ticket_id_get_prefetch(db *d, int64_t id);
int store_ticket_get_by_number(db *d, int64_t number, arena *a, struct ticket_row *row);
/* Sends store_ticket_get_by_number's read ahead (db_prefetch). */
void store_ticket_get_by_number_prefetch(db *d, int64_t number);

enum ticket_filter { TICKETS_ALL = 0, TICKETS_OPEN = 1, TICKETS_CLOSED = 2 };
/* The client's tickets, last updated first; a page starts after the row
 * (after_updated, after_id) when after_id > 0. Returns the count or < 0. */
int store_ticket_list_by_client(db *d, int64_t client_id, enum ticket_filter filter,
                                int64_t after_updated, int64_t after_id, int limit, arena *a,
                                struct ticket_row *rows);
/* The client's open tickets, counted up to cap. */
int64_t store_ticket_count_open_by_client(db *d, int64_t client_id, int64_t cap);
/* Each _prefetch sends its namesake's query ahead (db_prefetch), for a
 * call with the same arguments later in the request. */
void store_ticket_count_open_by_client_prefetch(db *d, int64_t client_id, int64_t cap);
/* After a reply: new status, who replied, the times, and with sla (not
 * NULL) the clock that follows from them (sla_ticket_next), all in one
 * write of the row: each write of a ticket's row changes ~20 indexes. */
int store_ticket_touch(db *d, int64_t id, const char *status, const char *last_replier, int64_t now,
                       const struct sla_state *sla);
int store_ticket_set_status(db *d, int64_t id, const char *status, int64_t now);

struct message_row {
	int64_t id, ticket_id, author_client_id, author_staff_id;
	const char *author_kind, *author_name, *body, *channel;
	int internal;
	int64_t created_at;
};

int64_t store_message_insert(db *d, int64_t ticket_id, const char *author_kind,
                             int64_t author_client_id, int64_t author_staff_id,
                             const char *author_name, const char *body, const char *channel,
                             int internal, const char *submission_key, int64_t now);
/* The id of the ticket's message sent with key; 0 when none. */
int64_t store_message_id_by_submission(db *d, int64_t ticket_id, const char *key);
/* The thread, oldest first; internal notes only when with_internal. */
int store_message_list(db *d, int64_t ticket_id, int with_internal, arena *a,
                       struct message_row *rows, int max);
void store_message_list_prefetch(db *d, int64_t ticket_id, int with_internal, int max);

struct attachment_row {
	int64_t id, message_id, ticket_id;
	const char *name, *content_type, *sha256;
	int64_t size;
	const unsigned char *data; /* only from store_attachment_get */
	int internal;              /* of its message */
};

int64_t store_attachment_insert(db *d, int64_t message_id, const char *name,
                                const char *content_type, int64_t size, const char *sha256,
                                const void *data, size_t len, int64_t now);
/* Every attachment of the ticket's messages (without bytes). */
int store_attachment_list_by_ticket(db *d, int64_t ticket_id, arena *a, struct attachment_row *rows,
                                    int max);
void store_attachment_list_by_ticket_prefetch(db *d, int64_t ticket_id, int max);
/* One attachment with its bytes; 1, 0 none, < 0. */
int store_attachment_get(db *d, int64_t id, arena *a, struct attachment_row *row);

struct service_row {
	int64_t id;
	const char *kind, *label, *status;
};
int store_service_list_by_client(db *d, int64_t client_id, arena *a, struct service_row *rows,
                                 int max);
/* 1 when the service is the client's, 0 when not, < 0 error. */
/* The status of the client's service: 1 (written to status), 0 none or
 * another client's, < 0. */
int store_service_status(db *d, int64_t service_id, int64_t client_id, char *status, size_t n);

/* A department clients may open tickets in: 1 (name filled), 0, < 0. */
int store_department_visible_name(db *d, int64_t id, arena *a, const char **name);

struct staff_contact {
	int64_t id;
	const char *name, *email, *language;
};
/* The active staff of a department (for notifications). */
int store_department_staff(db *d, int64_t department_id, arena *a, struct staff_contact *rows,
                           int max);

#endif
