-- 0005: knowledge-base search, SQLite only (FTS5).
--
-- Full-text search is the one place each backend has its own code
-- (DESIGN.md). This file is SQLite's: an FTS5 index over kb_articles' title
-- and body, kept in step by triggers, with accents folded
-- (remove_diacritics 2: "configuracao" finds "configuração"). The queries
-- that read it are in store/kb_store.c behind store_kb_search().
--
-- The "_sqlite" suffix makes the migration runner (migrate.c) run this file
-- on SQLite only; PostgreSQL records version 5 without running it and
-- searches with a tsvector query of its own (store_kb_search's PostgreSQL
-- branch; an expression index in a "_pgsql" migration when the base grows).
CREATE VIRTUAL TABLE kb_search USING fts5(
	title, body,
	content = 'kb_articles', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER kb_articles_search_insert AFTER INSERT ON kb_articles BEGIN
	INSERT INTO kb_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER kb_articles_search_delete AFTER DELETE ON kb_articles BEGIN
	INSERT INTO kb_search (kb_search, rowid, title, body)
	VALUES ('delete', old.id, old.title, old.body);
END;
-- Only a change of the indexed text touches the index (views do not).
CREATE TRIGGER kb_articles_search_update AFTER UPDATE OF title, body ON kb_articles BEGIN
	INSERT INTO kb_search (kb_search, rowid, title, body)
	VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO kb_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- Articles written before this migration.
INSERT INTO kb_search (kb_search) VALUES ('rebuild');
