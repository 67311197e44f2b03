-- 0040: the sender finds due emails by an index of those still to send
-- only, in the order it takes them. (status, next_attempt_at) held every
-- email ever sent, moved each email's entry twice more as it was claimed
-- and sent (in the writer's turn, between the openings and replies that
-- queue mail), and the claim's `status IN (...)` over it sorted its rows
-- in a temporary b-tree every pass. The admin's list of failed emails gets
-- an index of its own, as small as that list.
DROP INDEX outbox_status_next_attempt;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_failed ON outbox (id) WHERE status = 'failed';
