#include "mail/thread.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mail/compose.h"
#include "store/mail_store.h"
#include "store/settings_store.h"

#define MAIL_REF_SECRET_KEY "mail_ref_secret"
#define MAIL_REF_MAC_BYTES 6 /* 12 hex digits */
#define MAIL_THREAD_REFS_MAX 600

/* The installation's secret (64 hex digits), created on first use. */
static int ref_secret(db *d, unsigned char key[crypto_auth_hmacsha256_KEYBYTES])
{
	char hex[2 * crypto_auth_hmacsha256_KEYBYTES + 1];
	store_setting_get(d, MAIL_REF_SECRET_KEY, "", hex, sizeof hex);
	if (strlen(hex) != sizeof hex - 1) {
		unsigned char fresh[crypto_auth_hmacsha256_KEYBYTES];
		if (sodium_init() < 0)
			return DB_ERROR;
		randombytes_buf(fresh, sizeof fresh);
		sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
		int rc = store_setting_default(d, MAIL_REF_SECRET_KEY, hex);
		if (rc < 0)
			return rc;
		/* Another process may have won the race: read what is stored. */
		store_setting_get(d, MAIL_REF_SECRET_KEY, "", hex, sizeof hex);
	}
	size_t len = 0;
	if (sodium_hex2bin(key, crypto_auth_hmacsha256_KEYBYTES, hex, strlen(hex), NULL, &len, NULL) !=
	        0 ||
	    len != crypto_auth_hmacsha256_KEYBYTES)
		return DB_ERROR;
	return DB_OK;
}

static void ref_format(const unsigned char key[crypto_auth_hmacsha256_KEYBYTES], int64_t number,
                       char out[MAIL_REF_MAX])
{
	char subject[32];
	int n = snprintf(subject, sizeof subject, "T%lld", (long long)number);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)subject, (unsigned long long)n, key);
	char hex[2 * MAIL_REF_MAC_BYTES + 1];
	sodium_bin2hex(hex, sizeof hex, mac, MAIL_REF_MAC_BYTES);
	snprintf(out, MAIL_REF_MAX, "%s-%s", subject, hex);
}

int mail_thread_ref(db *d, int64_t number, char out[MAIL_REF_MAX])
{
	unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
	int rc = ref_secret(d, key);
	if (rc < 0)
		return rc;
	ref_format(key, number, out);
	sodium_memzero(key, sizeof key);
	return DB_OK;
}

int64_t mail_thread_find_ref(db *d, const char *text)
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
		char token[MAIL_REF_MAX];
		size_t len = 1 + nd + 1 + strspn(digits + nd + 1, "0123456789abcdef");
		if (len >= sizeof token || len != 1 + nd + 1 + 2 * MAIL_REF_MAC_BYTES)
			continue;
		memcpy(token, p + 5, len);
		token[len] = '\0';
		int64_t number = 0;
		for (size_t i = 0; i < nd; i++)
			number = number * 10 + (digits[i] - '0');
		char expect[MAIL_REF_MAX];
		ref_format(key, number, expect);
		if (strlen(expect) == len && sodium_memcmp(expect, token, len) == 0)
			found = number;
	}
	sodium_memzero(key, sizeof key);
	return found;
}

int mail_thread_notify(db *d, const struct mailer *m, const char *name, enum lang lang,
                       vm_obj *ctx, const char *to, const char *to_name, int64_t ticket_id)
{
	arena *a = vm_arena(ctx);
	const char *first = NULL, *last = NULL;
	int64_t number = 0, final_id = 0;
	int rc = store_mail_thread_ids(d, ticket_id, a, &first, &last);
	if (rc == 0)
		rc = store_mail_ticket_number(d, ticket_id, &number, &final_id) < 0 ? DB_ERROR : 0;
	char ref[MAIL_REF_MAX];
	if (rc == 0 && number > 0 && (rc = mail_thread_ref(d, number, ref)) == 0)
		vm_set_text(ctx, "ref", arena_strdup(a, ref));
	if (rc < 0)
		return rc;
	vm_set_text(ctx, "company", m->company);
	vm_set_text(ctx, "base_url", m->base_url);
	struct mail mail = {.to = to, .to_name = to_name, .auto_generated = true,
	                    .ticket_id = ticket_id};
	char references[MAIL_THREAD_REFS_MAX];
	mail.in_reply_to = last ? last : first;
	if (first && last && strcmp(first, last) != 0)
		snprintf(references, sizeof references, "%s %s", first, last);
	else
		snprintf(references, sizeof references, "%s", mail.in_reply_to ? mail.in_reply_to : "");
	mail.references = *references ? references : NULL;
	if (mail_compose(m->templates, name, lang, ctx, &mail) < 0)
		return DB_ERROR;
	int64_t id = outbox_enqueue(d, &mail, m->mail_from, NULL);
	return id < 0 ? (int)id : 0;
}
