/* zlib compression of stored blobs (the kept originals of inbound email):
 * a storage format, so it lives beside the SQL that writes and reads it. */
#ifndef CHAMADO_ZLIB_CODEC_H
#define CHAMADO_ZLIB_CODEC_H

#include <stddef.h>

#include "base/buf.h"

/* Appends the zlib form of len bytes to out (capped by out). 0 or -1. */
int zlib_compress(const void *in, size_t len, buf *out);
/* Appends the bytes of a zlib stream to out (capped by out). 0 or -1. */
int zlib_decompress(const void *in, size_t len, buf *out);

#endif
