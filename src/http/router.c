#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#include "base/str.h"

struct route {
	unsigned methods;
	const char *pattern;
	handler_fn handler;
};

struct router {
	struct route routes[ROUTER_MAX_ROUTES];
	int count;
};

router *router_new(void)
{
	return calloc(1, sizeof(router));
}

void router_free(router *r)
{
	free(r);
}

int router_add(router *r, unsigned methods, const char *pattern, handler_fn handler)
{
	if (r->count == ROUTER_MAX_ROUTES || pattern[0] != '/' || !handler)
		return -1;
	if (methods & HTTP_GET)
		methods |= HTTP_HEAD;
	r->routes[r->count++] = (struct route){methods, pattern, handler};
	return 0;
}

/* The pattern against the path in one pass, segment by segment; fills the
 * parameters. A literal segment fails at its first differing byte, so most
 * of the ~200 routes are left after a few bytes. */
static int match_route(const struct route *rt, const char *path, arena *a, struct route_match *m)
{
	const char *p = rt->pattern + 1, *s = path + 1;
	m->nparams = 0;
	for (;;) {
		if (p[0] == '*') {
			if (m->nparams == ROUTER_MAX_PARAMS || !*s)
				return 0;
			m->names[m->nparams] = p + 1;
			m->values[m->nparams++] = s;
			return 1;
		}
		if (p[0] == ':') {
			const char *send = strchrnul(s, '/');
			if (send == s || m->nparams == ROUTER_MAX_PARAMS)
				return 0;
			char *value = arena_strndup(a, s, (size_t)(send - s));
			if (!value)
				return -1;
			m->names[m->nparams] = p + 1;
			m->values[m->nparams++] = value;
			p = strchrnul(p, '/');
			s = send;
		} else {
			while (*p && *p != '/' && *p == *s) {
				p++;
				s++;
			}
		}
		/* Both segments must end here: at a '/' each, or at the end each. */
		if ((*p && *p != '/') || (*s && *s != '/') || *p != *s)
			return 0;
		if (!*p)
			return 1;
		p++;
		s++;
	}
}

int router_match(const router *r, enum http_method method, const char *path, arena *a,
                 struct route_match *m)
{
	memset(m, 0, sizeof *m);
	if (path[0] != '/')
		return 0;
	for (int i = 0; i < r->count; i++) {
		const struct route *rt = &r->routes[i];
		int rc = match_route(rt, path, a, m);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		m->path_known = true;
		m->allowed |= rt->methods;
		/* The first route of the method wins; the others' methods
		 * matter only for a 405's Allow, when none does. */
		if (rt->methods & method) {
			m->handler = rt->handler;
			return 0;
		}
	}
	m->nparams = 0;
	return 0;
}

enum http_method http_method_parse(const char *name)
{
	static const struct { const char *name; enum http_method m; } table[] = {
		{"GET", HTTP_GET}, {"HEAD", HTTP_HEAD}, {"POST", HTTP_POST},
		{"PUT", HTTP_PUT}, {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH},
		{"OPTIONS", HTTP_OPTIONS},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(name, table[i].name) == 0)
			return table[i].m;
	return HTTP_OTHER;
}

char *http_methods_allow(unsigned mask, arena *a)
{
	static const char *names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
	char out[64] = "";
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (out[0])
			strcat(out, ", ");
		strcat(out, names[i]);
	}
	return arena_strdup(a, out);
}
