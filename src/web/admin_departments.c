/* Administration: /staff/admin/departments — the list, the form to create
 * or edit one (with its members), and deletion of a department without
 * tickets. */
#include <stdio.h>
#include <time.h>

#include "domain/admin.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

enum { DEPARTMENTS_MAX = 200, STAFF_MAX = 500 };

/* GET /staff/admin/departments — 200; 303 signed out; 404 for agents. */
void admin_departments_page(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	struct admin_department_row *rows = arena_alloc(req->arena, sizeof *rows * DEPARTMENTS_MAX);
	int n = d && rows ? store_admin_department_list(d, req->arena, rows, DEPARTMENTS_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Departments", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "departments");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "description", rows[i].description);
		vm_set_text(o, "email", rows[i].email);
		vm_set_bool(o, "visible", rows[i].visible);
		vm_set_int(o, "sort_order", rows[i].sort_order);
		vm_set_int(o, "members", rows[i].members);
	}
	vm_set_bool(page, "has_departments", n > 0);
	page_render(req, 200, "staff/admin/departments", page);
}

/* The form, with the values given and the staff as checkboxes. id 0: new. */
static void render_form(struct request *req, int status, int64_t id,
                        const struct admin_department_form *f,
                        const struct admin_department_errors *e, const char *refused)
{
	db *d = req_db(req);
	struct admin_staff_row *staff = arena_alloc(req->arena, sizeof *staff * STAFF_MAX);
	int n = d && staff ? store_admin_staff_list(d, req->arena, staff, STAFF_MAX) : -1;
	vm_obj *page = n >= 0 ? admin_form_page(req, id, "/staff/admin/departments",
	                                        N_("New department"), N_("Edit department"))
	                      : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_text(page, "name", f->name);
	vm_set_text(page, "description", f->description);
	vm_set_text(page, "email", f->email);
	vm_set_bool(page, "visible", f->visible);
	vm_set_text(page, "sort_order", f->sort_order);
	vm_list *list = vm_set_list(page, "staff");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", staff[i].id);
		vm_set_text(o, "name", staff[i].name);
		vm_set_text(o, "email", staff[i].email);
		vm_set_bool(o, "inactive", !staff[i].active);
		vm_set_bool(o, "checked", admin_ids_contain(f->members, f->nmembers, staff[i].id));
	}
	vm_set_bool(page, "has_staff", n > 0);
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "description", e->description);
		admin_field_error(req, page, "email", e->email);
		admin_field_error(req, page, "sort_order", e->sort_order);
		admin_field_error(req, page, "members", e->members);
	}
	if (refused)
		vm_set_text(page, "refused", tr(req, refused));
	page_render(req, status, "staff/admin/department", page);
}

static void form_from_request(struct request *req, struct admin_department_form *f)
{
	*f = (struct admin_department_form){
		.name = admin_form_text(req, "name"),
		.description = admin_form_text(req, "description"),
		.email = admin_form_text(req, "email"),
		.visible = admin_form_checked(req, "visible"),
		.sort_order = admin_form_text(req, "sort_order"),
	};
	f->members = admin_form_ids(req, "members", ADMIN_IDS_MAX, &f->nmembers);
}

/* The saved department as a form; 1, 0 none, < 0. */
static int form_from_store(struct request *req, int64_t id, struct admin_department_form *f)
{
	db *d = req_db(req);
	struct admin_department_row row;
	int rc = d ? store_admin_department_get(d, id, req->arena, &row) : -1;
	if (rc <= 0)
		return rc;
	int64_t *members = arena_alloc(req->arena, sizeof(int64_t) * STAFF_MAX);
	int n = members ? store_admin_department_member_ids(d, id, members, STAFF_MAX) : -1;
	if (n < 0)
		return n;
	*f = (struct admin_department_form){
		.name = row.name, .description = row.description, .email = row.email,
		.visible = row.visible,
		.sort_order = arena_printf(req->arena, "%lld", (long long)row.sort_order),
		.members = members, .nmembers = n,
	};
	return 1;
}

/* GET /staff/admin/departments/new — 200; 303; 404 for agents. */
void admin_department_new_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct admin_department_form f = {.name = "", .description = "", .email = "",
	                                  .visible = true, .sort_order = "0"};
	render_form(req, 200, 0, &f, NULL, NULL);
}

/* GET /staff/admin/departments/:id — 200; 303; 404 for agents or no such
 * department. */
void admin_department_edit_page(struct request *req)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return;
	struct admin_department_form f;
	int rc = form_from_store(req, id, &f);
	if (rc <= 0) {
		admin_missing(req, rc);
		return;
	}
	render_form(req, 200, id, &f, NULL, NULL);
}

static void save(struct request *req, int64_t id)
{
	struct admin_department_form f;
	form_from_request(req, &f);
	struct admin_department_errors e;
	int64_t saved_id = 0;
	db *d = req_db(req);
	int rc = d ? admin_department_save(d, web_actor(req), id, &f, (int64_t)time(NULL), &e, &saved_id) : -1;
	if (rc == ADMIN_INVALID) {
		render_form(req, 422, id, &f, &e, NULL);
		return;
	}
	admin_saved(req, rc, "/staff/admin/departments");
}

/* POST /staff/admin/departments — 303 to the list with "saved"; 422. */
void admin_department_create_submit(struct request *req)
{
	if (admin_require(req))
		save(req, 0);
}

/* POST /staff/admin/departments/:id — 303 with "saved"; 422; 404. */
void admin_department_edit_submit(struct request *req)
{
	int64_t id;
	if (admin_require_id(req, &id))
		save(req, id);
}

/* POST /staff/admin/departments/:id/delete — 303 to the list with "saved";
 * 409 with the department's page and the reason when it has tickets; 404. */
void admin_department_delete_submit(struct request *req)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return;
	db *d = req_db(req);
	int rc = d ? admin_department_delete(d, web_actor(req), id) : -1;
	if (rc == ADMIN_REFUSED) {
		struct admin_department_form f;
		rc = form_from_store(req, id, &f);
		if (rc <= 0) {
			admin_missing(req, rc);
			return;
		}
		render_form(req, 409, id, &f, NULL,
		            N_("This department has tickets, so it cannot be deleted. Move its tickets to "
		               "another department first, or hide it from clients instead."));
		return;
	}
	admin_saved(req, rc, "/staff/admin/departments");
}
