#include <criterion/criterion.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "view/template.h"

static arena *a;
static vm_obj *ctx;

static void setup(void)
{
	a = arena_new(4096);
	ctx = vm_new(a);
}

static void teardown(void)
{
	arena_free(a);
}

TestSuite(template, .init = setup, .fini = teardown);

/* Compiles the named templates (name, source, name, source, ..., NULL). */
static tpl_set *load_pairs(const i18n_catalog *cat, const char *const *pairs)
{
	const char *names[16], *sources[16];
	int n = 0;
	for (; pairs[2 * n]; n++) {
		names[n] = pairs[2 * n];
		sources[n] = pairs[2 * n + 1];
	}
	char err[256] = "";
	tpl_set *s = tpl_load_strings(n, names, sources, cat, err, sizeof err);
	cr_assert_not_null(s, "compile failed: %s", err);
	return s;
}

/* Renders the first template of pairs with ctx; the caller frees. */
static char *render_in(enum lang lang, const i18n_catalog *cat, const char *const *pairs)
{
	tpl_set *s = load_pairs(cat, pairs);
	buf out;
	buf_init(&out, 1 << 20);
	int rc = tpl_render(s, pairs[0], lang, ctx, &out);
	cr_assert_eq(rc, 0, "render of %s failed", pairs[0]);
	tpl_set_free(s);
	return buf_take(&out);
}

/* Renders the first of pairs (English, no catalog) and compares. */
static void expect_pairs(const char *const *pairs, const char *want)
{
	char *got = render_in(LANG_EN, NULL, pairs);
	cr_assert_str_eq(got, want, "template: %s", pairs[0]);
	free(got);
}

static void expect_render(const char *source, const char *want)
{
	const char *pairs[] = { "t", source, NULL };
	char *got = render_in(LANG_EN, NULL, pairs);
	cr_assert_str_eq(got, want, "source: %s", source);
	free(got);
}

static void expect_compile_error(const char *const *pairs, const char *want)
{
	const char *names[16], *sources[16];
	int n = 0;
	for (; pairs[2 * n]; n++) {
		names[n] = pairs[2 * n];
		sources[n] = pairs[2 * n + 1];
	}
	char err[256] = "";
	cr_assert_null(tpl_load_strings(n, names, sources, NULL, err, sizeof err));
	cr_assert_str_eq(err, want);
}

static void expect_error(const char *source, const char *want)
{
	const char *pairs[] = { "page", source, NULL };
	expect_compile_error(pairs, want);
}

Test(template, copies_plain_text_unchanged)
{
	expect_render("<p>Hello</p>\n", "<p>Hello</p>\n");
	expect_render("", "");
	expect_render("a } b { c }", "a } b { c }");
}

Test(template, escapes_every_html_special_character)
{
	vm_set_text(ctx, "x", "<script>alert('x' & \"y\")</script>");
	expect_render("{{x}}", "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;");
}

Test(template, escapes_inside_attribute_values)
{
	vm_set_text(ctx, "title", "\" onmouseover='alert(1)' x=\"<>&");
	expect_render("<a title=\"{{title}}\" data-x='{{title}}'>",
	              "<a title=\"&quot; onmouseover=&#39;alert(1)&#39; x=&quot;&lt;&gt;&amp;\" "
	              "data-x='&quot; onmouseover=&#39;alert(1)&#39; x=&quot;&lt;&gt;&amp;'>");
}

Test(template, trims_white_space_inside_tags)
{
	vm_set_text(ctx, "name", "Ana");
	expect_render("{{name}}|{{ name }}|{{\tname\n}}", "Ana|Ana|Ana");
}

Test(template, prints_nothing_for_missing_names_and_bools)
{
	vm_set_bool(ctx, "yes", true);
	vm_set_list(ctx, "list");
	vm_set_obj(ctx, "obj");
	expect_render("[{{missing}}{{yes}}{{list}}{{obj}}]", "[]");
}

Test(template, outputs_raw_html_only_when_trusted)
{
	vm_set_trusted_html(ctx, "body", "<p>trusted</p>");
	vm_set_text(ctx, "subject", "<b>client</b>");
	expect_render("{{&body}}", "<p>trusted</p>");
	expect_render("{{& body }}", "<p>trusted</p>");
	expect_render("{{&subject}}", "&lt;b&gt;client&lt;/b&gt;");
}

Test(template, escapes_trusted_html_shown_with_plain_braces)
{
	vm_set_trusted_html(ctx, "body", "<p>trusted</p>");
	expect_render("{{body}}", "&lt;p&gt;trusted&lt;/p&gt;");
}

Test(template, shows_integers_and_formatted_text)
{
	vm_set_int(ctx, "count", -12);
	vm_set_textf(ctx, "label", "%s <%d>", "n", 3);
	expect_render("{{count}} {{label}}", "-12 n &lt;3&gt;");
}

Test(template, sections_repeat_once_per_list_item)
{
	vm_list *l = vm_set_list(ctx, "tickets");
	vm_set_int(vm_list_add(l), "number", 1);
	vm_set_int(vm_list_add(l), "number", 2);
	vm_set_int(vm_list_add(l), "number", 3);
	expect_render("<ul>{{#tickets}}<li>#{{number}}</li>{{/tickets}}</ul>",
	              "<ul><li>#1</li><li>#2</li><li>#3</li></ul>");
}

Test(template, sections_over_an_empty_list_render_nothing)
{
	vm_set_list(ctx, "tickets");
	expect_render("[{{#tickets}}x{{/tickets}}]", "[]");
}

Test(template, sections_render_once_for_true_and_never_for_false)
{
	vm_set_bool(ctx, "admin", true);
	vm_set_bool(ctx, "banned", false);
	vm_set_text(ctx, "who", "Ana");
	expect_render("{{#admin}}admin {{who}}{{/admin}}{{#banned}}banned{{/banned}}", "admin Ana");
}

Test(template, sections_render_once_for_non_empty_text)
{
	vm_set_text(ctx, "notice", "Saved");
	vm_set_text(ctx, "empty", "");
	expect_render("{{#notice}}<p>{{notice}}</p>{{/notice}}{{#empty}}E{{/empty}}", "<p>Saved</p>");
}

Test(template, sections_push_objects_on_the_context)
{
	vm_obj *user = vm_set_obj(ctx, "user");
	vm_set_text(user, "name", "Ana");
	expect_render("{{#user}}Hi {{name}}{{/user}}{{#nobody}}x{{/nobody}}", "Hi Ana");
}

Test(template, inverted_sections_render_when_the_value_is_empty)
{
	vm_set_bool(ctx, "no", false);
	vm_set_bool(ctx, "yes", true);
	vm_set_text(ctx, "blank", "");
	vm_set_text(ctx, "text", "t");
	vm_set_list(ctx, "none");
	vm_set_int(vm_list_add(vm_set_list(ctx, "some")), "n", 1);
	vm_set_obj(ctx, "obj");
	expect_render("{{^missing}}1{{/missing}}{{^no}}2{{/no}}{{^blank}}3{{/blank}}"
	              "{{^none}}4{{/none}}{{^yes}}x{{/yes}}{{^text}}x{{/text}}"
	              "{{^some}}x{{/some}}{{^obj}}x{{/obj}}",
	              "1234");
}

Test(template, dotted_names_walk_objects)
{
	vm_obj *ticket = vm_set_obj(ctx, "ticket");
	vm_set_int(ticket, "number", 7);
	vm_set_text(vm_set_obj(ticket, "client"), "name", "Bia");
	expect_render("#{{ticket.number}} {{ ticket.client.name }}[{{ticket.nope.name}}]",
	              "#7 Bia[]");
	expect_render("{{#ticket.client}}{{name}}{{/ticket.client}}", "Bia");
}

Test(template, dotted_names_stop_at_non_objects)
{
	vm_set_text(ctx, "title", "x");
	expect_render("[{{title.length}}]", "[]");
}

Test(template, lookup_falls_back_to_the_outer_context)
{
	vm_set_text(ctx, "csrf", "tok");
	vm_set_text(ctx, "name", "outer");
	vm_list *l = vm_set_list(ctx, "items");
	vm_set_text(vm_list_add(l), "name", "a");
	vm_list_add(l);
	expect_render("{{#items}}{{name}}:{{csrf}};{{/items}}", "a:tok;outer:tok;");
}

Test(template, a_dotted_name_does_not_fall_back_once_its_first_part_is_found)
{
	vm_set_text(vm_set_obj(ctx, "user"), "name", "outer");
	vm_obj *inner = vm_set_obj(ctx, "inner");
	vm_set_obj(inner, "user");
	expect_render("{{#inner}}[{{user.name}}]{{/inner}}", "[]");
}

Test(template, nested_sections_of_the_same_name_close_properly)
{
	vm_obj *a1 = vm_set_obj(ctx, "a");
	vm_set_obj(a1, "a");
	expect_render("{{#a}}1{{#a}}2{{/a}}3{{/a}}", "123");
}

Test(template, comments_output_nothing)
{
	expect_render("a{{! a comment, with }} b}}", "a b}}");
	expect_render("a{{! spans\nlines }}b", "ab");
}

Test(template, partials_render_with_the_current_context)
{
	vm_set_text(ctx, "flash", "Saved & done");
	const char *pairs[] = { "page", "<main>{{> partials/flash }}</main>",
	                        "partials/flash", "<p>{{flash}}</p>", NULL };
	expect_pairs(pairs, "<main><p>Saved &amp; done</p></main>");
}

Test(template, partials_see_the_pushed_section_context)
{
	vm_list *l = vm_set_list(ctx, "rows");
	vm_set_text(vm_list_add(l), "v", "a");
	vm_set_text(vm_list_add(l), "v", "b");
	const char *pairs[] = { "page", "{{#rows}}{{>row}}{{/rows}}", "row", "<td>{{v}}</td>", NULL };
	expect_pairs(pairs, "<td>a</td><td>b</td>");
}

/* A page inside its layout: rendered where {{&content}} stands, with the
 * same names, escaped as in any template; {{content}} shows nothing. */
Test(template, a_template_value_renders_in_place_with_the_context)
{
	vm_set_text(ctx, "title", "Fish & chips");
	vm_set_template(ctx, "content", "page");
	const char *pairs[] = { "layout", "<title>{{title}}</title><main>{{&content}}</main>[{{content}}]",
	                        "page", "<h1>{{title}}</h1>", NULL };
	expect_pairs(pairs, "<title>Fish &amp; chips</title><main><h1>Fish &amp; chips</h1></main>[]");
}

Test(template, a_template_value_naming_no_template_itself_or_a_text_one_fails)
{
	const char *names[] = { "layout", "mail.txt" };
	const char *sources[] = { "x{{&content}}", "<b>{{v}}</b>" };
	char err[128];
	tpl_set *s = tpl_load_strings(2, names, sources, NULL, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	buf out;
	buf_init(&out, 1 << 16);
	vm_set_template(ctx, "content", "nowhere");
	cr_expect_eq(tpl_render(s, "layout", LANG_EN, ctx, &out), -1);
	vm_set_template(ctx, "content", "layout");
	cr_expect_eq(tpl_render(s, "layout", LANG_EN, ctx, &out), -1);
	vm_set_template(ctx, "content", "mail.txt");
	cr_expect_eq(tpl_render(s, "layout", LANG_EN, ctx, &out), -1, "no text template in HTML");
	cr_expect_eq(out.len, 0, "a failed render leaves out as it was");
	buf_free(&out);
	tpl_set_free(s);
}

/* An HTML template's lines lose their indentation (a browser shows a line
 * break and spaces as one space); <pre> and <textarea> keep every space,
 * whatever the tag's case, and a text template keeps all of it. */
Test(template, html_templates_lose_their_indentation_but_not_inside_pre_or_textarea)
{
	vm_set_text(ctx, "v", "x");
	expect_render("<ul>\n    <li>{{v}}</li>\n\t  <li>b c</li>\n</ul>\n",
	              "<ul>\n<li>x</li>\n<li>b c</li>\n</ul>\n");
	expect_render("<div>\n  <PRE class=\"s\">a\n    b {{v}}\n  c</PRE>\n  <p>\n    d</p>",
	              "<div>\n<PRE class=\"s\">a\n    b x\n  c</PRE>\n<p>\nd</p>");
	expect_render("<textarea>\n  {{v}}\n  </textarea>\n  <preview>\n  e",
	              "<textarea>\n  x\n  </textarea>\n<preview>\ne");
	expect_render("<pre{{#v}} class=\"s\"{{/v}}>\n  f</pre>\n  g", "<pre class=\"s\">\n  f</pre>\ng");
	const char *pairs[] = { "mail.txt", "Hi\n    {{v}}\n  bye", NULL };
	expect_pairs(pairs, "Hi\n    x\n  bye");
}

/* A chain p0 -> p1 -> ... -> p{depth}. */
static int render_partial_chain(int depth, buf *out)
{
	static char names[20][16], sources[20][32];
	const char *name_ptrs[20], *source_ptrs[20];
	for (int i = 0; i <= depth; i++) {
		snprintf(names[i], sizeof names[i], "p%d", i);
		if (i < depth)
			snprintf(sources[i], sizeof sources[i], "%d{{>p%d}}", i % 10, i + 1);
		else
			snprintf(sources[i], sizeof sources[i], "end");
		name_ptrs[i] = names[i];
		source_ptrs[i] = sources[i];
	}
	char err[128];
	tpl_set *s = tpl_load_strings(depth + 1, name_ptrs, source_ptrs, NULL, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	int rc = tpl_render(s, "p0", LANG_EN, ctx, out);
	tpl_set_free(s);
	return rc;
}

Test(template, partials_may_nest_sixteen_deep)
{
	buf out;
	buf_init(&out, 1024);
	cr_assert_eq(render_partial_chain(16, &out), 0);
	cr_assert_str_eq(buf_str(&out), "0123456789012345end");
	buf_free(&out);
}

Test(template, partials_nested_deeper_than_sixteen_fail)
{
	buf out;
	buf_init(&out, 1024);
	cr_assert_eq(render_partial_chain(17, &out), -1);
	cr_assert_eq(out.len, 0);
	buf_free(&out);
}

Test(template, a_partial_that_includes_itself_fails_instead_of_looping)
{
	const char *names[] = { "loop" };
	const char *sources[] = { "x{{>loop}}" };
	char err[128];
	tpl_set *s = tpl_load_strings(1, names, sources, NULL, err, sizeof err);
	cr_assert_not_null(s);
	buf out;
	buf_init(&out, 1 << 16);
	buf_puts(&out, "before");
	cr_assert_eq(tpl_render(s, "loop", LANG_EN, ctx, &out), -1);
	cr_assert_str_eq(buf_str(&out), "before", "a failed render leaves out as it was");
	buf_free(&out);
	tpl_set_free(s);
}

static const char *msgids[] = { "Open tickets", "Sign in", "Say \"hi\"" };
static const char *pt_br[] = { "Chamados abertos", "Entrar", "Diga <oi> & \"tchau\"" };

Test(template, translates_text_in_portuguese)
{
	i18n_catalog *cat = i18n_from_pairs(3, msgids, pt_br);
	const char *pairs[] = { "t", "<h1>{{_ Open tickets }}</h1><a>{{_ Sign in}}</a>{{_ Not translated}}",
	                        NULL };
	char *got = render_in(LANG_PT_BR, cat, pairs);
	cr_assert_str_eq(got, "<h1>Chamados abertos</h1><a>Entrar</a>Not translated");
	free(got);
	i18n_free(cat);
}

Test(template, keeps_the_english_msgid_in_english)
{
	i18n_catalog *cat = i18n_from_pairs(3, msgids, pt_br);
	const char *pairs[] = { "t", "<h1>{{_ Open tickets }}</h1>", NULL };
	char *got = render_in(LANG_EN, cat, pairs);
	cr_assert_str_eq(got, "<h1>Open tickets</h1>");
	free(got);
	i18n_free(cat);
}

Test(template, escapes_translated_text)
{
	i18n_catalog *cat = i18n_from_pairs(3, msgids, pt_br);
	const char *pairs[] = { "t", "{{_ Say \"hi\"}}", NULL };
	char *pt = render_in(LANG_PT_BR, cat, pairs);
	char *en = render_in(LANG_EN, cat, pairs);
	cr_assert_str_eq(pt, "Diga &lt;oi&gt; &amp; &quot;tchau&quot;");
	cr_assert_str_eq(en, "Say &quot;hi&quot;");
	free(pt);
	free(en);
	i18n_free(cat);
}

Test(template, translated_text_inside_sections_and_partials)
{
	i18n_catalog *cat = i18n_from_pairs(3, msgids, pt_br);
	vm_set_bool(ctx, "guest", true);
	const char *pairs[] = { "t", "{{#guest}}{{>nav}}{{/guest}}", "nav", "<a>{{_ Sign in}}</a>",
	                        NULL };
	char *got = render_in(LANG_PT_BR, cat, pairs);
	cr_assert_str_eq(got, "<a>Entrar</a>");
	free(got);
	i18n_free(cat);
}

Test(template, reports_an_unclosed_tag_with_file_and_line)
{
	expect_error("line 1\nline 2 {{name\nline 3", "page:2: unclosed tag");
}

Test(template, reports_an_unclosed_section_where_it_opened)
{
	expect_error("a\n{{#items}}\nb\n", "page:2: unclosed section {{#items}}");
	expect_error("{{^none}}", "page:1: unclosed section {{^none}}");
}

Test(template, reports_a_mismatched_close)
{
	expect_error("\n{{#a}}\n{{#b}}\n{{/a}}", "page:4: {{/a}} does not match {{#b}} opened on line 3");
	expect_error("x\n\n{{/a}}", "page:3: {{/a}} closes no section");
}

Test(template, reports_an_empty_name)
{
	expect_error("{{}}", "page:1: empty name");
	expect_error("\n{{  }}", "page:2: empty name");
	expect_error("{{# }}", "page:1: empty name");
	expect_error("{{&}}", "page:1: empty name");
	expect_error("{{>}}", "page:1: empty name");
	expect_error("{{_ }}", "page:1: empty text in {{_ }}");
}

Test(template, reports_bad_names)
{
	expect_error("{{a..b}}", "page:1: bad name 'a..b'");
	expect_error("{{.a}}", "page:1: bad name '.a'");
	expect_error("{{a b}}", "page:1: bad name 'a b'");
	expect_error("{{{triple}}}", "page:1: bad name '{triple'");
}

Test(template, reports_an_unknown_partial_after_loading_all_templates)
{
	const char *ok[] = { "a", "{{>b}}", "b", "B", NULL };
	tpl_set_free(load_pairs(NULL, ok));
	const char *bad[] = { "a", "{{>b}}", "b", "x\n{{> nope }}", NULL };
	expect_compile_error(bad, "b:2: unknown partial 'nope'");
}

Test(template, reports_duplicate_names)
{
	const char *pairs[] = { "a", "1", "a", "2", NULL };
	expect_compile_error(pairs, "a: duplicate template 'a'");
}

Test(template, counts_lines_across_tags_and_translations)
{
	expect_error("{{! one\ntwo }}\n{{_ Hi}}\n{{/x}}", "page:4: {{/x}} closes no section");
}

Test(template, fails_when_the_output_passes_the_cap)
{
	vm_set_text(ctx, "x", "&&&&");
	const char *names[] = { "t" };
	const char *sources[] = { "0123456789{{x}}" };
	char err[128];
	tpl_set *s = tpl_load_strings(1, names, sources, NULL, err, sizeof err);
	buf out;
	buf_init(&out, 29);
	cr_assert_eq(tpl_render(s, "t", LANG_EN, ctx, &out), -1, "30 bytes do not fit in 29");
	cr_assert_eq(out.len, 0);
	buf_free(&out);
	buf_init(&out, 30);
	cr_assert_eq(tpl_render(s, "t", LANG_EN, ctx, &out), 0);
	cr_assert_str_eq(buf_str(&out), "0123456789&amp;&amp;&amp;&amp;");
	buf_free(&out);
	tpl_set_free(s);
}

Test(template, refuses_unknown_templates_and_failed_models)
{
	const char *pairs[] = { "t", "x", NULL };
	tpl_set *s = load_pairs(NULL, pairs);
	buf out;
	buf_init(&out, 100);
	cr_assert(tpl_exists(s, "t"));
	cr_assert_not(tpl_exists(s, "u"));
	cr_assert_eq(tpl_render(s, "u", LANG_EN, ctx, &out), -1);
	cr_assert_eq(tpl_render(s, "t", LANG_EN, NULL, &out), -1);
	cr_assert_eq(tpl_render(s, "t", (enum lang)7, ctx, &out), -1);
	cr_assert_eq(tpl_render(s, "t", LANG_PT_BR, ctx, &out), 0);
	buf_free(&out);
	tpl_set_free(s);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

Test(template, loads_every_html_file_under_a_folder)
{
	char dir[] = "/tmp/chamado-tpl-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/partials", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/layout.html", dir);
	write_file(path, "<body>{{>partials/flash}}</body>");
	snprintf(path, sizeof path, "%s/partials/flash.html", dir);
	write_file(path, "{{flash}}");
	snprintf(path, sizeof path, "%s/notes.md", dir);
	write_file(path, "{{ not a template");
	snprintf(path, sizeof path, "%s/.swap.html", dir);
	write_file(path, "{{ hidden, ignored");

	char err[256] = "";
	tpl_set *s = tpl_load_dir(dir, NULL, NULL, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(tpl_exists(s, "layout"));
	cr_assert(tpl_exists(s, "partials/flash"));
	cr_assert_not(tpl_exists(s, "notes"));
	vm_set_text(ctx, "flash", "<ok>");
	buf out;
	buf_init(&out, 100);
	cr_assert_eq(tpl_render(s, "layout", LANG_EN, ctx, &out), 0);
	cr_assert_str_eq(buf_str(&out), "<body>&lt;ok&gt;</body>");
	buf_free(&out);
	tpl_set_free(s);

	snprintf(path, sizeof path, "%s/partials/broken.html", dir);
	write_file(path, "ok\n{{#open}}");
	cr_assert_null(tpl_load_dir(dir, NULL, NULL, err, sizeof err));
	char want[256];
	snprintf(want, sizeof want, "%s/partials/broken.html:2: unclosed section {{#open}}", dir);
	cr_assert_str_eq(err, want);

	char command[128];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	cr_assert_eq(system(command), 0);
}

/* A template is read whole into a buffer of its size: one exactly at the
 * 1 MiB cap loads, one byte more is refused by name. */
Test(template, a_template_file_loads_up_to_one_mebibyte_and_not_a_byte_more)
{
	char dir[] = "/tmp/chamado-tpl-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/big.html", dir);
	size_t cap = (size_t)1 << 20;
	char *text = malloc(cap + 2);
	cr_assert_not_null(text);
	memset(text, 'a', cap + 1);
	text[cap] = '\0';
	write_file(path, text);

	char err[512] = "";
	tpl_set *s = tpl_load_dir(dir, NULL, NULL, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(tpl_exists(s, "big"));
	tpl_set_free(s);

	text[cap] = 'a';
	text[cap + 1] = '\0';
	write_file(path, text);
	cr_assert_null(tpl_load_dir(dir, NULL, NULL, err, sizeof err));
	char want[512];
	snprintf(want, sizeof want, "%s: larger than 1048576 bytes", path);
	cr_assert_str_eq(err, want);
	free(text);

	char command[128];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	cr_assert_eq(system(command), 0);
}

Test(template, text_templates_print_values_without_escaping)
{
	vm_set_text(ctx, "name", "Ana & <Bia> \"O'Neil\"");
	vm_set_trusted_html(ctx, "html", "<b>x</b>");
	const char *pairs[] = { "mail.txt", "Hi {{name}}, {{&name}} {{html}}", NULL };
	char *got = render_in(LANG_EN, NULL, pairs);
	cr_assert_str_eq(got, "Hi Ana & <Bia> \"O'Neil\", Ana & <Bia> \"O'Neil\" <b>x</b>");
	free(got);
}

Test(template, text_templates_translate_without_escaping)
{
	i18n_catalog *cat = i18n_from_pairs(3, msgids, pt_br);
	const char *pairs[] = { "mail.txt", "{{_ Say \"hi\"}}", NULL };
	char *pt = render_in(LANG_PT_BR, cat, pairs);
	char *en = render_in(LANG_EN, cat, pairs);
	cr_assert_str_eq(pt, "Diga <oi> & \"tchau\"");
	cr_assert_str_eq(en, "Say \"hi\"");
	free(pt);
	free(en);
	i18n_free(cat);
}

Test(template, html_templates_still_escape_beside_text_templates)
{
	vm_set_text(ctx, "name", "<Ana>");
	const char *pairs[] = { "page", "{{name}}", "part.txt", "{{name}}", NULL };
	char *got = render_in(LANG_EN, NULL, pairs);
	cr_assert_str_eq(got, "&lt;Ana&gt;");
	free(got);
}

Test(template, a_partial_must_be_of_the_same_kind_as_its_includer)
{
	const char *text_in_html[] = { "page", "x\n{{>part.txt}}", "part.txt", "{{name}}", NULL };
	expect_compile_error(text_in_html, "page:2: partial 'part.txt' is a text template in an HTML one");
	const char *html_in_text[] = { "mail.txt", "{{>part}}", "part", "{{name}}", NULL };
	expect_compile_error(html_in_text, "mail.txt:1: partial 'part' is an HTML template in a text one");
	const char *text_in_text[] = { "mail.txt", "[{{>part.txt}}]", "part.txt", "{{name}}", NULL };
	vm_set_text(ctx, "name", "<Ana>");
	char *got = render_in(LANG_EN, NULL, text_in_text);
	cr_assert_str_eq(got, "[<Ana>]");
	free(got);
}

Test(template, text_templates_keep_sections_and_report_errors)
{
	vm_list *l = vm_set_list(ctx, "items");
	vm_set_text(vm_list_add(l), "n", "a&b");
	vm_set_text(vm_list_add(l), "n", "<c>");
	expect_render("{{#items}}[{{n}}]{{/items}}", "[a&amp;b][&lt;c&gt;]");
	const char *pairs[] = { "x.txt", "{{#items}}[{{n}}]{{/items}}", NULL };
	char *got = render_in(LANG_EN, NULL, pairs);
	cr_assert_str_eq(got, "[a&b][<c>]");
	free(got);
	const char *broken[] = { "x.txt", "ok\n{{#open}}", NULL };
	expect_compile_error(broken, "x.txt:2: unclosed section {{#open}}");
}

Test(template, loads_txt_files_named_with_their_extension)
{
	char dir[] = "/tmp/chamado-tpl-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/email", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/email/layout.txt", dir);
	write_file(path, "{{company}}\n{{content}}");
	snprintf(path, sizeof path, "%s/email/layout.html", dir);
	write_file(path, "<h1>{{company}}</h1>{{&content}}");

	char err[256] = "";
	tpl_set *s = tpl_load_dir(dir, NULL, NULL, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(tpl_exists(s, "email/layout.txt"));
	cr_assert(tpl_exists(s, "email/layout"));
	cr_assert_not(tpl_exists(s, "email/layout.html"));
	vm_set_text(ctx, "company", "A & B");
	vm_set_text(ctx, "content", "<hi>");
	buf out;
	buf_init(&out, 100);
	cr_assert_eq(tpl_render(s, "email/layout.txt", LANG_EN, ctx, &out), 0);
	cr_assert_str_eq(buf_str(&out), "A & B\n<hi>");
	buf_clear(&out);
	cr_assert_eq(tpl_render(s, "email/layout", LANG_EN, ctx, &out), 0);
	cr_assert_str_eq(buf_str(&out), "<h1>A &amp; B</h1>&lt;hi&gt;");
	buf_free(&out);
	tpl_set_free(s);

	char command[128];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	cr_assert_eq(system(command), 0);
}

Test(template, a_missing_folder_is_an_error)
{
	char err[256] = "";
	cr_assert_null(tpl_load_dir("/nonexistent/chamado", NULL, NULL, err, sizeof err));
	cr_assert(strstr(err, "/nonexistent/chamado"), "%s", err);
}

struct render_job {
	const tpl_set *set;
	enum lang lang;
	const char *want;
	int failures;
};

static void *render_many(void *arg)
{
	struct render_job *job = arg;
	for (int i = 0; i < 500; i++) {
		buf out;
		buf_init(&out, 4096);
		if (tpl_render(job->set, "page", job->lang, ctx, &out) != 0 ||
		    strcmp(buf_str(&out), job->want) != 0)
			job->failures++;
		buf_free(&out);
	}
	return NULL;
}

Test(template, renders_from_many_threads_at_once)
{
	i18n_catalog *cat = i18n_from_pairs(3, msgids, pt_br);
	vm_list *l = vm_set_list(ctx, "items");
	for (int i = 0; i < 20; i++)
		vm_set_int(vm_list_add(l), "n", i);
	const char *pairs[] = { "page", "{{_ Sign in}}:{{#items}}{{>item}}{{/items}}", "item", "{{n}},",
	                        NULL };
	tpl_set *s = load_pairs(cat, pairs);
	const char *digits = "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,";
	char want_pt[128], want_en[128];
	snprintf(want_pt, sizeof want_pt, "Entrar:%s", digits);
	snprintf(want_en, sizeof want_en, "Sign in:%s", digits);
	struct render_job jobs[8];
	pthread_t threads[8];
	for (int i = 0; i < 8; i++) {
		jobs[i] = (struct render_job){ s, i % 2 ? LANG_EN : LANG_PT_BR, i % 2 ? want_en : want_pt, 0 };
		cr_assert_eq(pthread_create(&threads[i], NULL, render_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		cr_assert_eq(jobs[i].failures, 0, "thread %d", i);
	}
	tpl_set_free(s);
	i18n_free(cat);
}

/* An assets map of one file, for {{@ path}}. */
static const char *one_asset(const void *self, const char *path)
{
	(void)self;
	return strcmp(path, "/static/app.css") == 0 ? "/static/app.css?v=ab&c" : NULL;
}

Test(template, an_asset_tag_prints_the_versioned_url_made_at_load)
{
	const struct tpl_assets assets = {one_asset, NULL};
	const char *names[] = {"page", "mail.txt"};
	const char *sources[] = {"<link href=\"{{@ /static/app.css}}\"> {{@ /static/other.js}}",
	                         "{{@ /static/app.css}}"};
	char err[256] = "";
	tpl_set *s = tpl_load_strings_assets(2, names, sources, NULL, &assets, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	buf out;
	buf_init(&out, 4096);
	cr_assert_eq(tpl_render(s, "page", LANG_PT_BR, ctx, &out), 0);
	cr_expect_str_eq(buf_str(&out), "<link href=\"/static/app.css?v=ab&amp;c\"> /static/other.js",
	                 "escaped in HTML; an unknown path as it is");
	buf_free(&out);
	buf_init(&out, 4096);
	cr_assert_eq(tpl_render(s, "mail.txt", LANG_EN, ctx, &out), 0);
	cr_expect_str_eq(buf_str(&out), "/static/app.css?v=ab&c", "as it is in a text template");
	buf_free(&out);
	tpl_set_free(s);
	const char *bad[] = {"t", "{{@ }}", NULL};
	expect_compile_error(bad, "t:1: empty path in {{@ }}");
}
