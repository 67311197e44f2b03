-- 0006: inbound email (chamado mail-in, the IMAP poller).
--
-- mail_inbound: every message that came in, once per Message-ID (a message
-- without one is keyed "sha256:<hex of its bytes>"), so a second delivery
-- of the same message does nothing. status is the outcome:
--   received  being processed, or processing failed for a reason that may
--             pass (the next delivery tries again)
--   stored    added to a ticket (ticket_id, message_row_id)
--   ignored   deliberately not acted on (loop signs, banned sender ...)
--   refused   answered with a polite auto-reply (unknown sender, too big ...)
-- raw keeps the message's bytes (zlib when raw_encoding says so) for
-- mail_raw_keep_days days, so a parse can be redone and staff can read the
-- original; then raw becomes NULL and the row stays for deduplication.
CREATE TABLE mail_inbound (
	id INTEGER PRIMARY KEY,
	message_id TEXT NOT NULL,
	source TEXT NOT NULL DEFAULT 'pipe',      -- 'pipe', or the IMAP mailbox
	sender TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'received'
		CHECK (status IN ('received', 'stored', 'ignored', 'refused')),
	reason TEXT NOT NULL DEFAULT '',
	ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
	message_row_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
	raw_size INTEGER NOT NULL CHECK (raw_size >= 0),
	raw_encoding TEXT NOT NULL DEFAULT 'none' CHECK (raw_encoding IN ('none', 'zlib')),
	received_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	raw BLOB
);
-- the same message twice
CREATE UNIQUE INDEX mail_inbound_message_id ON mail_inbound (message_id);
-- purge of old raw bytes
CREATE INDEX mail_inbound_received ON mail_inbound (received_at) WHERE raw IS NOT NULL;
-- the original of a ticket's message, for staff
CREATE INDEX mail_inbound_message_row ON mail_inbound (message_row_id) WHERE message_row_id IS NOT NULL;

-- A reply's In-Reply-To / References name one of our Message-IDs.
CREATE INDEX outbox_message_id ON outbox (message_id);

-- The IMAP mailbox a department reads (imap://user:pass@host/INBOX or
-- imaps://...), NULL when none.
ALTER TABLE departments ADD COLUMN imap_url TEXT;

-- The IMAP poller's place in each mailbox: the highest UID stored, per
-- UIDVALIDITY (a new UIDVALIDITY starts again from 0). mailbox is the URL
-- without its password.
CREATE TABLE mail_imap_state (
	mailbox TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	last_uid INTEGER NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (mailbox, uidvalidity)
);
