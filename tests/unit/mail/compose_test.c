/* Emails from the real templates under templates/email/, in both languages. */
#include "mail/compose.h"

#include <criterion/criterion.h>
#include <string.h>

#include "build_config.h"

static i18n_catalog *cat;
static tpl_set *templates;
static arena *a;
static vm_obj *ctx;

static void setup(void)
{
	char err[512] = "";
	cat = i18n_load(CHAMADO_DEFAULT_MO_DIR, err, sizeof err);
	cr_assert_not_null(cat, "%s", err);
	templates = tpl_load_dir(CHAMADO_DEFAULT_SHARE_DIR "/templates", cat, NULL, err, sizeof err);
	cr_assert_not_null(templates, "%s", err);
	a = arena_new(4096);
	ctx = vm_new(a);
	vm_set_text(ctx, "company", "Hospedagem & Cia");
	vm_set_text(ctx, "name", "Ana <Conceição>");
	vm_set_text(ctx, "link", "https://exemplo.com.br/reset?token=abc&x=1");
}

static void teardown(void)
{
	arena_free(a);
	tpl_set_free(templates);
	i18n_free(cat);
}

TestSuite(compose, .init = setup, .fini = teardown);

Test(compose, renders_the_password_reset_email_in_portuguese)
{
	struct mail m = {.to = "ana@example.com"};
	cr_assert_eq(mail_compose(templates, "password_reset", LANG_PT_BR, ctx, &m), 0);
	cr_expect_str_eq(m.subject, "Redefinição de senha — Hospedagem & Cia");
	cr_expect_str_eq(m.to, "ana@example.com", "other fields are left alone");
	cr_expect(strstr(m.text, "Olá Ana <Conceição>,"), "text is not escaped: %s", m.text);
	cr_expect(strstr(m.text, "https://exemplo.com.br/reset?token=abc&x=1"), "%s", m.text);
	cr_expect(strstr(m.text, "Hospedagem & Cia\n\nOlá"), "the text layout: %s", m.text);
	cr_expect(strstr(m.text, "\n-- \nEnviado por Hospedagem & Cia"), "%s", m.text);
	cr_assert_not_null(m.html);
	cr_expect(strstr(m.html, "Olá Ana &lt;Conceição&gt;,"), "HTML is escaped: %s", m.html);
	cr_expect(strstr(m.html, "href=\"https://exemplo.com.br/reset?token=abc&amp;x=1\""), "%s",
	          m.html);
	cr_expect(strstr(m.html, "Escolher uma nova senha"), "%s", m.html);
	cr_expect(strstr(m.html, "<html lang=\"pt-BR\">"), "%s", m.html);
	cr_expect(strstr(m.html, "Hospedagem &amp; Cia</div>"), "the brand header: %s", m.html);
}

Test(compose, renders_the_password_reset_email_in_english)
{
	struct mail m = {0};
	cr_assert_eq(mail_compose(templates, "password_reset", LANG_EN, ctx, &m), 0);
	cr_expect_str_eq(m.subject, "Password reset — Hospedagem & Cia");
	cr_expect(strstr(m.text, "Hi Ana <Conceição>,"), "%s", m.text);
	cr_expect(strstr(m.html, "Choose a new password"), "%s", m.html);
	cr_expect(strstr(m.html, "<html lang=\"en\">"), "%s", m.html);
}

Test(compose, an_unknown_email_is_an_error)
{
	struct mail m = {0};
	cr_expect_eq(mail_compose(templates, "no_such_email", LANG_EN, ctx, &m), -1);
	cr_expect_null(m.subject);
}

Test(compose, an_email_without_html_is_text_only)
{
	const char *names[] = {"email/layout.txt", "email/layout", "email/note.subject.txt",
	                       "email/note.txt"};
	const char *sources[] = {"[{{company}}]\n{{content}}\n", "<div>{{&content}}</div>",
	                         "  Note\nfor {{name}}  \n", "Body {{name}}\n\n"};
	char err[256] = "";
	tpl_set *t = tpl_load_strings(4, names, sources, NULL, err, sizeof err);
	cr_assert_not_null(t, "%s", err);
	struct mail m = {0};
	cr_assert_eq(mail_compose(t, "note", LANG_EN, ctx, &m), 0);
	cr_expect_str_eq(m.subject, "Note for Ana <Conceição>", "one line, trimmed");
	cr_expect_str_eq(m.text, "[Hospedagem & Cia]\nBody Ana <Conceição>\n");
	cr_expect_null(m.html);
	tpl_set_free(t);
}
