-- 0023: the ticket number format (issue 16). Written in the dialect both
-- backends share, so one file serves SQLite and PostgreSQL.
--
-- tickets.number stays the key every link, reference and hidden marker
-- uses (random, unique). A ticket opened while the admin chose sequential
-- numbers also gets number_label, such as SUP-2026-000123: what pages,
-- email subjects and the API show, what a [Ticket ID: ...] subject is
-- matched by, and what the search finds. NULL: the number is shown.
ALTER TABLE tickets ADD COLUMN number_label TEXT;
CREATE UNIQUE INDEX tickets_number_label ON tickets (number_label);

-- The last sequential number handed out per scope (prefix and year, as
-- "SUP|2026"). Taken with one upsert in the transaction that opens the
-- ticket: the row lock makes two app nodes on PostgreSQL wait for each
-- other, so no value is handed out twice, and a rolled-back ticket gives
-- its value back.
CREATE TABLE ticket_number_counters (
	scope TEXT PRIMARY KEY,
	last_value INTEGER NOT NULL
);
