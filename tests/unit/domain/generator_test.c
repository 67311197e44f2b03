/* The benchmark data of `chamado demo`: the counts asked for, and a history
 * that ends by now (no ticket updated, no message written, in the future). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "domain/generator.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "../test_db.h"

static db *d;
static char path[64];

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	d = test_db_with_defaults("generator", path, sizeof path);
	struct demo_credentials cred;
	cr_assert_eq(setup_demo(d, &cred), 0, "%s", db_error(d));
}

static void teardown(void)
{
	db_close(d);
	unlink(path);
}

TestSuite(generator, .init = setup, .fini = teardown);

static int64_t scalar(const char *sql)
{
	return db_scalar_int(db_prepare(d, sql), -1);
}

/* sql with $1 bound to t. */
static int64_t scalar_at(const char *sql, int64_t t)
{
	db_stmt *s = db_prepare(d, sql);
	if (s)
		db_bind_int(s, 1, t);
	return db_scalar_int(s, -1);
}

Test(generator, makes_the_counts_asked_for_with_a_history_that_ends_by_now)
{
	/* 2,000 tickets over two years begin every 9 hours, with threads of up
	 * to 30 hours: the newest would end after now unless kept before it. */
	const int64_t now = 1796000000; /* 2026-11-30 */
	struct generator_opts o = {.clients = 20, .tickets = 2000, .messages = 16, .now = now};
	int64_t tickets_before = scalar("SELECT count(*) FROM tickets");
	int rc = generator_run(d, &o);
	cr_assert_eq(rc, 0, "%d %s", rc, db_error(d));
	cr_expect_eq(scalar("SELECT count(*) FROM tickets") - tickets_before, 2000);
	cr_expect_eq(scalar("SELECT count(*) FROM clients WHERE email LIKE 'cliente%@exemplo.com.br'"), 20 + 1,
	             "the 20 asked for, beside the demo's own client");
	cr_expect_eq(scalar_at("SELECT count(*) FROM tickets WHERE updated_at > $1 OR created_at > $1", now), 0,
	             "no ticket created or updated after now");
	cr_expect_eq(scalar_at("SELECT count(*) FROM messages WHERE created_at > $1", now), 0,
	             "no message after now");
	cr_expect_gt(scalar_at("SELECT count(*) FROM tickets WHERE updated_at > $1", now - 7 * 86400), 0,
	             "the history reaches the last days");
	cr_expect_gt(scalar("SELECT count(*) FROM messages"), 2000, "threads of several messages");
}
