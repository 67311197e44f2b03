-- 0029 (SQLite): PostgreSQL's KB search got a stored vector; SQLite's FTS5
-- table (0005) stores its index already. Its segments are merged into one
-- here, as FTS5's 'optimize' does, and the number keeps both backends on
-- the same version, which export and import compare.
INSERT INTO kb_search (kb_search) VALUES ('optimize');
