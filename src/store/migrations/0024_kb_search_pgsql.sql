-- 0024: the Knowledge Base search on PostgreSQL read every article; this
-- GIN index holds the same folded, weighted tsvector the search matches
-- (src/store/kb_store.c, PG_VECTOR), so a search reads only the articles
-- that have its words. The expression must stay the query's, character
-- for character in meaning, or PostgreSQL will not use it.
CREATE INDEX kb_articles_search ON kb_articles USING GIN ((
	setweight(to_tsvector('simple', translate(lower(title), 'áàâãäéèêëíìîïóòôõöúùûüçñ',
		'aaaaaeeeeiiiiooooouuuucn')), 'A') ||
	setweight(to_tsvector('simple', translate(lower(body), 'áàâãäéèêëíìîïóòôõöúùûüçñ',
		'aaaaaeeeeiiiiooooouuuucn')), 'B')));
