/* Display numbers of tickets: the format, the prefix check, and the
 * counter that never hands a value out twice. Against a real SQLite file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/setup.h"
#include "domain/ticket.h"
#include "domain/ticket_number.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/settings_store.h"
#include "store/ticket_store.h"
#include "../test_db.h"

Test(ticket_number, formats_prefix_year_and_six_digits)
{
	char out[TICKET_LABEL_MAX];
	ticket_number_label_format(out, "SUP", 2026, 123);
	cr_assert_str_eq(out, "SUP-2026-000123");
	ticket_number_label_format(out, "", 2026, 7);
	cr_assert_str_eq(out, "2026-000007");
	ticket_number_label_format(out, "SUP", 0, 1234567);
	cr_assert_str_eq(out, "SUP-1234567");
	ticket_number_label_format(out, "", 0, 42);
	cr_assert_str_eq(out, "000042");
}

Test(ticket_number, a_prefix_is_trimmed_uppercased_and_only_letters_and_digits)
{
	char out[16];
	cr_assert(ticket_number_prefix_normalise("  sup ", out));
	cr_assert_str_eq(out, "SUP");
	cr_assert(ticket_number_prefix_normalise("", out));
	cr_assert_str_eq(out, "");
	cr_assert(ticket_number_prefix_normalise("ABCDEFGHIJ", out));
	cr_assert(!ticket_number_prefix_normalise("ABCDEFGHIJK", out), "11 characters");
	cr_assert(!ticket_number_prefix_normalise("SU-P", out));
	cr_assert(!ticket_number_prefix_normalise("SUÇ", out));
}

static db *d;
static char path[64];
static int64_t client_id, dep_id;

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/chamado-number-%d.db", getpid());
	unlink(path);
	char url[96], err[512];
	snprintf(url, sizeof url, "sqlite:%s", path);
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(setup_defaults(d), 0);
	struct department_row deps[1];
	cr_assert_eq(store_department_list_visible(d, deps, 1), 1);
	dep_id = deps[0].id;
	client_id = store_client_insert(d, "maria@exemplo.com.br", "Maria", NULL, "pt-BR", 1);
	cr_assert_gt(client_id, 0);
}

static void teardown(void)
{
	db_close(d);
	unlink(path);
}

static int64_t new_ticket(int64_t number)
{
	int64_t id = store_ticket_insert(d, number, client_id, dep_id, 0, "Assunto", "medium", NULL, NULL, 1);
	cr_assert_gt(id, 0, "%s", db_error(d));
	return id;
}

static const char *label_of(int64_t id, arena *a)
{
	struct ticket_row t;
	cr_assert_eq(store_ticket_id_get(d, id, a, &t), 1);
	return t.number_label;
}

/* 2026-03-01 and 2027-01-02, UTC. */
static const int64_t IN_2026 = 1772323200, IN_2027 = 1798848000;

Test(ticket_number, counts_per_prefix_and_year_and_starts_again_in_a_new_year, .init = setup, .fini = teardown)
{
	arena *a = arena_new(4096);
	int64_t t1 = new_ticket(111111), t2 = new_ticket(222222), t3 = new_ticket(333333),
		t4 = new_ticket(444444), t5 = new_ticket(555555);
	cr_assert_eq(ticket_number_assign(d, true, "SUP", true, t1, IN_2026), 0);
	cr_assert_eq(ticket_number_assign(d, true, "SUP", true, t2, IN_2026), 0);
	cr_assert_eq(ticket_number_assign(d, true, "FIN", true, t3, IN_2026), 0);
	cr_assert_eq(ticket_number_assign(d, true, "SUP", true, t4, IN_2027), 0);
	cr_assert_eq(ticket_number_assign(d, false, "SUP", true, t5, IN_2027), 0);
	cr_assert_str_eq(label_of(t1, a), "SUP-2026-000001");
	cr_assert_str_eq(label_of(t2, a), "SUP-2026-000002");
	cr_assert_str_eq(label_of(t3, a), "FIN-2026-000001");
	cr_assert_str_eq(label_of(t4, a), "SUP-2027-000001");
	cr_assert_str_eq(label_of(t5, a), "", "random numbers: no display number");
	struct ticket_row t;
	char shown[TICKET_LABEL_MAX];
	cr_assert_eq(store_ticket_id_get(d, t5, a, &t), 1);
	cr_assert_str_eq(ticket_number_shown(&t, shown), "555555");
	cr_assert_eq(store_ticket_id_get(d, t1, a, &t), 1);
	cr_assert_str_eq(ticket_number_shown(&t, shown), "SUP-2026-000001", "the label, not the number");
	arena_free(a);
}

Test(ticket_number, a_value_already_taken_is_skipped_never_shared, .init = setup, .fini = teardown)
{
	arena *a = arena_new(4096);
	int64_t old = new_ticket(111111), t = new_ticket(222222);
	/* A ticket that already holds the counter's next value (say, imported). */
	cr_assert_eq(store_ticket_set_number_label(d, old, "SUP-000001"), 0);
	cr_assert_eq(ticket_number_assign(d, true, "SUP", false, t, IN_2026), 0);
	cr_assert_str_eq(label_of(t, a), "SUP-000002");
	arena_free(a);
}

Test(ticket_number, a_rolled_back_ticket_gives_its_value_back, .init = setup, .fini = teardown)
{
	arena *a = arena_new(4096);
	cr_assert_eq(db_begin_write(d), 0);
	int64_t gone = new_ticket(111111);
	cr_assert_eq(ticket_number_assign(d, true, "SUP", true, gone, IN_2026), 0);
	cr_assert_eq(db_rollback(d), 0);
	int64_t t = new_ticket(222222);
	cr_assert_eq(ticket_number_assign(d, true, "SUP", true, t, IN_2026), 0);
	cr_assert_str_eq(label_of(t, a), "SUP-2026-000001");
	arena_free(a);
}

/* The web answers a new ticket with its display number in the flash, and the
 * API with its id: both come from the opening, also for a double submit. */
Test(ticket_number, an_opening_tells_its_display_number_and_id, .init = setup, .fini = teardown)
{
	cr_assert_eq(store_setting_set(d, "ticket_number_format", "sequential"), 0);
	cr_assert_eq(store_setting_set(d, "ticket_number_prefix", "SUP"), 0);
	cr_assert_eq(store_setting_set(d, "ticket_number_year", "1"), 0);
	struct session client = {.kind = ACCOUNT_CLIENT, .user_id = client_id, .name = "Maria",
	                         .email = "maria@exemplo.com.br", .language = "pt-BR"};
	struct ticket_form f = {.department_id = dep_id, .subject = "Site fora do ar", .priority = "medium",
	                        .message = "O site caiu.", .submission_key = "form-1"};
	struct ticket_errors e = {0};
	struct ticket_opened first, again;
	struct actor who = actor_of(&client, CHANNEL_WEB);
	cr_assert_eq(ticket_open(d, NULL, &who, &f, IN_2026, &e, &first), TICKET_OK);
	cr_assert_str_eq(first.shown, "SUP-2026-000001");
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, first.number, a, &t), 1);
	cr_assert_eq(t.id, first.id);
	cr_assert_eq(ticket_open(d, NULL, &who, &f, IN_2026 + 5, &e, &again), TICKET_OK);
	cr_assert_eq(again.id, first.id, "a double submit opened a second ticket");
	cr_assert_eq(again.number, first.number);
	cr_assert_str_eq(again.shown, "SUP-2026-000001");
	arena_free(a);
}
