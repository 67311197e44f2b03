#include "domain/attachment.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/str.h"
#include "view/i18n.h"

#define MIB ((size_t)1024 * 1024)
/* An extension longer than this is not one we could allow: a name cut to
 * ATTACHMENT_NAME_MAX keeps only the extensions that matter. */
#define EXTENSION_MAX 16

void attachment_limits_default(struct attachment_limits *l)
{
	l->max_files = 5;
	l->max_bytes = 10 * MIB;
	l->extensions = "jpg,jpeg,png,gif,pdf,txt,log,zip";
}

/* ---- Safe names ---- */

/* Bytes in the UTF-8 sequence that starts at s (n bytes left): 1 to 4, or 0
 * when it is not well-formed (stray continuation, overlong, surrogate, cut). */
static size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
	size_t want = 0;
	if (s[0] < 0x80)
		want = 1;
	else if ((s[0] & 0xE0) == 0xC0)
		want = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		want = 3;
	else if ((s[0] & 0xF8) == 0xF0)
		want = 4;
	if (want == 0 || want > n || !str_utf8_valid((const char *)s, want))
		return 0;
	return want;
}

/* Characters a download name must not carry: controls (C0, DEL, C1) break
 * headers and logs, quotes break attributes, and bidirectional marks and
 * overrides let "gnp.exe" pose as "exe.png". */
static bool unwanted_character(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0] < 0x20 || s[0] == 0x7F || s[0] == '"' || s[0] == '\'';
	if (len == 2)
		return s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F;
	if (len == 3 && s[0] == 0xE2 && s[1] == 0x80)
		return s[2] == 0x8E || s[2] == 0x8F || (s[2] >= 0xAA && s[2] <= 0xAE);
	if (len == 3 && s[0] == 0xE2 && s[1] == 0x81)
		return s[2] >= 0xA6 && s[2] <= 0xA9;
	return false;
}

static const char *after_last_separator(const char *path)
{
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	return base;
}

/* Copies name into out (room for 3 * strlen(name) + 1) keeping only wanted,
 * well-formed characters; each invalid byte becomes U+FFFD. */
static void copy_clean(const char *name, char *out)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), o = 0;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_sequence_length(s + i, n - i);
		if (len == 0) {
			memcpy(out + o, replacement, 3);
			o += 3;
			i++;
			continue;
		}
		if (!unwanted_character(s + i, len)) {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
}

/* The extension of name with its dot ("" when none): after the last dot,
 * 1 to EXTENSION_MAX - 1 bytes. */
static const char *extension_with_dot(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot[1] == '\0' || strlen(dot) > EXTENSION_MAX)
		return name + strlen(name);
	return dot;
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

const char *attachment_safe_name(arena *a, const char *filename)
{
	const char *base = after_last_separator(filename ? filename : "");
	char *clean = arena_alloc(a, 3 * strlen(base) + 1);
	if (!clean)
		return NULL;
	copy_clean(base, clean);
	str_trim(clean);

	const char *extension = extension_with_dot(clean);
	size_t extension_len = strlen(extension);
	size_t stem_len = (size_t)(extension - clean);
	/* Never a hidden file: the stem loses its leading dots (and the spaces
	 * they hid behind); ".png" keeps its extension and gets a stem below. */
	const char *stem = clean;
	while (stem_len > 0 && (*stem == '.' || *stem == ' ')) {
		stem++;
		stem_len--;
	}
	stem_len = utf8_cut(stem, stem_len, ATTACHMENT_NAME_MAX - extension_len);
	while (stem_len > 0 && stem[stem_len - 1] == ' ')
		stem_len--;
	if (stem_len == 0) {
		stem = "arquivo";
		stem_len = strlen(stem);
	}
	return arena_printf(a, "%.*s%s", (int)stem_len, stem, extension);
}

/* ---- Extensions and types ---- */

/* True when extension (without dot) is one of the comma-separated list,
 * ignoring case and spaces around the items. */
static bool extension_listed(const char *extension, const char *list)
{
	size_t len = strlen(extension);
	while (len > 0 && list && *list) {
		list += strspn(list, " ");
		size_t item = strcspn(list, ",");
		size_t item_len = item;
		while (item_len > 0 && list[item_len - 1] == ' ')
			item_len--;
		if (item_len == len && strncasecmp(list, extension, len) == 0)
			return true;
		list += item;
		list += *list == ',';
	}
	return false;
}

/* What the bytes of each allowed extension must look like. An extension
 * that the configuration allows but this table lacks is refused as a
 * mismatch: a type we cannot check is not accepted on the client's word. */
struct type_rule {
	const char *extension;
	const char *types[3]; /* detected types accepted; "text/" accepts any text/... */
	const char *stored;   /* the type stored, NULL: the detected one */
};

static const struct type_rule type_rules[] = {
    {"jpg", {"image/jpeg"}, NULL},
    {"jpeg", {"image/jpeg"}, NULL},
    {"png", {"image/png"}, NULL},
    {"gif", {"image/gif"}, NULL},
    {"pdf", {"application/pdf"}, NULL},
    {"zip", {"application/zip", "application/x-zip-compressed"}, NULL},
    /* Any text is served as a plain-text download, never as HTML or script. */
    {"txt", {"text/"}, "text/plain"},
    {"log", {"text/"}, "text/plain"},
};

static const struct type_rule *type_rule_for(const char *extension)
{
	for (size_t i = 0; i < sizeof type_rules / sizeof type_rules[0]; i++)
		if (strcasecmp(type_rules[i].extension, extension) == 0)
			return &type_rules[i];
	return NULL;
}

static bool type_matches(const struct type_rule *rule, const char *detected)
{
	for (size_t i = 0; i < 3 && rule->types[i]; i++) {
		const char *t = rule->types[i];
		if (str_ends_with(t, "/") ? str_starts_with(detected, t) : str_eq(detected, t))
			return true;
	}
	return false;
}

/* ---- Detection: one libmagic handle per thread ---- */

static pthread_key_t magic_key;
static pthread_once_t magic_key_once = PTHREAD_ONCE_INIT;
static bool magic_key_ready;

static void magic_close_at_thread_exit(void *cookie)
{
	magic_close(cookie);
}

static void magic_key_create(void)
{
	magic_key_ready = pthread_key_create(&magic_key, magic_close_at_thread_exit) == 0;
}

/* This thread's handle, opened on first use; NULL when libmagic or its
 * database cannot be loaded (logged). */
static magic_t thread_magic(void)
{
	pthread_once(&magic_key_once, magic_key_create);
	if (!magic_key_ready)
		return NULL;
	magic_t cookie = pthread_getspecific(magic_key);
	if (cookie)
		return cookie;
	cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	if (!cookie)
		return NULL;
	if (magic_load(cookie, NULL) != 0 || pthread_setspecific(magic_key, cookie) != 0) {
		log_error("libmagic: cannot load the default database: %s", magic_error(cookie));
		magic_close(cookie);
		return NULL;
	}
	return cookie;
}

/* The detected MIME type, copied into the arena; NULL on failure. */
static const char *detect_type(const unsigned char *data, size_t len, arena *a)
{
	magic_t cookie = thread_magic();
	if (!cookie)
		return NULL;
	const char *type = magic_buffer(cookie, data, len);
	if (!type) {
		log_error("libmagic: %s", magic_error(cookie));
		return NULL;
	}
	return arena_strdup(a, type);
}

/* ---- Reading ---- */

/* Reads fd from offset 0 into the arena, at most cap + 1 bytes (so a file
 * over cap shows as longer than cap), NUL-terminated. The size the file
 * reports only sizes the buffer. */
static int read_capped(int fd, size_t cap, arena *a, unsigned char **data, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return ATTACHMENT_READ;
	size_t want =
	    st.st_size >= 0 && (uintmax_t)st.st_size <= cap ? (size_t)st.st_size + 1 : cap + 1;
	unsigned char *buffer = arena_alloc(a, want + 1);
	if (!buffer)
		return ATTACHMENT_READ;
	size_t got = 0;
	while (got < want) {
		ssize_t n = pread(fd, buffer + got, want - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ATTACHMENT_READ;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buffer[got] = '\0';
	*data = buffer;
	*len = got;
	return ATTACHMENT_OK;
}

/* The bytes of an upload. A part with neither file nor descriptor had its
 * data dropped by the server (too big, or no temporary file). */
static int read_upload(const struct attachment_file *u, size_t cap, arena *a, unsigned char **data,
                       size_t *len)
{
	if (u->path) {
		int fd = open(u->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return ATTACHMENT_READ;
		int rc = read_capped(fd, cap, a, data, len);
		close(fd);
		return rc;
	}
	if (u->fd >= 0)
		return read_capped(u->fd, cap, a, data, len);
	return ATTACHMENT_READ;
}

/* ---- Checks ---- */

static int check_extension(const char *name, const struct attachment_limits *limits,
                           const struct type_rule **rule)
{
	const char *extension = extension_with_dot(name);
	if (*extension == '\0' || !extension_listed(extension + 1, limits->extensions))
		return ATTACHMENT_EXTENSION;
	*rule = type_rule_for(extension + 1);
	return ATTACHMENT_OK;
}

/* Size, type and digest of bytes whose name already passed; fills out. */
static int check_content(const struct type_rule *rule, const unsigned char *data, size_t len,
                         const struct attachment_limits *limits, arena *a,
                         struct attachment_in *out)
{
	if (len == 0)
		return ATTACHMENT_EMPTY;
	if (len > limits->max_bytes)
		return ATTACHMENT_TOO_BIG;
	if (!rule)
		return ATTACHMENT_TYPE_MISMATCH;
	const char *detected = detect_type(data, len, a);
	if (!detected)
		return ATTACHMENT_READ;
	if (!type_matches(rule, detected))
		return ATTACHMENT_TYPE_MISMATCH;
	unsigned char digest[crypto_hash_sha256_BYTES];
	if (sodium_init() < 0 || crypto_hash_sha256(digest, data, len) != 0)
		return ATTACHMENT_READ;
	sodium_bin2hex(out->sha256, sizeof out->sha256, digest, sizeof digest);
	out->content_type = rule->stored ? rule->stored : detected;
	out->size = len;
	out->data = data;
	return ATTACHMENT_OK;
}

int attachment_check_bytes(const char *filename, const unsigned char *data, size_t len,
                           const struct attachment_limits *limits, arena *a,
                           struct attachment_in *out)
{
	memset(out, 0, sizeof *out);
	out->name = attachment_safe_name(a, filename);
	if (!out->name)
		return ATTACHMENT_READ;
	const struct type_rule *rule = NULL;
	int rc = check_extension(out->name, limits, &rule);
	if (rc < 0)
		return rc;
	if (len > limits->max_bytes)
		return ATTACHMENT_TOO_BIG;
	unsigned char *copy = arena_alloc(a, len + 1);
	if (!copy)
		return ATTACHMENT_READ;
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	return check_content(rule, copy, len, limits, a, out);
}

/* The part a form sends for a file input left empty. */
static bool no_file_chosen(const struct attachment_file *u)
{
	return (!u->filename || !*u->filename) && u->size == 0 && !u->too_big;
}

static int check_upload(const struct attachment_file *u, const struct attachment_limits *limits, arena *a,
                        struct attachment_in *out)
{
	memset(out, 0, sizeof *out);
	out->name = attachment_safe_name(a, u->filename);
	if (!out->name)
		return ATTACHMENT_READ;
	const struct type_rule *rule = NULL;
	int rc = check_extension(out->name, limits, &rule);
	if (rc < 0)
		return rc;
	if (u->too_big)
		return ATTACHMENT_TOO_BIG;
	unsigned char *data;
	size_t len;
	rc = read_upload(u, limits->max_bytes, a, &data, &len);
	if (rc < 0)
		return rc;
	return check_content(rule, data, len, limits, a, out);
}

/* The file after the first max chosen ones, or NULL when there are not
 * more than max. Counted before any file is read: check, then proceed. */
static const struct attachment_file *first_extra_file(const struct attachment_file *files, int n,
                                                      int max)
{
	int count = 0;
	for (int i = 0; i < n; i++)
		if (!no_file_chosen(&files[i]) && ++count > max)
			return &files[i];
	return NULL;
}

int attachment_check_files(const struct attachment_file *files, int n,
                           const struct attachment_limits *limits, arena *a,
                           struct attachment_in *out, int max_out, const char **bad_name)
{
	const char *ignored;
	if (!bad_name)
		bad_name = &ignored;
	*bad_name = NULL;
	int max = limits->max_files < max_out ? limits->max_files : max_out;
	const struct attachment_file *extra = first_extra_file(files, n, max);
	if (extra) {
		*bad_name = attachment_safe_name(a, extra->filename);
		return ATTACHMENT_TOO_MANY;
	}
	int count = 0;
	for (int i = 0; i < n; i++) {
		if (no_file_chosen(&files[i]))
			continue;
		int rc = check_upload(&files[i], limits, a, &out[count]);
		if (rc < 0) {
			*bad_name = out[count].name;
			return rc;
		}
		count++;
	}
	return count;
}

/* ---- Messages ---- */

const char *attachment_error_text(int error)
{
	switch (error) {
	case ATTACHMENT_TOO_MANY:
		return N_("%s was not attached: a message can have at most %s files.");
	case ATTACHMENT_TOO_BIG: return N_("%s is larger than the limit of %s.");
	case ATTACHMENT_EXTENSION:
		return N_("%s cannot be attached: the allowed file types are %s.");
	case ATTACHMENT_TYPE_MISMATCH: return N_("The contents of %s do not match its file type.");
	case ATTACHMENT_EMPTY: return N_("%s is empty.");
	case ATTACHMENT_READ: return N_("%s could not be read. Please try again.");
	default: return N_("%s could not be attached.");
	}
}

/* Whole units only, so the text reads the same in every language. */
static const char *size_text(size_t bytes, arena *a)
{
	if (bytes >= MIB && bytes % MIB == 0)
		return arena_printf(a, "%zu MB", bytes / MIB);
	if (bytes >= 1024 && bytes % 1024 == 0)
		return arena_printf(a, "%zu KB", bytes / 1024);
	return arena_printf(a, "%zu bytes", bytes);
}

/* "jpg, jpeg, png" from "jpg,jpeg,png". */
static const char *extension_list_text(const char *list, arena *a)
{
	list = list ? list : "";
	char *text = arena_alloc(a, 2 * strlen(list) + 1);
	if (!text)
		return NULL;
	size_t n = 0;
	for (const char *p = list; *p; p++) {
		if (*p == ' ')
			continue;
		text[n++] = *p;
		if (*p == ',')
			text[n++] = ' ';
	}
	text[n] = '\0';
	return text;
}

const char *attachment_error_limit(int error, const struct attachment_limits *limits, arena *a)
{
	switch (error) {
	case ATTACHMENT_TOO_MANY: return arena_printf(a, "%d", limits->max_files);
	case ATTACHMENT_TOO_BIG: return size_text(limits->max_bytes, a);
	case ATTACHMENT_EXTENSION: return extension_list_text(limits->extensions, a);
	default: return "";
	}
}

const char *attachment_error_message(arena *a, const char *format, int error, const char *name,
                                     const struct attachment_limits *limits)
{
	const char *limit = attachment_error_limit(error, limits, a);
	if (!limit)
		return NULL;
	return arena_printf(a, format, name ? name : "", limit);
}

bool attachment_is_image(const char *content_type)
{
	return str_eq(content_type, "image/png") || str_eq(content_type, "image/jpeg") ||
	       str_eq(content_type, "image/gif");
}
