#include "store/zlib_codec.h"

#include <gio/gio.h>

/* Runs len bytes through a zlib converter into out (capped). 0 or -1. */
static int zlib_run(GConverter *conv, const void *in, size_t len, buf *out)
{
	char chunk[16384];
	const char *p = in;
	size_t left = len;
	for (;;) {
		gsize read = 0, written = 0;
		GError *error = NULL;
		GConverterResult res = g_converter_convert(conv, p, left, chunk, sizeof chunk,
		                                           G_CONVERTER_INPUT_AT_END, &read, &written,
		                                           &error);
		if (res == G_CONVERTER_ERROR) {
			g_error_free(error);
			return -1;
		}
		p += read;
		left -= read;
		if (buf_append(out, chunk, written) != BUF_OK)
			return -1;
		if (res == G_CONVERTER_FINISHED)
			return 0;
	}
}

int zlib_compress(const void *in, size_t len, buf *out)
{
	GZlibCompressor *z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6);
	int rc = zlib_run(G_CONVERTER(z), in, len, out);
	g_object_unref(z);
	return rc;
}

int zlib_decompress(const void *in, size_t len, buf *out)
{
	GZlibDecompressor *z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
	int rc = zlib_run(G_CONVERTER(z), in, len, out);
	g_object_unref(z);
	return rc;
}
