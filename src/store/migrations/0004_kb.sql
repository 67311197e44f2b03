-- 0004: the knowledge base beyond 0001's tables (portable SQL, every backend).
--
-- A vote can be changed: updated_at says when it last was.
ALTER TABLE kb_votes ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- "Tickets avoided": a client on Abrir Ticket opened a suggested article
-- (/kb/article/ID?from=ticket-form). An open counts as a ticket avoided when
-- the same client opened no ticket in the 30 minutes after it (the domain,
-- kb.c, decides; store_kb_tickets_avoided counts).
CREATE TABLE kb_suggestion_opens (
	id INTEGER PRIMARY KEY,
	client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
	opened_at INTEGER NOT NULL
);
CREATE INDEX kb_suggestion_opens_opened ON kb_suggestion_opens (opened_at);
CREATE INDEX kb_suggestion_opens_client ON kb_suggestion_opens (client_id, opened_at);
CREATE INDEX kb_suggestion_opens_article ON kb_suggestion_opens (article_id);
-- Did the client open a ticket soon after? (client, created_at) answers it.
CREATE INDEX tickets_client_created ON tickets (client_id, created_at);
-- Staff list: articles of a category in order; the public side's index
-- (category_id, published, sort_order, id) is in 0001.
CREATE INDEX kb_articles_category_sort ON kb_articles (category_id, sort_order, id);
