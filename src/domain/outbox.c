#include "domain/outbox.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/random.h"
#include "base/str.h"
#include "domain/account.h"
#include "store/outbox_store.h"

#define OUTBOX_SUBJECT_MAX 1000
#define OUTBOX_NAME_MAX 256
#define OUTBOX_THREAD_ID_MAX 250 /* one id of in_reply_to or references */
#define OUTBOX_REFERENCES_MAX 8192
#define OUTBOX_BODY_MAX (16u << 20)
#define OUTBOX_RETRY_DELAY_MAX 3600

/* Copies the host part of mail_from ("a@b.c", "Name <a@b.c>") into out;
 * "localhost" when it has none. */
static void domain_of(const char *mail_from, char *out, size_t outlen)
{
	const char *at = mail_from ? strrchr(mail_from, '@') : NULL;
	size_t n = 0;
	if (at)
		for (const char *p = at + 1; n + 1 < outlen && *p; p++, n++) {
			char ch = *p;
			bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			          (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
			if (!ok)
				break;
			out[n] = ch;
		}
	out[n] = '\0';
	if (n == 0 || out[0] == '.' || out[0] == '-')
		snprintf(out, outlen, "localhost");
}

/* "<32 random hex digits>@<domain of mail_from>", without brackets. */
/* time-random@domain: the milliseconds first (12 hex digits), so that new
 * ids land together at the end of the index that finds replies by them; 128
 * random bits after, so an id is neither guessed nor repeated. */
static int message_id_new(const char *mail_from, char out[OUTBOX_MESSAGE_ID_MAX])
{
	unsigned char random[16];
	char hex[2 * sizeof random + 1];
	char domain[OUTBOX_MESSAGE_ID_MAX - 12 - 2 * 16 - 1];
	if (sodium_init() < 0)
		return DB_ERROR;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	unsigned long long ms = (unsigned long long)now.tv_sec * 1000u +
	                        (unsigned long long)now.tv_nsec / 1000000u;
	random_buf(random, sizeof random);
	sodium_bin2hex(hex, sizeof hex, random, sizeof random);
	domain_of(mail_from, domain, sizeof domain);
	snprintf(out, OUTBOX_MESSAGE_ID_MAX, "%012llx%s@%s", ms & 0xffffffffffffull, hex, domain);
	return DB_OK;
}

/* One Message-ID as the threading fields hold it: printable ASCII, no
 * brackets, no spaces. */
static bool thread_id_valid(const char *s, size_t len)
{
	if (len == 0 || len > OUTBOX_THREAD_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '<' || s[i] == '>')
			return false;
	return true;
}

/* Appends text with every control character (CR, LF, TAB ...) made a space,
 * so no value can start a header line of its own. */
static int put_one_line(buf *b, const char *text)
{
	for (const char *p = text; *p; p++)
		if (buf_putc(b, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p) != BUF_OK)
			return DB_NOMEM;
	return DB_OK;
}

/* The To mailbox: the bare address, or "\"Name\" <address>" with the name's
 * quotes and backslashes escaped. */
static int put_mailbox(buf *b, const char *address, const char *name)
{
	if (!name || !*name)
		return buf_puts(b, address) == BUF_OK ? DB_OK : DB_NOMEM;
	if (buf_putc(b, '"') != BUF_OK)
		return DB_NOMEM;
	for (const char *p = name; *p; p++) {
		char ch = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
		if ((ch == '"' || ch == '\\') && buf_putc(b, '\\') != BUF_OK)
			return DB_NOMEM;
		if (buf_putc(b, ch) != BUF_OK)
			return DB_NOMEM;
	}
	return buf_printf(b, "\" <%s>", address) == BUF_OK ? DB_OK : DB_NOMEM;
}

/* Every recipient of m, comma-separated, as the To header holds them. */
static int put_mailboxes(buf *b, const struct mail *m)
{
	int rc = put_mailbox(b, m->to, m->to_name);
	for (int i = 0; rc == DB_OK && i < m->also_count; i++)
		rc = buf_puts(b, ", ") == BUF_OK ? put_mailbox(b, m->also[i].address, m->also[i].name)
		                                 : DB_NOMEM;
	return rc;
}

/* "References: <a> <b>\r\n" from "a b"; DB_CONSTRAINT on a bad id. */
static int put_references(buf *b, const char *references)
{
	if (buf_puts(b, "References:") != BUF_OK)
		return DB_NOMEM;
	int count = 0;
	for (const char *p = references; *p;) {
		size_t skip = strspn(p, " \t");
		p += skip;
		size_t len = strcspn(p, " \t");
		if (len == 0)
			break;
		if (!thread_id_valid(p, len))
			return DB_CONSTRAINT;
		if (buf_printf(b, " <%.*s>", (int)len, p) != BUF_OK)
			return DB_NOMEM;
		p += len;
		count++;
	}
	if (count == 0)
		return DB_CONSTRAINT;
	return buf_puts(b, "\r\n") == BUF_OK ? DB_OK : DB_NOMEM;
}

/* The extra header lines that m asks for. */
static int put_headers(buf *b, const struct mail *m)
{
	if (m->auto_generated &&
	    buf_puts(b, "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n") !=
	        BUF_OK)
		return DB_NOMEM;
	if (m->in_reply_to) {
		if (!thread_id_valid(m->in_reply_to, strlen(m->in_reply_to)))
			return DB_CONSTRAINT;
		if (buf_printf(b, "In-Reply-To: <%s>\r\n", m->in_reply_to) != BUF_OK)
			return DB_NOMEM;
	}
	if (m->references && *m->references)
		return put_references(b, m->references);
	return DB_OK;
}

static bool utf8_text_valid(const char *s, size_t max)
{
	size_t len = strlen(s);
	return len <= max && str_utf8_valid(s, len);
}

/* Check before proceed: the whole email is checked before anything is built. */
static bool recipients_valid(const struct mail *m)
{
	if (!m->to || !account_email_valid(m->to) || m->also_count < 0 ||
	    m->also_count > OUTBOX_ALSO_MAX || (m->also_count > 0 && !m->also))
		return false;
	for (int i = 0; i < m->also_count; i++)
		if (!m->also[i].address || !account_email_valid(m->also[i].address) ||
		    (m->also[i].name && !utf8_text_valid(m->also[i].name, OUTBOX_NAME_MAX)))
			return false;
	return true;
}

static bool mail_valid(const struct mail *m)
{
	return m && recipients_valid(m) && m->subject && *m->subject &&
	       utf8_text_valid(m->subject, OUTBOX_SUBJECT_MAX) && m->text &&
	       utf8_text_valid(m->text, OUTBOX_BODY_MAX) &&
	       (!m->html || utf8_text_valid(m->html, OUTBOX_BODY_MAX)) &&
	       (!m->to_name || utf8_text_valid(m->to_name, OUTBOX_NAME_MAX)) &&
	       (!m->references || strlen(m->references) <= OUTBOX_REFERENCES_MAX);
}

int outbox_prepare(const struct mail *m, const char *mail_from, arena *a,
                   struct outbox_prepared *out)
{
	if (!mail_valid(m))
		return DB_CONSTRAINT;
	buf to, subject, headers;
	buf_init(&to, (size_t)(m->also_count + 1) * (2 * OUTBOX_NAME_MAX + 300));
	buf_init(&subject, OUTBOX_SUBJECT_MAX + 1);
	buf_init(&headers, OUTBOX_REFERENCES_MAX + 2048);
	int rc;
	if ((rc = message_id_new(mail_from, out->message_id)) < 0 ||
	    (rc = put_mailboxes(&to, m)) < 0 ||
	    (rc = put_one_line(&subject, m->subject)) < 0 || (rc = put_headers(&headers, m)) < 0)
		goto done;
	out->row = (struct outbox_new){
	    .to_address = arena_strdup(a, buf_str(&to)),
	    .subject = arena_strdup(a, buf_str(&subject)),
	    .body_text = m->text,
	    .body_html = m->html,
	    .headers = arena_strdup(a, buf_str(&headers)),
	    .message_id = out->message_id,
	    .ticket_id = m->ticket_id,
	    .now = (int64_t)time(NULL),
	};
	if (!out->row.to_address || !out->row.subject || !out->row.headers)
		rc = DB_NOMEM;
done:
	buf_free(&to);
	buf_free(&subject);
	buf_free(&headers);
	return rc;
}

int64_t outbox_enqueue_prepared(db *d, const struct outbox_prepared *p, int64_t ticket_id)
{
	struct outbox_new row = p->row;
	if (ticket_id > 0)
		row.ticket_id = ticket_id;
	return store_outbox_insert(d, &row);
}

int64_t outbox_enqueue(db *d, const struct mail *m, const char *mail_from,
                       char message_id[OUTBOX_MESSAGE_ID_MAX])
{
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct outbox_prepared p;
	int64_t rc = outbox_prepare(m, mail_from, a, &p);
	if (rc == 0)
		rc = outbox_enqueue_prepared(d, &p, 0);
	if (rc > 0 && message_id)
		snprintf(message_id, OUTBOX_MESSAGE_ID_MAX, "%s", p.message_id);
	arena_free(a);
	return rc;
}

int outbox_reclaim_own(db *d, const char *node, const char *boot, int64_t now)
{
	return store_outbox_reclaim_node(d, node, boot, now);
}

int outbox_retry(db *d, int64_t id, int64_t now)
{
	return store_outbox_retry(d, id, now);
}

int64_t outbox_retry_delay(int attempts, int retry_base_s)
{
	int64_t delay = retry_base_s > 0 ? retry_base_s : 1;
	for (int i = 1; i < attempts && delay < OUTBOX_RETRY_DELAY_MAX; i++)
		delay *= 2;
	return delay < OUTBOX_RETRY_DELAY_MAX ? delay : OUTBOX_RETRY_DELAY_MAX;
}

int outbox_record_attempt(db *d, int64_t id, int attempts, const char *error, int64_t now,
                          const struct outbox_policy *p)
{
	int rc;
	enum outbox_status next;
	if (!error) {
		next = OUTBOX_SENT;
		rc = store_outbox_mark_sent(d, id, now);
	} else if (attempts >= p->max_attempts) {
		next = OUTBOX_FAILED;
		rc = store_outbox_mark_failed(d, id, error);
	} else {
		next = OUTBOX_QUEUED;
		rc = store_outbox_mark_retry(
		    d, id, now + outbox_retry_delay(attempts, p->retry_base_s), error);
	}
	return rc < 0 ? rc : (int)next;
}

int outbox_failed_page(db *d, int64_t before_id, int limit, arena *a, struct outbox_row *rows)
{
	return store_outbox_list_failed(d, before_id, limit, a, rows);
}

int64_t outbox_count(db *d, enum outbox_status status)
{
	static const char *const names[] = {"queued", "sending", "sent", "failed"};
	return store_outbox_count_by_status(d, names[status]);
}

int outbox_claim_due(db *d, const struct outbox_claimant *who, int64_t now, int64_t lease_until,
                     int limit, int64_t *ids)
{
	return store_outbox_claim_due_as(d, who, now, lease_until, limit, ids);
}

int outbox_get(db *d, int64_t id, arena *a, struct outbox_row *out)
{
	return store_outbox_get(d, id, a, out);
}
