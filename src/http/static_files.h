/* Static assets (CSS, images, a little JS), read into memory once at
 * start-up, compressed there with gzip and Brotli, and served from memory
 * with a strong ETag. Pages link them by a URL carrying a hash of their
 * bytes (static_files_url), which may be cached for a year. Lookups never
 * touch the file system, so no path can reach outside the folder. */
#ifndef CHAMADO_STATIC_FILES_H
#define CHAMADO_STATIC_FILES_H

#include <stddef.h>

/* One encoding of a file's bytes. */
struct static_body {
	const unsigned char *data;
	size_t len;
	const char *etag; /* quoted; differs per encoding, as a strong ETag must */
};

enum static_encoding { STATIC_IDENTITY, STATIC_GZIP, STATIC_BR, STATIC_ENCODINGS };

struct static_file {
	const char *path;         /* "/static/css/app.css" */
	const char *content_type;
	const char *version;      /* a hash of the bytes: "/static/css/app.css?v=<version>" */
	const char *url;          /* that versioned URL */
	/* The bytes as they are, gzipped and Brotli-compressed (data NULL when
	 * compressing saves nothing, as for images). Compressed once, at load. */
	struct static_body body[STATIC_ENCODINGS];
};

typedef struct static_files static_files;

/* Loads every file under dir, served below url_prefix ("/static").
 * NULL with a reason in err on failure. */
static_files *static_files_load(const char *dir, const char *url_prefix, char *err, size_t errlen);
void static_files_free(static_files *s);
const struct static_file *static_files_find(const static_files *s, const char *path);
/* The versioned URL of the file at path ("/static/css/app.css"), or NULL. */
const char *static_files_url(const static_files *s, const char *path);

#endif
