-- 0003: a form carries a one-time submission key, so a double click or the
-- back button does not open the same ticket (or send the same reply) twice.
ALTER TABLE tickets ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX tickets_client_submission ON tickets (client_id, submission_key)
	WHERE submission_key IS NOT NULL;
ALTER TABLE messages ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX messages_ticket_submission ON messages (ticket_id, submission_key)
	WHERE submission_key IS NOT NULL;
