/* Sign-in rules: passwords, tokens, sessions, throttling. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/auth.h"
#include "domain/password.h"
#include "domain/recovery.h"
#include "domain/session.h"
#include "domain/throttle.h"
#include "domain/token.h"
#include "store/account_store.h"
#include "store/session_store.h"
#include "../test_db.h"

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
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
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

Test(auth, without_the_test_setting_passwords_hash_with_the_interactive_limits)
{
	unsetenv("CHAMADO_TEST_WEAK_PASSWORD_HASHING");
	cr_assert_eq(password_init(), 0);
	cr_assert_not(password_hashing_weak());
	char hash[PASSWORD_HASH_MAX];
	cr_assert_eq(password_hash("correct horse", hash), 0);
	cr_assert(strstr(hash, "$m=65536,t=2,p=1$"), "64 MiB, two passes: %s", hash);
	cr_assert(password_verify("correct horse", hash));
}

Test(auth, a_hash_made_at_the_test_strength_is_remade_without_the_setting)
{
	setenv("CHAMADO_TEST_WEAK_PASSWORD_HASHING", "1", 1);
	cr_assert_eq(password_init(), 0);
	cr_assert(password_hashing_weak());
	char hash[PASSWORD_HASH_MAX];
	cr_assert_eq(password_hash("correct horse", hash), 0);
	cr_assert(strncmp(hash, "$argon2id$", 10) == 0, "%s", hash);
	cr_assert(strstr(hash, "$m=8,t=1,p=1$"), "%s", hash);
	cr_assert_not(password_needs_rehash(hash));
	unsetenv("CHAMADO_TEST_WEAK_PASSWORD_HASHING");
	cr_assert_eq(password_init(), 0);
	cr_assert(password_verify("correct horse", hash), "it still signs in");
	cr_assert(password_needs_rehash(hash), "and is remade at the interactive limits");
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

/* A session carries a copy of its account (migration 0041): whatever
 * changes the account, by any path, changes what its sessions show. */
static void exec_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void exec_ok(const char *fmt, ...)
{
	char sql[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	cr_assert_eq(db_exec(d, sql), 0, "%s: %s", sql, db_error(d));
}

Test(auth, a_live_session_shows_its_account_as_it_is_now)
{
	int64_t id = make_client("maria@exemplo.com.br", "segredo123");
	struct auth_result r;
	struct session s;
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0, &r);
	exec_ok("UPDATE clients SET name = 'Maria Lima', email = 'maria.lima@exemplo.com.br', "
	        "language = 'en' WHERE id = %lld",
	        (long long)id);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 1, &s), 1);
	cr_expect_str_eq(s.name, "Maria Lima");
	cr_expect_str_eq(s.email, "maria.lima@exemplo.com.br");
	cr_expect_str_eq(s.language, "en");
	cr_expect_not(s.twofa);

	exec_ok("INSERT INTO two_factor (user_kind, user_id, secret, enabled_at, created_at) "
	        "VALUES ('client', %lld, 'JBSWY3DPEHPK3PXP', NULL, 1)",
	        (long long)id);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 2, &s), 1);
	cr_expect_not(s.twofa, "a set-up still waiting for its first code");
	exec_ok("UPDATE two_factor SET enabled_at = 5");
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 3, &s), 1);
	cr_expect(s.twofa);
	exec_ok("DELETE FROM two_factor");
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 4, &s), 1);
	cr_expect_not(s.twofa);

	/* A contact of another account, allowed to see its tickets. */
	int64_t owner = make_client("empresa@exemplo.com.br", "segredo123");
	exec_ok("UPDATE clients SET owner_id = %lld, contact_tickets = 1 WHERE id = %lld",
	        (long long)owner, (long long)id);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 5, &s), 1);
	cr_expect_eq(s.owner_id, owner);
	cr_expect(s.contact_tickets);

	exec_ok("UPDATE clients SET active = 0 WHERE id = %lld", (long long)id);
	cr_expect_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 6, &s), 0,
	             "a deactivated account's sessions end");

	/* A removed account leaves its sessions ended too. */
	login("empresa@exemplo.com.br", "segredo123", "10.0.0.1", T0, &r);
	exec_ok("DELETE FROM clients WHERE id = %lld", (long long)owner);
	cr_expect_eq(session_resume(d, ACCOUNT_CLIENT, r.token, T0 + 7, &s), 0);
}

Test(auth, a_staff_session_follows_its_role)
{
	struct account_new n = {.kind = ACCOUNT_STAFF, .email = "ana@exemplo.com.br", .name = "Ana",
	                        .password = "segredo123"};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	struct auth_login in = {.kind = ACCOUNT_STAFF, .email = "ana@exemplo.com.br",
	                        .password = "segredo123", .ip = "10.0.0.1", .now = T0};
	struct auth_result r;
	auth_login(d, &in, &r);
	cr_assert_eq(r.status, AUTH_OK);
	struct session s;
	exec_ok("UPDATE staff SET role = 'admin' WHERE id = %lld", (long long)id);
	cr_assert_eq(session_resume(d, ACCOUNT_STAFF, r.token, T0 + 1, &s), 1);
	cr_expect(s.admin);
	cr_expect_str_eq(s.name, "Ana");
	exec_ok("UPDATE staff SET role = 'agent' WHERE id = %lld", (long long)id);
	cr_assert_eq(session_resume(d, ACCOUNT_STAFF, r.token, T0 + 2, &s), 1);
	cr_expect_not(s.admin, "an admin made agent loses the admin pages at once");
	exec_ok("UPDATE staff SET active = 0 WHERE id = %lld", (long long)id);
	cr_expect_eq(session_resume(d, ACCOUNT_STAFF, r.token, T0 + 3, &s), 0);
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

/* ---- the bounded queue of password work ---- */

struct hashing {
	int rc;
	char hash[PASSWORD_HASH_MAX];
};

static void *hash_in_thread(void *arg)
{
	struct hashing *h = arg;
	h->rc = password_hash("uma-senha-longa", h->hash);
	return NULL;
}

/* Waits (up to 60 s) until n callers wait for a turn. */
static bool wait_for_waiting(int n)
{
	for (int i = 0; i < 1200; i++) {
		int running_now, waiting_now;
		password_load(&running_now, &waiting_now);
		if (waiting_now == n)
			return true;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	return false;
}

Test(auth, with_every_turn_taken_and_the_queue_full_password_work_answers_busy)
{
	password_set_limits(1, 1);
	cr_assert_eq(password_turn_take(), 0);
	struct hashing queued = {.rc = 99};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, hash_in_thread, &queued), 0);
	cr_assert(wait_for_waiting(1), "the second hash never queued");
	/* The queue (one place) is full: the next caller is told at once. */
	char hash[PASSWORD_HASH_MAX];
	cr_expect_eq(password_hash("outra-senha-longa", hash), PASSWORD_BUSY);
	cr_expect_eq(password_check("outra-senha-longa", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA"), PASSWORD_BUSY);
	cr_expect_eq(password_check_dummy("outra-senha-longa"), PASSWORD_BUSY);
	/* The queued one gets its turn once the turn is given back. */
	password_turn_give();
	pthread_join(t, NULL);
	cr_assert_eq(queued.rc, 0);
	cr_expect_eq(password_check("uma-senha-longa", queued.hash), 1);
	password_set_limits(PASSWORD_RUNNING_MAX, PASSWORD_WAITING_MAX);
}

Test(auth, a_sign_in_while_password_work_is_full_answers_busy_and_counts_no_failure)
{
	make_client("maria@exemplo.com.br", "segredo123");
	password_set_limits(1, 0);
	cr_assert_eq(password_turn_take(), 0);
	struct auth_result r;
	for (int i = 0; i < 2 * THROTTLE_ACCOUNT.max_failures; i++) {
		login("maria@exemplo.com.br", "errada123", "10.0.0.1", T0 + i, &r);
		cr_assert_eq(r.status, AUTH_BUSY);
	}
	login("ninguem@exemplo.com.br", "errada123", "10.0.0.1", T0, &r);
	cr_expect_eq(r.status, AUTH_BUSY, "an unknown address is as busy as a known one");
	password_turn_give();
	/* None of the busy answers counted as a failure. */
	login("maria@exemplo.com.br", "segredo123", "10.0.0.1", T0 + 20, &r);
	cr_expect_eq(r.status, AUTH_OK);
	password_set_limits(PASSWORD_RUNNING_MAX, PASSWORD_WAITING_MAX);
}

/* ---- password reset links ---- */

/* Stores a live reset link for user_id; writes the token into token. */
static void reset_link(int64_t user_id, char token[TOKEN_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	cr_assert_gt(store_reset_insert(d, hash, "client", user_id, T0, T0 + RECOVERY_LINK_SECONDS), 0);
}

Test(auth, a_made_up_reset_link_is_refused_before_any_password_is_hashed)
{
	make_client("maria@exemplo.com.br", "segredo123");
	/* With no turn free and no queue, any hashing would answer busy: a
	 * made-up link is refused as invalid, so nothing was hashed. */
	password_set_limits(1, 0);
	cr_assert_eq(password_turn_take(), 0);
	cr_expect_eq(recovery_complete(d, ACCOUNT_CLIENT, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	                               "novasenha1", T0), RECOVERY_INVALID);
	cr_expect_eq(recovery_complete(d, ACCOUNT_CLIENT, "not-even-a-token", "novasenha1", T0),
	             RECOVERY_INVALID);
	password_turn_give();
	password_set_limits(PASSWORD_RUNNING_MAX, PASSWORD_WAITING_MAX);
}

Test(auth, a_live_reset_link_met_by_a_full_queue_stays_usable)
{
	int64_t id = make_client("maria@exemplo.com.br", "segredo123");
	char token[TOKEN_LEN + 1];
	reset_link(id, token);
	password_set_limits(1, 0);
	cr_assert_eq(password_turn_take(), 0);
	cr_expect_eq(recovery_complete(d, ACCOUNT_CLIENT, token, "novasenha1", T0 + 1), ACCOUNT_BUSY);
	password_turn_give();
	password_set_limits(PASSWORD_RUNNING_MAX, PASSWORD_WAITING_MAX);
	/* Not used up by the busy answer: it works now, once. */
	cr_expect_eq(recovery_complete(d, ACCOUNT_CLIENT, token, "novasenha1", T0 + 2), RECOVERY_OK);
	cr_expect_eq(recovery_complete(d, ACCOUNT_CLIENT, token, "novasenha2", T0 + 3), RECOVERY_INVALID);
	struct auth_result r;
	login("maria@exemplo.com.br", "novasenha1", "10.0.0.1", T0 + 4, &r);
	cr_expect_eq(r.status, AUTH_OK);
}

/* ---- throttling of the other forms ---- */

Test(auth, the_forms_throttle_per_address_and_per_account_each_with_its_own_counters)
{
	/* Per account: /forgot for one email, from ever new addresses. */
	char ip[32];
	int i;
	for (i = 0; i < 100; i++) {
		snprintf(ip, sizeof ip, "10.1.0.%d", i);
		if (throttle_form_wait(d, THROTTLE_FORGOT, "Maria@Exemplo.com.br", ip, T0 + i) > 0)
			break;
		cr_assert_eq(throttle_form_count(d, THROTTLE_FORGOT, "maria@exemplo.com.br", ip, T0 + i), 0);
	}
	cr_expect(i > 1 && i < 100, "the account was throttled after %d requests", i);
	cr_expect_eq(throttle_form_wait(d, THROTTLE_FORGOT, "jose@exemplo.com.br", "10.1.0.200", T0 + i), 0,
	             "another account is not held back");
	cr_expect_eq(throttle_form_wait(d, THROTTLE_REGISTER, "maria@exemplo.com.br", "10.1.0.200", T0 + i), 0,
	             "another form has counters of its own");
	/* Per address: /reset with ever new made-up links from one address. */
	char token[TOKEN_LEN + 1];
	for (i = 0; i < 100; i++) {
		token_new(token);
		if (throttle_form_wait(d, THROTTLE_RESET, token, "10.2.0.1", T0 + i) > 0)
			break;
		cr_assert_eq(throttle_form_count(d, THROTTLE_RESET, token, "10.2.0.1", T0 + i), 0);
	}
	cr_expect(i > 1 && i < 100, "the address was throttled after %d links", i);
	int64_t wait = throttle_form_wait(d, THROTTLE_RESET, token, "10.2.0.1", T0 + i);
	cr_expect(wait > 0 && wait <= 15 * 60, "wait %lld s", (long long)wait);
	cr_expect_eq(throttle_form_wait(d, THROTTLE_RESET, token, "10.2.0.2", T0 + i), 0);
	/* Sign-in's counters are apart too. */
	cr_expect_eq(throttle_wait(d, "ip:10.2.0.1", &THROTTLE_IP, T0 + i), 0);
	/* And the wait ends with the window. */
	cr_expect_eq(throttle_form_wait(d, THROTTLE_RESET, token, "10.2.0.1", T0 + i + 15 * 60), 0);
}
