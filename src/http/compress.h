/* Response bodies compressed with gzip (zlib), Brotli or Zstandard. Static
 * files are compressed once at start-up at a high level (gzip and Brotli);
 * pages at a fast one, per response, when the client accepts it (server.c). */
#ifndef CHAMADO_COMPRESS_H
#define CHAMADO_COMPRESS_H

#include <stddef.h>

enum {
	COMPRESS_GZIP_BEST = 9,
	COMPRESS_GZIP_FAST = 1,
	/* Brotli's quality 5: static files are compressed at every start-up,
	 * where quality 11 costs 10-20x the time (about 100 ms for our 47 KB of
	 * CSS and JS, against a start-up of 40 ms) for files only 10% smaller. */
	COMPRESS_BROTLI_STATIC = 5,
	/* Quality 1 for pages: it took a 6.3 KB ticket page's CPU per request
	 * in the server from ~121 to ~146 us, gzip's level 1 to ~182 us, both
	 * sending 2.6 KB. Quality 0 saved a few us for 3% more bytes. */
	COMPRESS_BROTLI_FAST = 1,
	/* Zstandard's level 1 for pages, first choice when the browser takes
	 * it: a 7.7 KB ticket page in 19 us and 2,564 bytes, where Brotli's
	 * quality 1 took 31 us for 2,696 (a 15 KB staff page: 28 against 44
	 * us, 3,820 against 4,057 bytes; one thread, this machine). */
	COMPRESS_ZSTD_FAST = 1,
};

/* len bytes of data in the gzip format at level (1-9), in a malloc'd
 * buffer of *out_len bytes. NULL when out of memory or when it would not
 * be smaller than data. */
unsigned char *compress_gzip(const void *data, size_t len, int level, size_t *out_len);
/* The same in Brotli's format at quality (0-11). */
unsigned char *compress_brotli(const void *data, size_t len, int quality, size_t *out_len);
/* The same in Zstandard's format at level (1-19). */
unsigned char *compress_zstd(const void *data, size_t len, int level, size_t *out_len);

#endif
