/* Administration: the custom fields of a department
 * (/staff/admin/departments/:id/fields) — the list, a form to add one or
 * change one (?field=ID), and deletion. Admins only: 404 for agents. */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/custom_field.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

static const char *const kinds[] = {"text", "number", "select", "checkbox"};

static const char *kind_label(const char *kind)
{
	return str_eq(kind, "number") ? N_("Number")
	       : str_eq(kind, "select") ? N_("List of options")
	       : str_eq(kind, "checkbox") ? N_("Checkbox")
	                                  : N_("Text");
}

/* The list and the form (field_id 0: a new field), with f's values. */
static void render(struct request *req, int status, int64_t dep, int64_t field_id,
                   const struct field_form *f, const struct field_form_errors *e)
{
	db *d = req_db(req);
	const char *dep_name = custom_field_department_name(d, dep, req->arena);
	if (!dep_name) {
		resp_error(req, 404);
		return;
	}
	struct field_row rows[CUSTOM_FIELDS_MAX];
	int n = custom_fields_list(d, dep, false, req->arena, rows, CUSTOM_FIELDS_MAX);
	vm_obj *page = n >= 0 ? page_new(req, "Custom fields", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_int(page, "department_id", dep);
	vm_set_text(page, "department", dep_name);
	vm_list *list = vm_set_list(page, "fields");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "label", rows[i].label);
		vm_set_text(o, "kind", tr(req, kind_label(rows[i].kind)));
		vm_set_text(o, "options", rows[i].options);
		vm_set_bool(o, "required", rows[i].required);
		vm_set_bool(o, "client_visible", rows[i].client_visible);
		vm_set_int(o, "sort_order", rows[i].sort_order);
	}
	vm_set_bool(page, "has_fields", n > 0);
	vm_set_bool(page, "can_add", n < CUSTOM_FIELDS_MAX || field_id);
	if (field_id)
		vm_set_int(page, "field_id", field_id);
	vm_set_text(page, "label", f->label);
	vm_set_text(page, "options", f->options);
	vm_set_bool(page, "required", f->required);
	vm_set_bool(page, "client_visible", f->client_visible);
	vm_set_int(page, "sort_order", f->sort_order);
	list = vm_set_list(page, "kinds");
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "value", kinds[i]);
		vm_set_text(o, "label", tr(req, kind_label(kinds[i])));
		vm_set_bool(o, "selected", str_eq(f->kind, kinds[i]));
	}
	if (e) {
		admin_field_error(req, page, "label", e->label);
		admin_field_error(req, page, "kind", e->kind);
		admin_field_error(req, page, "options", e->options);
	}
	page_render(req, status, "staff/admin/fields", page);
}

/* GET /staff/admin/departments/:id/fields[?field=FID] — 200; 303 signed
 * out; 404 for agents, no such department or field. */
void admin_fields_page(struct request *req)
{
	int64_t dep, field_id = 0;
	if (!admin_require_id(req, &dep))
		return;
	struct field_form f = {.department_id = dep, .kind = "text", .label = "", .options = "",
	                       .client_visible = true};
	const char *chosen = req_query(req, "field");
	if (chosen) {
		struct field_row row;
		int rc = str_to_int64(chosen, 1, INT64_MAX, &field_id)
		             ? custom_field_get(req_db(req), field_id, req->arena, &row)
		             : 0;
		if (rc != 1 || row.department_id != dep) {
			resp_error(req, rc < 0 ? 500 : 404);
			return;
		}
		f = (struct field_form){.department_id = dep, .label = row.label, .kind = row.kind,
		                        .options = row.options, .required = row.required,
		                        .client_visible = row.client_visible, .sort_order = row.sort_order};
	}
	render(req, 200, dep, field_id, &f, NULL);
}

/* POST /staff/admin/departments/:id/fields (field=FID to change one) —
 * 303 to the list with "saved"; 422 with the typed values; 404. */
void admin_fields_submit(struct request *req)
{
	int64_t dep, field_id = 0, order = 0;
	if (!admin_require_id(req, &dep))
		return;
	str_to_int64(admin_form_text(req, "field"), 1, INT64_MAX, &field_id);
	str_to_int64(admin_form_text(req, "sort_order"), -9999, 9999, &order);
	struct field_form f = {
		.department_id = dep, .label = admin_form_text(req, "label"),
		.kind = admin_form_text(req, "kind"), .options = admin_form_text(req, "options"),
		.required = admin_form_checked(req, "required"),
		.client_visible = admin_form_checked(req, "client_visible"), .sort_order = order,
	};
	if (field_id) { /* the field must be this department's */
		struct field_row row;
		if (custom_field_get(req_db(req), field_id, req->arena, &row) != 1 ||
		    row.department_id != dep) {
			resp_error(req, 404);
			return;
		}
	}
	struct field_form_errors e;
	int rc = custom_field_save(req_db(req), web_actor(req), field_id, &f, (int64_t)time(NULL), &e, NULL);
	if (rc == FIELD_INVALID) {
		render(req, 422, dep, field_id, &f, &e);
		return;
	}
	admin_saved(req, rc, arena_printf(req->arena, "/staff/admin/departments/%lld/fields", (long long)dep));
}

/* POST /staff/admin/departments/:id/fields/:field/delete — 303; 404. */
void admin_field_delete_submit(struct request *req)
{
	int64_t dep, field_id;
	if (!admin_require_id(req, &dep))
		return;
	struct field_row row;
	if (!admin_param_id(req, "field", &field_id) ||
	    custom_field_get(req_db(req), field_id, req->arena, &row) != 1 || row.department_id != dep) {
		resp_error(req, 404);
		return;
	}
	int rc = custom_field_delete(req_db(req), web_actor(req), field_id, (int64_t)time(NULL));
	admin_saved(req, rc, arena_printf(req->arena, "/staff/admin/departments/%lld/fields", (long long)dep));
}
