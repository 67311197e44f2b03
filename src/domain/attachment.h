/* Attachments as they arrive: from a form's uploads or from bytes already in
 * memory (mail). Every file is checked before anything is stored: count,
 * size, an allowed extension, and a content type DETECTED from the bytes with
 * libmagic that must match that extension. The name the client sent is never
 * trusted; it is reduced to a safe display/download name first.
 *
 * Threads: detection uses one libmagic handle per thread (libmagic is not
 * thread-safe), opened on the first check in that thread with the system
 * database (magic_load(NULL), a few MB) and closed when the thread exits.
 * Everything else is pure. */
#ifndef CHAMADO_ATTACHMENT_H
#define CHAMADO_ATTACHMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

/* A file as the caller received it (a form's upload streamed to a
 * temporary file): the name as sent, and where its bytes wait. */
struct attachment_file {
	const char *filename; /* untrusted */
	const char *path;     /* the temporary file, NULL when nothing was written */
	int fd;               /* or an open descriptor, -1 none */
	size_t size;          /* as received; never trusted for the check */
	bool too_big;         /* over the per-file cap: the bytes were dropped */
};

/* Longest safe name, in bytes (UTF-8), extension included. */
#define ATTACHMENT_NAME_MAX 120

struct attachment_limits {
	int max_files;    /* per message; default 5 */
	size_t max_bytes; /* per file; default 10 MiB */
	/* Comma-separated, lower case; default "jpg,jpeg,png,gif,pdf,txt,log,zip". */
	const char *extensions;
};

/* Fills l with the defaults above; extensions points to a static string. */
void attachment_limits_default(struct attachment_limits *l);

/* One file a user sent, checked and ready to store. Everything in the arena
 * given to the check. */
struct attachment_in {
	const char *name;          /* safe name (attachment_safe_name) */
	const char *content_type;  /* detected from the bytes; "text/plain" for any text */
	size_t size;               /* > 0 and <= limits->max_bytes */
	char sha256[65];           /* lower-case hex of the bytes */
	const unsigned char *data; /* size bytes (plus a NUL not counted in size) */
};

enum attachment_error {
	ATTACHMENT_OK = 0,
	ATTACHMENT_TOO_MANY = -1,      /* more than max_files */
	ATTACHMENT_TOO_BIG = -2,       /* over max_bytes (upload->too_big, or the real size) */
	ATTACHMENT_EXTENSION = -3,     /* no extension, or one not in the list */
	ATTACHMENT_TYPE_MISMATCH = -4, /* bytes unlike the extension (.exe renamed .png) */
	ATTACHMENT_EMPTY = -5,         /* zero bytes */
	ATTACHMENT_READ = -6,          /* file unreadable, libmagic failed, out of memory */
};

/* Checks the n files in order, skipping the part a form sends when no file
 * was chosen (empty filename and zero size). Fills out[0..count) in arena a
 * and returns count >= 0; count is at most limits->max_files and max_out
 * (more files than either is TOO_MANY). On the first bad file returns an
 * enum attachment_error and sets *bad_name (if bad_name is not NULL) to
 * that file's safe name, for the message; out[] is then not to be used.
 * Never trusts size: the file is read with a cap of max_bytes + 1. Does
 * not close or delete the files. */
int attachment_check_files(const struct attachment_file *files, int n,
                           const struct attachment_limits *limits, arena *a,
                           struct attachment_in *out, int max_out, const char **bad_name);

/* The same checks (but the count) for len bytes already in memory, e.g. a
 * mail attachment. filename is untrusted; data is copied into the arena.
 * Returns ATTACHMENT_OK with *out filled, or an enum attachment_error with
 * out->name set to the safe name (for the message). */
int attachment_check_bytes(const char *filename, const unsigned char *data, size_t len,
                           const struct attachment_limits *limits, arena *a,
                           struct attachment_in *out);

/* The safe display/download name for an untrusted filename: its basename
 * (after the last / or \), without control characters, quotes or
 * bidirectional overrides, invalid UTF-8 replaced by U+FFFD, trimmed, cut to
 * ATTACHMENT_NAME_MAX bytes keeping the extension, never starting with a dot
 * and never empty ("arquivo" plus the extension, if any). NULL only when out
 * of memory. filename may be NULL. */
const char *attachment_safe_name(arena *a, const char *filename);

/* The English sentence (a gettext msgid, marked with N_) for an error. Each
 * has exactly two %s, always in this order: the file name, then the limit
 * (attachment_error_limit); sentences that need no limit only use the first
 * and printf ignores the extra argument. Translations must keep the order.
 * Unknown codes give a generic sentence. */
const char *attachment_error_text(int error);

/* The limit that error's sentence mentions, as text in arena a: "10 MB" for
 * TOO_BIG, "5" for TOO_MANY, "jpg, jpeg, png…" for EXTENSION, "" otherwise.
 * NULL when out of memory. */
const char *attachment_error_limit(int error, const struct attachment_limits *limits, arena *a);

/* The whole message in arena a: format (attachment_error_text(error), or
 * its translation) with name and the limit. NULL when out of memory. */
const char *attachment_error_message(arena *a, const char *format, int error, const char *name,
                                     const struct attachment_limits *limits);

/* True for the types shown inline as images: image/png, image/jpeg, image/gif. */
bool attachment_is_image(const char *content_type);

#endif
