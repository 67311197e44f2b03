#include "domain/report.h"

#include <string.h>

#include "base/str.h"
#include "domain/business_time.h"
#include "store/csat_store.h"

enum { LINES_MAX = 500, BACKLOG_MAX = 500 };

static const char ZONE[] = "America/Sao_Paulo";

int64_t report_day(int64_t t)
{
	return bt_local_day(bt_zone_get(ZONE), t);
}

int64_t report_day_start(int64_t day)
{
	int64_t noon = day * 86400 + 12 * 3600;
	return day * 86400 - bt_zone_offset(bt_zone_get(ZONE), noon);
}

static int add(db *d, int64_t day, int64_t department_id, int64_t staff_id, enum report_counter c,
               int64_t n)
{
	int64_t delta[RC_COUNT] = {0};
	delta[c] = n;
	return store_report_daily_add(d, day, department_id, staff_id, delta);
}

int report_on_clock(db *d, const struct sla_state *before, struct sla_state *after, int opened,
                    int64_t now)
{
	int64_t day = report_day(now), dep = after->department_id;
	bool was_closed = before->resolve_seconds >= 0;
	int rc = 0;
	if (opened) {
		int64_t local = now + bt_zone_offset(bt_zone_get(ZONE), now);
		int hour = (int)((local % 86400 + 86400) % 86400 / 3600);
		rc = add(d, day, dep, 0, RC_OPENED, 1);
		if (rc == 0)
			rc = store_report_hourly_add(d, day, hour, dep);
	} else if (before->counted_department_id < 0) {
		/* A ticket from before the reports: its backlog starts counting here. */
		if (!was_closed && !str_eq(after->status, "closed"))
			rc = add(d, day, dep, 0, RC_MOVED_IN, 1);
	} else if (before->counted_department_id != dep && !was_closed) {
		rc = add(d, day, before->counted_department_id, 0, RC_MOVED_OUT, 1);
		if (rc == 0)
			rc = add(d, day, dep, 0, RC_MOVED_IN, 1);
	}
	after->counted_department_id = dep;
	if (rc)
		return rc;
	int64_t replier = -1;
	if (before->first_seconds < 0 && after->first_seconds >= 0) {
		replier = store_csat_last_staff_replier(d, after->ticket_id);
		if (replier < 0)
			return (int)replier;
		int64_t delta[RC_COUNT] = {0};
		delta[RC_FIRST_COUNT] = 1;
		delta[RC_FIRST_TARGETED] = after->first_target > 0;
		delta[RC_FIRST_MET] = after->first_target > 0 && after->first_seconds <= after->first_target * 60;
		rc = store_report_daily_add(d, day, dep, replier, delta);
		if (rc == 0)
			rc = store_report_duration_add(d, day, dep, replier, "first", after->first_seconds);
	}
	if (rc == 0 && !was_closed && after->resolve_seconds >= 0) {
		int64_t staff = after->assignee_id;
		if (staff <= 0)
			staff = replier >= 0 ? replier : store_csat_last_staff_replier(d, after->ticket_id);
		if (staff < 0)
			return (int)staff;
		int64_t delta[RC_COUNT] = {0};
		delta[RC_CLOSED] = 1;
		delta[RC_RESOLVE_COUNT] = 1;
		delta[RC_RESOLVE_TARGETED] = after->resolve_target > 0;
		delta[RC_RESOLVE_MET] = after->resolve_target > 0 &&
		                        after->resolve_seconds <= after->resolve_target * 60;
		rc = store_report_daily_add(d, day, dep, staff, delta);
		if (rc == 0)
			rc = store_report_duration_add(d, day, dep, staff, "resolve", after->resolve_seconds);
	}
	if (rc == 0 && was_closed && after->resolve_seconds < 0)
		rc = add(d, day, dep, after->assignee_id > 0 ? after->assignee_id : 0, RC_REOPENED, 1);
	return rc;
}

int report_on_csat(db *d, int64_t first_rated_at, int64_t old_department_id, int64_t old_staff_id,
                   const char *old_rating, int64_t department_id, int64_t staff_id,
                   const char *rating)
{
	int64_t day = report_day(first_rated_at);
	int rc = 0;
	if (old_rating)
		rc = add(d, day, old_department_id, old_staff_id,
		         str_eq(old_rating, "good") ? RC_CSAT_GOOD : RC_CSAT_BAD, -1);
	return rc ? rc : add(d, day, department_id, staff_id,
	                     str_eq(rating, "good") ? RC_CSAT_GOOD : RC_CSAT_BAD, 1);
}

/* The nearest-rank percentile (p in percent) of sorted values. */
static int64_t percentile(const int64_t *sorted, int n, int p)
{
	if (n == 0)
		return -1;
	int rank = (int)(((int64_t)n * p + 99) / 100); /* ceil(n * p / 100) */
	return sorted[rank > 0 ? rank - 1 : 0];
}

/* Median and p90 of the durations that belong to row (by department or
 * staff id; id -1: all). */
static void fill_times(const struct report_duration *all, int n, bool by_staff, int64_t id,
                       int64_t *scratch, int64_t *median, int64_t *p90)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (id < 0 || (by_staff ? all[i].staff_id : all[i].department_id) == id)
			scratch[k++] = all[i].seconds; /* already in order */
	*median = percentile(scratch, k, 50);
	*p90 = percentile(scratch, k, 90);
}

static void fill_row_times(struct report_row *row, bool by_staff, int64_t id,
                           const struct report_duration *first, int nfirst,
                           const struct report_duration *resolve, int nresolve, int64_t *scratch)
{
	fill_times(first, nfirst, by_staff, id, scratch, &row->first_median, &row->first_p90);
	fill_times(resolve, nresolve, by_staff, id, scratch, &row->resolve_median, &row->resolve_p90);
}

int report_build(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
                 struct report *r)
{
	memset(r, 0, sizeof *r);
	if (to_day < from_day || to_day - from_day >= REPORT_DAYS_MAX)
		return DB_ERROR;
	r->from_day = from_day;
	r->to_day = to_day;
	r->whole_team = staff->admin;
	int64_t only = staff->admin ? 0 : staff->user_id;
	struct report_line *lines = arena_alloc(a, LINES_MAX * sizeof *lines);
	r->departments = arena_alloc(a, LINES_MAX * sizeof *r->departments);
	r->agents = arena_alloc(a, LINES_MAX * sizeof *r->agents);
	if (!lines || !r->departments || !r->agents)
		return DB_NOMEM;
	struct report_duration *first, *resolve;
	int nfirst = store_report_durations(d, "first", from_day, to_day, a, &first);
	int nresolve = nfirst < 0 ? nfirst : store_report_durations(d, "resolve", from_day, to_day, a, &resolve);
	if (nresolve < 0)
		return nresolve;
	if (!staff->admin) { /* an agent's report: their own durations only */
		int k = 0;
		for (int i = 0; i < nfirst; i++)
			if (first[i].staff_id == only)
				first[k++] = first[i];
		nfirst = k;
		k = 0;
		for (int i = 0; i < nresolve; i++)
			if (resolve[i].staff_id == only)
				resolve[k++] = resolve[i];
		nresolve = k;
	}
	int64_t *scratch = arena_alloc(a, (size_t)(nfirst > nresolve ? nfirst : nresolve) * sizeof *scratch + 8);
	if (!scratch)
		return DB_NOMEM;
	r->total.id = 0;
	r->total.backlog = staff->admin ? 0 : -1;
	fill_row_times(&r->total, false, -1, first, nfirst, resolve, nresolve, scratch);

	int n = store_report_lines(d, 1, from_day, to_day, only, a, lines, LINES_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct report_row *row = &r->agents[r->nagents++];
		row->id = lines[i].id;
		row->name = lines[i].name;
		memcpy(row->c, lines[i].c, sizeof row->c);
		row->backlog = -1;
		fill_row_times(row, true, row->id, first, nfirst, resolve, nresolve, scratch);
		if (!staff->admin)
			for (int k = 0; k < RC_COUNT; k++)
				r->total.c[k] += row->c[k];
	}
	if (!staff->admin)
		return 0;

	n = store_report_lines(d, 0, from_day, to_day, 0, a, lines, LINES_MAX);
	if (n < 0)
		return n;
	int64_t ids[BACKLOG_MAX], counts[BACKLOG_MAX];
	int nb = store_report_backlog(d, to_day, ids, counts, BACKLOG_MAX);
	if (nb < 0)
		return nb;
	for (int i = 0; i < n; i++) {
		struct report_row *row = &r->departments[r->ndepartments++];
		row->id = lines[i].id;
		row->name = lines[i].name;
		memcpy(row->c, lines[i].c, sizeof row->c);
		for (int k = 0; k < RC_COUNT; k++)
			r->total.c[k] += row->c[k];
		row->backlog = 0;
		for (int k = 0; k < nb; k++)
			if (ids[k] == row->id)
				row->backlog = counts[k];
		fill_row_times(row, false, row->id, first, nfirst, resolve, nresolve, scratch);
	}
	for (int k = 0; k < nb; k++)
		r->total.backlog += counts[k];
	int rc = store_report_days(d, from_day, to_day, r->opened, r->closed);
	return rc ? rc : store_report_heat(d, from_day, to_day, 0, r->heat);
}

int report_tickets(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
                   struct report_ticket *rows, int max)
{
	return store_report_tickets(d, report_day_start(from_day), report_day_start(to_day + 1),
	                            staff->admin ? 0 : staff->user_id, a, rows, max);
}
