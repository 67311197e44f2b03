-- 0042: on PostgreSQL the ticket counts move to the commit
-- (0042_ticket_counts_at_commit_pgsql.sql). SQLite runs one writer at a
-- time, so its counting triggers (0008) stay as they are; this version only
-- keeps both backends' schema versions equal.
SELECT 1;
