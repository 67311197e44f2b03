/* Relatórios (issue 17): for a period, by department and by agent, the
 * tickets opened and closed, the backlog at the end, first-response and
 * resolution times in business hours (median and 90th percentile), SLA
 * met, CSAT, and the busiest hours. The numbers are aggregates kept as
 * tickets change (report_on_clock, report_on_csat, in the change's
 * transaction), read per period: no scan of the tickets per request.
 * Days are local days in America/Sao_Paulo. */
#ifndef CHAMADO_REPORT_H
#define CHAMADO_REPORT_H

#include <stdint.h>

#include "domain/session.h"
#include "store/report_store.h"
#include "store/sla_store.h"

enum sla_event;

/* After a ticket's clock was brought up to date: counts what happened
 * between before and after (moved, first response, closed, reopened).
 * Sets after->counted_department_id. 0 or < 0. */
int report_on_clock(db *d, const struct sla_state *before, struct sla_state *after, int64_t now);
/* A ticket opened in the department: its day's and hour's counts. Called
 * last in the opening's transaction: the two rows are every opening's, and
 * on PostgreSQL an opening holds their locks from here to its commit. */
int report_on_open(db *d, int64_t department_id, int64_t now);
/* A rating given (old_rating NULL) or changed, counted on the day it was
 * first given; old_* name where the old one was counted. 0 or < 0. */
int report_on_csat(db *d, int64_t first_rated_at, int64_t old_department_id, int64_t old_staff_id,
                   const char *old_rating, int64_t department_id, int64_t staff_id,
                   const char *rating);

/* The local day of t (days since 1970-01-01) and back. */
int64_t report_day(int64_t t);
int64_t report_day_start(int64_t day);

struct report_row {
	int64_t id;
	const char *name;
	int64_t c[RC_COUNT];
	int64_t backlog;                       /* -1: not shown (agents) */
	int64_t first_median, first_p90;       /* business seconds, -1 none */
	int64_t resolve_median, resolve_p90;
};

enum { REPORT_DAYS_MAX = 366 };
struct report {
	int64_t from_day, to_day;
	bool whole_team; /* an admin's report; an agent's shows only them */
	struct report_row total;
	struct report_row *departments, *agents;
	int ndepartments, nagents;
	int64_t heat[7][24];
	int64_t opened[REPORT_DAYS_MAX], closed[REPORT_DAYS_MAX];
};
/* The report of [from_day, to_day] (at most REPORT_DAYS_MAX days) as the
 * staff member may see it: an admin sees every department and agent, an
 * agent only their own line. 0 or < 0. */
int report_build(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
                 struct report *r);
/* The raw tickets opened in the period (an agent's: assigned to them). */
int report_tickets(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
                   struct report_ticket *rows, int max);

#endif
