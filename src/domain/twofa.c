#include "domain/twofa.h"

#include <glib.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/random.h"
#include "base/thread_copy.h"
#include "domain/audit.h"
#include "domain/password.h"
#include "domain/session.h"
#include "domain/token.h"
#include "store/account_store.h"
#include "store/settings_store.h"
#include "store/twofa_store.h"

/* ---- the algorithm ---- */

uint32_t totp_code(const unsigned char *key, size_t keylen, int64_t counter, int digits)
{
	unsigned char msg[8];
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	/* HMAC-SHA1 is what RFC 6238 and the authenticator apps use;
	 * libsodium has no SHA-1, GLib (under GMime) has it. */
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA1, key, keylen);
	g_hmac_update(h, msg, sizeof msg);
	guint8 digest[20];
	gsize len = sizeof digest;
	g_hmac_get_digest(h, digest, &len);
	g_hmac_unref(h);
	int offset = digest[19] & 0x0f;
	uint32_t binary = ((uint32_t)(digest[offset] & 0x7f) << 24) |
	                  ((uint32_t)digest[offset + 1] << 16) | ((uint32_t)digest[offset + 2] << 8) |
	                  (uint32_t)digest[offset + 3];
	uint32_t mod = 1;
	for (int i = 0; i < digits; i++)
		mod *= 10;
	return binary % mod;
}

int64_t totp_step(int64_t now)
{
	return now / TOTP_PERIOD;
}

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void base32_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned buffer = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		buffer = (buffer << 8) | in[i];
		bits += 8;
		while (bits >= 5 && o + 1 < outlen) {
			out[o++] = b32_alphabet[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outlen)
		out[o++] = b32_alphabet[(buffer << (5 - bits)) & 31];
	if (outlen)
		out[o] = '\0';
}

int base32_decode(const char *in, unsigned char *out, size_t outlen)
{
	size_t o = 0;
	unsigned buffer = 0;
	int bits = 0;
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-' || c == '=')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		const char *at = strchr(b32_alphabet, c);
		if (!at || !c)
			return -1;
		buffer = (buffer << 5) | (unsigned)(at - b32_alphabet);
		bits += 5;
		if (bits >= 8) {
			if (o >= outlen)
				return -1;
			out[o++] = (unsigned char)((buffer >> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return (int)o;
}

/* ---- codes as typed ---- */

/* Recovery codes avoid letters and digits that read alike (0/o, 1/l/i). */
static const char recovery_alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";

/* What the person typed, without spaces and dashes, lowercased, in out:
 * 6 when it is six digits, 10 when it may be a recovery code, else 0. */
static int code_normalize(const char *typed, char out[16])
{
	size_t n = 0;
	for (const char *p = typed ? typed : ""; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (n >= 15)
			return 0;
		out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	out[n] = '\0';
	if (n == TOTP_DIGITS && strspn(out, "0123456789") == n)
		return TOTP_DIGITS;
	if (n == 10 && strspn(out, recovery_alphabet) == n)
		return 10;
	return 0;
}

static const char *kind_name(enum account_kind kind)
{
	return account_kind_name(kind);
}

/* The step the six digits match under secret, within one step of now and
 * after last_step; -1 when none does. */
static int64_t matching_step(const char *secret, const char *digits, int64_t now, int64_t last_step)
{
	unsigned char key[64];
	int keylen = base32_decode(secret, key, sizeof key);
	if (keylen <= 0)
		return -1;
	uint32_t typed = 0;
	for (const char *p = digits; *p; p++)
		typed = typed * 10 + (uint32_t)(*p - '0');
	int64_t step = totp_step(now), found = -1;
	for (int64_t s = step - 1; s <= step + 1; s++)
		if (s > last_step && totp_code(key, (size_t)keylen, s, TOTP_DIGITS) == typed)
			found = s;
	sodium_memzero(key, sizeof key);
	return found;
}

/* ---- settings ---- */

static bool setting_on(db *d, const char *key, const char *fallback)
{
	char value[8];
	store_setting_get(d, key, fallback, value, sizeof value);
	return value[0] == '1';
}

/* Every request of a staff member without two-factor sign-in asks whether
 * the admin requires it: a thread's copy of the answer serves for
 * REQUIRED_TTL seconds, and is read again at once after a save on this
 * node (another node's save shows within the TTL). A failed read is not
 * kept. */
enum { REQUIRED_TTL = 5 };
static atomic_uint settings_generation;

/* 1 when the setting is on, 0 when off or unset, < 0. */
static int required_setting_read(void *d)
{
	char value[8];
	int rc = store_setting_read(d, "twofa_require_staff", value, sizeof value);
	return rc < 0 ? rc : rc == 1 && value[0] == '1';
}

bool twofa_required_for_staff(db *d)
{
	static _Thread_local struct kept_value kept;
	unsigned generation = atomic_load(&settings_generation);
	return kept_value_get(&kept, d, REQUIRED_TTL, generation, required_setting_read) == 1;
}

bool twofa_offered_to_clients(db *d)
{
	return setting_on(d, "twofa_clients", "1");
}

bool twofa_setup_required(db *d, const struct session *account)
{
	return account && account->kind == ACCOUNT_STAFF && !account->twofa &&
	       twofa_required_for_staff(d);
}

int twofa_settings_save(db *d, const struct actor *actor, bool require_staff, bool offer_clients)
{
	if (!actor_is_staff(actor) || !actor->account->admin)
		return TWOFA_FORBIDDEN;
	int rc = db_begin_write(d);
	struct audit_snapshot snap;
	if (rc == 0 && (rc = audit_begin(d, &snap, "settings", 0)) < 0)
		buf_free(&snap.before);
	if (rc == 0)
		rc = store_setting_set(d, "twofa_require_staff", require_staff ? "1" : "0");
	if (rc == 0)
		rc = store_setting_set(d, "twofa_clients", offer_clients ? "1" : "0");
	if (rc == 0)
		rc = audit_end(d, &snap, actor, 0, (int64_t)time(NULL));
	else if (snap.before.data)
		buf_free(&snap.before);
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0)
		db_rollback(d);
	atomic_fetch_add(&settings_generation, 1);
	return rc;
}

/* ---- the rules ---- */

int twofa_state(db *d, enum account_kind kind, int64_t user_id, struct twofa_state *out)
{
	memset(out, 0, sizeof *out);
	struct twofa_row row;
	int rc = store_twofa_get(d, kind_name(kind), user_id, &row);
	if (rc < 0)
		return rc;
	if (rc == 0 || !row.enabled_at)
		return 0;
	out->enabled = true;
	out->enabled_at = row.enabled_at;
	int64_t left = store_recovery_left(d, kind_name(kind), user_id);
	if (left < 0)
		return (int)left;
	out->recovery_left = (int)left;
	return 0;
}

/* The actor's own account, when it is a signed-in person. */
static const struct session *own_account(const struct actor *actor)
{
	return actor && actor->account && actor->channel == CHANNEL_WEB ? actor->account : NULL;
}

int twofa_setup_begin(db *d, const struct actor *actor, int64_t now,
                      char secret[TWOFA_SECRET_B32 + 1])
{
	const struct session *me = own_account(actor);
	if (!me)
		return TWOFA_FORBIDDEN;
	if (me->kind == ACCOUNT_CLIENT && !twofa_offered_to_clients(d))
		return TWOFA_NOT_OFFERED;
	const char *kind = kind_name(me->kind);
	struct twofa_row row;
	int rc = store_twofa_get(d, kind, me->user_id, &row);
	if (rc < 0)
		return rc;
	if (rc == 1 && row.enabled_at)
		return TWOFA_ALREADY_ON;
	if (rc == 1 && now - row.created_at < TWOFA_PENDING_MAX_AGE &&
	    strlen(row.secret) == TWOFA_SECRET_B32) {
		memcpy(secret, row.secret, TWOFA_SECRET_B32 + 1);
		return TWOFA_OK;
	}
	unsigned char key[TWOFA_SECRET_BYTES];
	random_buf(key, sizeof key);
	base32_encode(key, sizeof key, secret, TWOFA_SECRET_B32 + 1);
	sodium_memzero(key, sizeof key);
	return store_twofa_put_pending(d, kind, me->user_id, secret, now);
}

/* A fresh recovery code "xxxxx-xxxxx" in out and the hash of its
 * normalized form in hash. */
static void recovery_code_new(char out[TWOFA_RECOVERY_LEN + 1], char hash[TOKEN_HASH_LEN + 1])
{
	char plain[11];
	for (int i = 0; i < 10; i++)
		plain[i] = recovery_alphabet[random_uniform(sizeof recovery_alphabet - 1)];
	plain[10] = '\0';
	snprintf(out, TWOFA_RECOVERY_LEN + 1, "%.5s-%.5s", plain, plain + 5);
	token_hash(plain, hash);
}

int twofa_setup_confirm(db *d, const struct actor *actor, const char *code, int64_t now,
                        char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1])
{
	const struct session *me = own_account(actor);
	if (!me)
		return TWOFA_FORBIDDEN;
	const char *kind = kind_name(me->kind);
	char typed[16];
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct twofa_row row;
	rc = store_twofa_get(d, kind, me->user_id, &row);
	if (rc <= 0 || row.enabled_at || now - row.created_at >= TWOFA_PENDING_MAX_AGE) {
		db_rollback(d);
		return rc < 0 ? rc : rc == 1 && row.enabled_at ? TWOFA_ALREADY_ON : TWOFA_NOT_ENABLED;
	}
	int64_t step = code_normalize(code, typed) == TOTP_DIGITS
	                       ? matching_step(row.secret, typed, now, -1) : -1;
	if (step < 0) {
		db_rollback(d);
		return TWOFA_BAD_CODE;
	}
	rc = store_twofa_enable(d, kind, me->user_id, step, now);
	if (rc == 0)
		rc = store_recovery_delete(d, kind, me->user_id);
	for (int i = 0; i < TWOFA_RECOVERY_CODES && rc == 0; i++) {
		char hash[TOKEN_HASH_LEN + 1];
		recovery_code_new(codes[i], hash);
		rc = store_recovery_insert(d, kind, me->user_id, hash);
	}
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return TWOFA_OK;
}

int twofa_disable(db *d, const struct actor *actor, const char *password, int64_t now)
{
	(void)now;
	const struct session *me = own_account(actor);
	if (!me)
		return TWOFA_FORBIDDEN;
	if (me->kind == ACCOUNT_STAFF && twofa_required_for_staff(d))
		return TWOFA_FORBIDDEN;
	const char *kind = kind_name(me->kind);
	struct account_row account;
	if (store_account_get(d, kind, me->user_id, &account) != 1)
		return DB_ERROR;
	if (!password_verify(password ? password : "", account.password_hash))
		return TWOFA_WRONG_PASSWORD;
	struct twofa_row row;
	int rc = store_twofa_get(d, kind, me->user_id, &row);
	if (rc <= 0 || !row.enabled_at)
		return rc < 0 ? rc : TWOFA_NOT_ENABLED;
	rc = db_begin_write(d);
	if (rc == 0)
		rc = store_twofa_delete(d, kind, me->user_id);
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0)
		db_rollback(d);
	return rc;
}

int twofa_recovery_regenerate(db *d, const struct actor *actor, const char *proof, int64_t now,
                              char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1])
{
	const struct session *me = own_account(actor);
	if (!me)
		return TWOFA_FORBIDDEN;
	const char *kind = kind_name(me->kind);
	struct twofa_row row;
	int rc = store_twofa_get(d, kind, me->user_id, &row);
	if (rc <= 0 || !row.enabled_at)
		return rc < 0 ? rc : TWOFA_NOT_ENABLED;
	/* Check: six digits are a code of the app (spent like one at sign-in,
	 * so it cannot serve twice); anything else is the password. A
	 * recovery code is no proof here: it is what is being replaced. */
	char typed[16];
	int64_t step = -1;
	if (code_normalize(proof, typed) == TOTP_DIGITS) {
		step = matching_step(row.secret, typed, now, row.last_step);
		if (step < 0)
			return TWOFA_WRONG_PASSWORD;
	} else {
		struct account_row account;
		rc = store_account_get(d, kind, me->user_id, &account);
		if (rc <= 0)
			return rc < 0 ? rc : TWOFA_FORBIDDEN;
		if (!password_verify(proof ? proof : "", account.password_hash))
			return TWOFA_WRONG_PASSWORD;
	}
	/* Proceed: the old codes go and ten new ones come in one transaction,
	 * with the audit record for staff. */
	rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	if (step >= 0) {
		rc = store_twofa_use_step(d, kind, me->user_id, step);
		if (rc == 0) { /* the step was spent meanwhile */
			db_rollback(d);
			return TWOFA_WRONG_PASSWORD;
		}
		rc = rc == 1 ? 0 : rc;
	}
	if (rc == 0)
		rc = store_recovery_delete(d, kind, me->user_id);
	for (int i = 0; i < TWOFA_RECOVERY_CODES && rc == 0; i++) {
		char hash[TOKEN_HASH_LEN + 1];
		recovery_code_new(codes[i], hash);
		rc = store_recovery_insert(d, kind, me->user_id, hash);
	}
	if (rc == 0 && me->kind == ACCOUNT_STAFF)
		rc = audit_record(d, actor, "2fa.recovery", me->email,
		                  step >= 0 ? "recovery codes: 10 new, the old ones revoked (confirmed with a code)"
		                            : "recovery codes: 10 new, the old ones revoked (confirmed with the password)",
		                  now);
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return TWOFA_OK;
}

int twofa_verify(db *d, enum account_kind kind, int64_t user_id, const char *code, int64_t now)
{
	const char *k = kind_name(kind);
	struct twofa_row row;
	int rc = store_twofa_get(d, k, user_id, &row);
	if (rc <= 0 || !row.enabled_at)
		return rc < 0 ? rc : TWOFA_NOT_ENABLED;
	char typed[16];
	switch (code_normalize(code, typed)) {
	case TOTP_DIGITS: {
		int64_t step = matching_step(row.secret, typed, now, row.last_step);
		if (step < 0)
			return TWOFA_BAD_CODE;
		rc = store_twofa_use_step(d, k, user_id, step);
		return rc < 0 ? rc : rc == 1 ? TWOFA_OK : TWOFA_BAD_CODE;
	}
	case 10: {
		char hash[TOKEN_HASH_LEN + 1];
		token_hash(typed, hash);
		rc = store_recovery_use(d, k, user_id, hash, now);
		return rc < 0 ? rc : rc == 1 ? TWOFA_OK : TWOFA_BAD_CODE;
	}
	default:
		return TWOFA_BAD_CODE;
	}
}

int twofa_reset(db *d, const struct actor *actor, enum account_kind kind, int64_t user_id,
                int64_t now)
{
	bool system = actor && !actor->account && actor->channel == CHANNEL_SYSTEM;
	bool admin = actor_is_staff(actor) && actor->account->admin;
	if (!system && !admin)
		return TWOFA_FORBIDDEN;
	const char *k = kind_name(kind);
	struct twofa_row row;
	int rc = store_twofa_get(d, k, user_id, &row);
	if (rc <= 0 || !row.enabled_at)
		return rc < 0 ? rc : TWOFA_NOT_ENABLED;
	struct account_row account;
	rc = store_account_get(d, k, user_id, &account);
	if (rc <= 0)
		return rc < 0 ? rc : TWOFA_NOT_ENABLED;
	rc = db_begin_write(d);
	if (rc == 0)
		rc = store_twofa_delete(d, k, user_id);
	/* Audited in the same transaction: who removed whose second factor. */
	if (rc == 0)
		rc = audit_record(d, actor, "2fa.reset", account.email,
		                  kind == ACCOUNT_STAFF ? "two-factor: on \xe2\x86\x92 off (staff)"
		                                        : "two-factor: on \xe2\x86\x92 off (client)", now);
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0)
		db_rollback(d);
	return rc;
}

/* Percent-encodes s for a URI's path or query into out at *o. */
static bool uri_put(char *out, size_t outlen, size_t *o, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		             (*p >= '0' && *p <= '9') || strchr("-._~@", *p);
		int n = plain ? snprintf(out + *o, outlen - *o, "%c", *p)
		              : snprintf(out + *o, outlen - *o, "%%%02X", *p);
		if (n < 0 || (size_t)n >= outlen - *o)
			return false;
		*o += (size_t)n;
	}
	return true;
}

bool twofa_otpauth_uri(const char *issuer, const char *account, const char *secret, char *out,
                       size_t outlen)
{
	/* otpauth://totp/Issuer:account?secret=…&issuer=Issuer&… (the Key
	 * Uri Format the authenticator apps read). */
	size_t o = 0;
	int n = snprintf(out, outlen, "otpauth://totp/");
	if (n < 0 || (size_t)n >= outlen)
		return false;
	o = (size_t)n;
	if (!uri_put(out, outlen, &o, issuer))
		return false;
	if (o + 1 >= outlen)
		return false;
	out[o++] = ':';
	if (!uri_put(out, outlen, &o, account))
		return false;
	n = snprintf(out + o, outlen - o, "?secret=%s&issuer=", secret);
	if (n < 0 || (size_t)n >= outlen - o)
		return false;
	o += (size_t)n;
	if (!uri_put(out, outlen, &o, issuer))
		return false;
	n = snprintf(out + o, outlen - o, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS,
	             TOTP_PERIOD);
	return n >= 0 && (size_t)n < outlen - o;
}
