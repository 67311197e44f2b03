/* What the web layer hands the domain: a form's uploads as files. */
#include "web/page.h"

#include <criterion/criterion.h>

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
