#include "store/field_store.h"

#include <string.h>

#define FIELD_COLUMNS \
	"f.id, f.department_id, f.label, f.kind, f.options, f.required, f.client_visible, " \
	"f.sort_order, dp.name "

static void read_field(db_stmt *s, arena *a, void *row)
{
	struct field_row *r = row;
	r->id = db_col_int(s, 0);
	r->department_id = db_col_int(s, 1);
	r->label = db_col_text_dup(s, 2, a);
	r->kind = db_col_text_dup(s, 3, a);
	r->options = db_col_text_dup(s, 4, a);
	r->required = db_col_int(s, 5) != 0;
	r->client_visible = db_col_int(s, 6) != 0;
	r->sort_order = db_col_int(s, 7);
	r->department_name = db_col_text_dup(s, 8, a);
}

/* A short list, ordered without LIMIT (db_read_rows in db.h). */
static db_stmt *fields_list_stmt(db *d, int64_t department_id, bool client_only)
{
	static const char sql[] =
		"SELECT " FIELD_COLUMNS "FROM custom_fields f JOIN departments dp ON dp.id = f.department_id "
		"WHERE ($1 = 0 OR f.department_id = $1) AND ($2 = 0 OR f.client_visible = 1) "
		"ORDER BY dp.sort_order, f.department_id, f.sort_order, f.id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, department_id);
	db_bind_int(s, 2, client_only ? 1 : 0);
	return s;
}

int store_fields_list(db *d, int64_t department_id, bool client_only, arena *a,
                      struct field_row *rows, int max)
{
	db_stmt *s = fields_list_stmt(d, department_id, client_only);
	return db_read_rows(s, read_field, a, rows, sizeof *rows, max);
}

void store_fields_list_prefetch(db *d, int64_t department_id, bool client_only)
{
	db_prefetch(fields_list_stmt(d, department_id, client_only));
}

int store_field_get(db *d, int64_t id, arena *a, struct field_row *row)
{
	static const char sql[] =
		"SELECT " FIELD_COLUMNS "FROM custom_fields f JOIN departments dp ON dp.id = f.department_id "
		"WHERE f.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_field, a, row);
}

int64_t store_field_save(db *d, const struct field_row *row, int64_t now)
{
	static const char insert[] =
		"INSERT INTO custom_fields (department_id, label, kind, options, required, client_visible, "
		"sort_order, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
	static const char update[] =
		"UPDATE custom_fields SET department_id = $1, label = $2, kind = $3, options = $4, "
		"required = $5, client_visible = $6, sort_order = $7 WHERE id = $8 RETURNING id";
	db_stmt *s = db_prepare(d, row->id ? update : insert);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, row->department_id);
	db_bind_text(s, 2, row->label);
	db_bind_text(s, 3, row->kind);
	db_bind_text(s, 4, row->options ? row->options : "");
	db_bind_int(s, 5, row->required ? 1 : 0);
	db_bind_int(s, 6, row->client_visible ? 1 : 0);
	db_bind_int(s, 7, row->sort_order);
	db_bind_int(s, 8, row->id ? row->id : now);
	return db_step_id(s);
}

int store_field_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM custom_fields WHERE id = $1 RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	db_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

static void read_value(db_stmt *s, arena *a, void *row)
{
	struct field_value_row *r = row;
	r->field_id = db_col_int(s, 0);
	r->label = db_col_text_dup(s, 1, a);
	r->kind = db_col_text_dup(s, 2, a);
	r->value = db_col_text_dup(s, 3, a);
	r->client_visible = db_col_int(s, 4) != 0;
}

/* A short list, ordered without LIMIT (db_read_rows in db.h). */
static db_stmt *field_values_stmt(db *d, int64_t ticket_id, bool client_only)
{
	static const char sql[] =
		"SELECT f.id, f.label, f.kind, v.value, f.client_visible FROM ticket_field_values v "
		"JOIN custom_fields f ON f.id = v.field_id WHERE v.ticket_id = $1 "
		"AND ($2 = 0 OR f.client_visible = 1) ORDER BY f.sort_order, f.id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, client_only ? 1 : 0);
	return s;
}

int store_ticket_field_values(db *d, int64_t ticket_id, bool client_only, arena *a,
                              struct field_value_row *rows, int max)
{
	db_stmt *s = field_values_stmt(d, ticket_id, client_only);
	return db_read_rows(s, read_value, a, rows, sizeof *rows, max);
}

void store_ticket_field_values_prefetch(db *d, int64_t ticket_id, bool client_only)
{
	db_prefetch(field_values_stmt(d, ticket_id, client_only));
}

int store_ticket_field_set(db *d, int64_t ticket_id, int64_t field_id, const char *value)
{
	static const char del[] = "DELETE FROM ticket_field_values WHERE ticket_id = $1 AND field_id = $2";
	static const char ins[] =
		"INSERT INTO ticket_field_values (ticket_id, field_id, value) VALUES ($1, $2, $3)";
	db_stmt *s = db_prepare(d, del);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, field_id);
	int rc = db_step_done(s);
	if (rc < 0 || !value || !*value)
		return rc;
	s = db_prepare(d, ins);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, ticket_id);
	db_bind_int(s, 2, field_id);
	db_bind_text(s, 3, value);
	return db_step_done(s);
}
