#include <criterion/criterion.h>
#include <string.h>

#include "http/header.h"

static arena *a;
static void setup(void) { a = arena_new(1024); }
static void teardown(void) { arena_free(a); }
TestSuite(header, .init = setup, .fini = teardown);

Test(header, reads_a_bearer_token_after_any_spaces)
{
	const char *email, *token;
	cr_assert(header_authorization(a, "bearer   abc", &email, &token));
	cr_expect_null(email);
	cr_expect_str_eq(token, "abc");
}

Test(header, reads_email_and_token_of_basic_split_at_the_first_token_marker)
{
	const char *email, *token;
	/* base64("ana@example.com/token:x/token:y") */
	cr_assert(header_authorization(a, "Basic YW5hQGV4YW1wbGUuY29tL3Rva2VuOngvdG9rZW46eQ==", &email, &token));
	cr_expect_str_eq(email, "ana@example.com");
	cr_expect_str_eq(token, "x/token:y");
}

Test(header, refuses_other_schemes_bad_base64_a_nul_inside_and_no_marker)
{
	const char *email = "x", *token = "x";
	cr_expect_not(header_authorization(a, NULL, &email, &token));
	cr_expect_not(header_authorization(a, "Digest abc", &email, &token));
	cr_expect_not(header_authorization(a, "Basic ***", &email, &token));
	cr_expect_not(header_authorization(a, "Basic YQB0b2tlbjp4", &email, &token)); /* "a\0token:x" */
	cr_expect_not(header_authorization(a, "Basic YWJj", &email, &token));         /* "abc" */
	cr_expect_null(email);
	cr_expect_null(token);
}

Test(header, refuses_an_authorization_header_over_its_cap)
{
	char big[HEADER_AUTHORIZATION_MAX + 16];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "Bearer ", 7);
	const char *email, *token;
	cr_expect_not(header_authorization(a, big, &email, &token));
}

Test(header, matches_a_content_type_with_or_without_parameters_in_any_case)
{
	cr_expect(header_content_type_is("Multipart/Form-Data; boundary=x", "multipart/form-data"));
	cr_expect(header_content_type_is("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"));
	cr_expect_not(header_content_type_is("multipart/form-datax", "multipart/form-data"));
	cr_expect_not(header_content_type_is(NULL, "multipart/form-data"));
}

Test(header, accepts_a_coding_a_browser_lists_in_any_case_and_spacing)
{
	cr_expect(header_accepts_coding("gzip, deflate, br, zstd", "br"));
	cr_expect(header_accepts_coding("gzip, deflate, br, zstd", "gzip"));
	cr_expect(header_accepts_coding("  GZIP ;q=0.8,br", "gzip"));
	cr_expect(header_accepts_coding("br;q=0.5", "br"));
}

Test(header, refuses_a_coding_unnamed_or_given_q_zero)
{
	cr_expect_not(header_accepts_coding(NULL, "gzip"));
	cr_expect_not(header_accepts_coding("", "gzip"));
	cr_expect_not(header_accepts_coding("x-gzip, gzip2, deflate", "gzip"));
	cr_expect_not(header_accepts_coding("gzip;q=1.0, br;q=0", "br"));
	cr_expect_not(header_accepts_coding("br; q=0.000", "br"));
	cr_expect(header_accepts_coding("br;q=0, gzip", "gzip"), "q=0 of br is not gzip's");
}
