/* The PostgreSQL driver (db_pgsql.c): one libpq connection per db, with a cache of
 * server-side prepared statements keyed by the address of their SQL text.
 *
 * What it does so that callers written against SQLite work unchanged:
 *
 * - Parameters are sent in text format with a type: INT8 for db_bind_int,
 *   BYTEA (binary format) for blobs, and "unknown" for text and NULL, so
 *   the server infers those from the context as it would for a literal.
 *   A statement is prepared on its first db_step, when the types are
 *   known; if a later execution binds a type the prepared form did not
 *   have (an INT8 where a NULL was), it is prepared again under a new name.
 * - Inside a transaction every statement runs under a savepoint, sent in
 *   the same round trip (libpq pipeline mode), so a failed statement (a
 *   UNIQUE violation the caller handles) undoes itself and leaves the
 *   transaction usable, as in SQLite; outside one, it runs on its own.
 * - db_begin_write takes a cluster-wide advisory lock for the transaction:
 *   write transactions run one at a time, as SQLite's BEGIN IMMEDIATE
 *   makes them, so read-modify-write sequences stay correct on many nodes.
 *   Writes that only add rows and bump counters (most openings) and queues
 *   that must scale (the outbox, SKIP LOCKED) use db_begin_concurrent.
 * - A lost connection fails the call it is found on with DB_CONN (the
 *   caller cannot know whether a write in flight was applied); the next
 *   call reconnects, and all statements are prepared again. A connection
 *   the server closed while it sat idle (a restart) is noticed before a
 *   statement is sent, and replaced without failing anything.
 * - Results come back in text format; booleans read as 1/0, bytea is
 *   unescaped on demand.
 * - db_exec rewrites the migrations' shared dialect: INTEGER PRIMARY KEY
 *   becomes an identity column, INTEGER BIGINT and BLOB BYTEA (outside
 *   literals, quoted names, comments and $$-quoted function bodies).
 *
 * This header: the text of SQL as the driver sees it: placeholders counted
 * outside literals, quoted names and comments, and the shared migration
 * dialect rewritten into PostgreSQL's (identity ids, BIGINT, BYTEA). */
#ifndef CHAMADO_PGSQL_SQL_H
#define CHAMADO_PGSQL_SQL_H

/* The most parameters one statement may have. */
#define PGSQL_PARAMS_MAX 1000

/* The highest $N in sql, outside literals, quoted names and comments;
 * -1 when a number is out of range. */
int pgsql_placeholders_count(const char *sql);

/* Rewrites the shared migration dialect into PostgreSQL's; returns a
 * malloc'd string, or NULL when out of memory. Literals, quoted names and
 * comments are copied as they are. */
char *pgsql_dialect_rewrite(const char *sql);

/* The DB_* code of a SQLSTATE (23xxx constraint, 08xxx connection, …). */
int pgsql_code_from_sqlstate(const char *state);

#endif
