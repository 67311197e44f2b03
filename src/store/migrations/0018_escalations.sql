-- 0018: escalation rules (issue 17; docs/sla.md, domain/escalation.c).
--
-- A rule: a condition on a ticket's SLA clock or on how long it has waited
-- without an assignee, optionally limited to a department and a priority,
-- and what to do when a ticket meets it. One shared file for SQLite and
-- PostgreSQL: nothing here differs between them.
--
-- condition_kind:
--   first_soon / resolve_soon  minutes business minutes before that due time
--   first_breached / resolve_breached  that due time has passed
--   unassigned  minutes (wall clock) since the client's last message, with
--               nobody assigned and the ticket waiting on the team
-- department_id, priority: NULL for any.
-- raise_priority: NULL leaves it; 'step' raises one step; 'medium' or
-- 'high' raises to it (never lowers).
CREATE TABLE escalation_rules (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	condition_kind TEXT NOT NULL CHECK (condition_kind IN
		('first_soon', 'resolve_soon', 'first_breached', 'resolve_breached', 'unassigned')),
	minutes INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
	department_id INTEGER REFERENCES departments (id) ON DELETE CASCADE,
	priority TEXT CHECK (priority IS NULL OR priority IN ('low', 'medium', 'high')),
	notify_assignee INTEGER NOT NULL DEFAULT 0 CHECK (notify_assignee IN (0, 1)),
	notify_department INTEGER NOT NULL DEFAULT 0 CHECK (notify_department IN (0, 1)),
	notify_staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
	raise_priority TEXT CHECK (raise_priority IS NULL OR raise_priority IN ('step', 'medium', 'high')),
	move_department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
	assign_staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
	note TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- A rule fires once per ticket: the row is written in the firing's
-- transaction, and a second firing (another node, a second pass) fails on
-- the primary key and rolls back with everything it would have done.
CREATE TABLE escalation_firings (
	rule_id INTEGER NOT NULL REFERENCES escalation_rules (id) ON DELETE CASCADE,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	fired_at INTEGER NOT NULL,
	PRIMARY KEY (rule_id, ticket_id)
);
CREATE INDEX escalation_firings_ticket ON escalation_firings (ticket_id);

-- The maintenance job finds candidates by a bounded range of one of these
-- columns, never by walking the tickets (domain/escalation.c). The due
-- times are set only while a clock runs toward its target, so these stay
-- as small as the running clocks.
CREATE INDEX tickets_sla_first_due ON tickets (sla_first_due, id) WHERE sla_first_due IS NOT NULL;
CREATE INDEX tickets_sla_resolve_due ON tickets (sla_resolve_due, id) WHERE sla_resolve_due IS NOT NULL;
-- Tickets waiting on the team with nobody assigned, by the client's last
-- message (the "waited N minutes without an agent" condition). status
-- leads, as in tickets_status_last_reply, so that SQLite's planner, which
-- has no statistics on a fresh database, takes this smaller index for the
-- same shape of search.
CREATE INDEX tickets_unassigned_waiting ON tickets (status, last_reply_at, id)
	WHERE assignee_id IS NULL AND status IN ('open', 'customer-reply');
