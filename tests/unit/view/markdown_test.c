#include <criterion/criterion.h>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The .c itself, as h2o's unit tests do, so that the entity decoder and the
 * rewriting pass can be fed HTML that today's md4c never writes (it decodes
 * entities in URLs itself and writes only &amp;). The test's definitions win
 * over libchamado's copy, which is then never linked in. */
#include "view/markdown.c"

#define A_REL "<a rel=\"nofollow noopener noreferrer\""
#define TEST_MAX (1u << 20)

/* Renders src into a fresh buffer and returns the HTML; the caller frees. */
static char *render(const char *src)
{
	buf out;
	buf_init(&out, TEST_MAX);
	cr_assert_eq(markdown_render(src, strlen(src), &out), 0, "render failed: %s", src);
	return buf_take(&out);
}

static void expect_html(const char *src, const char *expected)
{
	char *html = render(src);
	cr_expect_str_eq(html, expected, "source: %s", src);
	free(html);
}

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- raw HTML in the source ---- */

Test(markdown, escapes_raw_script_tags)
{
	expect_html("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
}

Test(markdown, escapes_raw_images_with_event_handlers)
{
	expect_html("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
}

Test(markdown, escapes_raw_links)
{
	expect_html("<a href=\"javascript:alert(1)\">x</a>",
	            "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>\n");
}

/* ---- disallowed URLs become "#" ---- */

Test(markdown, blanks_javascript_links)
{
	expect_html("[x](javascript:alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_javascript_links_in_capitals_and_mixed_case)
{
	expect_html("[x](JAVASCRIPT:alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
	expect_html("[x](JaVaScRiPt:alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_javascript_split_by_an_encoded_tab_or_newline)
{
	expect_html("[x](java&#x09;script:alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
	expect_html("[x](java&NewLine;script:alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
	expect_html("[x](&Tab;javascript:alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_javascript_spelled_with_a_numeric_entity)
{
	expect_html("[x](&#106;avascript:alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_javascript_with_an_entity_colon)
{
	expect_html("[x](javascript&colon;alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
	expect_html("[x](javascript&#58;alert(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_javascript_images)
{
	expect_html("![i](javascript:alert(1))", "<p><img src=\"#\" alt=\"i\"></p>\n");
}

Test(markdown, blanks_data_links)
{
	expect_html("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	            "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_vbscript_and_file_links)
{
	expect_html("[x](vbscript:msgbox(1))", "<p>" A_REL " href=\"#\">x</a></p>\n");
	expect_html("[x](file:///etc/passwd)", "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_javascript_autolinks)
{
	expect_html("<javascript:alert(1)>",
	            "<p>" A_REL " href=\"#\">javascript:alert(1)</a></p>\n");
}

Test(markdown, blanks_javascript_reference_links)
{
	expect_html("[x][r]\n\n[r]: javascript:alert(1)\n", "<p>" A_REL " href=\"#\">x</a></p>\n");
}

Test(markdown, blanks_both_urls_of_an_image_inside_a_link)
{
	expect_html("[![i](javascript:a)](javascript:b)",
	            "<p>" A_REL " href=\"#\"><img src=\"#\" alt=\"i\"></a></p>\n");
}

/* ---- allowed URLs survive exactly ---- */

Test(markdown, keeps_https_links_with_the_ampersand_escaped)
{
	expect_html("[x](https://exemplo.com.br/a?b=1&c=2)",
	            "<p>" A_REL " href=\"https://exemplo.com.br/a?b=1&amp;c=2\">x</a></p>\n");
	expect_html("https://exemplo.com.br/a?b=1&c=2",
	            "<p>" A_REL " href=\"https://exemplo.com.br/a?b=1&amp;c=2\">"
	            "https://exemplo.com.br/a?b=1&amp;c=2</a></p>\n");
}

Test(markdown, keeps_http_links)
{
	expect_html("[x](http://exemplo.com.br/chamados/42)",
	            "<p>" A_REL " href=\"http://exemplo.com.br/chamados/42\">x</a></p>\n");
}

Test(markdown, keeps_mailto_links)
{
	expect_html("[Ana](mailto:ana@exemplo.com.br)",
	            "<p>" A_REL " href=\"mailto:ana@exemplo.com.br\">Ana</a></p>\n");
	expect_html("ana@exemplo.com.br",
	            "<p>" A_REL " href=\"mailto:ana@exemplo.com.br\">ana@exemplo.com.br</a></p>\n");
}

Test(markdown, keeps_relative_links)
{
	expect_html("[a](/kb/artigo-1) [b](#sec) [c](relative/path)",
	            "<p>" A_REL " href=\"/kb/artigo-1\">a</a> " A_REL " href=\"#sec\">b</a> " A_REL
	            " href=\"relative/path\">c</a></p>\n");
}

Test(markdown, keeps_allowed_image_urls_and_titles)
{
	expect_html("![logo](https://exemplo.com.br/logo.png \"Logotipo\")",
	            "<p><img src=\"https://exemplo.com.br/logo.png\" alt=\"logo\" "
	            "title=\"Logotipo\"></p>\n");
}

Test(markdown, leaves_a_title_that_mentions_src_alone)
{
	expect_html("[x](/ok \"src=\\\"javascript:x\\\"\")",
	            "<p>" A_REL " href=\"/ok\" title=\"src=&quot;javascript:x&quot;\">x</a></p>\n");
}

Test(markdown, leaves_plain_text_that_looks_like_an_attribute_alone)
{
	expect_html(
	    "href=\"javascript:x\" `src=\"javascript:x\"`",
	    "<p>href=&quot;javascript:x&quot; <code>src=&quot;javascript:x&quot;</code></p>\n");
}

Test(markdown, adds_rel_to_every_link)
{
	char *html = render("[a](/a) <https://b.example> www.c.example [d](javascript:d)");
	cr_expect_eq(count(html, "<a "), 4, "%s", html);
	cr_expect_eq(count(html, A_REL), 4, "%s", html);
	free(html);
}

/* ---- ordinary Markdown ---- */

Test(markdown, renders_emphasis_and_lists)
{
	expect_html("*um* **dois** ~~três~~\n\n- a\n- b\n",
	            "<p><em>um</em> <strong>dois</strong> <del>três</del></p>\n"
	            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
}

Test(markdown, escapes_angle_brackets_in_code_blocks)
{
	expect_html("```\nif (a < b && c > d) puts(\"<b>\");\n```\n",
	            "<pre><code>if (a &lt; b &amp;&amp; c &gt; d) puts(&quot;&lt;b&gt;&quot;);\n"
	            "</code></pre>\n");
}

Test(markdown, renders_tables)
{
	expect_html("| Status | Total |\n|---|---:|\n| Aberto | 3 |\n",
	            "<table>\n<thead>\n<tr>\n<th>Status</th>\n<th align=\"right\">Total</th>\n"
	            "</tr>\n</thead>\n<tbody>\n<tr>\n<td>Aberto</td>\n"
	            "<td align=\"right\">3</td>\n</tr>\n</tbody>\n</table>\n");
}

Test(markdown, renders_a_pt_br_paragraph_with_accents)
{
	expect_html("Olá! A solução está no artigo \"Configuração de e-mail\", seção 2.",
	            "<p>Olá! A solução está no artigo &quot;Configuração de e-mail&quot;, "
	            "seção 2.</p>\n");
}

Test(markdown, reads_only_len_bytes_of_the_source)
{
	buf out;
	buf_init(&out, TEST_MAX);
	cr_assert_eq(markdown_render("*a*<script>", 3, &out), 0);
	cr_expect_str_eq(buf_str(&out), "<p><em>a</em></p>\n");
	buf_free(&out);
}

/* ---- the buffer ---- */

Test(markdown, gives_empty_output_for_empty_input)
{
	buf out;
	buf_init(&out, TEST_MAX);
	cr_assert_eq(markdown_render("", 0, &out), 0);
	cr_expect_eq(out.len, 0);
	cr_expect_str_eq(buf_str(&out), "");
	buf_free(&out);
}

Test(markdown, appends_to_what_out_already_holds)
{
	buf out;
	buf_init(&out, TEST_MAX);
	cr_assert_eq(buf_puts(&out, "<div>"), BUF_OK);
	cr_assert_eq(markdown_render("*a*", 3, &out), 0);
	cr_expect_str_eq(buf_str(&out), "<div><p><em>a</em></p>\n");
	buf_free(&out);
}

Test(markdown, fails_past_the_cap_and_leaves_out_unchanged)
{
	static const char src[] = "Um parágrafo longo o bastante para passar do limite. [x](/kb/1)";
	buf out;
	buf_init(&out, 40);
	cr_assert_eq(buf_puts(&out, "antes"), BUF_OK);
	cr_expect_eq(markdown_render(src, strlen(src), &out), -1);
	cr_expect_eq(out.len, 5);
	cr_expect_str_eq(buf_str(&out), "antes");
	buf_free(&out);
}

Test(markdown, fits_exactly_at_the_cap_counting_what_out_holds)
{
	static const char src[] = "[x](/kb/1) e [y](javascript:alert(1))";
	char *html = render(src);
	size_t need = strlen(html);
	buf out;

	buf_init(&out, need + 3);
	cr_assert_eq(buf_puts(&out, "abc"), BUF_OK);
	cr_expect_eq(markdown_render(src, strlen(src), &out), 0);
	cr_expect_eq(out.len, need + 3);
	buf_free(&out);

	buf_init(&out, need + 2);
	cr_assert_eq(buf_puts(&out, "abc"), BUF_OK);
	cr_expect_eq(markdown_render(src, strlen(src), &out), -1);
	cr_expect_str_eq(buf_str(&out), "abc");
	buf_free(&out);
	free(html);
}

/* ---- threads ---- */

static void *render_many(void *expected)
{
	static const char src[] =
	    "**Chamado** [kb](/kb/1) [x](javascript:x)\n\n| a |\n|---|\n| b |\n";
	for (int i = 0; i < 200; i++) {
		buf out;
		buf_init(&out, TEST_MAX);
		bool same = markdown_render(src, strlen(src), &out) == 0 &&
		            strcmp(buf_str(&out), expected) == 0;
		buf_free(&out);
		if (!same)
			return (void *)1;
	}
	return NULL;
}

Test(markdown, renders_the_same_from_several_threads)
{
	char *expected =
	    render("**Chamado** [kb](/kb/1) [x](javascript:x)\n\n| a |\n|---|\n| b |\n");
	pthread_t threads[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, render_many, expected), 0);
	for (int i = 0; i < 4; i++) {
		void *result;
		cr_assert_eq(pthread_join(threads[i], &result), 0);
		cr_expect_null(result, "thread %d saw different output", i);
	}
	free(expected);
}

/* ---- markdown_url_allowed ---- */

Test(markdown, url_allowed_accepts_http_https_mailto_and_relative_urls)
{
	const char *ok[] = {"http://exemplo.com.br",
	                    "https://exemplo.com.br/a?b=1&c=2",
	                    "mailto:ana@exemplo.com.br",
	                    "/kb/artigo-1",
	                    "#sec",
	                    "relative/path",
	                    "?page=2",
	                    "",
	                    "//cdn.exemplo.com.br/x.png",
	                    "um-nome-de-arquivo-bem-comprido-sem-esquema.html",
	                    "a/b:c",
	                    "a?b:c"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		cr_expect(markdown_url_allowed(ok[i]), "refused: %s", ok[i]);
}

Test(markdown, url_allowed_refuses_other_schemes)
{
	const char *bad[] = {"javascript:alert(1)",
	                     "data:text/html,x",
	                     "vbscript:x",
	                     "file:///etc/passwd",
	                     "ftp://x",
	                     ":x",
	                     "httpx:x",
	                     "%6aavascript:x",
	                     "an-unknown-scheme-that-is-very-long:x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_not(markdown_url_allowed(bad[i]), "allowed: %s", bad[i]);
}

Test(markdown, url_allowed_ignores_controls_and_spaces_in_the_scheme)
{
	const char *bad[] = {" javascript:x",   "java\tscript:x",   "java\nscript:x",
	                     "java\rscript:x",  "\x01javascript:x", "javascript :x",
	                     "jav\177ascript:x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_not(markdown_url_allowed(bad[i]), "allowed: %s", bad[i]);
	cr_expect(markdown_url_allowed(" \thttps://exemplo.com.br"));
}

Test(markdown, url_allowed_compares_schemes_case_insensitively)
{
	cr_expect(markdown_url_allowed("HTTPS://exemplo.com.br"));
	cr_expect(markdown_url_allowed("MailTo:ana@exemplo.com.br"));
	cr_expect_not(markdown_url_allowed("JaVaScRiPt:alert(1)"));
}

/* ---- the rewriting pass on its own ---- */

static void expect_decoded(const char *value, const char *expected)
{
	char decoded[64];
	cr_assert(decode_attribute(value, strlen(value), decoded), "not decoded: %s", value);
	cr_expect_str_eq(decoded, expected, "value: %s", value);
}

Test(markdown, decodes_the_entities_a_browser_would)
{
	expect_decoded("a?b=1&amp;c=2", "a?b=1&c=2");
	expect_decoded("&#106;avascript&colon;x", "javascript:x");
	expect_decoded("&#x6A;ava&#X09;script&#58;x", "java\tscript:x");
	expect_decoded("java&Tab;scr&NewLine;ipt&#x3A;", "java\tscr\nipt:");
	expect_decoded("&lt;&gt;&quot;&apos;", "<>\"'");
	/* Beyond ASCII, NUL, and 2^32 + 'j' (which must not wrap around to 'j'). */
	expect_decoded("&#233;&#0;&#99999999999;&#4294967402;", "\x80\x80\x80\x80");
}

Test(markdown, refuses_to_decode_unknown_or_unfinished_entities)
{
	const char *bad[] = {"&",      "a&b",     "&#106avascript:x",
	                     "&#;",    "&#x;",    "&#12a;",
	                     "&nbsp;", "&COLON;", "&averyveryveryveryverylongentityname;"};
	char decoded[64];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_not(decode_attribute(bad[i], strlen(bad[i]), decoded), "decoded: %s",
		              bad[i]);
}

/* The HTML is copied without its NUL so that ASan sees a read past the end. */
static void expect_rewritten(const char *html, const char *expected)
{
	size_t len = strlen(html);
	char *exact = malloc(len);
	cr_assert_not_null(exact);
	memcpy(exact, html, len);
	buf out;
	buf_init(&out, TEST_MAX);
	cr_assert_eq(rewrite_html(exact, len, &out), BUF_OK);
	cr_expect_str_eq(buf_str(&out), expected, "html: %s", html);
	buf_free(&out);
	free(exact);
}

Test(markdown, rewrites_entity_encoded_schemes_md4c_might_write_one_day)
{
	expect_rewritten("<a href=\"java&#x09;script:x\">x</a>", A_REL " href=\"#\">x</a>");
	expect_rewritten("<a href=\"javascript&colon;x\">x</a>", A_REL " href=\"#\">x</a>");
	expect_rewritten("<img src=\"&#106;avascript:x\" alt=\"\">", "<img src=\"#\" alt=\"\">");
	expect_rewritten("<a href=\"/kb&nbsp;x\">x</a>", A_REL " href=\"#\">x</a>");
	expect_rewritten("<a href=\"/kb?a=1&amp;b=2\">x</a>",
	                 A_REL " href=\"/kb?a=1&amp;b=2\">x</a>");
}

Test(markdown, rewrites_truncated_tags_without_reading_past_the_end)
{
	expect_rewritten("<a href=\"javascript:x", A_REL " href=\"#");
	expect_rewritten("<a href=\"", A_REL " href=\"");
	expect_rewritten("<img src=", "<img src=");
	expect_rewritten("<", "<");
}

/* md4c 0.4.8 reads one byte past the end of some inputs (found by
 * tests/fuzz/markdown_fuzz.c); markdown_render's contract says the source
 * need not be NUL-terminated, so it must never let md4c read past len. The
 * source here ends where an unreadable page begins. */
Test(markdown, never_reads_past_the_end_of_its_source)
{
	static const char text[] = "# Título\n\nVeja [o painel](h";
	size_t len = strlen(text);
	long page = sysconf(_SC_PAGESIZE);
	char *pages = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(pages, MAP_FAILED);
	cr_assert_eq(mprotect(pages + page, (size_t)page, PROT_NONE), 0);
	char *src = pages + page - len;
	memcpy(src, text, len);
	buf out;
	buf_init(&out, 1 << 16);
	cr_expect_eq(markdown_render(src, len, &out), 0);
	cr_expect_not_null(strstr(buf_str(&out), "<h1>"));
	buf_free(&out);
	munmap(pages, (size_t)page * 2);
}
