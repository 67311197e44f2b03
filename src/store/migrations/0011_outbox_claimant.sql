-- Which sender holds a 'sending' row: the node (stable across its restarts,
-- e.g. "host:/srv/chamado") and the boot of that node (random per start).
-- A node that starts again takes back at once the rows its earlier boot left
-- 'sending' (it died mid-send), instead of waiting for their lease to end.
-- Rows of other nodes are left to their lease: that node may be alive.
ALTER TABLE outbox ADD COLUMN claimed_node TEXT;
ALTER TABLE outbox ADD COLUMN claimed_boot TEXT;
CREATE INDEX outbox_sending_node ON outbox (claimed_node) WHERE status = 'sending';
