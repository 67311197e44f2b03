#include "domain/throttle.h"

#include <stdio.h>

#include "domain/token.h"
#include "store/session_store.h"

const struct throttle_rule THROTTLE_ACCOUNT = {5, 15 * 60};
const struct throttle_rule THROTTLE_IP = {30, 15 * 60};

int64_t throttle_wait(db *d, const char *key, const struct throttle_rule *rule, int64_t now)
{
	int64_t count = 0, oldest = 0;
	int rc = store_attempt_failures(d, key, now - rule->window_seconds, &count, &oldest);
	if (rc < 0)
		return rc;
	if (count < rule->max_failures)
		return 0;
	int64_t wait = oldest + rule->window_seconds - now;
	return wait > 0 ? wait : 1;
}

int throttle_fail(db *d, const char *key, int64_t now)
{
	return store_attempt_add(d, key, 0, now);
}

int throttle_reset(db *d, const char *key)
{
	return store_attempt_clear(d, key);
}

/* Per form: the account's and the address's rule. /forgot allows more per
 * account than sign-in since its email is capped per hour anyway
 * (RECOVERY_MAX_PER_HOUR) and a user may ask twice. */
static const struct form_rules {
	const char *name;
	struct throttle_rule account, ip;
} FORM_RULES[] = {
	[THROTTLE_FORGOT] = {"forgot", {10, 15 * 60}, {30, 15 * 60}},
	[THROTTLE_RESET] = {"reset", {5, 15 * 60}, {30, 15 * 60}},
	[THROTTLE_REGISTER] = {"register", {5, 15 * 60}, {30, 15 * 60}},
};

/* "forgot:maria@example.com" (lower case), "reset:<hash of the link>",
 * "forgot-ip:203.0.113.9". An empty account key when account is empty. */
static void form_keys(enum throttle_form form, const char *account, const char *ip,
                      char account_key[300], char ip_key[100])
{
	const char *name = FORM_RULES[form].name;
	account_key[0] = '\0';
	if (account && *account) {
		if (form == THROTTLE_RESET) {
			char hash[TOKEN_HASH_LEN + 1];
			token_hash(account, hash);
			snprintf(account_key, 300, "%s:%s", name, hash);
		} else {
			snprintf(account_key, 300, "%s:%s", name, account);
			for (char *p = account_key; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p + 32);
		}
	}
	snprintf(ip_key, 100, "%s-ip:%s", name, ip ? ip : "");
}

int64_t throttle_form_wait(db *d, enum throttle_form form, const char *account, const char *ip,
                           int64_t now)
{
	char account_key[300], ip_key[100];
	form_keys(form, account, ip, account_key, ip_key);
	int64_t wait_ip = throttle_wait(d, ip_key, &FORM_RULES[form].ip, now);
	if (wait_ip < 0 || !account_key[0])
		return wait_ip;
	int64_t wait_account = throttle_wait(d, account_key, &FORM_RULES[form].account, now);
	if (wait_account < 0)
		return wait_account;
	return wait_account > wait_ip ? wait_account : wait_ip;
}

int throttle_form_count(db *d, enum throttle_form form, const char *account, const char *ip,
                        int64_t now)
{
	char account_key[300], ip_key[100];
	form_keys(form, account, ip, account_key, ip_key);
	int rc = throttle_fail(d, ip_key, now);
	if (rc >= 0 && account_key[0])
		rc = throttle_fail(d, account_key, now);
	return rc < 0 ? rc : 0;
}
