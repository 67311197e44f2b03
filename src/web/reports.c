/* Relatórios (/staff/reports): for a period, by department and by agent,
 * with charts drawn here as SVG (the tables beside them carry the same
 * numbers), and Exportar CSV for each table and for the raw tickets
 * (/staff/reports/<table>.csv: UTF-8 with a BOM, ';' between fields,
 * dd/mm/aaaa dates — what Excel in pt-BR opens as is). Admins see the whole
 * team; an agent sees their own line. 303 signed out; 400 for a period
 * that is not one. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/str.h"
#include "domain/business_time.h"
#include "domain/report.h"
#include "domain/sla.h"
#include "domain/ticket.h"
#include "web/context.h"
#include "web/page.h"
#include "web/reports.h"
#include "web/sla_view.h"

enum { DEFAULT_DAYS = 30, CSV_MAX = 7 << 19, /* 3.5 MiB: under the response cap */ CSV_TICKETS_MAX = 20000, SVG_MAX = 256 * 1024 };

static const char *const weekday_short[7] = {
	N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"),
};

static struct session *require_staff(struct request *req)
{
	struct session *s = web_staff(req);
	if (!s)
		web_require_login(req);
	return s;
}

/* The period from ?from=&to= (aaaa-mm-dd or dd/mm/aaaa); the last 30 days
 * by default. false when a date is malformed or the period is backwards or
 * longer than a year. */
static bool period(struct request *req, int64_t *from_day, int64_t *to_day)
{
	int32_t f, t;
	int64_t today = report_day((int64_t)time(NULL));
	const char *from = req_query(req, "from"), *to = req_query(req, "to");
	*to_day = today;
	if (to && *to) {
		if (!bt_parse_date(to, &t))
			return false;
		*to_day = t;
	}
	*from_day = *to_day - (DEFAULT_DAYS - 1);
	if (from && *from) {
		if (!bt_parse_date(from, &f))
			return false;
		*from_day = f;
	}
	return *from_day <= *to_day && *to_day - *from_day < REPORT_DAYS_MAX;
}

static const char *iso_day(struct request *req, int64_t day)
{
	int y, m, d;
	bt_civil_from_days((int32_t)day, &y, &m, &d);
	return arena_printf(req->arena, "%04d-%02d-%02d", y, m, d);
}

static const char *br_day(struct request *req, int64_t day)
{
	int y, m, d;
	bt_civil_from_days((int32_t)day, &y, &m, &d);
	return arena_printf(req->arena, "%02d/%02d/%04d", d, m, y);
}

/* "85,0%" (pt-BR) or "85.0%"; "—" without a base. */
static const char *percent(struct request *req, int64_t part, int64_t whole)
{
	if (whole <= 0)
		return "—";
	char *s = arena_printf(req->arena, "%.1f%%", 100.0 * (double)part / (double)whole);
	if (s && req_lang(req) == LANG_PT_BR)
		for (char *p = s; *p; p++)
			if (*p == '.')
				*p = ',';
	return s ? s : "—";
}

static const char *duration(struct request *req, int64_t seconds)
{
	return seconds < 0 ? "—" : sla_view_duration(req, seconds);
}

static void set_row(struct request *req, vm_obj *o, const struct report_row *r)
{
	vm_set_text(o, "name", r->name);
	vm_set_int(o, "opened", r->c[RC_OPENED]);
	vm_set_int(o, "closed", r->c[RC_CLOSED]);
	if (r->backlog >= 0)
		vm_set_int(o, "backlog", r->backlog);
	vm_set_text(o, "first_median", duration(req, r->first_median));
	vm_set_text(o, "first_p90", duration(req, r->first_p90));
	vm_set_text(o, "resolve_median", duration(req, r->resolve_median));
	vm_set_text(o, "resolve_p90", duration(req, r->resolve_p90));
	vm_set_text(o, "first_met", percent(req, r->c[RC_FIRST_MET], r->c[RC_FIRST_TARGETED]));
	vm_set_text(o, "resolve_met", percent(req, r->c[RC_RESOLVE_MET], r->c[RC_RESOLVE_TARGETED]));
	int64_t rated = r->c[RC_CSAT_GOOD] + r->c[RC_CSAT_BAD];
	vm_set_text(o, "csat", percent(req, r->c[RC_CSAT_GOOD], rated));
	vm_set_int(o, "csat_count", rated);
}

/* ---- charts ---- */

static void svg_text(buf *b, const char *s)
{
	buf_put_html(b, s, strlen(s));
}

/* Opened and closed per day: two bars a day. */
static const char *chart_days(struct request *req, const struct report *r)
{
	int n = (int)(r->to_day - r->from_day + 1);
	int64_t max = 1;
	for (int i = 0; i < n; i++) {
		if (r->opened[i] > max)
			max = r->opened[i];
		if (r->closed[i] > max)
			max = r->closed[i];
	}
	const int w = 640, h = 220, left = 36, bottom = 24, top = 12;
	double group = (double)(w - left - 8) / n, bar = group * 0.38;
	buf b;
	buf_init(&b, SVG_MAX);
	buf_printf(&b, "<svg class=\"rchart rdays\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"chart-days-title\">"
	           "<title id=\"chart-days-title\">", w, h);
	svg_text(&b, tr(req, "Tickets opened and closed per day"));
	buf_puts(&b, "</title>");
	for (int k = 0; k <= 4; k++) { /* grid lines with their values */
		double y = top + (double)(h - bottom - top) * k / 4;
		buf_printf(&b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
		           "<text x=\"%d\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%lld</text>",
		           left, w - 4, y, y, left - 6, y + 4, (long long)((max * (4 - k) + 2) / 4));
	}
	for (int i = 0; i < n; i++) {
		double x = left + 4 + group * i;
		double ho = (double)(h - bottom - top) * (double)r->opened[i] / (double)max;
		double hc = (double)(h - bottom - top) * (double)r->closed[i] / (double)max;
		buf_printf(&b, "<rect class=\"bar-opened\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s: %lld</title></rect>",
		           x, h - bottom - ho, bar, ho, br_day(req, r->from_day + i), (long long)r->opened[i]);
		buf_printf(&b, "<rect class=\"bar-closed\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s: %lld</title></rect>",
		           x + bar, h - bottom - hc, bar, hc, br_day(req, r->from_day + i), (long long)r->closed[i]);
	}
	buf_printf(&b, "<text x=\"%d\" y=\"%d\" class=\"ax\">%s</text>", left, h - 6, br_day(req, r->from_day));
	buf_printf(&b, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">%s</text>", w - 4, h - 6,
	           br_day(req, r->to_day));
	buf_puts(&b, "</svg>");
	const char *out = arena_strndup(req->arena, buf_str(&b), b.len);
	buf_free(&b);
	return out ? out : "";
}

/* Tickets opened by weekday and hour: darker is busier. */
static const char *chart_heat(struct request *req, const struct report *r)
{
	int64_t max = 1;
	for (int d = 0; d < 7; d++)
		for (int hr = 0; hr < 24; hr++)
			if (r->heat[d][hr] > max)
				max = r->heat[d][hr];
	const int cw = 24, ch = 22, left = 40, top = 18;
	buf b;
	buf_init(&b, SVG_MAX);
	buf_printf(&b, "<svg class=\"rchart rheat\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"chart-heat-title\">"
	           "<title id=\"chart-heat-title\">", left + 24 * cw + 4, top + 7 * ch + 4);
	svg_text(&b, tr(req, "Busiest hours: tickets opened by weekday and hour"));
	buf_puts(&b, "</title>");
	for (int hr = 0; hr < 24; hr += 3)
		buf_printf(&b, "<text x=\"%d\" y=\"12\" class=\"ax\">%dh</text>", left + hr * cw + 2, hr);
	for (int k = 0; k < 7; k++) {
		int d = (k + 1) % 7; /* Monday first */
		buf_printf(&b, "<text x=\"0\" y=\"%d\" class=\"ax\">", top + k * ch + 15);
		svg_text(&b, tr(req, weekday_short[d]));
		buf_puts(&b, "</text>");
		for (int hr = 0; hr < 24; hr++) {
			double level = (double)r->heat[d][hr] / (double)max;
			buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" "
			           "fill=\"rgba(31,95,191,%.2f)\" class=\"cell\"><title>",
			           left + hr * cw, top + k * ch, cw - 2, ch - 2, 0.06 + 0.94 * level);
			svg_text(&b, tr(req, weekday_short[d]));
			buf_printf(&b, " %02dh: %lld</title></rect>", hr, (long long)r->heat[d][hr]);
		}
	}
	buf_puts(&b, "</svg>");
	const char *out = arena_strndup(req->arena, buf_str(&b), b.len);
	buf_free(&b);
	return out ? out : "";
}

/* SLA met per department: one bar per line, 0–100%. */
static const char *chart_sla(struct request *req, const struct report *r)
{
	const int w = 640, row = 30, left = 170;
	int n = r->ndepartments;
	buf b;
	buf_init(&b, SVG_MAX);
	buf_printf(&b, "<svg class=\"rchart rsla\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"chart-sla-title\">"
	           "<title id=\"chart-sla-title\">", w, 10 + row * (n > 0 ? n : 1));
	svg_text(&b, tr(req, "Resolution SLA met, by department"));
	buf_puts(&b, "</title>");
	for (int i = 0; i < n; i++) {
		const struct report_row *d = &r->departments[i];
		int64_t whole = d->c[RC_RESOLVE_TARGETED];
		double share = whole > 0 ? (double)d->c[RC_RESOLVE_MET] / (double)whole : 0;
		int y = 6 + row * i;
		buf_printf(&b, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">", left - 8, y + 15);
		svg_text(&b, d->name);
		buf_printf(&b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" rx=\"3\" class=\"track\"/>",
		           left, y + 2, w - left - 70);
		buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" rx=\"3\" class=\"%s\"/>", left,
		           y + 2, (double)(w - left - 70) * share, share >= 0.9 ? "bar-ok" : share >= 0.7 ? "bar-near" : "bar-bad");
		buf_printf(&b, "<text x=\"%d\" y=\"%d\" class=\"ax\">", w - 64, y + 15);
		svg_text(&b, percent(req, d->c[RC_RESOLVE_MET], whole));
		buf_puts(&b, "</text>");
	}
	buf_puts(&b, "</svg>");
	const char *out = arena_strndup(req->arena, buf_str(&b), b.len);
	buf_free(&b);
	return out ? out : "";
}

/* GET /staff/reports — 200; 400 for a bad period; 303 signed out. */
static void reports_page(struct request *req)
{
	struct session *s = require_staff(req);
	if (!s)
		return;
	int64_t from_day, to_day;
	if (!period(req, &from_day, &to_day)) {
		resp_error(req, 400);
		return;
	}
	struct report *r = arena_alloc(req->arena, sizeof *r);
	int rc = r ? report_build(req_db(req), s, from_day, to_day, req->arena, r) : DB_NOMEM;
	vm_obj *page = rc == 0 ? page_new(req, "Reports", "reports") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_text(page, "from", iso_day(req, from_day));
	vm_set_text(page, "to", iso_day(req, to_day));
	vm_set_text(page, "from_br", br_day(req, from_day));
	vm_set_text(page, "to_br", br_day(req, to_day));
	vm_set_textf(page, "query", "from=%s&to=%s", iso_day(req, from_day), iso_day(req, to_day));
	vm_set_bool(page, "whole_team", r->whole_team);
	vm_obj *total = vm_set_obj(page, "total");
	set_row(req, total, &r->total);
	vm_list *deps = vm_set_list(page, "departments");
	for (int i = 0; i < r->ndepartments; i++)
		set_row(req, vm_list_add(deps), &r->departments[i]);
	vm_set_bool(page, "has_departments", r->ndepartments > 0);
	vm_list *agents = vm_set_list(page, "agents");
	for (int i = 0; i < r->nagents; i++)
		set_row(req, vm_list_add(agents), &r->agents[i]);
	vm_set_bool(page, "has_agents", r->nagents > 0);
	if (r->whole_team) {
		vm_set_trusted_html(page, "chart_days", chart_days(req, r));
		vm_set_trusted_html(page, "chart_heat", chart_heat(req, r));
		vm_set_trusted_html(page, "chart_sla", chart_sla(req, r));
	}
	page_render(req, 200, "staff/reports", page);
}

/* ---- CSV ---- */

/* A field: quoted when it holds the separator, a quote or a line break. */
static void csv_field(buf *b, const char *s, bool last)
{
	if (strpbrk(s, ";\"\r\n")) {
		buf_putc(b, '"');
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				buf_putc(b, '"');
			buf_putc(b, *p);
		}
		buf_putc(b, '"');
	} else {
		buf_puts(b, s);
	}
	buf_puts(b, last ? "\r\n" : ";");
}

static const char *num(struct request *req, int64_t v)
{
	return arena_printf(req->arena, "%lld", (long long)v);
}

static const char *minutes(struct request *req, int64_t seconds)
{
	return seconds < 0 ? "" : num(req, seconds / 60);
}

static void csv_send(struct request *req, buf *b, const char *name, int64_t from_day, int64_t to_day)
{
	resp_header(req, "Content-Disposition",
	            arena_printf(req->arena, "attachment; filename=\"%s-%s-%s.csv\"", name,
	                         iso_day(req, from_day), iso_day(req, to_day)));
	resp_text(req, 200, "text/csv; charset=utf-8", buf_str(b));
}

static void csv_rows(struct request *req, buf *b, const struct report_row *rows, int n,
                     bool with_backlog)
{
	for (int i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];
		csv_field(b, r->name, false);
		if (with_backlog) {
			csv_field(b, num(req, r->c[RC_OPENED]), false);
		}
		csv_field(b, num(req, r->c[RC_CLOSED]), false);
		if (with_backlog)
			csv_field(b, num(req, r->backlog), false);
		csv_field(b, minutes(req, r->first_median), false);
		csv_field(b, minutes(req, r->first_p90), false);
		csv_field(b, minutes(req, r->resolve_median), false);
		csv_field(b, minutes(req, r->resolve_p90), false);
		const char *fm = percent(req, r->c[RC_FIRST_MET], r->c[RC_FIRST_TARGETED]);
		const char *rm = percent(req, r->c[RC_RESOLVE_MET], r->c[RC_RESOLVE_TARGETED]);
		int64_t rated = r->c[RC_CSAT_GOOD] + r->c[RC_CSAT_BAD];
		const char *cs = percent(req, r->c[RC_CSAT_GOOD], rated);
		csv_field(b, str_eq(fm, "—") ? "" : fm, false);
		csv_field(b, str_eq(rm, "—") ? "" : rm, false);
		csv_field(b, str_eq(cs, "—") ? "" : cs, false);
		csv_field(b, num(req, rated), true);
	}
}

/* GET /staff/reports/:table.csv (departments, agents, hours, tickets). */
static void reports_csv(struct request *req)
{
	struct session *s = require_staff(req);
	if (!s)
		return;
	int64_t from_day, to_day;
	if (!period(req, &from_day, &to_day)) {
		resp_error(req, 400);
		return;
	}
	const char *table = req_param(req, "table");
	bool deps = str_eq(table, "departments.csv"), agents = str_eq(table, "agents.csv");
	bool hours = str_eq(table, "hours.csv"), tickets = str_eq(table, "tickets.csv");
	if (!deps && !agents && !hours && !tickets) {
		resp_error(req, 404);
		return;
	}
	if ((deps || hours) && !s->admin) {
		resp_error(req, 404);
		return;
	}
	db *d = req_db(req);
	buf b;
	buf_init(&b, CSV_MAX);
	buf_puts(&b, "\xEF\xBB\xBF"); /* Excel reads UTF-8 only after a BOM */
	const char *name = table;
	int rc = 0;
	if (deps || agents || hours) {
		struct report *r = arena_alloc(req->arena, sizeof *r);
		rc = r ? report_build(d, s, from_day, to_day, req->arena, r) : DB_NOMEM;
		if (rc == 0 && hours) {
			csv_field(&b, tr(req, "Weekday"), false);
			for (int hr = 0; hr < 24; hr++)
				csv_field(&b, arena_printf(req->arena, "%02dh", hr), hr == 23);
			for (int k = 0; k < 7; k++) {
				int day = (k + 1) % 7;
				csv_field(&b, tr(req, weekday_short[day]), false);
				for (int hr = 0; hr < 24; hr++)
					csv_field(&b, num(req, r->heat[day][hr]), hr == 23);
			}
		} else if (rc == 0) {
			const char *head[] = {
				deps ? tr(req, "Department") : tr(req, "Agent"), tr(req, "Tickets opened"), tr(req, "Tickets closed"),
				tr(req, "Backlog at the end"), tr(req, "First response, median (business minutes)"),
				tr(req, "First response, 90th percentile (business minutes)"),
				tr(req, "Resolution, median (business minutes)"),
				tr(req, "Resolution, 90th percentile (business minutes)"),
				tr(req, "First-response SLA met"), tr(req, "Resolution SLA met"), tr(req, "CSAT"),
				tr(req, "Ratings"),
			};
			for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
				if (agents && (i == 1 || i == 3))
					continue; /* opened and backlog are the department's */
				csv_field(&b, head[i], i + 1 == sizeof head / sizeof head[0]);
			}
			if (deps)
				csv_rows(req, &b, r->departments, r->ndepartments, true);
			else
				csv_rows(req, &b, r->agents, r->nagents, false);
		}
	} else {
		struct report_ticket *rows = arena_alloc(req->arena, CSV_TICKETS_MAX * sizeof *rows);
		int n = rows ? report_tickets(d, s, from_day, to_day, req->arena, rows, CSV_TICKETS_MAX) : DB_NOMEM;
		rc = n < 0 ? n : 0;
		const char *head[] = {
			tr(req, "Ticket"), tr(req, "Opened on"), tr(req, "Subject"), tr(req, "Department"),
			tr(req, "Client"), tr(req, "Status"), tr(req, "Priority"), tr(req, "Assignee"),
			tr(req, "First response (business minutes)"), tr(req, "Resolution (business minutes)"),
			tr(req, "First-response SLA met"), tr(req, "Resolution SLA met"), tr(req, "CSAT"),
		};
		for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
			csv_field(&b, head[i], i + 1 == sizeof head / sizeof head[0]);
		const char *yes = tr(req, "yes"), *no = tr(req, "no");
		for (int i = 0; i < n; i++) {
			const struct report_ticket *t = &rows[i];
			csv_field(&b, num(req, t->number), false);
			csv_field(&b, br_day(req, report_day(t->created_at)), false);
			csv_field(&b, t->subject, false);
			csv_field(&b, t->department, false);
			csv_field(&b, t->client, false);
			csv_field(&b, tr(req, ticket_status_label(t->status)), false);
			csv_field(&b, tr(req, ticket_priority_label(t->priority)), false);
			csv_field(&b, t->assignee, false);
			csv_field(&b, minutes(req, t->first_seconds), false);
			csv_field(&b, minutes(req, t->resolve_seconds), false);
			csv_field(&b, t->first_target > 0 && t->first_seconds >= 0
			                  ? (t->first_seconds <= t->first_target * 60 ? yes : no) : "", false);
			csv_field(&b, t->resolve_target > 0 && t->resolve_seconds >= 0
			                  ? (t->resolve_seconds <= t->resolve_target * 60 ? yes : no) : "", false);
			csv_field(&b, *t->csat ? tr(req, str_eq(t->csat, "good") ? "Good" : "Bad") : "", true);
		}
	}
	if (rc < 0 || b.len + 1024 >= CSV_MAX) { /* cut short: refuse rather than lose rows */
		buf_free(&b);
		resp_error(req, 500);
		return;
	}
	name = deps ? "departamentos" : agents ? "agentes" : hours ? "horarios" : "tickets";
	csv_send(req, &b, name, from_day, to_day);
	buf_free(&b);
}

int web_routes_reports(router *r)
{
	if (router_add(r, HTTP_GET, "/staff/reports", reports_page) < 0)
		return -1;
	return router_add(r, HTTP_GET, "/staff/reports/:table", reports_csv);
}
