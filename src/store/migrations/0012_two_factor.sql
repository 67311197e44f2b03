-- 0011: two-factor sign-in (TOTP, RFC 6238) and sessions one can see.
--
-- two_factor: one row per account that began or finished setting it up.
-- secret is the shared key in base32 (the authenticator app holds the same);
-- enabled_at is NULL while the set-up waits for its first code. last_step is
-- the 30-second step of the last code accepted, so no code works twice.
CREATE TABLE two_factor (
	user_kind TEXT NOT NULL CHECK (user_kind IN ('client', 'staff')),
	user_id INTEGER NOT NULL,
	secret TEXT NOT NULL,
	enabled_at INTEGER,
	last_step INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (user_kind, user_id)
);

-- Ten one-time codes per account, for a lost phone; only their SHA-256.
CREATE TABLE recovery_codes (
	id INTEGER PRIMARY KEY,
	user_kind TEXT NOT NULL CHECK (user_kind IN ('client', 'staff')),
	user_id INTEGER NOT NULL,
	code_hash TEXT NOT NULL,
	used_at INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_kind, user_id);

-- A sign-in whose password passed and whose code is awaited: the browser
-- holds a token (its hash here) for a few minutes; no session exists yet.
CREATE TABLE login_challenges (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL,
	user_kind TEXT NOT NULL CHECK (user_kind IN ('client', 'staff')),
	user_id INTEGER NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX login_challenges_token_hash ON login_challenges (token_hash);
CREATE INDEX login_challenges_expires ON login_challenges (expires_at);

-- Where each session was opened, for Sessões ativas.
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
