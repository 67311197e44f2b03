#include "domain/auth.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/password.h"
#include "domain/throttle.h"
#include "store/account_store.h"

static void throttle_keys(const struct auth_login *in, char *account_key, size_t an, char *ip_key,
                          size_t in_len)
{
	snprintf(account_key, an, "%s:%s", account_kind_name(in->kind), in->email);
	for (char *p = account_key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	snprintf(ip_key, in_len, "ip:%s", in->ip ? in->ip : "");
}

void auth_login(db *d, const struct auth_login *in, struct auth_result *out)
{
	memset(out, 0, sizeof *out);
	char account_key[300], ip_key[80];
	throttle_keys(in, account_key, sizeof account_key, ip_key, sizeof ip_key);
	int64_t wait_account = throttle_wait(d, account_key, &THROTTLE_ACCOUNT, in->now);
	int64_t wait_ip = throttle_wait(d, ip_key, &THROTTLE_IP, in->now);
	if (wait_account < 0 || wait_ip < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	if (wait_account > 0 || wait_ip > 0) {
		out->status = AUTH_THROTTLED;
		out->wait_seconds = wait_account > wait_ip ? wait_account : wait_ip;
		return;
	}
	struct account_row row;
	int found = store_account_get_by_email(d, account_kind_name(in->kind), in->email, &row);
	if (found < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	int checked;
	if (found && row.password_hash[0])
		checked = password_check(in->password, row.password_hash);
	else
		checked = password_check_dummy(in->password);
	if (checked == PASSWORD_BUSY) {
		out->status = AUTH_BUSY; /* not a failure: nothing was tried */
		return;
	}
	if (checked != 1 || !row.active) {
		throttle_fail(d, account_key, in->now);
		throttle_fail(d, ip_key, in->now);
		out->status = AUTH_BAD_CREDENTIALS;
		return;
	}
	if (password_needs_rehash(row.password_hash)) {
		char hash[PASSWORD_HASH_MAX];
		if (password_hash(in->password, hash) == 0)
			store_account_set_password(d, account_kind_name(in->kind), row.id, hash, in->now);
	}
	throttle_reset(d, account_key);
	if (session_start(d, in->kind, row.id, in->now, out->token, &out->session) < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	snprintf(out->session.name, sizeof out->session.name, "%s", row.name);
	snprintf(out->session.email, sizeof out->session.email, "%s", row.email);
	snprintf(out->session.language, sizeof out->session.language, "%s", row.language);
	out->session.admin = strcmp(row.role, "admin") == 0;
	out->status = AUTH_OK;
}

int auth_register(db *d, const struct account_new *n, int64_t now, struct auth_result *out)
{
	memset(out, 0, sizeof *out);
	int64_t id = account_create(d, n);
	if (id < 0)
		return (int)id;
	if (session_start(d, n->kind, id, now, out->token, &out->session) < 0)
		return ACCOUNT_STORE_FAILED;
	snprintf(out->session.name, sizeof out->session.name, "%s", n->name);
	snprintf(out->session.email, sizeof out->session.email, "%s", n->email);
	snprintf(out->session.language, sizeof out->session.language, "%s", n->lang ? n->lang : "pt-BR");
	out->status = AUTH_OK;
	return AUTH_OK;
}

int auth_change_password(db *d, const struct session *s, const char *current, const char *next,
                         int64_t now)
{
	const char *kind = account_kind_name(s->kind);
	struct account_row row;
	if (store_account_get(d, kind, s->user_id, &row) != 1)
		return ACCOUNT_STORE_FAILED;
	int check = password_check_rules(next);
	int matched = password_check(current ? current : "", row.password_hash);
	if (matched == PASSWORD_BUSY)
		return ACCOUNT_BUSY;
	if (matched != 1)
		return AUTH_WRONG_PASSWORD;
	if (check < 0)
		return check;
	char hash[PASSWORD_HASH_MAX];
	int hashed = password_hash(next, hash);
	if (hashed < 0)
		return hashed == PASSWORD_BUSY ? ACCOUNT_BUSY : ACCOUNT_STORE_FAILED;
	if (db_begin_write(d) < 0)
		return ACCOUNT_STORE_FAILED;
	if (store_account_set_password(d, kind, s->user_id, hash, now) < 0 ||
	    session_end_all(d, s->kind, s->user_id, s->id) < 0 || db_commit(d) < 0) {
		db_rollback(d);
		return ACCOUNT_STORE_FAILED;
	}
	return AUTH_OK;
}

int auth_update_profile(db *d, const struct session *s, const char *name, const char *lang,
                        int64_t now)
{
	if (!name || !*name || strlen(name) > 200 || !str_utf8_valid(name, strlen(name)))
		return ACCOUNT_NAME_EMPTY;
	if (!lang || (strcmp(lang, "pt-BR") != 0 && strcmp(lang, "en") != 0))
		lang = "pt-BR";
	int rc = store_account_set_profile(d, account_kind_name(s->kind), s->user_id, name, lang, now);
	return rc < 0 ? ACCOUNT_STORE_FAILED : AUTH_OK;
}

int auth_set_language(db *d, const struct session *s, const char *lang, int64_t now)
{
	if (!lang || (strcmp(lang, "pt-BR") != 0 && strcmp(lang, "en") != 0))
		return ACCOUNT_STORE_FAILED;
	int rc = store_account_set_language(d, account_kind_name(s->kind), s->user_id, lang, now);
	return rc < 0 ? ACCOUNT_STORE_FAILED : AUTH_OK;
}
