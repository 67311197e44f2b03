#include "domain/ticket_ref.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/random.h"
#include "base/thread_copy.h"
#include "store/mail_store.h"
#include "store/settings_store.h"

#define TICKET_REF_SECRET_KEY "mail_ref_secret"
#define TICKET_REF_MAC_BYTES 6 /* 12 hex digits */

/* The installation's secret (64 hex digits), created on first use. */
static int ref_secret_read(db *d, unsigned char key[crypto_auth_hmacsha256_KEYBYTES])
{
	char hex[2 * crypto_auth_hmacsha256_KEYBYTES + 1];
	store_setting_get(d, TICKET_REF_SECRET_KEY, "", hex, sizeof hex);
	if (strlen(hex) != sizeof hex - 1) {
		unsigned char fresh[crypto_auth_hmacsha256_KEYBYTES];
		if (sodium_init() < 0)
			return DB_ERROR;
		random_buf(fresh, sizeof fresh);
		sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
		int rc = store_setting_default(d, TICKET_REF_SECRET_KEY, hex);
		if (rc < 0)
			return rc;
		/* Another process may have won the race: read what is stored. */
		store_setting_get(d, TICKET_REF_SECRET_KEY, "", hex, sizeof hex);
	}
	size_t len = 0;
	if (sodium_hex2bin(key, crypto_auth_hmacsha256_KEYBYTES, hex, strlen(hex), NULL, &len, NULL) !=
	        0 ||
	    len != crypto_auth_hmacsha256_KEYBYTES)
		return DB_ERROR;
	return DB_OK;
}

/* ref_secret_read, kept by each thread for a minute: every email about a
 * ticket carries a reference made with it, and it never changes once
 * stored. */
static int ref_secret(db *d, unsigned char key[crypto_auth_hmacsha256_KEYBYTES])
{
	enum { KEEP_S = 60 };
	static _Thread_local unsigned char kept[crypto_auth_hmacsha256_KEYBYTES];
	static _Thread_local struct thread_copy copy;
	time_t now = time(NULL);
	if (thread_copy_fresh(&copy, d, now, KEEP_S, 0)) {
		memcpy(key, kept, sizeof kept);
		return DB_OK;
	}
	int rc = ref_secret_read(d, key);
	if (rc == DB_OK) {
		memcpy(kept, key, sizeof kept);
		thread_copy_taken(&copy, d, now, 0);
	}
	return rc;
}

static void ref_format(const unsigned char key[crypto_auth_hmacsha256_KEYBYTES], int64_t number,
                       char out[TICKET_REF_MAX])
{
	char subject[32];
	int n = snprintf(subject, sizeof subject, "T%lld", (long long)number);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)subject, (unsigned long long)n, key);
	char hex[2 * TICKET_REF_MAC_BYTES + 1];
	sodium_bin2hex(hex, sizeof hex, mac, TICKET_REF_MAC_BYTES);
	snprintf(out, TICKET_REF_MAX, "%s-%s", subject, hex);
}

int ticket_ref_sign(db *d, const char *message, unsigned char mac[32])
{
	unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
	int rc = ref_secret(d, key);
	if (rc < 0)
		return rc;
	crypto_auth_hmacsha256(mac, (const unsigned char *)message, strlen(message), key);
	sodium_memzero(key, sizeof key);
	return DB_OK;
}

int ticket_ref_make(db *d, int64_t number, char out[TICKET_REF_MAX])
{
	unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
	int rc = ref_secret(d, key);
	if (rc < 0)
		return rc;
	ref_format(key, number, out);
	sodium_memzero(key, sizeof key);
	return DB_OK;
}

int64_t ticket_ref_find(db *d, const char *text)
{
	if (!text || !strstr(text, "Ref: T"))
		return 0;
	unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
	int rc = ref_secret(d, key);
	if (rc < 0)
		return rc;
	int64_t found = 0;
	for (const char *p = strstr(text, "Ref: T"); p && !found; p = strstr(p + 1, "Ref: T")) {
		const char *digits = p + 6;
		size_t nd = strspn(digits, "0123456789");
		if (nd == 0 || nd > 12 || digits[nd] != '-')
			continue;
		char token[TICKET_REF_MAX];
		size_t len = 1 + nd + 1 + strspn(digits + nd + 1, "0123456789abcdef");
		if (len >= sizeof token || len != 1 + nd + 1 + 2 * TICKET_REF_MAC_BYTES)
			continue;
		memcpy(token, p + 5, len);
		token[len] = '\0';
		int64_t number = 0;
		for (size_t i = 0; i < nd; i++)
			number = number * 10 + (digits[i] - '0');
		char expect[TICKET_REF_MAX];
		ref_format(key, number, expect);
		if (strlen(expect) == len && sodium_memcmp(expect, token, len) == 0)
			found = number;
	}
	sodium_memzero(key, sizeof key);
	return found;
}

int ticket_mail_thread(db *d, const struct ticket_row *t, arena *a, struct ticket_mail_thread *out)
{
	int64_t final_id = 0;
	*out = (struct ticket_mail_thread){0};
	/* A ticket not written yet (its emails composed before its
	 * transaction) has no emails of its own to thread on. */
	int rc = t->id > 0 ? store_mail_thread_ids(d, t->id, a, &out->first_sent, &out->last_received)
	                   : 0;
	if (rc < 0)
		return rc;
	/* A ticket never merged is its own survivor: no query (a reference to
	 * a number merged since still finds the survivor, as mail-in follows
	 * merges). */
	if (store_ticket_unmerged(t))
		out->number = t->number;
	else if ((rc = store_mail_ticket_number(d, t->id, &out->number, &final_id)) < 0)
		return rc;
	if (out->number > 0 && (rc = ticket_ref_make(d, out->number, out->ref)) < 0)
		return rc;
	return 0;
}
