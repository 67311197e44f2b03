-- 0009: business hours and SLA clocks (issue 17; rules in docs/sla.md).
--
-- A calendar (Horário de atendimento) is a time zone, opening hours per
-- weekday (several ranges; end <= start runs past midnight) and holidays,
-- or 24x7. A department uses one; a ticket's clock is measured in its
-- department's calendar.

CREATE TABLE calendars (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	timezone TEXT NOT NULL DEFAULT 'America/Sao_Paulo',
	always_open INTEGER NOT NULL DEFAULT 0 CHECK (always_open IN (0, 1)),
	-- the last year whose national holidays were filled in (domain/sla.c)
	holidays_through INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);

CREATE TABLE calendar_hours (
	calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 Sunday
	start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
	end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
	PRIMARY KEY (calendar_id, weekday, start_minute)
);

-- day: local date as days since 1970-01-01.
CREATE TABLE calendar_holidays (
	calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
	day INTEGER NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (calendar_id, day)
);

CREATE TABLE sla_departments (
	department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
	calendar_id INTEGER NOT NULL REFERENCES calendars (id),
	PRIMARY KEY (department_id)
);
CREATE INDEX sla_departments_calendar ON sla_departments (calendar_id);

-- Targets in business minutes; no row: no target for that pair.
CREATE TABLE sla_policies (
	department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
	priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high')),
	first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
	resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0),
	PRIMARY KEY (department_id, priority)
);

-- The default calendar: Monday to Friday, 08:00-12:00 and 13:00-18:00.
INSERT INTO calendars (name, timezone, always_open, created_at)
	VALUES ('Horário comercial', 'America/Sao_Paulo', 0, 0);
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 1, 480, 720 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 1, 780, 1080 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 2, 480, 720 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 2, 780, 1080 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 3, 480, 720 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 3, 780, 1080 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 4, 480, 720 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 4, 780, 1080 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 5, 480, 720 FROM calendars;
INSERT INTO calendar_hours (calendar_id, weekday, start_minute, end_minute)
	SELECT min(id), 5, 780, 1080 FROM calendars;

-- A ticket's SLA state. elapsed: business seconds the clock ran before
-- running_since (NULL: paused or stopped), measured in calendar_id.
-- first_seconds / resolve_seconds: business seconds to the first staff
-- reply / to closing (NULL until then). The due times are NULL unless the
-- clock runs toward a target; sla_due is the nearest of them (what the
-- queue shows and sorts by) and sla_warn_at the instant 80% of that
-- target is used (amber).
ALTER TABLE tickets ADD COLUMN sla_calendar_id INTEGER;
ALTER TABLE tickets ADD COLUMN sla_first_target INTEGER;
ALTER TABLE tickets ADD COLUMN sla_resolve_target INTEGER;
ALTER TABLE tickets ADD COLUMN sla_elapsed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_running_since INTEGER;
ALTER TABLE tickets ADD COLUMN sla_first_seconds INTEGER;
ALTER TABLE tickets ADD COLUMN sla_resolve_seconds INTEGER;
ALTER TABLE tickets ADD COLUMN sla_first_due INTEGER;
ALTER TABLE tickets ADD COLUMN sla_resolve_due INTEGER;
ALTER TABLE tickets ADD COLUMN sla_due INTEGER;
ALTER TABLE tickets ADD COLUMN sla_warn_at INTEGER;
-- The department the reports last counted the ticket in (moves).
ALTER TABLE tickets ADD COLUMN sla_department_id INTEGER;
-- The queue sorted by due time and its SLA filters (and, later,
-- escalations) walk only tickets whose clock runs.
CREATE INDEX tickets_sla_due ON tickets (sla_due, id) WHERE sla_due IS NOT NULL;
-- Running clocks, recomputed when an admin changes hours or policies.
CREATE INDEX tickets_sla_running ON tickets (id) WHERE sla_running_since IS NOT NULL;
