#include "domain/session.h"

#include <stdio.h>
#include <string.h>

#include "store/session_store.h"

const char *account_kind_name(enum account_kind kind)
{
	return kind == ACCOUNT_STAFF ? "staff" : "client";
}

int session_start(db *d, enum account_kind kind, int64_t user_id, int64_t now,
                  const struct session_origin *origin, char token[TOKEN_LEN + 1],
                  struct session *s)
{
	char hash[TOKEN_HASH_LEN + 1], csrf[TOKEN_LEN + 1];
	token_new(token);
	token_new(csrf);
	token_hash(token, hash);
	/* A header can be long; the list only needs its start. */
	char agent[512];
	snprintf(agent, sizeof agent, "%s", origin && origin->user_agent ? origin->user_agent : "");
	int64_t id = store_session_insert(d, hash, account_kind_name(kind), user_id, csrf,
	                                  origin ? origin->ip : NULL, agent, now, now + SESSION_MAX);
	if (id < 0)
		return (int)id;
	if (s) {
		memset(s, 0, sizeof *s);
		s->id = id;
		s->kind = kind;
		s->user_id = user_id;
		snprintf(s->csrf, sizeof s->csrf, "%s", csrf);
	}
	return 0;
}

int session_resume(db *d, enum account_kind kind, const char *token, int64_t now, struct session *s)
{
	if (!token_well_formed(token))
		return 0;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	struct session_row row;
	int rc = store_session_get(d, hash, &row);
	if (rc <= 0)
		return rc;
	if (strcmp(row.user_kind, account_kind_name(kind)) != 0)
		return 0;
	bool expired = now >= row.expires_at || now - row.last_seen_at >= SESSION_IDLE || !row.active;
	if (expired) {
		store_session_delete(d, hash);
		return 0;
	}
	if (now - row.last_seen_at >= SESSION_TOUCH_EVERY)
		store_session_touch(d, row.id, now);
	memset(s, 0, sizeof *s);
	s->id = row.id;
	s->kind = kind;
	s->user_id = row.user_id;
	snprintf(s->csrf, sizeof s->csrf, "%s", row.csrf_secret);
	snprintf(s->name, sizeof s->name, "%s", row.name);
	snprintf(s->email, sizeof s->email, "%s", row.email);
	snprintf(s->language, sizeof s->language, "%s", row.language);
	s->admin = strcmp(row.role, "admin") == 0;
	s->twofa = row.twofa;
	s->owner_id = kind == ACCOUNT_CLIENT ? row.owner_id : 0;
	s->contact_tickets = s->owner_id > 0 && row.contact_tickets;
	return 1;
}

int session_end(db *d, const char *token)
{
	if (!token_well_formed(token))
		return 0;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	return store_session_delete(d, hash);
}

int session_end_all(db *d, enum account_kind kind, int64_t user_id, int64_t keep_id)
{
	return store_session_delete_user(d, account_kind_name(kind), user_id, keep_id);
}

int session_purge(db *d, int64_t now)
{
	return store_session_purge(d, now);
}

int session_list(db *d, const struct session *s, int64_t now, struct session_info *out, int max)
{
	if (max > SESSION_LIST_MAX)
		max = SESSION_LIST_MAX;
	struct session_list_row rows[SESSION_LIST_MAX];
	int n = store_session_list_user(d, account_kind_name(s->kind), s->user_id, now, rows, max);
	for (int i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].id = rows[i].id;
		snprintf(out[i].ip, sizeof out[i].ip, "%s", rows[i].ip);
		session_device(rows[i].user_agent, &out[i].browser, &out[i].os);
		out[i].created_at = rows[i].created_at;
		out[i].last_seen_at = rows[i].last_seen_at;
		out[i].current = rows[i].id == s->id;
	}
	/* The session asking comes first: "this device", then the others. */
	for (int i = 1; i < n; i++)
		if (out[i].current) {
			struct session_info cur = out[i];
			memmove(&out[1], &out[0], sizeof out[0] * (size_t)i);
			out[0] = cur;
		}
	return n;
}

int session_end_one(db *d, const struct session *s, int64_t session_id)
{
	return store_session_delete_id(d, account_kind_name(s->kind), s->user_id, session_id);
}

int session_end_others(db *d, const struct session *s)
{
	return session_end_all(d, s->kind, s->user_id, s->id);
}

void session_device(const char *ua, const char **browser, const char **os)
{
	*browser = NULL;
	*os = NULL;
	if (!ua || !*ua)
		return;
	/* Order matters: Edge and Opera also say Chrome, Chrome also says
	 * Safari, Android also says Linux, iPhones also say Mac OS X. */
	static const char *const browsers[][2] = {
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"},
		{"Chromium/", "Chromium"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
		{"curl/", "curl"},
	};
	for (size_t i = 0; i < sizeof browsers / sizeof browsers[0] && !*browser; i++)
		if (strstr(ua, browsers[i][0]))
			*browser = browsers[i][1];
	static const char *const systems[][2] = {
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"},
		{"CrOS", "ChromeOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"},
		{"Macintosh", "macOS"}, {"Linux", "Linux"},
	};
	for (size_t i = 0; i < sizeof systems / sizeof systems[0] && !*os; i++)
		if (strstr(ua, systems[i][0]))
			*os = systems[i][1];
}
