/* The staff dashboard: how many tickets wait where, the oldest waiting
 * ones, and tickets opened and closed per day over 30 days (an SVG drawn
 * here, readable without JavaScript). */
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "domain/staff_ticket.h"
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

enum { CHART_DAYS = 30, CHART_HEIGHT = 160, BAR_STEP = 20, OLDEST_MAX = 8, COUNT_MAX = 200 };

static void add_counts(struct request *req, vm_obj *page, struct session *s)
{
	static const char *const columns[] = {"open", "customer-reply", "in-progress", "on-hold", "answered"};
	struct queue_count counts[COUNT_MAX];
	int n = staff_queue_counts(req_db(req), s, req->arena, counts, COUNT_MAX);
	vm_list *heads = vm_set_list(page, "columns");
	for (size_t c = 0; c < sizeof columns / sizeof columns[0]; c++) {
		vm_obj *h = vm_list_add(heads);
		vm_set_text(h, "label", tr(req, ticket_status_label(columns[c])));
	}
	vm_list *rows = vm_set_list(page, "departments");
	for (int i = 0; i < n;) {
		int64_t dep = counts[i].department_id;
		vm_obj *row = vm_list_add(rows);
		vm_set_text(row, "name", counts[i].department_name);
		vm_set_int(row, "id", dep);
		int64_t per[5] = {0};
		for (; i < n && counts[i].department_id == dep; i++)
			for (size_t c = 0; c < 5; c++)
				if (str_eq(counts[i].status, columns[c]))
					per[c] = counts[i].count;
		vm_list *cells = vm_set_list(row, "cells");
		for (size_t c = 0; c < 5; c++) {
			vm_obj *cell = vm_list_add(cells);
			vm_set_int(cell, "count", per[c]);
			vm_set_text(cell, "status", columns[c]);
			vm_set_int(cell, "department", dep);
		}
	}
	vm_set_bool(page, "has_departments", n > 0);
}

static void add_oldest(struct request *req, vm_obj *page, struct session *s)
{
	struct ticket_row rows[OLDEST_MAX];
	int n = staff_oldest_waiting(req_db(req), s, req->arena, rows, OLDEST_MAX);
	vm_list *list = vm_set_list(page, "oldest");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		page_ticket_number(o, &rows[i]);
		vm_set_text(o, "subject", rows[i].subject);
		vm_set_text(o, "client", rows[i].client_name);
		vm_set_text(o, "department", rows[i].department_name);
		page_time(req, o, "waiting", rows[i].last_reply_at);
	}
	vm_set_bool(page, "has_oldest", n > 0);
}

static void add_chart(struct request *req, vm_obj *page)
{
	int64_t today = (int64_t)time(NULL) / 86400 * 86400;
	int64_t since = today - (CHART_DAYS - 1) * 86400;
	struct day_count days[CHART_DAYS];
	if (staff_tickets_per_day(req_db(req), since, CHART_DAYS, days) < 0)
		return;
	int64_t max = 1, total_opened = 0, total_closed = 0;
	for (int i = 0; i < CHART_DAYS; i++) {
		if (days[i].opened > max)
			max = days[i].opened;
		if (days[i].closed > max)
			max = days[i].closed;
		total_opened += days[i].opened;
		total_closed += days[i].closed;
	}
	vm_list *list = vm_set_list(page, "days");
	for (int i = 0; i < CHART_DAYS; i++) {
		vm_obj *o = vm_list_add(list);
		int64_t ho = days[i].opened * CHART_HEIGHT / max, hc = days[i].closed * CHART_HEIGHT / max;
		vm_set_int(o, "x_opened", 40 + i * BAR_STEP);
		vm_set_int(o, "x_closed", 40 + i * BAR_STEP + 8);
		vm_set_int(o, "y_opened", 10 + CHART_HEIGHT - ho);
		vm_set_int(o, "y_closed", 10 + CHART_HEIGHT - hc);
		vm_set_int(o, "h_opened", ho);
		vm_set_int(o, "h_closed", hc);
		vm_set_int(o, "opened", days[i].opened);
		vm_set_int(o, "closed", days[i].closed);
		char label[16];
		time_t t = (time_t)days[i].day;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(label, sizeof label, req_lang(req) == LANG_PT_BR ? "%d/%m" : "%m-%d", &tm);
		vm_set_text(o, "label", arena_strdup(req->arena, label));
		vm_set_bool(o, "tick", i % 5 == 0 || i == CHART_DAYS - 1);
		vm_set_int(o, "x_label", 40 + i * BAR_STEP + 8);
	}
	vm_set_int(page, "chart_max", max);
	vm_set_int(page, "total_opened", total_opened);
	vm_set_int(page, "total_closed", total_closed);
	vm_set_int(page, "chart_width", 40 + CHART_DAYS * BAR_STEP + 10);
}

/* GET /staff — 200 for staff; 303 to /staff/login otherwise. */
void staff_home(struct request *req)
{
	struct session *s = web_staff(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	vm_obj *page = page_new(req, "Dashboard", "dashboard");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	add_counts(req, page, s);
	add_oldest(req, page, s);
	add_chart(req, page);
	page_render(req, 200, "staff/home", page);
}
