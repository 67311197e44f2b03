-- 0022: how many tickets carry each tag, per department, kept by triggers
-- (see 0022_tag_counts_sqlite.sql for why). PostgreSQL's version.
CREATE TABLE tag_counts (
	department_id BIGINT NOT NULL,
	tag TEXT NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (department_id, tag)
);

INSERT INTO tag_counts (department_id, tag, n)
	SELECT t.department_id, g.tag, count(*) FROM ticket_tags g JOIN tickets t ON t.id = g.ticket_id
	GROUP BY t.department_id, g.tag;

CREATE FUNCTION ticket_tags_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO tag_counts (department_id, tag, n)
			SELECT department_id, NEW.tag, 1 FROM tickets WHERE id = NEW.ticket_id
			ON CONFLICT (department_id, tag) DO UPDATE SET n = tag_counts.n + 1;
	ELSE
		-- a deleted ticket's tags were taken off before it went (below)
		UPDATE tag_counts SET n = n - 1
			WHERE tag = OLD.tag AND department_id = (SELECT department_id FROM tickets WHERE id = OLD.ticket_id);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER ticket_tags_count AFTER INSERT OR DELETE ON ticket_tags
	FOR EACH ROW EXECUTE FUNCTION ticket_tags_count_change();

CREATE FUNCTION tickets_tag_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tag_counts SET n = n - 1
		WHERE department_id = OLD.department_id AND tag IN (SELECT tag FROM ticket_tags WHERE ticket_id = OLD.id);
	IF TG_OP = 'UPDATE' THEN
		INSERT INTO tag_counts (department_id, tag, n)
			SELECT NEW.department_id, tag, 1 FROM ticket_tags WHERE ticket_id = NEW.id
			ON CONFLICT (department_id, tag) DO UPDATE SET n = tag_counts.n + 1;
		RETURN NULL;
	END IF;
	RETURN OLD;
END;
$$;

CREATE TRIGGER tickets_tag_count_move AFTER UPDATE OF department_id ON tickets
	FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id)
	EXECUTE FUNCTION tickets_tag_count_change();
CREATE TRIGGER tickets_tag_count_delete BEFORE DELETE ON tickets
	FOR EACH ROW EXECUTE FUNCTION tickets_tag_count_change();
