/* Moving a whole database: an online backup of a SQLite file, and a dump
 * of every table (export) that loads into an empty PostgreSQL database
 * (import), so a SQLite install can move to PostgreSQL:
 *
 *   chamado export --db sqlite:var/chamado.db | chamado import --db postgres://...
 *
 * The dump is JSON lines: a header {"chamado_dump": 1, "backend": ...,
 * "schema_version": N}; per table {"table": T, "columns": [...], "types":
 * ["int"|"text"|"blob", ...]} followed by one JSON array per row (a blob is
 * {"base64": "..."}); and {"end": true, "rows": N}. Tables come parents
 * first (foreign keys); schema_migrations and SQLite's search index are
 * left out (each backend builds its own). */
#ifndef CHAMADO_TRANSFER_STORE_H
#define CHAMADO_TRANSFER_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "store/db.h"

/* Copies the SQLite database at path into a new file dest with SQLite's
 * online backup API: a consistent snapshot while servers keep writing.
 * dest must not exist. 0, or -1 with the reason in err. */
int store_backup_sqlite(const char *path, const char *dest, char *err, size_t errlen);

/* Writes the dump of d to out. Returns the number of rows, or < 0 with
 * the reason in err. Reads in one transaction, so the dump is consistent. */
int64_t store_export(db *d, FILE *out, char *err, size_t errlen);

/* Loads a dump from in into d, which must be migrated and hold no
 * accounts or tickets yet, in one transaction; then moves each identity
 * sequence past the highest id. Returns the number of rows, or < 0 with
 * the reason in err. */
int64_t store_import(db *d, FILE *in, char *err, size_t errlen);

#endif
