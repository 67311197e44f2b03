/* Backup, export and import of a whole database (see transfer.h).
 *
 * The statements here are built from the catalog (table and column
 * names), so they are not literals: each lives in a pool until the end of
 * the call, and the connection must only be closed afterwards (db.h keys
 * its statement cache by the SQL text's address). Values are always bound. */
#include "store/transfer.h"

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db_internal.h"

#define TABLES_MAX 256
#define COLUMNS_MAX 128
#define NAME_MAX_LEN 63

enum col_type { COL_INT, COL_TEXT, COL_BLOB };

struct table {
	char name[NAME_MAX_LEN + 1];
	int ncolumns;
	char columns[COLUMNS_MAX][NAME_MAX_LEN + 1];
	enum col_type types[COLUMNS_MAX];
	char parents[8][NAME_MAX_LEN + 1];
	int nparents;
	bool done;
};

struct sql_pool {
	char *sql[TABLES_MAX * 2 + 8];
	int n;
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A statement text that stays valid until pool_free. */
static const char *pool_printf(struct sql_pool *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *pool_printf(struct sql_pool *p, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	if (p->n >= (int)(sizeof p->sql / sizeof p->sql[0]))
		return NULL;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p->sql[p->n++] = s;
	return s;
}

static void pool_free(struct sql_pool *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->sql[i]);
	p->n = 0;
}

/* Table and column names come from our own schema; refuse anything else
 * rather than quote it. */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* ---- backup ---- */

int store_backup_sqlite(const char *path, const char *dest, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *out = NULL;
	sqlite3_backup *b;
	int rc;

	if (access(dest, F_OK) == 0) {
		fail(err, errlen, "%s already exists", dest);
		return -1;
	}
	rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		fail(err, errlen, "%s", sqlite3_errmsg(out ? out : src));
		goto done;
	}
	sqlite3_busy_timeout(src, 5000);
	b = sqlite3_backup_init(out, "main", src, "main");
	if (b == NULL) {
		rc = sqlite3_errcode(out);
		fail(err, errlen, "%s", sqlite3_errmsg(out));
		goto done;
	}
	/* In steps, so writers are held up for one step at a time; a write
	 * in between restarts the copy, which stays a consistent snapshot. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	else
		fail(err, errlen, "%s", sqlite3_errmsg(out));
	if (rc == SQLITE_OK &&
	    (rc = sqlite3_exec(out, "PRAGMA journal_mode = WAL", NULL, NULL, NULL)) != SQLITE_OK)
		fail(err, errlen, "%s", sqlite3_errmsg(out));
done:
	sqlite3_close(out);
	sqlite3_close(src);
	if (rc != SQLITE_OK)
		unlink(dest);
	return rc == SQLITE_OK ? 0 : -1;
}

/* ---- the catalog ---- */

static enum col_type type_of(const char *declared)
{
	if (strcasestr(declared, "int") != NULL)
		return COL_INT;
	if (strcasestr(declared, "blob") != NULL || strcasestr(declared, "bytea") != NULL)
		return COL_BLOB;
	return COL_TEXT;
}

/* The tables to copy, with their columns and parents. */
static int tables_read(db *d, struct table *t, int max, char *err, size_t errlen)
{
	static const char sqlite_tables[] =
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
		"ESCAPE '\\' AND name <> 'schema_migrations' AND sql NOT LIKE 'CREATE VIRTUAL%' "
		"AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table' "
		"AND v.sql LIKE 'CREATE VIRTUAL%' AND sqlite_master.name LIKE v.name || '\\_%' ESCAPE '\\') "
		"ORDER BY name";
	static const char pg_tables[] =
		"SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
		"AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name";
	static const char sqlite_columns[] =
		"SELECT name, type FROM pragma_table_info($1) ORDER BY cid";
	static const char pg_columns[] =
		"SELECT column_name, data_type FROM information_schema.columns "
		"WHERE table_schema = current_schema() AND table_name = $1 "
		"AND is_generated = 'NEVER' ORDER BY ordinal_position"; /* computed, not copied */
	static const char sqlite_parents[] =
		"SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)";
	static const char pg_parents[] =
		"SELECT DISTINCT p.relname FROM pg_constraint c JOIN pg_class k ON k.oid = c.conrelid "
		"JOIN pg_class p ON p.oid = c.confrelid WHERE c.contype = 'f' AND k.relname = $1";
	bool pg = db_is_postgres(d);
	db_stmt *s = db_prepare(d, pg ? pg_tables : sqlite_tables);
	int n = 0, rc;

	if (s == NULL)
		goto db_fail;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *name = db_col_text(s, 0);

		if (!name_ok(name))
			continue; /* not ours (FTS shadow tables are caught above) */
		if (n == max) {
			db_done(s);
			fail(err, errlen, "more than %d tables", max);
			return -1;
		}
		memset(&t[n], 0, sizeof t[n]);
		snprintf(t[n].name, sizeof t[n].name, "%s", name);
		n++;
	}
	db_done(s);
	if (rc < 0)
		goto db_fail;
	for (int i = 0; i < n; i++) {
		s = db_prepare(d, pg ? pg_columns : sqlite_columns);
		if (s == NULL)
			goto db_fail;
		db_bind_text(s, 1, t[i].name);
		while ((rc = db_step(s)) == DB_ROW && t[i].ncolumns < COLUMNS_MAX) {
			const char *col = db_col_text(s, 0);

			if (!name_ok(col)) {
				db_done(s);
				fail(err, errlen, "unexpected column name in %s", t[i].name);
				return -1;
			}
			snprintf(t[i].columns[t[i].ncolumns], NAME_MAX_LEN + 1, "%s", col);
			t[i].types[t[i].ncolumns++] = type_of(db_col_text(s, 1));
		}
		db_done(s);
		if (rc < 0)
			goto db_fail;
		s = db_prepare(d, pg ? pg_parents : sqlite_parents);
		if (s == NULL)
			goto db_fail;
		db_bind_text(s, 1, t[i].name);
		while ((rc = db_step(s)) == DB_ROW && t[i].nparents < 8)
			snprintf(t[i].parents[t[i].nparents++], NAME_MAX_LEN + 1, "%s", db_col_text(s, 0));
		db_done(s);
		if (rc < 0)
			goto db_fail;
	}
	return n;
db_fail:
	fail(err, errlen, "reading the catalog: %s", db_error(d));
	return -1;
}

/* Puts t in an order where every table comes after the tables it refers
 * to (a table referring to itself does not count). */
static int tables_order(struct table *t, int n, int *order)
{
	int placed = 0;

	while (placed < n) {
		int before = placed;

		for (int i = 0; i < n; i++) {
			bool ready = !t[i].done;

			for (int p = 0; ready && p < t[i].nparents; p++)
				for (int j = 0; j < n; j++)
					if (j != i && !t[j].done && strcmp(t[j].name, t[i].parents[p]) == 0)
						ready = false;
			if (ready) {
				t[i].done = true;
				order[placed++] = i;
			}
		}
		if (placed == before)
			return -1; /* a cycle of foreign keys */
	}
	return 0;
}

/* ---- export ---- */

static json_t *column_json(db_stmt *s, int col, enum col_type type)
{
	if (db_col_null(s, col))
		return json_null();
	if (type == COL_INT)
		return json_integer(db_col_int(s, col));
	if (type == COL_TEXT)
		return json_string(db_col_text(s, col));
	size_t len = 0;
	const void *data = db_col_blob(s, col, &len);
	size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64len);
	json_t *v = NULL;
	if (b64 != NULL) {
		sodium_bin2base64(b64, b64len, data, len, sodium_base64_VARIANT_ORIGINAL);
		v = json_object();
		json_object_set_new(v, "base64", json_string(b64));
		free(b64);
	}
	return v;
}

static int line_write(FILE *out, json_t *j)
{
	int rc = j != NULL && json_dumpf(j, out, JSON_COMPACT | JSON_ENSURE_ASCII) == 0 &&
	         fputc('\n', out) != EOF ? 0 : -1;
	json_decref(j);
	return rc;
}

static int64_t table_export(db *d, struct sql_pool *pool, const struct table *t, FILE *out)
{
	json_t *columns = json_array(), *types = json_array();
	static const char *const type_names[] = {"int", "text", "blob"};
	char list[COLUMNS_MAX * (NAME_MAX_LEN + 4)] = "";
	size_t used = 0;
	int64_t rows = 0;

	for (int c = 0; c < t->ncolumns; c++) {
		json_array_append_new(columns, json_string(t->columns[c]));
		json_array_append_new(types, json_string(type_names[t->types[c]]));
		used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", c ? ", " : "",
		                         t->columns[c]);
	}
	json_t *head = json_object();
	json_object_set_new(head, "table", json_string(t->name));
	json_object_set_new(head, "columns", columns);
	json_object_set_new(head, "types", types);
	if (line_write(out, head) < 0)
		return -1;
	const char *sql = pool_printf(pool, "SELECT %s FROM \"%s\" ORDER BY 1", list, t->name);
	db_stmt *s = sql ? db_prepare(d, sql) : NULL;
	if (s == NULL)
		return -1;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *row = json_array();
		for (int c = 0; c < t->ncolumns; c++)
			json_array_append_new(row, column_json(s, c, t->types[c]));
		if (line_write(out, row) < 0) {
			db_done(s);
			return -1;
		}
		rows++;
	}
	db_done(s);
	return rc < 0 ? rc : rows;
}

int64_t store_export(db *d, FILE *out, char *err, size_t errlen)
{
	static struct table tables[TABLES_MAX];
	int order[TABLES_MAX];
	struct sql_pool pool = {.n = 0};
	int64_t total = 0;
	int n;

	if (db_begin(d) < 0) {
		fail(err, errlen, "%s", db_error(d));
		return -1;
	}
	if (db_is_postgres(d) && db_exec(d, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY") < 0)
		goto db_fail;
	n = tables_read(d, tables, TABLES_MAX, err, errlen);
	if (n < 0)
		goto out;
	if (tables_order(tables, n, order) < 0) {
		fail(err, errlen, "the foreign keys form a cycle");
		n = -1;
		goto out;
	}
	json_t *head = json_object();
	json_object_set_new(head, "chamado_dump", json_integer(1));
	json_object_set_new(head, "backend", json_string(db_backend(d)));
	json_object_set_new(head, "schema_version", json_integer(db_schema_version(d)));
	if (line_write(out, head) < 0)
		goto io_fail;
	for (int i = 0; i < n; i++) {
		int64_t rows = table_export(d, &pool, &tables[order[i]], out);
		if (rows < 0) {
			if (ferror(out))
				goto io_fail;
			goto db_fail;
		}
		total += rows;
	}
	json_t *end = json_object();
	json_object_set_new(end, "end", json_true());
	json_object_set_new(end, "rows", json_integer(total));
	if (line_write(out, end) < 0 || fflush(out) != 0)
		goto io_fail;
	db_rollback(d);
	pool_free(&pool);
	return total;
io_fail:
	fail(err, errlen, "cannot write the dump");
	n = -1;
	goto out;
db_fail:
	fail(err, errlen, "%s", db_error(d));
	n = -1;
out:
	db_rollback(d);
	pool_free(&pool);
	return -1;
}

/* ---- import ---- */

struct loading {
	char table[NAME_MAX_LEN + 1];
	int ncolumns;
	enum col_type types[COLUMNS_MAX];
	const char *insert;
};

static int header_read(json_t *j, db *d, struct loading *l, struct sql_pool *pool, char *err,
                       size_t errlen)
{
	const char *table = json_string_value(json_object_get(j, "table"));
	json_t *columns = json_object_get(j, "columns"), *types = json_object_get(j, "types");
	size_t n = json_array_size(columns);
	char list[COLUMNS_MAX * (NAME_MAX_LEN + 4)] = "", params[COLUMNS_MAX * 6] = "";
	size_t used = 0, pused = 0;

	if (!table || !name_ok(table) || n == 0 || n > COLUMNS_MAX || json_array_size(types) != n) {
		fail(err, errlen, "a bad table header in the dump");
		return -1;
	}
	snprintf(l->table, sizeof l->table, "%s", table);
	l->ncolumns = (int)n;
	for (size_t c = 0; c < n; c++) {
		const char *col = json_string_value(json_array_get(columns, c));
		const char *type = json_string_value(json_array_get(types, c));
		if (!col || !name_ok(col) || !type) {
			fail(err, errlen, "a bad column in the dump's table %s", table);
			return -1;
		}
		l->types[c] = strcmp(type, "int") == 0 ? COL_INT : strcmp(type, "blob") == 0 ? COL_BLOB : COL_TEXT;
		used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", c ? ", " : "", col);
		pused += (size_t)snprintf(params + pused, sizeof params - pused, "%s$%zu", c ? ", " : "", c + 1);
	}
	int exists = d->driver->table_exists(d, table);
	if (exists < 0) {
		fail(err, errlen, "%s", db_error(d));
		return -1;
	}
	if (exists == 0) { /* another backend's own (report_changes, empty between transactions) */
		l->insert = NULL;
		return 0;
	}
	/* Rows a migration put there (derived data) give way to the dump's. */
	const char *clear = pool_printf(pool, "DELETE FROM \"%s\"", table);
	l->insert = pool_printf(pool, "INSERT INTO \"%s\" (%s) VALUES (%s)", table, list, params);
	if (!clear || !l->insert || db_exec(d, clear) < 0) {
		fail(err, errlen, "%s: %s", table, db_error(d));
		return -1;
	}
	return 0;
}

static int row_load(json_t *row, db *d, const struct loading *l, char *err, size_t errlen)
{
	if (json_array_size(row) != (size_t)l->ncolumns) {
		fail(err, errlen, "a row of %s has %zu values, not %d", l->table, json_array_size(row),
		     l->ncolumns);
		return -1;
	}
	db_stmt *s = db_prepare(d, l->insert);
	if (s == NULL)
		goto db_fail;
	for (int c = 0; c < l->ncolumns; c++) {
		json_t *v = json_array_get(row, (size_t)c);
		if (json_is_null(v)) {
			db_bind_null(s, c + 1);
		} else if (l->types[c] == COL_INT && json_is_integer(v)) {
			db_bind_int(s, c + 1, json_integer_value(v));
		} else if (l->types[c] == COL_BLOB && json_is_object(v)) {
			const char *b64 = json_string_value(json_object_get(v, "base64"));
			size_t cap = b64 ? strlen(b64) : 0, len = 0;
			unsigned char *bin = malloc(cap + 1);
			if (!b64 || !bin || sodium_base642bin(bin, cap + 1, b64, cap, NULL, &len, NULL,
			                                      sodium_base64_VARIANT_ORIGINAL) != 0) {
				free(bin);
				db_done(s);
				fail(err, errlen, "a bad blob in %s", l->table);
				return -1;
			}
			db_bind_blob(s, c + 1, bin, len);
			free(bin);
		} else if (json_is_string(v)) {
			db_bind_text(s, c + 1, json_string_value(v));
		} else {
			db_done(s);
			fail(err, errlen, "a bad value in %s", l->table);
			return -1;
		}
	}
	int rc = db_step(s);
	db_done(s);
	if (rc == DB_DONE)
		return 0;
db_fail:
	fail(err, errlen, "%s: %s", l->table, db_error(d));
	return -1;
}

/* Moves every identity sequence past the highest id copied. */
static int sequences_reset(db *d, struct sql_pool *pool, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
		"AND column_name = 'id' AND is_identity = 'YES' ORDER BY table_name";
	char names[TABLES_MAX][NAME_MAX_LEN + 1];
	int n = 0, rc;
	db_stmt *s = db_prepare(d, sql);
	if (s == NULL)
		goto db_fail;
	while ((rc = db_step(s)) == DB_ROW && n < TABLES_MAX)
		snprintf(names[n++], NAME_MAX_LEN + 1, "%s", db_col_text(s, 0));
	db_done(s);
	if (rc < 0)
		goto db_fail;
	for (int i = 0; i < n; i++) {
		if (!name_ok(names[i]))
			continue;
		const char *reset = pool_printf(pool,
			"SELECT setval(pg_get_serial_sequence('\"%s\"', 'id'), "
			"COALESCE(max(id), 1), max(id) IS NOT NULL) FROM \"%s\"", names[i], names[i]);
		if (!reset || db_exec(d, reset) < 0)
			goto db_fail;
	}
	return 0;
db_fail:
	fail(err, errlen, "resetting the id sequences: %s", db_error(d));
	return -1;
}

/* 1 when the database already holds accounts or tickets. */
static int has_data(db *d)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM staff) "
	                          "+ (SELECT count(*) FROM tickets)";
	int64_t n = db_scalar_int(db_prepare(d, sql), -1);
	return n < 0 ? -1 : n > 0;
}

int64_t store_import(db *d, FILE *in, char *err, size_t errlen)
{
	struct sql_pool pool = {.n = 0};
	struct loading l = {.insert = NULL};
	char *line = NULL;
	size_t cap = 0;
	int64_t rows = 0;
	bool header = false, end = false;
	ssize_t len;

	if (!db_is_postgres(d)) {
		fail(err, errlen, "import loads into PostgreSQL (for SQLite, restore a backup)");
		return -1;
	}
	int data = has_data(d);
	if (data != 0) {
		fail(err, errlen, data < 0 ? "%s" : "the database is not empty (accounts or tickets exist)",
		     db_error(d));
		return -1;
	}
	if (db_begin_write(d) < 0)
		goto db_fail;
	/* The dump is consistent already: no triggers (they would count
	 * tickets twice) and no foreign-key checks while it loads. */
	if (db_exec(d, "SET LOCAL session_replication_role = replica") < 0) {
		fail(err, errlen, "%s (import needs a role allowed to set session_replication_role, "
		     "such as the superuser)", db_error(d));
		goto out;
	}
	while ((len = getline(&line, &cap, in)) > 0) {
		json_error_t jerr;
		json_t *j = json_loadb(line, (size_t)len, 0, &jerr);
		int rc = 0;

		if (j == NULL) {
			fail(err, errlen, "line %d of the dump: %s", jerr.line, jerr.text);
			goto out;
		}
		if (!header) {
			header = json_integer_value(json_object_get(j, "chamado_dump")) == 1;
			json_int_t version = json_integer_value(json_object_get(j, "schema_version"));
			if (!header)
				fail(err, errlen, "not a chamado dump");
			else if (version > db_schema_version(d))
				fail(err, errlen, "the dump's schema (version %lld) is newer than this "
				     "program's; upgrade Chamado", (long long)version);
			rc = header && version <= db_schema_version(d) ? 0 : -1;
		} else if (json_is_array(j)) {
			if (l.ncolumns == 0) {
				fail(err, errlen, "a row before its table in the dump");
				rc = -1;
			} else if (l.insert != NULL) {
				rc = row_load(j, d, &l, err, errlen);
				rows++;
			}
		} else if (json_object_get(j, "table")) {
			rc = header_read(j, d, &l, &pool, err, errlen);
		} else if (json_is_true(json_object_get(j, "end"))) {
			end = true;
		}
		json_decref(j);
		if (rc < 0)
			goto out;
	}
	if (!end) {
		fail(err, errlen, "the dump ends early (no end line): was the export cut short?");
		goto out;
	}
	if (sequences_reset(d, &pool, err, errlen) < 0)
		goto out;
	if (db_commit(d) < 0)
		goto db_fail;
	free(line);
	pool_free(&pool);
	return rows;
db_fail:
	fail(err, errlen, "%s", db_error(d));
out:
	db_rollback(d);
	free(line);
	pool_free(&pool);
	return -1;
}
