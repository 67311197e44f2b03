/* What the staff panel reads and changes on tickets: the queue with its
 * filters and counts, the departments of a staff member, the audit log,
 * merges and auto-close. */
#ifndef CHAMADO_QUEUE_STORE_H
#define CHAMADO_QUEUE_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/ticket_store.h"

/* Bits of ticket statuses, for filters that take several at once. */
enum {
	STATUS_BIT_OPEN = 1 << 0,
	STATUS_BIT_ANSWERED = 1 << 1,
	STATUS_BIT_CUSTOMER_REPLY = 1 << 2,
	STATUS_BIT_ON_HOLD = 1 << 3,
	STATUS_BIT_IN_PROGRESS = 1 << 4,
	STATUS_BIT_CLOSED = 1 << 5,
	STATUS_BITS_NOT_CLOSED = (1 << 5) - 1,
};

struct queue_query {
	int64_t staff_id;       /* whose departments bound the queue */
	int all_departments;    /* admins: every department */
	int64_t department_id;  /* 0: every allowed one */
	int status_mask;
	const char *priority;   /* "" any */
	int assignee;           /* 0 anyone, 1 me (staff_id), 2 nobody */
	const char *text;       /* "" none; the search index's match expression */
	int64_t number;         /* with text: a ticket number that matches too */
	int by_priority;        /* sort: priority first, then last update */
	/* SLA (docs/sla.md): sort by due time (only tickets whose clock runs,
	 * cursor after_updated = due), and filter 1 breached / 2 near at now.
	 * Either walks the due-time index. */
	int by_due;
	int sla;
	int64_t now;
	/* Tickets with this tag ("" any), and whose custom field field_id
	 * (0 any) has exactly field_value. */
	const char *tag;
	int64_t field_id;
	const char *field_value;
	/* keyset cursor (the last row of the previous page), 0 = first page */
	int64_t after_rank, after_updated, after_id;
	int limit;
};

struct queue_row {
	/* The columns a queue shows: id, number and label, subject, priority,
	 * status, updated_at, last_reply_at, department and client names; the
	 * other ids and times are 0, the other texts "". */
	struct ticket_row t;
	int rank;                 /* 0 high, 1 medium, 2 low */
	const char *assignee_name; /* "" when nobody */
	int64_t sla_due, sla_warn_at, sla_calendar_id; /* -1 when none */
};

int store_queue_list(db *d, const struct queue_query *q, arena *a, struct queue_row *rows);

struct queue_count {
	int64_t department_id;
	const char *department_name;
	const char *status;
	int64_t count;
	int64_t department_order; /* the department's sort_order */
};
/* Counts of not-closed tickets by department and status, in the staff
 * member's departments (all for admins), in the departments' order, then
 * by status. */
int store_queue_counts(db *d, int64_t staff_id, int all_departments, arena *a,
                       struct queue_count *rows, int max);
/* Sends store_queue_counts's read ahead (db_prefetch). */
void store_queue_counts_prefetch(db *d, int64_t staff_id, int all_departments, int max);

/* 1 when the staff member belongs to the department, 0 when not, < 0. */
int store_staff_in_department(db *d, int64_t staff_id, int64_t department_id);

struct named_row {
	int64_t id;
	const char *name;
};
/* Every department (admins) or the staff member's, by order. */
int store_departments_for_staff(db *d, int64_t staff_id, int all_departments, arena *a,
                                struct named_row *rows, int max);
/* Sends store_departments_for_staff's read ahead (db_prefetch). */
void store_departments_for_staff_prefetch(db *d, int64_t staff_id, int all_departments, int max);
/* Every department, for "move to". */
int store_departments_all(db *d, arena *a, struct named_row *rows, int max);
/* Active staff, for the assignee select. */
int store_staff_active(db *d, arena *a, struct named_row *rows, int max);
/* Each _prefetch sends its namesake's query ahead (db_prefetch), for a
 * call with the same arguments later in the request. */
void store_departments_all_prefetch(db *d, int max);
void store_staff_active_prefetch(db *d, int max);
/* 1 with *name when the staff member is active; 0 when not. */
int store_staff_active_name(db *d, int64_t id, arena *a, const char **name);
const char *store_department_name(db *d, int64_t id, arena *a);

int store_ticket_set_priority(db *d, int64_t id, const char *priority, int64_t now);
int store_ticket_set_department(db *d, int64_t id, int64_t department_id, int64_t now);
int store_ticket_set_assignee(db *d, int64_t id, int64_t staff_id, int64_t now);
int store_ticket_merge(db *d, int64_t from_id, int64_t into_id, int64_t now);

int64_t store_audit_insert(db *d, int64_t ticket_id, const char *actor_kind, int64_t actor_id,
                           const char *action, const char *old_value, const char *new_value,
                           int64_t now);

/* The newest message of the ticket that the client can see (by time, then
 * id): its id, 0. */
int64_t store_message_last_visible(db *d, int64_t ticket_id);
/* The client's other tickets that are not closed, of the departments the
 * staff member belongs to (every one when all_departments): each row holds
 * only id, number, number_label, subject and status. */
int store_client_open_tickets(db *d, int64_t client_id, int64_t except_id, int64_t staff_id,
                              int all_departments, arena *a, struct ticket_row *rows, int max);
void store_client_open_tickets_prefetch(db *d, int64_t client_id, int64_t except_id,
                                        int64_t staff_id, int all_departments, int max);
/* Answered tickets whose last reply is older than before (auto-close). */
int store_tickets_answered_before(db *d, int64_t before, int64_t *ids, int max);

struct predefined_row {
	int64_t id;
	const char *title, *body;
};
/* Predefined replies for a department (and those for every department). */
int store_predefined_for_department(db *d, int64_t department_id, arena *a,
                                    struct predefined_row *rows, int max);
void store_predefined_for_department_prefetch(db *d, int64_t department_id);

struct day_count {
	int64_t day; /* Unix time of the day's start (UTC) */
	int64_t opened, closed;
};
/* Tickets opened and closed per UTC day since `since` (a day start). */
int store_tickets_per_day(db *d, int64_t since, int days, struct day_count *out);
/* The oldest tickets waiting for staff (open or customer-reply). */
int store_oldest_waiting(db *d, int64_t staff_id, int all_departments, arena *a,
                         struct ticket_row *rows, int max);

struct audit_row {
	int64_t id;
	const char *actor_kind, *actor_name, *action, *old_value, *new_value;
	int64_t created_at;
};
/* A ticket's audit log, oldest first, with the staff member's name. */
int store_audit_list(db *d, int64_t ticket_id, arena *a, struct audit_row *rows, int max);
void store_audit_list_prefetch(db *d, int64_t ticket_id, int max);

#endif
