#include "web/routes.h"

#include "base/str.h"
#include "web/handlers.h"
#include "web/page.h"

static const struct {
	unsigned methods;
	const char *pattern;
	handler_fn handler;
} routes[] = {
	{HTTP_GET, "/", home_show},
	{HTTP_POST, "/lang", lang_switch},
	{HTTP_GET, "/healthz", health_show},
	{HTTP_GET, "/brand.css", brand_css},
};

int web_routes(router *r)
{
	resp_set_error_page(web_error_page);
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (router_add(r, routes[i].methods, routes[i].pattern, routes[i].handler) < 0)
			return -1;
	return 0;
}

/* The language: the signed-in account's (later), then the switcher's
 * cookie, then Accept-Language; pt-BR when nothing says otherwise. */
void web_before(struct request *req)
{
	int lang = -1;
	const char *cookie = req_cookie(req, "lang");
	if (cookie)
		lang = lang_parse(cookie);
	if (lang < 0)
		lang = (int)lang_from_accept(req_header(req, "Accept-Language"));
	req->lang = lang;
}
