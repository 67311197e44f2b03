#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include "http/compress.h"

/* A page-like text of about len bytes: repeated markup with changing numbers. */
static char *page_text(size_t len)
{
	char *s = malloc(len + 64);
	size_t n = 0;
	for (int i = 0; n < len; i++)
		n += (size_t)sprintf(s + n, "<tr><td><a href=\"/tickets/%d\">Ticket %d</a></td></tr>\n", i * 7919, i);
	return s;
}

static unsigned char *gunzip(const unsigned char *data, size_t len, size_t cap, size_t *out_len)
{
	unsigned char *out = malloc(cap);
	z_stream z = {0};
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK, "not gzip");
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END, "the gzip stream does not end");
	*out_len = z.total_out;
	inflateEnd(&z);
	return out;
}

static void assert_round_trip(size_t len)
{
	char *text = page_text(len);
	size_t n = strlen(text), gz_len = 0, br_len = 0, back_len = 0;
	unsigned char *gz = compress_gzip(text, n, COMPRESS_GZIP_FAST, &gz_len);
	unsigned char *br = compress_brotli(text, n, COMPRESS_BROTLI_FAST, &br_len);
	cr_assert_not_null(gz);
	cr_assert_not_null(br);
	cr_expect_lt(gz_len, n / 3, "gzip: %zu of %zu bytes", gz_len, n);
	cr_expect_lt(br_len, n / 3, "Brotli: %zu of %zu bytes", br_len, n);

	unsigned char *back = gunzip(gz, gz_len, n + 1, &back_len);
	cr_assert_eq(back_len, n);
	cr_expect_eq(memcmp(back, text, n), 0, "gzip gives back other bytes");
	free(back);

	back = malloc(n + 1);
	back_len = n + 1;
	cr_assert_eq(BrotliDecoderDecompress(br_len, br, &back_len, back), BROTLI_DECODER_RESULT_SUCCESS);
	cr_assert_eq(back_len, n);
	cr_expect_eq(memcmp(back, text, n), 0, "Brotli gives back other bytes");
	free(back);

	size_t zs_len = 0;
	unsigned char *zs = compress_zstd(text, n, COMPRESS_ZSTD_FAST, &zs_len);
	cr_assert_not_null(zs);
	cr_expect_lt(zs_len, n / 3, "Zstandard: %zu of %zu bytes", zs_len, n);
	back = malloc(n + 1);
	size_t got = ZSTD_decompress(back, n + 1, zs, zs_len);
	cr_assert(!ZSTD_isError(got), "Zstandard: %s", ZSTD_getErrorName(got));
	cr_assert_eq(got, n);
	cr_expect_eq(memcmp(back, text, n), 0, "Zstandard gives back other bytes");
	free(back);
	free(zs);
	free(gz);
	free(br);
	free(text);
}

Test(compress, a_page_comes_back_byte_for_byte_from_gzip_brotli_and_zstandard)
{
	assert_round_trip(2000);
}

/* Larger than gzip's biggest window and Brotli's small ones. */
Test(compress, a_body_larger_than_the_windows_comes_back_too)
{
	assert_round_trip(300000);
}

Test(compress, bytes_that_do_not_shrink_are_left_as_they_are)
{
	unsigned char noise[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof noise; i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (unsigned char)(x >> 24);
	}
	size_t n = 99;
	cr_expect_null(compress_gzip(noise, sizeof noise, COMPRESS_GZIP_BEST, &n));
	cr_expect_null(compress_brotli(noise, sizeof noise, COMPRESS_BROTLI_STATIC, &n));
	cr_expect_null(compress_gzip("", 0, COMPRESS_GZIP_FAST, &n), "nothing to shrink");
	cr_expect_null(compress_brotli("", 0, COMPRESS_BROTLI_FAST, &n), "nothing to shrink");
	cr_expect_null(compress_zstd(noise, sizeof noise, COMPRESS_ZSTD_FAST, &n));
	cr_expect_null(compress_zstd("", 0, COMPRESS_ZSTD_FAST, &n), "nothing to shrink");
}
