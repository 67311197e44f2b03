/* Custom fields per department (see custom_field.h). */
#include "domain/custom_field.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "base/thread_copy.h"
#include "base/thread_slot.h"
#include "domain/audit.h"
#include "domain/ticket.h"
#include "domain/ticket_search.h"
#include "store/queue_store.h"
#include "view/i18n.h"

static bool is_kind(const char *k)
{
	return str_eq(k, "text") || str_eq(k, "number") || str_eq(k, "select") || str_eq(k, "checkbox");
}

/* A number as people type it: digits, an optional sign, one decimal
 * point or comma (pt-BR). Written back with a point. */
static bool number_normalize(const char *s, char *out, size_t size)
{
	size_t j = 0;
	bool digits = false, point = false;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (j + 2 > size)
			return false;
		if (c >= '0' && c <= '9') {
			digits = true;
			out[j++] = c;
		} else if ((c == '-' || c == '+') && i == 0) {
			if (c == '-')
				out[j++] = c;
		} else if ((c == '.' || c == ',') && !point && digits) {
			point = true;
			out[j++] = '.';
		} else {
			return false;
		}
	}
	out[j] = '\0';
	return digits && out[j - 1] != '.';
}

bool custom_field_has_option(const char *options, const char *value)
{
	size_t vlen = strlen(value);
	if (!vlen)
		return false;
	for (const char *p = options ? options : ""; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t trimmed = len;
		while (trimmed && (p[trimmed - 1] == '\r' || p[trimmed - 1] == ' '))
			trimmed--;
		if (trimmed == vlen && !memcmp(p, value, vlen))
			return true;
		p += end ? len + 1 : len;
	}
	return false;
}

int custom_field_options(const char *options, arena *a, const char **out, int max)
{
	int n = 0;
	for (const char *p = options ? options : ""; *p && n < max;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *o = arena_strndup(a, p, len);
		if (!o)
			return n;
		str_trim(o);
		if (*o)
			out[n++] = o;
		p += end ? len + 1 : len;
	}
	return n;
}

const char *custom_field_check(const struct field_row *f, const char *typed,
                               char out[FIELD_VALUE_BYTES])
{
	snprintf(out, FIELD_VALUE_BYTES, "%s", typed ? typed : "");
	str_trim(out);
	if (str_eq(f->kind, "checkbox")) {
		bool on = str_eq(out, "1") || str_eq(out, "on") || str_eq(out, "true") || str_eq(out, "yes");
		if (!on && *out && !str_eq(out, "0") && !str_eq(out, "false") && !str_eq(out, "no"))
			return N_("%s: tick the box or leave it empty.");
		snprintf(out, FIELD_VALUE_BYTES, "%s", on ? "1" : "");
		return !on && f->required ? N_("Tick %s.") : NULL;
	}
	if (!*out)
		return f->required ? N_("Fill in %s.") : NULL;
	if (typed && strlen(typed) >= FIELD_VALUE_BYTES - 1)
		return N_("%s can have at most 500 characters.");
	if (str_utf8_length(out) > FIELD_VALUE_MAX)
		return N_("%s can have at most 500 characters.");
	if (strchr(out, '\n') || strchr(out, '\r'))
		return N_("%s takes one line of text.");
	if (str_eq(f->kind, "number")) {
		char n[64];
		if (!number_normalize(out, n, sizeof n))
			return N_("%s takes a number, such as 42 or 3,5.");
		snprintf(out, FIELD_VALUE_BYTES, "%s", n);
	} else if (str_eq(f->kind, "select") && !custom_field_has_option(f->options, out)) {
		return N_("Choose one of the options of %s.");
	}
	return NULL;
}

/* Every department's fields, read at most every FIELDS_TTL seconds per
 * thread and at once after a change on this node (custom_fields_changed):
 * the staff's ticket page and queue and the client's ticket form list them
 * on every view, 3% of the staff's ticket page at a million tickets. A
 * change on another node shows within FIELDS_TTL; opening a ticket and
 * saving values check the fields when they write (custom_fields_check_all
 * reads the store). The copy lives in an arena of the thread's own, freed
 * with the thread; callers get copies in their arena, so a refresh later in
 * the same request leaves their rows whole. */
enum { FIELDS_TTL = 5, FIELDS_CACHED = CUSTOM_FIELDS_MAX * 4 };

static atomic_uint fields_generation;

struct fields_copy {
	arena *a;
	struct field_row rows[FIELDS_CACHED];
	int n;
	bool too_many; /* more than FIELDS_CACHED: the lists read the store */
	struct thread_copy copy; /* from NULL: nothing read */
};

static void fields_copy_free(void *p)
{
	struct fields_copy *c = p;
	arena_free(c->a);
	free(c);
}

static void *fields_copy_make(void)
{
	return calloc(1, sizeof(struct fields_copy));
}

static struct thread_slot fields_slot = THREAD_SLOT(fields_copy_make, fields_copy_free);

void custom_fields_changed(void)
{
	atomic_fetch_add(&fields_generation, 1);
}

static bool fields_copy_fresh(const struct fields_copy *c, db *d, time_t now)
{
	return c && thread_copy_fresh(&c->copy, d, now, FIELDS_TTL, atomic_load(&fields_generation));
}

/* The thread's fresh copy of every field, read again when stale; NULL
 * when there are too many to keep (remembered for FIELDS_TTL, so that
 * each list is read once, from the store) or on an error. */
static const struct fields_copy *fields_cached(db *d)
{
	time_t now = time(NULL);
	struct fields_copy *c = thread_slot_get(&fields_slot);
	if (!c)
		return NULL;
	if (fields_copy_fresh(c, d, now))
		return c->too_many ? NULL : c;
	unsigned generation = atomic_load(&fields_generation);
	c->copy = (struct thread_copy){0};
	arena_free(c->a);
	c->a = arena_new(4096);
	c->n = c->a ? store_fields_list(d, 0, false, c->a, c->rows, FIELDS_CACHED) : DB_NOMEM;
	if (c->n < 0)
		return NULL;
	c->too_many = c->n >= FIELDS_CACHED; /* perhaps more than were read */
	thread_copy_taken(&c->copy, d, now, generation);
	return c->too_many ? NULL : c;
}

static bool field_copy(const struct field_row *from, arena *a, struct field_row *to)
{
	*to = *from;
	to->label = arena_strdup(a, from->label);
	to->kind = arena_strdup(a, from->kind);
	to->options = arena_strdup(a, from->options);
	to->department_name = arena_strdup(a, from->department_name);
	return to->label && to->kind && to->options && to->department_name;
}

int custom_fields_list(db *d, int64_t department_id, bool client_only, arena *a,
                       struct field_row *rows, int max)
{
	const struct fields_copy *c = fields_cached(d);
	if (!c)
		return store_fields_list(d, department_id, client_only, a, rows, max);
	int n = 0;
	for (int i = 0; i < c->n && n < max; i++) {
		const struct field_row *f = &c->rows[i];
		if ((department_id != 0 && f->department_id != department_id) ||
		    (client_only && !f->client_visible))
			continue;
		if (!field_copy(f, a, &rows[n++]))
			return DB_NOMEM;
	}
	return n;
}

/* Sends ahead what custom_fields_list will read: every field for a stale
 * copy, the list itself when there are too many to keep, nothing else. */
void custom_fields_list_prefetch(db *d, int64_t department_id, bool client_only)
{
	const struct fields_copy *c = thread_slot_get(&fields_slot);
	if (!fields_copy_fresh(c, d, time(NULL)))
		store_fields_list_prefetch(d, 0, false);
	else if (c->too_many)
		store_fields_list_prefetch(d, department_id, client_only);
}

const char *custom_field_department_name(db *d, int64_t department_id, arena *a)
{
	return department_id > 0 ? store_department_name(d, department_id, a) : NULL;
}

int custom_field_get(db *d, int64_t id, arena *a, struct field_row *row)
{
	return id > 0 ? store_field_get(d, id, a, row) : 0;
}

static bool is_admin(const struct actor *who)
{
	return actor_is_staff(who) && who->account->admin;
}

static void validate_form(const struct field_form *f, struct field_form_errors *e, arena *a)
{
	if (str_blank(f->label))
		e->label = N_("Write a label.");
	else if (str_utf8_length(f->label) > FIELD_LABEL_MAX)
		e->label = N_("The label can have at most 80 characters.");
	if (!is_kind(f->kind))
		e->kind = N_("Choose a kind.");
	if (str_eq(f->kind, "select")) {
		const char *opts[FIELD_OPTIONS_MAX + 1];
		int n = custom_field_options(f->options, a, opts, FIELD_OPTIONS_MAX + 1);
		if (n == 0)
			e->options = N_("A list needs at least one option, one a line.");
		else if (n > FIELD_OPTIONS_MAX)
			e->options = N_("A list can have at most 50 options.");
		for (int i = 0; i < n && !e->options; i++)
			if (str_utf8_length(opts[i]) > FIELD_LABEL_MAX)
				e->options = N_("An option can have at most 80 characters.");
	}
}

/* The options as stored: trimmed, one a line, no empty lines. */
static const char *options_clean(const char *options, arena *a)
{
	const char *opts[FIELD_OPTIONS_MAX];
	int n = custom_field_options(options, a, opts, FIELD_OPTIONS_MAX);
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(opts[i]) + 1;
	char *out = arena_alloc(a, len);
	if (!out)
		return "";
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, "\n");
		strcat(out, opts[i]);
	}
	return out;
}

static int finish(db *d, int rc)
{
	if (rc == 0)
		return db_commit(d);
	db_rollback(d);
	return rc;
}

int custom_field_save(db *d, const struct actor *who, int64_t id, const struct field_form *f,
                      int64_t now, struct field_form_errors *e, int64_t *saved_id)
{
	memset(e, 0, sizeof *e);
	if (!is_admin(who))
		return FIELD_NOT_FOUND;
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	struct field_row existing;
	int rc = id > 0 ? store_field_get(d, id, a, &existing) : 1;
	if (rc == 1 && !store_department_name(d, f->department_id, a))
		rc = 0;
	if (rc != 1) {
		arena_free(a);
		return rc < 0 ? rc : FIELD_NOT_FOUND;
	}
	validate_form(f, e, a);
	if (e->label || e->kind || e->options) {
		arena_free(a);
		return FIELD_INVALID;
	}
	char label[FIELD_LABEL_MAX * 4 + 1];
	snprintf(label, sizeof label, "%s", f->label);
	str_trim(label);
	struct field_row r = {
		.id = id, .department_id = f->department_id, .label = label, .kind = f->kind,
		.options = str_eq(f->kind, "select") ? options_clean(f->options, a) : "",
		.required = f->required, .client_visible = f->client_visible, .sort_order = f->sort_order,
	};
	rc = db_begin_write(d);
	if (rc < 0) {
		arena_free(a);
		return rc;
	}
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "field", id);
	int64_t new_id = rc == 0 ? store_field_save(d, &r, now) : rc;
	rc = new_id < 0 ? (int)new_id : 0;
	if (audit_end(d, &snap, who, rc == 0 ? new_id : 0, now) < 0 && rc == 0)
		rc = DB_ERROR;
	rc = finish(d, rc);
	arena_free(a);
	if (rc == 0)
		custom_fields_changed();
	if (rc == 0 && saved_id)
		*saved_id = new_id;
	return rc;
}

int custom_field_delete(db *d, const struct actor *who, int64_t id, int64_t now)
{
	if (!is_admin(who))
		return FIELD_NOT_FOUND;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "field", id);
	int gone = rc == 0 ? store_field_delete(d, id) : rc;
	rc = gone < 0 ? gone : gone == 0 ? FIELD_NOT_FOUND : 0;
	if (audit_end(d, &snap, who, id, now) < 0 && rc == 0)
		rc = DB_ERROR;
	rc = finish(d, rc);
	if (rc == 0)
		custom_fields_changed();
	return rc;
}

static const char *input_for(const struct field_input *in, int nin, int64_t field_id, bool *sent)
{
	for (int i = 0; i < nin; i++)
		if (in[i].field_id == field_id) {
			*sent = true;
			return in[i].value;
		}
	*sent = false;
	return NULL;
}

int custom_fields_check_all(db *d, int64_t department_id, bool client_only, bool enforce_required,
                            const struct field_input *in, int nin, arena *a,
                            struct field_input *out, int *nout, struct field_errors *errors)
{
	memset(errors, 0, sizeof *errors);
	*nout = 0;
	/* The fields the form showed: the thread's copy (a change on this node
	 * shows at once, on another within FIELDS_TTL), not a read each time. */
	struct field_row fields[CUSTOM_FIELDS_MAX];
	int n = custom_fields_list(d, department_id, client_only, a, fields, CUSTOM_FIELDS_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		bool sent;
		const char *typed = input_for(in, nin, fields[i].id, &sent);
		struct field_row f = fields[i];
		f.required = f.required && enforce_required;
		char value[FIELD_VALUE_BYTES];
		const char *error = custom_field_check(&f, typed, value);
		if (error) {
			errors->e[errors->n].field_id = f.id;
			errors->e[errors->n].msgid = error;
			snprintf(errors->e[errors->n].label, sizeof errors->e[0].label, "%s", f.label);
			errors->n++;
			continue;
		}
		if (!sent)
			continue;
		out[*nout].field_id = f.id;
		out[*nout].value = arena_strdup(a, value);
		if (!out[*nout].value)
			return DB_NOMEM;
		(*nout)++;
	}
	return errors->n ? FIELD_INVALID : 0;
}

int ticket_fields_apply(db *d, const struct actor *who, const struct ticket_row *t,
                        const struct field_input *checked, int n, arena *a, int64_t now)
{
	if (n == 0) /* most openings: nothing to compare, no read */
		return 0;
	struct field_value_row have[CUSTOM_FIELDS_MAX * 2];
	int nh = store_ticket_field_values(d, t->id, false, a, have, CUSTOM_FIELDS_MAX * 2);
	if (nh < 0)
		return nh;
	int rc = 0, changed = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *old = "";
		for (int j = 0; j < nh; j++)
			if (have[j].field_id == checked[i].field_id)
				old = have[j].value;
		if (str_eq(old, checked[i].value))
			continue;
		changed++;
		struct field_row f;
		rc = store_field_get(d, checked[i].field_id, a, &f);
		if (rc != 1)
			return rc < 0 ? rc : DB_ERROR;
		rc = store_ticket_field_set(d, t->id, checked[i].field_id, checked[i].value);
		/* The trail names the field and its kind (a box reads as yes or
		 * no); the value, as it was and as it is: "label US value US kind". */
		if (rc == 0)
			rc = ticket_audit(d, who, t->id, "field",
			                  arena_printf(a, "%s\x1f%s\x1f%s", f.label, old, f.kind),
			                  arena_printf(a, "%s\x1f%s\x1f%s", f.label, checked[i].value, f.kind), now);
	}
	if (rc == 0 && changed > 0) /* staff find tickets by their field values */
		rc = ticket_search_changed(d, t->id);
	return rc;
}

struct save_args {
	const struct field_input *in;
	int nin;
	struct field_errors *errors;
};

static int save(db *d, const struct actor *who, const struct ticket_row *t, const void *arg,
                arena *a, int64_t now)
{
	const struct save_args *sa = arg;
	struct field_input *checked = arena_alloc(a, CUSTOM_FIELDS_MAX * sizeof *checked);
	if (!checked)
		return DB_NOMEM;
	int n = 0;
	int rc = custom_fields_check_all(d, t->department_id, false, false, sa->in, sa->nin, a, checked,
	                                 &n, sa->errors);
	if (rc != 0)
		return rc;
	/* A required field that has a value keeps one. */
	struct field_value_row have[CUSTOM_FIELDS_MAX * 2];
	int nh = store_ticket_field_values(d, t->id, false, a, have, CUSTOM_FIELDS_MAX * 2);
	if (nh < 0)
		return nh;
	for (int i = 0; i < n; i++) {
		if (*checked[i].value)
			continue;
		struct field_row f;
		rc = store_field_get(d, checked[i].field_id, a, &f);
		if (rc < 0)
			return rc;
		for (int j = 0; rc == 1 && f.required && j < nh; j++)
			if (have[j].field_id == f.id && sa->errors->n < CUSTOM_FIELDS_MAX) {
				int k = sa->errors->n++;
				sa->errors->e[k].field_id = f.id;
				sa->errors->e[k].msgid = str_eq(f.kind, "checkbox") ? N_("Tick %s.") : N_("Fill in %s.");
				snprintf(sa->errors->e[k].label, sizeof sa->errors->e[k].label, "%s", f.label);
			}
	}
	if (sa->errors->n)
		return FIELD_INVALID;
	return ticket_fields_apply(d, who, t, checked, n, a, now);
}

int ticket_fields_save(db *d, const struct actor *who, int64_t number, const struct field_input *in,
                       int nin, int64_t now, struct field_errors *errors)
{
	memset(errors, 0, sizeof *errors);
	if (!actor_is_staff(who))
		return TICKET_NOT_FOUND;
	struct save_args args = {in, nin, errors};
	return ticket_transaction(d, who, number, save, &args, now);
}

int ticket_field_values(db *d, int64_t ticket_id, bool client_only, arena *a,
                        struct field_value_row *rows, int max)
{
	return store_ticket_field_values(d, ticket_id, client_only, a, rows, max);
}

void ticket_field_values_prefetch(db *d, int64_t ticket_id, bool client_only)
{
	store_ticket_field_values_prefetch(d, ticket_id, client_only);
}

const char *ticket_fields_text(db *d, int64_t ticket_id, arena *a)
{
	struct field_value_row rows[CUSTOM_FIELDS_MAX * 2];
	int n = store_ticket_field_values(d, ticket_id, false, a, rows, CUSTOM_FIELDS_MAX * 2);
	if (n < 0)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(rows[i].value) + 1;
	char *out = arena_alloc(a, len);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, "\n");
		strcat(out, rows[i].value);
	}
	return out;
}
