#include "domain/auth.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/audit.h"
#include "domain/password.h"
#include "domain/throttle.h"
#include "domain/ticket.h"
#include "domain/ticket_search.h"
#include "domain/twofa.h"
#include "store/account_store.h"
#include "store/twofa_store.h"

static void throttle_keys(enum account_kind kind, const char *email, const char *ip,
                          char *account_key, size_t an, char *ip_key, size_t in_len)
{
	snprintf(account_key, an, "%s:%s", account_kind_name(kind), email);
	for (char *p = account_key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	snprintf(ip_key, in_len, "ip:%s", ip ? ip : "");
}

/* 0 when both keys may try now; AUTH_THROTTLED (with the wait) or
 * AUTH_ERROR otherwise. */
static int throttle_check(db *d, const char *account_key, const char *ip_key, int64_t now,
                          struct auth_result *out)
{
	int64_t wait_account = throttle_wait(d, account_key, &THROTTLE_ACCOUNT, now);
	int64_t wait_ip = throttle_wait(d, ip_key, &THROTTLE_IP, now);
	if (wait_account < 0 || wait_ip < 0)
		return out->status = AUTH_ERROR;
	if (wait_account > 0 || wait_ip > 0) {
		out->wait_seconds = wait_account > wait_ip ? wait_account : wait_ip;
		return out->status = AUTH_THROTTLED;
	}
	return 0;
}

static void session_fill(struct auth_result *out, const struct account_row *row, bool twofa)
{
	snprintf(out->session.name, sizeof out->session.name, "%s", row->name);
	snprintf(out->session.email, sizeof out->session.email, "%s", row->email);
	snprintf(out->session.language, sizeof out->session.language, "%s", row->language);
	out->session.admin = strcmp(row->role, "admin") == 0;
	out->session.twofa = twofa;
}

void auth_login(db *d, const struct auth_login *in, struct auth_result *out)
{
	memset(out, 0, sizeof *out);
	char account_key[300], ip_key[80];
	throttle_keys(in->kind, in->email, in->ip, account_key, sizeof account_key, ip_key,
	              sizeof ip_key);
	if (throttle_check(d, account_key, ip_key, in->now, out)) {
		if (in->kind == ACCOUNT_STAFF && out->status == AUTH_THROTTLED)
			audit_signin(d, 0, NULL, in->email, in->ip, false, "throttled", in->now);
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
		if (in->kind == ACCOUNT_STAFF)
			audit_signin(d, found == 1 ? row.id : 0, found == 1 ? row.name : NULL, in->email, in->ip, false,
			             found == 1 && row.active ? "wrong password" : "unknown or inactive account",
			             in->now);
		out->status = AUTH_BAD_CREDENTIALS;
		return;
	}
	if (password_needs_rehash(row.password_hash)) {
		char hash[PASSWORD_HASH_MAX];
		if (password_hash(in->password, hash) == 0)
			store_account_set_password(d, account_kind_name(in->kind), row.id, hash, in->now);
	}
	struct twofa_state tf;
	if (twofa_state(d, in->kind, row.id, &tf) < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	if (tf.enabled) {
		/* The failures stay counted until the code passes too: otherwise
		 * the password alone would buy fresh tries at the code. */
		char hash[TOKEN_HASH_LEN + 1];
		token_new(out->challenge);
		token_hash(out->challenge, hash);
		store_challenge_purge(d, in->now);
		if (store_challenge_insert(d, hash, account_kind_name(in->kind), row.id, in->ip,
		                           in->user_agent, in->now, in->now + AUTH_CHALLENGE_TTL) < 0) {
			out->status = AUTH_ERROR;
			return;
		}
		out->status = AUTH_NEED_CODE;
		return;
	}
	throttle_reset(d, account_key);
	struct session_origin origin = {in->ip, in->user_agent};
	if (session_start(d, in->kind, row.id, in->now, &origin, out->token, &out->session) < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	session_fill(out, &row, false);
	out->setup_required = twofa_setup_required(d, &out->session);
	if (in->kind == ACCOUNT_STAFF)
		audit_signin(d, row.id, row.name, row.email, in->ip, true, "password", in->now);
	out->status = AUTH_OK;
}

void auth_login_code(db *d, const struct auth_code *in, struct auth_result *out)
{
	memset(out, 0, sizeof *out);
	if (!token_well_formed(in->challenge)) {
		out->status = AUTH_EXPIRED;
		return;
	}
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(in->challenge, hash);
	struct challenge_row ch;
	int rc = store_challenge_get(d, hash, &ch);
	if (rc < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	if (rc == 0 || ch.expires_at <= in->now || strcmp(ch.user_kind, account_kind_name(in->kind))) {
		out->status = AUTH_EXPIRED;
		return;
	}
	struct account_row row;
	rc = store_account_get(d, ch.user_kind, ch.user_id, &row);
	if (rc <= 0 || !row.active) {
		out->status = rc < 0 ? AUTH_ERROR : AUTH_EXPIRED;
		return;
	}
	char account_key[300], ip_key[80];
	throttle_keys(in->kind, row.email, in->ip, account_key, sizeof account_key, ip_key,
	              sizeof ip_key);
	if (throttle_check(d, account_key, ip_key, in->now, out)) {
		if (in->kind == ACCOUNT_STAFF && out->status == AUTH_THROTTLED)
			audit_signin(d, row.id, row.name, row.email, in->ip, false, "throttled", in->now);
		return;
	}
	rc = twofa_verify(d, in->kind, row.id, in->code, in->now);
	if (rc < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	if (rc == TWOFA_NOT_ENABLED) { /* reset in the meantime: sign in again */
		store_challenge_delete(d, ch.id);
		out->status = AUTH_EXPIRED;
		return;
	}
	if (rc != TWOFA_OK) {
		throttle_fail(d, account_key, in->now);
		throttle_fail(d, ip_key, in->now);
		if (in->kind == ACCOUNT_STAFF)
			audit_signin(d, row.id, row.name, row.email, in->ip, false, "wrong code", in->now);
		out->status = AUTH_BAD_CODE;
		return;
	}
	store_challenge_delete(d, ch.id);
	throttle_reset(d, account_key);
	struct session_origin origin = {in->ip, in->user_agent};
	if (session_start(d, in->kind, row.id, in->now, &origin, out->token, &out->session) < 0) {
		out->status = AUTH_ERROR;
		return;
	}
	session_fill(out, &row, true);
	if (in->kind == ACCOUNT_STAFF)
		audit_signin(d, row.id, row.name, row.email, in->ip, true, "password and code", in->now);
	out->status = AUTH_OK;
}

int auth_register(db *d, const struct account_new *n, const struct session_origin *origin,
                  int64_t now, struct auth_result *out)
{
	memset(out, 0, sizeof *out);
	int64_t id = account_create(d, n);
	if (id < 0)
		return (int)id;
	if (session_start(d, n->kind, id, now, origin, out->token, &out->session) < 0)
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
	int rc = db_begin_write(d);
	if (rc == 0)
		rc = store_account_set_profile(d, account_kind_name(s->kind), s->user_id, name, lang, now);
	/* Staff find a client's tickets by the client's name. */
	if (rc == 0 && s->kind == ACCOUNT_CLIENT)
		rc = ticket_search_client_changed(d, s->user_id);
	if (rc == 0)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc == 0 && s->kind == ACCOUNT_STAFF)
		ticket_staff_changed(); /* their name and language in notifications */
	return rc < 0 ? ACCOUNT_STORE_FAILED : AUTH_OK;
}

int auth_set_language(db *d, const struct session *s, const char *lang, int64_t now)
{
	if (!lang || (strcmp(lang, "pt-BR") != 0 && strcmp(lang, "en") != 0))
		return ACCOUNT_STORE_FAILED;
	int rc = store_account_set_language(d, account_kind_name(s->kind), s->user_id, lang, now);
	if (rc == 0 && s->kind == ACCOUNT_STAFF)
		ticket_staff_changed();
	return rc < 0 ? ACCOUNT_STORE_FAILED : AUTH_OK;
}
