#include "store/search_store.h"

#include <stdbool.h>
#include <string.h>

int store_ticket_search_put(db *d, int64_t ticket_id, const char *doc)
{
	static const char pg_sql[] =
		"INSERT INTO ticket_search (ticket_id, doc) VALUES ($1, $2) "
		"ON CONFLICT (ticket_id) DO UPDATE SET doc = excluded.doc";
	/* FTS5 has no upsert: the old row goes first. */
	static const char sqlite_delete[] = "DELETE FROM ticket_search WHERE rowid = $1";
	static const char sqlite_insert[] = "INSERT INTO ticket_search (rowid, doc) VALUES ($1, $2)";
	if (db_is_postgres(d)) {
		db_stmt *s = db_prepare(d, pg_sql);
		db_bind_int(s, 1, ticket_id);
		db_bind_text(s, 2, doc);
		return db_step_done(s);
	}
	db_stmt *s = db_prepare(d, sqlite_delete);
	db_bind_int(s, 1, ticket_id);
	int rc = db_step_done(s);
	if (rc < 0)
		return rc;
	s = db_prepare(d, sqlite_insert);
	db_bind_int(s, 1, ticket_id);
	db_bind_text(s, 2, doc);
	return db_step_done(s);
}

int store_ticket_search_delete(db *d, int64_t ticket_id)
{
	db_stmt *s = db_prepare(d, db_is_postgres(d) ? "DELETE FROM ticket_search WHERE ticket_id = $1"
	                                       : "DELETE FROM ticket_search WHERE rowid = $1");
	db_bind_int(s, 1, ticket_id);
	return db_step_done(s);
}

int store_ticket_search_mark(db *d, int64_t ticket_id, int64_t now_ms)
{
	static const char sql[] =
		"INSERT INTO ticket_search_pending (ticket_id, marked_at) VALUES ($1, $2) "
		"ON CONFLICT (ticket_id) DO UPDATE SET seq = ticket_search_pending.seq + 1";
	db_stmt *s = db_prepare(d, sql);
	db_deferrable(s);
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, now_ms);
	return db_step_done(s);
}

int store_ticket_search_mark_client(db *d, int64_t client_id, int64_t now_ms)
{
	/* "WHERE true": SQLite reads ON CONFLICT after a bare SELECT's FROM as
	 * a join constraint. */
	static const char sql[] =
		"INSERT INTO ticket_search_pending (ticket_id, marked_at) "
		"SELECT id, $2 FROM tickets WHERE client_id = $1 AND true "
		"ON CONFLICT (ticket_id) DO UPDATE SET seq = ticket_search_pending.seq + 1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, now_ms);
	return db_step_done(s);
}

int store_ticket_search_marked(db *d, int64_t marked_by, int64_t *ids, int64_t *seqs, int max)
{
	static const char sql[] =
		"SELECT ticket_id, seq FROM ticket_search_pending WHERE marked_at <= $2 "
		"ORDER BY ticket_id LIMIT $1";
	static const char sql_skip_locked[] =
		"SELECT ticket_id, seq FROM ticket_search_pending WHERE marked_at <= $2 "
		"ORDER BY ticket_id LIMIT $1 FOR UPDATE SKIP LOCKED";
	db_stmt *s = db_prepare(d, db_is_postgres(d) ? sql_skip_locked : sql);
	db_bind_int(s, 1, max);
	db_bind_int(s, 2, marked_by);
	int n = 0, rc = DB_DONE;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		ids[n] = db_col_int(s, 0);
		seqs[n++] = db_col_int(s, 1);
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_ticket_search_unmark(db *d, int64_t ticket_id, int64_t seq)
{
	static const char sql[] = "DELETE FROM ticket_search_pending WHERE ticket_id = $1 AND seq = $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, seq);
	return db_step_done(s);
}

int store_ticket_search_any_marked(db *d, int64_t marked_by)
{
	db_stmt *s = db_prepare(d, "SELECT 1 FROM ticket_search_pending WHERE marked_at <= $1 LIMIT 1");
	db_bind_int(s, 1, marked_by);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc < 0 ? rc : 0;
}

int store_ticket_search_bodies(db *d, int64_t ticket_id, int (*each)(void *arg, const char *body),
                               void *arg)
{
	static const char sql[] =
		"SELECT body FROM messages WHERE ticket_id = $1 ORDER BY created_at, id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	int rc, stop = 0;
	while ((rc = db_step(s)) == DB_ROW && stop == 0)
		stop = each(arg, db_col_text(s, 0));
	db_done(s);
	if (rc < 0)
		return rc;
	return stop;
}

int store_ticket_ids_after(db *d, int64_t after, int64_t *ids, int max)
{
	static const char sql[] = "SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, after);
	db_bind_int(s, 2, max);
	return db_read_ids(s, ids, max);
}

const char *store_ticket_search_match(db *d, arena *a, const char *const *words, int nwords,
                                      bool prefix_last)
{
	bool pg = db_is_postgres(d);
	size_t n = 1;
	for (int i = 0; i < nwords; i++)
		n += strlen(words[i]) + 8;
	char *out = arena_alloc(a, n);
	if (!out)
		return NULL;
	size_t j = 0;
	/* The words hold no quotes or spaces (the folding made them separators),
	 * so quoting them is enough to keep them plain words. */
	for (int i = 0; i < nwords; i++) {
		bool prefix = prefix_last && i == nwords - 1;
		size_t len = strlen(words[i]);
		if (i > 0) {
			if (pg) {
				memcpy(out + j, " & ", 3);
				j += 3;
			} else {
				out[j++] = ' ';
			}
		}
		out[j++] = pg ? '\'' : '"';
		memcpy(out + j, words[i], len);
		j += len;
		out[j++] = pg ? '\'' : '"';
		if (prefix && pg) {
			memcpy(out + j, ":*", 2);
			j += 2;
		} else if (prefix) {
			out[j++] = '*';
		}
	}
	out[j] = '\0';
	return out;
}
