/* Relatórios from the aggregates the domain keeps, against a day worked
 * out by hand. Default calendar (São Paulo, Mon–Fri 08–12, 13–18);
 * department A: high priority, first response 60 min, resolution 480 min.
 * Tuesday 2026-12-01:
 *   T1 (A) opened 09:00, answered 09:30, closed 10:00      first 30, resolved in 30
 *   T2 (A) opened 09:00, answered 11:00, client 13:00, closed 15:00
 *                                                         first 120 (late), resolved in 240
 *   T3 (A) opened 10:00, answered 10:45                    first 45, still open
 *   T4 (B, no policy) opened 10:00                         open
 * Ratings: T1 good, T2 bad. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/account.h"
#include "domain/business_time.h"
#include "domain/csat.h"
#include "domain/password.h"
#include "domain/report.h"
#include "domain/setup.h"
#include "domain/staff_ticket.h"
#include "store/department_store.h"
#include "store/report_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static struct session client, agent;
static int64_t dep_a, dep_b;
static const int64_t MIN = 60;

static int64_t sp(int h, int mi)
{
	return (int64_t)bt_days_from_civil(2026, 12, 1) * 86400 + (h + 3) * 3600 + mi * MIN;
}

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	d = test_db_with_defaults("report", path, sizeof path);
	struct department_row deps[3];
	cr_assert_eq(store_department_list_visible(d, deps, 3), 3);
	dep_a = deps[0].id;
	dep_b = deps[1].id;
	struct account_new c = {.kind = ACCOUNT_CLIENT, .email = "maria@exemplo.com.br",
	                        .name = "Maria", .password = "senha1234"};
	client = (struct session){.kind = ACCOUNT_CLIENT, .user_id = account_create(d, &c)};
	struct account_new s = {.kind = ACCOUNT_STAFF, .email = "ana@exemplo.com.br",
	                        .name = "Ana", .password = "senha1234", .admin = true};
	agent = (struct session){.kind = ACCOUNT_STAFF, .user_id = account_create(d, &s), .admin = true};
	snprintf(agent.name, sizeof agent.name, "Ana");
	cr_assert_eq(store_sla_policy_set(d, dep_a, "high", 60, 480), 0);
}

static void teardown(void)
{
	db_close(d);
	unlink(path);
}

TestSuite(report, .init = setup, .fini = teardown);

static int64_t open_at(int64_t dep, int64_t now)
{
	struct ticket_form f = {.department_id = dep, .subject = "Fora do ar", .priority = "high",
	                        .message = "Caiu."};
	struct ticket_errors e;
	struct ticket_opened opened;
	cr_assert_eq(ticket_open(d, NULL, &(struct actor){&client, CHANNEL_WEB}, &f, now, &e, &opened), TICKET_OK);
	return opened.number;
}

static void reply_at(const struct session *who, int64_t number, int64_t now)
{
	struct ticket_post p = {.message = "Resposta"};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, NULL, &(struct actor){who, CHANNEL_WEB}, number, &p, now, &e), TICKET_OK);
}

static void close_at(int64_t number, int64_t now)
{
	struct ticket_changes c = {.status = "closed", .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &(struct actor){&agent, CHANNEL_WEB}, number, &c, now), TICKET_OK);
}

static void rate(int64_t number, const char *rating, int64_t now)
{
	char token[CSAT_TOKEN_MAX];
	cr_assert_eq(csat_token_make(d, number, now, token), 0);
	arena *a = arena_new(4096);
	struct csat_view v;
	cr_assert_eq(csat_rate(d, NULL, token, rating, NULL, now, a, &v), CSAT_OK);
	arena_free(a);
}

Test(report, a_day_worked_out_by_hand)
{
	int64_t t1 = open_at(dep_a, sp(9, 0)), t2 = open_at(dep_a, sp(9, 0));
	int64_t t3 = open_at(dep_a, sp(10, 0));
	open_at(dep_b, sp(10, 0));
	reply_at(&agent, t1, sp(9, 30));
	close_at(t1, sp(10, 0));
	reply_at(&agent, t3, sp(10, 45));
	reply_at(&agent, t2, sp(11, 0));
	reply_at(&client, t2, sp(13, 0));
	close_at(t2, sp(15, 0));
	rate(t1, "good", sp(16, 0));
	rate(t2, "bad", sp(16, 5));

	int64_t day = report_day(sp(12, 0));
	cr_assert_eq(day, bt_days_from_civil(2026, 12, 1));
	arena *a = arena_new(1 << 16);
	struct report *r = arena_alloc(a, sizeof *r);
	cr_assert_eq(report_build(d, &agent, day, day, a, r), 0);
	const struct report_row *t = &r->total;
	cr_assert_eq(t->c[RC_OPENED], 4);
	cr_assert_eq(t->c[RC_CLOSED], 2);
	cr_assert_eq(t->backlog, 2);
	cr_assert_eq(t->first_median, 45 * MIN, "first responses 30, 45, 120");
	cr_assert_eq(t->first_p90, 120 * MIN);
	cr_assert_eq(t->resolve_median, 30 * MIN, "resolutions 30, 240");
	cr_assert_eq(t->resolve_p90, 240 * MIN);
	cr_assert_eq(t->c[RC_FIRST_TARGETED], 3);
	cr_assert_eq(t->c[RC_FIRST_MET], 2);
	cr_assert_eq(t->c[RC_RESOLVE_TARGETED], 2);
	cr_assert_eq(t->c[RC_RESOLVE_MET], 2);
	cr_assert_eq(t->c[RC_CSAT_GOOD], 1);
	cr_assert_eq(t->c[RC_CSAT_BAD], 1);
	cr_assert_eq(r->ndepartments, 2);
	cr_assert_eq(r->departments[0].id, dep_a);
	cr_assert_eq(r->departments[0].c[RC_OPENED], 3);
	cr_assert_eq(r->departments[0].backlog, 1);
	cr_assert_eq(r->departments[1].backlog, 1);
	cr_assert_eq(r->departments[1].first_median, -1, "no response yet");
	cr_assert_eq(r->nagents, 1);
	cr_assert_eq(r->agents[0].c[RC_CLOSED], 2);
	cr_assert_eq(r->agents[0].c[RC_FIRST_COUNT], 3);
	int tuesday = 2;
	cr_assert_eq(r->heat[tuesday][9], 2);
	cr_assert_eq(r->heat[tuesday][10], 2);
	cr_assert_eq(r->opened[0], 4);

	/* A rating changed moves its count; a reopened ticket is back in the backlog. */
	rate(t2, "good", sp(17, 0));
	reply_at(&client, t1, sp(17, 10));
	cr_assert_eq(report_build(d, &agent, day, day, a, r), 0);
	cr_assert_eq(r->total.c[RC_CSAT_GOOD], 2);
	cr_assert_eq(r->total.c[RC_CSAT_BAD], 0);
	cr_assert_eq(r->total.backlog, 3);
	arena_free(a);
}

/* Builds take turns (as many at once as there are cores): each of these
 * threads, on a connection of its own, must get its turn and the figures. */
struct builder {
	int64_t day;
	int64_t opened, first_median;
	int rc;
};

static void *build_in_thread(void *arg)
{
	struct builder *b = arg;
	char url[96], err[256];
	snprintf(url, sizeof url, "sqlite:%s", path);
	db *own = db_open(url, err, sizeof err);
	b->rc = -1;
	if (!own)
		return NULL;
	arena *a = arena_new(1 << 16);
	struct report *r = arena_alloc(a, sizeof *r);
	for (int i = 0; i < 5; i++) {
		b->rc = report_build(own, &agent, b->day, b->day, a, r);
		if (b->rc)
			break;
		b->opened = r->total.c[RC_OPENED];
		b->first_median = r->total.first_median;
	}
	arena_free(a);
	db_close(own);
	return NULL;
}

Test(report, many_at_once_each_get_their_turn_and_the_same_figures)
{
	int64_t t1 = open_at(dep_a, sp(9, 0));
	open_at(dep_b, sp(10, 0));
	reply_at(&agent, t1, sp(9, 30));
	int64_t day = report_day(sp(12, 0));
	/* A refused period gives its turn back like any other build. */
	arena *a = arena_new(1 << 16);
	struct report *r = arena_alloc(a, sizeof *r);
	for (int i = 0; i < 16; i++)
		cr_assert_neq(report_build(d, &agent, day, day - 1, a, r), 0);
	arena_free(a);

	enum { THREADS = 8 };
	struct builder b[THREADS];
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++) {
		b[i] = (struct builder){.day = day};
		cr_assert_eq(pthread_create(&threads[i], NULL, build_in_thread, &b[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		cr_assert_eq(b[i].rc, 0, "thread %d", i);
		cr_assert_eq(b[i].opened, 2, "thread %d", i);
		cr_assert_eq(b[i].first_median, 30 * MIN, "thread %d", i);
	}
}

Test(report, moving_an_open_ticket_moves_it_in_the_backlog)
{
	int64_t n = open_at(dep_a, sp(9, 0));
	struct ticket_changes c = {.department_id = dep_b, .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &(struct actor){&agent, CHANNEL_WEB}, n, &c, sp(9, 10)), TICKET_OK);
	int64_t day = report_day(sp(12, 0));
	arena *a = arena_new(1 << 16);
	struct report *r = arena_alloc(a, sizeof *r);
	cr_assert_eq(report_build(d, &agent, day, day, a, r), 0);
	cr_assert_eq(r->total.backlog, 1);
	for (int i = 0; i < r->ndepartments; i++)
		cr_assert_eq(r->departments[i].backlog, r->departments[i].id == dep_b ? 1 : 0);
	arena_free(a);
}

/* Each agent's and each department's times come from their own
 * durations; an agent's own report sees only theirs.
 *   Ana answers T1 (A) in 30 and T3 (A) in 45; Bruno T2 (A) in 120 and
 *   T5 (B) in 10. */
Test(report, times_split_by_agent_and_department)
{
	cr_assert_eq(store_sla_policy_set(d, dep_b, "high", 60, 480), 0);
	struct account_new s = {.kind = ACCOUNT_STAFF, .email = "bruno@exemplo.com.br",
	                        .name = "Bruno", .password = "senha1234", .admin = true};
	struct session bruno = {.kind = ACCOUNT_STAFF, .user_id = account_create(d, &s), .admin = true};
	snprintf(bruno.name, sizeof bruno.name, "Bruno");
	int64_t t1 = open_at(dep_a, sp(9, 0)), t2 = open_at(dep_a, sp(9, 0));
	int64_t t3 = open_at(dep_a, sp(9, 0)), t5 = open_at(dep_b, sp(9, 0));
	reply_at(&bruno, t5, sp(9, 10));
	reply_at(&agent, t1, sp(9, 30));
	reply_at(&agent, t3, sp(9, 45));
	reply_at(&bruno, t2, sp(11, 0));

	int64_t day = report_day(sp(12, 0));
	arena *a = arena_new(1 << 16);
	struct report *r = arena_alloc(a, sizeof *r);
	cr_assert_eq(report_build(d, &agent, day, day, a, r), 0);
	cr_assert_eq(r->total.first_median, 30 * MIN, "10, 30, 45, 120");
	cr_assert_eq(r->total.first_p90, 120 * MIN);
	cr_assert_eq(r->nagents, 2);
	for (int i = 0; i < r->nagents; i++) {
		const struct report_row *row = &r->agents[i];
		bool ana = row->id == agent.user_id;
		cr_assert_eq(row->first_median, (ana ? 30 : 10) * MIN, "%s", row->name);
		cr_assert_eq(row->first_p90, (ana ? 45 : 120) * MIN, "%s", row->name);
		cr_assert_eq(row->resolve_median, -1, "nothing closed");
	}
	cr_assert_eq(r->ndepartments, 2);
	for (int i = 0; i < r->ndepartments; i++) {
		const struct report_row *row = &r->departments[i];
		bool a_dep = row->id == dep_a;
		cr_assert_eq(row->first_median, (a_dep ? 45 : 10) * MIN, "%s", row->name);
		cr_assert_eq(row->first_p90, (a_dep ? 120 : 10) * MIN, "%s", row->name);
	}

	struct session bruno_agent = bruno;
	bruno_agent.admin = false;
	cr_assert_eq(report_build(d, &bruno_agent, day, day, a, r), 0);
	cr_assert_eq(r->nagents, 1);
	cr_assert_eq(r->agents[0].id, bruno.user_id);
	cr_assert_eq(r->ndepartments, 0, "an agent sees no department lines");
	cr_assert_eq(r->total.first_median, 10 * MIN, "only Bruno's 10 and 120");
	cr_assert_eq(r->total.first_p90, 120 * MIN);
	arena_free(a);
}

/* The walk the medians rely on: every duration, shortest first, with its
 * department and agent, whatever the ids and seconds. (PostgreSQL packs
 * each into one integer to sort, and reads rows for those that do not
 * pack: tests/unit/store/pgsql_test.c.) */
struct seen_durations {
	int n;
	int64_t dep[8], staff[8], secs[8];
};

static void keep_duration(void *ctx, int64_t department_id, int64_t staff_id, int64_t value)
{
	struct seen_durations *seen = ctx;
	if (seen->n < 8) {
		seen->dep[seen->n] = department_id;
		seen->staff[seen->n] = staff_id;
		seen->secs[seen->n] = value;
	}
	seen->n++;
}

static void expect_durations_in_order(int64_t big_dep, int64_t big_staff, int64_t big_secs)
{
	const int64_t day = 20500;
	const int64_t in[][3] = {{dep_a, agent.user_id, 900},
	                         {big_dep, big_staff, big_secs},
	                         {dep_b, 0, 60},
	                         {dep_a, agent.user_id, 900},
	                         {16383, 1048575, 7200}};
	for (int i = 0; i < 5; i++)
		cr_assert_eq(store_report_duration_add(d, day, in[i][0], in[i][1], "first", in[i][2]), 0);
	cr_assert_eq(store_report_duration_add(d, day, dep_a, agent.user_id, "resolve", 1), 0);
	cr_assert_eq(store_report_duration_add(d, day + 1, dep_a, agent.user_id, "first", 1), 0);
	struct seen_durations seen = {0};
	cr_assert_eq(store_report_durations(d, "first", day, day, 0, keep_duration, &seen), 0);
	cr_assert_eq(seen.n, 5, "the day's first responses only");
	const int order[] = {2, 0, 3, 4, 1}; /* by seconds; big_secs is the longest */
	for (int i = 0; i < 5; i++) {
		const int64_t *want = in[order[i]];
		cr_expect(seen.dep[i] == want[0] && seen.staff[i] == want[1] && seen.secs[i] == want[2],
		          "#%d: %lld/%lld/%lld, not %lld/%lld/%lld", i, (long long)seen.dep[i],
		          (long long)seen.staff[i], (long long)seen.secs[i], (long long)want[0],
		          (long long)want[1], (long long)want[2]);
	}
	seen = (struct seen_durations){0};
	cr_assert_eq(store_report_durations(d, "first", day, day, agent.user_id, keep_duration, &seen), 0);
	cr_expect_eq(seen.n, big_staff == agent.user_id ? 3 : 2, "an agent's own");
}

Test(report, durations_stream_shortest_first_with_their_department_and_agent)
{
	expect_durations_in_order(dep_b, agent.user_id, 536870911);
}

Test(report, durations_with_a_big_department_id_stream_the_same)
{
	expect_durations_in_order(16384, agent.user_id, 86400);
}

Test(report, durations_with_a_big_staff_id_and_many_seconds_stream_the_same)
{
	expect_durations_in_order(dep_b, 1048576, 536870912);
}
