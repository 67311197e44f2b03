#include "base/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

char *file_read_all(const char *path, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	/* Sized by fstat, not by the cap: a buffer of the cap for every file
	 * made each process that loads the templates do a hundred large mmaps. */
	struct stat st;
	if (fstat(fileno(f), &st) != 0) {
		int why = errno;
		fclose(f);
		errno = why;
		return NULL;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > cap) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	size_t want = (size_t)st.st_size;
	char *data = malloc(want + 1);
	if (!data) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	size_t n = fread(data, 1, want + 1, f);
	int failed = ferror(f);
	fclose(f);
	if (failed || n > want) {
		free(data);
		errno = failed ? EIO : EFBIG;
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}
