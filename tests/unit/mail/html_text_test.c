/* HTML to text for inbound email (mail/html_text.c, libxml2's parser). */
#include <criterion/criterion.h>
#include <string.h>

#include "base/str.h"
#include "mail/html_text.h"

static arena *a;

static void setup(void)
{
	a = arena_new(65536);
}

static void teardown(void)
{
	arena_free(a);
}

TestSuite(html_text, .init = setup, .fini = teardown);

static const char *text(const char *html)
{
	return html_text_convert(a, html, strlen(html), 100000);
}

Test(html_text, every_html5_entity_is_decoded)
{
	cr_assert_str_eq(text("&szlig;&auml; &ni; &Psi; &NotEqualTilde; &fjlig; &copy 2024 &amp;c"),
	                 "ßä ∋ Ψ ≂̸ fj © 2024 &c");
	cr_assert_str_eq(text("&bogus; 3 < 4 &#150; &#x1F600; &#0;"),
	                 "&bogus; 3 < 4 – 😀 \xef\xbf\xbd");
}

Test(html_text, doctype_comments_head_script_and_style_go)
{
	cr_assert_str_eq(text("<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head>"
	                      "<body><!-- hidden --><script>x()</script><p>Oi</p></body></html>"),
	                 "Oi");
}

Test(html_text, blocks_lists_links_and_quotes)
{
	cr_assert_str_eq(text("<div>a</div><div>b<br>c</div><ul><li>um</li><li>dois</li></ul>"),
	                 "a\nb\nc\n- um\n- dois");
	cr_assert_str_eq(
	    text("<a href=\"https://x.example/p\">site</a> <a href=\"https://x.example/\">"
	         "https://x.example/</a> <a href=\"javascript:evil()\">js</a>"),
	    "site (https://x.example/p) https://x.example/ js");
	cr_assert_str_eq(text("<a href=\"http://www.x.example/\">www.x.example</a>"),
	                 "www.x.example");
	cr_assert_str_eq(
	    text("<p>eu</p><blockquote>voce<blockquote>antes</blockquote></blockquote>"),
	    "eu\n\n> voce\n> > antes");
}

Test(html_text, the_output_has_a_cap_and_stays_utf8)
{
	const char *t = html_text_convert(a, "<p>ação ação ação ação</p>", 32, 7);
	cr_assert_leq(strlen(t), 7);
	cr_assert(str_utf8_valid(t, strlen(t)));
}

Test(html_text, a_document_charset_hint_is_ignored)
{
	cr_assert_str_eq(text("<meta charset=\"iso-8859-1\"><p>ação</p>"), "ação");
}
