-- 0022: how many tickets carry each tag, per department, kept by triggers in
-- the transaction that tags, untags, moves or deletes a ticket: the Tags page
-- and the suggestions of every ticket page read a few rows, not every tag of
-- a million tickets. SQLite's triggers; 0022_tag_counts_pgsql.sql is the same
-- for PostgreSQL.
CREATE TABLE tag_counts (
	department_id INTEGER NOT NULL,
	tag TEXT NOT NULL,
	n INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (department_id, tag)
);

INSERT INTO tag_counts (department_id, tag, n)
	SELECT t.department_id, g.tag, count(*) FROM ticket_tags g JOIN tickets t ON t.id = g.ticket_id
	GROUP BY t.department_id, g.tag;

CREATE TRIGGER ticket_tags_count_insert AFTER INSERT ON ticket_tags BEGIN
	INSERT INTO tag_counts (department_id, tag, n)
		SELECT department_id, NEW.tag, 1 FROM tickets WHERE id = NEW.ticket_id
		ON CONFLICT (department_id, tag) DO UPDATE SET n = n + 1;
END;

-- When the ticket itself is deleted its tags were taken off first (below),
-- and this finds no ticket.
CREATE TRIGGER ticket_tags_count_delete AFTER DELETE ON ticket_tags BEGIN
	UPDATE tag_counts SET n = n - 1
		WHERE tag = OLD.tag AND department_id = (SELECT department_id FROM tickets WHERE id = OLD.ticket_id);
END;

CREATE TRIGGER tickets_tag_count_move AFTER UPDATE OF department_id ON tickets
	WHEN OLD.department_id <> NEW.department_id BEGIN
	UPDATE tag_counts SET n = n - 1
		WHERE department_id = OLD.department_id AND tag IN (SELECT tag FROM ticket_tags WHERE ticket_id = NEW.id);
	INSERT INTO tag_counts (department_id, tag, n)
		SELECT NEW.department_id, tag, 1 FROM ticket_tags WHERE ticket_id = NEW.id
		ON CONFLICT (department_id, tag) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tickets_tag_count_delete BEFORE DELETE ON tickets BEGIN
	UPDATE tag_counts SET n = n - 1
		WHERE department_id = OLD.department_id AND tag IN (SELECT tag FROM ticket_tags WHERE ticket_id = OLD.id);
END;
