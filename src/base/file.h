/* Reading a whole file into memory, with a cap on its size. */
#ifndef CHAMADO_FILE_H
#define CHAMADO_FILE_H

#include <stddef.h>

/* The bytes of the file at path, NUL-terminated (a byte past *len), in a
 * malloc'd buffer of the file's size that the caller frees. NULL with errno
 * set when it cannot be read, and EFBIG when it is over cap bytes (or grew
 * past its size while being read). */
char *file_read_all(const char *path, size_t cap, size_t *len);

#endif
