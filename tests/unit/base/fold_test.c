#include <criterion/criterion.h>
#include <stdio.h>

#include "base/fold.h"

static char *folded(const char *text, size_t max)
{
	static char out[1024];
	buf b;
	buf_init(&b, max);
	fold_search_append(&b, text);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

Test(fold, removes_accents_and_case_from_portuguese_words)
{
	cr_assert_str_eq(folded("Número da AÇÃO: órgão", 1024), "numero da acao orgao");
	cr_assert_str_eq(folded("ÀÉÎÕÜ àéîõü Çç Ññ", 1024), "aeiou aeiou cc nn");
}

Test(fold, spells_out_letters_that_have_no_accent_to_remove)
{
	cr_assert_str_eq(folded("Straße Æsir Œuvre Łódź", 1024), "strasse aesir oeuvre lodz");
}

Test(fold, makes_every_other_character_a_single_space_between_words)
{
	cr_assert_str_eq(folded("maria@exemplo.com.br", 1024), "maria exemplo com br");
	cr_assert_str_eq(folded("SUP-2026-000123", 1024), "sup 2026 000123");
	cr_assert_str_eq(folded("  «erro»  — 500!! ", 1024), "erro 500 ");
	cr_assert_str_eq(folded("a×b÷c", 1024), "a b c");
}

Test(fold, treats_invalid_utf8_as_a_separator)
{
	cr_assert_str_eq(folded("ab\xC3(cd\xED\xA0\x80" "ef", 1024), "ab cd ef");
}

Test(fold, keeps_letters_of_other_scripts)
{
	cr_assert_str_eq(folded("Ошибка 日本", 1024), "Ошибка 日本");
}

Test(fold, separates_what_it_appends_from_what_the_buffer_holds)
{
	buf b;
	buf_init(&b, 1024);
	fold_search_append(&b, "Assunto");
	fold_search_append(&b, "Corpo");
	cr_assert_str_eq(buf_str(&b), "assunto corpo");
	buf_free(&b);
}

Test(fold, stops_at_the_cap_and_says_so)
{
	buf b;
	buf_init(&b, 8);
	cr_assert_eq(fold_search_append(&b, "abcdefghijkl"), BUF_TOO_BIG);
	cr_assert_leq(b.len, 8);
	buf_free(&b);
}
