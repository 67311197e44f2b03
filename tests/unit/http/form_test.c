#include <criterion/criterion.h>
#include <string.h>

#include "http/form.h"

static arena *a;
static void setup(void) { a = arena_new(1024); }
static void teardown(void) { arena_free(a); }
TestSuite(form, .init = setup, .fini = teardown);

static int parse(const char *s, struct kvlist *l)
{
	memset(l, 0, sizeof *l);
	return form_parse_urlencoded(a, s, strlen(s), 100, l);
}

Test(form, decodes_percent_escapes_and_plus_as_space)
{
	struct kvlist l;
	cr_assert_eq(parse("assunto=Site+fora%20do+ar&x=100%25", &l), FORM_OK);
	cr_assert_str_eq(kv_get(&l, "assunto"), "Site fora do ar");
	cr_assert_str_eq(kv_get(&l, "x"), "100%");
}

Test(form, decodes_utf8_accents)
{
	struct kvlist l;
	cr_assert_eq(parse("dep=Suporte+T%C3%A9cnico", &l), FORM_OK);
	cr_assert_str_eq(kv_get(&l, "dep"), "Suporte Técnico");
}

Test(form, keeps_repeated_keys_in_order)
{
	struct kvlist l;
	cr_assert_eq(parse("status=open&status=closed&q=", &l), FORM_OK);
	cr_assert_eq(kv_count(&l, "status"), 2);
	cr_assert_str_eq(l.head->value, "open");
	cr_assert_str_eq(l.head->next->value, "closed");
	cr_assert_str_eq(kv_get(&l, "q"), "");
}

Test(form, gives_an_empty_value_to_a_key_without_equals_and_skips_empty_pieces)
{
	struct kvlist l;
	cr_assert_eq(parse("a&&b=2&", &l), FORM_OK);
	cr_assert_eq(l.count, 2);
	cr_assert_str_eq(kv_get(&l, "a"), "");
	cr_assert_str_eq(kv_get(&l, "b"), "2");
}

Test(form, rejects_malformed_escapes)
{
	struct kvlist l;
	cr_assert_eq(parse("a=%zz", &l), FORM_BAD_ENCODING);
	cr_assert_eq(parse("a=%4", &l), FORM_BAD_ENCODING);
	cr_assert_eq(parse("a=%", &l), FORM_BAD_ENCODING);
}

Test(form, rejects_invalid_utf8_and_encoded_nul)
{
	struct kvlist l;
	cr_assert_eq(parse("a=%C3%28", &l), FORM_BAD_ENCODING);      /* bad continuation */
	cr_assert_eq(parse("a=%C0%AF", &l), FORM_BAD_ENCODING);      /* overlong */
	cr_assert_eq(parse("a=%ED%A0%80", &l), FORM_BAD_ENCODING);   /* surrogate */
	cr_assert_eq(parse("a=%FF", &l), FORM_BAD_ENCODING);
	cr_assert_eq(parse("a=x%00y", &l), FORM_BAD_ENCODING);
	cr_assert_eq(parse("%C3=1", &l), FORM_BAD_ENCODING);          /* in the key too */
}

Test(form, stops_at_the_field_cap)
{
	struct kvlist l = {0};
	const char *s = "a=1&b=2&c=3";
	cr_assert_eq(form_parse_urlencoded(a, s, strlen(s), 2, &l), FORM_TOO_MANY);
}

Test(form, path_decoding_keeps_plus)
{
	int why = 0;
	char *p = form_decode(a, "/kb/c%2B%2B+x", 13, false, &why);
	cr_assert_not_null(p);
	cr_assert_str_eq(p, "/kb/c+++x");
}
