/* SLA clocks through the domain's change functions, against due times
 * worked out by hand. The default calendar (migration 0009): São Paulo,
 * Monday to Friday 08:00–12:00 and 13:00–18:00. 2026-12-01 is a Tuesday.
 * Department A: high priority, first response 60 min, resolution 480 min;
 * low priority 240 / 1440. Department B is 24×7. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "domain/account.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/sla.h"
#include "domain/sla_admin.h"
#include "domain/staff_ticket.h"
#include "store/department_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static struct session client, agent;
static int64_t dep_a, dep_b;
static const int64_t MIN = 60, HOUR = 3600;

static int64_t sp(int y, int mo, int day, int h, int mi)
{
	return (int64_t)bt_days_from_civil(y, mo, day) * 86400 + h * HOUR + mi * MIN + 3 * HOUR;
}

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	d = test_db_with_defaults("sla", path, sizeof path);
	struct department_row deps[3];
	cr_assert_eq(store_department_list_visible(d, deps, 3), 3);
	dep_a = deps[0].id;
	dep_b = deps[1].id;
	struct account_new c = {.kind = ACCOUNT_CLIENT, .email = "maria@exemplo.com.br",
	                        .name = "Maria", .password = "senha1234"};
	client = (struct session){.kind = ACCOUNT_CLIENT, .user_id = account_create(d, &c)};
	snprintf(client.name, sizeof client.name, "Maria");
	struct account_new s = {.kind = ACCOUNT_STAFF, .email = "agente@exemplo.com.br",
	                        .name = "Agente", .password = "senha1234", .admin = true};
	agent = (struct session){.kind = ACCOUNT_STAFF, .user_id = account_create(d, &s), .admin = true};
	snprintf(agent.name, sizeof agent.name, "Agente");
	cr_assert_eq(store_sla_policy_set(d, dep_a, "high", 60, 480), 0);
	cr_assert_eq(store_sla_policy_set(d, dep_a, "low", 240, 1440), 0);
	cr_assert_eq(store_sla_policy_set(d, dep_b, "high", 60, 480), 0);
	int64_t always = store_calendar_insert(d, "24x7", "America/Sao_Paulo", 1, 0);
	cr_assert_gt(always, 0);
	cr_assert_eq(store_sla_department_set(d, dep_b, always), 0);
}

static void teardown(void)
{
	db_close(d);
	unlink(path);
}

TestSuite(sla, .init = setup, .fini = teardown);

static int64_t open_at(int64_t dep, const char *priority, int64_t now, int64_t *id)
{
	struct ticket_form f = {.department_id = dep, .subject = "Site fora do ar",
	                        .priority = priority, .message = "O site caiu."};
	struct ticket_errors e;
	struct ticket_opened opened;
	cr_assert_eq(ticket_open(d, NULL, &(struct actor){&client, CHANNEL_WEB}, &f, now, &e, &opened),
	             TICKET_OK);
	int64_t number = opened.number;
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, number, a, &t), 1);
	*id = t.id;
	arena_free(a);
	return number;
}

static void reply_at(const struct session *who, int64_t number, int64_t now)
{
	struct ticket_post p = {.message = "Resposta"};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, NULL, &(struct actor){who, CHANNEL_WEB}, number, &p, now, &e),
	             TICKET_OK);
}

static void update_at(int64_t number, struct ticket_changes c, int64_t now)
{
	cr_assert_eq(ticket_update(d, &(struct actor){&agent, CHANNEL_WEB}, number, &c, now), TICKET_OK);
}

static struct sla_state state(int64_t id)
{
	struct sla_state st;
	cr_assert_eq(store_sla_state_get(d, id, &st), 1);
	return st;
}

Test(sla, opening_sets_both_due_times_in_business_hours)
{
	int64_t id;
	open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	struct sla_state st = state(id);
	cr_assert_eq(st.first_due, sp(2026, 12, 1, 11, 0));
	/* 480 min: Tue 10–12, 13–18 (7 h), Wed 08–09. */
	cr_assert_eq(st.resolve_due, sp(2026, 12, 2, 9, 0));
	cr_assert_eq(st.due, st.first_due, "the nearest due time is shown");
	cr_assert_eq(st.warn_at, sp(2026, 12, 1, 10, 48), "amber after 80%% of 60 min");
}

Test(sla, no_policy_means_no_due_time_but_the_clock_still_counts)
{
	int64_t id;
	open_at(dep_a, "medium", sp(2026, 12, 1, 10, 0), &id);
	struct sla_state st = state(id);
	cr_assert_eq(st.due, -1);
	cr_assert_eq(st.running_since, sp(2026, 12, 1, 10, 0));
}

Test(sla, a_staff_reply_records_the_first_response_and_pauses)
{
	int64_t id;
	int64_t n = open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	reply_at(&agent, n, sp(2026, 12, 1, 10, 30));
	struct sla_state st = state(id);
	cr_assert_eq(st.first_seconds, 30 * MIN);
	cr_assert_eq(st.elapsed, 30 * MIN);
	cr_assert_eq(st.running_since, -1, "answered: waiting on the client");
	cr_assert_eq(st.due, -1);
}

Test(sla, a_client_reply_resumes_where_the_clock_stopped)
{
	int64_t id;
	int64_t n = open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	reply_at(&agent, n, sp(2026, 12, 1, 10, 30));
	reply_at(&client, n, sp(2026, 12, 2, 14, 0)); /* a day later: paused meanwhile */
	struct sla_state st = state(id);
	cr_assert_eq(st.first_due, -1, "the first response is done");
	/* 450 min left: Wed 14–18 (240), Thu 08:00 + 210 = 11:30. */
	cr_assert_eq(st.resolve_due, sp(2026, 12, 3, 11, 30));
	cr_assert_eq(st.due, st.resolve_due);
}

Test(sla, on_hold_pauses_and_in_progress_resumes)
{
	int64_t id;
	int64_t n = open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	update_at(n, (struct ticket_changes){.status = "on-hold", .assignee_id = -1}, sp(2026, 12, 1, 10, 20));
	cr_assert_eq(state(id).due, -1);
	update_at(n, (struct ticket_changes){.status = "in-progress", .assignee_id = -1}, sp(2026, 12, 1, 15, 0));
	struct sla_state st = state(id);
	cr_assert_eq(st.elapsed, 20 * MIN);
	cr_assert_eq(st.first_due, sp(2026, 12, 1, 15, 40), "40 min of the first hour were left");
}

Test(sla, a_change_of_priority_recomputes_from_the_time_already_used)
{
	int64_t id;
	int64_t n = open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	update_at(n, (struct ticket_changes){.priority = "low", .assignee_id = -1}, sp(2026, 12, 1, 10, 30));
	struct sla_state st = state(id);
	/* Low: 240 min from 10:00, 30 used: 11:30 + lunch → 15:00. */
	cr_assert_eq(st.first_due, sp(2026, 12, 1, 15, 0));
	/* Back to high at 17:00: 360 business minutes used, 60 allowed: breached at 11:00. */
	update_at(n, (struct ticket_changes){.priority = "high", .assignee_id = -1}, sp(2026, 12, 1, 17, 0));
	st = state(id);
	cr_assert_eq(st.elapsed, 360 * MIN);
	cr_assert_eq(st.first_due, sp(2026, 12, 1, 11, 0));
}

Test(sla, moving_department_keeps_the_time_used_and_counts_on_in_the_new_calendar)
{
	int64_t id;
	int64_t n = open_at(dep_a, "high", sp(2026, 12, 4, 17, 30), &id); /* Friday */
	update_at(n, (struct ticket_changes){.department_id = dep_b, .assignee_id = -1}, sp(2026, 12, 4, 19, 0));
	struct sla_state st = state(id);
	cr_assert_eq(st.elapsed, 30 * MIN, "17:30–18:00 in the office calendar");
	/* 24×7 from 19:00 on: 30 min left of the first hour. */
	cr_assert_eq(st.first_due, sp(2026, 12, 4, 19, 30));
}

Test(sla, closing_records_the_resolution_and_reopening_counts_on)
{
	int64_t id;
	int64_t n = open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	update_at(n, (struct ticket_changes){.status = "closed", .assignee_id = -1}, sp(2026, 12, 1, 14, 0));
	struct sla_state st = state(id);
	cr_assert_eq(st.resolve_seconds, 180 * MIN);
	cr_assert_eq(st.due, -1);
	reply_at(&client, n, sp(2026, 12, 2, 8, 0));
	st = state(id);
	cr_assert_eq(st.resolve_seconds, -1);
	cr_assert_eq(st.resolve_due, sp(2026, 12, 2, 14, 0), "300 min left: Wed 08–12, 13–14");
}

Test(sla, merging_keeps_the_older_requests_clock)
{
	int64_t old_id, new_id;
	int64_t older = open_at(dep_a, "high", sp(2026, 12, 1, 9, 0), &old_id);
	int64_t newer = open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &new_id);
	cr_assert_eq(ticket_merge(d, &(struct actor){&agent, CHANNEL_WEB}, older, newer,
	                          sp(2026, 12, 1, 10, 15)), TICKET_OK);
	cr_assert_eq(state(old_id).due, -1, "the merged ticket is closed");
	struct sla_state st = state(new_id);
	cr_assert_eq(st.elapsed, 75 * MIN);
	cr_assert_eq(st.first_due, sp(2026, 12, 1, 10, 0), "already breached: an hour after 09:00");
}

Test(sla, the_badge_counts_business_time_left_and_past_due)
{
	int64_t id;
	open_at(dep_a, "high", sp(2026, 12, 1, 11, 30), &id); /* first due 13:30 (lunch) */
	struct sla_state st;
	struct sla_badge b;
	cr_assert_eq(sla_ticket_badge(d, id, sp(2026, 12, 1, 11, 40), &st, &b), 1);
	cr_assert_eq(b.state, SLA_ON_TIME);
	cr_assert_eq(b.business_seconds, 50 * MIN);
	cr_assert_eq(sla_ticket_badge(d, id, sp(2026, 12, 1, 13, 20), &st, &b), 1);
	cr_assert_eq(b.state, SLA_NEAR);
	cr_assert_eq(sla_ticket_badge(d, id, sp(2026, 12, 1, 14, 0), &st, &b), 1);
	cr_assert_eq(b.state, SLA_BREACHED);
	cr_assert_eq(b.business_seconds, 30 * MIN);
}

Test(sla, holidays_are_filled_once_per_calendar_and_year)
{
	cr_assert_eq(sla_fill_holidays(d, sp(2026, 12, 1, 10, 0)), 2);
	arena *a = arena_new(8192);
	struct calendar_holiday_row rows[40];
	cr_assert_eq(store_calendar_holidays(d, 1, a, rows, 40), 20, "2026 and 2027");
	cr_assert_eq(store_calendar_holidays_clear(d, 1), 0);
	cr_assert_eq(sla_fill_holidays(d, sp(2026, 12, 2, 10, 0)), 0, "a deleted holiday stays deleted");
	cr_assert_eq(sla_fill_holidays(d, sp(2027, 1, 2, 10, 0)), 2, "a new year adds the next one");
	cr_assert_eq(store_calendar_holidays(d, 1, a, rows, 40), 10);
	arena_free(a);
}

/* Each thread keeps the calendars and policies it read; a change saved on
 * this node must still reach the very next ticket the thread opens. */
Test(sla, new_targets_apply_to_the_next_opening_at_once)
{
	int64_t id;
	open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	cr_assert_eq(state(id).first_due, sp(2026, 12, 1, 11, 0));
	arena *a = arena_new(8192);
	struct sla_department_policy rows[4];
	int n = sla_policies_load(d, a, rows, 4);
	cr_assert_gt(n, 0);
	for (int i = 0; i < n; i++)
		if (rows[i].department_id == dep_a) {
			rows[i].first[0] = "30"; /* high */
			rows[i].resolve[0] = "120";
		}
	cr_assert_eq(sla_policies_save(d, rows, n, sp(2026, 12, 1, 10, 0)), SLA_ADMIN_OK);
	arena_free(a);
	open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	struct sla_state st = state(id);
	cr_assert_eq(st.first_due, sp(2026, 12, 1, 10, 30));
	cr_assert_eq(st.resolve_due, sp(2026, 12, 1, 12, 0));
}

Test(sla, new_business_hours_apply_to_the_next_opening_at_once)
{
	int64_t id;
	open_at(dep_a, "high", sp(2026, 12, 1, 17, 30), &id);
	/* 60 min from 17:30 Tuesday: 30 min to 18:00, then Wednesday 08:30. */
	cr_assert_eq(state(id).first_due, sp(2026, 12, 2, 8, 30));
	arena *a = arena_new(8192);
	struct sla_calendar_form f;
	cr_assert_eq(sla_calendar_form_load(d, 1, sp(2026, 12, 1, 17, 30), a, &f), 1);
	for (int w = 1; w <= 5; w++)
		f.hours[w] = "08:00-12:00, 13:00-20:00";
	struct sla_calendar_errors e;
	int64_t saved = 0;
	cr_assert_eq(sla_calendar_save(d, 1, &f, sp(2026, 12, 1, 17, 30), &e, &saved), SLA_ADMIN_OK);
	arena_free(a);
	open_at(dep_a, "high", sp(2026, 12, 1, 17, 30), &id);
	cr_assert_eq(state(id).first_due, sp(2026, 12, 1, 18, 30), "open until 20:00 now");
}
