/* The SQL of the administration pages: departments and their members, staff
 * accounts, clients and their services, predefined replies. Strings in rows
 * are allocated in the arena passed in. Functions returning int answer 0 (or
 * a count, or 1 found / 0 none) or a negative DB_E* code; inserts return the
 * new id. Emails are compared by their ASCII-lowercased form, as the schema's
 * email_lower columns document. */
#ifndef CHAMADO_ADMIN_STORE_H
#define CHAMADO_ADMIN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

/* ---- departments ---- */

struct admin_department_row {
	int64_t id;
	const char *name, *description, *email; /* email "" when none */
	bool visible;
	int64_t sort_order;
	int64_t members; /* staff in the department (lists only) */
};

/* Every department in its order, with its member count. */
int store_admin_department_list(db *d, arena *a, struct admin_department_row *rows, int max);
int store_admin_department_get(db *d, int64_t id, arena *a, struct admin_department_row *row);
/* The id of the department whose inbound address is email, 0 when none. */
int64_t store_admin_department_id_by_email(db *d, const char *email);
/* email NULL or "" stores no address. DB_CONSTRAINT when the address is taken. */
int64_t store_admin_department_insert(db *d, const char *name, const char *description,
                                      const char *email, bool visible, int64_t sort_order,
                                      int64_t now);
int store_admin_department_update(db *d, int64_t id, const char *name, const char *description,
                                  const char *email, bool visible, int64_t sort_order);
int64_t store_admin_department_ticket_count(db *d, int64_t id);
/* Deletes the department; its memberships and predefined replies go with it. */
int store_admin_department_delete(db *d, int64_t id);
/* The ids of the department's staff. */
int store_admin_department_member_ids(db *d, int64_t department_id, int64_t *ids, int max);
/* Replaces the department's members with ids. */
int store_admin_department_set_members(db *d, int64_t department_id, const int64_t *ids, int n);

/* ---- staff ---- */

struct admin_staff_row {
	int64_t id;
	const char *name, *email, *role, *signature, *language;
	bool active;
	int64_t departments; /* how many (lists only) */
};

/* Every staff member, by name. */
int store_admin_staff_list(db *d, arena *a, struct admin_staff_row *rows, int max);
int store_admin_staff_get(db *d, int64_t id, arena *a, struct admin_staff_row *row);
int64_t store_admin_staff_id_by_email(db *d, const char *email);
/* DB_CONSTRAINT when another account has the address. */
int store_admin_staff_update(db *d, int64_t id, const char *name, const char *email,
                             const char *role, bool active, const char *signature, int64_t now);
int store_admin_staff_set_signature(db *d, int64_t id, const char *signature, bool active);
int store_admin_staff_department_ids(db *d, int64_t staff_id, int64_t *ids, int max);
/* Replaces the staff member's departments with ids. */
int store_admin_staff_set_departments(db *d, int64_t staff_id, const int64_t *ids, int n);
/* 1 when every id names a department, 0 when one does not. */
int store_admin_departments_exist(db *d, const int64_t *ids, int n);
/* 1 when every id names a staff member, 0 when one does not. */
int store_admin_staff_exist(db *d, const int64_t *ids, int n);

/* ---- clients and services ---- */

struct admin_client_row {
	int64_t id;
	const char *name, *email, *company, *language;
	bool active;
	int64_t created_at;
};

/* Clients whose name or email contains needle (already lowercased; "" for
 * all), newest first, at most max. */
int store_admin_client_search(db *d, const char *needle, arena *a, struct admin_client_row *rows,
                              int max);
int store_admin_client_get(db *d, int64_t id, arena *a, struct admin_client_row *row);
int64_t store_admin_client_id_by_email(db *d, const char *email);
/* DB_CONSTRAINT when another client has the address. */
/* Replaces the client's personal data (see admin_client_anonymise):
 * their name becomes "-" and their address email. 0 or < 0. */
int store_client_anonymise(db *d, int64_t id, const char *old_email, const char *email,
                           int64_t now);
int store_admin_client_update(db *d, int64_t id, const char *name, const char *email,
                              const char *language, bool active, int64_t now);

struct admin_service_row {
	int64_t id, client_id;
	const char *kind, *label, *status;
};
int store_admin_service_get(db *d, int64_t client_id, int64_t id, arena *a,
                            struct admin_service_row *row);
int store_admin_service_update(db *d, int64_t id, const char *kind, const char *label,
                               const char *status);
/* Tickets that named the service keep their history without it. */
int store_admin_service_delete(db *d, int64_t id);

/* ---- predefined replies ---- */

struct admin_reply_row {
	int64_t id, department_id; /* 0: every department */
	const char *title, *body, *department_name; /* name "" for all */
};
int store_admin_reply_list(db *d, arena *a, struct admin_reply_row *rows, int max);
int store_admin_reply_get(db *d, int64_t id, arena *a, struct admin_reply_row *row);
int64_t store_admin_reply_insert(db *d, int64_t department_id, const char *title, const char *body,
                                 int64_t now);
int store_admin_reply_update(db *d, int64_t id, int64_t department_id, const char *title,
                             const char *body, int64_t now);
int store_admin_reply_delete(db *d, int64_t id);
/* 1 when the department exists, 0 when not. */
int store_admin_department_exists(db *d, int64_t id);

#endif
