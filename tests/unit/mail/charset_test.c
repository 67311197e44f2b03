/* Charset conversion of inbound email (mail/charset.c): labels read as
 * their supersets, bad bytes as U+FFFD with the rest kept, unlabelled
 * bytes guessed. */
#include <criterion/criterion.h>
#include <string.h>

#include "mail/charset.h"

static arena *a;

static void setup(void)
{
	a = arena_new(65536);
}

static void teardown(void)
{
	arena_free(a);
}

TestSuite(charset, .init = setup, .fini = teardown);

Test(charset, labels_are_read_as_their_supersets)
{
	cr_assert_str_eq(charset_canonical("gb2312"), "GB18030");
	cr_assert_str_eq(charset_canonical("GBK"), "GB18030");
	cr_assert_str_eq(charset_canonical("ks_c_5601-1987"), "CP949");
	cr_assert_str_eq(charset_canonical("euc-kr"), "CP949");
	cr_assert_str_eq(charset_canonical("ISO-8859-1"), "WINDOWS-1252");
	cr_assert_str_eq(charset_canonical("us-ascii"), "WINDOWS-1252");
	cr_assert_str_eq(charset_canonical("Shift_JIS"), "CP932");
	cr_assert_str_eq(charset_canonical("\"iso-2022-jp\""), "ISO-2022-JP");
	cr_assert_str_eq(charset_canonical("cp-850"), "CP850");
	cr_assert_str_eq(charset_canonical("x-cp1251"), "CP1251");
	cr_assert_str_eq(charset_canonical("win-1251"), "CP1251");
	cr_assert_str_eq(charset_canonical("ibm_850"), "CP850");
	cr_assert_str_eq(charset_canonical("iso8859-2"), "ISO8859-2");
	cr_assert_str_eq(charset_canonical("unicode-1-1-utf-7"), "UTF-7");
	cr_assert_null(charset_canonical("no-such-charset"));
	cr_assert_null(charset_canonical(""));
}

Test(charset, one_bad_byte_costs_one_character)
{
	/* GBK "前面" 0x80 "后面": 0x80 is no GBK byte. */
	const char gbk[] = "\xc7\xb0\xc3\xe6\x80\xba\xf3\xc3\xe6";
	cr_assert_str_eq(charset_to_utf8(a, gbk, sizeof gbk - 1, "gb2312", NULL),
	                 "前面\xef\xbf\xbd后面");
	/* A GBK-only character under a gb2312 label. */
	cr_assert_str_eq(charset_to_utf8(a, "\xe9\x46", 2, "gb2312", NULL), "镕");
	/* CP949's extension under a ks_c_5601-1987 label. */
	cr_assert_str_eq(charset_to_utf8(a, "\x8c\x63", 2, "ks_c_5601-1987", NULL), "똠");
	/* Windows-1252 under an ISO-8859-1 label, a byte it has not (0x81). */
	cr_assert_str_eq(charset_to_utf8(a, "\x93ok\x94 \x80\x81", 7, "iso-8859-1", NULL),
	                 "“ok” €\xef\xbf\xbd");
}

Test(charset, iso_2022_jp_has_the_nec_and_ibm_rows)
{
	/* ESC $ B, NEC row 13 "①" (2D21), IBM row 89 "纊" (7921), "あ", ESC ( B, "x" */
	const char jis[] = "\x1b$B-!y!$\"\x1b(Bx";
	cr_assert_str_eq(charset_to_utf8(a, jis, sizeof jis - 1, "ISO-2022-JP", NULL), "①纊あx");
}

Test(charset, line_ends_are_lf_and_controls_go)
{
	cr_assert_str_eq(charset_to_utf8(a, "a\r\nb\rc\x01\x7f\td", 10, "utf-8", NULL),
	                 "a\nb\nc\td");
}

Test(charset, unlabelled_bytes_are_guessed)
{
	const char *latin = "A solicita\xe7\xe3o est\xe1 pendente.";
	cr_assert_str_eq(charset_guess(latin, strlen(latin), NULL), "WINDOWS-1252");
	cr_assert_str_eq(charset_guess("plain ascii", 11, NULL), "UTF-8");
	cr_assert_str_eq(charset_guess("ol\xc3\xa1", 4, NULL), "UTF-8");
	/* GBK bytes, and a hint that says so. */
	const char gbk[] = "\xc7\xb0\xc3\xe6";
	const char *hints[] = {"koi8-r", "gb2312", NULL};
	/* Multi-byte hints first: a single-byte one decodes anything. */
	cr_assert_str_eq(charset_guess(gbk, 4, hints), "GB18030");
	const char *single[] = {"koi8-r", NULL};
	cr_assert_str_eq(charset_guess(gbk, 4, single), "KOI8-R");
	/* Russian in Windows-1251 without any label. */
	const char ru[] = "\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0, \xea\xe0\xea \xe4\xe5\xeb\xe0?";
	cr_assert_str_eq(charset_to_utf8(a, ru, sizeof ru - 1, NULL, NULL),
	                 "Привет мир, как дела?");
}
