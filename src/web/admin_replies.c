/* Administration: /staff/admin/replies — predefined replies: the list, the
 * form to create or edit one, and deletion. */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/admin.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

enum { REPLIES_MAX = 500, DEPARTMENTS_MAX = 200 };

/* GET /staff/admin/replies — 200; 303 signed out; 404 for agents. */
void admin_replies_page(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	struct admin_reply_row *rows = arena_alloc(req->arena, sizeof *rows * REPLIES_MAX);
	int n = d && rows ? store_admin_reply_list(d, req->arena, rows, REPLIES_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Predefined replies", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "has_replies", n > 0);
	vm_list *list = vm_set_list(page, "replies");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "title", rows[i].title);
		vm_set_text(o, "department", rows[i].department_id ? rows[i].department_name
		                                                   : tr(req, "All departments"));
	}
	page_render(req, 200, "staff/admin/replies", page);
}

static void render_form(struct request *req, int status, int64_t id,
                        const struct admin_reply_form *f, const struct admin_reply_errors *e)
{
	db *d = req_db(req);
	struct admin_department_row *deps = arena_alloc(req->arena, sizeof *deps * DEPARTMENTS_MAX);
	int n = d && deps ? store_admin_department_list(d, req->arena, deps, DEPARTMENTS_MAX) : -1;
	vm_obj *page = n >= 0 ? admin_form_page(req, id, "/staff/admin/replies",
	                                        N_("New predefined reply"), N_("Edit predefined reply"))
	                      : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_text(page, "reply_title", f->title);
	vm_set_text(page, "body", f->body);
	vm_list *list = vm_set_list(page, "departments");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", deps[i].id);
		vm_set_text(o, "name", deps[i].name);
		vm_set_bool(o, "selected", str_eq(f->department, arena_printf(req->arena, "%lld",
		                                                              (long long)deps[i].id)));
	}
	if (e) {
		admin_field_error(req, page, "title", e->title);
		admin_field_error(req, page, "department", e->department);
		admin_field_error(req, page, "body", e->body);
	}
	page_render(req, status, "staff/admin/reply", page);
}

/* GET /staff/admin/replies/new — 200; 303; 404 for agents. */
void admin_reply_new_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct admin_reply_form f = {.title = "", .body = "", .department = "0"};
	render_form(req, 200, 0, &f, NULL);
}

/* GET /staff/admin/replies/:id — 200; 303; 404 for agents or no such reply. */
void admin_reply_edit_page(struct request *req)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return;
	db *d = req_db(req);
	struct admin_reply_row row;
	int rc = d ? store_admin_reply_get(d, id, req->arena, &row) : -1;
	if (rc <= 0) {
		admin_missing(req, rc);
		return;
	}
	struct admin_reply_form f = {
		.title = row.title, .body = row.body,
		.department = arena_printf(req->arena, "%lld", (long long)row.department_id),
	};
	render_form(req, 200, id, &f, NULL);
}

static void save(struct request *req, int64_t id)
{
	struct admin_reply_form f = {
		.title = admin_form_text(req, "title"),
		.body = admin_form_text(req, "body"),
		.department = admin_form_text(req, "department"),
	};
	struct admin_reply_errors e;
	db *d = req_db(req);
	int rc = d ? admin_reply_save(d, web_actor(req), id, &f, (int64_t)time(NULL), &e, NULL) : -1;
	if (rc == ADMIN_INVALID) {
		render_form(req, 422, id, &f, &e);
		return;
	}
	admin_saved(req, rc, "/staff/admin/replies");
}

/* POST /staff/admin/replies — 303 to the list with "saved"; 422. */
void admin_reply_create_submit(struct request *req)
{
	if (admin_require(req))
		save(req, 0);
}

/* POST /staff/admin/replies/:id — 303 with "saved"; 422; 404. */
void admin_reply_edit_submit(struct request *req)
{
	int64_t id;
	if (admin_require_id(req, &id))
		save(req, id);
}

/* POST /staff/admin/replies/:id/delete — 303 to the list with "saved"; 404. */
void admin_reply_delete_submit(struct request *req)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return;
	db *d = req_db(req);
	int rc = d ? admin_reply_delete(d, web_actor(req), id) : -1;
	admin_saved(req, rc, "/staff/admin/replies");
}
