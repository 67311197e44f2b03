/* Group commit for the SQLite writers of one process.
 *
 * Every write transaction (db_begin_write) on a file runs on one connection
 * of the process's, the group's writer, one at a time, as a savepoint of a
 * batch. A writer that ends while others wait for their turn leaves the
 * batch open for them; the last one commits it, and every writer of the
 * batch learns the outcome of that one COMMIT before its own db_commit
 * returns. A ticket's rows then share pages and one WAL write with its
 * neighbours', and the write lock passes on without SQLite's busy sleeps. */
#ifndef CHAMADO_SQLITE_GROUP_H
#define CHAMADO_SQLITE_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"

typedef struct sqlite_group sqlite_group;
typedef struct sqlite_batch sqlite_batch;

/* Opens the group's writer connection, at its first use. */
typedef db *sqlite_open_fn(const char *path, char *err, size_t errlen);

/* The group of the database file at path (its canonical name), shared by
 * this process's connections to it; NULL when out of memory. */
sqlite_group *sqlite_group_get(const char *path, sqlite_open_fn *open);
/* The group of path when this process has one, else NULL; put it back. */
sqlite_group *sqlite_group_find(const char *path);
void sqlite_group_put(sqlite_group *g);

/* Waits at most timeout_ms for the turn, then joins the open batch (or
 * begins one). The writer connection, on which the caller's work runs until
 * sqlite_group_leave; NULL with *rc (DB_BUSY past the timeout) and err. */
db *sqlite_group_enter(sqlite_group *g, int timeout_ms, sqlite_batch **batch, int *rc, char *err,
                       size_t errlen);

/* Ends the caller's part of batch: kept (its COMMIT) or undone (ROLLBACK).
 * A kept part returns once the batch has ended: DB_OK when it committed,
 * else the error (with err) and the part is lost with the whole batch. */
int sqlite_group_leave(sqlite_group *g, sqlite_batch *batch, bool keep, char *err, size_t errlen);

/* For a write outside db_begin_write (an autocommit statement, or a
 * deferred transaction that starts writing) that found the file locked:
 * waits at most timeout_ms for the turn, ends the open batch, and keeps the
 * turn so that the statement can take SQLite's lock. 0, or DB_BUSY. */
int sqlite_group_hold(sqlite_group *g, int timeout_ms);
void sqlite_group_release(sqlite_group *g);

#endif
