/* One HTTP request and the response being built for it. Everything here
 * lives in req->arena, freed once by the server when the response is done. */
#ifndef CHAMADO_REQUEST_H
#define CHAMADO_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "http/form.h"
#include "http/router.h"

struct MHD_Connection;

/* A file from a multipart body, streamed to a temporary file that is
 * deleted when the request ends. */
struct upload {
	const char *field;
	const char *filename;     /* as the browser sent it: untrusted */
	const char *claimed_type; /* untrusted */
	const char *path;         /* temporary file, NULL when nothing was written */
	int fd;
	size_t size;
	bool too_big;             /* over the per-file cap: data was dropped */
	struct upload *next;
};

struct header {
	const char *name;
	const char *value;
	struct header *next;
};

struct request {
	arena *arena;
	struct MHD_Connection *conn;
	void *app;               /* the application, for handlers */
	enum http_method method;
	const char *method_name;
	const char *path;        /* decoded, without the query string */
	struct kvlist query;
	struct kvlist form;      /* urlencoded or multipart fields */
	const char *raw_body;    /* any other body (JSON), NUL-terminated; NULL when none */
	size_t raw_body_len;
	struct upload *uploads;
	int upload_count;
	struct route_match route;
	int64_t started_us;

	/* Set while reading the body. */
	bool body_malformed;
	bool body_too_big;
	bool too_many_fields;
	bool too_many_uploads;
	size_t body_bytes;

	/* Filled by handlers and hooks. */
	int lang;                /* enum lang */
	void *web;               /* the web layer's state (session, CSRF token) */
	int status;
	const char *content_type;
	struct header *headers;
	buf body;
	const void *static_body; /* a body that outlives the request... */
	size_t static_len;
	bool copy_body;          /* ...or one in the arena, copied when sent */
	bool responded;
};

const char *req_header(const struct request *req, const char *name);
const char *req_cookie(const struct request *req, const char *name);
const char *req_query(const struct request *req, const char *name);
const char *req_form(const struct request *req, const char *name);
const char *req_param(const struct request *req, const char *name);
/* The client's address as text, "" when unknown. */
const char *req_client_ip(struct request *req);

/* Response building. Each returns nothing: out of memory turns the
 * response into a 500, decided when it is sent. */
void resp_header(struct request *req, const char *name, const char *value);
/* Cookie with Path=/, HttpOnly, SameSite=Lax; max_age < 0 omits Max-Age,
 * 0 deletes it. secure adds Secure. */
void resp_cookie(struct request *req, const char *name, const char *value, long max_age,
                 bool secure);
void resp_text(struct request *req, int status, const char *content_type, const char *text);
void resp_redirect(struct request *req, int status, const char *location);
/* Answers with the application's error page for status. */
void resp_error(struct request *req, int status);

/* The error page hook, set once by the application. */
typedef void (*error_page_fn)(struct request *req, int status);
void resp_set_error_page(error_page_fn fn);

int64_t now_us(void);

#endif
