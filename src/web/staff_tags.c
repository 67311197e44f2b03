/* Staff: a ticket's tags (POST /staff/tickets/:number/tags) and custom
 * field values (POST /staff/tickets/:number/fields), their boxes on the
 * ticket page, and the tags with their counts (GET /staff/tags). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/str.h"
#include "domain/custom_field.h"
#include "domain/ticket_tag.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"
#include "web/staff.h"

/* s percent-encoded for a query string, in the arena. */
const char *staff_query_escape(struct request *req, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(req->arena, n * 3 + 1);
	if (!out)
		return "";
	char *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.')
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

/* Every status, so that a tag's or a value's link shows what its count
 * counts: closed tickets too. */
static const char all_statuses[] =
	"status=open&status=answered&status=customer-reply&status=on-hold&status=in-progress&status=closed";

/* The text a value shows as: a ticked box says so. */
static const char *value_text(struct request *req, const char *kind, const char *value)
{
	if (str_eq(kind, "checkbox"))
		return tr(req, *value ? "Yes" : "No");
	return value;
}

/* add_tags and add_fields: staff_tickets.c's prefetch_page sends their reads
 * ahead with the same arguments; change both together. */
static void add_tags(struct request *req, vm_obj *page, const struct ticket_row *t)
{
	db *d = req_db(req);
	const char *tags[TICKET_TAGS_MAX];
	int n = ticket_tags(d, t->id, req->arena, tags, TICKET_TAGS_MAX);
	vm_list *list = vm_set_list(page, "tags");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "tag", tags[i]);
		vm_set_textf(o, "url", "/staff/tickets?%s&tag=%s", all_statuses,
		             staff_query_escape(req, tags[i]));
	}
	vm_set_bool(page, "has_tags", n > 0);
	/* Suggestions: the tags of the tickets this staff member sees. */
	struct tag_count *counts = arena_alloc(req->arena, TAG_COUNTS_MAX * sizeof *counts);
	int nc = counts ? ticket_tag_counts(d, web_staff(req), req->arena, counts, TAG_COUNTS_MAX) : 0;
	list = vm_set_list(page, "tag_suggestions");
	for (int i = 0; i < nc; i++)
		vm_set_text(vm_list_add(list), "tag", counts[i].tag);
	const char *typed = req_form(req, "tag");
	vm_set_text(page, "tag_typed", typed ? typed : "");
}

static void add_fields(struct request *req, vm_obj *page, const struct ticket_row *t)
{
	db *d = req_db(req);
	struct field_value_row values[CUSTOM_FIELDS_MAX * 2];
	int nv = ticket_field_values(d, t->id, false, req->arena, values, CUSTOM_FIELDS_MAX * 2);
	struct field_row fields[CUSTOM_FIELDS_MAX];
	int nf = custom_fields_list(d, t->department_id, false, req->arena, fields, CUSTOM_FIELDS_MAX);
	bool posted = req_form(req, "fields_form") != NULL;
	vm_list *list = vm_set_list(page, "fields");
	for (int i = 0; i < nf; i++) {
		const char *stored = "";
		for (int j = 0; j < nv; j++)
			if (values[j].field_id == fields[i].id)
				stored = values[j].value;
		const char *name = arena_printf(req->arena, "field_%lld", (long long)fields[i].id);
		const char *value = posted ? req_form(req, name) : stored;
		value = value ? value : "";
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", fields[i].id);
		vm_set_text(o, "label", fields[i].label);
		vm_set_text(o, "value", value);
		vm_set_bool(o, "required", fields[i].required);
		vm_set_bool(o, "staff_only", !fields[i].client_visible);
		vm_set_bool(o, "is_text", str_eq(fields[i].kind, "text"));
		vm_set_bool(o, "is_number", str_eq(fields[i].kind, "number"));
		vm_set_bool(o, "is_select", str_eq(fields[i].kind, "select"));
		vm_set_bool(o, "is_checkbox", str_eq(fields[i].kind, "checkbox"));
		vm_set_bool(o, "checked", *value && !str_eq(value, "0"));
		if (*stored)
			vm_set_textf(o, "filter_url", "/staff/tickets?%s&field=%lld&value=%s", all_statuses,
			             (long long)fields[i].id, staff_query_escape(req, stored));
		vm_set_text(o, "shown", value_text(req, fields[i].kind, stored));
		const char *options[FIELD_OPTIONS_MAX];
		int no = custom_field_options(fields[i].options, req->arena, options, FIELD_OPTIONS_MAX);
		vm_list *ol = vm_set_list(o, "options");
		for (int k = 0; k < no; k++) {
			vm_obj *opt = vm_list_add(ol);
			vm_set_text(opt, "option", options[k]);
			vm_set_bool(opt, "selected", str_eq(options[k], value));
		}
	}
	vm_set_bool(page, "has_fields", nf > 0);
	/* Values of fields of another department (the ticket moved) still show. */
	vm_list *other = vm_set_list(page, "other_values");
	int no = 0;
	for (int j = 0; j < nv; j++) {
		bool current = false;
		for (int i = 0; i < nf; i++)
			current |= fields[i].id == values[j].field_id;
		if (current)
			continue;
		vm_obj *o = vm_list_add(other);
		vm_set_text(o, "label", values[j].label);
		vm_set_text(o, "shown", value_text(req, values[j].kind, values[j].value));
		no++;
	}
	vm_set_bool(page, "has_other_values", no > 0);
}

void staff_ticket_tags_fields(struct request *req, vm_obj *page, const struct ticket_row *t)
{
	add_tags(req, page, t);
	add_fields(req, page, t);
}

static void back(struct request *req, const struct ticket_row *t, const char *anchor)
{
	web_flash(req, "ticket-updated");
	resp_redirect(req, 303, arena_printf(req->arena, "/staff/tickets/%lld#%s", (long long)t->number, anchor));
}

/* POST /staff/tickets/:number/tags — tag (one, or several separated by
 * commas) to add, or remove (one tag) — 303 back; 422 with the typed text
 * kept and what is wrong; 404. */
void staff_ticket_tags(struct request *req)
{
	enum { TYPED_MAX = TICKET_TAGS_MAX };
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	const char *typed = req_form(req, "tag");
	const char *remove = req_form(req, "remove");
	const char *add[TYPED_MAX + 1];
	int nadd = 0;
	if (typed) {
		char *copy = arena_strdup(req->arena, typed);
		for (char *part = copy ? strtok(copy, ",") : NULL; part; part = strtok(NULL, ","))
			if (!str_blank(part) && nadd <= TYPED_MAX)
				add[nadd++] = part;
		if (nadd == 0)
			add[nadd++] = ""; /* "Write a tag." */
	}
	const char *rem[1] = {remove};
	struct tag_change c = {.add = add, .nadd = nadd, .remove = rem, .nremove = remove ? 1 : 0};
	const char *error = NULL;
	char bad[TAG_BYTES_MAX * 2];
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = ticket_tags_change(req_db(req), &who, t->number, &c, (int64_t)time(NULL), &error, bad);
	if (rc == TICKET_INVALID) {
		staff_ticket_page(req, t, 422, arena_printf(req->arena, tr(req, error), bad), false);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	back(req, t, "tags");
}

/* POST /staff/tickets/:number/fields — field_ID for each field of the
 * ticket's department (an unticked box is absent) — 303 back; 422 naming
 * the fields at fault, with every typed value kept; 404. */
void staff_ticket_fields(struct request *req)
{
	struct session *s = staff_required(req);
	struct ticket_row *t = s ? staff_ticket_load(req, s) : NULL;
	if (!t)
		return;
	struct field_row fields[CUSTOM_FIELDS_MAX];
	int nf = custom_fields_list(req_db(req), t->department_id, false, req->arena, fields,
	                            CUSTOM_FIELDS_MAX);
	struct field_input in[CUSTOM_FIELDS_MAX];
	for (int i = 0; i < nf; i++) {
		const char *name = arena_printf(req->arena, "field_%lld", (long long)fields[i].id);
		in[i] = (struct field_input){fields[i].id, req_form(req, name) ? req_form(req, name) : ""};
	}
	struct field_errors e;
	struct actor who = actor_of(s, CHANNEL_WEB);
	int rc = nf < 0 ? nf
	                : ticket_fields_save(req_db(req), &who, t->number, in, nf, (int64_t)time(NULL), &e);
	if (rc == FIELD_INVALID) {
		buf b;
		buf_init(&b, 8192);
		for (int i = 0; i < e.n; i++) {
			if (i)
				buf_puts(&b, " ");
			buf_printf(&b, tr(req, e.e[i].msgid), e.e[i].label);
		}
		const char *error = arena_strndup(req->arena, buf_str(&b), b.len);
		buf_free(&b);
		staff_ticket_page(req, t, 422, error, false);
		return;
	}
	if (rc != TICKET_OK) {
		resp_error(req, rc == TICKET_NOT_FOUND ? 404 : 500);
		return;
	}
	back(req, t, "fields");
}

void staff_queue_tag_field_filters(struct request *req, vm_obj *page, const struct queue_filter *f,
                                   const struct named_row *deps, int nd)
{
	db *d = req_db(req);
	struct session *s = web_staff(req);
	vm_set_text(page, "tag", f->tag ? f->tag : "");
	struct tag_count *counts = arena_alloc(req->arena, TAG_COUNTS_MAX * sizeof *counts);
	int nc = counts ? ticket_tag_counts(d, s, req->arena, counts, TAG_COUNTS_MAX) : 0;
	vm_list *list = vm_set_list(page, "tag_suggestions");
	for (int i = 0; i < nc; i++)
		vm_set_text(vm_list_add(list), "tag", counts[i].tag);
	/* Only the fields of departments this staff member has (deps). */
	struct field_row *fields = arena_alloc(req->arena, CUSTOM_FIELDS_MAX * 4 * sizeof *fields);
	int nf = fields ? custom_fields_list(d, 0, false, req->arena, fields, CUSTOM_FIELDS_MAX * 4) : 0;
	list = vm_set_list(page, "filter_fields");
	int shown = 0;
	for (int i = 0; i < nf; i++) {
		bool mine = false;
		for (int k = 0; k < nd; k++)
			mine |= deps[k].id == fields[i].department_id;
		if (!mine)
			continue;
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", fields[i].id);
		vm_set_text(o, "label", fields[i].label);
		vm_set_text(o, "department", fields[i].department_name);
		vm_set_bool(o, "selected", fields[i].id == f->field_id);
		shown++;
	}
	vm_set_bool(page, "has_filter_fields", shown > 0);
	vm_set_text(page, "field_value", f->field_id && f->field_value ? f->field_value : "");
}

/* GET /staff/tags — every tag on the tickets the staff member may see,
 * with how many carry it, each a link to the queue filtered by it. 200. */
void staff_tags_page(struct request *req)
{
	struct session *s = staff_required(req);
	if (!s)
		return;
	struct tag_count *counts = arena_alloc(req->arena, TAG_COUNTS_MAX * sizeof *counts);
	int n = counts ? ticket_tag_counts(req_db(req), s, req->arena, counts, TAG_COUNTS_MAX) : DB_NOMEM;
	vm_obj *page = n >= 0 ? page_new(req, "Tags", "queue") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "tags");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "tag", counts[i].tag);
		vm_set_int(o, "count", counts[i].count);
		vm_set_textf(o, "url", "/staff/tickets?%s&tag=%s", all_statuses,
		             staff_query_escape(req, counts[i].tag));
	}
	vm_set_bool(page, "has_tags", n > 0);
	page_render(req, 200, "staff/tags", page);
}
