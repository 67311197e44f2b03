/* Satisfaction ratings: signed single-ticket tokens, one rating per
 * ticket, changeable for 7 days, the survey sent once on close. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/account.h"
#include "domain/csat.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/staff_ticket.h"
#include "store/department_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static struct session client, agent;
static const int64_t T0 = 1800000000, DAY = 86400;
static int queued[2];

static int count_notice(void *self, db *dd, const struct notice *n)
{
	(void)self;
	(void)dd;
	if (n->kind == NOTICE_CSAT_REQUEST)
		queued[0]++;
	if (n->kind == NOTICE_CSAT_BAD_STAFF)
		queued[1]++;
	return 0;
}
static struct notifier counter = {.queue = count_notice};

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	d = test_db_with_defaults("csat", path, sizeof path);
	struct account_new c = {.kind = ACCOUNT_CLIENT, .email = "maria@exemplo.com.br",
	                        .name = "Maria", .password = "senha1234"};
	client = (struct session){.kind = ACCOUNT_CLIENT, .user_id = account_create(d, &c)};
	struct account_new s = {.kind = ACCOUNT_STAFF, .email = "agente@exemplo.com.br",
	                        .name = "Agente", .password = "senha1234", .admin = true};
	agent = (struct session){.kind = ACCOUNT_STAFF, .user_id = account_create(d, &s), .admin = true};
	csat_set_notifier(&counter);
	memset(queued, 0, sizeof queued);
}

static void teardown(void)
{
	csat_set_notifier(NULL);
	db_close(d);
	unlink(path);
}

TestSuite(csat, .init = setup, .fini = teardown);

static int64_t open_and_close(void)
{
	struct department_row deps[3];
	cr_assert_eq(store_department_list_visible(d, deps, 3), 3);
	struct ticket_form f = {.department_id = deps[0].id, .subject = "Lento", .priority = "low",
	                        .message = "O site está lento."};
	struct ticket_errors e;
	struct ticket_opened opened;
	cr_assert_eq(ticket_open(d, NULL, &(struct actor){&client, CHANNEL_WEB}, &f, T0, &e, &opened), TICKET_OK);
	int64_t number = opened.number;
	struct ticket_changes c = {.status = "closed", .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &(struct actor){&agent, CHANNEL_WEB}, number, &c, T0 + 60), TICKET_OK);
	return number;
}

Test(csat, closing_queues_one_survey_per_ticket)
{
	int64_t n = open_and_close();
	cr_assert_eq(queued[0], 1);
	struct ticket_changes reopen = {.status = "open", .assignee_id = -1};
	struct ticket_changes close = {.status = "closed", .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &(struct actor){&agent, CHANNEL_WEB}, n, &reopen, T0 + 120), TICKET_OK);
	cr_assert_eq(ticket_update(d, &(struct actor){&agent, CHANNEL_WEB}, n, &close, T0 + 180), TICKET_OK);
	cr_assert_eq(queued[0], 1);
}

Test(csat, a_token_rates_only_its_own_ticket_and_only_while_fresh)
{
	int64_t n = open_and_close();
	char token[CSAT_TOKEN_MAX], forged[CSAT_TOKEN_MAX];
	cr_assert_eq(csat_token_make(d, n, T0, token), 0);
	arena *a = arena_new(8192);
	struct csat_view v;
	cr_assert_eq(csat_rate(d, &counter, token, "good", NULL, T0 + DAY, a, &v), CSAT_OK);
	cr_assert_str_eq(v.rating, "good");
	cr_assert_eq(csat_rate(d, &counter, token, "meh", NULL, T0 + DAY, a, &v), CSAT_INVALID);
	snprintf(forged, sizeof forged, "%s", token);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == '0' ? '1' : '0';
	cr_assert_eq(csat_rate(d, &counter, forged, "bad", NULL, T0 + DAY, a, &v), CSAT_NOT_FOUND);
	cr_assert_eq(csat_rate(d, &counter, token, "bad", NULL, T0 + 61 * DAY, a, &v), CSAT_NOT_FOUND,
	             "a token lasts 60 days");
	arena_free(a);
}

Test(csat, a_rating_can_change_for_seven_days_then_stays)
{
	int64_t n = open_and_close();
	char token[CSAT_TOKEN_MAX];
	cr_assert_eq(csat_token_make(d, n, T0, token), 0);
	arena *a = arena_new(8192);
	struct csat_view v;
	cr_assert_eq(csat_rate(d, &counter, token, "bad", "Demorou.", T0 + DAY, a, &v), CSAT_OK);
	cr_assert_eq(queued[1], 0, "the department has no members to tell");
	cr_assert_eq(csat_rate(d, &counter, token, "good", NULL, T0 + 7 * DAY, a, &v), CSAT_OK);
	cr_assert_str_eq(v.comment, "Demorou.", "the comment stays when only the rating changes");
	cr_assert_eq(csat_rate(d, &counter, token, "bad", NULL, T0 + 9 * DAY, a, &v), CSAT_LOCKED);
	cr_assert_str_eq(v.rating, "good");
	cr_assert(v.locked);
	arena_free(a);
}
