#include "domain/sla_admin.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "view/i18n.h"

enum {
	NAME_MAX_CHARS = 100,
	HOURS_ROWS_MAX = 7 * BT_RANGES_PER_DAY,
	DEPARTMENTS_MAX = 200,
	POLICIES_MAX = 3 * DEPARTMENTS_MAX,
	CALENDARS_MAX = 100,
	TARGET_MAX_MINUTES = 525600, /* a year */
	RECOMPUTE_BATCH = 500,
};

const char *const sla_priorities[SLA_PRIORITIES] = {"high", "medium", "low"};

static const char DEFAULT_ZONE[] = "America/Sao_Paulo";

int sla_calendar_list(db *d, arena *a, struct calendar_row *rows, int max)
{
	return store_calendar_list(d, a, rows, max);
}

static const char *clock_text(arena *a, int minutes)
{
	return arena_printf(a, "%02d:%02d", minutes / 60, minutes % 60);
}

static const char *holidays_text(arena *a, const struct calendar_holiday_row *rows, int n)
{
	buf b;
	buf_init(&b, 64 * 1024);
	for (int i = 0; i < n; i++) {
		int y, m, day;
		bt_civil_from_days((int32_t)rows[i].day, &y, &m, &day);
		buf_printf(&b, "%02d/%02d/%04d %s\n", day, m, y, rows[i].name);
	}
	const char *out = arena_strndup(a, buf_str(&b), b.len);
	buf_free(&b);
	return out ? out : "";
}

int sla_calendar_form_load(db *d, int64_t id, int64_t now, arena *a, struct sla_calendar_form *f)
{
	memset(f, 0, sizeof *f);
	struct calendar_holiday_row holidays[BT_HOLIDAYS_MAX];
	int nh = 0;
	if (id == 0) { /* a new calendar: office hours and this year's and next year's holidays */
		f->name = "";
		f->timezone = DEFAULT_ZONE;
		for (int w = 0; w < 7; w++)
			f->hours[w] = w >= 1 && w <= 5 ? "08:00-12:00, 13:00-18:00" : "";
		int y, m, day;
		bt_civil_from_days(bt_local_day(bt_zone_get(DEFAULT_ZONE), now), &y, &m, &day);
		for (int year = y; year <= y + 1; year++) {
			struct bt_holiday h[16];
			int n = bt_brazil_holidays(year, h, 16);
			for (int i = 0; i < n && nh < BT_HOLIDAYS_MAX; i++)
				holidays[nh++] = (struct calendar_holiday_row){h[i].day, h[i].name};
		}
		f->holidays = holidays_text(a, holidays, nh);
		return 1;
	}
	struct calendar_row row;
	int rc = store_calendar_get(d, id, a, &row);
	if (rc != 1)
		return rc;
	f->name = row.name;
	f->timezone = row.timezone;
	f->always_open = row.always_open != 0;
	struct calendar_hours_row hours[HOURS_ROWS_MAX];
	int n = store_calendar_hours(d, id, hours, HOURS_ROWS_MAX);
	if (n < 0)
		return n;
	for (int w = 0; w < 7; w++) {
		const char *text = "";
		for (int i = 0; i < n; i++)
			if (hours[i].weekday == w)
				text = arena_printf(a, "%s%s%s-%s", text, *text ? ", " : "",
				                    clock_text(a, hours[i].start_minute),
				                    clock_text(a, hours[i].end_minute));
		f->hours[w] = text ? text : "";
	}
	nh = store_calendar_holidays(d, id, a, holidays, BT_HOLIDAYS_MAX);
	if (nh < 0)
		return nh;
	f->holidays = holidays_text(a, holidays, nh);
	return 1;
}

/* Parses the holidays' text: a date first on each line, then the name.
 * Returns the count, or -1 with *bad_line (1-based). */
static int parse_holidays(const char *text, struct calendar_holiday_row *out, char names[][101],
                          int max, int *bad_line)
{
	int n = 0, line = 0;
	const char *p = text ? text : "";
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char row[200];
		snprintf(row, sizeof row, "%.*s", (int)(len < sizeof row ? len : sizeof row - 1), p);
		line++;
		p += len + (end ? 1 : 0);
		char *s = str_trim(row);
		if (!*s)
			continue;
		char date[16];
		size_t dlen = strcspn(s, " \t");
		int32_t day;
		snprintf(date, sizeof date, "%.*s", (int)(dlen < sizeof date ? dlen : sizeof date - 1), s);
		if (dlen >= sizeof date || !bt_parse_date(date, &day) || n >= max) {
			*bad_line = line;
			return -1;
		}
		char *name = str_trim(s + dlen);
		snprintf(names[n], 101, "%s", *name ? name : "Feriado");
		out[n] = (struct calendar_holiday_row){day, names[n]};
		n++;
	}
	return n;
}

/* Brings every running clock up to date with the configuration written
 * in d's open transaction. */
static int recompute_running(db *d, int64_t now)
{
	int64_t ids[RECOMPUTE_BATCH], after = 0;
	sla_config_changed(); /* this thread's copies: read again, inside the transaction */
	for (;;) {
		int n = store_sla_running_ids(d, after, ids, RECOMPUTE_BATCH);
		if (n <= 0)
			return n;
		for (int i = 0; i < n; i++) {
			int rc = sla_ticket_event(d, ids[i], SLA_CHANGED, now);
			if (rc < 0)
				return rc;
		}
		after = ids[n - 1];
	}
}

int sla_calendar_save(db *d, int64_t id, const struct sla_calendar_form *f, int64_t now,
                      struct sla_calendar_errors *e, int64_t *saved_id)
{
	memset(e, 0, sizeof *e);
	static const char *const bad_hours =
		N_("Write the hours as 08:00-12:00, 13:00-18:00 (ranges may not overlap).");
	if (str_blank(f->name))
		e->name = N_("Give the calendar a name.");
	else if (str_utf8_length(f->name) > NAME_MAX_CHARS)
		e->name = N_("The name can have at most 100 characters.");
	if (!bt_zone_get(f->timezone))
		e->timezone = N_("Choose a time zone of the tz database, such as America/Sao_Paulo.");
	struct bt_range ranges[7][BT_RANGES_PER_DAY];
	int nranges[7], total = 0;
	bool bad = e->name || e->timezone;
	for (int w = 0; w < 7; w++) {
		if (!bt_parse_ranges(f->hours[w], ranges[w], &nranges[w])) {
			e->hours[w] = bad_hours;
			bad = true;
		}
		total += nranges[w];
	}
	if (!bad && !f->always_open && total == 0) {
		e->hours[1] = N_("Open at least one range on some day, or choose 24/7.");
		bad = true;
	}
	struct calendar_holiday_row holidays[BT_HOLIDAYS_MAX];
	static _Thread_local char names[BT_HOLIDAYS_MAX][101];
	int bad_line = 0;
	int nh = parse_holidays(f->holidays, holidays, names, BT_HOLIDAYS_MAX, &bad_line);
	if (nh < 0) {
		e->holidays = N_("Write one holiday a line: the date as dd/mm/aaaa, then its name.");
		bad = true;
	}
	if (bad)
		return SLA_ADMIN_INVALID;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct calendar_row existing;
	arena *a = arena_new(1024);
	if (!a) {
		db_rollback(d);
		return DB_NOMEM;
	}
	if (id > 0) {
		rc = store_calendar_get(d, id, a, &existing);
		rc = rc == 1 ? store_calendar_update(d, id, f->name, f->timezone, f->always_open)
		             : rc == 0 ? SLA_ADMIN_NOT_FOUND : rc;
	} else {
		int64_t nid = store_calendar_insert(d, f->name, f->timezone, f->always_open, now);
		rc = nid < 0 ? (int)nid : 0;
		id = nid;
		if (rc == 0) { /* its holidays came pre-filled in the form */
			int y, m, day;
			bt_civil_from_days(bt_local_day(bt_zone_get(DEFAULT_ZONE), now), &y, &m, &day);
			rc = store_calendar_holidays_through_set(d, id, y + 1);
		}
	}
	arena_free(a);
	if (rc == 0)
		rc = store_calendar_hours_clear(d, id);
	for (int w = 0; w < 7 && rc == 0; w++)
		for (int i = 0; i < nranges[w] && rc == 0; i++)
			rc = store_calendar_hours_add(d, id, w, ranges[w][i].start, ranges[w][i].end);
	if (rc == 0)
		rc = store_calendar_holidays_clear(d, id);
	for (int i = 0; i < nh && rc == 0; i++)
		rc = store_calendar_holiday_add(d, id, holidays[i].day, holidays[i].name);
	if (rc == 0)
		rc = recompute_running(d, now);
	if (rc == 0)
		rc = db_commit(d);
	else
		db_rollback(d);
	sla_config_changed();
	if (rc == 0 && saved_id)
		*saved_id = id;
	return rc;
}

static const char *minutes_text(arena *a, int64_t minutes)
{
	return minutes > 0 ? arena_printf(a, "%lld", (long long)minutes) : "";
}

int sla_policies_load(db *d, arena *a, struct sla_department_policy *rows, int max)
{
	struct named_row deps[DEPARTMENTS_MAX];
	int n = store_departments_all(d, a, deps, max < DEPARTMENTS_MAX ? max : DEPARTMENTS_MAX);
	if (n < 0)
		return n;
	struct sla_policy_row *policies = arena_alloc(a, POLICIES_MAX * sizeof *policies);
	int np = policies ? store_sla_policy_list(d, a, policies, POLICIES_MAX) : DB_NOMEM;
	if (np < 0)
		return np;
	for (int i = 0; i < n; i++) {
		struct sla_department_policy *r = &rows[i];
		memset(r, 0, sizeof *r);
		r->department_id = deps[i].id;
		r->department_name = deps[i].name;
		r->calendar_id = store_sla_calendar_for_department(d, deps[i].id);
		if (r->calendar_id < 0)
			return (int)r->calendar_id;
		for (int k = 0; k < SLA_PRIORITIES; k++) {
			r->first[k] = r->resolve[k] = "";
			for (int j = 0; j < np; j++)
				if (policies[j].department_id == deps[i].id &&
				    str_eq(policies[j].priority, sla_priorities[k])) {
					r->first[k] = minutes_text(a, policies[j].first_response_minutes);
					r->resolve[k] = minutes_text(a, policies[j].resolution_minutes);
				}
		}
	}
	return n;
}

/* "" -> 0 (none); 1..TARGET_MAX_MINUTES; -1 when not a number of minutes. */
static int64_t parse_minutes(const char *s)
{
	int64_t v;
	if (str_blank(s))
		return 0;
	char copy[32];
	snprintf(copy, sizeof copy, "%s", s);
	return str_to_int64(str_trim(copy), 1, TARGET_MAX_MINUTES, &v) ? v : -1;
}

int sla_policies_save(db *d, struct sla_department_policy *rows, int n, int64_t now)
{
	bool bad = false;
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	struct calendar_row cal;
	for (int i = 0; i < n; i++) {
		rows[i].calendar_error = NULL;
		if (store_calendar_get(d, rows[i].calendar_id, a, &cal) != 1) {
			rows[i].calendar_error = N_("Choose one of the calendars.");
			bad = true;
		}
		for (int k = 0; k < SLA_PRIORITIES; k++) {
			int64_t first = parse_minutes(rows[i].first[k]), res = parse_minutes(rows[i].resolve[k]);
			rows[i].error[k] = NULL;
			if (first < 0 || res < 0)
				rows[i].error[k] = N_("Write whole minutes between 1 and 525600.");
			else if ((first == 0) != (res == 0))
				rows[i].error[k] = N_("Set both targets, or leave both empty.");
			else if (first > res)
				rows[i].error[k] = N_("The first response cannot be due after the resolution.");
			bad |= rows[i].error[k] != NULL;
		}
	}
	arena_free(a);
	if (bad)
		return SLA_ADMIN_INVALID;
	int rc = db_begin_write(d);
	for (int i = 0; i < n && rc == 0; i++) {
		rc = store_sla_department_set(d, rows[i].department_id, rows[i].calendar_id);
		for (int k = 0; k < SLA_PRIORITIES && rc == 0; k++) {
			int64_t first = parse_minutes(rows[i].first[k]), res = parse_minutes(rows[i].resolve[k]);
			rc = first > 0 ? store_sla_policy_set(d, rows[i].department_id, sla_priorities[k], first, res)
			               : store_sla_policy_delete(d, rows[i].department_id, sla_priorities[k]);
		}
	}
	/* Running clocks take the new targets and calendars now. */
	if (rc == 0)
		rc = recompute_running(d, now);
	if (rc == 0)
		rc = db_commit(d);
	else
		db_rollback(d);
	sla_config_changed();
	return rc;
}
