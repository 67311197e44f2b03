-- 0029: the Knowledge Base search on PostgreSQL folded and parsed every
-- candidate article again to test and rank it (to_tsvector per row, ~170 us
-- an article). The same folded, weighted tsvector is now a stored column,
-- computed once per write, and the GIN index of 0024 is rebuilt on it
-- (src/store/kb_store.c reads a.search_vector).
ALTER TABLE kb_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('simple', translate(lower(title), 'áàâãäéèêëíìîïóòôõöúùûüçñ',
		'aaaaaeeeeiiiiooooouuuucn')), 'A') ||
	setweight(to_tsvector('simple', translate(lower(body), 'áàâãäéèêëíìîïóòôõöúùûüçñ',
		'aaaaaeeeeiiiiooooouuuucn')), 'B')) STORED;
DROP INDEX kb_articles_search;
CREATE INDEX kb_articles_search ON kb_articles USING GIN (search_vector);
