-- 0008: the number of tickets per department and status, kept by triggers
-- in the transaction that changes a ticket, so the queue's and the
-- dashboard's counts are a few rows to read, not a scan of a million
-- tickets. SQLite's triggers; 0008_ticket_counts_pgsql.sql is the same for
-- PostgreSQL (a trigger function).
CREATE TABLE ticket_counts (
	department_id INTEGER NOT NULL,
	status TEXT NOT NULL,
	n INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (department_id, status)
);

INSERT INTO ticket_counts (department_id, status, n)
	SELECT department_id, status, count(*) FROM tickets GROUP BY department_id, status;

CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets BEGIN
	INSERT INTO ticket_counts (department_id, status, n) VALUES (NEW.department_id, NEW.status, 1)
		ON CONFLICT (department_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tickets_count_update AFTER UPDATE OF department_id, status ON tickets
	WHEN OLD.department_id <> NEW.department_id OR OLD.status <> NEW.status BEGIN
	UPDATE ticket_counts SET n = n - 1
		WHERE department_id = OLD.department_id AND status = OLD.status;
	INSERT INTO ticket_counts (department_id, status, n) VALUES (NEW.department_id, NEW.status, 1)
		ON CONFLICT (department_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets BEGIN
	UPDATE ticket_counts SET n = n - 1
		WHERE department_id = OLD.department_id AND status = OLD.status;
END;
