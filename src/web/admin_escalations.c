/* Administration: /staff/admin/escalations — Escalonamentos, under the SLA
 * pages: the rules with what each does, the form to create or edit one,
 * switching a rule on or off, and deletion. Same contract as web/admin.h:
 * 303 signed out, 404 for agents, 422 with the typed values, 303 with the
 * "saved" flash after a change. Every change is one domain function
 * (domain/escalation.h), which writes the admin audit log. */
#include <stdio.h>

#include "base/str.h"
#include "domain/escalation.h"
#include "domain/staff_ticket.h"
#include "domain/ticket.h"
#include "web/admin.h"
#include "web/admin_sla.h"
#include "web/context.h"
#include "web/page.h"

enum { DEPARTMENTS_MAX = 200, STAFF_MAX = 500 };

static const char BASE[] = "/staff/admin/escalations";

/* The condition in words, with its minutes. */
static const char *condition_text(struct request *req, const struct escalation_row *r)
{
	const char *label = tr(req, escalation_condition_label(r->condition));
	if (!escalation_condition_takes_minutes(r->condition))
		return label;
	return arena_printf(req->arena, label, (long long)r->minutes);
}

/* Appends one action's words to the list of a rule's actions. */
static void add_action(vm_list *list, const char *text)
{
	vm_set_text(vm_list_add(list), "text", text);
}

static void rule_actions(struct request *req, vm_obj *o, const struct escalation_row *r)
{
	vm_list *list = vm_set_list(o, "actions");
	if (r->notify_assignee)
		add_action(list, tr(req, "Email the assignee"));
	if (r->notify_department)
		add_action(list, tr(req, "Email the department's staff"));
	if (r->notify_staff_id > 0)
		add_action(list, arena_printf(req->arena, tr(req, "Email %s"), r->notify_staff_name));
	if (escalation_raise_label(r->raise_priority))
		add_action(list, tr(req, escalation_raise_label(r->raise_priority)));
	if (r->move_department_id > 0)
		add_action(list, arena_printf(req->arena, tr(req, "Move to %s"), r->move_department_name));
	if (r->assign_staff_id > 0)
		add_action(list, arena_printf(req->arena, tr(req, "Assign to %s"), r->assign_staff_name));
	if (*r->note)
		add_action(list, tr(req, "Add an internal note"));
}

/* GET /staff/admin/escalations — 200; 303 signed out; 404 for agents. */
static void list_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct escalation_row *rows = arena_alloc(req->arena, ESCALATION_RULES_MAX * sizeof *rows);
	int n = rows ? escalation_list(req_db(req), req->arena, rows, ESCALATION_RULES_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Escalations", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "has_rules", n > 0);
	vm_list *list = vm_set_list(page, "rules");
	for (int i = 0; i < n; i++) {
		const struct escalation_row *r = &rows[i];
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", r->id);
		vm_set_text(o, "name", r->name);
		vm_set_bool(o, "enabled", r->enabled);
		vm_set_text(o, "condition", condition_text(req, r));
		vm_set_text(o, "department", r->department_id > 0 ? r->department_name
		                                                  : tr(req, "Any department"));
		vm_set_text(o, "priority", *r->priority ? tr(req, ticket_priority_label(r->priority))
		                                        : tr(req, "Any priority"));
		vm_set_int(o, "fired", r->fired);
		rule_actions(req, o, r);
	}
	page_render(req, 200, "staff/admin/escalations", page);
}

/* Options of a select of named rows, the one whose id is typed selected. */
static void named_options(struct request *req, vm_obj *page, const char *name,
                          const struct named_row *rows, int n, const char *typed)
{
	vm_list *list = vm_set_list(page, name);
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_bool(o, "selected",
		            str_eq(typed, arena_printf(req->arena, "%lld", (long long)rows[i].id)));
	}
}

/* Options of a select of fixed values {value, msgid}, typed selected. */
static void value_options(struct request *req, vm_obj *page, const char *name,
                          const char *const (*values)[2], int n, const char *typed)
{
	vm_list *list = vm_set_list(page, name);
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "value", values[i][0]);
		vm_set_text(o, "label", tr(req, values[i][1]));
		vm_set_bool(o, "selected", str_eq(typed, values[i][0]));
	}
}

static void render_form(struct request *req, int status, int64_t id,
                        const struct escalation_form *f, const struct escalation_errors *e)
{
	db *d = req_db(req);
	struct named_row *deps = arena_alloc(req->arena, DEPARTMENTS_MAX * sizeof *deps);
	struct named_row *staff = arena_alloc(req->arena, STAFF_MAX * sizeof *staff);
	int nd = deps ? staff_all_departments(d, req->arena, deps, DEPARTMENTS_MAX) : -1;
	int ns = staff ? staff_active_members(d, req->arena, staff, STAFF_MAX) : -1;
	vm_obj *page = nd >= 0 && ns >= 0
	                   ? admin_form_page(req, id, BASE, N_("New escalation rule"),
	                                     N_("Edit escalation rule"))
	                   : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	static const char *const conditions[][2] = {
		{"first_soon", N_("Shortly before the first-response due time")},
		{"resolve_soon", N_("Shortly before the resolution due time")},
		{"first_breached", N_("First response breached")},
		{"resolve_breached", N_("Resolution breached")},
		{"unassigned", N_("Waiting without an assignee")},
	};
	static const char *const priorities[][2] = {
		{"high", N_("High")}, {"medium", N_("Medium")}, {"low", N_("Low")},
	};
	static const char *const raises[][2] = {
		{"step", N_("Raise the priority one step")},
		{"medium", N_("Raise the priority to Medium")},
		{"high", N_("Raise the priority to High")},
	};
	vm_set_text(page, "name", f->name);
	vm_set_bool(page, "enabled", f->enabled);
	value_options(req, page, "conditions", conditions, 5, f->condition);
	vm_set_text(page, "minutes", f->minutes);
	named_options(req, page, "departments", deps, nd, f->department);
	value_options(req, page, "priorities", priorities, 3, f->priority);
	vm_set_bool(page, "notify_assignee", f->notify_assignee);
	vm_set_bool(page, "notify_department", f->notify_department);
	named_options(req, page, "notify_staff", staff, ns, f->notify_staff);
	value_options(req, page, "raises", raises, 3, f->raise_priority);
	named_options(req, page, "move_departments", deps, nd, f->move_department);
	named_options(req, page, "assign_staff", staff, ns, f->assign_staff);
	vm_set_text(page, "note", f->note);
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "condition", e->condition);
		admin_field_error(req, page, "minutes", e->minutes);
		admin_field_error(req, page, "department", e->department);
		admin_field_error(req, page, "priority", e->priority);
		admin_field_error(req, page, "actions", e->actions);
		admin_field_error(req, page, "notify_staff", e->notify_staff);
		admin_field_error(req, page, "raise_priority", e->raise_priority);
		admin_field_error(req, page, "move_department", e->move_department);
		admin_field_error(req, page, "assign_staff", e->assign_staff);
		admin_field_error(req, page, "note", e->note);
	}
	page_render(req, status, "staff/admin/escalation", page);
}

/* GET /staff/admin/escalations/new — 200; 303; 404 for agents. */
static void new_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct escalation_form f;
	escalation_form_load(req_db(req), 0, req->arena, &f);
	render_form(req, 200, 0, &f, NULL);
}

/* GET /staff/admin/escalations/:id — 200; 303; 404 for agents or no such rule. */
static void edit_page(struct request *req)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return;
	struct escalation_form f;
	int rc = escalation_form_load(req_db(req), id, req->arena, &f);
	if (rc != 1) {
		admin_missing(req, rc);
		return;
	}
	render_form(req, 200, id, &f, NULL);
}

/* Answers a change: 303 to the list with "saved", 404, or 500. */
static void changed(struct request *req, int rc)
{
	if (rc == ESCALATION_OK) {
		web_flash(req, "saved");
		resp_redirect(req, 303, BASE);
		return;
	}
	resp_error(req, rc == ESCALATION_NOT_FOUND ? 404 : 500);
}

static void save(struct request *req, int64_t id)
{
	struct escalation_form f = {
		.name = admin_form_text(req, "name"),
		.enabled = admin_form_checked(req, "enabled"),
		.condition = admin_form_text(req, "condition"),
		.minutes = admin_form_text(req, "minutes"),
		.department = admin_form_text(req, "department"),
		.priority = admin_form_text(req, "priority"),
		.notify_assignee = admin_form_checked(req, "notify_assignee"),
		.notify_department = admin_form_checked(req, "notify_department"),
		.notify_staff = admin_form_text(req, "notify_staff"),
		.raise_priority = admin_form_text(req, "raise_priority"),
		.move_department = admin_form_text(req, "move_department"),
		.assign_staff = admin_form_text(req, "assign_staff"),
		.note = admin_form_text(req, "note"),
	};
	struct escalation_errors e;
	int rc = escalation_save(req_db(req), web_actor(req), id, &f, web_now(req), &e, NULL);
	if (rc == ESCALATION_INVALID) {
		render_form(req, 422, id, &f, &e);
		return;
	}
	changed(req, rc);
}

/* POST /staff/admin/escalations — 303 to the list with "saved"; 422. */
static void create_submit(struct request *req)
{
	if (admin_require(req))
		save(req, 0);
}

/* POST /staff/admin/escalations/:id — 303 with "saved"; 422; 404. */
static void edit_submit(struct request *req)
{
	int64_t id;
	if (admin_require_id(req, &id))
		save(req, id);
}

/* POST /staff/admin/escalations/:id/enabled (enabled=1 or 0) — 303; 404. */
static void enabled_submit(struct request *req)
{
	int64_t id;
	if (!admin_require_id(req, &id))
		return;
	bool on = admin_form_checked(req, "enabled");
	changed(req, escalation_set_enabled(req_db(req), web_actor(req), id, on, web_now(req)));
}

/* POST /staff/admin/escalations/:id/delete — 303 with "saved"; 404. */
static void delete_submit(struct request *req)
{
	int64_t id;
	if (admin_require_id(req, &id))
		changed(req, escalation_delete(req_db(req), web_actor(req), id, web_now(req)));
}

int web_routes_escalations(router *r)
{
	static const struct {
		unsigned methods;
		const char *pattern;
		handler_fn handler;
	} routes[] = {
		{HTTP_GET, "/staff/admin/escalations", list_page},
		{HTTP_POST, "/staff/admin/escalations", create_submit},
		{HTTP_GET, "/staff/admin/escalations/new", new_page},
		{HTTP_GET, "/staff/admin/escalations/:id", edit_page},
		{HTTP_POST, "/staff/admin/escalations/:id", edit_submit},
		{HTTP_POST, "/staff/admin/escalations/:id/enabled", enabled_submit},
		{HTTP_POST, "/staff/admin/escalations/:id/delete", delete_submit},
	};
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (router_add(r, routes[i].methods, routes[i].pattern, routes[i].handler) < 0)
			return -1;
	return 0;
}
