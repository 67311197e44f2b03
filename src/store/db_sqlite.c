/* The SQLite driver: one sqlite3 handle per connection, in WAL mode, with
 * a cache of prepared statements keyed by the address of their SQL text. */
#include "store/db_internal.h"
#include "base/clock.h"
#include "store/sqlite_checkpoint.h"
#include "store/sqlite_group.h"
#include "store/sqlite_wal_buffer.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SQLITE_BUSY_TIMEOUT_MS 5000
#define STMT_CACHE_INITIAL 64 /* slots; always a power of two */

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *handle;
	/* An INSERT ... RETURNING id run without its RETURNING (rowid_returning):
	 * its one row is the inserted rowid, given after the INSERT is done. */
	bool returns_rowid;
	bool row_given;
	int64_t rowid;
	char rowid_text[24];
};

struct stmt_slot {
	const char *sql; /* NULL: empty slot */
	struct sqlite_stmt *stmt;
};

struct sqlite_db {
	struct db base;
	sqlite3 *handle;
	struct stmt_slot *slots;
	size_t slot_count;
	size_t slot_used;
	sqlite_group *group; /* this process's writers of the same file */
	/* While a write transaction of this connection runs: the group's
	 * writer, which runs its statements, and the batch it is part of. */
	struct sqlite_db *writer;
	sqlite_batch *batch;
	/* A write of this connection's own (autocommit) that met the lock
	 * waits for the group's turn and keeps it until it ends (busy_wait). */
	int busy_ms;
	bool turn_held;
	struct timespec busy_since;
	/* db_read_snapshot: reads share one read transaction (snapshot_open),
	 * begun by the first read while snapshot_wanted. */
	bool snapshot_wanted, snapshot_open;
	sqlite3_stmt *snapshot_begin, *snapshot_commit;
};

static const struct db_driver sqlite_driver;

static struct sqlite_db *as_sqlite(db *d)
{
	return (struct sqlite_db *)d;
}

/* The connection that runs d's statements now: the group's writer during
 * a write transaction, else d's own. */
static struct sqlite_db *runner(db *d)
{
	struct sqlite_db *s = as_sqlite(d);

	return s->writer != NULL ? s->writer : s;
}

static struct sqlite_stmt *as_stmt(db_stmt *s)
{
	return (struct sqlite_stmt *)s;
}

/* Maps a (possibly extended) SQLite result code to a DB_* code. */
static int code_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return DB_OK;
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
		return DB_DONE;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_NOMEM:
		return DB_NOMEM;
	default:
		return DB_ERROR;
	}
}

/* Records the handle's current message and returns rc as a DB_* code. */
static int fail_from_handle(struct sqlite_db *s, int rc)
{
	db_set_error(&s->base, "%s", sqlite3_errmsg(s->handle));
	return code_from_sqlite(rc);
}

/* ---- statement cache: open addressing, linear probing ---- */

static size_t slot_hash(const char *sql)
{
	uint64_t h = (uint64_t)(uintptr_t)sql;

	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (size_t)h;
}

static struct stmt_slot *slot_find(struct stmt_slot *slots, size_t count,
    const char *sql)
{
	size_t i = slot_hash(sql) & (count - 1);

	while (slots[i].sql != NULL && slots[i].sql != sql)
		i = (i + 1) & (count - 1);
	return &slots[i];
}

/* Keeps the table at most half full, so probes stay short. */
static int cache_reserve(struct sqlite_db *s)
{
	size_t count, i;
	struct stmt_slot *slots;

	if ((s->slot_used + 1) * 2 <= s->slot_count)
		return DB_OK;
	count = s->slot_count ? s->slot_count * 2 : STMT_CACHE_INITIAL;
	slots = calloc(count, sizeof *slots);
	if (slots == NULL) {
		db_set_error(&s->base, "out of memory");
		return DB_NOMEM;
	}
	for (i = 0; i < s->slot_count; i++)
		if (s->slots[i].sql != NULL)
			*slot_find(slots, count, s->slots[i].sql) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->slot_count = count;
	return DB_OK;
}

static void cache_clear(struct sqlite_db *s)
{
	size_t i;

	for (i = 0; i < s->slot_count; i++) {
		if (s->slots[i].stmt == NULL)
			continue;
		sqlite3_finalize(s->slots[i].stmt->handle);
		free(s->slots[i].stmt);
	}
	free(s->slots);
	s->slots = NULL;
	s->slot_count = s->slot_used = 0;
}

/* ---- placeholders ---- */

/* Returns the end of the quoted run that starts at p (p[0] is the quote);
 * a doubled quote inside stands for itself. */
static const char *skip_quoted(const char *p)
{
	char quote = *p == '[' ? ']' : *p;

	for (p++; *p != '\0'; p++) {
		if (*p != quote)
			continue;
		if (quote != ']' && p[1] == quote) {
			p++;
			continue;
		}
		return p + 1;
	}
	return p;
}

static const char *skip_comment(const char *p)
{
	if (p[0] == '-') {
		while (*p != '\0' && *p != '\n')
			p++;
		return p;
	}
	for (p += 2; *p != '\0'; p++)
		if (p[0] == '*' && p[1] == '/')
			return p + 2;
	return p;
}

/* Rewrites the PostgreSQL placeholders $1, $2 ... of sql into SQLite's
 * ?1, ?2 ... in place, leaving string literals, quoted names and comments
 * alone. (SQLite would otherwise read "$1" as a parameter *named* "$1",
 * numbered by order of appearance, so "$2 ... $1" would bind backwards.) */
static void placeholders_rewrite(char *sql)
{
	char *p = sql;

	while (*p != '\0') {
		if (*p == '\'' || *p == '"' || *p == '`' || *p == '[')
			p = (char *)skip_quoted(p);
		else if ((p[0] == '-' && p[1] == '-') ||
		    (p[0] == '/' && p[1] == '*'))
			p = (char *)skip_comment(p);
		else if (p[0] == '$' && p[1] >= '0' && p[1] <= '9')
			*p++ = '?';
		else
			p++;
	}
}

/* ---- connection ---- */

static int part_end(struct sqlite_db *s, bool keep);

/* Gives the group's turn back once the write that took it has ended:
 * no transaction open and the statement reset or done. */
static void turn_release_if_done(struct sqlite_db *s, sqlite3_stmt *st)
{
	if (s->turn_held && sqlite3_get_autocommit(s->handle) &&
	    (st == NULL || !sqlite3_stmt_busy(st))) {
		s->turn_held = false;
		sqlite_group_release(s->group);
	}
}

/* The busy handler of a connection in a group. The lock it met is most
 * likely the group's writer's, so rather than sleep and retry (SQLite's
 * handler: 1, 2, 5 ... 100 ms, during which the writer takes the lock again)
 * it waits for the turn, which ends the open batch and keeps the writer out
 * until this write is done. Held already: another process has the lock, and
 * it sleeps as SQLite would. Either way within busy_ms in all. */
static int busy_wait(void *arg, int count)
{
	static const int sleeps_ms[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
	struct sqlite_db *s = arg;

	if (count == 0)
		clock_gettime(CLOCK_MONOTONIC, &s->busy_since);
	int waited = (int)clock_ms_since(&s->busy_since);
	if (waited >= s->busy_ms)
		return 0;
	if (!s->turn_held) {
		if (sqlite_group_hold(s->group, s->busy_ms - waited) < 0)
			return 0;
		s->turn_held = true;
		return 1;
	}
	int step = count < 12 ? sleeps_ms[count] : 100;
	if (step > s->busy_ms - waited)
		step = s->busy_ms - waited;
	usleep((useconds_t)step * 1000);
	return 1;
}

/* Sets how long a write waits for a lock: SQLite's own handler on a
 * connection alone, busy_wait on one in a group. */
static int busy_timeout_set(struct sqlite_db *s, int ms)
{
	s->busy_ms = ms;
	if (s->group == NULL)
		return sqlite3_busy_timeout(s->handle, ms);
	return sqlite3_busy_handler(s->handle, busy_wait, s);
}

/* ---- read snapshots ---- */

static int snapshot_run(struct sqlite_db *s, sqlite3_stmt **st, const char *sql)
{
	if (*st == NULL && sqlite3_prepare_v2(s->handle, sql, -1, st, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	int rc = sqlite3_step(*st);
	sqlite3_reset(*st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Before a read of s: opens the snapshot's read transaction when one is
 * wanted and none is open. A failure leaves the read in autocommit. */
static void snapshot_begin(struct sqlite_db *s)
{
	if (s->snapshot_wanted && !s->snapshot_open && s->writer == NULL &&
	    sqlite3_get_autocommit(s->handle) &&
	    snapshot_run(s, &s->snapshot_begin, "BEGIN") == SQLITE_OK)
		s->snapshot_open = true;
}

/* Ends the snapshot's read transaction, so that a write, or the next
 * request, starts from the newest commit. At the request's end (all) every
 * statement is reset first: SQLite keeps a read transaction open past its
 * COMMIT while a statement is unfinished, and one left open would show
 * this thread old data and hold back checkpoints. */
static void snapshot_end(struct sqlite_db *s, bool all)
{
	if (!s->snapshot_open)
		return;
	if (all)
		for (sqlite3_stmt *st = sqlite3_next_stmt(s->handle, NULL); st;
		     st = sqlite3_next_stmt(s->handle, st))
			sqlite3_reset(st);
	if (sqlite3_get_autocommit(s->handle) || /* ended already (an error rolled back) */
	    snapshot_run(s, &s->snapshot_commit, "COMMIT") == SQLITE_OK)
		s->snapshot_open = false;
}

static void sqlite_read_snapshot(db *d, bool on)
{
	struct sqlite_db *s = as_sqlite(d);

	s->snapshot_wanted = on;
	if (!on)
		snapshot_end(s, true);
}

static void sqlite_close(db *d)
{
	struct sqlite_db *s = as_sqlite(d);

	if (s->writer != NULL)
		part_end(s, false);
	if (s->turn_held) {
		sqlite3_exec(s->handle, "ROLLBACK", NULL, NULL, NULL);
		turn_release_if_done(s, NULL);
	}
	snapshot_end(s, true);
	sqlite3_finalize(s->snapshot_begin);
	sqlite3_finalize(s->snapshot_commit);
	sqlite_group_put(s->group);
	cache_clear(s);
	sqlite3_close(s->handle);
	free(s);
}

/* A write transaction: a part of the group's open batch, run on its writer
 * (sqlite_group.h), after waiting for the turn as long as the busy timeout. */
static int part_begin(struct sqlite_db *s)
{
	char err[DB_ERROR_MAX];
	int rc;
	db *w = sqlite_group_enter(s->group, s->busy_ms, &s->batch, &rc, err, sizeof err);

	if (w == NULL) {
		db_set_error(&s->base, "%s", err);
		return rc;
	}
	s->writer = as_sqlite(w);
	return DB_OK;
}

/* Ends the part: its COMMIT (keep) returns once the batch has committed. */
static int part_end(struct sqlite_db *s, bool keep)
{
	char err[DB_ERROR_MAX] = "";
	int rc = sqlite_group_leave(s->group, s->batch, keep, err, sizeof err);

	s->writer = NULL;
	s->batch = NULL;
	if (rc < 0)
		db_set_error(&s->base, "%s", err);
	return rc;
}

static int sqlite_exec(db *d, const char *sql)
{
	struct sqlite_db *s = as_sqlite(d);
	char *message = NULL;
	int rc;

	if (s->writer != NULL) {
		if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0)
			return part_end(s, sql[0] == 'C');
		if (sql == sqlite_driver.begin_sql || sql == sqlite_driver.begin_write_sql) {
			db_set_error(d, "cannot start a transaction within a transaction");
			return DB_ERROR;
		}
		rc = sqlite_exec(&s->writer->base, sql);
		if (rc < 0)
			db_set_error(d, "%s", s->writer->base.error);
		return rc;
	}
	/* A transaction of the caller's own, or a statement that changes
	 * something: the reads after it see the newest commit. */
	snapshot_end(s, false);
	if (sql == sqlite_driver.begin_write_sql && s->group != NULL &&
	    sqlite3_get_autocommit(s->handle))
		return part_begin(s);
	rc = sqlite3_exec(s->handle, sql, NULL, NULL, &message);
	turn_release_if_done(s, NULL);
	/* PRAGMA busy_timeout = N installs SQLite's handler: keep N, and ours. */
	if (rc == SQLITE_OK && strncasecmp(sql, "PRAGMA busy_timeout", 19) == 0) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->handle, "PRAGMA busy_timeout", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			rc = busy_timeout_set(s, sqlite3_column_int(st, 0));
		sqlite3_finalize(st);
	}
	if (rc == SQLITE_OK)
		return DB_OK;
	db_set_error(d, "%s", message ? message : sqlite3_errstr(rc));
	sqlite3_free(message);
	return code_from_sqlite(rc);
}

static bool sqlite_in_transaction(db *d)
{
	struct sqlite_db *s = as_sqlite(d);

	return s->writer != NULL || (!sqlite3_get_autocommit(s->handle) && !s->snapshot_open);
}

static int sqlite_table_exists(db *d, const char *table)
{
	db_stmt *st;
	int rc;

	st = db_prepare(d, "SELECT 1 FROM sqlite_master "
	    "WHERE type = 'table' AND name = $1");
	if (st == NULL)
		return DB_ERROR;
	rc = db_bind_text(st, 1, table);
	if (rc == DB_OK)
		rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW;
}

/* True for "INSERT INTO t (...) VALUES (...) RETURNING id" of one row into
 * a table whose id is its rowid, with *len cut to before " RETURNING id".
 * SQLite runs a RETURNING clause through a temporary b-tree that it opens,
 * fills and drops for every row (2.5 us of a 10 us INSERT, five times an
 * opening, in its turn as the writer); sqlite3_last_insert_rowid gives the
 * same id. Not for an upsert or INSERT OR ...: a row updated instead of
 * inserted sets no rowid. */
static bool rowid_returning(sqlite3 *h, const char *sql, size_t *len)
{
	static const char head[] = "INSERT INTO ", tail[] = " RETURNING id";
	size_t n = *len, nhead = sizeof head - 1, ntail = sizeof tail - 1;
	if (n <= nhead + ntail || strncmp(sql, head, nhead) != 0 ||
	    strcmp(sql + n - ntail, tail) != 0 || !strstr(sql, " VALUES (") ||
	    strstr(sql, "ON CONFLICT") || strstr(sql, "SELECT") || strstr(sql, "), ("))
		return false;
	char table[64];
	size_t t = strcspn(sql + nhead, " (");
	if (t == 0 || t >= sizeof table)
		return false;
	memcpy(table, sql + nhead, t);
	table[t] = '\0';
	const char *type = NULL;
	int primary = 0;
	if (sqlite3_table_column_metadata(h, "main", table, "id", &type, NULL, NULL, &primary, NULL) !=
	        SQLITE_OK ||
	    !primary || !type || strcasecmp(type, "INTEGER") != 0)
		return false;
	*len = n - ntail;
	return true;
}

/* Returns the one-statement, rewritten form of sql compiled, or NULL. */
static struct sqlite_stmt *stmt_compile(struct sqlite_db *s, const char *sql)
{
	struct sqlite_stmt *st = NULL;
	const char *tail = NULL;
	size_t len = strlen(sql);
	char *text;
	int rc;

	text = malloc(len + 1);
	st = calloc(1, sizeof *st);
	if (text == NULL || st == NULL) {
		db_set_error(&s->base, "out of memory");
		goto fail;
	}
	memcpy(text, sql, len + 1);
	st->returns_rowid = rowid_returning(s->handle, text, &len);
	text[len] = '\0';
	placeholders_rewrite(text);
	if (len >= INT_MAX) {
		db_set_error(&s->base, "SQL statement too long");
		goto fail;
	}
	rc = sqlite3_prepare_v3(s->handle, text, (int)len + 1,
	    SQLITE_PREPARE_PERSISTENT, &st->handle, &tail);
	if (rc != SQLITE_OK) {
		fail_from_handle(s, rc);
		goto fail;
	}
	tail += strspn(tail, " \t\r\n;");
	if (st->handle == NULL || *tail != '\0') {
		db_set_error(&s->base, "db_prepare takes exactly one "
		    "statement: %.60s", sql);
		goto fail;
	}
	free(text);
	st->base.owner = &s->base;
	return st;
fail:
	if (st != NULL)
		sqlite3_finalize(st->handle);
	free(st);
	free(text);
	return NULL;
}

/* Always hands out a statement that is reset and unbound, even if the last
 * user forgot db_done, so no stale parameter reaches a new query. */
static db_stmt *sqlite_prepare(db *d, const char *sql)
{
	struct sqlite_db *s = runner(d);
	struct stmt_slot *slot;

	if (s->slot_count != 0) {
		slot = slot_find(s->slots, s->slot_count, sql);
		if (slot->sql != NULL) {
			slot->stmt->row_given = false;
			sqlite3_reset(slot->stmt->handle);
			sqlite3_clear_bindings(slot->stmt->handle);
			return &slot->stmt->base;
		}
	}
	if (cache_reserve(s) < 0)
		return NULL;
	slot = slot_find(s->slots, s->slot_count, sql);
	slot->stmt = stmt_compile(s, sql);
	if (slot->stmt == NULL)
		return NULL;
	slot->sql = sql;
	s->slot_used++;
	return &slot->stmt->base;
}

/* ---- statements ---- */

static int bind_result(db_stmt *s, int index, int rc)
{
	struct sqlite_db *owner = as_sqlite(s->owner);

	if (rc == SQLITE_OK)
		return DB_OK;
	db_set_error(s->owner, "cannot bind parameter %d: %s", index,
	    sqlite3_errmsg(owner->handle));
	return code_from_sqlite(rc);
}

static int sqlite_bind_int(db_stmt *s, int index, int64_t value)
{
	return bind_result(s, index,
	    sqlite3_bind_int64(as_stmt(s)->handle, index, value));
}

static int sqlite_bind_text(db_stmt *s, int index, const char *text)
{
	return bind_result(s, index, sqlite3_bind_text64(as_stmt(s)->handle,
	    index, text, strlen(text), SQLITE_TRANSIENT, SQLITE_UTF8));
}

/* A zero-length blob stays a blob, not NULL (sqlite3_bind_blob would bind
 * NULL for a NULL pointer). */
static int sqlite_bind_blob(db_stmt *s, int index, const void *data,
    size_t len)
{
	sqlite3_stmt *h = as_stmt(s)->handle;

	if (len == 0)
		return bind_result(s, index,
		    sqlite3_bind_zeroblob(h, index, 0));
	return bind_result(s, index,
	    sqlite3_bind_blob64(h, index, data, len, SQLITE_TRANSIENT));
}

static int sqlite_bind_null(db_stmt *s, int index)
{
	return bind_result(s, index,
	    sqlite3_bind_null(as_stmt(s)->handle, index));
}

static int sqlite_step(db_stmt *s)
{
	struct sqlite_stmt *st = as_stmt(s);
	sqlite3_stmt *h = st->handle;
	struct sqlite_db *owner = as_sqlite(s->owner);
	if (st->row_given) {
		st->row_given = false;
		return DB_DONE;
	}
	if (owner->snapshot_wanted && !sqlite3_stmt_busy(h)) {
		if (sqlite3_stmt_readonly(h))
			snapshot_begin(owner);
		else
			snapshot_end(owner, false);
	}
	int rc = sqlite3_step(h);

	if (rc != SQLITE_ROW)
		turn_release_if_done(as_sqlite(s->owner), h);
	if (rc == SQLITE_DONE && st->returns_rowid && sqlite3_changes(sqlite3_db_handle(h)) > 0) {
		st->rowid = sqlite3_last_insert_rowid(sqlite3_db_handle(h));
		st->row_given = true;
		return DB_ROW;
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return code_from_sqlite(rc);
	return fail_from_handle(as_sqlite(s->owner), rc);
}

/* The inserted rowid's row (rowid_returning) has one column, the id. */
static bool given_rowid(db_stmt *s)
{
	return as_stmt(s)->row_given;
}

static bool sqlite_col_null(db_stmt *s, int col)
{
	if (given_rowid(s))
		return col != 0;
	return sqlite3_column_type(as_stmt(s)->handle, col) == SQLITE_NULL;
}

static int64_t sqlite_col_int(db_stmt *s, int col)
{
	if (given_rowid(s))
		return col == 0 ? as_stmt(s)->rowid : 0;
	return sqlite3_column_int64(as_stmt(s)->handle, col);
}

static const char *sqlite_col_text(db_stmt *s, int col)
{
	const unsigned char *text;

	if (given_rowid(s)) {
		struct sqlite_stmt *st = as_stmt(s);
		if (col != 0)
			return "";
		snprintf(st->rowid_text, sizeof st->rowid_text, "%lld", (long long)st->rowid);
		return st->rowid_text;
	}
	text = sqlite3_column_text(as_stmt(s)->handle, col);
	return text != NULL ? (const char *)text : "";
}

/* Never returns NULL, so callers may memcpy an empty value safely. */
static const void *sqlite_col_blob(db_stmt *s, int col, size_t *len)
{
	if (given_rowid(s)) {
		const char *text = sqlite_col_text(s, col);
		if (len != NULL)
			*len = strlen(text);
		return text;
	}
	sqlite3_stmt *h = as_stmt(s)->handle;
	const void *data = sqlite3_column_blob(h, col);
	int bytes = sqlite3_column_bytes(h, col);

	if (len != NULL)
		*len = data != NULL ? (size_t)bytes : 0;
	return data != NULL ? data : "";
}

static void sqlite_done(db_stmt *s)
{
	as_stmt(s)->row_given = false;
	sqlite3_reset(as_stmt(s)->handle);
	sqlite3_clear_bindings(as_stmt(s)->handle);
	turn_release_if_done(as_sqlite(s->owner), as_stmt(s)->handle);
}

/* ---- opening ---- */

/* The reason an open failed, as specific as we can be: the system error
 * ("No such file or directory") when the file itself failed, else our own
 * message, else SQLite's. */
static const char *open_failure_reason(struct sqlite_db *s, int rc)
{
	int err = s->handle != NULL ? sqlite3_system_errno(s->handle) : 0;

	switch (rc & 0xff) {
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
	case SQLITE_READONLY:
		if (err != 0)
			return strerror(err);
		break;
	default:
		break;
	}
	if (s->base.error[0] != '\0')
		return s->base.error;
	if (s->handle != NULL)
		return sqlite3_errmsg(s->handle);
	return sqlite3_errstr(rc);
}

/* Switches to WAL and checks that it took: a database we cannot read fails
 * here rather than on the first query. ":memory:" has no WAL and needs none. */
static int journal_wal_enable(struct sqlite_db *s, const char *path)
{
	db_stmt *st;
	char mode[16] = "";
	int rc;

	st = db_prepare(&s->base, "PRAGMA journal_mode = WAL");
	if (st == NULL)
		return sqlite3_errcode(s->handle);
	rc = sqlite3_step(as_stmt(st)->handle);
	if (rc == SQLITE_ROW)
		snprintf(mode, sizeof mode, "%s", db_col_text(st, 0));
	db_done(st);
	if (rc != SQLITE_ROW)
		return rc;
	if (strcmp(mode, "wal") != 0 && strcmp(path, ":memory:") != 0) {
		db_set_error(&s->base, "cannot use WAL mode (got \"%s\")",
		    mode);
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

/* How a commit reaches the disk, from CHAMADO_SQLITE_SYNCHRONOUS: NORMAL
 * (the default) survives a killed process, FULL also a power cut (an fsync
 * per commit); docs/deploy.md says which to choose. NULL for another value. */
static const char *synchronous_pragma(void)
{
	const char *v = getenv("CHAMADO_SQLITE_SYNCHRONOUS");
	if (v == NULL || *v == '\0' || strcasecmp(v, "normal") == 0)
		return "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL";
	if (strcasecmp(v, "full") == 0)
		return "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL";
	return NULL;
}

static int connection_configure(struct sqlite_db *s, const char *path)
{
	int rc;
	const char *pragmas = synchronous_pragma();

	if (pragmas == NULL) {
		db_set_error(&s->base, "CHAMADO_SQLITE_SYNCHRONOUS must be NORMAL or FULL");
		return SQLITE_MISUSE;
	}

	rc = sqlite3_extended_result_codes(s->handle, 1);
	if (rc == SQLITE_OK)
		rc = busy_timeout_set(s, SQLITE_BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		rc = journal_wal_enable(s, path);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->handle, pragmas, NULL, NULL, NULL);
	return rc;
}

static db *group_writer_open(const char *path, char *err, size_t errlen);

/* SQLite counts every allocation under one process-wide mutex unless told
 * not to; with a thread per core and more, a ticket page's statements
 * waited on it (futex calls, perf at a million tickets). Nothing here reads
 * those counts. Set once, before SQLite initialises. */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;

static const char *vfs_name;

static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* Without it SQLite's default VFS does the same, only with more calls. */
	vfs_name = sqlite_wal_buffer_register() == SQLITE_OK ? SQLITE_WAL_BUFFER_VFS : NULL;
}

static db *connection_open(const char *path, bool grouped, char *err, size_t errlen)
{
	struct sqlite_db *s;
	int rc;

	s = calloc(1, sizeof *s);
	if (s == NULL) {
		snprintf(err, errlen, "cannot open database %s: out of memory",
		    path);
		return NULL;
	}
	s->base.driver = &sqlite_driver;
	pthread_once(&sqlite_configured, configure_sqlite);
	rc = sqlite3_open_v2(path, &s->handle, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs_name);
	if (rc != SQLITE_OK)
		goto fail;
	/* A file's writers share a group; ":memory:" and "" are private. The
	 * group is known before the configuration, which picks the busy
	 * handler by it. */
	const char *file = sqlite3_db_filename(s->handle, "main");
	if (grouped && file != NULL && *file != '\0') {
		s->group = sqlite_group_get(file, group_writer_open);
		if (s->group == NULL) {
			rc = SQLITE_NOMEM;
			goto fail;
		}
	}
	rc = connection_configure(s, path);
	/* A grouped connection only reads (its writes run on the group's
	 * writer), and SQLite empties a reader's cache whenever another
	 * connection has committed since its last read: a cache as big as the
	 * writer's (2 MB) would mostly hold memory. 512 KB each keeps what one
	 * page's reads use again (1 MB: the same speed, 4 MB more at the peak
	 * of 64 reports at once; bench/RESULTS.md). */
	if (rc == SQLITE_OK && s->group != NULL)
		rc = sqlite3_exec(s->handle, "PRAGMA cache_size = -512", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_wal_hook(s->handle, sqlite_checkpoint_hook, NULL);
	return &s->base;
fail:
	snprintf(err, errlen, "cannot open database %s: %s", path,
	    open_failure_reason(s, rc));
	sqlite_close(&s->base);
	return NULL;
}

/* The group's writer: a connection of its own, outside any group. */
static db *group_writer_open(const char *path, char *err, size_t errlen)
{
	db *w = connection_open(path, false, err, errlen);
	/* Its savepoints keep their undo pages in memory: past 64 KiB SQLite
	 * would spill them to a temporary file, and each batch would pay for
	 * creating, writing and deleting that file. A cache of 1 MB instead
	 * of SQLite's 2 MB: the same rate of openings, replies and API
	 * tickets at a million, and their loads' peak RSS 1-1.8 MB lower. */
	if (w && db_exec(w, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -1024") < 0) {
		snprintf(err, errlen, "%s", db_error(w));
		db_close(w);
		return NULL;
	}
	return w;
}

db *db_sqlite_open(const char *path, char *err, size_t errlen)
{
	return connection_open(path, true, err, errlen);
}

/* During a write transaction, the last failure happened on the writer. */
static const char *sqlite_error(const db *d)
{
	const struct sqlite_db *s = (const struct sqlite_db *)d;

	return s->writer != NULL ? s->writer->base.error : d->error;
}

static const struct db_driver sqlite_driver = {
	.error = sqlite_error,
	.name = "sqlite",
	.begin_sql = "BEGIN",
	.begin_write_sql = "BEGIN IMMEDIATE",
	.close = sqlite_close,
	.exec = sqlite_exec,
	.in_transaction = sqlite_in_transaction,
	.read_snapshot = sqlite_read_snapshot,
	.table_exists = sqlite_table_exists,
	.prepare = sqlite_prepare,
	.bind_int = sqlite_bind_int,
	.bind_text = sqlite_bind_text,
	.bind_blob = sqlite_bind_blob,
	.bind_null = sqlite_bind_null,
	.step = sqlite_step,
	.col_null = sqlite_col_null,
	.col_int = sqlite_col_int,
	.col_text = sqlite_col_text,
	.col_blob = sqlite_col_blob,
	.done = sqlite_done,
};
