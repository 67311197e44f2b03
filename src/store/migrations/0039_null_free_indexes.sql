-- 0039: two indexes held an entry for every row, and nearly all of those
-- were NULL: tickets' number_label (set only with sequential numbers) and
-- messages' email_message_id (set only for messages that came by email).
-- Every ticket opened and every message written added one more NULL entry,
-- an index write in the writer's turn that no query reads: lookups are by
-- a value (`= $1`), which a partial index without the NULLs serves.
DROP INDEX tickets_number_label;
CREATE UNIQUE INDEX tickets_number_label ON tickets (number_label) WHERE number_label IS NOT NULL;
DROP INDEX messages_email_message_id;
CREATE INDEX messages_email_message_id ON messages (email_message_id)
	WHERE email_message_id IS NOT NULL;
