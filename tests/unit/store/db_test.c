/* The database layer over SQLite: opening, binding, reading, caching,
 * errors, transactions, and two connections sharing one file. */
#include "store/db.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/chamado-db-test-XXXXXX";
static char url[256];
static db *d;

static void db_dir_create(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(url, sizeof url, "sqlite:%s/test.db", dir);
}

static void setup(void)
{
	char err[256] = "";

	db_dir_create();
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "db_open: %s", err);
	cr_assert_eq(db_exec(d, "CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "n INTEGER, s TEXT, b BLOB)"), DB_OK, "%s", db_error(d));
}

static void teardown(void)
{
	char cmd[300];

	db_close(d);
	d = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(db, .init = setup, .fini = teardown);

/* Reads one text value from a one-row query. */
static void expect_pragma(const char *sql, const char *expected)
{
	db_stmt *s = db_prepare(d, sql);

	cr_assert_not_null(s, "%s", db_error(d));
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), expected, "%s", sql);
	db_done(s);
}

Test(db, opens_a_new_file_in_wal_mode_with_foreign_keys_on)
{
	char path[300];

	snprintf(path, sizeof path, "%s/test.db", dir);
	cr_expect_eq(access(path, F_OK), 0, "the file was created");
	cr_expect_str_eq(db_backend(d), "sqlite");
	expect_pragma("PRAGMA journal_mode", "wal");
	expect_pragma("PRAGMA foreign_keys", "1");
	expect_pragma("PRAGMA synchronous", "1"); /* NORMAL */
	/* The 5 s a write waits for a lock is the group's handler's
	 * (an_autocommit_write_waits_for_the_write_transaction_then_goes_through). */
}

Test(db, chamado_sqlite_synchronous_full_syncs_every_commit_and_a_bad_value_is_refused)
{
	char url[320], err[256] = "";

	snprintf(url, sizeof url, "sqlite:%s/test.db", dir);
	setenv("CHAMADO_SQLITE_SYNCHRONOUS", "full", 1);
	db *full = db_open(url, err, sizeof err);
	cr_assert_not_null(full, "%s", err);
	db *keep = d;
	d = full;
	expect_pragma("PRAGMA synchronous", "2"); /* FULL */
	d = keep;
	db_close(full);
	setenv("CHAMADO_SQLITE_SYNCHRONOUS", "sometimes", 1);
	cr_expect_null(db_open(url, err, sizeof err));
	cr_expect(strstr(err, "CHAMADO_SQLITE_SYNCHRONOUS must be NORMAL or FULL"), "%s", err);
	unsetenv("CHAMADO_SQLITE_SYNCHRONOUS");
}

Test(db, executes_several_statements_in_one_exec)
{
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1); "
	    "INSERT INTO t (n) VALUES (2);"), DB_OK, "%s", db_error(d));
	cr_expect_eq(db_scalar_int(db_prepare(d, "SELECT sum(n) FROM t"), -1),
	    3);
}

Test(db, reports_an_exec_syntax_error_with_its_message)
{
	cr_expect_eq(db_exec(d, "CREATE TABEL x (a)"), DB_ERROR);
	cr_expect_not_null(strstr(db_error(d), "syntax error"), "%s",
	    db_error(d));
}

Test(db, binds_and_reads_64_bit_integers)
{
	int64_t values[] = { 0, -1, 42, INT64_MAX, INT64_MIN };
	db_stmt *ins, *sel;
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		ins = db_prepare(d, "INSERT INTO t (id, n) VALUES ($1, $2)");
		cr_assert_not_null(ins, "%s", db_error(d));
		cr_assert_eq(db_bind_int(ins, 1, (int64_t)i + 1), DB_OK);
		cr_assert_eq(db_bind_int(ins, 2, values[i]), DB_OK);
		cr_assert_eq(db_step(ins), DB_DONE, "%s", db_error(d));
		db_done(ins);
	}
	sel = db_prepare(d, "SELECT n FROM t ORDER BY id");
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		cr_assert_eq(db_step(sel), DB_ROW);
		cr_expect_eq(db_col_int(sel, 0), values[i]);
		cr_expect_not(db_col_null(sel, 0));
	}
	cr_expect_eq(db_step(sel), DB_DONE);
	db_done(sel);
}

Test(db, round_trips_utf8_text)
{
	const char *text = "Olá, não consigo acessar o cPanel — erro «500» 🙂";
	db_stmt *s;

	s = db_prepare(d, "INSERT INTO t (s) VALUES ($1)");
	cr_assert_eq(db_bind_text(s, 1, text), DB_OK);
	cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, "SELECT s, length(s) FROM t");
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect_str_eq(db_col_text(s, 0), text);
	cr_expect_eq(db_col_int(s, 1), 48, "length counts characters");
	db_done(s);
}

Test(db, binds_nulls_and_reads_them_as_null)
{
	db_stmt *s;

	s = db_prepare(d, "INSERT INTO t (n, s, b) VALUES ($1, $2, $3)");
	cr_assert_eq(db_bind_null(s, 1), DB_OK);
	cr_assert_eq(db_bind_text(s, 2, NULL), DB_OK);
	cr_assert_eq(db_bind_null(s, 3), DB_OK);
	cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, "SELECT n, s, b, s IS NULL FROM t");
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect(db_col_null(s, 0));
	cr_expect(db_col_null(s, 1));
	cr_expect(db_col_null(s, 2));
	cr_expect_eq(db_col_int(s, 0), 0);
	cr_expect_str_eq(db_col_text(s, 1), "");
	cr_expect_eq(db_col_int(s, 3), 1, "NULL text binds SQL NULL");
	db_done(s);
}

Test(db, round_trips_blobs_with_nul_bytes)
{
	const unsigned char bytes[] = { 0x89, 'P', 'N', 'G', 0, 0, 0xff, 0 };
	const void *data;
	size_t len = 99;
	db_stmt *s;

	s = db_prepare(d, "INSERT INTO t (id, b) VALUES ($1, $2)");
	cr_assert_eq(db_bind_int(s, 1, 1), DB_OK);
	cr_assert_eq(db_bind_blob(s, 2, bytes, sizeof bytes), DB_OK);
	cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
	db_done(s);
	s = db_prepare(d, "INSERT INTO t (id, b) VALUES ($1, $2)");
	cr_assert_eq(db_bind_int(s, 1, 2), DB_OK);
	cr_assert_eq(db_bind_blob(s, 2, NULL, 0), DB_OK);
	cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
	db_done(s);

	s = db_prepare(d, "SELECT b, typeof(b) FROM t ORDER BY id");
	cr_assert_eq(db_step(s), DB_ROW);
	data = db_col_blob(s, 0, &len);
	cr_assert_eq(len, sizeof bytes);
	cr_expect_eq(memcmp(data, bytes, len), 0);
	cr_assert_eq(db_step(s), DB_ROW);
	data = db_col_blob(s, 0, &len);
	cr_expect_not_null(data, "an empty blob is never a NULL pointer");
	cr_expect_eq(len, 0);
	cr_expect_str_eq(db_col_text(s, 1), "blob", "empty stays a blob");
	db_done(s);
}

Test(db, binds_numbered_placeholders_in_any_order)
{
	db_stmt *s;

	s = db_prepare(d, "SELECT $2 || '-' || $1 || '-' || $2");
	cr_assert_not_null(s, "%s", db_error(d));
	cr_assert_eq(db_bind_text(s, 1, "one"), DB_OK);
	cr_assert_eq(db_bind_text(s, 2, "two"), DB_OK);
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), "two-one-two");
	db_done(s);
}

Test(db, leaves_dollar_signs_in_literals_and_comments_alone)
{
	db_stmt *s;

	s = db_prepare(d, "SELECT '$1' || 'it''s $2' || $1 -- $2\n"
	    "/* $3 */");
	cr_assert_not_null(s, "%s", db_error(d));
	cr_assert_eq(db_bind_text(s, 1, "x"), DB_OK);
	cr_expect_neq(db_bind_text(s, 2, "y"), DB_OK,
	    "only one parameter exists");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_expect_str_eq(db_col_text(s, 0), "$1it's $2x");
	db_done(s);
}

static db_stmt *prepare_the_same_literal(void)
{
	return db_prepare(d, "SELECT count(*) FROM t WHERE n = $1");
}

/* INSERT ... RETURNING id: each new row's id once, then done, also when a
 * trigger inserts rows of its own; an upsert or a table keyed by text
 * returns what RETURNING says. */
Test(db, insert_returning_id_gives_the_new_rows_id_once)
{
	cr_assert_eq(db_exec(d, "CREATE TABLE log (id INTEGER PRIMARY KEY, t_id INTEGER);"
	                        "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN "
	                        "INSERT INTO log (t_id) VALUES (NEW.id); "
	                        "INSERT INTO log (t_id) VALUES (NEW.id); END;"
	                        "CREATE TABLE k (id TEXT PRIMARY KEY, v INTEGER)"),
	             DB_OK, "%s", db_error(d));
	static const char insert[] = "INSERT INTO t (n) VALUES ($1) RETURNING id";
	for (int i = 1; i <= 3; i++) {
		cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
		db_stmt *s = db_prepare(d, insert);
		cr_assert_not_null(s, "%s", db_error(d));
		db_bind_int(s, 1, 10 * i);
		cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
		int64_t id = db_col_int(s, 0);
		cr_assert_eq(db_step(s), DB_DONE);
		db_done(s);
		cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
		s = db_prepare(d, "SELECT n FROM t WHERE id = $1");
		db_bind_int(s, 1, id);
		cr_assert_eq(db_scalar_int(s, -1), 10 * i, "row %d got id %lld", i, (long long)id);
	}
	cr_assert_eq(db_scalar_int(db_prepare(d, "SELECT count(*) FROM log"), -1), 6);

	db_stmt *s = db_prepare(d, "INSERT INTO t (id, n) VALUES ($1, 0) RETURNING id");
	db_bind_int(s, 1, 1);
	cr_assert_eq(db_step(s), DB_CONSTRAINT, "a taken id must fail, not give a row");
	db_done(s);

	static const char upsert[] = "INSERT INTO k (id, v) VALUES ($1, $2) "
	                             "ON CONFLICT (id) DO UPDATE SET v = excluded.v RETURNING id";
	for (int i = 0; i < 2; i++) {
		s = db_prepare(d, upsert);
		db_bind_text(s, 1, "chave");
		db_bind_int(s, 2, i);
		cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
		cr_assert_str_eq(db_col_text(s, 0), "chave");
		db_done(s);
	}
	s = db_prepare(d, "INSERT INTO k (id, v) VALUES ($1, 7) RETURNING id");
	db_bind_text(s, 1, "outra");
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_error(d));
	cr_assert_str_eq(db_col_text(s, 0), "outra");
	db_done(s);
}

Test(db, returns_the_same_cached_statement_for_the_same_literal)
{
	db_stmt *first = prepare_the_same_literal();
	db_stmt *other = db_prepare(d, "SELECT 1");

	cr_assert_not_null(first, "%s", db_error(d));
	cr_expect_eq(prepare_the_same_literal(), first);
	cr_expect_neq(other, first);
}

Test(db, reuses_a_statement_after_db_done_with_bindings_cleared)
{
	db_stmt *s;

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (7), (7), (8)"),
	    DB_OK);
	s = prepare_the_same_literal();
	cr_assert_eq(db_bind_int(s, 1, 7), DB_OK);
	cr_expect_eq(db_scalar_int(s, -1), 2);
	s = prepare_the_same_literal();
	cr_assert_eq(db_bind_int(s, 1, 8), DB_OK);
	cr_expect_eq(db_scalar_int(s, -1), 1);
	s = prepare_the_same_literal();
	cr_expect_eq(db_scalar_int(s, -1), 0, "no stale binding");
}

Test(db, hands_out_a_fresh_statement_even_without_db_done)
{
	db_stmt *s;

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1), (2)"), DB_OK);
	s = db_prepare(d, "SELECT n FROM t ORDER BY n");
	cr_assert_eq(db_step(s), DB_ROW);
	s = db_prepare(d, "SELECT n FROM t ORDER BY n");
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect_eq(db_col_int(s, 0), 1, "starts again from the first row");
	db_done(s);
}

static void read_n(db_stmt *s, arena *a, void *row)
{
	(void)a;
	*(int64_t *)row = db_col_int(s, 0);
}

/* Short lists are asked for without LIMIT (db.h): the reader's max is then
 * the only bound, and what it leaves unread must not outlive the call. */
Test(db, read_rows_stops_at_max_in_order_and_leaves_the_statement_to_read_again)
{
	static const char sql[] = "SELECT n FROM t ORDER BY n";
	int64_t rows[3] = {0};

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (4), (2), (5), (1), (3)"), DB_OK);
	cr_assert_eq(db_read_rows(db_prepare(d, sql), read_n, NULL, rows, sizeof rows[0], 3), 3);
	cr_expect(rows[0] == 1 && rows[1] == 2 && rows[2] == 3, "the first three in order: %lld %lld %lld",
	          (long long)rows[0], (long long)rows[1], (long long)rows[2]);
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (0)"), DB_OK, "a write after the read: %s", db_error(d));
	cr_assert_eq(db_read_rows(db_prepare(d, sql), read_n, NULL, rows, sizeof rows[0], 1), 1);
	cr_expect_eq(rows[0], 0, "read afresh, with the new row first");
}

Test(db, a_prefetch_leaves_the_statement_to_read_afresh)
{
	static const char sql[] = "SELECT count(*) FROM t WHERE n >= $1";
	db_stmt *s;

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1), (5)"), DB_OK);
	s = db_prepare(d, sql);
	db_bind_int(s, 1, 2);
	db_prefetch(s);
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (7)"), DB_OK);
	s = db_prepare(d, sql);
	db_bind_int(s, 1, 2);
	cr_expect_eq(db_scalar_int(s, -1), 2, "SQLite reads at the step, the new row too");
}

Test(db, keeps_many_statements_in_the_cache)
{
	static const char *sql[] = {
#define Q(n) "SELECT " #n,
#define Q10(n) Q(n##0) Q(n##1) Q(n##2) Q(n##3) Q(n##4) Q(n##5) Q(n##6) \
	Q(n##7) Q(n##8) Q(n##9)
		Q10(1) Q10(2) Q10(3) Q10(4) Q10(5) Q10(6) Q10(7) Q10(8) Q10(9)
#undef Q10
#undef Q
	};
	db_stmt *first[sizeof sql / sizeof sql[0]];
	size_t i;

	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		first[i] = db_prepare(d, sql[i]);
		cr_assert_not_null(first[i], "%s", db_error(d));
	}
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		cr_assert_eq(db_prepare(d, sql[i]), first[i]);
		cr_expect_eq(db_scalar_int(first[i], -1), atoi(sql[i] + 7));
	}
}

Test(db, refuses_to_prepare_two_statements_at_once)
{
	cr_expect_null(db_prepare(d, "SELECT 1; SELECT 2"));
	cr_expect_not_null(strstr(db_error(d), "one statement"), "%s",
	    db_error(d));
	cr_expect_not_null(db_prepare(d, "SELECT 1;  \n"),
	    "a trailing semicolon is fine");
}

Test(db, returns_null_and_a_message_for_bad_sql)
{
	cr_expect_null(db_prepare(d, "SELECT * FROM no_such_table"));
	cr_expect_not_null(strstr(db_error(d), "no_such_table"), "%s",
	    db_error(d));
}

Test(db, reports_a_unique_violation_as_db_constraint)
{
	db_stmt *s;

	cr_assert_eq(db_exec(d, "CREATE UNIQUE INDEX t_n ON t (n); "
	    "INSERT INTO t (n) VALUES (5)"), DB_OK);
	s = db_prepare(d, "INSERT INTO t (n) VALUES ($1)");
	cr_assert_eq(db_bind_int(s, 1, 5), DB_OK);
	cr_expect_eq(db_step(s), DB_CONSTRAINT);
	cr_expect_not_null(strstr(db_error(d), "UNIQUE"), "%s", db_error(d));
	db_done(s);
	cr_assert_eq(db_bind_int(s, 1, 6), DB_OK);
	cr_expect_eq(db_step(s), DB_DONE, "the statement works again");
	db_done(s);
}

Test(db, reports_a_foreign_key_violation_as_db_constraint)
{
	db_stmt *s;

	cr_assert_eq(db_exec(d, "CREATE TABLE child (id INTEGER PRIMARY KEY, "
	    "t_id INTEGER NOT NULL REFERENCES t (id))"), DB_OK);
	s = db_prepare(d, "INSERT INTO child (t_id) VALUES ($1)");
	cr_assert_eq(db_bind_int(s, 1, 12345), DB_OK);
	cr_expect_eq(db_step(s), DB_CONSTRAINT);
	cr_expect_not_null(strstr(db_error(d), "FOREIGN KEY"), "%s",
	    db_error(d));
	db_done(s);
}

Test(db, scalar_int_returns_the_fallback_without_a_row)
{
	cr_expect_eq(db_scalar_int(db_prepare(d, "SELECT n FROM t"), -7), -7);
	cr_expect_eq(db_scalar_int(NULL, -8), -8);
}

static int64_t rows_in_t(void)
{
	return db_scalar_int(db_prepare(d, "SELECT count(*) FROM t"), -1);
}

Test(db, rollback_discards_and_commit_keeps)
{
	cr_assert_eq(db_begin(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1)"), DB_OK);
	cr_expect_eq(rows_in_t(), 1, "visible inside the transaction");
	cr_assert_eq(db_rollback(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(rows_in_t(), 0);

	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1)"), DB_OK);
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(rows_in_t(), 1);
}

Test(db, rollback_without_a_transaction_is_harmless)
{
	cr_expect_eq(db_rollback(d), DB_OK);
}

Test(db, commit_without_a_transaction_is_an_error)
{
	cr_expect_eq(db_commit(d), DB_ERROR);
	cr_expect_neq(db_error(d)[0], '\0');
}

static db *second_connection(void)
{
	char err[256] = "";
	db *other = db_open(url, err, sizeof err);

	cr_assert_not_null(other, "%s", err);
	return other;
}

Test(db, second_connection_reads_what_the_first_committed)
{
	db *other = second_connection();

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (41)"), DB_OK);
	cr_expect_eq(db_scalar_int(db_prepare(other,
	    "SELECT n FROM t"), -1), 41);
	db_close(other);
}

Test(db, a_reader_is_not_blocked_by_an_open_write_transaction)
{
	db *other = second_connection();

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1)"), DB_OK);
	cr_assert_eq(db_begin_write(d), DB_OK);
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (2)"), DB_OK);
	cr_expect_eq(db_scalar_int(db_prepare(other,
	    "SELECT count(*) FROM t"), -1), 1, "sees the last commit (WAL)");
	cr_assert_eq(db_commit(d), DB_OK);
	cr_expect_eq(db_scalar_int(db_prepare(other,
	    "SELECT count(*) FROM t"), -1), 2);
	db_close(other);
}

Test(db, begin_write_takes_the_write_lock_at_once)
{
	db *other = second_connection();

	cr_assert_eq(db_exec(other, "PRAGMA busy_timeout = 50"), DB_OK);
	cr_assert_eq(db_begin_write(d), DB_OK);
	cr_expect_eq(db_begin_write(other), DB_BUSY);
	cr_expect_not_null(strstr(db_error(other), "locked"), "%s",
	    db_error(other));
	cr_assert_eq(db_rollback(d), DB_OK);
	cr_expect_eq(db_begin_write(other), DB_OK, "%s", db_error(other));
	cr_expect_eq(db_rollback(other), DB_OK);
	db_close(other);
}

/* ---- read snapshots: a request's reads in one read transaction ---- */

static int64_t count_in(db *c)
{
	return db_scalar_int(db_prepare(c, "SELECT count(*) FROM t"), -1);
}

Test(db, a_read_snapshot_sees_one_moment_until_it_ends)
{
	db *other = second_connection();

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1)"), DB_OK);
	db_read_snapshot(other, true);
	cr_expect_eq(count_in(other), 1);
	cr_expect(!db_in_transaction(other), "a snapshot is not the caller's transaction");
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (2)"), DB_OK);
	cr_expect_eq(count_in(other), 1, "the same moment for every read");
	db_read_snapshot(other, false);
	cr_expect_eq(count_in(other), 2, "the newest commit once it ended");
	cr_expect_eq(count_in(other), 2);
	db_close(other);
}

Test(db, a_write_during_a_read_snapshot_is_read_back)
{
	db *other = second_connection();

	db_read_snapshot(other, true);
	cr_expect_eq(count_in(other), 0);
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1)"), DB_OK);
	/* A write of its own in autocommit: from the newest commit, and seen. */
	db_stmt *s = db_prepare(other, "INSERT INTO t (n) VALUES ($1)");
	db_bind_int(s, 1, 2);
	cr_assert_eq(db_step_done(s), DB_OK, "%s", db_error(other));
	cr_expect_eq(count_in(other), 2);
	/* A write transaction: begins, commits, and is read back. */
	cr_assert_eq(db_begin_write(other), DB_OK, "%s", db_error(other));
	cr_assert_eq(db_exec(other, "INSERT INTO t (n) VALUES (3)"), DB_OK, "%s", db_error(other));
	cr_assert_eq(db_commit(other), DB_OK, "%s", db_error(other));
	cr_expect_eq(count_in(other), 3);
	cr_expect_eq(count_in(d), 3);
	db_read_snapshot(other, false);
	cr_expect(!db_in_transaction(other));
	db_close(other);
}

Test(db, a_read_snapshot_left_mid_statement_still_ends)
{
	db *other = second_connection();

	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1), (2)"), DB_OK);
	db_read_snapshot(other, true);
	db_stmt *s = db_prepare(other, "SELECT n FROM t ORDER BY n");
	cr_assert_eq(db_step(s), DB_ROW, "left without db_done");
	db_read_snapshot(other, false);
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (3)"), DB_OK);
	cr_expect_eq(count_in(other), 3, "no read transaction kept open");
	/* A checkpoint can pass every frame: no reader holds an old one. */
	cr_assert_eq(db_exec(d, "PRAGMA wal_checkpoint(TRUNCATE)"), DB_OK, "%s", db_error(d));
	db_close(other);
}

/* ---- group commit: the write transactions of a process share commits ---- */

Test(db, a_write_transaction_reads_its_own_rows_and_others_see_them_after_commit)
{
	db *other = second_connection();

	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_expect(db_in_transaction(d));
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (7)"), DB_OK, "%s", db_error(d));
	cr_expect_eq(rows_in_t(), 1, "its own row, inside the transaction");
	cr_expect_eq(db_scalar_int(db_prepare(other, "SELECT count(*) FROM t"), -1), 0);
	cr_expect_eq(db_begin_write(d), DB_ERROR, "no transaction within a transaction");
	cr_expect_null(db_prepare(d, "SELEC nonsense"));
	cr_expect_not_null(strstr(db_error(d), "syntax"), "%s", db_error(d));
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect(!db_in_transaction(d));
	cr_expect_eq(db_scalar_int(db_prepare(other, "SELECT count(*) FROM t"), -1), 1);
	db_close(other);
}

Test(db, a_failed_statement_in_a_write_transaction_leaves_the_rest_to_commit)
{
	cr_assert_eq(db_exec(d, "CREATE UNIQUE INDEX t_n ON t (n)"), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1)"), DB_OK);
	db_stmt *s = db_prepare(d, "INSERT INTO t (n) VALUES ($1)");
	db_bind_int(s, 1, 1);
	cr_expect_eq(db_step(s), DB_CONSTRAINT);
	db_done(s);
	cr_expect_not_null(strstr(db_error(d), "UNIQUE"), "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (2)"), DB_OK);
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(rows_in_t(), 2);
}

/* Undo kept in memory must still restore pages the part changed: here
 * more than the 64 KiB after which SQLite would otherwise spill it to a file. */
Test(db, a_large_write_transaction_rolls_back_whole_and_the_next_commits)
{
	cr_assert_eq(db_exec(d, "INSERT INTO t (n, b) VALUES (1, zeroblob(2000))"), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 300) "
	                        "INSERT INTO t (n, b) SELECT i, randomblob(1000) FROM k"),
	             DB_OK, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "UPDATE t SET b = randomblob(3000) WHERE n = 1"), DB_OK, "%s", db_error(d));
	cr_expect_eq(rows_in_t(), 301);
	cr_assert_eq(db_rollback(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(rows_in_t(), 1, "the 300 rows are gone");
	cr_expect_eq(db_scalar_int(db_prepare(d, "SELECT length(b) FROM t"), -1), 2000, "the row is as before");

	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (2)"), DB_OK);
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(rows_in_t(), 2);
}

enum { WRITER_THREADS = 8, WRITES_EACH = 60 };

struct writer {
	int id;
	int failures;
	int unseen; /* committed rows its own connection did not find right after */
	char error[256];
};

/* Opens its own connection and writes WRITES_EACH transactions of one row,
 * rolling every fifth back. */
static void *write_rows(void *arg)
{
	struct writer *w = arg;
	char err[256] = "";
	db *c = db_open(url, err, sizeof err);

	if (c == NULL) {
		snprintf(w->error, sizeof w->error, "%s", err);
		w->failures = WRITES_EACH;
		return NULL;
	}
	for (int i = 0; i < WRITES_EACH; i++) {
		int64_t n = w->id * 1000 + i;
		bool keep = i % 5 != 4;
		db_stmt *s;
		int rc = db_begin_write(c);
		if (rc == DB_OK) {
			s = db_prepare(c, "INSERT INTO t (n) VALUES ($1)");
			db_bind_int(s, 1, n);
			rc = db_step(s) == DB_DONE ? DB_OK : DB_ERROR;
			db_done(s);
		}
		if (rc == DB_OK)
			rc = keep ? db_commit(c) : db_rollback(c);
		if (rc != DB_OK) {
			snprintf(w->error, sizeof w->error, "%s", db_error(c));
			w->failures++;
			db_rollback(c);
			continue;
		}
		s = db_prepare(c, "SELECT count(*) FROM t WHERE n = $1");
		db_bind_int(s, 1, n);
		if (keep && db_scalar_int(s, -1) != 1)
			w->unseen++;
	}
	db_close(c);
	return NULL;
}

Test(db, concurrent_writers_keep_exactly_the_rows_they_committed)
{
	pthread_t threads[WRITER_THREADS];
	struct writer writers[WRITER_THREADS];

	for (int i = 0; i < WRITER_THREADS; i++) {
		writers[i] = (struct writer){.id = i + 1};
		cr_assert_eq(pthread_create(&threads[i], NULL, write_rows, &writers[i]), 0);
	}
	for (int i = 0; i < WRITER_THREADS; i++) {
		pthread_join(threads[i], NULL);
		cr_expect_eq(writers[i].failures, 0, "writer %d: %s", i + 1, writers[i].error);
		cr_expect_eq(writers[i].unseen, 0, "a commit returned before its row was there");
	}
	cr_expect_eq(rows_in_t(), WRITER_THREADS * WRITES_EACH * 4 / 5);
	cr_expect_eq(db_scalar_int(db_prepare(d, "SELECT count(*) FROM t WHERE n % 1000 % 5 = 4"), -1),
	    0, "no rolled-back row was committed with its batch");
}

struct autocommit_write {
	int rc;
	char error[256];
};

/* On a connection of its own, one INSERT outside any transaction. */
static void *insert_alone(void *arg)
{
	struct autocommit_write *w = arg;
	char err[256] = "";
	db *c = db_open(url, err, sizeof err);

	w->rc = c ? db_exec(c, "INSERT INTO t (n) VALUES (2)") : DB_ERROR;
	snprintf(w->error, sizeof w->error, "%s", c ? db_error(c) : err);
	db_close(c);
	return NULL;
}

Test(db, an_autocommit_write_waits_for_the_write_transaction_then_goes_through)
{
	pthread_t thread;
	struct autocommit_write w = {.rc = 1};

	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO t (n) VALUES (1)"), DB_OK);
	cr_assert_eq(pthread_create(&thread, NULL, insert_alone, &w), 0);
	usleep(100 * 1000); /* it meets the lock (or not yet: either way it must succeed) */
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	pthread_join(thread, NULL);
	cr_expect_eq(w.rc, DB_OK, "%s", w.error);
	cr_expect_eq(rows_in_t(), 2);
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	cr_expect_eq(db_rollback(d), DB_OK, "the group's turn was given back");
}

Test(db, background_checkpoints_leave_every_commit_in_the_file_itself)
{
	char err[256] = "", copy[300], copy_url[320], cmd[700];
	static char blob[3000];

	cr_assert_eq(db_checkpoints_start(url, err, sizeof err), 0, "%s", err);
	cr_expect_eq(db_checkpoints_start(url, err, sizeof err), -1, "one at a time");
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
		for (int j = 0; j < 40; j++) {
			db_stmt *s = db_prepare(d, "INSERT INTO t (n, b) VALUES ($1, $2)");
			db_bind_int(s, 1, i * 40 + j);
			db_bind_blob(s, 2, blob, sizeof blob);
			cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
			db_done(s);
		}
		cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
	}
	db_checkpoints_stop();
	/* The database file alone, without its WAL, holds all 1,600 rows. */
	snprintf(copy, sizeof copy, "%s/copy.db", dir);
	snprintf(cmd, sizeof cmd, "cp '%s/test.db' '%s'", dir, copy);
	cr_assert_eq(system(cmd), 0);
	snprintf(copy_url, sizeof copy_url, "sqlite:%s", copy);
	db *c = db_open(copy_url, err, sizeof err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_eq(db_scalar_int(db_prepare(c, "SELECT count(*) FROM t"), -1), 1600);
	db_close(c);
}

/* The WAL's checkpoint sequence number (its header's bytes 12-15, big
 * endian): SQLite counts each time the WAL starts over from its beginning. */
static unsigned wal_restarts(void)
{
	char path[300];
	unsigned char head[16] = {0};
	snprintf(path, sizeof path, "%s/test.db-wal", dir);
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(head, 1, sizeof head, f) : 0;
	if (f)
		fclose(f);
	return n == sizeof head ? (unsigned)head[12] << 24 | (unsigned)head[13] << 16 |
	                              (unsigned)head[14] << 8 | head[15]
	                        : 0;
}

static void insert_blobs(int rows)
{
	static char blob[3000];
	cr_assert_eq(db_begin_write(d), DB_OK, "%s", db_error(d));
	for (int j = 0; j < rows; j++) {
		db_stmt *s = db_prepare(d, "INSERT INTO t (n, b) VALUES (1, $1)");
		db_bind_blob(s, 1, blob, sizeof blob);
		cr_assert_eq(db_step(s), DB_DONE, "%s", db_error(d));
		db_done(s);
	}
	cr_assert_eq(db_commit(d), DB_OK, "%s", db_error(d));
}

/* A reader that held its snapshot while thousands of pages were written
 * kept the WAL from starting over; once it has gone, the background
 * checkpoints start it over (taking the writers' turn meanwhile) and the
 * writers go on. */
Test(db, the_wal_starts_over_once_a_long_reader_has_gone)
{
	char err[256] = "";

	cr_assert_eq(db_checkpoints_start(url, err, sizeof err), 0, "%s", err);
	insert_blobs(1);
	db *r = db_open(url, err, sizeof err);
	cr_assert_not_null(r, "%s", err);
	cr_assert_eq(db_begin(r), DB_OK, "%s", db_error(r));
	cr_assert_eq(db_scalar_int(db_prepare(r, "SELECT count(*) FROM t"), -1), 1);
	unsigned before = wal_restarts();
	for (int i = 0; i < 180; i++) /* ~18,000 pages, past the restart threshold */
		insert_blobs(100);
	cr_expect_eq(wal_restarts(), before, "not while the reader is there");
	cr_assert_eq(db_rollback(r), DB_OK, "%s", db_error(r));
	db_close(r);
	/* Each commit wakes the checkpoints; ten seconds at most. */
	for (int i = 0; i < 1000 && wal_restarts() == before; i++) {
		insert_blobs(1);
		usleep(10 * 1000);
	}
	cr_expect_neq(wal_restarts(), before, "the WAL started over");
	insert_blobs(1);
	db_checkpoints_stop();
	int64_t rows = db_scalar_int(db_prepare(d, "SELECT count(*) FROM t"), -1);
	cr_expect_geq(rows, 18002, "every commit kept: %lld rows", (long long)rows);
}

/* ---- opening failures (no fixture database needed, but harmless) ---- */

Test(db, fails_with_a_clear_message_when_the_directory_is_missing)
{
	char err[256] = "";

	cr_expect_null(db_open("sqlite:/nonexistent-chamado-dir/x.db", err,
	    sizeof err));
	cr_expect_str_eq(err, "cannot open database "
	    "/nonexistent-chamado-dir/x.db: No such file or directory");
}

Test(db, fails_with_a_clear_message_when_the_directory_is_unreadable)
{
	char err[256] = "", locked[300], locked_url[400];

	if (geteuid() == 0) {
		teardown(); /* a skipped test does not reach .fini */
		cr_skip_test("root reads any directory");
	}
	snprintf(locked, sizeof locked, "%s/locked", dir);
	cr_assert_eq(mkdir(locked, 0), 0);
	snprintf(locked_url, sizeof locked_url, "sqlite:%s/x.db", locked);
	cr_expect_null(db_open(locked_url, err, sizeof err));
	cr_expect_not_null(strstr(err, "Permission denied"), "%s", err);
	chmod(locked, 0700);
}

Test(db, fails_with_a_clear_message_when_a_parent_is_a_file)
{
	char err[256] = "", path[300], bad_url[400];
	FILE *f;

	snprintf(path, sizeof path, "%s/plain-file", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fclose(f);
	snprintf(bad_url, sizeof bad_url, "sqlite:%s/x.db", path);
	cr_expect_null(db_open(bad_url, err, sizeof err));
	cr_expect_not_null(strstr(err, ": Not a directory"), "%s", err);
}

Test(db, fails_with_a_clear_message_when_the_path_is_a_directory)
{
	char err[256] = "", path_url[400];

	snprintf(path_url, sizeof path_url, "sqlite:%s", dir);
	cr_expect_null(db_open(path_url, err, sizeof err));
	cr_expect_eq(strncmp(err, "cannot open database ", 21), 0, "%s", err);
	cr_expect_null(strchr(err, '\n'), "one line");
}

Test(db, fails_on_a_file_that_is_not_a_database)
{
	char err[256] = "", path[300], file_url[400];
	FILE *f;

	snprintf(path, sizeof path, "%s/notes.txt", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 100; i++)
		fputs("this is not an SQLite database at all\n", f);
	fclose(f);
	snprintf(file_url, sizeof file_url, "sqlite:%s", path);
	cr_expect_null(db_open(file_url, err, sizeof err));
	cr_expect_not_null(strstr(err, "file is not a database"), "%s", err);
}

Test(db, rejects_an_unknown_url_scheme_without_echoing_credentials)
{
	char err[256] = "";

	cr_expect_null(db_open("mysql://root:secret@db/chamado", err,
	    sizeof err));
	cr_expect_str_eq(err,
	    "unsupported database URL \"mysql:...\"; use sqlite:PATH");
	cr_expect_null(db_open("/var/lib/chamado.db", err, sizeof err));
	cr_expect_str_eq(err, "unsupported database URL "
	    "\"/var/lib/chamado.db\"; use sqlite:PATH");
	cr_expect_null(db_open("sqlite:", err, sizeof err));
	cr_expect_not_null(strstr(err, "no path"), "%s", err);
}

Test(db, hands_postgres_urls_to_the_postgresql_driver)
{
	char err[256] = "";

	/* Nothing listens on port 1: the driver answers, not the dispatcher. */
	cr_expect_null(db_open("postgres://u:p@127.0.0.1:1/chamado", err,
	    sizeof err));
	cr_expect_not_null(strstr(err, "cannot connect to PostgreSQL"), "%s",
	    err);
}

Test(db, opens_an_in_memory_database)
{
	char err[256] = "";
	db *mem = db_open("sqlite::memory:", err, sizeof err);

	cr_assert_not_null(mem, "%s", err);
	cr_expect_eq(db_scalar_int(db_prepare(mem, "SELECT 6 * 7"), 0), 42);
	db_close(mem);
}
