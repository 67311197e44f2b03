-- 0012: Registro de auditoria — every administrative change and every staff
-- sign-in, written in the transaction of the change. actor_name and subject
-- are copies taken at the time, so the record reads the same after a rename
-- or a deletion. changes holds "field: before → after" lines.
CREATE TABLE admin_audit (
	id INTEGER PRIMARY KEY,
	created_at INTEGER NOT NULL,
	actor_kind TEXT NOT NULL CHECK (actor_kind IN ('staff', 'client', 'system')),
	actor_id INTEGER,
	actor_name TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	changes TEXT NOT NULL DEFAULT ''
);
-- The page: newest first, filtered by person or kind, paged by (created_at, id).
CREATE INDEX admin_audit_created ON admin_audit (created_at, id);
CREATE INDEX admin_audit_actor ON admin_audit (actor_id, created_at, id);
CREATE INDEX admin_audit_kind ON admin_audit (kind, created_at, id);
