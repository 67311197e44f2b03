#include "domain/password.h"

#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>

#include "base/str.h"
#include "domain/account.h"
#include "domain/token.h"

static sem_t hash_slots;
static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

int password_init(void)
{
	if (sodium_init() < 0 || sem_init(&hash_slots, 0, 2) < 0)
		return -1;
	return 0;
}

/* A hash of random bytes: nothing typed can match it. Made on first use,
 * not at start-up, so starting costs neither 60 ms nor 64 MiB. */
static void make_dummy_hash(void)
{
	char random_password[TOKEN_LEN + 1];
	token_new(random_password);
	if (password_hash(random_password, dummy_hash) < 0)
		dummy_hash[0] = '\0';
}

bool password_verify_dummy(const char *password)
{
	pthread_once(&dummy_once, make_dummy_hash);
	password_verify(password, dummy_hash);
	return false;
}

int password_check_rules(const char *password)
{
	if (!password || str_utf8_length(password) < PASSWORD_MIN_LENGTH)
		return ACCOUNT_PASSWORD_SHORT;
	if (strlen(password) > PASSWORD_MAX_LENGTH)
		return ACCOUNT_PASSWORD_LONG;
	return 0;
}

int password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
	sem_wait(&hash_slots);
	int rc = crypto_pwhash_str_alg(out, password, strlen(password),
	                               crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                               crypto_pwhash_MEMLIMIT_INTERACTIVE,
	                               crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&hash_slots);
	return rc == 0 ? 0 : -1;
}

bool password_verify(const char *password, const char *hash)
{
	if (!hash || !*hash)
		return false;
	sem_wait(&hash_slots);
	bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	sem_post(&hash_slots);
	return ok;
}

bool password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}
