#include "store/relation_store.h"

#include <string.h>

int store_ticket_link_add(db *d, int64_t a, int64_t b, int64_t now)
{
	static const char sql[] =
		"INSERT INTO ticket_links (ticket_a, ticket_b, created_at) VALUES ($1, $2, $3)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_recoverable(s);
	db_bind_int(s, 1, a < b ? a : b);
	db_bind_int(s, 2, a < b ? b : a);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_ticket_link_remove(db *d, int64_t a, int64_t b)
{
	static const char sql[] =
		"DELETE FROM ticket_links WHERE ticket_a = $1 AND ticket_b = $2 RETURNING ticket_a";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, a < b ? a : b);
	db_bind_int(s, 2, a < b ? b : a);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

/* A short list, ordered without LIMIT (db_read_rows in db.h). */
static db_stmt *links_stmt(db *d, int64_t ticket_id)
{
	static const char sql[] =
		"SELECT t.id, t.number, t.subject, t.status, t.department_id, t.client_id FROM tickets t "
		"JOIN ticket_links l ON (l.ticket_a = $1 AND t.id = l.ticket_b) "
		"OR (l.ticket_b = $1 AND t.id = l.ticket_a) ORDER BY t.number";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	return s;
}

int store_ticket_links(db *d, int64_t ticket_id, arena *a, struct ticket_row *rows, int max)
{
	db_stmt *s = links_stmt(d, ticket_id);
	if (!s)
		return DB_ERROR;
	int n = 0, rc = DB_DONE;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		memset(&rows[n], 0, sizeof rows[n]);
		rows[n].id = db_col_int(s, 0);
		rows[n].number = db_col_int(s, 1);
		rows[n].subject = db_col_text_dup(s, 2, a);
		rows[n].status = db_col_text_dup(s, 3, a);
		rows[n].department_id = db_col_int(s, 4);
		rows[n].client_id = db_col_int(s, 5);
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

void store_ticket_links_prefetch(db *d, int64_t ticket_id)
{
	db_prefetch(links_stmt(d, ticket_id));
}

int store_messages_move_tail(db *d, int64_t from_id, int64_t to_id, int64_t first_message_id)
{
	static const char sql[] =
		"UPDATE messages SET ticket_id = $2 WHERE ticket_id = $1 AND id >= $3 RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, from_id);
	db_bind_int(s, 2, to_id);
	db_bind_int(s, 3, first_message_id);
	int n = 0, rc;
	while ((rc = db_step(s)) == DB_ROW)
		n++;
	db_done(s);
	return rc < 0 ? rc : n;
}
