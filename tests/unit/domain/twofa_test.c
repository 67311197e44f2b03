/* Two-factor sign-in: the TOTP algorithm against RFC 6238's vectors, the
 * set-up, drift, replay, recovery codes, the throttle, resets, and the
 * sessions list. Time is passed in, never read from the clock. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/auth.h"
#include "domain/password.h"
#include "domain/session.h"
#include "domain/twofa.h"
#include "view/qr.h"
#include "../test_db.h"

static db *d;
static char path[64];
static const int64_t T0 = 1800000000; /* a multiple of 30 */

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	snprintf(path, sizeof path, "/tmp/chamado-twofa-%d.db", getpid());
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
	const char *suffixes[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[80];
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

TestSuite(twofa, .init = setup, .fini = teardown);

/* ---- the algorithm ---- */

Test(twofa, gives_the_sha1_test_vectors_of_rfc_6238)
{
	const unsigned char key[] = "12345678901234567890";
	const struct { int64_t t; uint32_t code; } v[] = {
		{59, 94287082}, {1111111109, 7081804}, {1111111111, 14050471},
		{1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		cr_assert_eq(totp_code(key, 20, totp_step(v[i].t), 8), v[i].code, "T=%lld",
		             (long long)v[i].t);
	/* Six digits are the last six of the eight. */
	cr_assert_eq(totp_code(key, 20, totp_step(59), 6), 287082);
}

Test(twofa, base32_round_trips_and_ignores_case_and_spaces)
{
	const unsigned char key[] = "12345678901234567890";
	char text[40];
	base32_encode(key, 20, text, sizeof text);
	cr_assert_str_eq(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	unsigned char back[32];
	cr_assert_eq(base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", back, sizeof back), 20);
	cr_assert_eq(memcmp(back, key, 20), 0);
	cr_assert_eq(base32_decode("GEZ1", back, sizeof back), -1, "1 is not base32");
}

Test(twofa, the_otpauth_address_names_the_company_and_the_account)
{
	char uri[512];
	cr_assert(twofa_otpauth_uri("Minha Hospedagem", "ana@exemplo.com.br", "ABCDEF", uri, sizeof uri));
	cr_assert_str_eq(uri, "otpauth://totp/Minha%20Hospedagem:ana@exemplo.com.br?secret=ABCDEF"
	                      "&issuer=Minha%20Hospedagem&algorithm=SHA1&digits=6&period=30");
	cr_assert(!twofa_otpauth_uri("Minha Hospedagem", "ana@exemplo.com.br", "ABCDEF", uri, 20));
}

Test(twofa, draws_a_qr_code_as_an_svg_of_black_squares)
{
	buf out;
	buf_init(&out, 1 << 20);
	cr_assert_eq(qr_svg("otpauth://totp/X:y?secret=ABC", "QR <code>", &out), 0);
	const char *svg = buf_str(&out);
	cr_assert(strncmp(svg, "<svg ", 5) == 0, "%.40s", svg);
	cr_assert(strstr(svg, "aria-label=\"QR &lt;code&gt;\""), "the label is escaped");
	cr_assert(strstr(svg, "h1v1h-1z"));
	buf_free(&out);
}

/* ---- the rules ---- */

static struct session account(enum account_kind kind, const char *email)
{
	struct account_new n = {.kind = kind, .email = email, .name = "Ana Lima",
	                        .password = "segredo123", .admin = kind == ACCOUNT_STAFF};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	struct session s = {.kind = kind, .user_id = id, .admin = kind == ACCOUNT_STAFF};
	snprintf(s.email, sizeof s.email, "%s", email);
	return s;
}

/* The code the app would show for secret at step. */
static void code_at(const char *secret, int64_t step, char out[8])
{
	unsigned char key[64];
	int n = base32_decode(secret, key, sizeof key);
	cr_assert_gt(n, 0);
	snprintf(out, 8, "%06u", totp_code(key, (size_t)n, step, 6));
}

/* Turns it on at T0 for s; fills the secret and the recovery codes. */
static void turn_on(struct session *s, char secret[TWOFA_SECRET_B32 + 1],
                    char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1])
{
	struct actor a = actor_of(s, CHANNEL_WEB);
	cr_assert_eq(twofa_setup_begin(d, &a, T0, secret), TWOFA_OK);
	char code[8];
	code_at(secret, totp_step(T0), code);
	cr_assert_eq(twofa_setup_confirm(d, &a, code, T0, codes), TWOFA_OK);
	s->twofa = true;
}

Test(twofa, the_set_up_needs_a_right_code_and_gives_ten_different_recovery_codes)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	struct actor a = actor_of(&s, CHANNEL_WEB);
	char secret[TWOFA_SECRET_B32 + 1], again[TWOFA_SECRET_B32 + 1];
	cr_assert_eq(twofa_setup_begin(d, &a, T0, secret), TWOFA_OK);
	cr_assert_eq(strlen(secret), 32);
	cr_assert_eq(twofa_setup_begin(d, &a, T0 + 60, again), TWOFA_OK);
	cr_assert_str_eq(again, secret, "reloading the page keeps the secret");
	char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	cr_assert_eq(twofa_setup_confirm(d, &a, "000000", T0 + 60, codes), TWOFA_BAD_CODE);
	struct twofa_state st;
	cr_assert_eq(twofa_state(d, ACCOUNT_CLIENT, s.user_id, &st), 0);
	cr_assert(!st.enabled);
	char code[8];
	code_at(secret, totp_step(T0 + 60), code);
	cr_assert_eq(twofa_setup_confirm(d, &a, code, T0 + 60, codes), TWOFA_OK);
	cr_assert_eq(twofa_state(d, ACCOUNT_CLIENT, s.user_id, &st), 0);
	cr_assert(st.enabled);
	cr_assert_eq(st.recovery_left, 10);
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(strlen(codes[i]), 11);
		cr_assert_eq(codes[i][5], '-');
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(codes[i], codes[j]);
	}
	cr_assert_eq(twofa_setup_begin(d, &a, T0 + 90, again), TWOFA_ALREADY_ON);
}

Test(twofa, accepts_one_step_of_drift_either_way_but_not_two)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	char secret[TWOFA_SECRET_B32 + 1], codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	turn_on(&s, secret, codes); /* step T0/30 used */
	int64_t now = T0 + 300, step = totp_step(now);
	char code[8];
	code_at(secret, step - 2, code);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, now), TWOFA_BAD_CODE);
	code_at(secret, step + 2, code);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, now), TWOFA_BAD_CODE);
	code_at(secret, step - 1, code);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, now), TWOFA_OK);
	code_at(secret, step + 1, code);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, now), TWOFA_OK);
}

Test(twofa, never_accepts_a_code_twice_nor_one_older_than_the_last_used)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	char secret[TWOFA_SECRET_B32 + 1], codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	turn_on(&s, secret, codes);
	int64_t now = T0 + 600, step = totp_step(now);
	char code[8];
	/* The set-up's own code is spent. */
	code_at(secret, totp_step(T0), code);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, T0 + 10), TWOFA_BAD_CODE);
	code_at(secret, step, code);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, now), TWOFA_OK);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, now), TWOFA_BAD_CODE);
	code_at(secret, step - 1, code);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, code, now), TWOFA_BAD_CODE,
	             "a step before the last used one");
}

Test(twofa, a_recovery_code_works_once_typed_in_any_case_with_or_without_the_dash)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	char secret[TWOFA_SECRET_B32 + 1], codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	turn_on(&s, secret, codes);
	char typed[16];
	snprintf(typed, sizeof typed, "%.5s %.5s", codes[2], codes[2] + 6);
	for (char *p = typed; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, typed, T0 + 100), TWOFA_OK, "%s", typed);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, codes[2], T0 + 100), TWOFA_BAD_CODE);
	cr_assert_eq(twofa_verify(d, ACCOUNT_CLIENT, s.user_id, "abcde-fghjk", T0 + 100), TWOFA_BAD_CODE);
	struct twofa_state st;
	twofa_state(d, ACCOUNT_CLIENT, s.user_id, &st);
	cr_assert_eq(st.recovery_left, 9);
}

static void login(const char *email, const char *password, int64_t now, struct auth_result *out)
{
	struct auth_login in = {.kind = ACCOUNT_CLIENT, .email = email, .password = password,
	                        .ip = "203.0.113.9", .user_agent = "curl/8", .now = now};
	auth_login(d, &in, out);
}

static void login_code(const char *challenge, const char *code, int64_t now, struct auth_result *out)
{
	struct auth_code in = {.kind = ACCOUNT_CLIENT, .challenge = challenge, .code = code,
	                       .ip = "203.0.113.9", .user_agent = "curl/8", .now = now};
	auth_login_code(d, &in, out);
}

Test(twofa, sign_in_waits_for_the_code_and_wrong_codes_count_toward_the_lock)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	char secret[TWOFA_SECRET_B32 + 1], codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	turn_on(&s, secret, codes);
	int64_t now = T0 + 1000;
	struct auth_result r;
	login("maria@exemplo.com.br", "segredo123", now, &r);
	cr_assert_eq(r.status, AUTH_NEED_CODE);
	cr_assert_eq(r.token[0], '\0', "no session before the code");
	char challenge[TOKEN_LEN + 1];
	memcpy(challenge, r.challenge, sizeof challenge);
	for (int i = 0; i < 5; i++) {
		login_code(challenge, "999999", now + i, &r);
		cr_assert_eq(r.status, AUTH_BAD_CODE, "try %d", i);
	}
	char code[8];
	code_at(secret, totp_step(now), code);
	login_code(challenge, code, now + 5, &r);
	cr_assert_eq(r.status, AUTH_THROTTLED, "five wrong codes lock the account");
	/* A right password does not buy new tries at the code. */
	login("maria@exemplo.com.br", "segredo123", now + 6, &r);
	cr_assert_eq(r.status, AUTH_THROTTLED);
	/* After the window, the right code passes and a session starts. */
	int64_t later = now + 16 * 60;
	login("maria@exemplo.com.br", "segredo123", later, &r);
	cr_assert_eq(r.status, AUTH_NEED_CODE);
	memcpy(challenge, r.challenge, sizeof challenge);
	code_at(secret, totp_step(later), code);
	login_code(challenge, code, later, &r);
	cr_assert_eq(r.status, AUTH_OK);
	cr_assert(r.session.twofa);
	cr_assert_eq(strlen(r.token), TOKEN_LEN);
	/* The challenge is spent. */
	login_code(challenge, code, later, &r);
	cr_assert_eq(r.status, AUTH_EXPIRED);
}

Test(twofa, a_sign_in_waiting_for_its_code_expires_after_five_minutes)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	char secret[TWOFA_SECRET_B32 + 1], codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	turn_on(&s, secret, codes);
	struct auth_result r;
	login("maria@exemplo.com.br", "segredo123", T0 + 100, &r);
	cr_assert_eq(r.status, AUTH_NEED_CODE);
	char challenge[TOKEN_LEN + 1], code[8];
	memcpy(challenge, r.challenge, sizeof challenge);
	int64_t late = T0 + 100 + AUTH_CHALLENGE_TTL;
	code_at(secret, totp_step(late), code);
	login_code(challenge, code, late, &r);
	cr_assert_eq(r.status, AUTH_EXPIRED);
}

Test(twofa, only_an_admin_or_the_system_resets_it_and_staff_cannot_turn_it_off_when_required)
{
	struct session admin = account(ACCOUNT_STAFF, "admin@exemplo.com.br");
	struct session agent = account(ACCOUNT_STAFF, "agente@exemplo.com.br");
	agent.admin = false;
	char secret[TWOFA_SECRET_B32 + 1], codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	turn_on(&agent, secret, codes);
	struct actor as_agent = actor_of(&agent, CHANNEL_WEB), as_admin = actor_of(&admin, CHANNEL_WEB);
	struct actor system = actor_of(NULL, CHANNEL_SYSTEM);
	cr_assert(!twofa_required_for_staff(d), "required before the admin says so");
	cr_assert_eq(twofa_settings_save(d, &as_agent, true, true), TWOFA_FORBIDDEN);
	cr_assert(!twofa_required_for_staff(d), "required by an agent's refused save");
	cr_assert_eq(twofa_settings_save(d, &as_admin, true, true), 0);
	cr_assert(twofa_required_for_staff(d), "the thread's copy outlived the admin's save");
	cr_assert(twofa_setup_required(d, &admin), "an admin without it must set it up too");
	cr_assert(!twofa_setup_required(d, &agent));
	cr_assert_eq(twofa_disable(d, &as_agent, "segredo123", T0), TWOFA_FORBIDDEN);
	cr_assert_eq(twofa_reset(d, &as_agent, ACCOUNT_STAFF, agent.user_id, T0), TWOFA_FORBIDDEN);
	cr_assert_eq(twofa_reset(d, &as_admin, ACCOUNT_STAFF, agent.user_id, T0), TWOFA_OK);
	cr_assert_eq(twofa_reset(d, &system, ACCOUNT_STAFF, agent.user_id, T0), TWOFA_NOT_ENABLED);
	struct twofa_state st;
	twofa_state(d, ACCOUNT_STAFF, agent.user_id, &st);
	cr_assert(!st.enabled);
	cr_assert_eq(st.recovery_left, 0);
}

Test(twofa, clients_turn_it_off_with_their_password_unless_the_option_is_withdrawn_for_new_ones)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	char secret[TWOFA_SECRET_B32 + 1], codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1];
	turn_on(&s, secret, codes);
	struct actor a = actor_of(&s, CHANNEL_WEB);
	cr_assert_eq(twofa_disable(d, &a, "errada123", T0), TWOFA_WRONG_PASSWORD);
	cr_assert_eq(twofa_disable(d, &a, "segredo123", T0), TWOFA_OK);
	struct session admin = account(ACCOUNT_STAFF, "admin@exemplo.com.br");
	cr_assert_eq(twofa_settings_save(d, &(struct actor){&admin, CHANNEL_WEB}, false, false), 0);
	cr_assert_eq(twofa_setup_begin(d, &a, T0, secret), TWOFA_NOT_OFFERED);
}

/* ---- sessions ---- */

Test(twofa, user_agents_name_the_browser_and_the_system)
{
	const struct { const char *ua, *browser, *os; } v[] = {
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "Chrome", "Linux"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "Edge", "Windows"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari", "iPhone"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "Chrome", "Android"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0", "Firefox", "macOS"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const char *b, *o;
		session_device(v[i].ua, &b, &o);
		cr_assert_str_eq(b, v[i].browser, "%s", v[i].ua);
		cr_assert_str_eq(o, v[i].os, "%s", v[i].ua);
	}
	const char *b, *o;
	session_device("", &b, &o);
	cr_assert_null(b);
	cr_assert_null(o);
}

Test(twofa, an_account_lists_and_ends_only_its_own_sessions)
{
	struct session s = account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	struct session other = account(ACCOUNT_CLIENT, "joao@exemplo.com.br");
	char token[TOKEN_LEN + 1];
	struct session cur, second, theirs;
	struct session_origin here = {"203.0.113.9", "Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0"};
	cr_assert_eq(session_start(d, ACCOUNT_CLIENT, s.user_id, T0, &here, token, &cur), 0);
	cr_assert_eq(session_start(d, ACCOUNT_CLIENT, s.user_id, T0 + 10, NULL, token, &second), 0);
	cr_assert_eq(session_start(d, ACCOUNT_CLIENT, other.user_id, T0, NULL, token, &theirs), 0);
	struct session_info list[SESSION_LIST_MAX];
	int n = session_list(d, &cur, T0 + 20, list, SESSION_LIST_MAX);
	cr_assert_eq(n, 2);
	bool found_current = false;
	for (int i = 0; i < n; i++)
		if (list[i].current) {
			found_current = true;
			cr_assert_str_eq(list[i].ip, "203.0.113.9");
			cr_assert_str_eq(list[i].browser, "Firefox");
			cr_assert_str_eq(list[i].os, "Linux");
		}
	cr_assert(found_current);
	cr_assert_eq(session_end_one(d, &cur, theirs.id), 0, "another account's session");
	cr_assert_eq(session_end_one(d, &cur, second.id), 1);
	cr_assert_eq(session_list(d, &cur, T0 + 20, list, SESSION_LIST_MAX), 1);
	cr_assert_eq(session_list(d, &theirs, T0 + 20, list, SESSION_LIST_MAX), 1);
}
