-- 0036: when a ticket's search document was first marked out of date (ms
-- since the epoch). The search indexer rewrites only documents marked at
-- least a second ago: a ticket replied to many times a second (64 busy
-- tickets under load) had its whole text read and rewritten about ten
-- times a second, a quarter of the writers' time; now once. A search still
-- takes in every mark first, however new.
ALTER TABLE ticket_search_pending ADD COLUMN marked_at BIGINT NOT NULL DEFAULT 0;
