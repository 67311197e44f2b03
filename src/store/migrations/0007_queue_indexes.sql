-- 0007: indexes that let the staff queue and Meus Tickets de Suporte read
-- only the rows of one page at a million tickets. The queue's filters are
-- checked row by row while an index walks the tickets in display order, so
-- the page ends after a few dozen rows instead of sorting every match.
CREATE INDEX tickets_updated ON tickets (updated_at DESC, id DESC);
-- The queue sorted by priority; the expression must match the query's.
CREATE INDEX tickets_priority_updated ON tickets
	((CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END), updated_at DESC, id DESC);
-- Meus Tickets de Suporte lists newest first with id as the tie-breaker.
DROP INDEX tickets_client_updated;
CREATE INDEX tickets_client_updated ON tickets (client_id, updated_at DESC, id DESC);
-- Closed per day on the dashboard.
CREATE INDEX audit_log_action_created ON audit_log (action, created_at);
