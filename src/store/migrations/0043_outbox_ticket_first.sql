-- 0043: a ticket's emails by ticket and id. A reply's email threads under
-- the first email of its ticket (In-Reply-To, References: the first sent,
-- ORDER BY id LIMIT 1). SQLite's (ticket_id) index holds each entry's id
-- already; PostgreSQL's does not, so it read every email of the ticket and
-- sorted them, in the write's transaction: 4.3 ms a reply at 3,000 emails
-- on one ticket (a busy ticket, or 64 replies at once for ten seconds).
DROP INDEX outbox_ticket;
CREATE INDEX outbox_ticket ON outbox (ticket_id, id) WHERE ticket_id IS NOT NULL;
