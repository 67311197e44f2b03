/* Sign-in rules: passwords, tokens, sessions, throttling. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/auth.h"
#include "domain/password.h"
#include "domain/session.h"
#include "domain/throttle.h"
#include "domain/token.h"
#include "store/account_store.h"

static db *d;
static char path[64];
static const int64_t T0 = 1800000000;

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	snprintf(path, sizeof path, "/tmp/chamado-auth-%d.db", getpid());
	unlink(path);
	char url[96], err[256];
	snprintf(url, sizeof url, "sqlite:%s", path);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 1);
}

static void teardown(void)
{
	db_close(d);
	unlink(path);
	char wal[80];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
}

TestSuite(auth, .init = setup, .fini = teardown);

static int64_t make_client(const char *email, const char *password)
{
	struct account_new n = {.kind = ACCOUNT_CLIENT, .email = email, .name = "Maria Souza",
	                        .password = password};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	return id;
}

static void login(const char *email, const char *password, const char *ip, int64_t now,
                  struct auth_result *out)
{
	struct auth_login in = {.kind = ACCOUNT_CLIENT, .email = email, .password = password,
	                        .ip = ip, .now = now};
	auth_login(d, &in, out);
}

Test(auth, tokens_are_43_url_safe_characters_and_never_repeat)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	token_new(a);
	token_new(b);
	cr_assert_eq(strlen(a), TOKEN_LEN);
	cr_assert(token_well_formed(a));
	cr_assert_str_neq(a, b);
	cr_assert(!token_well_formed("short"));
	cr_assert(!token_well_formed("ab/cdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"));
}

Test(auth, token_hashes_are_sha256_hex_and_stable)
{
	char h[TOKEN_HASH_LEN + 1];
	token_hash("abc", h);
	cr_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(auth, csrf_comparison_needs_the_same_token)
{
	cr_assert(token_equal("abcdef", "abcdef"));
	cr_assert(!token_equal("abcdef", "abcdeg"));
	cr_assert(!token_equal("abcdef", "abcde"));
	cr_assert(!token_equal("", ""));
	cr_assert(!token_equal(NULL, "abc"));
}

Test(auth, passwords_hash_with_argon2id_and_verify)
{
	char hash[PASSWORD_HASH_MAX];
	cr_assert_eq(password_hash("correct horse", hash), 0);
	cr_assert(strncmp(hash, "$argon2id$", 10) == 0, "%s", hash);
	cr_assert(password_verify("correct horse", hash));
	cr_assert(!password_verify("correct horsE", hash));
	cr_assert(!password_needs_rehash(hash));
}

Test(auth, a_password_shorter_than_8_characters_is_refused)
{
	struct account_new n = {.kind = ACCOUNT_CLIENT, .email = "a@b.com.br", .name = "A",
	                        .password = "1234567"};
	cr_assert_eq(account_create(d, &n), ACCOUNT_PASSWORD_SHORT);
	/* Eight characters with accents count characters, not bytes. */
	n.password = "çççççççç";
	cr_assert_gt(account_create(d, &n), 0);
}

Test(auth, emails_are_unique_without_regard_to_case)
{
	make_client("Maria@Exemplo.com.br", "segredo123");
	struct account_new n = {.kind = ACCOUNT_CLIENT, .email = "maria@exemplo.COM.br", .name = "M",
	                        .password = "segredo123"};
	cr_assert_eq(account_create(d, &n), ACCOUNT_EMAIL_TAKEN);
}

Test(auth, signs_in_with_the_right_password_and_gets_a_live_session)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result r;
	login("MARIA@exemplo.com.br", "segredo123", "10.0.0.1", T0, &r);
	cr_assert_eq(r.status, AUTH_OK);
	struct session s;
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 10, &s), 1);
	cr_assert_str_eq(s.name, "Maria Souza");
	cr_assert_str_eq(s.csrf, r.session.csrf);
	/* The same token is no staff session. */
	cr_assert_eq(session_resume(d, ACCOUNT_STAFF, r.token, T0 + 10, &s), 0);
}

Test(auth, each_sign_in_gets_a_new_token)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result a, b;
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &a);
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &b);
	cr_assert_str_neq(a.token, b.token);
}

Test(auth, a_wrong_password_and_an_unknown_address_look_the_same)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result r;
	login("maria@exemplo.com.br", "errada123", "10.0.0.1", T0, &r);
	cr_assert_eq(r.status, AUTH_BAD_CREDENTIALS);
	login("ninguem@exemplo.com.br", "errada123", "10.0.0.1", T0, &r);
	cr_assert_eq(r.status, AUTH_BAD_CREDENTIALS);
}

Test(auth, sessions_expire_when_idle_and_after_their_maximum_age)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result r;
	struct session s;
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &r);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + SESSION_IDLE + 1, &s), 0);
	/* Once expired it is gone, even if asked earlier again. */
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 1, &s), 0);

	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &r);
	int64_t t = T0;
	/* Active every hour, it still ends at the absolute limit. */
	while (t + 3600 < T0 + SESSION_MAX) {
		t += 3600;
		cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, t, &s), 1);
	}
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + SESSION_MAX, &s), 0);
}

Test(auth, signing_out_deletes_the_session)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result r;
	struct session s;
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &r);
	cr_assert_eq(session_end(d, r.token), 0);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 1, &s), 0);
}

Test(auth, five_failures_lock_the_account_for_the_rest_of_the_window)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result r;
	for (int i = 0; i < 5; i++) {
		login("maria@exemplo.com.br", "errada123", "10.0.0.1", T0 + i, &r);
		cr_assert_eq(r.status, AUTH_BAD_CREDENTIALS);
	}
	/* Even the right password waits, from another address too. */
	login("maria@exemplo.com.br", "segredo123", "10.0.0.2", T0 + 60, &r);
	cr_assert_eq(r.status, AUTH_THROTTLED);
	cr_assert_eq(r.wait_seconds, 15 * 60 - 60);
	/* Once the oldest failure leaves the window, one more try is allowed. */
	login("maria@exemplo.com.br", "segredo123", "10.0.0.2", T0 + 15 * 60 + 1, &r);
	cr_assert_eq(r.status, AUTH_OK);
}

Test(auth, a_success_resets_the_account_failures)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result r;
	for (int i = 0; i < 4; i++)
		login("maria@exemplo.com.br", "errada123", "10.0.0.1", T0, &r);
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &r);
	cr_assert_eq(r.status, AUTH_OK);
	for (int i = 0; i < 4; i++)
		login("maria@exemplo.com.br", "errada123", "10.0.0.1", T0 + 1, &r);
	cr_assert_eq(r.status, AUTH_BAD_CREDENTIALS);
}

Test(auth, one_address_trying_many_accounts_is_throttled)
{
	int64_t wait = throttle_wait(d, "ip:10.9.9.9", &THROTTLE_IP, T0);
	cr_assert_eq(wait, 0);
	for (int i = 0; i < THROTTLE_IP.max_failures; i++)
		cr_assert_eq(throttle_fail(d, "ip:10.9.9.9", T0 + i), 0);
	wait = throttle_wait(d, "ip:10.9.9.9", &THROTTLE_IP, T0 + 100);
	cr_assert_eq(wait, THROTTLE_IP.window_seconds - 100);
	cr_assert_eq(throttle_wait(d, "ip:10.9.9.8", &THROTTLE_IP, T0 + 100), 0);
}

Test(auth, changing_the_password_needs_the_current_one_and_signs_out_other_sessions)
{
	make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result a, b;
	struct session s;
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &a);
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &b);
	cr_assert_eq(auth_change_password(d, &a.session, "errada123", "novasenha1", T0), AUTH_WRONG_PASSWORD);
	cr_assert_eq(auth_change_password(d, &a.session, "segredo123", "curta", T0), ACCOUNT_PASSWORD_SHORT);
	cr_assert_eq(auth_change_password(d, &a.session, "segredo123", "novasenha1", T0), AUTH_OK);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, a.token, T0 + 1, &s), 1);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, b.token, T0 + 1, &s), 0);
	struct auth_result c;
	login("maria@exemplo.com.br", "novasenha1", "10.0.0.1", T0 + 2, &c);
	cr_assert_eq(c.status, AUTH_OK);
}
