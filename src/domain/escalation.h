/* Escalations (issue 17; the rules in docs/sla.md): rules an admin writes
 * on Escalonamentos — "when a ticket is N business minutes from its
 * first-response or resolution due time, or has passed it, or has waited N
 * minutes with nobody assigned; in this department and at this priority" —
 * and what happens then: emails to the assignee, the department's staff or
 * a named staff member, a higher priority, a move to a department or a
 * person, an internal note.
 *
 * The maintenance job evaluates the enabled rules (escalation_run) at
 * least every minute. A rule fires once per ticket: the firing, its audit
 * entry on the ticket ("Escalonamento: <rule>") and every action are one
 * transaction, made by the system actor through the same domain code as
 * ticket_update and ticket_note. Creating, changing, switching and
 * deleting rules is for admins and written to the admin audit log. */
#ifndef CHAMADO_ESCALATION_H
#define CHAMADO_ESCALATION_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/actor.h"
#include "domain/business_time.h"
#include "domain/notice.h"
#include "store/escalation_store.h"

enum { ESCALATION_OK = 0, ESCALATION_INVALID = 1, ESCALATION_NOT_FOUND = 2 };

enum {
	ESCALATION_NAME_MAX = 200,    /* characters */
	ESCALATION_MINUTES_MAX = 100000,
	ESCALATION_RULES_MAX = 200,   /* evaluated per pass, and listed */
	/* How far back the job looks for a breach or a wait it has not acted
	 * on (a pass missed while no server ran, a due time moved into the
	 * past by a priority change). Older ones are left alone: a new rule
	 * does not sweep through months of history. */
	ESCALATION_LOOKBACK = 7 * 86400,
};

/* The conditions, as the database and the form name them. */
enum { ESCALATION_CONDITIONS = 5 };
extern const char *const escalation_conditions[ESCALATION_CONDITIONS];
/* "first_soon" and "resolve_soon" count minutes in business time before
 * the due time; "unassigned" counts wall-clock minutes since the client's
 * last message; the "breached" ones take no minutes. */
bool escalation_condition_takes_minutes(const char *condition);
/* A msgid naming the condition ("Resolution breached"); a minutes
 * condition's has one %lld for them. */
const char *escalation_condition_label(const char *condition);
/* A msgid for a raise_priority value ("One step up"), NULL for "". */
const char *escalation_raise_label(const char *raise);

/* The form as typed: ids and minutes as text, "" or "0" for none/any. */
struct escalation_form {
	const char *name, *condition, *minutes, *department, *priority;
	bool enabled, notify_assignee, notify_department;
	const char *notify_staff, *raise_priority, *move_department, *assign_staff, *note;
};
/* A msgid per wrong field, NULL when fine; actions: no action chosen. */
struct escalation_errors {
	const char *name, *condition, *minutes, *department, *priority, *notify_staff,
		*raise_priority, *move_department, *assign_staff, *note, *actions;
};

/* Every rule, by name, with the names of what it points at and how many
 * tickets it fired on. Count or < 0. */
int escalation_list(db *d, arena *a, struct escalation_row *rows, int max);
/* The rule as its form, strings in a: 1, 0 none, < 0. id 0: a new rule's
 * form (enabled, "resolution breached", notify the department). */
int escalation_form_load(db *d, int64_t id, arena *a, struct escalation_form *f);
/* Creates (id 0) or changes a rule; admins only. ESCALATION_OK with
 * *saved_id (may be NULL), ESCALATION_INVALID with errors (nothing saved),
 * ESCALATION_NOT_FOUND (no such rule, or not an admin) or < 0. */
int escalation_save(db *d, const struct actor *who, int64_t id, const struct escalation_form *f,
                    int64_t now, struct escalation_errors *e, int64_t *saved_id);
/* Switches a rule on or off; admins only. ESCALATION_OK,
 * ESCALATION_NOT_FOUND or < 0. */
int escalation_set_enabled(db *d, const struct actor *who, int64_t id, bool enabled, int64_t now);
/* Deletes a rule and the record of its firings; admins only. */
int escalation_delete(db *d, const struct actor *who, int64_t id, int64_t now);

/* What the conditions read of a ticket; due times -1 when not running. */
struct escalation_ticket {
	int64_t department_id, assignee_id; /* 0: nobody */
	const char *priority, *status;
	int64_t last_reply_at;
	int64_t first_due, resolve_due;
};
/* True when rule r (enabled, in its department and priority) holds for t
 * at now. cal: the calendar t's clock counts in (for "N business minutes
 * before"). Pure: no database. */
bool escalation_matches(const struct escalation_row *r, const struct escalation_ticket *t,
                        const struct bt_calendar *cal, int64_t now);
/* The priority a raise gives ("step": one up), or NULL when it would not
 * rise (already there or higher, or no raise). */
const char *escalation_raised_priority(const char *current, const char *raise);

/* One pass of every enabled rule at now (the SLA clock, sla_clock_now):
 * finds candidates by bounded ranges of the indexed due-time (and waiting)
 * columns, and fires each rule on each ticket that meets it and has not
 * had it. n composes the emails (NULL: none are sent). Returns how many
 * firings, or < 0. */
int escalation_run(db *d, const struct notifier *n, int64_t now);

#endif
