/* Registro de auditoria: who changed what in the administration, and every
 * staff sign-in, with when, from where and what changed (before → after).
 * Written by the domain function of each change, inside its transaction,
 * so a change that rolls back leaves no record and one that commits always
 * has one. Records older than the setting audit_keep_days are purged by
 * the maintenance job.
 *
 * Kinds: "<entity>.create|update|delete" for settings, department, staff,
 * client, service, reply, token (API tokens: create, and revoke as
 * update), webhook, escalation; "webhook.resend"; "2fa.reset"; "signin.success",
 * "signin.failure". */
#ifndef CHAMADO_AUDIT_H
#define CHAMADO_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "domain/actor.h"
#include "store/audit_store.h"
#include "store/db.h"

enum { AUDIT_KEEP_DAYS_DEFAULT = 365, AUDIT_KEEP_DAYS_MAX = 3650 };

/* Writes one record: 0 or < 0. subject names what was changed; changes
 * may be NULL. */
int audit_record(db *d, const struct actor *actor, const char *kind, const char *subject,
                 const char *changes, int64_t now);

/* A sign-in of a staff member (staff_id 0 and name NULL when the email is
 * unknown). why is one of "password", "password and code", "wrong
 * password", "wrong code", "throttled", "unknown or inactive account". */
int audit_signin(db *d, int64_t staff_id, const char *name, const char *email, const char *ip,
                 bool success, const char *why, int64_t now);

/* Before → after of one entity ("settings", "department", "staff",
 * "client", "service", "reply", "token", "webhook"): audit_begin reads it before the change,
 * audit_end after it (id may be new) and writes what differs, as
 * <entity>.create, .update or .delete; nothing when nothing changed. Both
 * run inside the change's transaction. audit_end frees the snapshot. */
struct audit_snapshot {
	const char *entity;
	buf before;
};
int audit_begin(db *d, struct audit_snapshot *s, const char *entity, int64_t id);
int audit_end(db *d, struct audit_snapshot *s, const struct actor *actor, int64_t id, int64_t now);

/* The "field: before → after" lines between two snapshots, in out. */
void audit_diff(const char *before, const char *after, buf *out);

/* The log, newest first (see store/audit_store.h); admins only. */
int audit_list(db *d, const struct admin_audit_filter *f, arena *a, struct admin_audit_row *rows, int max);
int audit_people(db *d, arena *a, struct admin_audit_person *rows, int max);

/* Days records are kept; saving it is itself audited. Admins only:
 * 0, 1 (days out of range) or < 0. */
int audit_keep_days(db *d);
int audit_keep_days_save(db *d, const struct actor *actor, int days, int64_t now);
/* Deletes what is older than the setting allows. */
int audit_purge(db *d, int64_t now);

#endif
