/* Escalation rules through escalation_run, the maintenance job's pass, at
 * times worked out by hand. The default calendar (migration 0014): São
 * Paulo, Monday to Friday 08:00–12:00 and 13:00–18:00. 2026-12-01 is a
 * Tuesday; 2026-12-04 a Friday. Department A: high priority, first
 * response 60 min, resolution 480 min; low, 240 / 1440. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "base/str.h"
#include "domain/account.h"
#include "domain/escalation.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/sla.h"
#include "domain/staff_ticket.h"
#include "store/admin_store.h"
#include "store/audit_store.h"
#include "store/department_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static struct session client, admin, agent;
static int64_t dep_a, dep_b;
static const int64_t MIN = 60, HOUR = 3600;

/* The people the rules emailed (notices), and in how many emails: staff
 * who read the same language share one. */
static int notices, emails;
static char notice_to[8][64];

static void record_recipient(const char *address)
{
	if (notices < 8)
		snprintf(notice_to[notices], sizeof notice_to[0], "%s", address);
	notices++;
}

static int record_notice(void *self, db *dd, const struct notice *n)
{
	(void)self;
	(void)dd;
	cr_assert_eq(n->kind, NOTICE_ESCALATION_STAFF);
	emails++;
	record_recipient(n->to);
	for (int i = 0; i < n->also_count; i++)
		record_recipient(n->also[i].address);
	return 0;
}
static const struct notifier recorder = {.queue = record_notice};

static int64_t sp(int y, int mo, int day, int h, int mi)
{
	return (int64_t)bt_days_from_civil(y, mo, day) * 86400 + h * HOUR + mi * MIN + 3 * HOUR;
}

static struct session staff_account(const char *email, const char *name, bool is_admin)
{
	struct account_new n = {.kind = ACCOUNT_STAFF, .email = email, .name = name,
	                        .password = "senha1234", .admin = is_admin};
	struct session s = {.kind = ACCOUNT_STAFF, .user_id = account_create(d, &n), .admin = is_admin};
	cr_assert_gt(s.user_id, 0);
	snprintf(s.name, sizeof s.name, "%s", name);
	return s;
}

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	d = test_db_with_defaults("escalation", path, sizeof path);
	struct department_row deps[3];
	cr_assert_eq(store_department_list_visible(d, deps, 3), 3);
	dep_a = deps[0].id;
	dep_b = deps[1].id;
	struct account_new c = {.kind = ACCOUNT_CLIENT, .email = "maria@exemplo.com.br",
	                        .name = "Maria", .password = "senha1234"};
	client = (struct session){.kind = ACCOUNT_CLIENT, .user_id = account_create(d, &c)};
	admin = staff_account("admin@exemplo.com.br", "Admin", true);
	agent = staff_account("agente@exemplo.com.br", "Agente", false);
	int64_t members[] = {admin.user_id, agent.user_id};
	cr_assert_eq(store_admin_department_set_members(d, dep_a, members, 2), 0);
	cr_assert_eq(store_sla_policy_set(d, dep_a, "high", 60, 480), 0);
	cr_assert_eq(store_sla_policy_set(d, dep_a, "low", 240, 1440), 0);
	notices = 0;
	emails = 0;
}

static void teardown(void)
{
	db_close(d);
	unlink(path);
}

TestSuite(escalation, .init = setup, .fini = teardown);

static const struct actor *as_admin(void)
{
	static struct actor a;
	a = actor_of(&admin, CHANNEL_WEB);
	return &a;
}

/* A rule saved through the admin's form; its id. */
static int64_t rule(struct escalation_form f)
{
	if (!f.name)
		f.name = "Regra";
	f.enabled = true;
	struct escalation_errors e;
	int64_t id = 0;
	int rc = escalation_save(d, as_admin(), 0, &f, sp(2026, 12, 1, 7, 0), &e, &id);
	cr_assert_eq(rc, ESCALATION_OK, "save: %d (%s %s %s)", rc, e.name ? e.name : "",
	             e.minutes ? e.minutes : "", e.actions ? e.actions : "");
	return id;
}

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

static int run_at(int64_t now)
{
	int n = escalation_run(d, &recorder, now);
	cr_assert_geq(n, 0, "escalation_run: %s", db_error(d));
	return n;
}

/* The ticket's audit entries of one action. */
static int audits(int64_t ticket_id, const char *action, const char **last_value)
{
	static arena *a;
	if (!a)
		a = arena_new(8192);
	struct audit_row rows[50];
	int n = staff_ticket_audit(d, ticket_id, a, rows, 50), count = 0;
	for (int i = 0; i < n; i++)
		if (str_eq(rows[i].action, action)) {
			count++;
			if (last_value)
				*last_value = rows[i].new_value;
		}
	return count;
}

Test(escalation, warns_n_business_minutes_before_the_first_response_across_the_closed_evening)
{
	int64_t id;
	/* Tue 17:30: 30 business minutes today, 30 more from 08:00 on Wednesday. */
	open_at(dep_a, "high", sp(2026, 12, 1, 17, 30), &id);
	rule((struct escalation_form){.condition = "first_soon", .minutes = "45",
	                              .notify_department = true});
	/* 17:40: 20 + 30 = 50 business minutes left. */
	cr_assert_eq(run_at(sp(2026, 12, 1, 17, 40)), 0);
	/* 17:50: 10 + 30 = 40, within 45, though the due time is 14 h 40 away. */
	cr_assert_eq(run_at(sp(2026, 12, 1, 17, 50)), 1);
	cr_assert_eq(notices, 2, "both members of the department are emailed");
	cr_assert_eq(emails, 1, "in one email: they read the same language");
}

Test(escalation, counts_the_weekend_as_closed_before_a_monday_due_time)
{
	int64_t id;
	/* Fri 17:30 at high: first response due Mon 08:30. */
	open_at(dep_a, "high", sp(2026, 12, 4, 17, 30), &id);
	rule((struct escalation_form){.condition = "first_soon", .minutes = "45", .note = "Vence logo."});
	/* Fri 17:35: 25 + 30 = 55 business minutes left. */
	cr_assert_eq(run_at(sp(2026, 12, 4, 17, 35)), 0);
	/* Saturday 10:00, 46 hours before: only Monday's 30 minutes are left. */
	cr_assert_eq(run_at(sp(2026, 12, 5, 10, 0)), 1);
	cr_assert_eq(audits(id, "escalation", NULL), 1);
}

Test(escalation, a_breached_due_time_fires_at_the_minute_it_passes)
{
	int64_t id;
	/* Tue 10:00 at high: first response due 11:00, resolution Wed 09:00. */
	open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	rule((struct escalation_form){.name = "Primeira resposta vencida",
	                              .condition = "first_breached", .notify_department = true});
	rule((struct escalation_form){.name = "Resolução vencida", .condition = "resolve_breached",
	                              .notify_department = true});
	cr_assert_eq(run_at(sp(2026, 12, 1, 10, 59)), 0);
	cr_assert_eq(run_at(sp(2026, 12, 1, 11, 0)), 1, "first response due at 11:00");
	const char *which = NULL;
	cr_assert_eq(audits(id, "escalation", &which), 1);
	cr_assert_str_eq(which, "Primeira resposta vencida");
	cr_assert_eq(run_at(sp(2026, 12, 2, 8, 59)), 0);
	cr_assert_eq(run_at(sp(2026, 12, 2, 9, 0)), 1, "resolution due Wed 09:00");
	cr_assert_eq(audits(id, "escalation", &which), 2);
	cr_assert_str_eq(which, "Resolução vencida");
}

Test(escalation, a_ticket_waiting_on_the_client_does_not_breach)
{
	int64_t id;
	int64_t n = open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	rule((struct escalation_form){.condition = "resolve_breached", .notify_department = true});
	struct ticket_post p = {.message = "Pode confirmar o domínio?"};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, NULL, &(struct actor){&agent, CHANNEL_WEB}, n, &p,
	                          sp(2026, 12, 1, 10, 30), &e),
	             TICKET_OK);
	/* Answered: the clock is paused, and the resolution is not due. */
	cr_assert_eq(run_at(sp(2026, 12, 3, 10, 0)), 0);
}

Test(escalation, an_unassigned_ticket_fires_after_waiting_n_minutes_and_an_assigned_one_never)
{
	int64_t waiting, taken;
	open_at(dep_a, "low", sp(2026, 12, 1, 10, 0), &waiting);
	int64_t n = open_at(dep_a, "low", sp(2026, 12, 1, 10, 0), &taken);
	struct ticket_changes c = {.assignee_id = agent.user_id};
	cr_assert_eq(ticket_update(d, &(struct actor){&admin, CHANNEL_WEB}, n, &c, sp(2026, 12, 1, 10, 5)),
	             TICKET_OK);
	int64_t r = rule((struct escalation_form){.condition = "unassigned", .minutes = "30",
	                                          .assign_staff = "0", .notify_department = true});
	(void)r;
	cr_assert_eq(run_at(sp(2026, 12, 1, 10, 29)), 0);
	cr_assert_eq(run_at(sp(2026, 12, 1, 10, 30)), 1);
	cr_assert_eq(audits(waiting, "escalation", NULL), 1);
	cr_assert_eq(audits(taken, "escalation", NULL), 0);
}

Test(escalation, running_twice_fires_once_and_acts_once)
{
	int64_t id;
	int64_t n = open_at(dep_a, "low", sp(2026, 12, 1, 10, 0), &id);
	rule((struct escalation_form){.condition = "unassigned", .minutes = "10",
	                              .raise_priority = "step", .note = "Sem responsável há 10 min.",
	                              .notify_department = true});
	cr_assert_eq(run_at(sp(2026, 12, 1, 10, 20)), 1);
	cr_assert_eq(run_at(sp(2026, 12, 1, 10, 20)), 0);
	cr_assert_eq(run_at(sp(2026, 12, 1, 11, 0)), 0);
	arena *a = arena_new(8192);
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, n, a, &t), 1);
	cr_assert_str_eq(t.priority, "medium", "raised one step, once");
	struct message_row m[10];
	int nm = store_message_list(d, id, 1, a, m, 10);
	cr_assert_eq(nm, 2, "the client's message and one note");
	cr_assert_str_eq(m[1].body, "Sem responsável há 10 min.");
	cr_assert_str_eq(m[1].author_kind, "system");
	cr_assert(m[1].internal, "the note is internal");
	cr_assert_eq(notices, 2, "each member once");
	cr_assert_eq(audits(id, "escalation", NULL), 1);
	cr_assert_eq(audits(id, "priority", NULL), 1);
	arena_free(a);
}

Test(escalation, a_disabled_rule_does_not_fire)
{
	int64_t id;
	open_at(dep_a, "high", sp(2026, 12, 1, 10, 0), &id);
	int64_t r = rule((struct escalation_form){.condition = "first_breached", .notify_department = true});
	cr_assert_eq(escalation_set_enabled(d, as_admin(), r, false, sp(2026, 12, 1, 10, 30)), ESCALATION_OK);
	cr_assert_eq(run_at(sp(2026, 12, 1, 12, 0)), 0);
	cr_assert_eq(notices, 0);
	/* Switched on again, it fires on the ticket it skipped. */
	cr_assert_eq(escalation_set_enabled(d, as_admin(), r, true, sp(2026, 12, 1, 12, 5)), ESCALATION_OK);
	cr_assert_eq(run_at(sp(2026, 12, 1, 12, 10)), 1);
}

Test(escalation, a_rule_limited_to_a_department_or_a_priority_leaves_the_others)
{
	int64_t high_a, low_a;
	open_at(dep_a, "high", sp(2026, 12, 1, 8, 0), &high_a);
	open_at(dep_a, "low", sp(2026, 12, 1, 8, 0), &low_a);
	char other[24], mine[24];
	snprintf(other, sizeof other, "%lld", (long long)dep_b);
	snprintf(mine, sizeof mine, "%lld", (long long)dep_a);
	rule((struct escalation_form){.name = "Financeiro", .condition = "first_breached",
	                              .department = other, .notify_department = true});
	rule((struct escalation_form){.name = "Alta", .condition = "first_breached",
	                              .department = mine, .priority = "high", .notify_department = true});
	/* Tue 17:00: the high ticket's first response (09:00) and the low one's
	 * (12:00) have both passed. */
	cr_assert_eq(run_at(sp(2026, 12, 1, 17, 0)), 1);
	const char *which = NULL;
	cr_assert_eq(audits(high_a, "escalation", &which), 1);
	cr_assert_str_eq(which, "Alta");
	cr_assert_eq(audits(low_a, "escalation", NULL), 0);
}

Test(escalation, actions_move_assign_and_email_each_person_once)
{
	int64_t id;
	int64_t n = open_at(dep_a, "medium", sp(2026, 12, 1, 10, 0), &id);
	char to_b[24], agent_id[24];
	snprintf(to_b, sizeof to_b, "%lld", (long long)dep_b);
	snprintf(agent_id, sizeof agent_id, "%lld", (long long)agent.user_id);
	/* Medium has no policy: the unassigned condition still applies. */
	rule((struct escalation_form){.condition = "unassigned", .minutes = "60",
	                              .raise_priority = "high", .move_department = to_b,
	                              .assign_staff = agent_id, .notify_assignee = true,
	                              .notify_staff = agent_id});
	cr_assert_eq(run_at(sp(2026, 12, 1, 11, 0)), 1);
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, n, a, &t), 1);
	cr_assert_str_eq(t.priority, "high");
	cr_assert_eq(t.department_id, dep_b);
	cr_assert_eq(t.assignee_id, agent.user_id);
	cr_assert_eq(notices, 1, "the assignee and the named person are the same: one email");
	cr_assert_str_eq(notice_to[0], "agente@exemplo.com.br");
	arena_free(a);
}

Test(escalation, matching_is_exact_at_the_edges)
{
	struct escalation_row r = {.enabled = 1, .condition = "resolve_soon", .minutes = 30,
	                           .priority = ""};
	struct bt_calendar always = {.always_open = true};
	struct escalation_ticket t = {.department_id = 1, .priority = "low", .status = "open",
	                              .first_due = -1, .resolve_due = 10000};
	cr_assert(escalation_matches(&r, &t, &always, 10000 - 30 * MIN));
	cr_assert_not(escalation_matches(&r, &t, &always, 10000 - 30 * MIN - 1));
	cr_assert_not(escalation_matches(&r, &t, &always, 10000), "passed: the breached rules' case");
	r.condition = "resolve_breached";
	cr_assert(escalation_matches(&r, &t, &always, 10000));
	cr_assert_not(escalation_matches(&r, &t, &always, 9999));
	t.resolve_due = -1;
	cr_assert_not(escalation_matches(&r, &t, &always, 20000), "no due time: paused or no target");
	cr_assert_str_eq(escalation_raised_priority("low", "step"), "medium");
	cr_assert_str_eq(escalation_raised_priority("medium", "high"), "high");
	cr_assert_null(escalation_raised_priority("high", "step"));
	cr_assert_null(escalation_raised_priority("high", "medium"), "never lowers");
}

Test(escalation, the_admin_form_refuses_a_rule_without_actions_or_minutes_and_audits_saves)
{
	struct escalation_errors e;
	struct escalation_form f = {.name = " ", .condition = "first_soon", .minutes = "",
	                            .enabled = true};
	cr_assert_eq(escalation_save(d, as_admin(), 0, &f, 1000, &e, NULL), ESCALATION_INVALID);
	cr_assert_not_null(e.name);
	cr_assert_not_null(e.minutes);
	cr_assert_not_null(e.actions);
	struct actor by_agent = actor_of(&agent, CHANNEL_WEB);
	f = (struct escalation_form){.name = "X", .condition = "first_breached", .notify_department = true};
	cr_assert_eq(escalation_save(d, &by_agent, 0, &f, 1000, &e, NULL), ESCALATION_NOT_FOUND,
	             "agents may not write rules");
	int64_t id = 0;
	cr_assert_eq(escalation_save(d, as_admin(), 0, &f, 1000, &e, &id), ESCALATION_OK);
	cr_assert_eq(escalation_delete(d, as_admin(), id, 1001), ESCALATION_OK);
	arena *a = arena_new(8192);
	struct admin_audit_row rows[10];
	struct admin_audit_filter mine = {.kind = "escalation."};
	int n = store_admin_audit_list(d, &mine, a, rows, 10);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rows[0].kind, "escalation.delete");
	cr_assert_str_eq(rows[1].kind, "escalation.create");
	cr_assert_str_eq(rows[1].subject, "X");
	arena_free(a);
}
