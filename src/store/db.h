/* The database layer: one small API over two backends (SQLite now,
 * PostgreSQL later), chosen by URL ("sqlite:PATH"; "postgres://..." later).
 *
 * SQL is written once, in the common dialect, with PostgreSQL-style numbered
 * placeholders ($1, $2 ...); each driver translates them. Times are INTEGER
 * Unix seconds, booleans INTEGER 0/1, bytes BLOB, ids INTEGER PRIMARY KEY;
 * callers never see a backend type.
 *
 * A connection belongs to one thread at a time. Statements are prepared once
 * per connection and cached, keyed by the SQL text's address: pass string
 * literals (store/ does). A statement is reset by db_done() before reuse.
 * Every function that can fail returns a negative DB_E* code and leaves a
 * message in db_error(). */
#ifndef CHAMADO_DB_H
#define CHAMADO_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

typedef struct db db;
typedef struct db_stmt db_stmt;

enum {
	DB_OK = 0,
	DB_ROW = 1,        /* db_step: a row is ready */
	DB_DONE = 2,       /* db_step: no more rows */
	DB_ERROR = -1,     /* any other failure */
	DB_CONSTRAINT = -2, /* a UNIQUE/FOREIGN KEY/CHECK constraint failed */
	DB_BUSY = -3,      /* locked for longer than the busy timeout */
	DB_NOMEM = -4,
	DB_CONN = -5,      /* the server is unreachable (PostgreSQL) */
};

/* Opens url; on failure returns NULL and writes a one-line reason in err. */
db *db_open(const char *url, char *err, size_t errlen);
void db_close(db *d);
const char *db_error(const db *d);
const char *db_backend(const db *d); /* "sqlite" or "postgres" */
/* True on PostgreSQL, where a statement has a dialect of its own. */
bool db_is_postgres(const db *d);

/* For a server: SQLite's WAL checkpoints run on a thread of their own
 * instead of inside the commits of requests, for every connection to url in
 * this process (PostgreSQL: nothing to do). 0, or -1 with err. */
int db_checkpoints_start(const char *url, char *err, size_t errlen);
void db_checkpoints_stop(void);

/* Runs SQL with no parameters and no rows (may hold several statements). */
int db_exec(db *d, const char *sql);

/* Transactions. db_begin_write takes the write lock before the
 * transaction's first statement runs (SQLite BEGIN IMMEDIATE: at once;
 * PostgreSQL sends BEGIN and the lock with that statement, whose step
 * reports their failure), for read-modify-write sequences. */
int db_begin(db *d);
int db_begin_write(db *d);
/* A write transaction that needs no other writer to wait: it adds rows,
 * bumps counters by upsert, and changes only rows it locks itself (FOR
 * UPDATE SKIP LOCKED). SQLite has one writer at a time in any case
 * (db_begin_write); PostgreSQL runs it beside the others, without the
 * cluster-wide write lock, the row locks keeping it correct. */
int db_begin_concurrent(db *d);
int db_commit(db *d);
int db_rollback(db *d);
/* True inside a transaction begun on d. */
bool db_in_transaction(db *d);
/* From on until off, d's reads share one snapshot: a page's statements run
 * in one read transaction, not one each (on SQLite each takes the
 * WAL-index lock, which the process's threads queue for). A write on d, or
 * a transaction begun on it, ends the snapshot first, so what follows sees
 * the newest commit and the write's own. Off at the request's end. Not
 * counted by db_in_transaction. PostgreSQL: drops what db_prefetch sent
 * ahead and no step took. */
void db_read_snapshot(db *d, bool on);

/* Returns the cached prepared statement for sql (a literal), or NULL.
 * A NULL statement may be passed on to the binds (which do nothing) and to
 * any step (DB_ERROR), so a query checks for failure once, at its step;
 * db_error() keeps the prepare's message. */
db_stmt *db_prepare(db *d, const char *sql);
/* Parameters are numbered from 1. Text and blobs are copied. */
int db_bind_int(db_stmt *s, int index, int64_t value);
int db_bind_text(db_stmt *s, int index, const char *text); /* NULL binds NULL */
int db_bind_blob(db_stmt *s, int index, const void *data, size_t len);
int db_bind_null(db_stmt *s, int index);
/* Sends the bound statement s ahead of its step. On PostgreSQL the
 * statements prefetched one after the other travel in one round trip, and
 * the store function that then prepares the same SQL, binds the same values
 * and steps gets the rows without asking again: a page whose reads all
 * follow from one row sends them at once. Reads outside a transaction
 * only; a write, a transaction, or the request's end (db_read_snapshot)
 * drops what no step took. SQLite: nothing to gain, s is reset. */
void db_prefetch(db_stmt *s);
/* Marks s as a statement whose failure its caller handles and then goes
 * on with the transaction (a number already taken: try another). Inside a
 * transaction PostgreSQL runs it under a savepoint, so that its failure
 * undoes only itself; a failure of any other statement there aborts the
 * transaction, and db_commit then fails. SQLite undoes a failed statement
 * alone either way. Call after db_prepare, before the step. */
void db_recoverable(db_stmt *s);
/* Marks s as a write whose caller needs no rows from it and rolls back on
 * its failure (db_step_done). Inside a transaction PostgreSQL sends it
 * without waiting for its answer, which the next statement's round trip
 * or the COMMIT brings back: its failure is reported there, and the
 * transaction is aborted as any failed write leaves it: a reply made a
 * dozen round trips inside the write lock, a quarter of them for writes
 * like these. Not for a recoverable statement; SQLite runs it at once.
 * Call after db_prepare. */
void db_deferrable(db_stmt *s);
/* DB_ROW, DB_DONE, or a negative error. */
int db_step(db_stmt *s);
/* Columns are numbered from 0; values are valid until the next step/done. */
bool db_col_null(db_stmt *s, int col);
int64_t db_col_int(db_stmt *s, int col);
const char *db_col_text(db_stmt *s, int col); /* "" for NULL */
const void *db_col_blob(db_stmt *s, int col, size_t *len);
/* Resets the statement and clears its bindings, ready for reuse. */
void db_done(db_stmt *s);

/* Convenience: steps once and returns the first column as an integer;
 * returns fallback when there is no row. Calls db_done. */
int64_t db_scalar_int(db_stmt *s, int64_t fallback);

/* Shared by every store file. Each calls db_done. */
/* Steps once, expecting no row: DB_OK, or the error. */
int db_step_done(db_stmt *s);
/* Runs sql with $1 bound to v: 1 when it returns a row, 0 when it returns
 * none, or < 0. */
int db_any_row(db *d, const char *sql, int64_t v);
/* Steps once and returns the first column of the row (an id from
 * RETURNING), or a negative error (DB_ERROR when there is no row). */
int64_t db_step_id(db_stmt *s);
/* A copy of a text column in a; "" when out of memory. */
const char *db_col_text_dup(db_stmt *s, int col, arena *a);

/* A store file's reader of one row shape: fills *row (a struct of its own
 * kind) from the current row's columns, strings copied into a. */
typedef void db_row_reader(db_stmt *s, arena *a, void *row);
/* Steps once and reads the row, if any, with read: 1 found, 0 none, or a
 * negative error. */
int db_read_one(db_stmt *s, db_row_reader *read, arena *a, void *row);
/* Steps up to max rows into the array rows (elements of size bytes), each
 * read with read: the number read, or a negative error.
 * A short list that the domain bounds (a ticket's CCs, links and field
 * values, the custom fields, the predefined replies) is asked for with
 * ORDER BY and no LIMIT; this stops at max. With a LIMIT, SQLite keeps the
 * first rows in a temporary b-tree, which costs about 25,000 instructions
 * even for no rows (a client's ticket page made three: 23% of it); without
 * one it sorts in memory. A list without a bound keeps its LIMIT and gets
 * an index in its order instead (migration 0034). */
int db_read_rows(db_stmt *s, db_row_reader *read, arena *a, void *rows, size_t size, int max);
/* Steps up to max rows, keeping each one's first column (an id) in ids:
 * the number read, or a negative error. */
int db_read_ids(db_stmt *s, int64_t *ids, int max);

/* Migrations: applies every migration newer than the schema's version, each
 * in its own transaction; safe to call on every start and concurrently with
 * another process. Returns the number applied, or a negative error. */
int db_migrate(db *d);
int db_schema_version(db *d);

#endif
