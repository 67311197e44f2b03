#include "http/static_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/str.h"
#include "http/compress.h"

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

/* Images and fonts are compressed already. */
static bool compressible(const char *content_type)
{
	return str_starts_with(content_type, "text/") || str_starts_with(content_type, "image/svg");
}

/* body set to data compressed by fn at level; unset when that saves nothing. */
static void compress_into(unsigned char *(*fn)(const void *, size_t, int, size_t *), int level,
                          const unsigned char *data, size_t len, struct static_body *body)
{
	size_t n = 0;
	unsigned char *out = fn(data, len, level, &n);
	if (out)
		*body = (struct static_body){out, n, NULL};
}

/* A static file larger than this is not served. */
#define STATIC_FILE_MAX ((size_t)64 << 20)

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
	size_t len = 0;
	unsigned char *data = (unsigned char *)file_read_all(fs_path, STATIC_FILE_MAX, &len);
	if (!data)
		return -1;
	struct static_file *f = &s->files[s->count];
	memset(f, 0, sizeof *f);
	f->content_type = type_for(url);
	f->body[STATIC_IDENTITY] = (struct static_body){data, len, NULL};
	if (compressible(f->content_type)) {
		compress_into(compress_gzip, COMPRESS_GZIP_BEST, data, len, &f->body[STATIC_GZIP]);
		compress_into(compress_brotli, COMPRESS_BROTLI_STATIC, data, len, &f->body[STATIC_BR]);
	}
	char version[17];
	snprintf(version, sizeof version, "%016llx", (unsigned long long)str_hash(data, len));
	static const char *const suffix[STATIC_ENCODINGS] = {"", "-gz", "-br"};
	bool ok = (f->path = strdup(url)) && (f->version = strdup(version));
	size_t url_len = strlen(url) + sizeof "?v=" + strlen(version);
	char *versioned = ok ? malloc(url_len) : NULL;
	if (versioned)
		snprintf(versioned, url_len, "%s?v=%s", url, version);
	f->url = versioned;
	ok = ok && versioned;
	for (int e = 0; ok && e < STATIC_ENCODINGS; e++) {
		if (!f->body[e].data)
			continue;
		char *tag = malloc(24);
		if (tag)
			snprintf(tag, 24, "\"%s%s\"", version, suffix[e]);
		f->body[e].etag = tag;
		ok = tag != NULL;
	}
	s->count++; /* freed with the set even when incomplete */
	return ok ? 0 : -1;
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
		struct static_file *f = &s->files[i];
		free((void *)f->path);
		free((void *)f->version);
		free((void *)f->url);
		for (int e = 0; e < STATIC_ENCODINGS; e++) {
			free((void *)f->body[e].data);
			free((void *)f->body[e].etag);
		}
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

const char *static_files_url(const static_files *s, const char *path)
{
	const struct static_file *f = s ? static_files_find(s, path) : NULL;
	return f ? f->url : NULL;
}
