#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"

static char path[] = "/tmp/chamado-file-XXXXXX";

static void make_file(void)
{
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void remove_file(void)
{
	unlink(path);
}

static void write_bytes(const char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(bytes, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

TestSuite(file, .init = make_file, .fini = remove_file);

Test(file, reads_every_byte_and_ends_them_with_a_nul)
{
	write_bytes("a\0b\nc", 5);
	size_t len = 99;
	char *data = file_read_all(path, 5, &len);
	cr_assert_not_null(data, "%s", strerror(errno));
	cr_assert_eq(len, 5);
	cr_assert_eq(memcmp(data, "a\0b\nc", 5), 0);
	cr_assert_eq(data[5], '\0');
	free(data);
}

Test(file, reads_an_empty_file_as_an_empty_text)
{
	size_t len = 99;
	char *data = file_read_all(path, 0, &len);
	cr_assert_not_null(data, "%s", strerror(errno));
	cr_assert_eq(len, 0);
	cr_assert_str_eq(data, "");
	free(data);
}

Test(file, refuses_a_file_one_byte_over_the_cap_with_efbig)
{
	write_bytes("123456", 6);
	size_t len = 99;
	errno = 0;
	cr_assert_null(file_read_all(path, 5, &len));
	cr_assert_eq(errno, EFBIG);
	cr_assert_eq(len, 99, "len is left alone on failure");
}

Test(file, says_why_a_missing_file_cannot_be_read)
{
	size_t len = 0;
	errno = 0;
	cr_assert_null(file_read_all("/nonexistent/chamado/file", 100, &len));
	cr_assert_eq(errno, ENOENT);
}
