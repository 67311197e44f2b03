-- 0020: the staff's ticket search (issue 16), PostgreSQL's index.
--
-- The same documents as SQLite's (0020_ticket_search_sqlite.sql): folded in
-- C by domain/ticket_search.c, rewritten in the transaction of every change
-- to their text. The 'simple' configuration neither stems nor drops stop
-- words, so a word matches exactly as it does in FTS5; the GIN index over
-- the expression serves "doc @@ query" at any size.
CREATE TABLE ticket_search (
	ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
	doc TEXT NOT NULL
);
CREATE INDEX ticket_search_doc ON ticket_search USING gin (to_tsvector('simple', doc));

-- Tickets already here: indexed by ticket_search_backfill() after the
-- migrations (main.c), which removes this marker when it is done.
INSERT INTO settings (key, value) VALUES ('ticket_search_backfill', '1');
