-- 0044: the report counters (0016) brought up to date when a transaction
-- commits, as the ticket counts are since 0042. Every opening adds one to
-- its department's row of the day and of the hour: changed in the
-- opening's statements, those rows stayed locked until its COMMIT, and the
-- openings of a department waited for each other (at a million tickets,
-- 990 openings a second, and 1,400 with the counters left out). A change
-- is now a row of report_changes; a deferred trigger adds it to its
-- counter in the COMMIT and deletes it. The table is empty outside a
-- transaction, so nothing in it needs the WAL: UNLOGGED.
CREATE UNLOGGED TABLE report_changes (
	id BIGSERIAL PRIMARY KEY,
	day INTEGER NOT NULL,
	hour INTEGER,                 -- NULL: report_daily; else report_hourly
	department_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL DEFAULT 0,
	opened INTEGER NOT NULL DEFAULT 0,
	closed INTEGER NOT NULL DEFAULT 0,
	reopened INTEGER NOT NULL DEFAULT 0,
	moved_in INTEGER NOT NULL DEFAULT 0,
	moved_out INTEGER NOT NULL DEFAULT 0,
	first_count INTEGER NOT NULL DEFAULT 0,
	first_targeted INTEGER NOT NULL DEFAULT 0,
	first_met INTEGER NOT NULL DEFAULT 0,
	resolve_count INTEGER NOT NULL DEFAULT 0,
	resolve_targeted INTEGER NOT NULL DEFAULT 0,
	resolve_met INTEGER NOT NULL DEFAULT 0,
	csat_good INTEGER NOT NULL DEFAULT 0,
	csat_bad INTEGER NOT NULL DEFAULT 0
);

CREATE FUNCTION report_change_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.hour IS NULL THEN
		INSERT INTO report_daily (day, department_id, staff_id, opened, closed, reopened,
			moved_in, moved_out, first_count, first_targeted, first_met, resolve_count,
			resolve_targeted, resolve_met, csat_good, csat_bad)
		VALUES (NEW.day, NEW.department_id, NEW.staff_id, NEW.opened, NEW.closed, NEW.reopened,
			NEW.moved_in, NEW.moved_out, NEW.first_count, NEW.first_targeted, NEW.first_met,
			NEW.resolve_count, NEW.resolve_targeted, NEW.resolve_met, NEW.csat_good, NEW.csat_bad)
		ON CONFLICT (day, department_id, staff_id) DO UPDATE SET
			opened = report_daily.opened + excluded.opened,
			closed = report_daily.closed + excluded.closed,
			reopened = report_daily.reopened + excluded.reopened,
			moved_in = report_daily.moved_in + excluded.moved_in,
			moved_out = report_daily.moved_out + excluded.moved_out,
			first_count = report_daily.first_count + excluded.first_count,
			first_targeted = report_daily.first_targeted + excluded.first_targeted,
			first_met = report_daily.first_met + excluded.first_met,
			resolve_count = report_daily.resolve_count + excluded.resolve_count,
			resolve_targeted = report_daily.resolve_targeted + excluded.resolve_targeted,
			resolve_met = report_daily.resolve_met + excluded.resolve_met,
			csat_good = report_daily.csat_good + excluded.csat_good,
			csat_bad = report_daily.csat_bad + excluded.csat_bad;
	ELSE
		INSERT INTO report_hourly (day, hour, department_id, opened)
		VALUES (NEW.day, NEW.hour, NEW.department_id, NEW.opened)
		ON CONFLICT (day, hour, department_id) DO UPDATE SET
			opened = report_hourly.opened + excluded.opened;
	END IF;
	DELETE FROM report_changes WHERE id = NEW.id;
	RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER report_changes_apply AFTER INSERT ON report_changes
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION report_change_apply();
