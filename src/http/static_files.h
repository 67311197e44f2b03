/* Static assets (CSS, images, a little JS), read into memory once at
 * start-up and served from there, with a strong ETag. Lookups never touch
 * the file system, so no path can reach outside the folder. */
#ifndef CHAMADO_STATIC_FILES_H
#define CHAMADO_STATIC_FILES_H

#include <stddef.h>

struct static_file {
	const char *path;         /* "/static/css/app.css" */
	const char *content_type;
	const char *etag;         /* quoted */
	const unsigned char *data;
	size_t len;
};

typedef struct static_files static_files;

/* Loads every file under dir, served below url_prefix ("/static").
 * NULL with a reason in err on failure. */
static_files *static_files_load(const char *dir, const char *url_prefix, char *err, size_t errlen);
void static_files_free(static_files *s);
const struct static_file *static_files_find(const static_files *s, const char *path);

#endif
