#include "store/mail_store.h"

#include <stdio.h>
#include <string.h>

#include "store/zlib_codec.h"

static int64_t step_int(db_stmt *s, int64_t none)
{
	int rc = db_step(s);
	int64_t v = rc == DB_ROW ? db_col_int(s, 0) : (rc == DB_DONE ? none : rc);
	db_done(s);
	return v;
}

static void bind_optional_id(db_stmt *s, int index, int64_t id)
{
	if (id > 0)
		db_bind_int(s, index, id);
	else
		db_bind_null(s, index);
}

/* ASCII lowercase, as the email_lower columns hold addresses. */
static void lower_ascii(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in && in[i] && i + 1 < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

int64_t store_mail_inbound_insert(db *d, const struct mail_inbound_new *n)
{
	static const char sql[] =
		"INSERT INTO mail_inbound (message_id, source, sender, subject, status, raw_size, "
		"raw_encoding, raw, received_at, updated_at) "
		"VALUES ($1, $2, $3, $4, 'received', $5, $6, $7, $8, $8) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_recoverable(s);
	db_bind_text(s, 1, n->message_id);
	db_bind_text(s, 2, n->source ? n->source : "pipe");
	db_bind_text(s, 3, n->sender ? n->sender : "");
	db_bind_text(s, 4, n->subject ? n->subject : "");
	db_bind_int(s, 5, (int64_t)n->raw_len);
	/* Kept compressed; as sent when it does not compress. */
	buf packed;
	buf_init(&packed, n->raw_len + n->raw_len / 10 + 1024);
	bool compressed = n->raw && zlib_compress(n->raw, n->raw_len, &packed) == 0;
	db_bind_text(s, 6, !n->raw ? "none" : compressed ? "zlib" : "none");
	if (n->raw)
		db_bind_blob(s, 7, compressed ? (const void *)packed.data : n->raw,
		             compressed ? packed.len : n->raw_len);
	else
		db_bind_null(s, 7);
	db_bind_int(s, 8, n->now);
	int64_t id = step_int(s, DB_ERROR);
	buf_free(&packed);
	return id;
}

int store_mail_inbound_status(db *d, const char *message_id, int64_t *id, const char **status)
{
	static const char sql[] = "SELECT id, status FROM mail_inbound WHERE message_id = $1";
	static const char *const names[] = {"received", "stored", "ignored", "refused"};
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, message_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*id = db_col_int(s, 0);
		*status = names[0];
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			if (strcmp(db_col_text(s, 1), names[i]) == 0)
				*status = names[i];
	}
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

int store_mail_inbound_finish(db *d, int64_t id, const char *status, const char *reason,
                              int64_t ticket_id, int64_t message_row_id, int64_t now)
{
	static const char sql[] =
		"UPDATE mail_inbound SET status = $2, reason = $3, ticket_id = $4, message_row_id = $5, "
		"updated_at = $6 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, status);
	db_bind_text(s, 3, reason ? reason : "");
	bind_optional_id(s, 4, ticket_id);
	bind_optional_id(s, 5, message_row_id);
	db_bind_int(s, 6, now);
	return db_step_done(s);
}

int store_mail_inbound_raw(db *d, int64_t message_row_id, arena *a, const char **data, size_t *len)
{
	static const char sql[] =
		"SELECT raw, raw_encoding FROM mail_inbound WHERE message_row_id = $1 "
		"AND raw IS NOT NULL ORDER BY id DESC LIMIT 1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, message_row_id);
	int rc = db_step(s);
	if (rc != DB_ROW) {
		db_done(s);
		return rc == DB_DONE ? 0 : rc;
	}
	size_t n = 0;
	const void *blob = db_col_blob(s, 0, &n);
	buf out;
	buf_init(&out, (size_t)1 << 30);
	if (strcmp(db_col_text(s, 1), "zlib") == 0)
		rc = zlib_decompress(blob, n, &out) == 0 ? 1 : DB_ERROR;
	else
		rc = buf_append(&out, blob, n) == BUF_OK ? 1 : DB_NOMEM;
	db_done(s);
	if (rc == 1) {
		*len = out.len;
		*data = arena_strndup(a, out.len ? out.data : "", out.len);
		rc = *data ? 1 : DB_NOMEM;
	}
	buf_free(&out);
	return rc;
}

int store_mail_inbound_purge_raw(db *d, int64_t before)
{
	static const char sql[] =
		"UPDATE mail_inbound SET raw = NULL WHERE raw IS NOT NULL AND received_at < $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, before);
	return db_step_done(s);
}

int64_t store_mail_ticket_by_sent_id(db *d, const char *message_id)
{
	static const char sql[] =
		"SELECT ticket_id FROM outbox WHERE message_id = $1 AND ticket_id IS NOT NULL "
		"ORDER BY id LIMIT 1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, message_id);
	return step_int(s, 0);
}

int64_t store_mail_ticket_by_received_id(db *d, const char *message_id)
{
	static const char sql[] =
		"SELECT ticket_id FROM messages WHERE email_message_id = $1 ORDER BY id LIMIT 1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, message_id);
	return step_int(s, 0);
}

int store_mail_ticket_number(db *d, int64_t ticket_id, int64_t *number, int64_t *final_id)
{
	static const char sql[] =
		"SELECT number, COALESCE(merged_into, 0) FROM tickets WHERE id = $1";
	/* A merge points at a live ticket; a few hops at most, never a loop. */
	for (int hop = 0; hop < 8; hop++) {
		db_stmt *s = db_prepare(d, sql);
		if (!s)
			return DB_ERROR;
		db_bind_int(s, 1, ticket_id);
		int rc = db_step(s);
		int64_t n = rc == DB_ROW ? db_col_int(s, 0) : 0;
		int64_t into = rc == DB_ROW ? db_col_int(s, 1) : 0;
		db_done(s);
		if (rc != DB_ROW)
			return rc == DB_DONE ? 0 : rc;
		if (into <= 0 || into == ticket_id) {
			*number = n;
			*final_id = ticket_id;
			return 1;
		}
		ticket_id = into;
	}
	return 0;
}

int64_t store_mail_ticket_id_by_number(db *d, int64_t number)
{
	static const char sql[] = "SELECT id FROM tickets WHERE number = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, number);
	return step_int(s, 0);
}

int64_t store_mail_ticket_id_by_label(db *d, const char *label)
{
	static const char sql[] = "SELECT id FROM tickets WHERE number_label = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, label);
	return step_int(s, 0);
}

int64_t store_mail_message_mark_email(db *d, int64_t ticket_id, const char *submission_key,
                                      const char *email_message_id)
{
	static const char by_key[] =
		"UPDATE messages SET channel = 'email', email_message_id = $3 "
		"WHERE ticket_id = $1 AND submission_key = $2 RETURNING id";
	static const char first[] =
		"UPDATE messages SET channel = 'email', email_message_id = $2 "
		"WHERE id = (SELECT min(id) FROM messages WHERE ticket_id = $1) RETURNING id";
	db_stmt *s = db_prepare(d, submission_key ? by_key : first);
	db_bind_int(s, 1, ticket_id);
	if (submission_key) {
		db_bind_text(s, 2, submission_key);
		db_bind_text(s, 3, email_message_id);
	} else {
		db_bind_text(s, 2, email_message_id);
	}
	return step_int(s, 0);
}

int store_mail_thread_ids(db *d, int64_t ticket_id, arena *a, const char **first_sent,
                          const char **last_received)
{
	/* One statement, every email of a ticket asks: our first email; the
	 * client's last message by email, else the email that opened the ticket. */
	static const char sql[] =
		"SELECT (SELECT message_id FROM outbox WHERE ticket_id = $1 ORDER BY id LIMIT 1), "
		"COALESCE(NULLIF((SELECT COALESCE(email_message_id, substr(submission_key, 7)) "
		"FROM messages WHERE ticket_id = $1 AND author_kind = 'client' "
		/* A message that came by email is marked after its transaction;
		 * until then its submission key ("email:<Message-ID>") says where
		 * it came from. */
		"AND (email_message_id IS NOT NULL OR submission_key LIKE 'email:%') "
		/* an id made from the bytes of a message without one names nothing */
		"AND (email_message_id IS NULL OR email_message_id NOT LIKE '%@no-message-id.invalid') "
		"ORDER BY id DESC LIMIT 1), ''), "
		"(SELECT substr(submission_key, 7) FROM tickets WHERE id = $1 "
		"AND submission_key LIKE 'email:%'))";
	*first_sent = *last_received = NULL;
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		if (*db_col_text(s, 0))
			*first_sent = arena_strdup(a, db_col_text(s, 0));
		if (*db_col_text(s, 1))
			*last_received = arena_strdup(a, db_col_text(s, 1));
	}
	db_done(s);
	return rc < 0 ? rc : DB_OK;
}

int64_t store_mail_department_by_address(db *d, const char *address)
{
	static const char sql[] =
		"SELECT id FROM departments WHERE email_lower = $1 AND visible = 1";
	char lower[256];
	lower_ascii(address, lower, sizeof lower);
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, lower);
	return step_int(s, 0);
}

int store_mail_is_department_address(db *d, const char *address)
{
	static const char sql[] = "SELECT 1 FROM departments WHERE email_lower = $1";
	char lower[256];
	lower_ascii(address, lower, sizeof lower);
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, lower);
	return (int)step_int(s, 0);
}

int64_t store_mail_first_department(db *d)
{
	static const char sql[] =
		"SELECT id FROM departments WHERE visible = 1 ORDER BY sort_order, id LIMIT 1";
	db_stmt *s = db_prepare(d, sql);
	return step_int(s, 0);
}

int64_t store_rate_limit_add(db *d, const char *key, int64_t window_start, int64_t hits)
{
	static const char sql[] =
		"INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, $3) "
		"ON CONFLICT (key) DO UPDATE SET "
		"hits = CASE WHEN rate_limits.window_start = excluded.window_start "
		"THEN rate_limits.hits + excluded.hits ELSE excluded.hits END, "
		"window_start = excluded.window_start "
		"RETURNING hits";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, window_start);
	db_bind_int(s, 3, hits);
	return step_int(s, DB_ERROR);
}

int store_mail_mailboxes(db *d, arena *a, struct mail_mailbox_row *rows, int max)
{
	static const char sql[] =
		"SELECT id, imap_url FROM departments WHERE imap_url IS NOT NULL AND imap_url <> '' "
		"ORDER BY id";
	db_stmt *s = db_prepare(d, sql);
	int n = 0, rc;
	while (n < max && (rc = db_step(s)) == DB_ROW) {
		rows[n].department_id = db_col_int(s, 0);
		rows[n].url = arena_strdup(a, db_col_text(s, 1));
		if (!rows[n].url) {
			rc = DB_NOMEM;
			break;
		}
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}

int store_mail_set_mailbox(db *d, int64_t department_id, const char *url)
{
	static const char sql[] = "UPDATE departments SET imap_url = $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, department_id);
	db_bind_text(s, 2, url && *url ? url : NULL);
	return db_step_done(s);
}

int64_t store_imap_last_uid(db *d, const char *mailbox, int64_t uidvalidity)
{
	static const char sql[] =
		"SELECT last_uid FROM mail_imap_state WHERE mailbox = $1 AND uidvalidity = $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, mailbox);
	db_bind_int(s, 2, uidvalidity);
	return step_int(s, 0);
}

int store_imap_set_last_uid(db *d, const char *mailbox, int64_t uidvalidity, int64_t uid,
                            int64_t now)
{
	static const char sql[] =
		"INSERT INTO mail_imap_state (mailbox, uidvalidity, last_uid, updated_at) "
		"VALUES ($1, $2, $3, $4) ON CONFLICT (mailbox, uidvalidity) DO UPDATE SET "
		"last_uid = excluded.last_uid, updated_at = excluded.updated_at";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, mailbox);
	db_bind_int(s, 2, uidvalidity);
	db_bind_int(s, 3, uid);
	db_bind_int(s, 4, now);
	return db_step_done(s);
}
