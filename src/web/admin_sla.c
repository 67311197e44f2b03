#include "web/admin_sla.h"

#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/csat.h"
#include "domain/sla_admin.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

enum { CALENDARS_MAX = 100, DEPARTMENTS_MAX = 200 };

static const char *const weekday_names[7] = {
	N_("Sunday"), N_("Monday"), N_("Tuesday"), N_("Wednesday"),
	N_("Thursday"), N_("Friday"), N_("Saturday"),
};

/* GET /staff/admin/hours — the calendars. */
static void hours_page(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	/* A fresh install shows this year's and next year's holidays. */
	sla_fill_holidays(d, (int64_t)time(NULL));
	struct calendar_row rows[CALENDARS_MAX];
	int n = sla_calendar_list(d, req->arena, rows, CALENDARS_MAX);
	vm_obj *page = n >= 0 ? page_new(req, "Business hours", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "calendars");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "timezone", rows[i].timezone);
		vm_set_bool(o, "always_open", rows[i].always_open);
	}
	vm_set_bool(page, "has_calendars", n > 0);
	page_render(req, 200, "staff/admin/hours", page);
}

static void render_calendar(struct request *req, int status, int64_t id,
                            const struct sla_calendar_form *f, const struct sla_calendar_errors *e)
{
	vm_obj *page = page_new(req, id ? "Edit business hours" : "New business hours", "admin");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	if (id)
		vm_set_textf(page, "action", "/staff/admin/hours/%lld", (long long)id);
	else
		vm_set_text(page, "action", "/staff/admin/hours");
	vm_set_text(page, "name", f->name);
	vm_set_text(page, "timezone", f->timezone);
	vm_set_bool(page, "always_open", f->always_open);
	vm_set_text(page, "holidays", f->holidays);
	vm_list *days = vm_set_list(page, "days");
	/* Monday first, as a week is read in Brazil. */
	for (int k = 1; k <= 7; k++) {
		int w = k % 7;
		vm_obj *o = vm_list_add(days);
		vm_set_int(o, "w", w);
		vm_set_text(o, "label", tr(req, weekday_names[w]));
		vm_set_text(o, "value", f->hours[w]);
		if (e && e->hours[w])
			vm_set_text(o, "error", tr(req, e->hours[w]));
	}
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "timezone", e->timezone);
		for (int w = 0; w < 7; w++)
			if (e->hours[w]) {
				admin_field_error(req, page, arena_printf(req->arena, "hours_%d", w), e->hours[w]);
			}
		admin_field_error(req, page, "holidays", e->holidays);
	}
	page_render(req, status, "staff/admin/calendar", page);
}

static void calendar_new_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct sla_calendar_form f;
	sla_calendar_form_load(req_db(req), 0, (int64_t)time(NULL), req->arena, &f);
	f.name = "";
	render_calendar(req, 200, 0, &f, NULL);
}

static void calendar_edit_page(struct request *req)
{
	int64_t id;
	if (!admin_require(req))
		return;
	if (!admin_param_id(req, "id", &id)) {
		resp_error(req, 404);
		return;
	}
	struct sla_calendar_form f;
	int rc = sla_calendar_form_load(req_db(req), id, (int64_t)time(NULL), req->arena, &f);
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	render_calendar(req, 200, id, &f, NULL);
}

static void calendar_save(struct request *req, int64_t id)
{
	struct sla_calendar_form f = {
		.name = admin_form_text(req, "name"),
		.timezone = admin_form_text(req, "timezone"),
		.always_open = admin_form_checked(req, "always_open"),
		.holidays = admin_form_text(req, "holidays"),
	};
	for (int w = 0; w < 7; w++)
		f.hours[w] = admin_form_text(req, arena_printf(req->arena, "hours_%d", w));
	struct sla_calendar_errors e;
	int rc = sla_calendar_save(req_db(req), id, &f, (int64_t)time(NULL), &e, NULL);
	if (rc == SLA_ADMIN_INVALID) {
		render_calendar(req, 422, id, &f, &e);
		return;
	}
	if (rc != SLA_ADMIN_OK) {
		resp_error(req, rc == SLA_ADMIN_NOT_FOUND ? 404 : 500);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, "/staff/admin/hours");
}

static void calendar_create_submit(struct request *req)
{
	if (admin_require(req))
		calendar_save(req, 0);
}

static void calendar_edit_submit(struct request *req)
{
	int64_t id;
	if (!admin_require(req))
		return;
	if (!admin_param_id(req, "id", &id)) {
		resp_error(req, 404);
		return;
	}
	calendar_save(req, id);
}

/* ---- Políticas de SLA ---- */

static void render_policies(struct request *req, int status, struct sla_department_policy *rows,
                            int n)
{
	db *d = req_db(req);
	struct calendar_row cals[CALENDARS_MAX];
	int nc = sla_calendar_list(d, req->arena, cals, CALENDARS_MAX);
	vm_obj *page = nc >= 0 ? page_new(req, "SLA policies", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	static const char *const labels[SLA_PRIORITIES] = {N_("High"), N_("Medium"), N_("Low")};
	vm_list *list = vm_set_list(page, "departments");
	bool errors = false;
	for (int i = 0; i < n; i++) {
		const struct sla_department_policy *r = &rows[i];
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", r->department_id);
		vm_set_text(o, "name", r->department_name);
		vm_list *cl = vm_set_list(o, "calendars");
		for (int k = 0; k < nc; k++) {
			vm_obj *c = vm_list_add(cl);
			vm_set_int(c, "id", cals[k].id);
			vm_set_text(c, "name", cals[k].name);
			vm_set_bool(c, "selected", cals[k].id == r->calendar_id);
		}
		if (r->calendar_error) {
			vm_set_text(o, "calendar_error", tr(req, r->calendar_error));
			errors = true;
		}
		vm_list *pl = vm_set_list(o, "priorities");
		for (int k = 0; k < SLA_PRIORITIES; k++) {
			vm_obj *p = vm_list_add(pl);
			vm_set_text(p, "priority", sla_priorities[k]);
			vm_set_text(p, "label", tr(req, labels[k]));
			vm_set_text(p, "first", r->first[k]);
			vm_set_text(p, "resolve", r->resolve[k]);
			vm_set_int(p, "dep", r->department_id);
			if (r->error[k]) {
				vm_set_text(p, "error", tr(req, r->error[k]));
				errors = true;
			}
		}
	}
	vm_set_bool(page, "has_departments", n > 0);
	vm_set_bool(page, "has_errors_summary", errors);
	struct csat_settings cs;
	csat_settings_load(d, &cs);
	const char *trigger = req_form(req, "csat_trigger");
	if (trigger) { /* a refused form shows what was chosen */
		cs.trigger = str_eq(trigger, "reply") ? CSAT_ON_REPLY : str_eq(trigger, "off") ? CSAT_OFF : CSAT_ON_CLOSE;
		cs.notify_bad = admin_form_checked(req, "csat_notify_bad");
	}
	vm_set_bool(page, "csat_close", cs.trigger == CSAT_ON_CLOSE);
	vm_set_bool(page, "csat_reply", cs.trigger == CSAT_ON_REPLY);
	vm_set_bool(page, "csat_off", cs.trigger == CSAT_OFF);
	vm_set_bool(page, "csat_notify_bad", cs.notify_bad);
	page_render(req, status, "staff/admin/sla", page);
}

static void policies_page(struct request *req)
{
	if (!admin_require(req))
		return;
	struct sla_department_policy *rows = arena_alloc(req->arena, DEPARTMENTS_MAX * sizeof *rows);
	int n = rows ? sla_policies_load(req_db(req), req->arena, rows, DEPARTMENTS_MAX) : -1;
	if (n < 0) {
		resp_error(req, 500);
		return;
	}
	render_policies(req, 200, rows, n);
}

static void policies_submit(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	struct sla_department_policy *rows = arena_alloc(req->arena, DEPARTMENTS_MAX * sizeof *rows);
	int n = rows ? sla_policies_load(d, req->arena, rows, DEPARTMENTS_MAX) : -1;
	if (n < 0) {
		resp_error(req, 500);
		return;
	}
	/* Every department's line is on the form: what was typed replaces it. */
	for (int i = 0; i < n; i++) {
		long long dep = (long long)rows[i].department_id;
		str_to_int64(admin_form_text(req, arena_printf(req->arena, "cal_%lld", dep)), 1, INT64_MAX,
		             &rows[i].calendar_id);
		for (int k = 0; k < SLA_PRIORITIES; k++) {
			rows[i].first[k] = admin_form_text(req, arena_printf(req->arena, "first_%lld_%s", dep, sla_priorities[k]));
			rows[i].resolve[k] = admin_form_text(req, arena_printf(req->arena, "res_%lld_%s", dep, sla_priorities[k]));
		}
	}
	int rc = sla_policies_save(d, rows, n, (int64_t)time(NULL));
	if (rc == SLA_ADMIN_OK && req_form(req, "csat_trigger")) {
		const char *trigger = req_form(req, "csat_trigger");
		struct csat_settings cs = {
			.trigger = str_eq(trigger, "reply") ? CSAT_ON_REPLY : str_eq(trigger, "off") ? CSAT_OFF : CSAT_ON_CLOSE,
			.notify_bad = admin_form_checked(req, "csat_notify_bad"),
		};
		rc = csat_settings_save(d, &cs);
	}
	if (rc == SLA_ADMIN_INVALID) {
		render_policies(req, 422, rows, n);
		return;
	}
	if (rc != SLA_ADMIN_OK) {
		resp_error(req, 500);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, "/staff/admin/sla");
}

int web_routes_sla(router *r)
{
	static const struct {
		unsigned methods;
		const char *pattern;
		handler_fn handler;
	} routes[] = {
		{HTTP_GET, "/staff/admin/hours", hours_page},
		{HTTP_POST, "/staff/admin/hours", calendar_create_submit},
		{HTTP_GET, "/staff/admin/hours/new", calendar_new_page},
		{HTTP_GET, "/staff/admin/hours/:id", calendar_edit_page},
		{HTTP_POST, "/staff/admin/hours/:id", calendar_edit_submit},
		{HTTP_GET, "/staff/admin/sla", policies_page},
		{HTTP_POST, "/staff/admin/sla", policies_submit},
	};
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (router_add(r, routes[i].methods, routes[i].pattern, routes[i].handler) < 0)
			return -1;
	return 0;
}
