/* Escalation rules, the record of each firing, and the bounded index
 * ranges the maintenance job reads candidates from (migration 0018; the
 * rules in domain/escalation.c and docs/sla.md). Strings in rows are
 * allocated in the arena passed in. */
#ifndef CHAMADO_ESCALATION_STORE_H
#define CHAMADO_ESCALATION_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/ticket_store.h"

struct escalation_row {
	int64_t id;
	const char *name;
	int enabled;
	const char *condition; /* condition_kind: "first_soon", "resolve_breached", … */
	int64_t minutes;
	int64_t department_id; /* 0: any */
	const char *priority;  /* "": any */
	int notify_assignee, notify_department;
	int64_t notify_staff_id;    /* 0: nobody */
	const char *raise_priority; /* "": unchanged; "step", "medium", "high" */
	int64_t move_department_id; /* 0: stays */
	int64_t assign_staff_id;    /* 0: unchanged */
	const char *note;           /* "": none */
	int64_t created_at, updated_at;
	/* Read only, for the list: the names of the ids above ("" none), and
	 * how many tickets the rule has fired on. */
	const char *department_name, *notify_staff_name, *move_department_name, *assign_staff_name;
	int64_t fired;
};

/* Every rule, by name (enabled_only: the ones the job evaluates).
 * Count or < 0. */
int store_escalation_list(db *d, int enabled_only, arena *a, struct escalation_row *rows, int max);
/* 1 found, 0 none, < 0. */
int store_escalation_get(db *d, int64_t id, arena *a, struct escalation_row *row);
/* The new id, or < 0. */
int64_t store_escalation_insert(db *d, const struct escalation_row *r, int64_t now);
int store_escalation_update(db *d, const struct escalation_row *r, int64_t now);
int store_escalation_set_enabled(db *d, int64_t id, int enabled, int64_t now);
int store_escalation_delete(db *d, int64_t id);

/* Records that rule fired on ticket: 0, DB_CONSTRAINT when it already
 * had, or < 0. */
int store_escalation_firing_add(db *d, int64_t rule_id, int64_t ticket_id, int64_t now);

/* Which indexed column a candidate range reads. */
enum escalation_column {
	ESCALATION_FIRST_DUE,   /* tickets.sla_first_due (tickets_sla_first_due) */
	ESCALATION_RESOLVE_DUE, /* tickets.sla_resolve_due (tickets_sla_resolve_due) */
	ESCALATION_WAITING,     /* last_reply_at of unassigned tickets waiting on the
	                         * team (tickets_unassigned_waiting) */
};
struct escalation_range {
	enum escalation_column column;
	int64_t after, until;  /* the column in (after, until] */
	int64_t calendar_id;   /* > 0: only tickets whose clock counts in it */
	int64_t department_id; /* > 0: only that department */
	const char *priority;  /* "" or NULL: any */
	int64_t rule_id;       /* leaves out tickets it already fired on */
};
/* Ids of tickets in the range, in column order, at most max: count or
 * < 0. Reads one index range; the other terms filter inside it. */
int store_escalation_candidates(db *d, const struct escalation_range *r, int64_t *ids, int max);

/* An active staff member to write to: 1, 0 (none or inactive), < 0. */
int store_staff_contact_get(db *d, int64_t id, arena *a, struct staff_contact *row);

#endif
