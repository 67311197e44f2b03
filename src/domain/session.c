#include "domain/session.h"

#include <stdio.h>
#include <string.h>

#include "store/session_store.h"

const char *account_kind_name(enum account_kind kind)
{
	return kind == ACCOUNT_STAFF ? "staff" : "client";
}

int session_start(db *d, enum account_kind kind, int64_t user_id, int64_t now,
                  char token[TOKEN_LEN + 1], struct session *s)
{
	char hash[TOKEN_HASH_LEN + 1], csrf[TOKEN_LEN + 1];
	token_new(token);
	token_new(csrf);
	token_hash(token, hash);
	int64_t id = store_session_insert(d, hash, account_kind_name(kind), user_id, csrf, now,
	                                  now + SESSION_MAX);
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
