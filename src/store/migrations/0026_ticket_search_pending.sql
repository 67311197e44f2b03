-- 0026: the tickets whose search document is out of date.
--
-- A change to a ticket's text (a new ticket, a reply, a merge, new tags or
-- field values, a client's new name) no longer rewrites the ticket's search
-- document in its own transaction: it marks the ticket here, a row of a few
-- bytes, and the search indexer (jobs/search_indexer.c) rewrites the marked
-- documents in batches, at once after the commit. A search first takes in
-- what is still marked (domain/ticket_search.c), so it never misses a
-- committed change. seq grows at every mark: an indexer that read a ticket
-- before a newer change clears only the mark it read, and the newer one
-- stays for the next pass.
CREATE TABLE ticket_search_pending (
	ticket_id BIGINT PRIMARY KEY,
	seq BIGINT NOT NULL DEFAULT 1
);
