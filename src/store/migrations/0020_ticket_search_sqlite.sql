-- 0020: the staff's ticket search (issue 16), SQLite's index.
--
-- One row per ticket (rowid = tickets.id): its search document, the subject,
-- number, client's name and email and the text of every message, already
-- folded in C (base/fold.c: lowercase, accents removed, punctuation as
-- spaces) by domain/ticket_search.c, which rewrites the row in the
-- transaction of every change to that text. Folding in C keeps SQLite and
-- PostgreSQL (0020_ticket_search_pgsql.sql) matching the same words; the
-- tokenizer only splits on the spaces the folding left.
-- detail=none: queries are whole words joined by AND, never phrases, so
-- positions would only make the index bigger.
CREATE VIRTUAL TABLE ticket_search USING fts5(
	doc,
	tokenize = 'unicode61 remove_diacritics 0',
	detail = none, columnsize = 0
);

-- The documents are written in C, so the tickets already here are indexed
-- by ticket_search_backfill() right after the migrations (main.c), which
-- removes this marker when it is done.
INSERT INTO settings (key, value) VALUES ('ticket_search_backfill', '1');
