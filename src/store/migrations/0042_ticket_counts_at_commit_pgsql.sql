-- 0042: the ticket counts (0008) brought up to date when a transaction
-- commits, not at each change of a ticket. Every opening in a department
-- bumps the same row: counted at the INSERT, an opening held that row's
-- lock until its COMMIT, and the openings of a department ran one at a
-- time even where nothing else made them wait (db_begin_concurrent). As a
-- deferred trigger, the row is taken in the COMMIT, for the COMMIT's time.
-- The counts are read only outside write transactions (the staff queue).
DROP TRIGGER tickets_count_insert_delete ON tickets;
DROP TRIGGER tickets_count_update ON tickets;

CREATE CONSTRAINT TRIGGER tickets_count_insert_delete AFTER INSERT OR DELETE ON tickets
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION tickets_count_change();
CREATE CONSTRAINT TRIGGER tickets_count_update AFTER UPDATE OF department_id, status ON tickets
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id
	                   OR OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION tickets_count_change();
