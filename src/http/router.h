/* Routes are data: a method, a pattern and a handler. Patterns are literal
 * segments and ":name" parameters ("/tickets/:number"); a trailing "*name"
 * takes the rest of the path. Matching tries routes in the order added. */
#ifndef CHAMADO_ROUTER_H
#define CHAMADO_ROUTER_H

#include <stdbool.h>

#include "base/arena.h"

struct request;
typedef void (*handler_fn)(struct request *req);

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_PATCH = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
	HTTP_OTHER = 1 << 7,
};

enum { ROUTER_MAX_PARAMS = 8, ROUTER_MAX_ROUTES = 256 };

typedef struct router router;

struct route_match {
	handler_fn handler;     /* NULL when nothing matched */
	bool path_known;        /* some route has this path, maybe another method */
	unsigned allowed;       /* without a handler: the methods of routes with this path (for Allow) */
	int nparams;
	const char *names[ROUTER_MAX_PARAMS];
	const char *values[ROUTER_MAX_PARAMS]; /* in the arena */
};

router *router_new(void);
void router_free(router *r);
/* methods is a mask; GET routes also answer HEAD. Returns 0 or -1 when the
 * pattern is malformed or the table is full. The pattern is not copied. */
int router_add(router *r, unsigned methods, const char *pattern, handler_fn handler);
/* Matches an already percent-decoded path. Returns 0, or -1 out of memory. */
int router_match(const router *r, enum http_method method, const char *path, arena *a,
                 struct route_match *m);
enum http_method http_method_parse(const char *name);
/* "GET, HEAD, POST" into a; NULL out of memory. */
char *http_methods_allow(unsigned mask, arena *a);

#endif
