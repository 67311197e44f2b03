/* libFuzzer target on the router (http/router.c): the input's first line is
 * a method, the rest a decoded path, matched against a table shaped like the
 * server's (fixed parts, :params, a static prefix); the whole input is also
 * tried as a pattern of its own. No crash, no undefined behaviour, no leak;
 * a match has at most ROUTER_MAX_PARAMS parameters, each a string.
 * Built and run by tests/fuzz/run (seeds: corpus/router/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void handler(struct request *req)
{
	(void)req;
}

static const char *const patterns[] = {
    "/", "/healthz", "/login", "/tickets", "/tickets/new", "/tickets/:number",
    "/tickets/:number/reply", "/tickets/:number/attachments/:id", "/reset/:token",
    "/staff/tickets/:number/attachments/:id", "/staff/emails/:id/retry", "/static/*",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	arena *a = arena_new(4096);
	router *r = router_new();
	if (!text || !a || !r)
		goto done;
	memcpy(text, data, size);
	text[size] = '\0'; /* a NUL inside ends the path, as the decoder refuses NUL */
	char *path = strchr(text, '\n');
	const char *method_name = text;
	if (path)
		*path++ = '\0';
	else
		path = text;
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
		if (router_add(r, HTTP_GET | HTTP_POST, patterns[i], handler) < 0)
			abort();
	struct route_match m;
	if (router_match(r, http_method_parse(method_name), path, a, &m) == 0) {
		if (m.nparams < 0 || m.nparams > ROUTER_MAX_PARAMS)
			abort();
		for (int i = 0; i < m.nparams; i++)
			if (strlen(m.names[i]) + strlen(m.values[i]) > 2 * 4096)
				abort();
		http_methods_allow(m.allowed, a);
	}
	/* The input as a pattern: refused or added, never a crash. */
	if (router_add(r, HTTP_GET, path, handler) == 0)
		router_match(r, HTTP_GET, path, a, &m);
done:
	router_free(r);
	arena_free(a);
	free(text);
	return 0;
}
