/* SLA clocks in business time (issue 17; the rules are docs/sla.md).
 *
 * Every ticket has one clock of business seconds, measured in its
 * department's calendar (Horário de atendimento). It runs while the ticket
 * waits on the team (open, customer-reply, in-progress), pauses while it
 * waits on the client (answered, on-hold) and stops when it is closed.
 * The department's policy for the ticket's priority (Políticas de SLA)
 * sets two targets on that clock: the first staff reply and the
 * resolution. An opening computes the clock before the ticket's INSERT
 * writes it (sla_ticket_opening); each later domain change to a ticket
 * calls sla_ticket_event once, after writing the change, in the change's
 * transaction; it re-reads the ticket and keeps the due times on it up to
 * date. A reply computes the clock before its UPDATE writes it with the
 * new status (sla_ticket_next). */
#ifndef CHAMADO_SLA_H
#define CHAMADO_SLA_H

#include <stdint.h>

#include "domain/business_time.h"
#include "store/db.h"
#include "store/sla_store.h"

enum sla_event {
	SLA_STAFF_REPLY, /* a public staff reply: the first one is the first response */
	SLA_CHANGED,     /* status, priority or department changed; a client replied */
};

/* The clock of a ticket opened now in the department with the priority,
 * for its INSERT (store_ticket_insert); the caller counts the opening in
 * the reports (report_on_open). 0 or < 0. */
int sla_ticket_opening(db *d, int64_t department_id, const char *priority, int64_t now,
                       struct sla_state *st);
/* Brings ticket_id's clock and due times up to date at now. 0 or < 0. */
int sla_ticket_event(db *d, int64_t ticket_id, enum sla_event ev, int64_t now);
/* What sla_ticket_event would write after the ticket's status became
 * status (NULL: the row's), before that status is written: for a change
 * that writes both in one UPDATE (store_ticket_touch). Counts it in the
 * reports as sla_ticket_event does. 1 with *st, 0 no such ticket, < 0. */
int sla_ticket_next(db *d, int64_t ticket_id, const char *status, enum sla_event ev, int64_t now,
                    struct sla_state *st);
/* After from_id was merged into into_id (and closed): from's clock stops,
 * into's has run at least as long as from's had. 0 or < 0. */
int sla_ticket_merged(db *d, int64_t from_id, int64_t into_id, int64_t now);

/* A calendar from the database into c: 1, 0 none, < 0. fresh: read now;
 * otherwise this thread's copy answers while it is a few seconds old and
 * no change was made on this node since (sla_config_changed). */
int sla_calendar_load(db *d, int64_t calendar_id, bool fresh, struct bt_calendar *c);
/* Tells this process's threads that calendars, holidays or policies
 * changed: their copies are read again at once. Called inside the
 * changing transaction (its own later reads see the change) and again once
 * it has ended (everyone's see what was committed). */
void sla_config_changed(void);

/* Adds Brazil's national holidays of now's year and the next to every
 * calendar not yet filled for them (once per calendar and year, so a
 * deleted holiday stays deleted). Returns how many calendars, or < 0. */
int sla_fill_holidays(db *d, int64_t now);

/* What the staff pages show about a clock. */
enum sla_badge_state {
	SLA_NONE = 0,     /* no target, or the targets are met and done */
	SLA_ON_TIME,
	SLA_NEAR,         /* 80% of the target used: amber */
	SLA_BREACHED,     /* past due: red */
	SLA_PAUSED,       /* waiting on the client */
};
struct sla_badge {
	enum sla_badge_state state;
	int64_t business_seconds; /* left (on time, near) or past due (breached) */
	int64_t due;
};
/* The badge of a ticket row's due time (due, warn_at from the queue;
 * -1 when NULL). */
void sla_badge_of(db *d, int64_t calendar_id, int64_t due, int64_t warn_at, int64_t now,
                  struct sla_badge *b);
/* The ticket's state and badge for its page: 1, 0 none, < 0. */
int sla_ticket_badge(db *d, int64_t ticket_id, int64_t now, struct sla_state *st,
                     struct sla_badge *b);
/* Sends sla_ticket_badge's read of the ticket's state ahead (db_prefetch);
 * the calendar it may then need follows from that state. */
void sla_ticket_badge_prefetch(db *d, int64_t ticket_id);

/* The clock SLA badges, filters and escalations read: the time, plus
 * CHAMADO_TEST_CLOCK_OFFSET seconds when that variable is set — test-only,
 * so an HTTP test can see a ticket breach without waiting (docs/sla.md). */
int64_t sla_clock_now(void);

#endif
