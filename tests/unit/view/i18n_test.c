#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view/i18n.h"

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/chamado-i18n-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char command[128];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	cr_assert_eq(system(command), 0);
}

TestSuite(i18n, .init = make_dir, .fini = remove_dir);

static void write_file(const char *name, const void *data, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static const char po[] =
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n"
	"\n"
	"msgid \"Open tickets\"\n"
	"msgstr \"Chamados abertos\"\n"
	"\n"
	"msgid \"Untranslated\"\n"
	"msgstr \"\"\n"
	"\n"
	"msgid \"%d reply\"\n"
	"msgid_plural \"%d replies\"\n"
	"msgstr[0] \"%d resposta\"\n"
	"msgstr[1] \"%d respostas\"\n"
	"\n"
	"msgid \"Sign in\"\n"
	"msgstr \"Entrar\"\n";

/* Compiles the .po above with msgfmt into dir/pt_BR.mo. */
static void compile_po(const char *endianness)
{
	write_file("pt_BR.po", po, strlen(po));
	char command[256];
	snprintf(command, sizeof command, "msgfmt --endianness=%s -o '%s/pt_BR.mo' '%s/pt_BR.po'",
	         endianness, dir, dir);
	cr_assert_eq(system(command), 0, "msgfmt failed");
}

static i18n_catalog *load_ok(void)
{
	char err[256] = "";
	i18n_catalog *c = i18n_load(dir, err, sizeof err);
	cr_assert_not_null(c, "load failed: %s", err);
	return c;
}

static void expect_load_error(const char *needle)
{
	char err[256] = "";
	cr_assert_null(i18n_load(dir, err, sizeof err));
	cr_assert(strstr(err, needle), "error '%s' lacks '%s'", err, needle);
	cr_assert(strstr(err, "pt_BR.mo"), "error '%s' names no file", err);
}

Test(i18n, reads_a_catalog_that_msgfmt_wrote)
{
	compile_po("little");
	i18n_catalog *c = load_ok();
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Open tickets"), "Chamados abertos");
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Sign in"), "Entrar");
	i18n_free(c);
}

Test(i18n, reads_a_big_endian_catalog)
{
	compile_po("big");
	i18n_catalog *c = load_ok();
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Open tickets"), "Chamados abertos");
	cr_assert_str_eq(i18n_ntext(c, LANG_PT_BR, "%d reply", "%d replies", 3), "%d respostas");
	i18n_free(c);
}

Test(i18n, english_returns_the_msgid)
{
	compile_po("little");
	i18n_catalog *c = load_ok();
	cr_assert_str_eq(i18n_text(c, LANG_EN, "Open tickets"), "Open tickets");
	i18n_free(c);
}

Test(i18n, missing_or_empty_translations_fall_back_to_the_msgid)
{
	compile_po("little");
	i18n_catalog *c = load_ok();
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Untranslated"), "Untranslated");
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Not in the catalog"), "Not in the catalog");
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, ""), "");
	cr_assert_str_eq(i18n_text(NULL, LANG_PT_BR, "No catalog"), "No catalog");
	i18n_free(c);
}

Test(i18n, plurals_pick_the_form_for_n)
{
	compile_po("little");
	i18n_catalog *c = load_ok();
	cr_assert_str_eq(i18n_ntext(c, LANG_PT_BR, "%d reply", "%d replies", 1), "%d resposta");
	cr_assert_str_eq(i18n_ntext(c, LANG_PT_BR, "%d reply", "%d replies", 2), "%d respostas");
	cr_assert_str_eq(i18n_ntext(c, LANG_PT_BR, "%d reply", "%d replies", 0), "%d respostas");
	cr_assert_str_eq(i18n_ntext(c, LANG_EN, "%d reply", "%d replies", 1), "%d reply");
	cr_assert_str_eq(i18n_ntext(c, LANG_EN, "%d reply", "%d replies", 5), "%d replies");
	cr_assert_str_eq(i18n_ntext(c, LANG_PT_BR, "%d day", "%d days", 5), "%d days");
	/* The singular form of a plural entry is its plain translation. */
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "%d reply"), "%d resposta");
	i18n_free(c);
}

Test(i18n, a_missing_file_is_an_error)
{
	expect_load_error("No such file");
}

Test(i18n, a_file_that_is_not_a_catalog_is_an_error)
{
	write_file("pt_BR.mo", "this is definitely not a catalog", 32);
	expect_load_error("not a .mo file");
}

Test(i18n, a_truncated_catalog_is_an_error)
{
	write_file("pt_BR.mo", "\xde\x12\x04\x95\0\0\0\0", 8);
	expect_load_error("too short");
}

/* A little-endian header claiming count strings at the given table offsets. */
static void write_header(uint32_t count, uint32_t originals, uint32_t translations,
                         const void *tail, size_t tail_len)
{
	unsigned char data[256] = { 0 };
	uint32_t words[7] = { 0x950412de, 0, count, originals, translations, 0, 0 };
	memcpy(data, words, sizeof words); /* the test machine is little-endian */
	memcpy(data + 28, tail, tail_len);
	write_file("pt_BR.mo", data, 28 + tail_len);
}

Test(i18n, string_tables_outside_the_file_are_an_error)
{
	write_header(1000000, 28, 28, "", 0);
	expect_load_error("outside the file");
}

Test(i18n, strings_outside_the_file_are_an_error)
{
	uint32_t table[2] = { 5, 0xfffffff0 }; /* length 5 at an absurd offset */
	write_header(1, 28, 28, table, sizeof table);
	expect_load_error("outside the file");
}

Test(i18n, strings_without_their_nul_are_an_error)
{
	unsigned char tail[12] = { 0 };
	uint32_t table[2] = { 4, 36 }; /* "abcd" at 36, the last byte of the file */
	memcpy(tail, table, sizeof table);
	memcpy(tail + 8, "abcd", 4);
	write_header(1, 28, 28, tail, sizeof tail);
	expect_load_error("outside the file");
}

Test(i18n, pairs_build_a_catalog_for_tests)
{
	const char *ids[] = { "Save", "Cancel" };
	const char *pt[] = { "Salvar", "Cancelar" };
	i18n_catalog *c = i18n_from_pairs(2, ids, pt);
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Cancel"), "Cancelar");
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Save"), "Salvar");
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Delete"), "Delete");
	i18n_free(c);
	i18n_free(NULL);
}

/* Thousands of msgids share the index's slots: each still finds its own
 * translation, and one absent still falls back to itself. */
Test(i18n, every_msgid_of_a_large_catalog_finds_its_own_translation)
{
	enum { N = 3000 };
	static char id_text[N][32], pt_text[N][32];
	const char *ids[N], *pt[N];
	for (int i = 0; i < N; i++) {
		snprintf(id_text[i], sizeof id_text[i], "Message %d", i);
		snprintf(pt_text[i], sizeof pt_text[i], "Mensagem %d", i);
		ids[i] = id_text[i];
		pt[i] = pt_text[i];
	}
	i18n_catalog *c = i18n_from_pairs(N, ids, pt);
	cr_assert_not_null(c);
	for (int i = 0; i < N; i++)
		cr_assert_str_eq(i18n_text(c, LANG_PT_BR, ids[i]), pt[i]);
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Message 3000"), "Message 3000");
	cr_assert_str_eq(i18n_text(c, LANG_PT_BR, "Message"), "Message");
	i18n_free(c);
}

Test(i18n, language_codes_round_trip)
{
	cr_assert_str_eq(lang_code(LANG_PT_BR), "pt-BR");
	cr_assert_str_eq(lang_code(LANG_EN), "en");
	cr_assert_eq(lang_parse(lang_code(LANG_PT_BR)), LANG_PT_BR);
	cr_assert_eq(lang_parse(lang_code(LANG_EN)), LANG_EN);
}

Test(i18n, parses_portuguese_in_every_spelling)
{
	const char *spellings[] = { "pt-BR", "pt_BR", "pt-br", "pt", "PT", "pt-PT" };
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++)
		cr_assert_eq(lang_parse(spellings[i]), LANG_PT_BR, "%s", spellings[i]);
}

Test(i18n, parses_english_in_every_spelling)
{
	const char *spellings[] = { "en", "en-US", "en_GB", "EN-us", "en-Latn-US" };
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++)
		cr_assert_eq(lang_parse(spellings[i]), LANG_EN, "%s", spellings[i]);
}

Test(i18n, rejects_unknown_and_malformed_languages)
{
	const char *junk[] = { "", "fr", "e", "eng", "en-", "en--US", "en US", "pt-BRAZILIAN",
	                       "*", "pt;q=1", "\xc3\xa9n" };
	for (size_t i = 0; i < sizeof junk / sizeof *junk; i++)
		cr_assert_eq(lang_parse(junk[i]), -1, "'%s'", junk[i]);
	cr_assert_eq(lang_parse(NULL), -1);
}

struct accept_case {
	const char *header;
	enum lang want;
};

static void check_accept(const struct accept_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++)
		cr_assert_eq(lang_from_accept(cases[i].header), cases[i].want, "'%s'", cases[i].header);
}

Test(i18n, accept_language_picks_the_highest_q)
{
	const struct accept_case cases[] = {
		{ "en-US,en;q=0.9,pt;q=0.8", LANG_EN },
		{ "fr, en;q=0.5", LANG_EN },
		{ "fr", LANG_PT_BR },
		{ "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", LANG_PT_BR },
		{ "en;q=0.4, pt;q=0.6", LANG_PT_BR },
		{ "pt;q=0.4, en;q=0.6", LANG_EN },
		{ "en;q=1.000", LANG_EN },
		{ "EN-gb ; q=0.7", LANG_EN },
		{ "en;q=0.5;level=1", LANG_EN },
	};
	check_accept(cases, sizeof cases / sizeof *cases);
}

Test(i18n, accept_language_ties_go_to_the_first_named)
{
	const struct accept_case cases[] = {
		{ "en, pt", LANG_EN },
		{ "pt, en", LANG_PT_BR },
		{ "en;q=0.5, pt;q=0.5", LANG_EN },
	};
	check_accept(cases, sizeof cases / sizeof *cases);
}

Test(i18n, accept_language_q_zero_excludes)
{
	const struct accept_case cases[] = {
		{ "en;q=0", LANG_PT_BR },
		{ "en;q=0.000, fr", LANG_PT_BR },
		{ "pt;q=0, *", LANG_EN },
		{ "*;q=0.5, en;q=0.3", LANG_PT_BR },
		{ "en;q=0.3, *;q=0.5", LANG_PT_BR },
		{ "*", LANG_PT_BR },
	};
	check_accept(cases, sizeof cases / sizeof *cases);
}

Test(i18n, accept_language_survives_junk)
{
	const struct accept_case cases[] = {
		{ NULL, LANG_PT_BR },
		{ "", LANG_PT_BR },
		{ ",,,;;;", LANG_PT_BR },
		{ ";q=1", LANG_PT_BR },
		{ "en;q=", LANG_PT_BR },
		{ "en;q=2", LANG_PT_BR },
		{ "en;q=0.1234", LANG_PT_BR },
		{ "en;q=abc", LANG_PT_BR },
		{ "en;q=-1", LANG_PT_BR },
		{ "en q=0.5", LANG_PT_BR },
		{ "en;", LANG_EN },
		{ "en-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", LANG_PT_BR },
		{ "\xff\xfe, en", LANG_EN },
		{ "en;q=0.5,", LANG_EN },
		{ "en;q=0.5 ,  ", LANG_EN },
		{ " \t ", LANG_PT_BR },
	};
	check_accept(cases, sizeof cases / sizeof *cases);
}

Test(i18n, accept_language_handles_a_huge_header)
{
	size_t len = 1 << 20;
	char *header = malloc(len + 1);
	cr_assert_not_null(header);
	for (size_t i = 0; i < len; i++)
		header[i] = "fr;q=0.1,"[i % 9];
	memcpy(header + len - 3, ",en", 3);
	header[len] = '\0';
	cr_assert_eq(lang_from_accept(header), LANG_EN);
	free(header);
}
