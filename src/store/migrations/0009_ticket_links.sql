-- Related tickets (a link, or a split's two parts): one row per pair, the
-- smaller id first, so a pair is stored once.
CREATE TABLE ticket_links (
	ticket_a INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	ticket_b INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (ticket_a, ticket_b),
	CHECK (ticket_a < ticket_b)
);
CREATE INDEX ticket_links_b ON ticket_links (ticket_b, ticket_a);
