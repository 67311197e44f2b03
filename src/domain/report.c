#include "domain/report.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/str.h"
#include "base/turns.h"
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

int report_on_open(db *d, int64_t department_id, int64_t now)
{
	int64_t day = report_day(now);
	int64_t local = now + bt_zone_offset(bt_zone_get(ZONE), now);
	int hour = (int)((local % 86400 + 86400) % 86400 / 3600);
	int rc = add(d, day, department_id, 0, RC_OPENED, 1);
	return rc ? rc : store_report_hourly_add(d, day, hour, department_id);
}

int report_on_clock(db *d, const struct sla_state *before, struct sla_state *after, int64_t now)
{
	int64_t day = report_day(now), dep = after->department_id;
	bool was_closed = before->resolve_seconds >= 0;
	int rc = 0;
	if (before->counted_department_id < 0) {
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

/* A row's median and p90 of one kind. The durations arrive shortest first,
 * so the nearest-rank percentile p of a row with n durations is the one
 * its count reaches ceil(n * p / 100) on: memory per row, not per
 * duration (a year's report at a million tickets reads over a million).
 * n is the row's first_count or resolve_count: report_daily counts each
 * duration in the transaction that writes it, so the durations are read
 * only once, in order. */
struct rank_walk {
	int64_t n, seen;
	int64_t *median, *p90;
};

/* Rows found by id: an agent's by staff id, a department's by its id. */
struct row_ref {
	int64_t id;
	struct rank_walk *walk;
};

struct times_walk {
	struct rank_walk total;
	struct row_ref *agents, *departments;
	int nagents, ndepartments;
};

static int row_ref_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct row_ref *)a)->id, y = ((const struct row_ref *)b)->id;
	return (x > y) - (x < y);
}

static struct rank_walk *walk_of(struct row_ref *refs, int n, int64_t id)
{
	struct row_ref key = {.id = id};
	struct row_ref *r = n ? bsearch(&key, refs, (size_t)n, sizeof *refs, row_ref_cmp) : NULL;
	return r ? r->walk : NULL;
}

static int64_t rank(int64_t n, int p)
{
	int64_t r = (n * p + 99) / 100; /* ceil(n * p / 100) */
	return r > 0 ? r : 1;
}

static void walk_step(struct rank_walk *w, int64_t value)
{
	if (!w)
		return;
	w->seen++;
	if (w->seen == rank(w->n, 50))
		*w->median = value;
	if (w->seen == rank(w->n, 90))
		*w->p90 = value;
}

static void times_each(void *ctx, int64_t department_id, int64_t staff_id, int64_t value)
{
	struct times_walk *t = ctx;
	walk_step(&t->total, value);
	walk_step(walk_of(t->agents, t->nagents, staff_id), value);
	walk_step(walk_of(t->departments, t->ndepartments, department_id), value);
}

static struct row_ref *row_refs(struct report_row *rows, int n, bool first, arena *a)
{
	struct row_ref *refs = arena_alloc(a, (size_t)n * sizeof *refs + 1);
	struct rank_walk *walks = arena_alloc(a, (size_t)n * sizeof *walks + 1);
	if (!refs || !walks)
		return NULL;
	for (int i = 0; i < n; i++) {
		walks[i] = (struct rank_walk){
			.n = rows[i].c[first ? RC_FIRST_COUNT : RC_RESOLVE_COUNT],
			.median = first ? &rows[i].first_median : &rows[i].resolve_median,
			.p90 = first ? &rows[i].first_p90 : &rows[i].resolve_p90};
		refs[i] = (struct row_ref){.id = rows[i].id, .walk = &walks[i]};
	}
	qsort(refs, (size_t)n, sizeof *refs, row_ref_cmp);
	return refs;
}

/* Medians and p90s of one kind for the total and every row. */
static int fill_times(db *d, struct report *r, const char *kind, int64_t only, arena *a)
{
	bool first = kind[0] == 'f';
	struct times_walk t = {
		.total = {.n = r->total.c[first ? RC_FIRST_COUNT : RC_RESOLVE_COUNT],
		          .median = first ? &r->total.first_median : &r->total.resolve_median,
		          .p90 = first ? &r->total.first_p90 : &r->total.resolve_p90},
		.agents = row_refs(r->agents, r->nagents, first, a),
		.departments = row_refs(r->departments, r->ndepartments, first, a),
		.nagents = r->nagents,
		.ndepartments = r->ndepartments};
	if (!t.agents || !t.departments)
		return DB_NOMEM;
	return store_report_durations(d, kind, r->from_day, r->to_day, only, times_each, &t);
}

/* A line of the period's counts (an agent's or a department's) as a row. */
static struct report_row *row_of_line(struct report_row *row, const struct report_line *line)
{
	row->id = line->id;
	row->name = line->name;
	memcpy(row->c, line->c, sizeof row->c);
	return row;
}

static void no_times(struct report_row *row)
{
	row->first_median = row->first_p90 = row->resolve_median = row->resolve_p90 = -1;
}

/* A report is CPU work from start to end (the month's durations sorted and
 * walked): more at once than there are cores finish no sooner, and each
 * holds its sort's memory meanwhile (bench/RESULTS.md). The others wait. */
static struct turns builds = TURNS_INIT(1, -1);
static pthread_once_t builds_sized = PTHREAD_ONCE_INIT;

static void builds_size(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	turns_set_limits(&builds, cores > 0 ? (int)cores : 1, -1);
}

static int build(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
                 struct report *r);

int report_build(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
                 struct report *r)
{
	pthread_once(&builds_sized, builds_size);
	turns_take(&builds);
	int rc = build(d, staff, from_day, to_day, a, r);
	turns_give(&builds);
	return rc;
}

static int build(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
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
	r->total.id = 0;
	r->total.backlog = staff->admin ? 0 : -1;
	no_times(&r->total);

	int n = store_report_lines(d, 1, from_day, to_day, only, a, lines, LINES_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct report_row *row = row_of_line(&r->agents[r->nagents++], &lines[i]);
		row->backlog = -1;
		no_times(row);
		if (!staff->admin)
			for (int k = 0; k < RC_COUNT; k++)
				r->total.c[k] += row->c[k];
	}
	if (staff->admin) {
		n = store_report_lines(d, 0, from_day, to_day, 0, a, lines, LINES_MAX);
		if (n < 0)
			return n;
		int64_t ids[BACKLOG_MAX], counts[BACKLOG_MAX];
		int nb = store_report_backlog(d, to_day, ids, counts, BACKLOG_MAX);
		if (nb < 0)
			return nb;
		for (int i = 0; i < n; i++) {
			struct report_row *row = row_of_line(&r->departments[r->ndepartments++], &lines[i]);
			for (int k = 0; k < RC_COUNT; k++)
				r->total.c[k] += row->c[k];
			row->backlog = 0;
			for (int k = 0; k < nb; k++)
				if (ids[k] == row->id)
					row->backlog = counts[k];
			no_times(row);
		}
		for (int k = 0; k < nb; k++)
			r->total.backlog += counts[k];
	}
	int rc = fill_times(d, r, "first", only, a);
	if (rc == 0)
		rc = fill_times(d, r, "resolve", only, a);
	if (rc || !staff->admin)
		return rc;
	rc = store_report_days(d, from_day, to_day, r->opened, r->closed);
	return rc ? rc : store_report_heat(d, from_day, to_day, 0, r->heat);
}

int report_tickets(db *d, const struct session *staff, int64_t from_day, int64_t to_day, arena *a,
                   struct report_ticket *rows, int max)
{
	return store_report_tickets(d, report_day_start(from_day), report_day_start(to_day + 1),
	                            staff->admin ? 0 : staff->user_id, a, rows, max);
}
