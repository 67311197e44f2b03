/* Attachments: small real files in a temporary folder, handed over as the
 * web layer hands them over (struct attachment_file), checked for count,
 * size, name, extension, detected type and digest; and detection from two threads. */
#include "domain/attachment.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/request.h"

static char dir[] = "/tmp/chamado-attachment-test-XXXXXX";
static arena *a;
static struct attachment_limits limits;

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	a = arena_new(4096);
	cr_assert_not_null(a);
	attachment_limits_default(&limits);
}

static void teardown(void)
{
	arena_free(a);
	char command[300];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(attachment, .init = setup, .fini = teardown);

/* A 1x1 grey PNG (signature, IHDR, IDAT, IEND), and its SHA-256. */
static const unsigned char png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x48, 0xaf, 0xa4, 0x71, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
static const char png_sha256[] = "eaa4a94ea300e0d2c775968cbe42f0b5b51ceafdeb73d64e9efddf6d4e880865";

static const char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
static const char jpeg[] = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
static const char pdf[] = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
/* An empty zip: only the end-of-central-directory record. */
static const char empty_zip[22] = "PK\x05\x06";
static const char text_utf8[] = "Olá, a impressão não funciona.\n";
static const char text_utf8_sha256[] =
    "2bafa56a646858778c857e54311c534a44791e6a280733f1d93e92843d86b5a6";
static const char text_latin1[] = "Ol\xe1, a impress\xe3o n\xe3o funciona.\n";
static const char html[] = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n";
/* The start of a Windows executable. */
static const char exe[] = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";

/* Writes len bytes to a new file in the temporary folder; returns its path. */
static const char *write_file(const char *name, const void *data, size_t len)
{
	const char *path = arena_printf(a, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

enum { FILES_MAX = 64 };
static struct attachment_file files[FILES_MAX];
static int nfiles;

/* Appends a file as the web layer hands it over: a form's upload streamed
 * to a temporary file. */
static struct attachment_file *add_upload(const char *filename, const void *data, size_t len)
{
	static int n;
	cr_assert_lt(nfiles, FILES_MAX);
	struct attachment_file *u = &files[nfiles++];
	*u = (struct attachment_file){.filename = filename, .fd = -1, .size = len};
	u->path = write_file(arena_printf(a, "upload-%d", n++), data, len);
	return u;
}

static int check_list(struct attachment_in *out, int max_out, const char **bad_name)
{
	return attachment_check_files(files, nfiles, &limits, a, out, max_out, bad_name);
}

/* Checks one upload alone and returns the result. */
static int check_one(const char *filename, const void *data, size_t len, struct attachment_in *out,
                     const char **bad_name)
{
	nfiles = 0;
	add_upload(filename, data, len);
	return check_list(out, 1, bad_name);
}

Test(attachment, accepts_images_pdf_zip_and_texts_with_the_detected_types)
{
	limits.max_files = 10;
	nfiles = 0;
	add_upload("foto.png", png, sizeof png);
	add_upload("anim.gif", gif, sizeof gif - 1);
	add_upload("camera.jpg", jpeg, sizeof jpeg - 1);
	add_upload("nota.pdf", pdf, sizeof pdf - 1);
	add_upload("vazio.zip", empty_zip, sizeof empty_zip);
	add_upload("erro.txt", text_utf8, sizeof text_utf8 - 1);
	add_upload("servidor.log", text_latin1, sizeof text_latin1 - 1);
	struct attachment_in out[10];
	const char *bad = "unset";
	int n = check_list(out, 10, &bad);
	cr_assert_eq(n, 7, "got %d for %s", n, bad);
	cr_expect_null(bad);
	const char *names[] = {"foto.png",  "anim.gif", "camera.jpg",  "nota.pdf",
	                       "vazio.zip", "erro.txt", "servidor.log"};
	const char *types[] = {"image/png",       "image/gif",  "image/jpeg", "application/pdf",
	                       "application/zip", "text/plain", "text/plain"};
	for (int i = 0; i < n; i++) {
		cr_expect_str_eq(out[i].name, names[i]);
		cr_expect_str_eq(out[i].content_type, types[i]);
	}
	cr_expect_eq(out[0].size, sizeof png);
	cr_expect_eq(memcmp(out[0].data, png, sizeof png), 0);
	cr_expect_str_eq(out[0].sha256, png_sha256);
	cr_expect_str_eq(out[5].sha256, text_utf8_sha256);
	cr_expect_str_eq((const char *)out[5].data, text_utf8);
}

Test(attachment, accepts_a_zip_made_by_the_zip_command)
{
	if (system("command -v zip >/dev/null 2>&1") != 0)
		cr_skip_test("zip is not installed");
	write_file("leia.txt", text_utf8, sizeof text_utf8 - 1);
	char command[400];
	snprintf(command, sizeof command, "cd '%s' && zip -q pacote.zip leia.txt", dir);
	cr_assert_eq(system(command), 0);
	FILE *f = fopen(arena_printf(a, "%s/pacote.zip", dir), "rb");
	cr_assert_not_null(f);
	static unsigned char bytes[4096];
	size_t len = fread(bytes, 1, sizeof bytes, f);
	fclose(f);
	struct attachment_in out;
	cr_assert_eq(check_one("pacote.zip", bytes, len, &out, NULL), 1);
	cr_expect_str_eq(out.content_type, "application/zip");
}

Test(attachment, html_renamed_png_is_a_type_mismatch)
{
	struct attachment_in out;
	const char *bad = NULL;
	cr_expect_eq(check_one("foto.png", html, sizeof html - 1, &out, &bad),
	             ATTACHMENT_TYPE_MISMATCH);
	cr_expect_str_eq(bad, "foto.png");
}

Test(attachment, an_executable_renamed_png_is_a_type_mismatch)
{
	struct attachment_in out;
	cr_expect_eq(check_one("foto.png", exe, sizeof exe - 1, &out, NULL),
	             ATTACHMENT_TYPE_MISMATCH);
}

Test(attachment, a_png_renamed_pdf_or_txt_is_a_type_mismatch)
{
	struct attachment_in out;
	cr_expect_eq(check_one("nota.pdf", png, sizeof png, &out, NULL), ATTACHMENT_TYPE_MISMATCH);
	cr_expect_eq(check_one("nota.txt", png, sizeof png, &out, NULL), ATTACHMENT_TYPE_MISMATCH);
}

Test(attachment, an_exe_extension_is_refused)
{
	struct attachment_in out;
	const char *bad = NULL;
	cr_expect_eq(check_one("setup.exe", exe, sizeof exe - 1, &out, &bad), ATTACHMENT_EXTENSION);
	cr_expect_str_eq(bad, "setup.exe");
	cr_expect_eq(check_one("sem-extensao", png, sizeof png, &out, NULL), ATTACHMENT_EXTENSION);
	cr_expect_eq(check_one("foto.png.exe", png, sizeof png, &out, NULL), ATTACHMENT_EXTENSION);
}

Test(attachment, more_files_than_the_limit_are_too_many)
{
	nfiles = 0;
	for (int i = 1; i <= 6; i++)
		add_upload(arena_printf(a, "foto%d.png", i), png, sizeof png);
	struct attachment_in out[10];
	const char *bad = NULL;
	cr_expect_eq(check_list(out, 10, &bad), ATTACHMENT_TOO_MANY);
	cr_expect_str_eq(bad, "foto6.png");
	limits.max_files = 6;
	cr_expect_eq(check_list(out, 10, &bad), 6);
	cr_expect_eq(check_list(out, 3, &bad), ATTACHMENT_TOO_MANY, "max_out is a limit too");
	cr_expect_str_eq(bad, "foto4.png");
}

Test(attachment, a_file_the_server_cut_as_too_big_is_too_big)
{
	nfiles = 0;
	struct attachment_file *u = add_upload("grande.pdf", pdf, sizeof pdf - 1);
	u->too_big = true;
	u->path = NULL; /* what the server leaves after dropping the data */
	struct attachment_in out[1];
	const char *bad = NULL;
	cr_expect_eq(check_list(out, 1, &bad), ATTACHMENT_TOO_BIG);
	cr_expect_str_eq(bad, "grande.pdf");
}

Test(attachment, a_file_over_the_cap_is_too_big_whatever_size_it_claims)
{
	limits.max_bytes = 1000;
	static char text[1001];
	memset(text, 'a', sizeof text);
	nfiles = 0;
	struct attachment_file *u = add_upload("grande.txt", text, sizeof text);
	u->size = 10; /* never trusted */
	struct attachment_in out[1];
	cr_expect_eq(check_list(out, 1, NULL), ATTACHMENT_TOO_BIG);
	cr_expect_eq(check_one("exato.txt", text, 1000, out, NULL), 1, "exactly the cap is fine");
	cr_expect_eq(out[0].size, 1000);
}

Test(attachment, an_empty_file_is_refused)
{
	struct attachment_in out;
	const char *bad = NULL;
	cr_expect_eq(check_one("vazio.txt", "", 0, &out, &bad), ATTACHMENT_EMPTY);
	cr_expect_str_eq(bad, "vazio.txt");
}

Test(attachment, the_empty_part_of_a_form_without_a_file_is_skipped)
{
	nfiles = 0;
	struct attachment_file *none = add_upload("", "", 0);
	none->path = NULL;
	struct attachment_in out[5];
	cr_expect_eq(check_list(out, 5, NULL), 0);
	add_upload("foto.png", png, sizeof png);
	cr_expect_eq(check_list(out, 5, NULL), 1);
	cr_expect_str_eq(out[0].name, "foto.png");
}

Test(attachment, an_upload_known_only_by_its_descriptor_is_read_from_the_start)
{
	nfiles = 0;
	struct attachment_file *u = add_upload("foto.png", png, sizeof png);
	u->fd = open(u->path, O_RDONLY);
	cr_assert_geq(u->fd, 0);
	cr_assert_eq(lseek(u->fd, 0, SEEK_END), (off_t)sizeof png);
	u->path = NULL;
	struct attachment_in out[1];
	cr_expect_eq(check_list(out, 1, NULL), 1);
	cr_expect_str_eq(out[0].sha256, png_sha256);
	close(u->fd);
}

Test(attachment, a_lost_temporary_file_is_a_read_error)
{
	nfiles = 0;
	struct attachment_file *u = add_upload("foto.png", png, sizeof png);
	cr_assert_eq(unlink(u->path), 0);
	struct attachment_in out[1];
	cr_expect_eq(check_list(out, 1, NULL), ATTACHMENT_READ);
	u->path = NULL; /* the server could not create it */
	cr_expect_eq(check_list(out, 1, NULL), ATTACHMENT_READ);
}

Test(attachment, names_lose_their_paths)
{
	struct attachment_in out;
	cr_expect_eq(check_one("C:\\Users\\x\\foto.png", png, sizeof png, &out, NULL), 1);
	cr_expect_str_eq(out.name, "foto.png");
	cr_expect_eq(check_one("../../etc/passwd.txt", text_utf8, sizeof text_utf8 - 1, &out, NULL),
	             1);
	cr_expect_str_eq(out.name, "passwd.txt");
}

Test(attachment, a_300_character_name_is_cut_keeping_the_extension)
{
	char name[305];
	memset(name, 'x', 300);
	strcpy(name + 300, ".png");
	struct attachment_in out;
	cr_expect_eq(check_one(name, png, sizeof png, &out, NULL), 1);
	cr_expect_eq(strlen(out.name), ATTACHMENT_NAME_MAX);
	cr_expect(strncmp(out.name, "xxxx", 4) == 0);
	cr_expect_str_eq(out.name + ATTACHMENT_NAME_MAX - 4, ".png");
}

Test(attachment, a_long_accented_name_is_cut_between_characters)
{
	char name[400] = "";
	for (int i = 0; i < 100; i++)
		strcat(name, "ç"); /* two bytes each: 200 bytes */
	strcat(name, ".txt");
	const char *safe = attachment_safe_name(a, name);
	cr_expect_leq(strlen(safe), ATTACHMENT_NAME_MAX);
	cr_expect_str_eq(safe + strlen(safe) - 4, ".txt");
	cr_expect_eq((strlen(safe) - 4) % 2, 0, "no half character: %s", safe);
}

Test(attachment, an_uppercase_extension_is_accepted)
{
	struct attachment_in out;
	cr_expect_eq(check_one("FOTO.PNG", png, sizeof png, &out, NULL), 1);
	cr_expect_str_eq(out.name, "FOTO.PNG");
	cr_expect_str_eq(out.content_type, "image/png");
}

Test(attachment, safe_names_drop_controls_quotes_and_direction_overrides)
{
	cr_expect_str_eq(attachment_safe_name(a, "a\"b'c\td\r\ne\x7f.png"), "abcde.png");
	/* U+202E would show "foto\u202Egnp.exe" as "fotoexe.png". */
	cr_expect_str_eq(attachment_safe_name(a, "foto\xe2\x80\xaegnp.exe"), "fotognp.exe");
	cr_expect_str_eq(attachment_safe_name(a, "relat\xf3rio.txt"), "relat\xef\xbf\xbdrio.txt");
	cr_expect_str_eq(attachment_safe_name(a, "  Relatório final.pdf  "), "Relatório final.pdf");
}

Test(attachment, safe_names_are_never_empty_nor_hidden)
{
	cr_expect_str_eq(attachment_safe_name(a, NULL), "arquivo");
	cr_expect_str_eq(attachment_safe_name(a, ""), "arquivo");
	cr_expect_str_eq(attachment_safe_name(a, "C:\\fotos\\"), "arquivo");
	cr_expect_str_eq(attachment_safe_name(a, "\"\"\t"), "arquivo");
	cr_expect_str_eq(attachment_safe_name(a, ".png"), "arquivo.png");
	cr_expect_str_eq(attachment_safe_name(a, "..."), "arquivo");
	cr_expect_str_eq(attachment_safe_name(a, ".htaccess"), "arquivo.htaccess");
	cr_expect_str_eq(attachment_safe_name(a, "..foto.png"), "foto.png");
	cr_expect_str_eq(attachment_safe_name(a, "\x01.bashrc"), "arquivo.bashrc");
}

Test(attachment, bytes_in_memory_get_the_same_checks)
{
	struct attachment_in out;
	cr_expect_eq(attachment_check_bytes("../foto.png", png, sizeof png, &limits, a, &out),
	             ATTACHMENT_OK);
	cr_expect_str_eq(out.name, "foto.png");
	cr_expect_str_eq(out.content_type, "image/png");
	cr_expect_str_eq(out.sha256, png_sha256);
	cr_expect_neq((const void *)out.data, (const void *)png, "copied into the arena");
	cr_expect_eq(attachment_check_bytes("foto.png", (const unsigned char *)html,
	                                    sizeof html - 1, &limits, a, &out),
	             ATTACHMENT_TYPE_MISMATCH);
	cr_expect_str_eq(out.name, "foto.png");
	cr_expect_eq(attachment_check_bytes("x.zip", NULL, 0, &limits, a, &out), ATTACHMENT_EMPTY);
	limits.max_bytes = 10;
	cr_expect_eq(attachment_check_bytes("x.png", png, sizeof png, &limits, a, &out),
	             ATTACHMENT_TOO_BIG);
}

Test(attachment, an_allowed_extension_without_a_known_type_is_refused)
{
	limits.extensions = "png, docx";
	struct attachment_in out;
	cr_expect_eq(attachment_check_bytes("a.docx", png, sizeof png, &limits, a, &out),
	             ATTACHMENT_TYPE_MISMATCH);
	cr_expect_eq(attachment_check_bytes("a.PNG", png, sizeof png, &limits, a, &out),
	             ATTACHMENT_OK, "spaces in the list are ignored");
}

Test(attachment, error_messages_name_the_file_and_the_limit)
{
	struct {
		int error;
		const char *expected;
	} cases[] = {
	    {ATTACHMENT_TOO_BIG, "foto.png is larger than the limit of 10 MB."},
	    {ATTACHMENT_TOO_MANY, "foto.png was not attached: a message can have at most 5 files."},
	    {ATTACHMENT_EXTENSION, "foto.png cannot be attached: the allowed file types are "
	                           "jpg, jpeg, png, gif, pdf, txt, log, zip."},
	    {ATTACHMENT_TYPE_MISMATCH, "The contents of foto.png do not match its file type."},
	    {ATTACHMENT_EMPTY, "foto.png is empty."},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *format = attachment_error_text(cases[i].error);
		cr_expect_str_eq(
		    attachment_error_message(a, format, cases[i].error, "foto.png", &limits),
		    cases[i].expected);
	}
	limits.max_bytes = 512 * 1024;
	cr_expect_str_eq(attachment_error_limit(ATTACHMENT_TOO_BIG, &limits, a), "512 KB");
	cr_expect_not_null(attachment_error_text(-99));
}

Test(attachment, only_png_jpeg_and_gif_are_shown_as_images)
{
	cr_expect(attachment_is_image("image/png"));
	cr_expect(attachment_is_image("image/jpeg"));
	cr_expect(attachment_is_image("image/gif"));
	cr_expect_not(attachment_is_image("image/svg+xml"));
	cr_expect_not(attachment_is_image("application/pdf"));
	cr_expect_not(attachment_is_image(NULL));
}

/* Each thread checks a PNG and a PDF many times, in its own arena. */
struct detect_run {
	int rounds;
	int wrong;
};

static void *detect_many(void *arg)
{
	struct detect_run *run = arg;
	arena *mine = arena_new(4096);
	for (int i = 0; i < run->rounds && mine; i++) {
		struct attachment_in out;
		if (attachment_check_bytes("a.png", png, sizeof png, &limits, mine, &out) != 0 ||
		    strcmp(out.content_type, "image/png") != 0)
			run->wrong++;
		if (attachment_check_bytes("a.pdf", (const unsigned char *)pdf, sizeof pdf - 1,
		                           &limits, mine, &out) != 0 ||
		    strcmp(out.content_type, "application/pdf") != 0)
			run->wrong++;
		arena_reset(mine);
	}
	arena_free(mine);
	return NULL;
}

Test(attachment, two_threads_detecting_at_once_both_get_the_right_types)
{
	struct detect_run runs[2] = {{200, 0}, {200, 0}};
	pthread_t threads[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, detect_many, &runs[i]), 0);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_join(threads[i], NULL), 0);
	cr_expect_eq(runs[0].wrong, 0);
	cr_expect_eq(runs[1].wrong, 0);
}
