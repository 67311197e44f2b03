-- 0044: on PostgreSQL the report counters move to the commit
-- (0044_report_counts_at_commit_pgsql.sql). SQLite runs one writer at a
-- time, so its counters are changed where they change; this version only
-- keeps both backends' schema versions equal.
SELECT 1;
