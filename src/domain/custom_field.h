/* Custom fields per department: an admin defines them (label, kind, the
 * options of a select, required, visible to the client or staff-only,
 * order); a client fills the client-visible ones on Abrir Ticket; staff
 * see and change every one on the ticket page and through the API.
 * Staff-only fields and their values never reach a client: the lists
 * here take client_only, and every client-facing caller passes true. */
#ifndef CHAMADO_CUSTOM_FIELD_H
#define CHAMADO_CUSTOM_FIELD_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/actor.h"
#include "store/db.h"
#include "store/field_store.h"
#include "store/ticket_store.h"

enum {
	CUSTOM_FIELDS_MAX = 30,     /* fields of one department */
	FIELD_LABEL_MAX = 80,       /* characters */
	FIELD_VALUE_MAX = 500,      /* characters of a value */
	FIELD_OPTIONS_MAX = 50,     /* options of a select */
	FIELD_VALUE_BYTES = FIELD_VALUE_MAX * 4 + 1,
};

enum field_result {
	FIELD_OK = 0,
	FIELD_INVALID = 1,   /* see the errors */
	FIELD_NOT_FOUND = 2, /* no such field or department, or not an admin */
};

/* A value as typed for a field; value NULL: not sent (a checkbox left
 * unticked is "" or NULL alike). */
struct field_input {
	int64_t field_id;
	const char *value;
};

/* The fields at fault: a msgid with one %s (the field's label) each. */
struct field_errors {
	int n;
	struct {
		int64_t field_id;
		const char *msgid;
		char label[FIELD_LABEL_MAX * 4 + 1]; /* a copy: the caller keeps it */
	} e[CUSTOM_FIELDS_MAX];
};

/* Checks a typed value against the field: NULL with the value to store in
 * out ("" for none; a ticked checkbox "1"; a number in plain decimal
 * form), or a msgid with one %s (the label). A required field must have a
 * value (for a checkbox: be ticked). */
const char *custom_field_check(const struct field_row *f, const char *typed,
                               char out[FIELD_VALUE_BYTES]);
/* true when value is one of the select's options (one a line). */
bool custom_field_has_option(const char *options, const char *value);
/* The options of a select as an array in a: count (at most max). */
int custom_field_options(const char *options, arena *a, const char **out, int max);

/* The definitions of a department's fields (0: every department's), by
 * order; client_only: the client-visible ones. Count or < 0. */
int custom_fields_list(db *d, int64_t department_id, bool client_only, arena *a,
                       struct field_row *rows, int max);
void custom_fields_list_prefetch(db *d, int64_t department_id, bool client_only);
/* Makes every thread read the fields again (custom_fields_list keeps a
 * copy per thread): after a change to a field or to a department, whose
 * name and order the lists carry. */
void custom_fields_changed(void);
/* A department's name (any department: hidden ones too), in a; NULL when
 * there is none. */
const char *custom_field_department_name(db *d, int64_t department_id, arena *a);
/* One field (admins' form): 1, 0, < 0. */
int custom_field_get(db *d, int64_t id, arena *a, struct field_row *row);

/* The admin's form of a field. */
struct field_form {
	int64_t department_id;
	const char *label, *kind, *options; /* options: one a line */
	bool required, client_visible;
	int64_t sort_order;
};
/* A msgid per wrong part of the form, NULL when fine. */
struct field_form_errors {
	const char *label, *kind, *options;
};
/* Creates (id 0) or changes a field; admins only, audited ("field").
 * FIELD_OK with *saved_id (may be NULL), FIELD_INVALID with errors,
 * FIELD_NOT_FOUND or < 0. */
int custom_field_save(db *d, const struct actor *who, int64_t id, const struct field_form *f,
                      int64_t now, struct field_form_errors *e, int64_t *saved_id);
/* Deletes a field and every value of it; admins only, audited. */
int custom_field_delete(db *d, const struct actor *who, int64_t id, int64_t now);

/* Checks the inputs against the department's fields (the client-visible
 * ones when client_only); with enforce_required, a required field left
 * empty is an error. Fills errors; the values to store go to out (one per
 * field, in a, field_id and checked value) with *nout. 0 all good,
 * FIELD_INVALID, < 0. Inputs naming no field of the department are
 * ignored. */
int custom_fields_check_all(db *d, int64_t department_id, bool client_only, bool enforce_required,
                            const struct field_input *in, int nin, arena *a,
                            struct field_input *out, int *nout, struct field_errors *errors);

/* Staff (and API tokens) change a ticket's values: only the fields named
 * in `in` (of the ticket's department) change; a required field that has
 * a value may not be emptied. One audit entry per changed value, on the
 * ticket's trail. 0 (TICKET_OK; also when nothing changed), FIELD_INVALID
 * with errors, TICKET_NOT_FOUND (2) or < 0. */
int ticket_fields_save(db *d, const struct actor *who, int64_t number, const struct field_input *in,
                       int nin, int64_t now, struct field_errors *errors);
/* Writes checked values (custom_fields_check_all's out) on t inside the
 * caller's write transaction, each change audited. 0 or < 0. */
int ticket_fields_apply(db *d, const struct actor *who, const struct ticket_row *t,
                        const struct field_input *checked, int n, arena *a, int64_t now);

/* The values of a ticket, in the fields' order; client_only for every
 * client-facing page, email or view. Count or < 0. */
int ticket_field_values(db *d, int64_t ticket_id, bool client_only, arena *a,
                        struct field_value_row *rows, int max);
void ticket_field_values_prefetch(db *d, int64_t ticket_id, bool client_only);
/* Every field value of the ticket as one text (staff-only fields too),
 * separated by newlines, for the staff search's index; "" when none, NULL
 * on an error. */
const char *ticket_fields_text(db *d, int64_t ticket_id, arena *a);

#endif
