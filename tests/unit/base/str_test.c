#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>

#include "base/str.h"

Test(str, accepts_valid_utf8)
{
	const char *s = "Serviço Relacionado — açaí 😀";
	cr_assert(str_utf8_valid(s, strlen(s)));
}

Test(str, rejects_truncated_overlong_and_surrogate_utf8)
{
	cr_assert(!str_utf8_valid("\xC3", 1));
	cr_assert(!str_utf8_valid("\xE2\x82", 2));
	cr_assert(!str_utf8_valid("\xC0\xAF", 2));
	cr_assert(!str_utf8_valid("\xED\xA0\x80", 3));
	cr_assert(!str_utf8_valid("\xF4\x90\x80\x80", 4));
}

Test(str, trims_white_space_on_both_sides)
{
	char s[] = "  \t Assunto  \n";
	cr_assert_str_eq(str_trim(s), "Assunto");
}

Test(str, counts_code_points)
{
	cr_assert_eq(str_utf8_length("Média"), 5);
}

Test(str, parses_whole_numbers_within_bounds_only)
{
	int64_t v;
	cr_assert(str_to_int64("482913", 0, 999999, &v));
	cr_assert_eq(v, 482913);
	cr_assert(!str_to_int64("12x", 0, 100, &v));
	cr_assert(!str_to_int64("", 0, 100, &v));
	cr_assert(!str_to_int64(" 1", 0, 100, &v));
	cr_assert(!str_to_int64("101", 0, 100, &v));
	cr_assert(!str_to_int64("99999999999999999999", 0, INT64_MAX, &v));
}

Test(str, writes_integers_in_decimal_as_printf_does)
{
	static const int64_t values[] = {0, 7, -7, 10, 999, 1000, -1000, 1796282729, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char got[STR_INT64_MAX], want[32];
		snprintf(want, sizeof want, "%" PRId64, values[i]);
		cr_assert_str_eq(str_from_int64(got, values[i]), want);
	}
}

/* FNV-1a 64's published values: the asset versions in page URLs depend on it. */
Test(str, hashes_as_fnv1a_64)
{
	cr_assert_eq(str_hash("", 0), UINT64_C(0xcbf29ce484222325));
	cr_assert_eq(str_hash("a", 1), UINT64_C(0xaf63dc4c8601ec8c));
	cr_assert_eq(str_hash("foobar", 6), UINT64_C(0x85944171f73967e8));
}
