/* Administration: the routes, the index page with a card per section, and
 * the helpers every admin handler shares. */
#include "web/admin.h"

#include <string.h>

#include "base/str.h"
#include "domain/admin.h"
#include "domain/permission.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

static const struct {
	unsigned methods;
	const char *pattern;
	handler_fn handler;
} admin_routes[] = {
	{HTTP_GET, "/staff/admin", admin_index_page},
	{HTTP_GET, "/staff/admin/settings", admin_settings_page},
	{HTTP_POST, "/staff/admin/settings", admin_settings_submit},

	/* "new" before ":id": the router tries routes in order. */
	{HTTP_GET, "/staff/admin/departments", admin_departments_page},
	{HTTP_POST, "/staff/admin/departments", admin_department_create_submit},
	{HTTP_GET, "/staff/admin/departments/new", admin_department_new_page},
	{HTTP_GET, "/staff/admin/departments/:id", admin_department_edit_page},
	{HTTP_POST, "/staff/admin/departments/:id", admin_department_edit_submit},
	{HTTP_POST, "/staff/admin/departments/:id/delete", admin_department_delete_submit},
	{HTTP_GET, "/staff/admin/departments/:id/fields", admin_fields_page},
	{HTTP_POST, "/staff/admin/departments/:id/fields", admin_fields_submit},
	{HTTP_POST, "/staff/admin/departments/:id/fields/:field/delete", admin_field_delete_submit},

	{HTTP_GET, "/staff/admin/staff", admin_staff_page},
	{HTTP_POST, "/staff/admin/staff", admin_staff_create_submit},
	{HTTP_GET, "/staff/admin/staff/new", admin_staff_new_page},
	{HTTP_GET, "/staff/admin/staff/:id", admin_staff_edit_page},
	{HTTP_POST, "/staff/admin/staff/:id", admin_staff_edit_submit},

	{HTTP_GET, "/staff/admin/clients", admin_clients_page},
	{HTTP_POST, "/staff/admin/clients", admin_client_create_submit},
	{HTTP_GET, "/staff/admin/clients/new", admin_client_new_page},
	{HTTP_POST, "/staff/admin/clients/:id/anonymise", admin_client_anonymise_submit},
	{HTTP_GET, "/staff/admin/clients/:id", admin_client_page},
	{HTTP_POST, "/staff/admin/clients/:id", admin_client_edit_submit},
	{HTTP_POST, "/staff/admin/clients/:id/services", admin_service_create_submit},
	{HTTP_GET, "/staff/admin/clients/:id/services/:service", admin_service_edit_page},
	{HTTP_POST, "/staff/admin/clients/:id/services/:service", admin_service_edit_submit},
	{HTTP_POST, "/staff/admin/clients/:id/services/:service/delete", admin_service_delete_submit},

	{HTTP_GET, "/staff/admin/replies", admin_replies_page},
	{HTTP_POST, "/staff/admin/replies", admin_reply_create_submit},
	{HTTP_GET, "/staff/admin/replies/new", admin_reply_new_page},
	{HTTP_GET, "/staff/admin/replies/:id", admin_reply_edit_page},
	{HTTP_POST, "/staff/admin/replies/:id", admin_reply_edit_submit},
	{HTTP_POST, "/staff/admin/replies/:id/delete", admin_reply_delete_submit},
};

int web_routes_admin(router *r)
{
	for (size_t i = 0; i < sizeof admin_routes / sizeof admin_routes[0]; i++)
		if (router_add(r, admin_routes[i].methods, admin_routes[i].pattern,
		               admin_routes[i].handler) < 0)
			return -1;
	return 0;
}

/* GET /staff/admin — 200; 303 signed out; 404 for agents. */
void admin_index_page(struct request *req)
{
	if (!admin_require(req))
		return;
	vm_obj *page = page_new(req, "Administration", "admin");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	page_render(req, 200, "staff/admin/index", page);
}

struct session *admin_require(struct request *req)
{
	struct session *s = web_staff(req);
	if (!s) {
		web_require_login(req);
		return NULL;
	}
	if (!permission_administer(s)) {
		resp_error(req, 404);
		return NULL;
	}
	return s;
}

struct session *admin_require_id(struct request *req, int64_t *id)
{
	struct session *s = admin_require(req);
	if (s && !admin_param_id(req, "id", id)) {
		resp_error(req, 404);
		return NULL;
	}
	return s;
}

bool admin_param_id(struct request *req, const char *name, int64_t *id)
{
	return str_to_int64(req_param(req, name), 1, INT64_MAX, id);
}

vm_obj *admin_form_page(struct request *req, int64_t id, const char *base,
                        const char *new_title, const char *edit_title)
{
	vm_obj *page = page_new(req, id ? edit_title : new_title, "admin");
	if (!page)
		return NULL;
	if (id) {
		vm_set_int(page, "id", id);
		vm_set_textf(page, "action", "%s/%lld", base, (long long)id);
	} else {
		vm_set_text(page, "action", base);
	}
	return page;
}

const char *admin_form_text(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v ? v : "";
}

bool admin_form_checked(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v && (str_eq(v, "1") || str_eq(v, "on") || str_eq(v, "yes"));
}

int64_t *admin_form_ids(struct request *req, const char *name, int max, int *n)
{
	*n = 0;
	int64_t *ids = arena_alloc(req->arena, sizeof(int64_t) * (size_t)(max > 0 ? max : 1));
	if (!ids)
		return NULL;
	for (const struct kv *f = req->form.head; f && *n < max; f = f->next) {
		int64_t id;
		if (str_eq(f->key, name) && str_to_int64(f->value, 1, INT64_MAX, &id))
			ids[(*n)++] = id;
	}
	return ids;
}

bool admin_ids_contain(const int64_t *ids, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void admin_field_error(struct request *req, vm_obj *page, const char *field, const char *msgid)
{
	if (!msgid)
		return;
	const char *text = tr(req, msgid);
	vm_set_text(page, arena_printf(req->arena, "%s_error", field), text);
	const vm_value *list = vm_get(page, "errors");
	vm_list *errors = list && list->kind == VM_LIST ? list->u.list : vm_set_list(page, "errors");
	vm_obj *o = vm_list_add(errors);
	vm_set_text(o, "field", field);
	vm_set_text(o, "text", text);
	vm_set_bool(page, "has_errors", true);
}

void admin_fail(struct request *req, int rc)
{
	resp_error(req, rc == ADMIN_NOT_FOUND ? 404 : 500);
}

void admin_missing(struct request *req, int rc)
{
	resp_error(req, rc == 0 ? 404 : 500);
}

void admin_saved(struct request *req, int rc, const char *to)
{
	if (rc != ADMIN_OK) {
		admin_fail(req, rc);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, to);
}
