/* The administrative audit log (admin_audit) and the snapshots of what an
 * administrative change touches, as "field=value" lines, so the domain can
 * write what changed (before → after) without knowing each table. */
#ifndef CHAMADO_AUDIT_STORE_H
#define CHAMADO_AUDIT_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "store/db.h"

struct admin_audit_row {
	int64_t id, created_at;
	const char *actor_kind;
	int64_t actor_id; /* 0: none */
	const char *actor_name, *ip, *kind, *subject, *changes;
};

int64_t store_admin_audit_add(db *d, const struct admin_audit_row *row);

struct admin_audit_filter {
	int64_t actor_id;    /* 0: anyone */
	const char *kind;    /* NULL or "": every kind; "x." a prefix */
	int64_t from, until; /* created_at in [from, until); 0: open */
	/* keyset: rows strictly older than (before_at, before_id); 0: newest */
	int64_t before_at, before_id;
};

/* Newest first, at most max; strings in a. The count or < 0. */
int store_admin_audit_list(db *d, const struct admin_audit_filter *f, arena *a, struct admin_audit_row *rows, int max);
/* Deletes rows older than before. 0 or < 0. */
int store_admin_audit_purge(db *d, int64_t before);

/* What an entity looks like now, as "field=value\n" lines in out ("" when
 * it does not exist). entity: "settings", "department", "staff",
 * "client", "service", "reply", "token", "webhook", "escalation" (never a secret, a
 * token or its hash). 0 or < 0. */
int store_admin_audit_snapshot(db *d, const char *entity, int64_t id, buf *out);

/* Staff who appear in the log, for the filter: id and name. */
struct admin_audit_person {
	int64_t id;
	const char *name;
};
int store_admin_audit_people(db *d, arena *a, struct admin_audit_person *rows, int max);

#endif
