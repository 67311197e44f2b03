/* Custom fields of a department's tickets and the tickets' values of them
 * (migration 0019). */
#ifndef CHAMADO_FIELD_STORE_H
#define CHAMADO_FIELD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

struct field_row {
	int64_t id, department_id;
	const char *label;
	const char *kind;    /* "text", "number", "select", "checkbox" */
	const char *options; /* select: one option a line */
	bool required, client_visible;
	int64_t sort_order;
	const char *department_name; /* filled by the lists */
};

/* The fields of a department (department_id 0: of every department), by
 * order; client_only: only those the client sees. Count or < 0. */
int store_fields_list(db *d, int64_t department_id, bool client_only, arena *a,
                      struct field_row *rows, int max);
/* Sends store_fields_list's query ahead (db_prefetch). */
void store_fields_list_prefetch(db *d, int64_t department_id, bool client_only);
/* One field: 1, 0 none, < 0. */
int store_field_get(db *d, int64_t id, arena *a, struct field_row *row);
/* Inserts (row->id 0; returns the new id) or updates the field; < 0. */
int64_t store_field_save(db *d, const struct field_row *row, int64_t now);
/* 1 deleted (with its values), 0 none, < 0. */
int store_field_delete(db *d, int64_t id);

struct field_value_row {
	int64_t field_id;
	const char *label, *kind, *value;
	bool client_visible;
};
/* The values a ticket has, in the fields' order; client_only: only the
 * fields the client sees. Count or < 0. */
int store_ticket_field_values(db *d, int64_t ticket_id, bool client_only, arena *a,
                              struct field_value_row *rows, int max);
/* Sends store_ticket_field_values's query ahead (db_prefetch). */
void store_ticket_field_values_prefetch(db *d, int64_t ticket_id, bool client_only);
/* Sets the ticket's value of a field; "" deletes it. 0 or < 0. */
int store_ticket_field_set(db *d, int64_t ticket_id, int64_t field_id, const char *value);

#endif
