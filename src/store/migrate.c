/* Schema migrations: the numbered files of src/store/migrations/, embedded
 * in the binary, applied in order, each once, each in its own write
 * transaction, recorded in schema_migrations. Written against db.h only,
 * so every backend migrates the same way. */
#include "store/db_internal.h"

#include <string.h>
#include <time.h>

static bool name_ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* False for a migration written for the other backend only (see
 * db_internal.h): "_sqlite" runs on SQLite, "_pgsql" on PostgreSQL. */
static bool migration_runs_here(db *d, const struct db_migration *m)
{
	if (name_ends_with(m->name, "_sqlite"))
		return strcmp(db_backend(d), "sqlite") == 0;
	if (name_ends_with(m->name, "_pgsql"))
		return strcmp(db_backend(d), "postgres") == 0;
	return true;
}

static int migrations_table_ensure(db *d)
{
	int rc;

	rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	rc = db_exec(d, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, "
	    "name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)");
	if (rc < 0)
		goto fail;
	rc = db_commit(d);
	if (rc < 0)
		goto fail;
	return DB_OK;
fail:
	db_prefix_error(d, "cannot create schema_migrations");
	db_rollback(d);
	return rc;
}

/* 1 if version is recorded as applied, 0 if not, or a negative error. */
static int migration_is_applied(db *d, int version)
{
	db_stmt *st;
	int rc;

	st = db_prepare(d,
	    "SELECT 1 FROM schema_migrations WHERE version = $1");
	if (st == NULL)
		return DB_ERROR;
	rc = db_bind_int(st, 1, version);
	if (rc == DB_OK)
		rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW;
}

static int migration_record(db *d, const struct db_migration *m)
{
	db_stmt *st;
	int rc;

	st = db_prepare(d, "INSERT INTO schema_migrations "
	    "(version, name, applied_at) VALUES ($1, $2, $3)");
	if (st == NULL)
		return DB_ERROR;
	rc = db_bind_int(st, 1, m->version);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, m->name);
	if (rc == DB_OK)
		rc = db_bind_int(st, 3, (int64_t)time(NULL));
	if (rc == DB_OK)
		rc = db_step(st);
	db_done(st);
	return rc < 0 ? rc : DB_OK;
}

/* Applies m unless it is already recorded. The check happens inside the
 * write transaction, so when two processes start at once the second one
 * waits for the first and then finds the version applied.
 * Returns 1 if applied, 0 if it already was, or a negative error. */
static int migration_apply(db *d, const struct db_migration *m)
{
	int rc;

	if (!migration_runs_here(d, m))
		return 0;
	rc = db_begin_write(d);
	if (rc < 0)
		goto fail;
	rc = migration_is_applied(d, m->version);
	if (rc != 0) {
		if (rc < 0)
			goto fail;
		db_rollback(d);
		return 0;
	}
	rc = db_exec(d, m->sql);
	if (rc < 0)
		goto fail;
	rc = migration_record(d, m);
	if (rc < 0)
		goto fail;
	rc = db_commit(d);
	if (rc < 0)
		goto fail;
	return 1;
fail:
	db_prefix_error(d, "migration %04d_%s", m->version, m->name);
	db_rollback(d);
	return rc;
}

/* 0 for a database never migrated; a negative error if it cannot tell. */
int db_schema_version(db *d)
{
	db_stmt *st;
	int rc, version = 0;

	rc = d->driver->table_exists(d, "schema_migrations");
	if (rc <= 0)
		return rc;
	st = db_prepare(d,
	    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
	if (st == NULL)
		return DB_ERROR;
	rc = db_step(st);
	if (rc == DB_ROW)
		version = (int)db_col_int(st, 0);
	db_done(st);
	return rc < 0 ? rc : version;
}

/* Refuses a database that a newer program has migrated: this one would not
 * know its tables, and writing to them could lose data. */
static int schema_not_newer(db *d)
{
	int latest = db_migrations[db_migration_count - 1].version;
	int current = db_schema_version(d);

	if (current < 0)
		return current;
	if (current > latest) {
		db_set_error(d, "the database schema is version %d, newer "
		    "than this program knows (%d); upgrade Chamado", current,
		    latest);
		return DB_ERROR;
	}
	return DB_OK;
}

static int migrations_apply_all(db *d)
{
	int applied = 0, rc;
	size_t i;

	rc = migrations_table_ensure(d);
	if (rc < 0)
		return rc;
	rc = schema_not_newer(d);
	if (rc < 0)
		return rc;
	for (i = 0; i < db_migration_count; i++) {
		rc = migration_apply(d, &db_migrations[i]);
		if (rc < 0)
			return rc;
		applied += rc;
	}
	return applied;
}

int db_migrate(db *d)
{
	int rc;

	if (d->driver->migrate_lock != NULL) {
		rc = d->driver->migrate_lock(d, true);
		if (rc < 0) {
			db_prefix_error(d, "cannot take the migration lock");
			return rc;
		}
	}
	rc = migrations_apply_all(d);
	if (d->driver->migrate_lock != NULL)
		(void)d->driver->migrate_lock(d, false);
	return rc;
}
