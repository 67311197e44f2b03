-- 0027: an email's body apart from its row in the outbox.
--
-- A queued email is written once and then changes state two or three times
-- (sending, sent, a retry). With the text, the HTML and the extra headers in
-- the same row (3 KB or more, most of a page), every change of state wrote
-- the whole page again. Here the body is written once; the outbox row that
-- changes is a few hundred bytes, and the rows of many emails share a page.
CREATE TABLE outbox_bodies (
	outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
	body_text TEXT NOT NULL,
	body_html TEXT,                           -- NULL: a text-only email
	headers TEXT NOT NULL DEFAULT ''          -- extra header lines, "Name: value\r\n"...
);
INSERT INTO outbox_bodies (outbox_id, body_text, body_html, headers)
	SELECT id, body_text, body_html, headers FROM outbox;
ALTER TABLE outbox DROP COLUMN body_text;
ALTER TABLE outbox DROP COLUMN body_html;
ALTER TABLE outbox DROP COLUMN headers;
