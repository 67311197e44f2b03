/* The database layer over PostgreSQL, against a real server: the same
 * contract as db_test.c (binding, reading, constraints, transactions),
 * plus what only this backend has to get right — parameter types the
 * server must infer, statements that fail inside a transaction, the
 * global write lock, SKIP LOCKED, migrations, lost connections, reads
 * sent ahead and writes sent without waiting.
 *
 * The server: $CHAMADO_TEST_PG (a URL without a database name) when set,
 * else one started here with tests/lib/pg-server for the whole run. Each
 * test gets a database of its own. */
#include "build_config.h"
#include "domain/webhook.h"
#include "store/db.h"
#include "store/kb_store.h"
#include "store/outbox_store.h"
#include "store/report_store.h"
#include "store/search_store.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PG_SERVER CHAMADO_DEFAULT_SHARE_DIR "/tests/lib/pg-server"

static char own_server_dir[] = "/tmp/chamado-pgunit-XXXXXX";
static bool own_server;

/* Starts a server into dir; writes its URL into url. */
static bool server_start(char *dir, char *url, size_t len)
{
	char cmd[600];
	FILE *p;
	bool ok;

	snprintf(cmd, sizeof cmd, "'%s' start '%s'", PG_SERVER, dir);
	p = popen(cmd, "r");
	if (p == NULL)
		return false;
	ok = fgets(url, (int)len, p) != NULL;
	if (pclose(p) != 0)
		ok = false;
	url[strcspn(url, "\n")] = '\0';
	return ok && strncmp(url, "postgres://", 11) == 0;
}

static void server_command(const char *what, const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "'%s' %s '%s'", PG_SERVER, what, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pg-server %s failed\n", what);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	char url[256];

	(void)set;
	if (getenv("CHAMADO_TEST_PG") != NULL)
		return;
	if (mkdtemp(own_server_dir) == NULL ||
	    !server_start(own_server_dir, url, sizeof url)) {
		fprintf(stderr, "pgsql_test: cannot start PostgreSQL with %s\n",
		    PG_SERVER);
		return;
	}
	own_server = true;
	setenv("CHAMADO_TEST_PG", url, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	if (own_server)
		server_command("stop", own_server_dir);
}

static char dbname[64];
static char url[300];
static db *d;

static db *open_url(const char *u)
{
	char err[512] = "";
	db *c = db_open(u, err, sizeof err);

	cr_assert_not_null(c, "db_open %s: %s", u, err);
	return c;
}

/* Runs sql on the server's "postgres" database. */
static void admin_exec(const char *sql)
{
	char admin[300];
	db *a;

	snprintf(admin, sizeof admin, "%s/postgres", getenv("CHAMADO_TEST_PG"));
	a = open_url(admin);
	cr_assert_eq(db_exec(a, sql), DB_OK, "%s: %s", sql, db_error(a));
	db_close(a);
}

static void setup(void)
{
	static unsigned counter;
	char sql[128];

	cr_assert_not_null(getenv("CHAMADO_TEST_PG"),
	    "no PostgreSQL server (is the postgresql package installed?)");
	snprintf(dbname, sizeof dbname, "unit_%d_%u_%ld", (int)getpid(),
	    counter++, (long)time(NULL));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
	admin_exec(sql);
	snprintf(url, sizeof url, "%s/%s", getenv("CHAMADO_TEST_PG"), dbname);
	d = open_url(url);
	cr_assert_eq(db_exec(d, "CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "n INTEGER, s TEXT, b BLOB)"), DB_OK, "%s", db_error(d));
}

static void teardown(void)
{
	char sql[128];

	db_close(d);
	d = NULL;
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    dbname);
	admin_exec(sql);
}

TestSuite(pgsql, .init = setup, .fini = teardown);

static int64_t scalar(db *c, const char *sql)
{
	return db_scalar_int(db_prepare(c, sql), -999);
}

static void insert_n(int64_t n)
{
	db_stmt *s = db_prepare(d, "INSERT INTO t (n) VALUES ($1)");

	cr_assert_not_null(s, "%s", db_error(d));
	cr_assert_eq(db_bind_int(s, 1, n), DB_OK);
	cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
	db_done(s);
}

Test(pgsql, opens_a_postgres_url_and_names_its_backend)
{
	cr_expect_str_eq(db_backend(d), "postgres");
	cr_expect_eq(scalar(d, "SELECT 6 * 7"), 42);
}

Test(pgsql, opens_a_libpq_connection_string)
{
	char conninfo[400];
	const char *port = strrchr(getenv("CHAMADO_TEST_PG"), ':') + 1;
	db *c;

	snprintf(conninfo, sizeof conninfo,
	    "host=127.0.0.1 port=%s user=postgres dbname=%s", port, dbname);
	c = open_url(conninfo);
	cr_expect_eq(scalar(c, "SELECT 1"), 1);
	db_close(c);
}

/* Statements written for every filter ("$3 = 0 OR department_id = $3")
 * were planned again at each execution under PostgreSQL's default. */
Test(pgsql, asks_for_generic_plans_unless_the_url_says_otherwise)
{
	char own[400];
	db *c;

	cr_expect_eq(scalar(d, "SELECT current_setting('plan_cache_mode') = "
	    "'force_generic_plan'"), 1, "%s", db_error(d));
	snprintf(own, sizeof own, "%s?options=-c%%20plan_cache_mode%%3Dauto", url);
	c = open_url(own);
	cr_expect_eq(scalar(c, "SELECT current_setting('plan_cache_mode') = 'auto'"), 1,
	    "%s", db_error(c));
	db_close(c);
}

Test(pgsql, fails_clearly_without_echoing_the_password_when_unreachable)
{
	char err[512] = "";

	cr_expect_null(db_open("postgres://u:s3cret@127.0.0.1:1/chamado", err,
	    sizeof err));
	cr_expect_not_null(strstr(err, "cannot connect to PostgreSQL"), "%s",
	    err);
	cr_expect_null(strstr(err, "s3cret"), "%s", err);
}

Test(pgsql, rewrites_the_shared_dialect_but_not_literals)
{
	db_stmt *s;

	cr_assert_eq(db_exec(d, "CREATE TABLE q (id INTEGER PRIMARY KEY, "
	    "n INTEGER NOT NULL, b BLOB, note TEXT DEFAULT 'INTEGER BLOB')"),
	    DB_OK, "%s", db_error(d));
	s = db_prepare(d, "SELECT data_type FROM information_schema.columns "
	    "WHERE table_name = 'q' ORDER BY ordinal_position");
	cr_assert_not_null(s, "%s", db_error(d));
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), "bigint");
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect_str_eq(db_col_text(s, 0), "bigint");
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect_str_eq(db_col_text(s, 0), "bytea");
	db_done(s);
	cr_assert_eq(db_exec(d, "INSERT INTO q (n) VALUES (1)"), DB_OK);
	s = db_prepare(d, "SELECT id, note FROM q");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_eq(db_col_int(s, 0), 1, "the id is assigned");
	cr_expect_str_eq(db_col_text(s, 1), "INTEGER BLOB");
	db_done(s);
}

Test(pgsql, binds_and_reads_64_bit_integers)
{
	static const int64_t values[] = {0, -1, INT64_MAX, INT64_MIN,
	    (int64_t)1 << 40};
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		db_stmt *s = db_prepare(d, "SELECT $1");

		cr_assert_eq(db_bind_int(s, 1, values[i]), DB_OK);
		cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
		cr_expect_eq(db_col_int(s, 0), values[i]);
		db_done(s);
	}
}

Test(pgsql, infers_integer_parameters_as_bigint_even_next_to_small_literals)
{
	/* "$1 = 0" alone would make $1 an int4 and 2^40 overflow it. */
	db_stmt *s;

	insert_n((int64_t)1 << 40);
	insert_n(5);
	s = db_prepare(d, "SELECT count(*) FROM t WHERE ($1 = 0 OR n = $1) "
	    "AND ($2 & (CASE WHEN n > 10 THEN 1 ELSE 2 END)) <> 0");
	cr_assert_eq(db_bind_int(s, 1, (int64_t)1 << 40), DB_OK);
	cr_assert_eq(db_bind_int(s, 2, 3), DB_OK);
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_eq(db_col_int(s, 0), 1);
	db_done(s);
	s = db_prepare(d, "SELECT count(*) FROM t WHERE ($1 = 0 OR n = $1) "
	    "AND ($2 & (CASE WHEN n > 10 THEN 1 ELSE 2 END)) <> 0");
	db_bind_int(s, 1, 0);
	db_bind_int(s, 2, 2);
	cr_expect_eq(db_scalar_int(s, -1), 1, "%s", db_error(d));
}

Test(pgsql, infers_text_parameters_from_their_context_as_sqlite_accepts_them)
{
	db_stmt *s;

	/* Text into an integer column, as SQLite's affinity would take it. */
	s = db_prepare(d, "INSERT INTO t (n, s) VALUES ($1, $2)");
	cr_assert_eq(db_bind_text(s, 1, "12"), DB_OK);
	cr_assert_eq(db_bind_text(s, 2, "Ação 100%_x"), DB_OK);
	cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
	db_done(s);
	cr_expect_eq(scalar(d, "SELECT n FROM t"), 12);
	s = db_prepare(d, "SELECT count(*) FROM t WHERE ($1 = '' OR "
	    "lower(s) LIKE $2 ESCAPE '\\')");
	db_bind_text(s, 1, "x");
	db_bind_text(s, 2, "%100\\%\\_%");
	cr_expect_eq(db_scalar_int(s, -1), 1, "%s", db_error(d));
	s = db_prepare(d, "SELECT $1");
	db_bind_text(s, 1, "só texto");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), "só texto");
	db_done(s);
}

/* substr() takes int4: bound as bigints, the first preparation fails
 * and is tried again with the integers typed by the server. */
static void expect_substr(int64_t from, int64_t len, const char *expected)
{
	db_stmt *s = db_prepare(d, "SELECT substr('abcdef', $1, $2)");

	db_bind_int(s, 1, from);
	db_bind_int(s, 2, len);
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), expected);
	db_done(s);
}

Test(pgsql, lets_the_server_type_integers_for_a_function_taking_int4)
{
	expect_substr(2, 3, "bcd");
	expect_substr(5, 1, "e");
}

Test(pgsql, types_integers_again_inside_a_write_transaction_and_goes_on)
{
	/* The transaction must survive the failed first preparation, for
	 * the second one and for what follows. */
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	insert_n(1);
	expect_substr(2, 3, "bcd");
	insert_n(2);
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 2);
}

Test(pgsql, prepares_again_when_a_null_parameter_later_carries_a_big_integer)
{
	static const char sql[] = "INSERT INTO t (n, s) VALUES ($1, $2) "
	    "RETURNING id";
	db_stmt *s = db_prepare(d, sql);

	cr_assert_eq(db_bind_null(s, 1), DB_OK);
	cr_assert_eq(db_bind_null(s, 2), DB_OK);
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, sql);
	db_bind_int(s, 1, INT64_MAX);
	db_bind_text(s, 2, "x");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, sql);
	db_bind_null(s, 1);
	db_bind_text(s, 2, "y");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	db_done(s);
	cr_expect_eq(scalar(d, "SELECT max(n) FROM t"), INT64_MAX);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t WHERE n IS NULL"), 2);
}

Test(pgsql, returns_ids_with_returning_and_counts_as_integers)
{
	db_stmt *s = db_prepare(d, "INSERT INTO t (n) VALUES ($1) RETURNING id");
	int64_t first, second;

	db_bind_int(s, 1, 1);
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	first = db_col_int(s, 0);
	db_done(s);
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1) RETURNING id");
	db_bind_int(s, 1, 2);
	second = db_scalar_int(s, -1);
	cr_expect_gt(first, 0);
	cr_expect_eq(second, first + 1);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 2);
}

Test(pgsql, reads_booleans_as_one_and_zero)
{
	db_stmt *s = db_prepare(d, "SELECT 1 = 1, 1 = 2, NULL::boolean");

	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_eq(db_col_int(s, 0), 1);
	cr_expect_eq(db_col_int(s, 1), 0);
	cr_expect_str_eq(db_col_text(s, 0), "1");
	cr_expect_str_eq(db_col_text(s, 1), "0");
	cr_expect(db_col_null(s, 2));
	db_done(s);
}

Test(pgsql, round_trips_utf8_text_and_nulls)
{
	db_stmt *s = db_prepare(d, "INSERT INTO t (n, s) VALUES ($1, $2)");

	db_bind_null(s, 1);
	db_bind_text(s, 2, "Olá, ação — 日本語 ✓");
	cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, "SELECT n, s FROM t");
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect(db_col_null(s, 0));
	cr_expect_eq(db_col_int(s, 0), 0);
	cr_expect_str_eq(db_col_text(s, 1), "Olá, ação — 日本語 ✓");
	cr_expect_eq(db_step(s), DB_DONE);
	db_done(s);
}

Test(pgsql, round_trips_blobs_with_nul_bytes_empty_and_large)
{
	static const size_t sizes[] = {0, 5, 3 * 1024 * 1024};
	size_t i, j;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned char *data = malloc(sizes[i] + 1);
		const void *back;
		size_t len = 99;
		db_stmt *s;

		cr_assert_not_null(data);
		for (j = 0; j < sizes[i]; j++)
			data[j] = (unsigned char)(j * 7 + (j >> 8));
		if (sizes[i] == 5)
			memcpy(data, "a\0b\0\xff", 5);
		s = db_prepare(d, "INSERT INTO t (n, b) VALUES ($1, $2)");
		db_bind_int(s, 1, (int64_t)i);
		cr_assert_eq(db_bind_blob(s, 2, data, sizes[i]), DB_OK);
		cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
		db_done(s);
		s = db_prepare(d, "SELECT b FROM t WHERE n = $1");
		db_bind_int(s, 1, (int64_t)i);
		cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
		cr_expect(!db_col_null(s, 0), "an empty blob is not NULL");
		back = db_col_blob(s, 0, &len);
		cr_assert_not_null(back);
		cr_expect_eq(len, sizes[i]);
		cr_expect(len == sizes[i] && memcmp(back, data, len) == 0);
		db_done(s);
		free(data);
	}
}

Test(pgsql, reports_unique_foreign_key_and_check_violations_as_db_constraint)
{
	db_stmt *s;

	cr_assert_eq(db_exec(d, "CREATE TABLE u (k TEXT UNIQUE, "
	    "p INTEGER REFERENCES t (id), c INTEGER CHECK (c > 0))"), DB_OK);
	cr_assert_eq(db_exec(d, "INSERT INTO u (k) VALUES ('a')"), DB_OK);
	s = db_prepare(d, "INSERT INTO u (k, p, c) VALUES ($1, $2, $3)");
	db_bind_text(s, 1, "a");
	db_bind_null(s, 2);
	db_bind_null(s, 3);
	cr_expect_eq(db_step(s), DB_CONSTRAINT, "%s", db_error(d));
	cr_expect_not_null(strstr(db_error(d), "unique"), "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, "INSERT INTO u (k, p, c) VALUES ($1, $2, $3)");
	db_bind_text(s, 1, "b");
	db_bind_int(s, 2, 12345);
	db_bind_null(s, 3);
	cr_expect_eq(db_step(s), DB_CONSTRAINT, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, "INSERT INTO u (k, p, c) VALUES ($1, $2, $3)");
	db_bind_text(s, 1, "c");
	db_bind_null(s, 2);
	db_bind_int(s, 3, -1);
	cr_expect_eq(db_step(s), DB_CONSTRAINT, "%s", db_error(d));
	db_done(s);
}

Test(pgsql, a_failed_recoverable_statement_inside_a_transaction_leaves_it_usable)
{
	/* What domain/ticket.c does when a random number is taken. */
	db_stmt *s;

	cr_assert_eq(db_exec(d, "CREATE UNIQUE INDEX t_n ON t (n)"), DB_OK);
	insert_n(1);
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1) RETURNING id");
	db_recoverable(s);
	db_bind_int(s, 1, 1);
	cr_expect_eq(db_step(s), DB_CONSTRAINT, "%s", db_error(d));
	db_done(s);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 1,
	    "a query after the failure works: %s", db_error(d));
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1) RETURNING id");
	db_bind_int(s, 1, 2);
	cr_expect_gt(db_scalar_int(s, -1), 0, "%s", db_error(d));
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 2);
}

Test(pgsql, any_other_failed_statement_leaves_the_transaction_to_be_rolled_back)
{
	/* No savepoint around it: a failure nobody expects ends the
	 * transaction, and the commit says so instead of keeping half. */
	db_stmt *s;

	cr_assert_eq(db_exec(d, "CREATE UNIQUE INDEX t_n ON t (n)"), DB_OK);
	insert_n(1);
	/* Prepared once already: a statement's first preparation inside a
	 * transaction has a savepoint of its own (stmt_run). */
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1) RETURNING id");
	db_bind_int(s, 1, 5);
	cr_assert_gt(db_scalar_int(s, -1), 0, "%s", db_error(d));
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	insert_n(2);
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1) RETURNING id");
	db_bind_int(s, 1, 1);
	cr_expect_eq(db_step(s), DB_CONSTRAINT, "%s", db_error(d));
	db_done(s);
	cr_expect_lt(scalar(d, "SELECT count(*) FROM t"), 0, "the transaction is aborted");
	cr_expect_eq(db_commit(d), DB_ERROR);
	cr_expect_not_null(strstr(db_error(d), "rolled back"), "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 2, "nothing of it was kept");
}

Test(pgsql, reports_bad_sql_at_the_first_step_and_keeps_the_transaction)
{
	db_stmt *s;

	cr_assert_eq(db_begin(d), DB_OK);
	insert_n(7);
	s = db_prepare(d, "SELEC nothing");
	if (s != NULL) {
		cr_expect_eq(db_step(s), DB_ERROR);
		cr_expect_not_null(strstr(db_error(d), "syntax"), "%s",
		    db_error(d));
		db_done(s);
	}
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT n FROM t"), 7);
}

Test(pgsql, rollback_discards_commit_keeps_and_commit_needs_a_transaction)
{
	cr_assert_eq(db_begin(d), DB_OK);
	insert_n(1);
	cr_assert_eq(db_rollback(d), DB_OK);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 0);
	cr_assert_eq(db_begin_write(d), DB_OK);
	insert_n(1);
	cr_assert_eq(db_commit(d), DB_OK);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 1);
	cr_expect_eq(db_rollback(d), DB_OK, "harmless outside a transaction");
	cr_expect_eq(db_commit(d), DB_ERROR);
	cr_expect_neq(db_error(d)[0], '\0');
}

Test(pgsql, hands_out_the_cached_statement_reset_even_without_db_done)
{
	static const char sql[] = "SELECT n FROM t ORDER BY n";
	db_stmt *s;

	insert_n(1);
	insert_n(2);
	s = db_prepare(d, sql);
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect_eq(db_prepare(d, sql), s, "the same statement");
	cr_assert_eq(db_step(s), DB_ROW, "started again");
	cr_expect_eq(db_col_int(s, 0), 1);
	db_done(s);
	cr_expect_eq(db_bind_int(s, 1, 1), DB_ERROR, "no parameter 1");
}

struct locker {
	const char *url;
	int64_t started_at_ms, got_lock_at_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *begin_write_in_thread(void *arg)
{
	struct locker *l = arg;
	char err[256];
	db *c = db_open(l->url, err, sizeof err);

	if (c == NULL)
		return NULL;
	l->started_at_ms = now_ms();
	/* The lock travels with the transaction's first statement. */
	if (db_begin_write(c) == DB_OK && db_scalar_int(db_prepare(c,
	    "SELECT 1"), 0) == 1)
		l->got_lock_at_ms = now_ms();
	db_rollback(c);
	db_close(c);
	return NULL;
}

Test(pgsql, begin_write_waits_for_another_connections_write_transaction)
{
	struct locker l = {.url = url};
	pthread_t thread;
	int64_t released;

	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(scalar(d, "SELECT 1"), 1, "the lock is had: %s", db_error(d));
	cr_assert_eq(pthread_create(&thread, NULL, begin_write_in_thread, &l),
	    0);
	usleep(300 * 1000);
	released = now_ms();
	cr_assert_eq(db_commit(d), DB_OK);
	pthread_join(thread, NULL);
	cr_assert_gt(l.got_lock_at_ms, 0, "the other connection got the lock");
	cr_expect_geq(l.got_lock_at_ms, released,
	    "it waited for the commit (%lld ms after its start)",
	    (long long)(l.got_lock_at_ms - l.started_at_ms));
	/* Plain transactions do not wait. */
	cr_assert_eq(db_begin(d), DB_OK);
	l.got_lock_at_ms = 0;
	begin_write_in_thread(&l);
	cr_expect_gt(l.got_lock_at_ms, 0);
	db_rollback(d);
}

/* BEGIN and the lock go out with the transaction's first statement, whose
 * step reports the lock's failure; the statement itself does not run. */
Test(pgsql, a_write_lock_not_had_in_time_fails_the_first_statement_which_does_not_run)
{
	db *holder = open_url(url);

	cr_assert_eq(db_begin_write(holder), DB_OK, "%s", db_error(holder));
	cr_assert_eq(scalar(holder, "SELECT 1"), 1, "%s", db_error(holder));
	cr_assert_eq(db_exec(d, "SET lock_timeout = '100ms'"), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	db_stmt *s = db_prepare(d, "INSERT INTO t (n) VALUES (1)");
	cr_expect_lt(db_step_done(s), 0, "the insert ran without the lock");
	cr_expect_not_null(strstr(db_error(d), "lock timeout"), "%s", db_error(d));
	cr_expect_neq(db_commit(d), DB_OK);
	cr_assert_eq(db_rollback(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_rollback(holder), DB_OK, "%s", db_error(holder));
	db_close(holder);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 0, "%s", db_error(d));
	/* Free now: the same connection goes on. */
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	insert_n(2);
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT sum(n) FROM t"), 2);
}

/* ---- migrations ---- */

static void *migrate_in_thread(void *arg)
{
	char err[256];
	db *c = db_open(arg, err, sizeof err);
	intptr_t applied = -100;

	if (c != NULL) {
		applied = db_migrate(c);
		if (applied < 0)
			fprintf(stderr, "migrate: %s\n", db_error(c));
		db_close(c);
	}
	return (void *)applied;
}

Test(pgsql, two_connections_migrating_at_once_apply_each_migration_once)
{
	pthread_t a, b;
	void *ra, *rb;
	int latest;

	cr_assert_eq(pthread_create(&a, NULL, migrate_in_thread, url), 0);
	cr_assert_eq(pthread_create(&b, NULL, migrate_in_thread, url), 0);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	cr_assert_geq((intptr_t)ra, 0);
	cr_assert_geq((intptr_t)rb, 0);
	latest = db_schema_version(d);
	cr_expect_gt(latest, 0);
	cr_expect_gt((intptr_t)ra + (intptr_t)rb, 0);
	cr_expect(ra == 0 || rb == 0, "one connection applied them all, "
	    "the other none (%ld, %ld)", (long)(intptr_t)ra,
	    (long)(intptr_t)rb);
	cr_expect_eq(scalar(d, "SELECT count(DISTINCT version) FROM "
	    "schema_migrations"), (intptr_t)ra + (intptr_t)rb);
	cr_expect_eq(db_migrate(d), 0, "nothing the second time");
}

static void count_duration(void *ctx, int64_t department_id, int64_t staff_id, int64_t value)
{
	int64_t *walk = ctx; /* [0] how many, then (department, staff, seconds) each */

	if (walk[0] < 4) {
		walk[1 + walk[0] * 3] = department_id;
		walk[2 + walk[0] * 3] = staff_id;
		walk[3 + walk[0] * 3] = value;
	}
	walk[0]++;
}

/* Relatórios sorts the durations packed into one integer each (a datum
 * sort on PostgreSQL), and reads rows when a duration does not pack. */
Test(pgsql, report_durations_stream_shortest_first_packed_or_not)
{
	int64_t walk[13] = {0};

	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(store_report_duration_add(d, 7, 3, 2, "first", 900), 0, "%s", db_error(d));
	cr_assert_eq(store_report_duration_add(d, 7, 16383, 1048575, "first", 60), 0);
	cr_assert_eq(store_report_duration_add(d, 7, 1, 0, "first", 536870911), 0);
	cr_assert_eq(store_report_durations(d, "first", 7, 7, 0, count_duration, walk), 0,
	    "%s", db_error(d));
	cr_assert_eq(walk[0], 3);
	cr_expect(walk[1] == 16383 && walk[2] == 1048575 && walk[3] == 60);
	cr_expect(walk[4] == 3 && walk[5] == 2 && walk[6] == 900);
	cr_expect(walk[7] == 1 && walk[8] == 0 && walk[9] == 536870911);
	/* A department id past the packing: the same walk, from rows. */
	cr_assert_eq(store_report_duration_add(d, 7, 16384, 5, "first", 30), 0);
	memset(walk, 0, sizeof walk);
	cr_assert_eq(store_report_durations(d, "first", 7, 7, 0, count_duration, walk), 0,
	    "%s", db_error(d));
	cr_assert_eq(walk[0], 4);
	cr_expect(walk[1] == 16384 && walk[2] == 5 && walk[3] == 30);
	cr_expect(walk[4] == 16383 && walk[7] == 3 && walk[10] == 1 && walk[12] == 536870911);
}

/* Two openings of one department on the same day: each adds to the same
 * counter rows, which are taken only in the COMMIT, so neither waits for
 * the other's statements (a lock wait would end at the lock_timeout and
 * fail the add); the counts are the sum once both commit, and a rollback
 * adds nothing. */
Test(pgsql, report_counters_change_at_commit_so_openings_do_not_queue_for_them)
{
	db *other = open_url(url), *reader = open_url(url);
	int64_t delta[RC_COUNT] = {0};

	delta[RC_OPENED] = 1;
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(db_exec(other, "SET lock_timeout = '3s'"), DB_OK, "%s", db_error(other));
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(db_begin_concurrent(d), DB_OK, "%s", db_error(d));
		cr_assert_eq(store_report_daily_add(d, 100, 1, 0, delta), 0, "%s", db_error(d));
		cr_assert_eq(store_report_hourly_add(d, 100, 9, 1), 0, "%s", db_error(d));
		cr_assert_eq(db_begin_concurrent(other), DB_OK, "%s", db_error(other));
		cr_assert_eq(store_report_daily_add(other, 100, 1, 0, delta), 0, "%s", db_error(other));
		cr_assert_eq(store_report_hourly_add(other, 100, 9, 1), 0, "%s", db_error(other));
		cr_expect_eq(scalar(reader, "SELECT count(*) FROM report_daily WHERE day = 100"), i ? 1 : 0);
		cr_assert_eq(db_commit(other), DB_OK, "%s", db_error(other));
		cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	}
	cr_assert_eq(db_begin_concurrent(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(store_report_daily_add(d, 100, 1, 0, delta), 0, "%s", db_error(d));
	cr_assert_eq(store_report_hourly_add(d, 100, 9, 1), 0, "%s", db_error(d));
	db_rollback(d);
	cr_expect_eq(scalar(reader, "SELECT opened FROM report_daily WHERE day = 100 AND department_id = 1 "
	    "AND staff_id = 0"), 4);
	cr_expect_eq(scalar(reader, "SELECT opened FROM report_hourly WHERE day = 100 AND hour = 9 "
	    "AND department_id = 1"), 4);
	cr_expect_eq(scalar(reader, "SELECT count(*) FROM report_changes"), 0);
	db_close(other);
	db_close(reader);
}

Test(pgsql, migrations_make_identity_ids_bigints_and_bytea)
{
	db_stmt *s;

	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	s = db_prepare(d, "SELECT data_type, is_identity FROM "
	    "information_schema.columns WHERE table_name = $1 AND "
	    "column_name = $2");
	db_bind_text(s, 1, "tickets");
	db_bind_text(s, 2, "id");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), "bigint");
	cr_expect_str_eq(db_col_text(s, 1), "YES");
	db_done(s);
	s = db_prepare(d, "SELECT data_type, is_identity FROM "
	    "information_schema.columns WHERE table_name = $1 AND "
	    "column_name = $2");
	db_bind_text(s, 1, "attachments");
	db_bind_text(s, 2, "data");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), "bytea");
	db_done(s);
	/* SQLite's own migrations do not run here. */
	cr_expect_eq(scalar(d, "SELECT count(*) FROM schema_migrations WHERE "
	    "name LIKE '%\\_sqlite' ESCAPE '\\'"), 0);
}

/* ---- the outbox queue ---- */

struct claimer {
	const char *url;
	int64_t ids[64];
	int count;
	int error;
};

static void *claim_in_thread(void *arg)
{
	struct claimer *c = arg;
	char err[256];
	db *conn = db_open(c->url, err, sizeof err);
	int64_t now = (int64_t)time(NULL);

	if (conn == NULL) {
		c->error = 1;
		return NULL;
	}
	for (;;) {
		int64_t id;
		int n = store_outbox_claim_due(conn, now, now + 600, 1, &id);

		if (n < 0) {
			c->error = n;
			break;
		}
		if (n == 0)
			break;
		if (c->count < 64)
			c->ids[c->count++] = id;
		usleep(2000);
	}
	db_close(conn);
	return NULL;
}

Test(pgsql, senders_on_several_connections_claim_each_email_once)
{
	struct claimer c[3] = {{.url = url}, {.url = url}, {.url = url}};
	pthread_t threads[3];
	int i, j, total = 0;
	bool seen[41] = {false};

	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	for (i = 0; i < 40; i++) {
		struct outbox_new n = {.to_address = "a@example.com",
		    .subject = "s", .body_text = "b", .headers = "",
		    .message_id = "m@example.com", .now = 1};

		cr_assert_gt(store_outbox_insert(d, &n), 0, "%s", db_error(d));
	}
	for (i = 0; i < 3; i++)
		pthread_create(&threads[i], NULL, claim_in_thread, &c[i]);
	for (i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < 3; i++) {
		cr_expect_eq(c[i].error, 0);
		for (j = 0; j < c[i].count; j++) {
			int64_t id = c[i].ids[j];

			cr_assert(id >= 1 && id <= 40, "id %lld", (long long)id);
			cr_expect(!seen[id], "email %lld claimed twice",
			    (long long)id);
			seen[id] = true;
			total++;
		}
	}
	cr_expect_eq(total, 40);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM outbox WHERE status = "
	    "'sending' AND attempts = 1"), 40);
}

/* A claim's marks and a sender's outcomes go with their COMMIT
 * (db_deferrable): each lands on its own row. */
Test(pgsql, a_senders_claim_and_outcomes_land_on_their_rows)
{
	int64_t ids[4];

	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	for (int i = 0; i < 4; i++) {
		struct outbox_new n = {.to_address = "a@example.com", .subject = "s",
		    .body_text = "b", .headers = "", .message_id = "m@example.com", .now = 1};

		cr_assert_gt(store_outbox_insert(d, &n), 0, "%s", db_error(d));
	}
	cr_assert_eq(store_outbox_claim_due(d, 5, 600, 3, ids), 3, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM outbox WHERE status = 'sending' "
	    "AND next_attempt_at = 600 AND attempts = 1"), 3);
	cr_assert_eq(db_begin_concurrent(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(store_outbox_mark_sent(d, ids[0], 7), DB_OK, "%s", db_error(d));
	cr_assert_eq(store_outbox_mark_retry(d, ids[1], 900, "451 busy"), DB_OK, "%s", db_error(d));
	cr_assert_eq(store_outbox_mark_failed(d, ids[2], "550 no such user"), DB_OK, "%s",
	    db_error(d));
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT sent_at FROM outbox WHERE status = 'sent'"), 7);
	cr_expect_eq(scalar(d, "SELECT next_attempt_at FROM outbox WHERE status = 'queued' "
	    "AND last_error = '451 busy'"), 900);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM outbox WHERE status = 'failed' "
	    "AND last_error = '550 no such user'"), 1);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM outbox WHERE status = 'queued' "
	    "AND attempts = 0"), 1, "the fourth, not claimed");
}

/* A webhook delivery's insert goes without waiting for its answer, so
 * whether to wake the sender comes from the thread's copy of what the
 * webhooks listen for, read again at once after a save. */
static bool client_reply_queued(void)
{
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(webhook_queue_event(d, WEBHOOK_CLIENT_REPLY, 0, 1000), 0, "%s", db_error(d));
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	return webhook_queued_take();
}

Test(pgsql, a_webhook_delivery_queued_without_waiting_still_wakes_the_sender)
{
	struct webhook_form created = {.url = "http://127.0.0.1:9/a", .events = {true, false, false, false},
	    .active = true};
	struct webhook_form replies = {.url = "http://127.0.0.1:9/b", .events = {false, true, false, false},
	    .active = true};
	struct webhook_errors e;
	int64_t id;

	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	webhook_queued_take();
	cr_expect_not(client_reply_queued(), "no webhook at all");
	cr_assert_eq(webhook_save(d, NULL, 0, &created, 1000, &e, &id), WEBHOOK_OK, "%s", db_error(d));
	cr_expect_not(client_reply_queued(), "the only webhook listens for new tickets");
	cr_assert_eq(webhook_save(d, NULL, 0, &replies, 1000, &e, &id), WEBHOOK_OK, "%s", db_error(d));
	cr_expect(client_reply_queued(), "a webhook listens for replies since the save");
	cr_expect_eq(scalar(d, "SELECT count(*) FROM webhook_deliveries WHERE event = 'client_reply'"), 1);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM webhook_deliveries"), 1);
}

/* Two nodes' search indexers: each takes marks the other has not, and
 * neither waits for a writer holding the global write lock. */
Test(pgsql, search_indexers_on_two_connections_take_different_marks_without_the_write_lock)
{
	db *other = open_url(url), *writer = open_url(url);
	int64_t ids[10], seqs[10], other_ids[10];

	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO ticket_search_pending (ticket_id, marked_at) "
	    "SELECT g, 1 FROM generate_series(1, 10) g"), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_begin_write(writer), DB_OK, "%s", db_error(writer));
	cr_assert_eq(db_begin_concurrent(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(store_ticket_search_marked(d, 1, ids, seqs, 4), 4, "%s", db_error(d));
	cr_assert_eq(db_begin_concurrent(other), DB_OK, "%s", db_error(other));
	int n = store_ticket_search_marked(other, 1, other_ids, seqs, 10);
	cr_assert_eq(n, 6, "%s", db_error(other));
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < n; j++)
			cr_expect_neq(ids[i], other_ids[j], "ticket %lld taken twice", (long long)ids[i]);
	cr_expect_eq(db_commit(other), DB_OK);
	cr_expect_eq(db_commit(d), DB_OK);
	db_rollback(writer);
	db_close(other);
	db_close(writer);
}

Test(pgsql, a_restarted_node_takes_back_only_its_own_earlier_claims)
{
	struct outbox_claimant mine = {"host-a:/srv", "boot-1"}, theirs = {"host-b:/srv", "boot-1"};
	int64_t id;
	int i;

	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	for (i = 0; i < 3; i++) {
		struct outbox_new n = {.to_address = "a@example.com",
		    .subject = "s", .body_text = "b", .headers = "",
		    .message_id = "m@example.com", .now = 1};

		cr_assert_gt(store_outbox_insert(d, &n), 0, "%s", db_error(d));
	}
	cr_assert_eq(store_outbox_claim_due_as(d, &mine, 10, 130, 1, &id), 1, "%s", db_error(d));
	cr_assert_eq(store_outbox_claim_due_as(d, &mine, 10, 130, 1, &id), 1, "%s", db_error(d));
	cr_assert_eq(store_outbox_claim_due_as(d, &theirs, 10, 130, 1, &id), 1, "%s", db_error(d));
	cr_expect_eq(store_outbox_reclaim_node(d, "host-a:/srv", "boot-2", 15), 2, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM outbox WHERE next_attempt_at = 15"), 2);
	cr_expect_eq(scalar(d, "SELECT next_attempt_at FROM outbox WHERE claimed_node = 'host-b:/srv'"), 130);
	cr_expect_eq(store_outbox_reclaim_node(d, "host-a:/srv", "boot-2", 16), 0, "taken back once");
}

/* ---- lost connections ---- */

/* Ends d's server process from another connection, as a restart would, and
 * waits (up to 60 s each) until the server no longer lists it and the
 * process is gone, so its socket is closed: the signal is asynchronous, and
 * a busy machine may take a while to act on it. (The test server runs on
 * this machine, so its backend pids are ours to probe.) */
static void terminate_backend_of(db *victim)
{
	int64_t pid = scalar(victim, "SELECT pg_backend_pid()");
	db *other = open_url(url);
	db_stmt *s = db_prepare(other, "SELECT pg_terminate_backend($1)");

	db_bind_int(s, 1, pid);
	cr_assert_eq(db_scalar_int(s, 0), 1, "%s", db_error(other));
	int64_t alive = 1;
	for (int i = 0; i < 600 && alive != 0; i++) {
		s = db_prepare(other, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1");
		db_bind_int(s, 1, pid);
		alive = db_scalar_int(s, -1);
		if (alive != 0)
			usleep(100 * 1000);
	}
	cr_assert_eq(alive, 0, "backend %lld still runs 60 s after pg_terminate_backend",
	    (long long)pid);
	db_close(other);
	int i;
	for (i = 0; i < 600 && kill((pid_t)pid, 0) == 0; i++)
		usleep(100 * 1000);
	cr_assert_lt(i, 600, "backend process %lld did not exit", (long long)pid);
}

Test(pgsql, reconnects_when_the_server_closed_an_idle_connection)
{
	static const char sql[] = "SELECT n FROM t WHERE n = $1";
	db_stmt *s;

	insert_n(3);
	s = db_prepare(d, sql);
	db_bind_int(s, 1, 3);
	cr_assert_eq(db_scalar_int(s, -1), 3);
	terminate_backend_of(d);
	s = db_prepare(d, sql);
	db_bind_int(s, 1, 3);
	cr_expect_eq(db_scalar_int(s, -1), 3,
	    "the cached statement works on the new connection: %s",
	    db_error(d));
}

Test(pgsql, a_connection_lost_inside_a_transaction_fails_until_rolled_back)
{
	db_stmt *s;

	cr_assert_eq(db_begin_write(d), DB_OK);
	insert_n(1);
	terminate_backend_of(d);
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1)");
	db_bind_int(s, 1, 2);
	cr_expect_eq(db_step(s), DB_CONN, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1)");
	db_bind_int(s, 1, 3);
	cr_expect_eq(db_step(s), DB_CONN, "nothing runs outside the "
	    "transaction the caller thinks it is in");
	db_done(s);
	cr_expect_eq(db_commit(d), DB_CONN);
	cr_expect_eq(db_rollback(d), DB_OK);
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 0,
	    "%s", db_error(d));
}

Test(pgsql, recovers_after_the_server_restarts_and_fails_while_it_is_down,
    .timeout = 60)
{
	char dir[] = "/tmp/chamado-pgunit-restart-XXXXXX";
	char base[256], u[300];
	db *c;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert(server_start(dir, base, sizeof base), "cannot start");
	snprintf(u, sizeof u, "%s/postgres", base);
	c = open_url(u);
	cr_expect_eq(scalar(c, "SELECT 1"), 1);
	server_command("restart", dir);
	cr_expect_eq(scalar(c, "SELECT 2"), 2, "after a restart: %s",
	    db_error(c));
	server_command("down", dir);
	{
		db_stmt *s = db_prepare(c, "SELECT 3");

		cr_expect_eq(db_step(s), DB_CONN, "%s", db_error(c));
		db_done(s);
	}
	server_command("up", dir);
	cr_expect_eq(scalar(c, "SELECT 4"), 4, "after the server came back: %s",
	    db_error(c));
	db_close(c);
	server_command("stop", dir);
}

/* How many scans PostgreSQL counted on index name so far (after flushing
 * this session's own counts). */
static int64_t index_scans(const char *name)
{
	cr_assert_eq(db_exec(d, "SELECT pg_stat_force_next_flush()"), DB_OK, "%s", db_error(d));
	db_stmt *s = db_prepare(d, "SELECT COALESCE(sum(idx_scan), 0) FROM pg_stat_user_indexes "
	                           "WHERE indexrelname = $1");
	cr_assert_not_null(s, "%s", db_error(d));
	db_bind_text(s, 1, name);
	return db_scalar_int(s, -1);
}

Test(pgsql, the_knowledge_base_search_reads_its_gin_index)
{
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO kb_categories (id, name, created_at) VALUES (1, 'E-mail', 0); "
	                        "INSERT INTO kb_articles (category_id, title, body, published, created_at, "
	                        "updated_at) SELECT 1, 'Artigo ' || g, 'Texto comum ' || g, 1, 0, 0 "
	                        "FROM generate_series(1, 5000) g; "
	                        "INSERT INTO kb_articles (category_id, title, body, published, created_at, "
	                        "updated_at) VALUES (1, 'Configuração do Outlook', 'Servidor de saída', 1, 0, 0)"),
	             DB_OK, "%s", db_error(d));
	/* As autovacuum leaves it: the GIN index's pending entries merged in
	 * (until then the planner rightly prefers reading the small table). */
	cr_assert_eq(db_exec(d, "VACUUM ANALYZE kb_articles"), DB_OK, "%s", db_error(d));
	int64_t before = index_scans("kb_articles_search");
	cr_assert_geq(before, 0);
	arena *a = arena_new(4096);
	struct kb_hit hits[5];
	const char *words[] = {"configuracao"};
	int n = store_kb_search(d, words, 1, KB_MATCH_ALL, false, true, a, hits, 5);
	cr_assert_eq(n, 1, "the article written with accents is found without them: %s", db_error(d));
	cr_expect_str_eq(hits[0].title, "Configuração do Outlook");
	cr_expect_gt(index_scans("kb_articles_search"), before, "the search read the index");
	arena_free(a);
}

/* db_prefetch: a page's reads sent ahead in one round trip. */

static db_stmt *count_at_least(db *c, int64_t min)
{
	db_stmt *s = db_prepare(c, "SELECT count(*) FROM t WHERE n >= $1");

	cr_assert_not_null(s, "%s", db_error(c));
	db_bind_int(s, 1, min);
	return s;
}

static db_stmt *sum_of_n(db *c)
{
	db_stmt *s = db_prepare(c, "SELECT COALESCE(sum(n), 0) FROM t");

	cr_assert_not_null(s, "%s", db_error(c));
	return s;
}

/* Another connection's insert: visible to any read run after it, and so
 * not to one that was answered before it. */
static void insert_elsewhere(int64_t n)
{
	db *other = open_url(url);
	db_stmt *s = db_prepare(other, "INSERT INTO t (n) VALUES ($1)");

	db_bind_int(s, 1, n);
	cr_assert_eq(db_step_done(s), DB_OK, "%s", db_error(other));
	db_close(other);
}

Test(pgsql, prefetched_reads_are_answered_together_and_taken_by_their_steps)
{
	insert_n(1);
	insert_n(5);
	db_prefetch(count_at_least(d, 2));
	db_prefetch(sum_of_n(d));
	/* Both were answered when the first step ended the pipeline: a row
	 * committed since is in neither. */
	cr_assert_eq(db_scalar_int(count_at_least(d, 2), -1), 1, "%s", db_error(d));
	insert_elsewhere(7);
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 6, "the prefetched sum: %s", db_error(d));
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 13, "taken once; the next step asks again");
}

Test(pgsql, a_prefetched_read_is_not_taken_by_a_step_with_other_values)
{
	insert_n(1);
	insert_n(5);
	db_prefetch(count_at_least(d, 2));
	cr_expect_eq(db_scalar_int(count_at_least(d, 0), -1), 2, "%s", db_error(d));
	cr_expect_eq(db_scalar_int(count_at_least(d, 2), -1), 1, "%s", db_error(d));
}

Test(pgsql, a_write_or_the_request_end_drops_what_was_prefetched)
{
	insert_n(1);
	db_prefetch(sum_of_n(d));
	insert_n(2); /* on the same connection: its own write is read back */
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 3, "%s", db_error(d));

	db_prefetch(sum_of_n(d));
	cr_assert_eq(db_scalar_int(count_at_least(d, 0), -1), 2, "%s", db_error(d));
	db_read_snapshot(d, false); /* the request ends; the sum was not taken */
	insert_elsewhere(4);
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 7, "the next request reads anew: %s",
	             db_error(d));
}

Test(pgsql, a_failing_prefetched_read_reports_at_its_step_and_the_others_still_answer)
{
	insert_n(3);
	db_stmt *bad = db_prepare(d, "SELECT no_such_column FROM t");
	cr_assert_not_null(bad, "%s", db_error(d));
	db_prefetch(bad);
	db_prefetch(sum_of_n(d));
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 3, "%s", db_error(d));
	bad = db_prepare(d, "SELECT no_such_column FROM t");
	cr_expect_eq(db_step(bad), DB_ERROR);
	cr_expect(strstr(db_error(d), "no_such_column") != NULL, "%s", db_error(d));
	db_done(bad);
	cr_expect_eq(db_scalar_int(count_at_least(d, 0), -1), 1, "the connection goes on: %s",
	             db_error(d));
}

Test(pgsql, a_prefetch_inside_a_transaction_waits_for_its_step)
{
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	db_prefetch(sum_of_n(d));
	insert_n(5);
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 5, "%s", db_error(d));
	cr_expect_eq(db_commit(d), DB_OK, "%s", db_error(d));
}

Test(pgsql, prefetched_reads_survive_a_connection_the_server_closed)
{
	insert_n(2);
	terminate_backend_of(d);
	db_prefetch(sum_of_n(d));
	db_prefetch(count_at_least(d, 1));
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 2, "%s", db_error(d));
	cr_expect_eq(db_scalar_int(count_at_least(d, 1), -1), 1, "%s", db_error(d));
}

/* As many reads as a staff ticket page sends ahead (17), and more: each
 * distinct statement gets its own answer, all from the one round trip. */
static const char *const page_reads[] = {
	"SELECT count(*) + 0 FROM t WHERE n >= $1",  "SELECT count(*) + 1 FROM t WHERE n >= $1",
	"SELECT count(*) + 2 FROM t WHERE n >= $1",  "SELECT count(*) + 3 FROM t WHERE n >= $1",
	"SELECT count(*) + 4 FROM t WHERE n >= $1",  "SELECT count(*) + 5 FROM t WHERE n >= $1",
	"SELECT count(*) + 6 FROM t WHERE n >= $1",  "SELECT count(*) + 7 FROM t WHERE n >= $1",
	"SELECT count(*) + 8 FROM t WHERE n >= $1",  "SELECT count(*) + 9 FROM t WHERE n >= $1",
	"SELECT count(*) + 10 FROM t WHERE n >= $1", "SELECT count(*) + 11 FROM t WHERE n >= $1",
	"SELECT count(*) + 12 FROM t WHERE n >= $1", "SELECT count(*) + 13 FROM t WHERE n >= $1",
	"SELECT count(*) + 14 FROM t WHERE n >= $1", "SELECT count(*) + 15 FROM t WHERE n >= $1",
	"SELECT count(*) + 16 FROM t WHERE n >= $1", "SELECT count(*) + 17 FROM t WHERE n >= $1",
	"SELECT count(*) + 18 FROM t WHERE n >= $1", "SELECT count(*) + 19 FROM t WHERE n >= $1",
};

static db_stmt *page_read(int k, int64_t min)
{
	db_stmt *s = db_prepare(d, page_reads[k]);

	cr_assert_not_null(s, "%s", db_error(d));
	db_bind_int(s, 1, min);
	return s;
}

Test(pgsql, a_page_of_twenty_prefetched_reads_is_answered_in_one_round_trip)
{
	enum { READS = sizeof page_reads / sizeof *page_reads };

	insert_n(1);
	insert_n(5);
	for (int k = 0; k < READS; k++)
		db_prefetch(page_read(k, 2));
	cr_assert_eq(db_scalar_int(page_read(0, 2), -1), 1, "%s", db_error(d));
	/* Answered when the first step ended the pipeline: a row committed
	 * since is in none of them, the last ones included. */
	insert_elsewhere(7);
	for (int k = 1; k < READS; k++)
		cr_expect_eq(db_scalar_int(page_read(k, 2), -1), 1 + k, "read %d: %s", k,
		             db_error(d));
}

Test(pgsql, a_read_stepped_while_others_are_out_is_answered_with_them)
{
	insert_n(1);
	insert_n(5);
	db_prefetch(sum_of_n(d));
	/* Not prefetched: it joins the pipeline, and its answer is its own. */
	cr_expect_eq(db_scalar_int(count_at_least(d, 2), -1), 1, "%s", db_error(d));
	insert_elsewhere(7);
	cr_expect_eq(db_scalar_int(sum_of_n(d), -1), 6, "answered in the same round trip: %s",
	             db_error(d));
	cr_expect_eq(db_scalar_int(count_at_least(d, 2), -1), 2, "%s", db_error(d));
}

/* ---- writes sent without waiting (db_deferrable) ---- */

/* Inserts n with a deferrable statement; its step says DB_OK at once
 * inside a transaction, whatever the server will answer. */
static int insert_deferred(db *c, int64_t n)
{
	db_stmt *s = db_prepare(c, "INSERT INTO t (n) VALUES ($1)");

	db_deferrable(s);
	db_bind_int(s, 1, n);
	return db_step_done(s);
}

Test(pgsql, deferred_writes_land_in_order_and_a_read_in_the_transaction_sees_them)
{
	cr_assert_eq(insert_deferred(d, 1), DB_OK, "%s", db_error(d)); /* prepared here */
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	/* More than are kept out at once (DEFERRED_MAX) before an answer. */
	for (int n = 2; n <= 100; n++)
		cr_assert_eq(insert_deferred(d, n), DB_OK, "%d: %s", (int)n, db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 100, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT max(id) FROM t WHERE n = 100") -
	             scalar(d, "SELECT max(id) FROM t WHERE n = 2"), 98, "not in order");
	for (int n = 101; n <= 103; n++)
		cr_assert_eq(insert_deferred(d, n), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 103, "the last ones went with the COMMIT");
	cr_expect_eq(scalar(d, "SELECT sum(n) FROM t"), 103 * 104 / 2);
}

Test(pgsql, a_failed_deferred_write_fails_the_next_statement_and_nothing_is_kept)
{
	cr_assert_eq(db_exec(d, "CREATE UNIQUE INDEX t_n ON t (n)"), DB_OK);
	cr_assert_eq(insert_deferred(d, 1), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(insert_deferred(d, 2), DB_OK, "%s", db_error(d));
	cr_assert_eq(insert_deferred(d, 1), DB_OK, "sent without waiting: %s", db_error(d));
	cr_assert_eq(insert_deferred(d, 3), DB_OK, "%s", db_error(d));
	db_stmt *s = db_prepare(d, "SELECT count(*) FROM t");
	cr_expect_eq(db_step(s), DB_CONSTRAINT, "the duplicate's failure: %s", db_error(d));
	cr_expect_not_null(strstr(db_error(d), "t_n"), "%s", db_error(d));
	db_done(s);
	cr_expect_neq(db_commit(d), DB_OK, "a commit after the failure");
	cr_assert_eq(db_rollback(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 1, "only the first, committed alone");
}

Test(pgsql, a_failed_deferred_write_fails_the_commit_and_the_connection_goes_on)
{
	cr_assert_eq(db_exec(d, "CREATE UNIQUE INDEX t_n ON t (n)"), DB_OK);
	cr_assert_eq(insert_deferred(d, 1), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_begin(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(insert_deferred(d, 1), DB_OK, "%s", db_error(d));
	cr_expect_eq(db_commit(d), DB_CONSTRAINT, "%s", db_error(d));
	cr_assert_eq(db_rollback(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 1);
	/* The rollback of a transaction whose deferred write failed. */
	cr_assert_eq(db_begin(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(insert_deferred(d, 1), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_rollback(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_begin(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(insert_deferred(d, 2), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 2);
}

Test(pgsql, outside_a_transaction_a_deferrable_write_answers_at_its_step)
{
	cr_assert_eq(db_exec(d, "CREATE UNIQUE INDEX t_n ON t (n)"), DB_OK);
	cr_assert_eq(insert_deferred(d, 1), DB_OK, "%s", db_error(d));
	cr_expect_eq(insert_deferred(d, 1), DB_CONSTRAINT, "%s", db_error(d));
	cr_expect_eq(scalar(d, "SELECT count(*) FROM t"), 1);
}
