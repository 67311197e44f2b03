#include "http/compress.h"

#include <stdlib.h>

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

/* The smallest window (in bits, from min to max) that holds all of len:
 * the same output as a larger one, with less memory to set up (a page is a
 * few KB; the default windows are 32 KB and 4 MB). */
static int window_bits_for(size_t len, int min, int max)
{
	int bits = min;
	while (bits < max && ((size_t)1 << bits) < len)
		bits++;
	return bits;
}

unsigned char *compress_gzip(const void *data, size_t len, int level, size_t *out_len)
{
	z_stream z = {0};
	/* Memory level 7 rather than zlib's 8: the same bytes for a page, with
	 * 100 KB of state instead of 160 (in a single-thread loop 8 took 5x the
	 * time, 140 against 28 us, its state going back to the system at each
	 * free; in the server the two measured within noise). The highest
	 * level, run once per static file, keeps the most. */
	int mem_level = level >= COMPRESS_GZIP_BEST ? 9 : 7;
	/* +16: a gzip header and trailer rather than zlib's. */
	if (deflateInit2(&z, level, Z_DEFLATED, window_bits_for(len, 9, 15) + 16, mem_level,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&z, len);
	unsigned char *out = malloc(cap);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int ok = out && deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < len;
	*out_len = z.total_out;
	deflateEnd(&z);
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}

unsigned char *compress_brotli(const void *data, size_t len, int quality, size_t *out_len)
{
	size_t n = BrotliEncoderMaxCompressedSize(len);
	unsigned char *out = n ? malloc(n) : NULL;
	int lgwin = window_bits_for(len, BROTLI_MIN_WINDOW_BITS, BROTLI_DEFAULT_WINDOW);
	if (!out || !BrotliEncoderCompress(quality, lgwin, BROTLI_MODE_TEXT, len, data, &n, out) ||
	    n >= len) {
		free(out);
		return NULL;
	}
	*out_len = n;
	return out;
}

/* A context of its own each time: kept per thread, one sized by the largest
 * page would stay resident in every request thread (120 KB for a 7.7 KB
 * page, 580 KB for 400 KB), for 4 us a page saved. */
unsigned char *compress_zstd(const void *data, size_t len, int level, size_t *out_len)
{
	if (!len)
		return NULL;
	size_t cap = ZSTD_compressBound(len);
	unsigned char *out = malloc(cap);
	size_t n = out ? ZSTD_compress(out, cap, data, len, level) : 0;
	if (!out || ZSTD_isError(n) || n >= len) {
		free(out);
		return NULL;
	}
	*out_len = n;
	return out;
}
