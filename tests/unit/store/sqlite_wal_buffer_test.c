/* The VFS that writes a commit's WAL frames at once: every commit is in
 * the file, where other connections and a restarted process read it, by
 * the time COMMIT returns, in a handful of write calls. */
#include "store/sqlite_wal_buffer.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/chamado-walbuf-test-XXXXXX";
static char path[300];
static sqlite3 *writer, *reader;

static void exec_ok(sqlite3 *h, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, err ? err : sqlite3_errstr(rc));
}

static sqlite3 *open_with(const char *vfs)
{
	sqlite3 *h = NULL;
	cr_assert_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
	exec_ok(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0");
	return h;
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.db", dir);
	cr_assert_eq(sqlite_wal_buffer_register(), SQLITE_OK);
	writer = open_with(SQLITE_WAL_BUFFER_VFS);
	exec_ok(writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, b BLOB)");
	reader = open_with(NULL); /* SQLite's default VFS, as another program */
}

static void teardown(void)
{
	char cmd[400];
	sqlite3_close(reader);
	sqlite3_close(writer);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(wal_buffer, .init = setup, .fini = teardown);

static sqlite3_int64 scalar(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sqlite3_errmsg(h));
	sqlite3_int64 v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* rows rows of a 3 KB blob each (a page apiece or so), in one transaction. */
static void insert_rows(sqlite3 *h, int from, int rows)
{
	char sql[160];
	snprintf(sql, sizeof sql,
	         "WITH RECURSIVE s(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM s WHERE i < %d) "
	         "INSERT INTO t (n, b) SELECT i, randomblob(3000) FROM s",
	         from, from + rows - 1);
	exec_ok(h, "BEGIN IMMEDIATE");
	exec_ok(h, sql);
	exec_ok(h, "COMMIT");
}

Test(wal_buffer, another_connection_sees_each_commit_as_soon_as_it_returns)
{
	for (int i = 0; i < 30; i++) {
		insert_rows(writer, i * 100, 100);
		cr_assert_eq(scalar(reader, "SELECT count(*) FROM t"), (i + 1) * 100, "after commit %d", i + 1);
		cr_assert_eq(scalar(reader, "SELECT sum(length(b)) FROM t"), (sqlite3_int64)(i + 1) * 100 * 3000);
	}
	/* Small commits too: one row, a frame or two. */
	for (int i = 0; i < 50; i++) {
		insert_rows(writer, 10000 + i, 1);
		cr_assert_eq(scalar(reader, "SELECT max(n) FROM t"), 10000 + i);
	}
}

Test(wal_buffer, a_process_that_dies_after_its_commit_loses_nothing)
{
	/* SQLite's connections must not cross a fork: the parent's are closed. */
	sqlite3_close(reader);
	sqlite3_close(writer);
	writer = NULL;
	pid_t child = fork();
	cr_assert_neq(child, -1);
	if (child == 0) {
		sqlite3 *h = open_with(SQLITE_WAL_BUFFER_VFS);
		insert_rows(h, 1, 250);
		_exit(0); /* killed as it were: no close, nothing flushed on the way out */
	}
	int status = 0;
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	reader = open_with(NULL);
	cr_assert_eq(scalar(reader, "SELECT count(*) FROM t"), 250);
	exec_ok(reader, "PRAGMA wal_checkpoint(TRUNCATE)");
	cr_assert_eq(scalar(reader, "SELECT count(*) FROM t"), 250);
}

static long long write_calls(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	cr_assert_not_null(f);
	char line[128];
	long long n = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "syscw: %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

Test(wal_buffer, a_commit_of_a_hundred_pages_takes_a_few_write_calls)
{
	insert_rows(writer, 0, 10); /* the WAL's header and first frames */
	long long before = write_calls();
	insert_rows(writer, 100, 100);
	long long calls = write_calls() - before;
	/* Two a page without the buffer: over 200. */
	cr_assert_leq(calls, 12, "%lld write calls", calls);
	cr_assert_eq(scalar(reader, "SELECT count(*) FROM t"), 110);
}

Test(wal_buffer, a_rolled_back_transaction_that_spilled_into_the_wal_leaves_no_trace)
{
	exec_ok(writer, "PRAGMA cache_size = 10"); /* pages spill into the WAL mid-transaction */
	insert_rows(writer, 0, 50);
	exec_ok(writer, "BEGIN IMMEDIATE");
	exec_ok(writer, "INSERT INTO t (n, b) SELECT n + 1000, randomblob(3000) FROM t");
	exec_ok(writer, "UPDATE t SET n = -n");
	exec_ok(writer, "ROLLBACK");
	cr_assert_eq(scalar(reader, "SELECT count(*) FROM t"), 50);
	insert_rows(writer, 500, 40);
	cr_assert_eq(scalar(writer, "SELECT count(*) FROM t WHERE n >= 0"), 90);
	cr_assert_eq(scalar(reader, "SELECT count(*) FROM t WHERE n >= 0"), 90);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(reader, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}
