#include <criterion/criterion.h>
#include <stdlib.h>

#include "base/arena.h"
#include "base/buf.h"

Test(buf, escapes_the_five_html_special_characters)
{
	buf b;
	buf_init(&b, 1024);
	const char *s = "<a href=\"x\" title='y'>&</a>";
	cr_assert_eq(buf_put_html(&b, s, strlen(s)), BUF_OK);
	cr_assert_str_eq(buf_str(&b), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
	buf_free(&b);
}

Test(buf, refuses_appends_past_its_cap_and_keeps_what_it_had)
{
	buf b;
	buf_init(&b, 8);
	cr_assert_eq(buf_puts(&b, "12345"), BUF_OK);
	cr_assert_eq(buf_puts(&b, "6789"), BUF_TOO_BIG);
	cr_assert_str_eq(buf_str(&b), "12345");
	cr_assert_eq(buf_printf(&b, "%d", 678), BUF_OK);
	cr_assert_str_eq(buf_str(&b), "12345678");
	buf_free(&b);
}

Test(buf, byte_by_byte_appends_stop_at_the_cap_too)
{
	buf b;
	buf_init(&b, 300); /* past the first allocation of 256 */
	for (int i = 0; i < 300; i++)
		cr_assert_eq(buf_putc(&b, (char)('a' + i % 26)), BUF_OK, "byte %d", i);
	cr_assert_eq(buf_putc(&b, 'x'), BUF_TOO_BIG);
	cr_assert_eq(b.len, 300);
	cr_assert_eq(strlen(buf_str(&b)), 300, "still terminated");
	cr_assert_eq(buf_str(&b)[299], (char)('a' + 299 % 26));
	buf_free(&b);
}

Test(buf, appends_that_fill_each_allocation_exactly_keep_every_byte_and_the_end)
{
	buf b;
	buf_init(&b, 1000);
	/* 255 bytes fill the first 256 (with the terminator); the next byte
	 * must grow it, and the cap still holds at exactly 1000. */
	char chunk[255];
	memset(chunk, 'a', sizeof chunk);
	cr_assert_eq(buf_append(&b, chunk, sizeof chunk), BUF_OK);
	cr_assert_eq(buf_append(&b, "b", 1), BUF_OK);
	cr_assert_eq(buf_append(&b, "", 0), BUF_OK);
	for (size_t i = b.len; i < 1000; i++)
		cr_assert_eq(buf_append(&b, "c", 1), BUF_OK, "byte %zu", i);
	cr_assert_eq(buf_append(&b, "d", 1), BUF_TOO_BIG);
	cr_assert_eq(b.len, 1000);
	cr_assert_eq(strlen(buf_str(&b)), 1000, "still terminated");
	cr_assert_eq(buf_str(&b)[254], 'a');
	cr_assert_eq(buf_str(&b)[255], 'b');
	cr_assert_eq(buf_str(&b)[999], 'c');
	buf_free(&b);
}

Test(buf, escapes_text_with_no_special_character_and_text_made_only_of_them)
{
	buf b;
	buf_init(&b, 1024);
	cr_assert_eq(buf_put_html(&b, "Olá, mundo", strlen("Olá, mundo")), BUF_OK);
	cr_assert_eq(buf_put_html(&b, "<>", 2), BUF_OK);
	cr_assert_eq(buf_put_html(&b, "", 0), BUF_OK);
	cr_assert_str_eq(buf_str(&b), "Olá, mundo&lt;&gt;");
	buf_free(&b);
}

Test(buf, hands_its_memory_over_with_take)
{
	buf b;
	buf_init(&b, 64);
	buf_puts(&b, "olá");
	char *s = buf_take(&b);
	cr_assert_str_eq(s, "olá");
	cr_assert_eq(b.len, 0);
	free(s);
}

Test(arena, serves_many_allocations_and_large_ones)
{
	arena *a = arena_new(64);
	for (int i = 0; i < 1000; i++) {
		char *p = arena_printf(a, "item %d", i);
		cr_assert_not_null(p);
	}
	char *big = arena_alloc(a, 1 << 20);
	cr_assert_not_null(big);
	big[(1 << 20) - 1] = 'x';
	cr_assert_geq(arena_used(a), (size_t)1 << 20);
	arena_free(a);
}

Test(buf, reserved_room_takes_appends_without_moving_and_stops_at_the_cap)
{
	buf b;
	buf_init(&b, 100);
	cr_assert_eq(buf_reserve(&b, 64), BUF_OK);
	const char *data = b.data;
	for (int i = 0; i < 8; i++)
		cr_assert_eq(buf_append(&b, "12345678", 8), BUF_OK);
	cr_expect_eq(b.data, data, "64 bytes reserved hold 64 appended");
	cr_expect_eq(b.len, 64);
	cr_expect_eq(buf_reserve(&b, 37), BUF_TOO_BIG);
	cr_expect_eq(b.len, 64);
	cr_expect_str_eq(buf_str(&b), "1234567812345678123456781234567812345678123456781234567812345678");
	buf_free(&b);
}

/* Escapes as a byte-by-byte reference does, whatever the length and
 * wherever the special characters fall (the scan takes 16 bytes at a
 * time), and reads nothing past len: each text is an allocation of
 * exactly len bytes with no NUL, which AddressSanitizer watches. */
static void escape_by_hand(buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default: buf_putc(out, s[i]);
		}
	}
}

Test(buf, escapes_like_the_reference_at_every_length_and_position)
{
	static const char special[] = "&<>\"'";
	for (size_t len = 0; len <= 70; len++) {
		for (size_t at = 0; at <= len; at++) {
			char *s = malloc(len ? len : 1);
			cr_assert_not_null(s);
			for (size_t i = 0; i < len; i++)
				s[i] = (char)('a' + i % 26);
			if (at < len)
				s[at] = special[(len + at) % 5];
			if (len > 2 && at + 17 < len)
				s[at + 17] = special[at % 5];
			buf got, want;
			buf_init(&got, 1 << 12);
			buf_init(&want, 1 << 12);
			cr_assert_eq(buf_put_html(&got, s, len), BUF_OK);
			escape_by_hand(&want, s, len);
			cr_assert_eq(got.len, want.len, "length %zu, special at %zu", len, at);
			cr_assert(memcmp(buf_str(&got), buf_str(&want), got.len) == 0,
			          "length %zu, special at %zu: %s", len, at, buf_str(&got));
			buf_free(&got);
			buf_free(&want);
			free(s);
		}
	}
}
