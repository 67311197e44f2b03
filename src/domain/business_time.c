#include "domain/business_time.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"

enum {
	ZONES_MAX = 32,
	TZIF_MAX = 1 << 20,
	/* How far forward the arithmetic looks for opening hours: a target of
	 * months of business time is not an SLA anyone sets. */
	SEARCH_DAYS = 3 * 366,
	DAY = 86400,
};

struct bt_zone {
	char name[BT_ZONE_NAME_MAX];
	int n;
	int64_t *at;   /* transition instants, ascending */
	int32_t *off;  /* offset in force from at[i] */
	int32_t initial;
};

/* ---- time zones: TZif files, read once ---- */

static int64_t be(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	if (bytes == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

static bool zone_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len >= BT_ZONE_NAME_MAX || name[0] == '/' || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return false;
	return true;
}

/* Parses one data block of a TZif file (v1: 4-byte times, v2+: 8-byte)
 * starting at its header; fills z. Returns the block's length or -1. */
static long parse_block(const unsigned char *p, size_t len, int tbytes, struct bt_zone *z)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	int64_t isut = be(p + 20, 4), isstd = be(p + 24, 4), leap = be(p + 28, 4);
	int64_t timecnt = be(p + 32, 4), typecnt = be(p + 36, 4), charcnt = be(p + 40, 4);
	if (isut < 0 || isstd < 0 || leap < 0 || timecnt < 0 || typecnt <= 0 || charcnt < 0 ||
	    timecnt > 100000 || typecnt > 256)
		return -1;
	size_t need = 44 + (size_t)timecnt * (tbytes + 1) + (size_t)typecnt * 6 + (size_t)charcnt +
	              (size_t)leap * (tbytes + 4) + (size_t)isstd + (size_t)isut;
	if (need > len || !z)
		return need > len ? -1 : (long)need;
	const unsigned char *times = p + 44, *idx = times + timecnt * tbytes, *types = idx + timecnt;
	z->at = calloc((size_t)timecnt + 1, sizeof *z->at);
	z->off = calloc((size_t)timecnt + 1, sizeof *z->off);
	if (!z->at || !z->off)
		return -1;
	z->initial = (int32_t)be(types, 4);
	for (int64_t i = 0; i < typecnt; i++)
		if (types[i * 6 + 4] == 0) { /* the first standard-time type */
			z->initial = (int32_t)be(types + i * 6, 4);
			break;
		}
	z->n = 0;
	for (int64_t i = 0; i < timecnt; i++) {
		if (idx[i] >= typecnt)
			return -1;
		z->at[z->n] = be(times + i * tbytes, tbytes);
		z->off[z->n] = (int32_t)be(types + idx[i] * 6, 4);
		z->n++;
	}
	return (long)need;
}

static struct bt_zone *zone_load(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	size_t len = 0;
	unsigned char *buf = (unsigned char *)file_read_all(path, TZIF_MAX, &len);
	if (!buf)
		return NULL;
	struct bt_zone *z = calloc(1, sizeof *z);
	if (!z) {
		free(buf);
		return NULL;
	}
	long first = parse_block(buf, len, 4, NULL);
	long ok = -1;
	if (first > 0 && buf[4] >= '2')
		ok = parse_block(buf + first, len - (size_t)first, 8, z);
	else if (first > 0)
		ok = parse_block(buf, len, 4, z);
	free(buf);
	if (ok < 0) {
		free(z->at);
		free(z->off);
		free(z);
		return NULL;
	}
	snprintf(z->name, sizeof z->name, "%s", name);
	return z;
}

static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bt_zone *zones[ZONES_MAX];
static int nzones;

const struct bt_zone *bt_zone_get(const char *name)
{
	if (!zone_name_ok(name))
		return NULL;
	pthread_mutex_lock(&zones_lock);
	struct bt_zone *found = NULL;
	for (int i = 0; i < nzones && !found; i++)
		if (strcmp(zones[i]->name, name) == 0)
			found = zones[i];
	if (!found && nzones < ZONES_MAX && (found = zone_load(name)) != NULL)
		zones[nzones++] = found; /* kept for the life of the process */
	pthread_mutex_unlock(&zones_lock);
	return found;
}

int32_t bt_zone_offset(const struct bt_zone *z, int64_t t)
{
	if (!z || z->n == 0 || t < z->at[0])
		return z ? z->initial : 0;
	int lo = 0, hi = z->n - 1; /* the last transition at or before t */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return z->off[lo];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int32_t bt_local_day(const struct bt_zone *z, int64_t t)
{
	return (int32_t)floor_div(t + bt_zone_offset(z, t), DAY);
}

/* The instant a local wall-clock time (seconds since the local epoch)
 * happens: the offset is looked up at the guess, twice, which settles on
 * one side of a transition. */
static int64_t utc_of_local(const struct bt_zone *z, int64_t local)
{
	int64_t guess = local - bt_zone_offset(z, local);
	return local - bt_zone_offset(z, guess);
}

/* ---- dates ---- */

int32_t bt_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void bt_civil_from_days(int32_t z, int *year, int *month, int *day)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}

static int weekday(int32_t days)
{
	return (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

static bool valid_date(int y, int m, int d)
{
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	int y2, m2, d2;
	bt_civil_from_days(bt_days_from_civil(y, m, d), &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d;
}

bool bt_parse_date(const char *s, int32_t *days)
{
	int y, m, d, used = 0;
	if (!s)
		return false;
	if (sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &used) == 3 && s[used] == '\0') {
	} else if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && s[used] == '\0') {
	} else {
		return false;
	}
	if (!valid_date(y, m, d))
		return false;
	*days = bt_days_from_civil(y, m, d);
	return true;
}

static bool parse_clock(const char **p, int *minutes)
{
	int h = 0, m = 0, digits = 0;
	while (isdigit((unsigned char)**p) && digits < 2)
		h = h * 10 + (*(*p)++ - '0'), digits++;
	if (!digits || **p != ':')
		return false;
	(*p)++;
	for (digits = 0; isdigit((unsigned char)**p) && digits < 2; digits++)
		m = m * 10 + (*(*p)++ - '0');
	if (digits != 2 || m > 59 || h > 24 || (h == 24 && m != 0))
		return false;
	*minutes = h * 60 + m;
	return true;
}

bool bt_parse_ranges(const char *s, struct bt_range *out, int *n)
{
	*n = 0;
	const char *p = s ? s : "";
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == ';')
			p++;
		if (!*p)
			break;
		struct bt_range r;
		if (!parse_clock(&p, &r.start))
			return false;
		while (*p == ' ')
			p++;
		if (*p != '-' && strncmp(p, "\xe2\x80\x93", 3) != 0) /* - or – */
			return false;
		p += *p == '-' ? 1 : 3;
		while (*p == ' ')
			p++;
		if (!parse_clock(&p, &r.end) || r.start >= 1440 || r.start == r.end ||
		    *n >= BT_RANGES_PER_DAY)
			return false;
		if (r.end == 1440)
			r.end = 0; /* until midnight: an overnight range of zero minutes next day */
		out[(*n)++] = r;
	}
	/* Sorted by start; overlapping ranges on one day are refused. */
	for (int i = 1; i < *n; i++)
		for (int j = i; j > 0 && out[j].start < out[j - 1].start; j--) {
			struct bt_range t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	for (int i = 1; i < *n; i++) {
		int prev_end = out[i - 1].end <= out[i - 1].start ? out[i - 1].end + 1440 : out[i - 1].end;
		if (out[i].start < prev_end)
			return false;
	}
	return true;
}

/* ---- the arithmetic ---- */

static bool never_closed(const struct bt_calendar *c)
{
	if (c->always_open)
		return true;
	for (int w = 0; w < 7; w++)
		if (c->nhours[w] > 0)
			return false;
	return true;
}

static bool holiday(const struct bt_calendar *c, int32_t day)
{
	for (int i = 0; i < c->nholidays; i++)
		if (c->holidays[i] == day)
			return true;
	return false;
}

/* Walks the opening intervals in time order from the day before `from`'s
 * (its overnight ranges may still be open), never counting a second twice
 * when ranges of two days overlap. */
struct walk {
	const struct bt_calendar *c;
	int32_t day, last_day;
	int i;
	int64_t covered; /* every second before this was already given */
};

static void walk_start(struct walk *w, const struct bt_calendar *c, int64_t from)
{
	w->c = c;
	w->day = bt_local_day(c->zone, from) - 1;
	w->last_day = w->day + SEARCH_DAYS;
	w->i = 0;
	w->covered = INT64_MIN;
}

static bool walk_next(struct walk *w, int64_t *s, int64_t *e)
{
	const struct bt_calendar *c = w->c;
	while (w->day <= w->last_day) {
		int wd = weekday(w->day);
		if (w->i >= c->nhours[wd] || holiday(c, w->day)) {
			w->day++;
			w->i = 0;
			continue;
		}
		const struct bt_range *r = &c->hours[wd][w->i++];
		int64_t midnight = (int64_t)w->day * DAY;
		int end = r->end <= r->start ? r->end + 1440 : r->end;
		*s = utc_of_local(c->zone, midnight + (int64_t)r->start * 60);
		*e = utc_of_local(c->zone, midnight + (int64_t)end * 60);
		if (*s < w->covered)
			*s = w->covered;
		if (*e <= *s)
			continue;
		w->covered = *e;
		return true;
	}
	return false;
}

int64_t bt_between(const struct bt_calendar *c, int64_t a, int64_t b)
{
	if (b <= a)
		return 0;
	if (never_closed(c))
		return b - a;
	struct walk w;
	walk_start(&w, c, a);
	int64_t s, e, total = 0;
	while (walk_next(&w, &s, &e) && s < b) {
		if (s < a)
			s = a;
		if (e > b)
			e = b;
		if (e > s)
			total += e - s;
	}
	return total;
}

/* Backwards: the latest x with n business seconds in [x, t). Business time
 * never runs faster than the clock, so x <= t - n; widen the step until
 * enough is covered, then halve. Rare (a clock already past its target). */
static int64_t add_backwards(const struct bt_calendar *c, int64_t t, int64_t n)
{
	int64_t lo = t - n, step = n > DAY ? n : DAY;
	for (int i = 0; i < 12 && bt_between(c, lo, t) < n; i++, step *= 2)
		lo -= step;
	if (bt_between(c, lo, t) < n)
		return t - n;
	int64_t hi = t - n; /* between(lo, t) >= n; find the largest such point */
	while (lo < hi) {
		int64_t mid = lo + (hi - lo + 1) / 2;
		if (bt_between(c, mid, t) >= n)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int64_t bt_add(const struct bt_calendar *c, int64_t t, int64_t n)
{
	if (n == 0 || never_closed(c))
		return t + n;
	if (n < 0)
		return add_backwards(c, t, -n);
	struct walk w;
	walk_start(&w, c, t);
	int64_t s, e;
	while (walk_next(&w, &s, &e)) {
		if (e <= t)
			continue;
		if (s < t)
			s = t;
		if (n <= e - s)
			return s + n;
		n -= e - s;
	}
	return t + n; /* nothing open within SEARCH_DAYS: count it as clock time */
}

bool bt_is_open(const struct bt_calendar *c, int64_t t)
{
	return bt_between(c, t, t + 1) == 1;
}

/* ---- Brazil's national holidays ---- */

/* Easter Sunday (Gregorian), by the anonymous algorithm of 1876. */
static int32_t easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
	int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return bt_days_from_civil(y, month, day);
}

int bt_brazil_holidays(int year, struct bt_holiday *out, int max)
{
	static const struct {
		int month, day;
		const char *name;
	} fixed[] = {
		{1, 1, "Confraternização Universal"},
		{4, 21, "Tiradentes"},
		{5, 1, "Dia do Trabalho"},
		{9, 7, "Independência do Brasil"},
		{10, 12, "Nossa Senhora Aparecida"},
		{11, 2, "Finados"},
		{11, 15, "Proclamação da República"},
		{11, 20, "Dia Nacional de Zumbi e da Consciência Negra"}, /* Lei 14.759/2023 */
		{12, 25, "Natal"},
	};
	struct bt_holiday all[16];
	int n = 0;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (fixed[i].month == 11 && fixed[i].day == 20 && year < 2024)
			continue;
		all[n++] = (struct bt_holiday){bt_days_from_civil(year, fixed[i].month, fixed[i].day),
		                               fixed[i].name};
	}
	all[n++] = (struct bt_holiday){easter(year) - 2, "Sexta-feira Santa"};
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && all[j].day < all[j - 1].day; j--) {
			struct bt_holiday t = all[j];
			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	if (n > max)
		n = max;
	memcpy(out, all, (size_t)n * sizeof *out);
	return n;
}
