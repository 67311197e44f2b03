-- 0034: lists that pages read in these orders walk an index instead of
-- sorting. With a LIMIT, SQLite sorts in a temporary b-tree, about 25,000
-- instructions a statement even when there is nothing to sort; the staff's
-- ticket page made nine (store/db.h, db_read_rows). The tables are small and
-- rarely written.
CREATE INDEX departments_sort ON departments (sort_order, id);
CREATE INDEX staff_name ON staff (name, id);
CREATE INDEX tag_counts_tag ON tag_counts (tag);
