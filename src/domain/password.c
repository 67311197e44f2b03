#include "domain/password.h"

#include <pthread.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "base/str.h"
#include "base/turns.h"
#include "domain/account.h"
#include "domain/token.h"

/* The turns: at most PASSWORD_RUNNING_MAX hashes at once, at most
 * PASSWORD_WAITING_MAX callers waiting for one. */
static struct turns hashing = TURNS_INIT(PASSWORD_RUNNING_MAX, PASSWORD_WAITING_MAX);

/* argon2id's limits: interactive, or the smallest for the test suites. */
static unsigned long long ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t mem_limit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

int password_init(void)
{
	if (sodium_init() < 0)
		return -1;
	const char *weak = getenv("CHAMADO_TEST_WEAK_PASSWORD_HASHING");
	bool test_strength = weak && strcmp(weak, "1") == 0;
	ops_limit = test_strength ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
	mem_limit = test_strength ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
	return 0;
}

bool password_hashing_weak(void)
{
	return mem_limit != crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

void password_set_limits(int running_limit, int waiting_limit)
{
	turns_set_limits(&hashing, running_limit, waiting_limit >= 0 ? waiting_limit : 0);
}

int password_turn_take(void)
{
	return turns_take(&hashing) < 0 ? PASSWORD_BUSY : 0;
}

void password_turn_give(void)
{
	turns_give(&hashing);
}

/* A hash of random bytes: nothing typed can match it. Made on first use,
 * not at start-up, so starting costs neither 60 ms nor 64 MiB. The queue's
 * bound does not apply to it: it is made once. */
static void make_dummy_hash(void)
{
	char random_password[TOKEN_LEN + 1];
	token_new(random_password);
	if (crypto_pwhash_str_alg(dummy_hash, random_password, strlen(random_password), ops_limit,
	                          mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		dummy_hash[0] = '\0';
}

void password_load(int *running_now, int *waiting_now)
{
	turns_load(&hashing, running_now, waiting_now);
}

int password_check_dummy(const char *password)
{
	pthread_once(&dummy_once, make_dummy_hash);
	int rc = password_check(password, dummy_hash);
	return rc == PASSWORD_BUSY ? PASSWORD_BUSY : 0;
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
	if (password_turn_take() < 0)
		return PASSWORD_BUSY;
	int rc = crypto_pwhash_str_alg(out, password, strlen(password), ops_limit, mem_limit,
	                               crypto_pwhash_ALG_ARGON2ID13);
	password_turn_give();
	return rc == 0 ? 0 : -1;
}

int password_check(const char *password, const char *hash)
{
	if (!hash || !*hash)
		return 0;
	if (password_turn_take() < 0)
		return PASSWORD_BUSY;
	bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	password_turn_give();
	return ok ? 1 : 0;
}

bool password_verify(const char *password, const char *hash)
{
	return password_check(password, hash) == 1;
}

bool password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, ops_limit, mem_limit) != 0;
}
