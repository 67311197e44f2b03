-- 0020: the JSON API (issue 13) beyond 0001's api_tokens: webhooks and
-- their deliveries.
--
-- A webhook is a URL an admin registered, the events it wants (a list
-- between commas, ",ticket_created,staff_reply,", so one LIKE finds the
-- subscribers), a secret that signs each delivery, and an on/off switch.
CREATE TABLE webhooks (
	id INTEGER PRIMARY KEY,
	url TEXT NOT NULL,
	events TEXT NOT NULL,
	secret TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL
);

-- One event for one webhook, written in the transaction of the event (like
-- the outbox), so a committed change is never lost and a rolled-back one is
-- never announced. payload is composed when first sent and kept, so every
-- retry sends the same bytes. A sender claims due rows (status sending,
-- next_attempt_at = lease end) and records the outcome: delivered (a 2xx),
-- queued again after a back-off, or failed after the last attempt.
CREATE TABLE webhook_deliveries (
	id INTEGER PRIMARY KEY,
	webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event TEXT NOT NULL,
	ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
	payload TEXT,
	status TEXT NOT NULL DEFAULT 'queued'
		CHECK (status IN ('queued', 'sending', 'delivered', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at INTEGER NOT NULL,
	last_status INTEGER,                      -- the receiver's HTTP status, NULL: no answer
	last_error TEXT,
	answer_ms INTEGER,                        -- how long the last answer took
	created_at INTEGER NOT NULL,
	delivered_at INTEGER
);
-- deliveries due
CREATE INDEX webhook_deliveries_status_next ON webhook_deliveries (status, next_attempt_at);
-- the delivery log of a webhook, newest first
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_ticket ON webhook_deliveries (ticket_id) WHERE ticket_id IS NOT NULL;

-- The API lists tickets in id order (Zendesk's default) for agents by
-- department: (department_id, id) serves it; admins walk the primary key.
CREATE INDEX tickets_department_id ON tickets (department_id, id);
