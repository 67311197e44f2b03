/* What the database drivers share with db.c, and nothing callers need.
 *
 * A driver is a table of functions (struct db_driver). Each driver's
 * connection struct starts with a struct db and each statement with a
 * struct db_stmt, so db.c can dispatch on d->driver without knowing the
 * backend, and a PostgreSQL driver slots in beside db_sqlite.c. */
#ifndef CHAMADO_DB_INTERNAL_H
#define CHAMADO_DB_INTERNAL_H

#include "store/db.h"

#include <stdarg.h>

#define DB_ERROR_MAX 512

struct db_driver {
	const char *name; /* what db_backend() returns */
	/* Statements that open a transaction: a plain one, and one that takes
	 * the write lock at once. */
	const char *begin_sql;
	const char *begin_write_sql;

	/* Optional: the last failure's message, when not in d->error. */
	const char *(*error)(const db *d);
	void (*close)(db *d);
	int (*exec)(db *d, const char *sql);
	bool (*in_transaction)(db *d);
	/* Optional: db_read_snapshot. */
	void (*read_snapshot)(db *d, bool on);
	/* 1 if the table exists, 0 if not, a negative DB_E* code on error. */
	int (*table_exists)(db *d, const char *table);
	/* Optional: takes (lock) or releases (!lock) a lock that keeps other
	 * processes from migrating at the same time, beyond what
	 * begin_write_sql gives (PostgreSQL's DDL needs it). */
	int (*migrate_lock)(db *d, bool lock);

	db_stmt *(*prepare)(db *d, const char *sql);
	int (*bind_int)(db_stmt *s, int index, int64_t value);
	int (*bind_text)(db_stmt *s, int index, const char *text);
	int (*bind_blob)(db_stmt *s, int index, const void *data, size_t len);
	int (*bind_null)(db_stmt *s, int index);
	/* Optional: db_prefetch. */
	void (*prefetch)(db_stmt *s);
	int (*step)(db_stmt *s);
	bool (*col_null)(db_stmt *s, int col);
	int64_t (*col_int)(db_stmt *s, int col);
	const char *(*col_text)(db_stmt *s, int col);
	const void *(*col_blob)(db_stmt *s, int col, size_t *len);
	void (*done)(db_stmt *s);
};

/* The first member of every driver's connection. */
struct db {
	const struct db_driver *driver;
	char error[DB_ERROR_MAX];
};

/* The first member of every driver's statement. */
struct db_stmt {
	db *owner;
	bool recoverable; /* db_recoverable */
	bool deferrable;  /* db_deferrable */
};

/* Replaces d's error message (printf-style). */
void db_set_error(db *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Puts "prefix: " (printf-style) in front of d's current error message. */
void db_prefix_error(db *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Driver entry points, called by db_open with the part after the scheme. */
db *db_sqlite_open(const char *path, char *err, size_t errlen);
/* conninfo: a postgres:// or postgresql:// URL or a libpq "key=value"
 * connection string. */
db *db_pgsql_open(const char *conninfo, char *err, size_t errlen);
/* The process's one checkpoint thread for the SQLite file at path
 * (sqlite_checkpoint.c). 0, or -1 with err; stop does nothing when none runs
 * and checkpoints once more before it returns. */
int sqlite_checkpoints_start(const char *path, char *err, size_t errlen);
void sqlite_checkpoints_stop(void);

/* The migrations under src/store/migrations/, embedded at build time by
 * tools/embed into a generated source, ordered by version from 1 up.
 * One numbering serves every backend. A file whose name ends in
 * "_sqlite.sql" runs only on SQLite and one ending in "_pgsql.sql" only on
 * PostgreSQL, for what each backend does its own way (full-text search,
 * triggers); such a pair may share one number (0008_x_sqlite.sql and
 * 0008_x_pgsql.sql), so a schema version means the same on both. A version
 * is recorded when this backend's file for it runs; one with no file for
 * this backend is left unrecorded (and a twin added later still runs). */
struct db_migration {
	int version;      /* 1 for 0001_schema.sql */
	const char *name; /* "schema" */
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const size_t db_migration_count;

#endif
