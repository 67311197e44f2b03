-- 0011: the aggregates behind Relatórios (issue 17), kept up to date by the
-- domain as tickets change (domain/report.c), so a report reads a few rows
-- per day of its period instead of scanning tickets. day: the local day in
-- America/Sao_Paulo, as days since 1970-01-01. staff_id 0: no one.
CREATE TABLE report_daily (
	day INTEGER NOT NULL,
	department_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL,
	opened INTEGER NOT NULL DEFAULT 0,
	closed INTEGER NOT NULL DEFAULT 0,
	reopened INTEGER NOT NULL DEFAULT 0,
	moved_in INTEGER NOT NULL DEFAULT 0,       -- open tickets moved here
	moved_out INTEGER NOT NULL DEFAULT 0,      -- and away
	first_count INTEGER NOT NULL DEFAULT 0,   -- first responses given
	first_targeted INTEGER NOT NULL DEFAULT 0, -- of which had a target
	first_met INTEGER NOT NULL DEFAULT 0,      -- and met it
	resolve_count INTEGER NOT NULL DEFAULT 0,
	resolve_targeted INTEGER NOT NULL DEFAULT 0,
	resolve_met INTEGER NOT NULL DEFAULT 0,
	csat_good INTEGER NOT NULL DEFAULT 0,
	csat_bad INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, department_id, staff_id)
);

-- Each first response and each resolution, in business seconds, for the
-- medians and 90th percentiles of a period.
CREATE TABLE report_durations (
	day INTEGER NOT NULL,
	department_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('first', 'resolve')),
	seconds INTEGER NOT NULL
);
CREATE INDEX report_durations_kind_day ON report_durations (kind, day);

-- Tickets opened per local day and hour: the busiest-hours heat map.
CREATE TABLE report_hourly (
	day INTEGER NOT NULL,
	hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
	department_id INTEGER NOT NULL,
	opened INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, hour, department_id)
);

-- The raw tickets of a period (Exportar CSV).
CREATE INDEX tickets_created ON tickets (created_at, id);
