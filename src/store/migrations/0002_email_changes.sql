-- 0002: a change of email address waits for a click on a link sent to the
-- new address; only the hash of the link's token is stored.
CREATE TABLE email_changes (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL,
	user_kind TEXT NOT NULL CHECK (user_kind IN ('client', 'staff')),
	user_id INTEGER NOT NULL,
	new_email TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER
);
CREATE UNIQUE INDEX email_changes_token_hash ON email_changes (token_hash);
CREATE INDEX email_changes_user ON email_changes (user_kind, user_id);
