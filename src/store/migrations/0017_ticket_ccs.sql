-- 0017: CC contacts of a ticket and the password-less access links (issue 16).
-- Written in the dialect both backends share (see 0001), so one file serves
-- SQLite and PostgreSQL alike.
--
-- A CC is an address (not an account) that gets every public reply of the
-- ticket and may answer it by email or through its access link. Removing a
-- CC deletes the row, and with it the CC's access keys.
CREATE TABLE ticket_ccs (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	email_lower TEXT NOT NULL,                -- set by store/ (ASCII lowercase)
	name TEXT NOT NULL DEFAULT '',
	added_by_kind TEXT NOT NULL CHECK (added_by_kind IN ('client', 'staff', 'system')),
	added_by_id INTEGER,                      -- the client or staff member; NULL: system
	created_at INTEGER NOT NULL
);
-- a ticket's CCs, and a sender's CC row when a reply comes in by email
CREATE UNIQUE INDEX ticket_ccs_ticket_email ON ticket_ccs (ticket_id, email_lower);

-- Access keys: each email to the ticket's client (cc_id NULL) or to a CC
-- carries <base_url>/t/<number>/<key>; only the key's SHA-256 is kept. One
-- row per key, so the link of an older email keeps working until staff
-- revoke that person's keys on the ticket; the next email then makes a new
-- one.
CREATE TABLE ticket_access_keys (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	cc_id INTEGER REFERENCES ticket_ccs (id) ON DELETE CASCADE,
	key_hash TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);
-- a key as the link presents it
CREATE UNIQUE INDEX ticket_access_keys_hash ON ticket_access_keys (key_hash);
-- a person's keys on a ticket (revoking them, showing whether any is live)
CREATE INDEX ticket_access_keys_ticket_cc ON ticket_access_keys (ticket_id, cc_id);
