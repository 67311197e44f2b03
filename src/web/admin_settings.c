/* Administration: /staff/admin/settings — branding, registration,
 * auto-close, ticket numbers and attachment limits. */
#include <stdio.h>

#include "base/str.h"
#include "domain/admin.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"

static void set_values(vm_obj *page, const struct admin_settings_form *f)
{
	vm_set_text(page, "company_name", f->company_name);
	vm_set_text(page, "brand_color", f->brand_color);
	vm_set_bool(page, "show_powered_by", f->show_powered_by);
	vm_set_bool(page, "registration_open", f->registration_open);
	vm_set_text(page, "auto_close_days", f->auto_close_days);
	vm_set_text(page, "ticket_number_digits", f->ticket_number_digits);
	vm_set_bool(page, "ticket_number_sequential", str_eq(f->ticket_number_format, "sequential"));
	vm_set_text(page, "ticket_number_prefix", f->ticket_number_prefix ? f->ticket_number_prefix : "");
	vm_set_bool(page, "ticket_number_year", f->ticket_number_year);
	vm_set_text(page, "attachment_max_files", f->attachment_max_files);
	vm_set_text(page, "attachment_max_mb", f->attachment_max_mb);
	vm_set_text(page, "attachment_extensions", f->attachment_extensions);
	vm_set_bool(page, "mail_refuse_unknown", f->mail_refuse_unknown);
	vm_set_text(page, "mail_banned_senders", f->mail_banned_senders ? f->mail_banned_senders : "");
	vm_set_text(page, "base_url", f->base_url ? f->base_url : "");
}

static void render(struct request *req, int status, const struct admin_settings_form *f,
                   const struct admin_settings_errors *e)
{
	vm_obj *page = page_new(req, "Settings", "admin");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	set_values(page, f);
	/* The address in force, and whether the environment fixes it. */
	vm_set_text(page, "base_url_in_force", req_app(req)->cfg.base_url);
	vm_set_bool(page, "base_url_fixed", req_app(req)->cfg.base_url_fixed);
	vm_set_text(page, "allowed_extensions", ADMIN_ALLOWED_EXTENSIONS);
	if (e) {
		admin_field_error(req, page, "company_name", e->company_name);
		admin_field_error(req, page, "brand_color", e->brand_color);
		admin_field_error(req, page, "auto_close_days", e->auto_close_days);
		admin_field_error(req, page, "ticket_number_digits", e->ticket_number_digits);
		admin_field_error(req, page, "attachment_max_files", e->attachment_max_files);
		admin_field_error(req, page, "attachment_max_mb", e->attachment_max_mb);
		admin_field_error(req, page, "attachment_extensions", e->attachment_extensions);
		admin_field_error(req, page, "mail_banned_senders", e->mail_banned_senders);
		admin_field_error(req, page, "base_url", e->base_url);
		admin_field_error(req, page, "ticket_number_prefix", e->ticket_number_prefix);
	}
	page_render(req, status, "staff/admin/settings", page);
}

/* GET /staff/admin/settings — 200; 303 signed out; 404 for agents. */
void admin_settings_page(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	if (!d) {
		resp_error(req, 500);
		return;
	}
	struct admin_settings s;
	admin_settings_load(d, &s);
	arena *a = req->arena;
	struct admin_settings_form f = {
		.company_name = arena_strdup(a, s.company_name),
		.brand_color = arena_strdup(a, s.brand_color),
		.show_powered_by = s.show_powered_by,
		.registration_open = s.registration_open,
		.auto_close_days = arena_printf(a, "%d", s.auto_close_days),
		.ticket_number_digits = arena_printf(a, "%d", s.ticket_number_digits),
		.ticket_number_format = s.ticket_number_sequential ? "sequential" : "random",
		.ticket_number_prefix = arena_strdup(a, s.ticket_number_prefix),
		.ticket_number_year = s.ticket_number_year,
		.attachment_max_files = arena_printf(a, "%d", s.attachment_max_files),
		.attachment_max_mb = arena_printf(a, "%d", s.attachment_max_mb),
		.attachment_extensions = arena_strdup(a, s.attachment_extensions),
		.mail_refuse_unknown = s.mail_refuse_unknown,
		.mail_banned_senders = arena_strdup(a, s.mail_banned_senders),
		.base_url = arena_strdup(a, s.base_url),
	};
	render(req, 200, &f, NULL);
}

/* POST /staff/admin/settings — 303 back with "saved"; 422 with the errors.
 * This node re-reads the branding at once; other nodes on restart. */
void admin_settings_submit(struct request *req)
{
	if (!admin_require(req))
		return;
	struct admin_settings_form f = {
		.company_name = admin_form_text(req, "company_name"),
		.brand_color = admin_form_text(req, "brand_color"),
		.show_powered_by = admin_form_checked(req, "show_powered_by"),
		.registration_open = admin_form_checked(req, "registration_open"),
		.auto_close_days = admin_form_text(req, "auto_close_days"),
		.ticket_number_digits = admin_form_text(req, "ticket_number_digits"),
		.ticket_number_format = admin_form_text(req, "ticket_number_format"),
		.ticket_number_prefix = admin_form_text(req, "ticket_number_prefix"),
		.ticket_number_year = admin_form_checked(req, "ticket_number_year"),
		.attachment_max_files = admin_form_text(req, "attachment_max_files"),
		.attachment_max_mb = admin_form_text(req, "attachment_max_mb"),
		.attachment_extensions = admin_form_text(req, "attachment_extensions"),
		.mail_refuse_unknown = str_eq(req_form(req, "mail_unknown_sender"), "refuse"),
		.mail_banned_senders = admin_form_text(req, "mail_banned_senders"),
		.base_url = admin_form_text(req, "base_url"),
	};
	struct admin_settings_errors e;
	db *d = req_db(req);
	int rc = d ? admin_settings_save(d, web_actor(req), &f, &e) : -1;
	if (rc == ADMIN_INVALID) {
		render(req, 422, &f, &e);
		return;
	}
	if (rc == ADMIN_OK)
		app_load_branding(req_app(req), d);
	admin_saved(req, rc, "/staff/admin/settings");
}
