/* Administration: /staff/admin/audit — Registro de auditoria, filtered by
 * person, kind and dates, paged by (time, id), and the same rows as CSV
 * for a spreadsheet (/staff/admin/audit.csv: UTF-8 with a BOM, ";" between
 * fields, dd/mm/aaaa dates, as Excel in pt-BR opens it). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/audit.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/page.h"
#include "web/twofa.h"

enum { AUDIT_PAGE = 50, PEOPLE_MAX = 500, CSV_BATCH = 500, CSV_ROWS_MAX = 100000 };

/* The kinds the filter offers, as {value, msgid}; a value ending in "."
 * matches every kind it begins. */
static const char *const kinds[][2] = {
	{"signin.", N_("Sign-ins")},
	{"signin.failure", N_("Failed sign-ins")},
	{"settings.", N_("Settings")},
	{"department.", N_("Departments")},
	{"staff.", N_("Staff")},
	{"client.", N_("Clients")},
	{"service.", N_("Services")},
	{"reply.", N_("Predefined replies")},
	{"escalation.", N_("Escalations")},
	{"field.", N_("Custom fields")},
	{"2fa.", N_("Two-factor resets")},
	{"token.", N_("API tokens")},
	{"webhook.", N_("Webhooks")},
};

/* What a record's kind says, translated. */
static const char *kind_text(struct request *req, const char *kind)
{
	static const char *const names[][2] = {
		{"signin.success", N_("Signed in")}, {"signin.failure", N_("Sign-in failed")},
		{"settings.update", N_("Settings changed")}, {"department.create", N_("Department created")},
		{"department.update", N_("Department changed")}, {"department.delete", N_("Department deleted")},
		{"staff.create", N_("Staff member created")}, {"staff.update", N_("Staff member changed")},
		{"client.update", N_("Client changed")}, {"service.create", N_("Service added")},
		{"service.update", N_("Service changed")}, {"service.delete", N_("Service removed")},
		{"reply.create", N_("Predefined reply created")}, {"reply.update", N_("Predefined reply changed")},
		{"reply.delete", N_("Predefined reply deleted")}, {"2fa.reset", N_("Two-factor sign-in reset")},
		{"2fa.recovery", N_("New recovery codes made")}, {"token.create", N_("API token created")}, {"token.update", N_("API token revoked")},
		{"webhook.create", N_("Webhook created")}, {"webhook.update", N_("Webhook changed")},
		{"webhook.delete", N_("Webhook deleted")}, {"webhook.resend", N_("Webhook delivery sent again")},
		{"escalation.create", N_("Escalation rule created")},
		{"escalation.update", N_("Escalation rule changed")},
		{"escalation.delete", N_("Escalation rule deleted")},
		{"field.create", N_("Custom field created")}, {"field.update", N_("Custom field changed")},
		{"field.delete", N_("Custom field deleted")},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (str_eq(names[i][0], kind))
			return tr(req, names[i][1]);
	return kind;
}

/* A yyyy-mm-dd date of a form as the Unix time of its local midnight, plus
 * days; 0 when empty or malformed. */
static int64_t date_param(const char *s, int days)
{
	int y, m, d;
	char extra;
	if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 1970 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return 0;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + days, .tm_isdst = -1};
	time_t t = mktime(&tm);
	return t < 0 ? 0 : (int64_t)t;
}

static void read_filter(struct request *req, struct admin_audit_filter *f)
{
	memset(f, 0, sizeof *f);
	str_to_int64(req_query(req, "person"), 1, INT64_MAX, &f->actor_id);
	const char *kind = req_query(req, "kind");
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (str_eq(kinds[i][0], kind))
			f->kind = kinds[i][0];
	f->from = date_param(req_query(req, "from"), 0);
	f->until = date_param(req_query(req, "to"), 1);
	const char *before = req_query(req, "before");
	long long at, id;
	char extra;
	if (before && sscanf(before, "%lld.%lld%c", &at, &id, &extra) == 2 && at > 0 && id > 0) {
		f->before_at = at;
		f->before_id = id;
	}
}

static const char *when_text(struct request *req, int64_t t, bool csv)
{
	char out[40];
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	strftime(out, sizeof out, csv || req_lang(req) == LANG_PT_BR ? "%d/%m/%Y %H:%M" : "%Y-%m-%d %H:%M",
	         &tm);
	return arena_strdup(req->arena, out);
}

/* The settings' keys as the admin pages name them (the labels of their
 * fields), so a settings record reads "Company name: a → b", not
 * "company_name: a → b". A key not listed here shows as it is. */
static const char *const setting_labels[][2] = {
	{"company_name", N_("Company name")},
	{"brand_color", N_("Brand colour")},
	{"base_url", N_("Site address")},
	{"show_powered_by", N_("Show the \"powered by Chamado\" line in the footer")},
	{"registration_open", N_("Visitors can create a client account")},
	{"auto_close_days", N_("Close answered tickets after (days)")},
	{"ticket_number_digits", N_("Digits in new ticket numbers")},
	{"ticket_number_format", N_("Ticket number format")},
	{"ticket_number_prefix", N_("Prefix of sequential numbers")},
	{"ticket_number_year", N_("Year in sequential numbers")},
	{"attachment_max_files", N_("Files per message")},
	{"attachment_max_mb", N_("Size per file (MB)")},
	{"attachment_extensions", N_("Allowed file extensions")},
	{"mail_unknown_sender", N_("Email from an unknown address")},
	{"mail_banned_senders", N_("Banned senders")},
	{"twofa_require_staff", N_("Require two-factor sign-in for all staff")},
	{"twofa_clients", N_("Offer two-factor sign-in to clients")},
	{"api_rate_limit", N_("Requests a minute per token")},
	{"audit_keep_days", N_("Keep records for (days)")},
	{"csat_trigger", N_("Ask the client \"How would you rate our support?\"")},
	{"csat_notify_bad", N_("Email the department when a client rates the support as bad and writes a comment")},
	{"kb_require_login", N_("Only signed-in clients can read the knowledgebase")},
};

/* A settings record's "key: before → after" lines with each known key
 * replaced by its translated label. */
static const char *settings_changes_text(struct request *req, const char *changes)
{
	buf out;
	buf_init(&out, 1 << 20);
	for (const char *line = changes; *line;) {
		size_t n = strcspn(line, "\n");
		size_t key_len = strcspn(line, ":\n");
		const char *label = NULL;
		for (size_t i = 0; key_len < n && i < sizeof setting_labels / sizeof setting_labels[0]; i++)
			if (strlen(setting_labels[i][0]) == key_len && memcmp(setting_labels[i][0], line, key_len) == 0)
				label = tr(req, setting_labels[i][1]);
		if (label) {
			buf_puts(&out, label);
			buf_append(&out, line + key_len, n - key_len);
		} else {
			buf_append(&out, line, n);
		}
		line += n;
		if (*line == '\n') {
			buf_putc(&out, '\n');
			line++;
		}
	}
	const char *text = out.len ? arena_strndup(req->arena, buf_str(&out), out.len) : NULL;
	buf_free(&out);
	return text ? text : changes;
}

/* A sign-in's reason (stored in English as a code), translated; a
 * settings record's keys as labels. */
static const char *changes_text(struct request *req, const struct admin_audit_row *r)
{
	if (str_starts_with(r->kind, "settings.") && r->changes)
		return settings_changes_text(req, r->changes);
	static const char *const reasons[][2] = {
		{"password", N_("with the password")},
		{"password and code", N_("with the password and a code")},
		{"wrong password", N_("wrong password")},
		{"wrong code", N_("wrong code")},
		{"throttled", N_("too many attempts")},
		{"unknown or inactive account", N_("unknown or inactive account")},
	};
	if (str_starts_with(r->kind, "signin."))
		for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
			if (str_eq(reasons[i][0], r->changes))
				return tr(req, reasons[i][1]);
	return r->changes;
}

static const char *who_text(struct request *req, const struct admin_audit_row *r)
{
	if (str_eq(r->actor_kind, "system"))
		return tr(req, "System (command line or automatic)");
	return r->actor_name;
}

/* The query string of the filters in force, for links and the CSV. */
static const char *filter_query(struct request *req)
{
	const char *names[] = {"person", "kind", "from", "to"};
	buf q;
	buf_init(&q, 1024);
	for (size_t i = 0; i < 4; i++) {
		const char *v = req_query(req, names[i]);
		if (!v || !*v)
			continue;
		buf_printf(&q, "%s%s=", q.len ? "&" : "", names[i]);
		for (const unsigned char *p = (const unsigned char *)v; *p; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')
				buf_putc(&q, (char)*p);
			else
				buf_printf(&q, "%%%02X", *p);
	}
	const char *out = arena_strdup(req->arena, buf_str(&q));
	buf_free(&q);
	return out;
}

/* GET /staff/admin/audit — 200; 303 signed out; 404 for agents. */
void admin_audit_page(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	struct admin_audit_filter f;
	read_filter(req, &f);
	struct admin_audit_row *rows = arena_alloc(req->arena, sizeof *rows * (AUDIT_PAGE + 1));
	struct admin_audit_person *people = arena_alloc(req->arena, sizeof *people * PEOPLE_MAX);
	int n = d && rows ? audit_list(d, &f, req->arena, rows, AUDIT_PAGE + 1) : -1;
	int np = n >= 0 && people ? audit_people(d, req->arena, people, PEOPLE_MAX) : -1;
	vm_obj *page = np >= 0 ? page_new(req, "Audit log", "admin") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_list *list = vm_set_list(page, "entries");
	for (int i = 0; i < n && i < AUDIT_PAGE; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "when", when_text(req, rows[i].created_at, false));
		vm_set_text(o, "who", who_text(req, &rows[i]));
		vm_set_text(o, "ip", rows[i].ip[0] ? rows[i].ip : "—");
		vm_set_text(o, "kind", kind_text(req, rows[i].kind));
		vm_set_bool(o, "failure", str_eq(rows[i].kind, "signin.failure"));
		vm_set_text(o, "subject", rows[i].subject);
		vm_set_text(o, "changes", changes_text(req, &rows[i]));
	}
	const char *query = filter_query(req);
	if (n > AUDIT_PAGE)
		vm_set_textf(page, "older", "/staff/admin/audit?%s%sbefore=%lld.%lld", query, *query ? "&" : "",
		             (long long)rows[AUDIT_PAGE - 1].created_at, (long long)rows[AUDIT_PAGE - 1].id);
	if (f.before_at)
		vm_set_textf(page, "newest", "/staff/admin/audit%s%s", *query ? "?" : "", query);
	vm_set_textf(page, "csv", "/staff/admin/audit.csv%s%s", *query ? "?" : "", query);
	vm_list *pl = vm_set_list(page, "people");
	for (int i = 0; i < np; i++) {
		vm_obj *o = vm_list_add(pl);
		vm_set_int(o, "id", people[i].id);
		vm_set_text(o, "name", people[i].name);
		vm_set_bool(o, "selected", people[i].id == f.actor_id);
	}
	vm_list *kl = vm_set_list(page, "kinds");
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		vm_obj *o = vm_list_add(kl);
		vm_set_text(o, "value", kinds[i][0]);
		vm_set_text(o, "label", tr(req, kinds[i][1]));
		vm_set_bool(o, "selected", f.kind && str_eq(f.kind, kinds[i][0]));
	}
	const char *from = req_query(req, "from"), *to = req_query(req, "to");
	vm_set_text(page, "from", f.from && from ? from : "");
	vm_set_text(page, "to", f.until && to ? to : "");
	vm_set_int(page, "keep_days", audit_keep_days(d));
	page_render(req, 200, "staff/admin/audit", page);
}

/* A CSV field: quoted when it holds the separator, a quote or a line
 * break; a leading = + - @ is escaped so a spreadsheet never runs it. */
static void csv_field(buf *out, const char *v, bool last)
{
	bool quote = strpbrk(v, ";\"\r\n") != NULL;
	if (quote)
		buf_putc(out, '"');
	if (strchr("=+-@", v[0]) && v[0])
		buf_putc(out, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	if (quote)
		buf_putc(out, '"');
	buf_puts(out, last ? "\r\n" : ";");
}

/* The changes on one line ("a: x → y | b: …"), for a spreadsheet cell. */
static const char *one_line(arena *a, const char *changes)
{
	size_t len = strlen(changes);
	while (len && changes[len - 1] == '\n')
		len--;
	char *out = arena_alloc(a, len * 3 + 1);
	if (!out)
		return changes;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (changes[i] == '\n') {
			memcpy(out + o, " | ", 3);
			o += 3;
		} else {
			out[o++] = changes[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* GET /staff/admin/audit.csv — 200 text/csv (every row of the filters,
 * newest first, up to 100 000); 303; 404 for agents. */
void admin_audit_csv(struct request *req)
{
	if (!admin_require(req))
		return;
	db *d = req_db(req);
	struct admin_audit_filter f;
	read_filter(req, &f);
	buf out;
	buf_init(&out, 256u << 20);
	buf_puts(&out, "\xef\xbb\xbf"); /* the BOM: Excel then reads UTF-8 */
	const char *head[] = {tr(req, "Date"), tr(req, "Person"), tr(req, "Address"), tr(req, "Kind"),
	                      tr(req, "Item"), tr(req, "Changes")};
	for (int i = 0; i < 6; i++)
		csv_field(&out, head[i], i == 5);
	struct admin_audit_row *rows = arena_alloc(req->arena, sizeof *rows * CSV_BATCH);
	int total = 0, n;
	do {
		arena *a = arena_new(64 * 1024);
		n = rows && a && d ? audit_list(d, &f, a, rows, CSV_BATCH) : -1;
		for (int i = 0; i < n; i++) {
			const char *changes = one_line(a, changes_text(req, &rows[i]));
			csv_field(&out, when_text(req, rows[i].created_at, true), false);
			csv_field(&out, who_text(req, &rows[i]), false);
			csv_field(&out, rows[i].ip, false);
			csv_field(&out, kind_text(req, rows[i].kind), false);
			csv_field(&out, rows[i].subject, false);
			csv_field(&out, changes, true);
		}
		if (n > 0) {
			f.before_at = rows[n - 1].created_at;
			f.before_id = rows[n - 1].id;
		}
		arena_free(a);
		total += n > 0 ? n : 0;
	} while (n == CSV_BATCH && total < CSV_ROWS_MAX);
	if (n < 0) {
		buf_free(&out);
		resp_error(req, 500);
		return;
	}
	char name[64];
	time_t now = (time_t)web_now(req);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(name, sizeof name, "attachment; filename=\"auditoria-%Y-%m-%d.csv\"", &tm);
	resp_header(req, "Content-Disposition", arena_strdup(req->arena, name));
	resp_header(req, "Cache-Control", "no-store");
	req->status = 200;
	req->content_type = "text/csv; charset=utf-8";
	req->static_body = arena_strndup(req->arena, buf_str(&out), out.len);
	req->static_len = out.len;
	req->copy_body = true;
	req->responded = true;
	buf_free(&out);
}

/* POST /staff/admin/audit/keep — 303 back with "saved"; 422-like redirect
 * keeps the old value when the number is out of range. */
void admin_audit_keep_submit(struct request *req)
{
	if (!admin_require(req))
		return;
	int64_t days = 0;
	if (!str_to_int64(req_form(req, "keep_days"), 1, AUDIT_KEEP_DAYS_MAX, &days)) {
		resp_error(req, 400);
		return;
	}
	int rc = audit_keep_days_save(req_db(req), web_actor(req), (int)days, web_now(req));
	if (rc != 0) {
		resp_error(req, rc < 0 ? 500 : 400);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, "/staff/admin/audit");
}
