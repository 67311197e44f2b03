/* Administration: /staff/admin/staff — the staff list and the form to
 * create or edit a member (role, departments, signature, access, password). */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/admin.h"
#include "domain/twofa.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

enum { STAFF_MAX = 500, DEPARTMENTS_MAX = 200 };

/* GET /staff/admin/staff — 200; 303 signed out; 404 for agents. */
void admin_staff_page(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	struct admin_staff_row *rows = arena_alloc(req->arena, sizeof *rows * STAFF_MAX);
	int n = d && rows ? store_admin_staff_list(d, req->arena, rows, STAFF_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Staff", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "staff");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "email", rows[i].email);
		vm_set_text(o, "role", tr(req, str_eq(rows[i].role, "admin") ? "Administrator" : "Agent"));
		vm_set_bool(o, "active", rows[i].active);
		vm_set_int(o, "departments", rows[i].departments);
	}
	page_render(req, 200, "staff/admin/staff_list", page);
}

static void render_form(struct request *req, int status, int64_t id,
                        const struct admin_staff_form *f, const struct admin_staff_errors *e)
{
	db *d = req_db(req);
	struct admin_department_row *deps = arena_alloc(req->arena, sizeof *deps * DEPARTMENTS_MAX);
	int n = d && deps ? store_admin_department_list(d, req->arena, deps, DEPARTMENTS_MAX) : -1;
	vm_obj *page = n >= 0 ? admin_form_page(req, id, "/staff/admin/staff",
	                                        N_("New staff member"), N_("Edit staff member"))
	                      : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	struct session *me = web_staff(req);
	vm_set_bool(page, "self", id && me && me->user_id == id);
	vm_set_bool(page, "new", !id);
	struct twofa_state tf;
	if (id && twofa_state(d, ACCOUNT_STAFF, id, &tf) == 0)
		vm_set_bool(page, tf.enabled ? "twofa_on" : "twofa_off", true);
	vm_set_text(page, "name", f->name);
	vm_set_text(page, "email", f->email);
	vm_set_bool(page, "role_admin", str_eq(f->role, "admin"));
	vm_set_bool(page, "role_agent", !str_eq(f->role, "admin"));
	vm_set_text(page, "signature", f->signature);
	vm_set_bool(page, "active", f->active);
	vm_list *list = vm_set_list(page, "departments");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", deps[i].id);
		vm_set_text(o, "name", deps[i].name);
		vm_set_bool(o, "checked", admin_ids_contain(f->departments, f->ndepartments, deps[i].id));
	}
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "email", e->email);
		admin_field_error(req, page, "role", e->role);
		admin_field_error(req, page, "active", e->active);
		admin_field_error(req, page, "departments", e->departments);
		admin_field_error(req, page, "signature", e->signature);
		admin_field_error(req, page, "password", e->password);
	}
	page_render(req, status, "staff/admin/staff_form", page);
}

/* GET /staff/admin/staff/new — 200; 303; 404 for agents. */
void admin_staff_new_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct admin_staff_form f = {.name = "", .email = "", .role = "agent", .signature = "",
	                             .password = "", .active = true};
	render_form(req, 200, 0, &f, NULL);
}

/* GET /staff/admin/staff/:id — 200; 303; 404 for agents or no such member. */
void admin_staff_edit_page(struct request *req)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return;
	db *d = req_db(req);
	struct admin_staff_row row;
	int rc = d ? store_admin_staff_get(d, id, req->arena, &row) : -1;
	int64_t *deps = arena_alloc(req->arena, sizeof(int64_t) * DEPARTMENTS_MAX);
	int n = rc == 1 && deps ? store_admin_staff_department_ids(d, id, deps, DEPARTMENTS_MAX) : -1;
	if (rc <= 0 || n < 0) {
		admin_missing(req, rc);
		return;
	}
	struct admin_staff_form f = {.name = row.name, .email = row.email, .role = row.role,
	                             .signature = row.signature, .password = "",
	                             .active = row.active, .departments = deps, .ndepartments = n};
	render_form(req, 200, id, &f, NULL);
}

static void save(struct request *req, const struct session *me, int64_t id)
{
	struct admin_staff_form f = {
		.name = admin_form_text(req, "name"),
		.email = admin_form_text(req, "email"),
		.role = admin_form_text(req, "role"),
		.signature = admin_form_text(req, "signature"),
		.password = admin_form_text(req, "password"),
		.active = admin_form_checked(req, "active"),
	};
	f.departments = admin_form_ids(req, "departments", ADMIN_IDS_MAX, &f.ndepartments);
	struct admin_staff_errors e;
	db *d = req_db(req);
	int rc = d ? admin_staff_save(d, me, id, &f, (int64_t)time(NULL), &e, NULL) : -1;
	if (rc == ADMIN_INVALID) {
		f.password = ""; /* never sent back */
		render_form(req, 422, id, &f, &e);
		return;
	}
	admin_saved(req, rc, "/staff/admin/staff");
}

/* POST /staff/admin/staff — 303 to the list with "saved"; 422. */
void admin_staff_create_submit(struct request *req)
{
	struct session *me = admin_require(req);
	if (me)
		save(req, me, 0);
}

/* POST /staff/admin/staff/:id — 303 with "saved"; 422 (also when an admin
 * would demote or deactivate themself); 404. */
void admin_staff_edit_submit(struct request *req)
{
	int64_t id;
	struct session *me = admin_require_id(req, &id);
	if (me)
		save(req, me, id);
}
