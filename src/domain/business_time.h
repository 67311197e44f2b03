/* Business time: the minutes a support team is at work, by a calendar of
 * opening hours in a time zone, minus holidays (or 24×7). The arithmetic
 * SLA clocks need: "add N business seconds to t", "business seconds
 * between a and b". Pure functions over a filled struct bt_calendar; no
 * database (domain/sla.c loads calendars).
 *
 * Time zones come from the system's tz database, read directly from its
 * TZif files (TZDIR, else /usr/share/zoneinfo) and kept for the life of
 * the process: setenv("TZ") + tzset() would change every thread's
 * localtime_r, which page.c uses. The rules past the file's last listed
 * transition are taken as that transition's offset: right for zones
 * without daylight saving today (America/Sao_Paulo since 2019, and most of
 * Brazil), approximate for zones whose future DST lives only in the
 * file's POSIX footer. See docs/sla.md. */
#ifndef CHAMADO_BUSINESS_TIME_H
#define CHAMADO_BUSINESS_TIME_H

#include <stdbool.h>
#include <stdint.h>

enum {
	BT_RANGES_PER_DAY = 6,
	BT_HOLIDAYS_MAX = 200,
	BT_ZONE_NAME_MAX = 64,
};

/* Opening hours on one weekday, in minutes from local midnight. end <=
 * start is an overnight range: it ends at `end` on the next day. A range
 * belongs to the day it starts on: on a holiday it does not open. */
struct bt_range {
	int start, end;
};

struct bt_zone;

struct bt_calendar {
	bool always_open; /* 24×7: every second counts */
	const struct bt_zone *zone; /* NULL: UTC */
	struct bt_range hours[7][BT_RANGES_PER_DAY]; /* [0] is Sunday */
	int nhours[7];
	int32_t holidays[BT_HOLIDAYS_MAX]; /* local days since 1970-01-01, any order */
	int nholidays;
};

/* The zone by tz name ("America/Sao_Paulo"), loaded once and kept; NULL
 * when the name is malformed or not in the tz database. Thread-safe. */
const struct bt_zone *bt_zone_get(const char *name);
/* Seconds east of UTC in force at t. */
int32_t bt_zone_offset(const struct bt_zone *z, int64_t t);

/* The instant n business seconds after t (n >= 0), or before t (n < 0).
 * A calendar that never opens (no hours at all) counts like 24×7. */
int64_t bt_add(const struct bt_calendar *c, int64_t t, int64_t n);
/* Business seconds in [a, b); 0 when b <= a. */
int64_t bt_between(const struct bt_calendar *c, int64_t a, int64_t b);
/* True when t falls in opening hours. */
bool bt_is_open(const struct bt_calendar *c, int64_t t);

/* Civil dates <-> days since 1970-01-01 (proleptic Gregorian). */
int32_t bt_days_from_civil(int year, int month, int day);
void bt_civil_from_days(int32_t days, int *year, int *month, int *day);
/* The local day (days since 1970-01-01) of instant t in zone z. */
int32_t bt_local_day(const struct bt_zone *z, int64_t t);
/* Parses "dd/mm/aaaa" or "aaaa-mm-dd" into days; false when not a date. */
bool bt_parse_date(const char *s, int32_t *days);

/* Parses "08:00-12:00, 13:00-18:00" (or "" for closed) into ranges;
 * false on a malformed range or more than BT_RANGES_PER_DAY. */
bool bt_parse_ranges(const char *s, struct bt_range *out, int *n);

struct bt_holiday {
	int32_t day;
	const char *name; /* static pt-BR name */
};
/* Brazil's national holidays of year (fixed dates and Good Friday),
 * sorted; returns how many (at most max). */
int bt_brazil_holidays(int year, struct bt_holiday *out, int max);

#endif
