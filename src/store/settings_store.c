#include "store/settings_store.h"

#include <stdio.h>

int store_setting_read(db *d, const char *key, char *out, size_t outlen)
{
	static const char sql[] = "SELECT value FROM settings WHERE key = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	int rc = db_step(s);
	snprintf(out, outlen, "%s", rc == DB_ROW ? db_col_text(s, 0) : "");
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : (rc < 0 ? rc : DB_ERROR);
}

void store_setting_get(db *d, const char *key, const char *fallback, char *out, size_t outlen)
{
	if (store_setting_read(d, key, out, outlen) != 1)
		snprintf(out, outlen, "%s", fallback);
}

int store_setting_set(db *d, const char *key, const char *value)
{
	static const char sql[] =
		"INSERT INTO settings (key, value) VALUES ($1, $2) "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, value);
	return db_step_done(s);
}

int store_setting_default(db *d, const char *key, const char *value)
{
	static const char sql[] =
		"INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, value);
	return db_step_done(s);
}

int store_setting_delete(db *d, const char *key)
{
	static const char sql[] = "DELETE FROM settings WHERE key = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	return db_step_done(s);
}

int store_ping(db *d)
{
	static const char sql[] = "SELECT 1";
	db_stmt *s = db_prepare(d, sql);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_ERROR);
}
