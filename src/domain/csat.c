#include "domain/csat.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/report.h"
#include "domain/ticket_number.h"
#include "domain/ticket_ref.h"
#include "store/settings_store.h"

enum { MAC_BYTES = 16, COMMENT_MAX = 4000, STAFF_NOTIFY_MAX = 50 };

static const struct notifier *default_notifier;

void csat_set_notifier(const struct notifier *n)
{
	default_notifier = n;
}

void csat_settings_load(db *d, struct csat_settings *s)
{
	char v[16];
	store_setting_get(d, "csat_trigger", "close", v, sizeof v);
	s->trigger = str_eq(v, "reply") ? CSAT_ON_REPLY : str_eq(v, "off") ? CSAT_OFF : CSAT_ON_CLOSE;
	store_setting_get(d, "csat_notify_bad", "1", v, sizeof v);
	s->notify_bad = str_eq(v, "1");
}

int csat_settings_save(db *d, const struct csat_settings *s)
{
	static const char *const names[] = {"close", "reply", "off"};
	int rc = store_setting_set(d, "csat_trigger", names[s->trigger]);
	return rc ? rc : store_setting_set(d, "csat_notify_bad", s->notify_bad ? "1" : "0");
}

static int sign(db *d, int64_t number, int64_t issued, char hex[2 * MAC_BYTES + 1])
{
	char message[64];
	snprintf(message, sizeof message, "C%lld.%lld", (long long)number, (long long)issued);
	unsigned char mac[32];
	int rc = ticket_ref_sign(d, message, mac);
	if (rc < 0)
		return rc;
	sodium_bin2hex(hex, 2 * MAC_BYTES + 1, mac, MAC_BYTES);
	return 0;
}

int csat_token_make(db *d, int64_t number, int64_t issued, char out[CSAT_TOKEN_MAX])
{
	char hex[2 * MAC_BYTES + 1];
	int rc = sign(d, number, issued, hex);
	if (rc < 0)
		return rc;
	snprintf(out, CSAT_TOKEN_MAX, "%lld-%lld-%s", (long long)number, (long long)issued, hex);
	return 0;
}

/* The ticket number a token signs, 0 when it is not a valid one now. */
static int64_t token_number(db *d, const char *token, int64_t now)
{
	long long number, issued;
	char mac[2 * MAC_BYTES + 2];
	int used = 0;
	if (!token || strlen(token) >= CSAT_TOKEN_MAX ||
	    sscanf(token, "%lld-%lld-%33[0-9a-f]%n", &number, &issued, mac, &used) != 3 ||
	    token[used] != '\0' || strlen(mac) != 2 * MAC_BYTES || number <= 0 || issued <= 0)
		return 0;
	if (now - issued > (int64_t)CSAT_TOKEN_DAYS * 86400 || issued > now + 86400)
		return 0;
	char expected[2 * MAC_BYTES + 1];
	if (sign(d, number, issued, expected) < 0)
		return 0;
	return sodium_memcmp(expected, mac, 2 * MAC_BYTES) == 0 ? number : 0;
}

int csat_after_change(db *d, const struct notifier *n, const struct ticket_row *t,
                      enum csat_event ev, int64_t now)
{
	struct csat_settings s;
	csat_settings_load(d, &s);
	if (!n)
		n = default_notifier;
	/* Without a notifier (a process that sends no mail) nothing is marked sent. */
	if (!n || s.trigger == CSAT_OFF || (ev == CSAT_CLOSED) != (s.trigger == CSAT_ON_CLOSE))
		return 0;
	int64_t sent = store_csat_survey_sent_at(d, t->id);
	if (sent < 0)
		return (int)sent;
	if (ev == CSAT_CLOSED && sent > 0)
		return 0; /* one email per ticket */
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	struct csat_row rated;
	int rc = store_csat_get(d, t->id, a, &rated);
	bool locked = rc == 1 && now - rated.created_at > (int64_t)CSAT_CHANGE_DAYS * 86400;
	arena_free(a);
	if (rc < 0 || locked)
		return rc < 0 ? rc : 0;
	char token[CSAT_TOKEN_MAX];
	rc = csat_token_make(d, t->number, now, token);
	if (rc < 0)
		return rc;
	struct notice notice = {.kind = NOTICE_CSAT_REQUEST, .to = t->client_email,
	                        .to_name = t->client_name, .lang = lang_or_default(t->client_language),
	                        .ticket = t, .token = token};
	rc = notice_queue(d, n, &notice);
	return rc ? rc : store_csat_survey_mark(d, t->id, now);
}

static int notify_department(db *d, const struct notifier *n, const struct ticket_row *t,
                             const char *comment, arena *a)
{
	struct staff_contact staff[STAFF_NOTIFY_MAX];
	int count = store_department_staff(d, t->department_id, a, staff, STAFF_NOTIFY_MAX);
	if (count < 0)
		return count;
	struct notice notice = {.kind = NOTICE_CSAT_BAD_STAFF, .ticket = t, .message = comment};
	return notice_queue_staff(d, n, &notice, staff, count);
}

int csat_rate(db *d, const struct notifier *n, const char *token, const char *rating,
              const char *comment, int64_t now, arena *a, struct csat_view *v)
{
	memset(v, 0, sizeof *v);
	int64_t number = token_number(d, token, now);
	if (number <= 0)
		return CSAT_NOT_FOUND;
	if (!str_eq(rating, "good") && !str_eq(rating, "bad"))
		return CSAT_INVALID;
	char text[COMMENT_MAX * 4 + 1];
	snprintf(text, sizeof text, "%s", comment ? comment : "");
	str_trim(text);
	if (strlen(text) > COMMENT_MAX)
		text[COMMENT_MAX] = '\0'; /* a survey box, not a ticket: longer text is cut */
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct ticket_row *t = arena_alloc(a, sizeof *t);
	struct csat_row old;
	rc = t ? store_ticket_get_by_number(d, number, a, t) : DB_NOMEM;
	if (rc != 1) {
		db_rollback(d);
		return rc == 0 ? CSAT_NOT_FOUND : rc;
	}
	v->number = t->number;
	char shown[TICKET_LABEL_MAX];
	v->label = arena_strdup(a, ticket_number_shown(t, shown));
	v->subject = t->subject;
	int had = store_csat_get(d, t->id, a, &old);
	if (had < 0) {
		db_rollback(d);
		return had;
	}
	if (had == 1 && now - old.created_at > (int64_t)CSAT_CHANGE_DAYS * 86400) {
		db_rollback(d);
		v->rating = old.rating;
		v->comment = old.comment;
		v->locked = true;
		return CSAT_LOCKED;
	}
	int64_t staff = t->assignee_id > 0 ? t->assignee_id : store_csat_last_staff_replier(d, t->id);
	struct csat_row row = {.ticket_id = t->id, .department_id = t->department_id,
	                       .staff_id = staff > 0 ? staff : 0, .rating = rating,
	                       .comment = comment ? text : had == 1 ? old.comment : ""};
	rc = store_csat_set(d, &row, now);
	if (rc == 0)
		rc = report_on_csat(d, had == 1 ? old.created_at : now, had == 1 ? old.department_id : 0,
		                    had == 1 ? old.staff_id : 0, had == 1 ? old.rating : NULL,
		                    row.department_id, row.staff_id, rating);
	/* The department hears of a bad rating once per new comment. */
	bool tell = rc == 0 && str_eq(rating, "bad") && *row.comment &&
	            !(had == 1 && str_eq(old.rating, "bad") && str_eq(old.comment, row.comment));
	if (tell) {
		struct csat_settings s;
		csat_settings_load(d, &s);
		if (s.notify_bad)
			rc = notify_department(d, n, t, row.comment, a);
	}
	if (rc != 0) {
		db_rollback(d);
		return rc;
	}
	rc = db_commit(d);
	v->rating = rating;
	v->comment = arena_strdup(a, row.comment);
	return rc;
}

int csat_for_ticket(db *d, int64_t ticket_id, arena *a, struct csat_row *row)
{
	return store_csat_get(d, ticket_id, a, row);
}

void csat_for_ticket_prefetch(db *d, int64_t ticket_id)
{
	store_csat_get_prefetch(d, ticket_id);
}
