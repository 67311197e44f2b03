/* Business-time arithmetic against answers worked out by hand on a
 * calendar: São Paulo (UTC−3, no daylight saving since 2019), Monday to
 * Friday 08:00–12:00 and 13:00–18:00. 2026-12-01 is a Tuesday; Christmas
 * 2026 is a Friday. */
#include <criterion/criterion.h>
#include <string.h>

#include "domain/business_time.h"

static const int64_t MIN = 60, HOUR = 3600;

/* A local São Paulo time (UTC−3 in 2026) as a Unix instant. */
static int64_t sp(int y, int mo, int d, int h, int mi)
{
	return (int64_t)bt_days_from_civil(y, mo, d) * 86400 + h * HOUR + mi * MIN + 3 * HOUR;
}

static struct bt_calendar office(void)
{
	struct bt_calendar c;
	memset(&c, 0, sizeof c);
	c.zone = bt_zone_get("America/Sao_Paulo");
	cr_assert_not_null(c.zone);
	for (int w = 1; w <= 5; w++) {
		cr_assert(bt_parse_ranges("08:00-12:00, 13:00-18:00", c.hours[w], &c.nhours[w]));
		cr_assert_eq(c.nhours[w], 2);
	}
	return c;
}

static struct bt_calendar night_shift(void)
{
	struct bt_calendar c;
	memset(&c, 0, sizeof c);
	c.zone = bt_zone_get("America/Sao_Paulo");
	for (int w = 0; w < 7; w++)
		cr_assert(bt_parse_ranges("22:00-06:00", c.hours[w], &c.nhours[w]));
	return c;
}

Test(business_time, adds_within_one_range)
{
	struct bt_calendar c = office();
	cr_assert_eq(bt_add(&c, sp(2026, 12, 1, 10, 0), 60 * MIN), sp(2026, 12, 1, 11, 0));
}

Test(business_time, skips_the_lunch_break)
{
	struct bt_calendar c = office();
	cr_assert_eq(bt_add(&c, sp(2026, 12, 1, 11, 30), 60 * MIN), sp(2026, 12, 1, 13, 30));
}

Test(business_time, ends_exactly_at_closing_time_not_the_next_morning)
{
	struct bt_calendar c = office();
	cr_assert_eq(bt_add(&c, sp(2026, 12, 1, 17, 0), 60 * MIN), sp(2026, 12, 1, 18, 0));
}

Test(business_time, carries_over_to_the_next_morning)
{
	struct bt_calendar c = office();
	cr_assert_eq(bt_add(&c, sp(2026, 12, 1, 17, 0), 120 * MIN), sp(2026, 12, 2, 9, 0));
}

Test(business_time, starts_counting_at_opening_time)
{
	struct bt_calendar c = office();
	cr_assert_eq(bt_add(&c, sp(2026, 12, 1, 6, 0), 30 * MIN), sp(2026, 12, 1, 8, 30));
}

Test(business_time, skips_the_weekend)
{
	struct bt_calendar c = office();
	/* Friday 17:00 + 2 h: one hour on Friday, one on Monday. */
	cr_assert_eq(bt_add(&c, sp(2026, 12, 4, 17, 0), 120 * MIN), sp(2026, 12, 7, 9, 0));
	cr_assert_eq(bt_between(&c, sp(2026, 12, 4, 17, 0), sp(2026, 12, 7, 9, 0)), 120 * MIN);
}

Test(business_time, skips_a_holiday_and_the_weekend_after_it)
{
	struct bt_calendar c = office();
	cr_assert(bt_parse_date("25/12/2026", &c.holidays[0]));
	c.nholidays = 1;
	/* Thursday 24th 17:00 + 2 h: Friday is Christmas, then the weekend. */
	cr_assert_eq(bt_add(&c, sp(2026, 12, 24, 17, 0), 120 * MIN), sp(2026, 12, 28, 9, 0));
	cr_assert_eq(bt_between(&c, sp(2026, 12, 24, 17, 0), sp(2026, 12, 28, 9, 0)), 120 * MIN);
}

Test(business_time, counts_the_minutes_between_two_instants)
{
	struct bt_calendar c = office();
	/* Tue 10–12 (2 h) + 13–18 (5 h) + Wed 8–10 (2 h) = 9 h. */
	cr_assert_eq(bt_between(&c, sp(2026, 12, 1, 10, 0), sp(2026, 12, 2, 10, 0)), 540 * MIN);
	cr_assert_eq(bt_between(&c, sp(2026, 12, 1, 12, 10), sp(2026, 12, 1, 12, 50)), 0);
	cr_assert_eq(bt_between(&c, sp(2026, 12, 2, 10, 0), sp(2026, 12, 1, 10, 0)), 0);
}

Test(business_time, goes_backwards_for_a_negative_amount)
{
	struct bt_calendar c = office();
	cr_assert_eq(bt_add(&c, sp(2026, 12, 2, 9, 0), -120 * MIN), sp(2026, 12, 1, 17, 0));
	cr_assert_eq(bt_add(&c, sp(2026, 12, 7, 8, 30), -60 * MIN), sp(2026, 12, 4, 17, 30));
}

Test(business_time, overnight_ranges_run_past_midnight)
{
	struct bt_calendar c = night_shift();
	cr_assert_eq(bt_add(&c, sp(2026, 12, 1, 23, 0), 120 * MIN), sp(2026, 12, 2, 1, 0));
	/* Tue 05:00: one hour left of Monday's night, the next at 22:00. */
	cr_assert_eq(bt_add(&c, sp(2026, 12, 1, 5, 0), 120 * MIN), sp(2026, 12, 1, 23, 0));
	cr_assert_eq(bt_between(&c, sp(2026, 12, 1, 5, 0), sp(2026, 12, 1, 23, 0)), 120 * MIN);
}

Test(business_time, an_overnight_range_belongs_to_the_day_it_starts)
{
	struct bt_calendar c = night_shift();
	cr_assert(bt_parse_date("2026-12-25", &c.holidays[0]));
	c.nholidays = 1;
	/* Thursday night runs into Christmas morning; Christmas night stays shut. */
	cr_assert_eq(bt_between(&c, sp(2026, 12, 25, 0, 0), sp(2026, 12, 26, 12, 0)), 6 * HOUR);
	cr_assert(bt_is_open(&c, sp(2026, 12, 25, 5, 59)));
	cr_assert_not(bt_is_open(&c, sp(2026, 12, 25, 23, 0)));
}

Test(business_time, overlapping_ranges_of_two_days_count_once)
{
	struct bt_calendar c;
	memset(&c, 0, sizeof c);
	c.zone = bt_zone_get("America/Sao_Paulo");
	cr_assert(bt_parse_ranges("20:00-02:00", c.hours[2], &c.nhours[2]));  /* Tuesday */
	cr_assert(bt_parse_ranges("00:00-04:00", c.hours[3], &c.nhours[3]));  /* Wednesday */
	cr_assert_eq(bt_between(&c, sp(2026, 12, 1, 0, 0), sp(2026, 12, 3, 0, 0)), 8 * HOUR);
}

Test(business_time, twenty_four_by_seven_counts_every_second)
{
	struct bt_calendar c = office();
	c.always_open = true;
	cr_assert_eq(bt_add(&c, sp(2026, 12, 5, 23, 0), 90 * MIN), sp(2026, 12, 6, 0, 30));
	cr_assert_eq(bt_between(&c, sp(2026, 12, 5, 0, 0), sp(2026, 12, 6, 0, 0)), 24 * HOUR);
}

Test(business_time, reads_offsets_from_the_tz_database)
{
	const struct bt_zone *z = bt_zone_get("America/Sao_Paulo");
	cr_assert_not_null(z);
	cr_assert_eq(bt_zone_offset(z, sp(2026, 1, 15, 12, 0)), -3 * HOUR); /* no DST since 2019 */
	cr_assert_eq(bt_zone_offset(z, (int64_t)bt_days_from_civil(2018, 12, 15) * 86400), -2 * HOUR);
	cr_assert_eq(bt_zone_offset(bt_zone_get("America/Manaus"), sp(2026, 6, 1, 12, 0)), -4 * HOUR);
	cr_assert_null(bt_zone_get("../etc/passwd"));
	cr_assert_null(bt_zone_get("Nowhere/Atlantis"));
	cr_assert_eq(bt_zone_get("America/Sao_Paulo"), z, "a zone is loaded once");
}

Test(business_time, follows_daylight_saving_in_the_years_brazil_had_it)
{
	struct bt_calendar c = office();
	/* Monday 2018-12-03 was in summer time (UTC−2): 10:00 local = 12:00 UTC. */
	int64_t mon10 = (int64_t)bt_days_from_civil(2018, 12, 3) * 86400 + 12 * HOUR;
	cr_assert(bt_is_open(&c, mon10));
	cr_assert_eq(bt_add(&c, mon10 + 7 * HOUR, 120 * MIN), mon10 + 23 * HOUR);
}

Test(business_time, parses_opening_hours)
{
	struct bt_range r[BT_RANGES_PER_DAY];
	int n;
	cr_assert(bt_parse_ranges("13:00-18:00,08:00-12:00", r, &n));
	cr_assert_eq(n, 2);
	cr_assert_eq(r[0].start, 8 * 60, "sorted by start");
	cr_assert(bt_parse_ranges("", r, &n));
	cr_assert_eq(n, 0);
	cr_assert(bt_parse_ranges("00:00-24:00", r, &n));
	cr_assert(bt_parse_ranges("22:00 – 06:00", r, &n));
	cr_assert_eq(r[0].end, 6 * 60);
	cr_assert_not(bt_parse_ranges("08:00-12:30, 12:00-13:00", r, &n), "overlap");
	cr_assert_not(bt_parse_ranges("25:00-26:00", r, &n));
	cr_assert_not(bt_parse_ranges("08:00-08:00", r, &n));
	cr_assert_not(bt_parse_ranges("8h-12h", r, &n));
}

Test(business_time, parses_dates_both_ways_and_refuses_impossible_ones)
{
	int32_t d;
	cr_assert(bt_parse_date("31/12/2026", &d));
	int y, m, day;
	bt_civil_from_days(d, &y, &m, &day);
	cr_assert(y == 2026 && m == 12 && day == 31);
	cr_assert(bt_parse_date("2027-02-28", &d));
	cr_assert_not(bt_parse_date("29/02/2027", &d));
	cr_assert_not(bt_parse_date("2026-13-01", &d));
	cr_assert_not(bt_parse_date("amanhã", &d));
}

Test(business_time, knows_brazils_national_holidays)
{
	struct bt_holiday h[16];
	int n = bt_brazil_holidays(2026, h, 16);
	cr_assert_eq(n, 10);
	cr_assert_eq(h[0].day, bt_days_from_civil(2026, 1, 1));
	cr_assert_eq(h[1].day, bt_days_from_civil(2026, 4, 3), "Good Friday 2026");
	cr_assert_str_eq(h[1].name, "Sexta-feira Santa");
	n = bt_brazil_holidays(2027, h, 16);
	cr_assert_eq(h[1].day, bt_days_from_civil(2027, 3, 26), "Good Friday 2027");
	cr_assert_eq(h[n - 1].day, bt_days_from_civil(2027, 12, 25));
}
