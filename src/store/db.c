/* The backend-neutral half of the database layer: picks a driver from the
 * URL, dispatches every call through its function table, and keeps the
 * connection's last error message. */
#include "store/db_internal.h"

#include <stdio.h>
#include <string.h>

static int url_has_scheme(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncmp(url, scheme, n) == 0;
}

/* True for a libpq connection string: "host=... dbname=..." (it starts
 * with a keyword and an equals sign). */
static bool looks_like_conninfo(const char *url)
{
	const char *p = url;

	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	if (p == url)
		return false;
	while (*p == ' ')
		p++;
	return *p == '=';
}

/* Names only the scheme of a URL we do not understand: the rest may hold a
 * password. */
static void url_unsupported(const char *url, char *err, size_t errlen)
{
	const char *colon = strchr(url, ':');

	if (colon != NULL)
		snprintf(err, errlen,
		    "unsupported database URL \"%.*s:...\"; use sqlite:PATH",
		    (int)(colon - url), url);
	else
		snprintf(err, errlen,
		    "unsupported database URL \"%s\"; use sqlite:PATH", url);
}

db *db_open(const char *url, char *err, size_t errlen)
{
	if (url == NULL || url[0] == '\0') {
		snprintf(err, errlen, "no database URL given; use sqlite:PATH");
		return NULL;
	}
	if (url_has_scheme(url, "sqlite:")) {
		const char *path = url + strlen("sqlite:");

		if (path[0] == '\0') {
			snprintf(err, errlen,
			    "database URL \"%s\" has no path; use sqlite:PATH",
			    url);
			return NULL;
		}
		return db_sqlite_open(path, err, errlen);
	}
	if (url_has_scheme(url, "postgres://") ||
	    url_has_scheme(url, "postgresql://") || looks_like_conninfo(url))
		return db_pgsql_open(url, err, errlen);
	url_unsupported(url, err, errlen);
	return NULL;
}

int db_checkpoints_start(const char *url, char *err, size_t errlen)
{
	if (!url || !url_has_scheme(url, "sqlite:"))
		return 0;
	return sqlite_checkpoints_start(url + strlen("sqlite:"), err, errlen);
}

void db_checkpoints_stop(void)
{
	sqlite_checkpoints_stop();
}

void db_close(db *d)
{
	if (d != NULL)
		d->driver->close(d);
}

const char *db_error(const db *d)
{
	if (d == NULL)
		return "no database connection";
	return d->driver->error != NULL ? d->driver->error(d) : d->error;
}

const char *db_backend(const db *d)
{
	return d->driver->name;
}

bool db_is_postgres(const db *d)
{
	return strcmp(d->driver->name, "postgres") == 0;
}

void db_set_error(db *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof d->error, fmt, ap);
	va_end(ap);
}

void db_prefix_error(db *d, const char *fmt, ...)
{
	char old[DB_ERROR_MAX];
	size_t len;
	va_list ap;

	memcpy(old, d->error, sizeof old);
	va_start(ap, fmt);
	vsnprintf(d->error, sizeof d->error, fmt, ap);
	va_end(ap);
	len = strlen(d->error);
	/* A message too long for the buffer is cut short; nothing to do. */
	if (snprintf(d->error + len, sizeof d->error - len, ": %s", old) < 0)
		d->error[len] = '\0';
}

int db_exec(db *d, const char *sql)
{
	return d->driver->exec(d, sql);
}

void db_read_snapshot(db *d, bool on)
{
	if (d && d->driver->read_snapshot)
		d->driver->read_snapshot(d, on);
}

int db_begin(db *d)
{
	return d->driver->exec(d, d->driver->begin_sql);
}

int db_begin_write(db *d)
{
	return d->driver->exec(d, d->driver->begin_write_sql);
}

int db_begin_concurrent(db *d)
{
	return db_is_postgres(d) ? db_begin(d) : db_begin_write(d);
}

int db_commit(db *d)
{
	return d->driver->exec(d, "COMMIT");
}

bool db_in_transaction(db *d)
{
	return d->driver->in_transaction(d);
}

/* Harmless when no transaction is open (a failed statement may already
 * have rolled it back), so `goto fail` paths can always call it; keeps the
 * message of the failure that led here unless the rollback itself fails. */
int db_rollback(db *d)
{
	if (!d->driver->in_transaction(d))
		return DB_OK;
	return d->driver->exec(d, "ROLLBACK");
}

db_stmt *db_prepare(db *d, const char *sql)
{
	return d->driver->prepare(d, sql);
}

void db_prefetch(db_stmt *s)
{
	if (s == NULL)
		return;
	if (s->owner->driver->prefetch)
		s->owner->driver->prefetch(s);
	else
		s->owner->driver->done(s);
}

void db_recoverable(db_stmt *s)
{
	if (s != NULL)
		s->recoverable = true;
}

void db_deferrable(db_stmt *s)
{
	if (s != NULL)
		s->deferrable = true;
}

int db_bind_int(db_stmt *s, int index, int64_t value)
{
	if (s == NULL)
		return DB_ERROR;
	return s->owner->driver->bind_int(s, index, value);
}

int db_bind_text(db_stmt *s, int index, const char *text)
{
	if (s == NULL)
		return DB_ERROR;
	if (text == NULL)
		return s->owner->driver->bind_null(s, index);
	return s->owner->driver->bind_text(s, index, text);
}

int db_bind_blob(db_stmt *s, int index, const void *data, size_t len)
{
	if (s == NULL)
		return DB_ERROR;
	return s->owner->driver->bind_blob(s, index, data, len);
}

int db_bind_null(db_stmt *s, int index)
{
	if (s == NULL)
		return DB_ERROR;
	return s->owner->driver->bind_null(s, index);
}

int db_step(db_stmt *s)
{
	if (s == NULL)
		return DB_ERROR;
	return s->owner->driver->step(s);
}

bool db_col_null(db_stmt *s, int col)
{
	return s->owner->driver->col_null(s, col);
}

int64_t db_col_int(db_stmt *s, int col)
{
	return s->owner->driver->col_int(s, col);
}

const char *db_col_text(db_stmt *s, int col)
{
	return s->owner->driver->col_text(s, col);
}

const void *db_col_blob(db_stmt *s, int col, size_t *len)
{
	return s->owner->driver->col_blob(s, col, len);
}

void db_done(db_stmt *s)
{
	if (s != NULL)
		s->owner->driver->done(s);
}

int64_t db_scalar_int(db_stmt *s, int64_t fallback)
{
	int64_t value = fallback;

	if (s == NULL)
		return fallback;
	if (db_step(s) == DB_ROW)
		value = db_col_int(s, 0);
	db_done(s);
	return value;
}

int db_step_done(db_stmt *s)
{
	int rc = db_step(s);
	db_done(s);
	return rc == DB_DONE ? DB_OK : (rc < 0 ? rc : DB_ERROR);
}

int db_any_row(db *d, const char *sql, int64_t v)
{
	db_stmt *s = db_prepare(d, sql);
	if (s == NULL)
		return DB_ERROR;
	db_bind_int(s, 1, v);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : (rc < 0 ? rc : DB_ERROR);
}

int64_t db_step_id(db_stmt *s)
{
	int rc = db_step(s);
	int64_t id = rc == DB_ROW ? db_col_int(s, 0) : (rc < 0 ? rc : DB_ERROR);
	db_done(s);
	return id;
}

const char *db_col_text_dup(db_stmt *s, int col, arena *a)
{
	const char *t = arena_strdup(a, db_col_text(s, col));
	return t ? t : "";
}

int db_read_one(db_stmt *s, db_row_reader *read, arena *a, void *row)
{
	int rc = db_step(s);
	if (rc == DB_ROW)
		read(s, a, row);
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

int db_read_rows(db_stmt *s, db_row_reader *read, arena *a, void *rows, size_t size, int max)
{
	int n = 0, rc = DB_DONE;
	while (n < max && (rc = db_step(s)) == DB_ROW)
		read(s, a, (char *)rows + (size_t)n++ * size);
	db_done(s);
	return rc < 0 ? rc : n;
}

int db_read_ids(db_stmt *s, int64_t *ids, int max)
{
	int n = 0, rc = DB_DONE;
	while (n < max && (rc = db_step(s)) == DB_ROW)
		ids[n++] = db_col_int(s, 0);
	db_done(s);
	return rc < 0 ? rc : n;
}
