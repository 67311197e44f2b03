/* Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238:
 * HMAC-SHA1, 30-second steps, 6 digits, what every authenticator app
 * reads from a QR code). An account turns it on from its profile: a secret
 * is made, the app shows codes, the first correct code switches it on and
 * yields ten one-time recovery codes (only their hashes are kept).
 *
 * Every function takes now (Unix seconds) from its caller, so tests set
 * the time; a code of the step before or after now is accepted (clock
 * drift), and a step once accepted never is again (replay). */
#ifndef CHAMADO_TWOFA_H
#define CHAMADO_TWOFA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/actor.h"
#include "store/db.h"

enum {
	TOTP_PERIOD = 30,
	TOTP_DIGITS = 6,
	TWOFA_SECRET_BYTES = 20,      /* 160 bits, as RFC 4226 recommends */
	TWOFA_SECRET_B32 = 32,        /* its base32 length */
	TWOFA_RECOVERY_CODES = 10,
	TWOFA_RECOVERY_LEN = 11,      /* "xxxxx-xxxxx" */
	TWOFA_PENDING_MAX_AGE = 3600, /* a set-up page stays valid this long */
};

enum twofa_result {
	TWOFA_OK = 0,
	TWOFA_BAD_CODE = 1,      /* wrong, too old, or already used */
	TWOFA_NOT_ENABLED = 2,   /* nothing to verify, reset or turn off */
	TWOFA_ALREADY_ON = 3,    /* set-up asked for while it is on */
	TWOFA_FORBIDDEN = 4,     /* the actor may not do this */
	TWOFA_WRONG_PASSWORD = 5,
	TWOFA_NOT_OFFERED = 6,   /* clients: the admin turned the option off */
};

/* ---- the algorithm (RFC 4226 HOTP, RFC 6238 TOTP) ---- */

/* The HOTP value of counter under key, reduced to digits (6..9) digits. */
uint32_t totp_code(const unsigned char *key, size_t keylen, int64_t counter, int digits);
/* The step a Unix time falls in. */
int64_t totp_step(int64_t now);
/* RFC 4648 base32 without padding, uppercase. out needs 8*ceil(n/5)+1. */
void base32_encode(const unsigned char *in, size_t n, char *out, size_t outlen);
/* Decodes base32 (case and spaces ignored): the byte count, or -1. */
int base32_decode(const char *in, unsigned char *out, size_t outlen);

/* ---- the rules ---- */

struct twofa_state {
	bool enabled;
	int64_t enabled_at;
	int recovery_left;
};

/* 0 (out filled) or < 0. */
int twofa_state(db *d, enum account_kind kind, int64_t user_id, struct twofa_state *out);

/* The admin settings: staff must use it; clients may (the default). */
bool twofa_required_for_staff(db *d);
bool twofa_offered_to_clients(db *d);
/* True when this account must set it up before anything else: staff
 * without it while the admin requires it. */
bool twofa_setup_required(db *d, const struct session *account);

/* Saves the two settings: admins only (TWOFA_FORBIDDEN otherwise). */
int twofa_settings_save(db *d, const struct actor *actor, bool require_staff, bool offer_clients);

/* Starts the set-up for the actor's own account: the secret (base32) to
 * show as a QR code and as text. A set-up begun less than an hour ago
 * keeps its secret, so reloading the page does not undo a scan.
 * TWOFA_OK, TWOFA_ALREADY_ON, TWOFA_NOT_OFFERED, TWOFA_FORBIDDEN or < 0. */
int twofa_setup_begin(db *d, const struct actor *actor, int64_t now,
                      char secret[TWOFA_SECRET_B32 + 1]);
/* Confirms the set-up with a code of the app: switches it on and fills the
 * ten recovery codes, which are never shown again. TWOFA_OK,
 * TWOFA_BAD_CODE, TWOFA_NOT_ENABLED (no set-up begun), or < 0. */
int twofa_setup_confirm(db *d, const struct actor *actor, const char *code, int64_t now,
                        char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1]);
/* Turns it off for the actor's own account after checking the password.
 * Staff cannot while the admin requires it (TWOFA_FORBIDDEN). */
int twofa_disable(db *d, const struct actor *actor, const char *password, int64_t now);
/* Replaces the recovery codes of the actor's own account (two-factor on)
 * with ten new ones, shown this once in codes; the old ones stop working.
 * proof is the current password or a current code of the app (six digits,
 * spent as at sign-in). Staff are audited (2fa.recovery). TWOFA_OK,
 * TWOFA_WRONG_PASSWORD (neither proof holds), TWOFA_NOT_ENABLED,
 * TWOFA_FORBIDDEN or < 0. */
int twofa_recovery_regenerate(db *d, const struct actor *actor, const char *proof, int64_t now,
                              char codes[TWOFA_RECOVERY_CODES][TWOFA_RECOVERY_LEN + 1]);
/* Checks a code at sign-in: six digits from the app (this step or the ones
 * beside it, never one accepted before) or an unused recovery code, which
 * is then spent. TWOFA_OK, TWOFA_BAD_CODE, TWOFA_NOT_ENABLED or < 0. */
int twofa_verify(db *d, enum account_kind kind, int64_t user_id, const char *code, int64_t now);
/* Removes an account's second factor, for one who lost it: an admin for a
 * staff member or a client, or the system (the command line). The
 * account's other sessions stay. TWOFA_OK, TWOFA_NOT_ENABLED,
 * TWOFA_FORBIDDEN or < 0. */
int twofa_reset(db *d, const struct actor *actor, enum account_kind kind, int64_t user_id,
                int64_t now);

/* The otpauth:// address the QR code carries (issuer: the company). In a
 * fixed buffer; false when it does not fit. */
bool twofa_otpauth_uri(const char *issuer, const char *account, const char *secret, char *out,
                       size_t outlen);

#endif
