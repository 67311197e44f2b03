/* Tickets as the support team works them: the queue, the ticket with its
 * internal notes, replies (the client is emailed), changes of status,
 * priority, department and assignee (each written to the audit log),
 * merges, and auto-close.
 *
 * Permission: an admin acts on every ticket; an agent only on tickets of
 * the departments they belong to. Every function here checks it, and a
 * ticket the staff member may not see answers like one that does not
 * exist. Internal notes never reach the client: not in the client's pages,
 * not in any email. */
#ifndef CHAMADO_STAFF_TICKET_H
#define CHAMADO_STAFF_TICKET_H

#include <stdint.h>

#include "domain/attachment.h"
#include "domain/admin.h"
#include "domain/session.h"
#include "domain/ticket.h"
#include "store/queue_store.h"

struct queue_filter {
	int64_t department_id; /* 0: all allowed */
	int status_mask;       /* STATUS_BIT_*; 0 means "not closed" */
	const char *priority;  /* NULL or "" any */
	int assignee;          /* 0 anyone, 1 me, 2 nobody */
	const char *text;      /* search: words of the ticket (ticket_search.h) or its number */
	int by_priority;
	int by_due;       /* SLA due time, nearest first (running clocks only) */
	int sla;          /* 0 any, 1 breached, 2 near breach (amber) */
	int64_t now;      /* for the SLA filter */
	const char *tag;  /* as typed (normalised here); NULL or "" any */
	int64_t field_id; /* a custom field, 0 any; its value must equal field_value */
	const char *field_value;
	int64_t after_rank, after_updated, after_id;
	int limit;
};

/* A page of the queue the staff member may see. Returns rows or < 0. */
int staff_queue(db *d, const struct session *staff, const struct queue_filter *f, arena *a,
                struct queue_row *rows);
int staff_queue_counts(db *d, const struct session *staff, arena *a, struct queue_count *rows,
                       int max);
/* The departments the staff member works in (all for an admin), for the
 * queue's filter: through a thread's copy kept a few seconds, as the lists
 * below. */
int staff_departments(db *d, const struct session *staff, arena *a, struct named_row *rows, int max);
void staff_queue_counts_prefetch(db *d, const struct session *staff, int max);
void staff_departments_prefetch(db *d, const struct session *staff, int max);

/* The departments the staff member may open a ticket in: the visible ones
 * they belong to (every visible one for an admin). Count or < 0. */
int staff_departments_to_open(db *d, const struct session *staff, struct department_row *rows,
                              int max);
/* Clients whose name or email contains q, for opening a ticket on their
 * behalf (q "" lists the newest). Count or < 0. */
int staff_client_search(db *d, const char *q, arena *a, struct admin_client_row *rows, int max);

/* The ticket, when the staff member may act on it: 1, 0, < 0. */
int staff_ticket_get(db *d, const struct session *staff, int64_t number, arena *a,
                     struct ticket_row *row);

/* Attachment of a ticket the staff member may see (notes included). */
int staff_attachment(db *d, const struct session *staff, int64_t number, int64_t attachment_id,
                     arena *a, struct attachment_row *row);

/* Closes answered tickets without a client reply for `days` days, each
 * with a message in the thread in the client's language. Returns how many,
 * or < 0. days <= 0 does nothing. */
int ticket_auto_close(db *d, const i18n_catalog *cat, int days, int64_t now);

/* The client's name and email for the form; 1, 0 none, < 0. */
int staff_client_summary(db *d, int64_t client_id, arena *a, const char **name, const char **email);
/* The client's services (Serviço Relacionado). */
int staff_client_services(db *d, int64_t client_id, arena *a, struct service_row *rows, int max);

/* What the staff pages show beside a ticket and on the dashboard; thin
 * reads that keep handlers off store/. Each returns a count or < 0. */
int staff_ticket_audit(db *d, int64_t ticket_id, arena *a, struct audit_row *rows, int max);
/* The client's other open tickets that the staff member may open: id,
 * number, label, subject and status of each. */
int staff_client_other_tickets(db *d, const struct session *staff, const struct ticket_row *t,
                               arena *a, struct ticket_row *rows, int max);
/* Every department, the active staff and a department's predefined replies,
 * through a thread's copy kept a few seconds (strings copied into a). */
int staff_all_departments(db *d, arena *a, struct named_row *rows, int max);
int staff_active_members(db *d, arena *a, struct named_row *rows, int max);
int staff_predefined_replies(db *d, int64_t department_id, arena *a, struct predefined_row *rows,
                             int max);
/* Tells those copies that a department, a staff account or a predefined
 * reply changed: call after the change's commit. */
void staff_ticket_lists_changed(void);
/* Each _prefetch sends its namesake's read ahead (db_prefetch), for a call
 * with the same arguments later in the request. */
void staff_ticket_audit_prefetch(db *d, int64_t ticket_id, int max);
void staff_client_other_tickets_prefetch(db *d, const struct session *staff,
                                         const struct ticket_row *t, int max);
void staff_all_departments_prefetch(db *d, int max);
void staff_active_members_prefetch(db *d, int max);
void staff_predefined_replies_prefetch(db *d, int64_t department_id);
int staff_oldest_waiting(db *d, const struct session *staff, arena *a, struct ticket_row *rows,
                         int max);
int staff_tickets_per_day(db *d, int64_t since, int days, struct day_count *out);

/* Parses a status name into its bit; 0 when unknown. */
int ticket_status_bit(const char *status);
bool ticket_status_valid(const char *status);

#endif
