-- 0008: the number of tickets per department and status, kept by a trigger
-- in the transaction that changes a ticket (see 0008_ticket_counts_sqlite.sql
-- for why). PostgreSQL's version: one trigger function.
CREATE TABLE ticket_counts (
	department_id BIGINT NOT NULL,
	status TEXT NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (department_id, status)
);

INSERT INTO ticket_counts (department_id, status, n)
	SELECT department_id, status, count(*) FROM tickets GROUP BY department_id, status;

CREATE FUNCTION tickets_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE ticket_counts SET n = n - 1
			WHERE department_id = OLD.department_id AND status = OLD.status;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO ticket_counts (department_id, status, n) VALUES (NEW.department_id, NEW.status, 1)
			ON CONFLICT (department_id, status) DO UPDATE SET n = ticket_counts.n + 1;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER tickets_count_insert_delete AFTER INSERT OR DELETE ON tickets
	FOR EACH ROW EXECUTE FUNCTION tickets_count_change();
CREATE TRIGGER tickets_count_update AFTER UPDATE OF department_id, status ON tickets
	FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id
	                   OR OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION tickets_count_change();
