#include "http/static_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/str.h"

struct static_files {
	struct static_file *files;
	int count, cap;
};

static const char *type_for(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".jpg", "image/jpeg"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".txt", "text/plain; charset=utf-8"},
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (str_ends_with(path, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* FNV-1a over the bytes: an ETag only has to change when the file does. */
static char *etag_for(const unsigned char *data, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= data[i];
		h *= 1099511628211ULL;
	}
	char *tag = malloc(24);
	if (tag)
		snprintf(tag, 24, "\"%016llx\"", (unsigned long long)h);
	return tag;
}

static int read_whole(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || st.st_size > (64 << 20)) {
		fclose(f);
		return -1;
	}
	*len = (size_t)st.st_size;
	*data = malloc(*len + 1);
	int ok = *data && fread(*data, 1, *len, f) == *len;
	fclose(f);
	if (!ok) {
		free(*data);
		return -1;
	}
	return 0;
}

static int add_file(static_files *s, const char *fs_path, const char *url)
{
	if (s->count == s->cap) {
		int cap = s->cap ? s->cap * 2 : 32;
		struct static_file *p = realloc(s->files, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		s->files = p;
		s->cap = cap;
	}
	unsigned char *data;
	size_t len;
	if (read_whole(fs_path, &data, &len) < 0)
		return -1;
	struct static_file *f = &s->files[s->count];
	f->path = strdup(url);
	f->etag = etag_for(data, len);
	f->data = data;
	f->len = len;
	f->content_type = type_for(url);
	if (!f->path || !f->etag) {
		free((void *)f->path);
		free((void *)f->etag);
		free(data);
		return -1;
	}
	s->count++;
	return 0;
}

static int load_dir(static_files *s, const char *dir, const char *url, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char fs_path[2048], child_url[1024];
		snprintf(fs_path, sizeof fs_path, "%s/%s", dir, e->d_name);
		snprintf(child_url, sizeof child_url, "%s/%s", url, e->d_name);
		struct stat st;
		if (stat(fs_path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = load_dir(s, fs_path, child_url, err, errlen);
		else if (S_ISREG(st.st_mode) && add_file(s, fs_path, child_url) < 0) {
			snprintf(err, errlen, "cannot read %s", fs_path);
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

static_files *static_files_load(const char *dir, const char *url_prefix, char *err, size_t errlen)
{
	static_files *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (load_dir(s, dir, url_prefix, err, errlen) < 0) {
		static_files_free(s);
		return NULL;
	}
	return s;
}

void static_files_free(static_files *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->count; i++) {
		free((void *)s->files[i].path);
		free((void *)s->files[i].etag);
		free((void *)s->files[i].data);
	}
	free(s->files);
	free(s);
}

const struct static_file *static_files_find(const static_files *s, const char *path)
{
	for (int i = 0; i < s->count; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	return NULL;
}
