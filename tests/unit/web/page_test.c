/* What the web layer hands the domain: a form's uploads as files. */
#include "web/page.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <time.h>

#include "domain/attachment.h"

static struct upload *upload(arena *a, const char *field, const char *filename, struct upload *next)
{
	struct upload *u = arena_zalloc(a, sizeof *u);
	u->field = field;
	u->filename = filename;
	u->fd = -1;
	u->next = next;
	return u;
}

Test(attachment, uploads_of_other_fields_are_ignored)
{
	arena *a = arena_new(4096);
	struct upload *list = upload(a, "avatar", "foto.png", NULL);
	int n = -1;
	struct attachment_file *files = web_upload_files(list, "attachments", a, &n);
	cr_assert_not_null(files);
	cr_expect_eq(n, 0);
	arena_free(a);
}

Test(attachment, the_uploads_of_the_field_are_handed_over_in_order)
{
	arena *a = arena_new(4096);
	struct upload *list = upload(a, "attachments", "um.png", upload(a, "avatar", "x.png",
	                             upload(a, "attachments", "dois.pdf", NULL)));
	int n = 0;
	struct attachment_file *files = web_upload_files(list, "attachments", a, &n);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(files[0].filename, "um.png");
	cr_expect_str_eq(files[1].filename, "dois.pdf");
	cr_expect_eq(files[1].fd, -1);
	arena_free(a);
}

/* The times on every page, written by hand, match strftime's in zones with
 * negative, positive and half-hour offsets, summer time included. */
Test(page_time, formats_as_strftime_does)
{
	static const char *const zones[] = {"America/Sao_Paulo", "UTC", "Asia/Kolkata",
	                                    "America/St_Johns", "Europe/Lisbon"};
	arena *a = arena_new(4096);
	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (time_t t = 0; t < (time_t)4102444800; t += 86400 * 37 + 3671) {
			struct tm tm;
			localtime_r(&t, &tm);
			char want[40];
			strftime(want, sizeof want, "%d/%m/%Y %H:%M", &tm);
			cr_assert_str_eq(page_format_minute(a, &tm, true), want, "%s %ld", zones[z], (long)t);
			strftime(want, sizeof want, "%Y-%m-%d %H:%M", &tm);
			cr_assert_str_eq(page_format_minute(a, &tm, false), want, "%s %ld", zones[z], (long)t);
			strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S%z", &tm);
			cr_assert_str_eq(page_format_iso(a, &tm), want, "%s %ld", zones[z], (long)t);
		}
	}
	unsetenv("TZ");
	tzset();
	arena_free(a);
}

/* The relative times ("há 3 horas") put the count where the translation
 * has it, whatever its size or sign, and keep any other format working. */
Test(page_count_text, puts_the_count_in_place_of_its_format)
{
	arena *a = arena_new(4096);
	cr_assert_str_eq(page_count_text(a, "há %ld horas", 3), "há 3 horas");
	cr_assert_str_eq(page_count_text(a, "%ld days ago", 29), "29 days ago");
	cr_assert_str_eq(page_count_text(a, "%ld", 999), "999");
	cr_assert_str_eq(page_count_text(a, "há %ld dias", 1000), "há 1000 dias");
	cr_assert_str_eq(page_count_text(a, "%ld minutes ago", -5), "-5 minutes ago");
	cr_assert_str_eq(page_count_text(a, "100%% em %ld dias", 2), "100% em 2 dias");
	cr_assert_str_eq(page_count_text(a, "agora", 2), "agora");
	arena_free(a);
}
