#include "store/department_store.h"

#include <stdio.h>
#include <string.h>

int64_t store_department_count(db *d)
{
	static const char sql[] = "SELECT count(*) FROM departments";
	db_stmt *s = db_prepare(d, sql);
	return s ? db_scalar_int(s, 0) : DB_ERROR;
}

int64_t store_department_insert(db *d, const char *name, const char *description,
                                const char *email, int visible, int sort_order, int64_t now)
{
	static const char sql[] =
		"INSERT INTO departments (name, description, email, email_lower, visible, sort_order, created_at) "
		"VALUES ($1, $2, $3, lower($3), $4, $5, $6) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, description);
	db_bind_text(s, 3, email);
	db_bind_int(s, 4, visible);
	db_bind_int(s, 5, sort_order);
	db_bind_int(s, 6, now);
	return db_step_id(s);
}

int store_staff_department_add(db *d, int64_t staff_id, int64_t department_id)
{
	static const char sql[] =
		"INSERT INTO staff_departments (staff_id, department_id) VALUES ($1, $2) "
		"ON CONFLICT DO NOTHING";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, staff_id);
	db_bind_int(s, 2, department_id);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_DONE ? DB_OK : rc;
}

int64_t store_service_count_by_client(db *d, int64_t client_id)
{
	static const char sql[] = "SELECT count(*) FROM services WHERE client_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, client_id);
	return db_scalar_int(s, 0);
}

int64_t store_service_insert(db *d, int64_t client_id, const char *kind, const char *label,
                             const char *status, int64_t now)
{
	static const char sql[] =
		"INSERT INTO services (client_id, kind, label, status, created_at) "
		"VALUES ($1, $2, $3, $4, $5) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, client_id);
	db_bind_text(s, 2, kind);
	db_bind_text(s, 3, label);
	db_bind_text(s, 4, status);
	db_bind_int(s, 5, now);
	return db_step_id(s);
}

int store_department_list_visible(db *d, struct department_row *rows, int max)
{
	static const char sql[] =
		"SELECT id, name, description FROM departments WHERE visible = 1 "
		"ORDER BY sort_order, id LIMIT $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, max);
	int n = 0, rc;
	while ((rc = db_step(s)) == DB_ROW && n < max) {
		rows[n].id = db_col_int(s, 0);
		snprintf(rows[n].name, sizeof rows[n].name, "%s", db_col_text(s, 1));
		snprintf(rows[n].description, sizeof rows[n].description, "%s", db_col_text(s, 2));
		n++;
	}
	db_done(s);
	return rc < 0 ? rc : n;
}
