/* The JSON API under /api/v2 (issue 13), in the shape of Zendesk's Support
 * API v2: what its handlers (api_*.c, one file per resource) share.
 *
 * Every call authenticates with a token (Authorization: Basic
 * base64("EMAIL/token:TOKEN") or Bearer TOKEN; no cookie, no CSRF, never a
 * redirect), is counted against the token's rate, and answers JSON in
 * English. Errors are Zendesk's: 401 {"error": "Couldn't authenticate
 * you"}, 403 {"error": "Forbidden"}, 404 {"error": "RecordNotFound"},
 * 422 {"error": "RecordInvalid", "details": {...}}, 429 with Retry-After. */
#ifndef CHAMADO_WEB_API_H
#define CHAMADO_WEB_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/api.h"
#include "domain/session.h"
#include "web/api_body.h"
#include "http/request.h"
#include "http/router.h"

struct api_call {
	struct session staff; /* whom the token acts as */
	int64_t token_id;
	json_t *body;         /* the parsed JSON body (an object), or NULL; api_run frees it */
	db *d;
	const char *base_url;
	const struct notifier *notifier;
};

/* Registers every /api/v2 route. 0 or -1. */
int web_routes_api(router *r);
/* True for paths under /api/: web_before leaves them alone and errors are
 * answered as JSON. */
bool api_path(const char *path);
/* The error page of an /api/ path (404, 405, 413 ...), as JSON. */
void api_error_page(struct request *req, int status);

/* Authenticates, counts the request against the token's rate and parses a
 * JSON body. false when it has answered (401, 429, 400, 500). */
bool api_begin(struct request *req, struct api_call *c);

/* api_begin, then handler when it passed; frees what api_begin made. Every
 * API handler is a wrapper around it (API_HANDLER). */
void api_run(struct request *req, void (*handler)(struct request *req, struct api_call *c));
#define API_HANDLER(name)                                                  \
	static void name##_call(struct request *req, struct api_call *c);  \
	void name(struct request *req) { api_run(req, name##_call); }      \
	static void name##_call(struct request *req, struct api_call *c)

/* Answers status with o (stolen). */
void api_send(struct request *req, int status, json_t *o);
/* {"error": error, "description": description} */
void api_error(struct request *req, int status, const char *error, const char *description);
void api_invalid(struct request *req, const struct api_errors *e);
/* A domain result that is not success: 404, 403, 422 (with e) or 500. */
void api_fail(struct request *req, int rc, const struct api_errors *e);

/* The route parameter "id" ("123.json" or "123") as an id > 0. */
bool api_param_id(struct request *req, const char *name, int64_t *id);
/* The object wrapped in name ({"ticket": {...}}); NULL with an error in e
 * when it is missing. */
json_t *api_wrapped(struct api_call *c, const char *name, struct api_errors *e);

/* Pagination, both kinds Zendesk has. Cursor: page[size], page[after]
 * (the last id of the previous page); offset: page, per_page. */
struct api_page {
	bool cursor;
	int size;      /* rows a page */
	int64_t after; /* cursor */
	int64_t page;  /* offset: 1-based */
};
/* false with a 400 answered when a value is not a number. */
bool api_page_parse(struct request *req, struct api_page *p);
/* Adds next_page/previous_page/count (offset) or meta/links (cursor) to o
 * for a page of n rows (n may be size + 1: there is more) whose last id is
 * last_id. path is the collection's path; extra the query to keep ("" or
 * "query=..."). */
void api_page_links(struct request *req, struct api_call *c, json_t *o, const struct api_page *p,
                    int n, int64_t last_id, int64_t total, const char *path, const char *extra);

#endif
