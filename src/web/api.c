/* What the /api/v2 handlers share: authentication, the rate limit, JSON in
 * and out, Zendesk's error shapes and pagination. */
#include "web/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/api_token.h"
#include "http/header.h"
#include "web/page.h"

bool api_path(const char *path)
{
	return path && (str_eq(path, "/api") || str_starts_with(path, "/api/"));
}

void api_send(struct request *req, int status, json_t *o)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text) {
		resp_text(req, 500, "application/json; charset=utf-8",
		          "{\"error\":\"InternalError\",\"description\":\"out of memory\"}");
		return;
	}
	resp_header(req, "Cache-Control", "no-store");
	resp_text(req, status, "application/json; charset=utf-8", text);
	free(text);
}

void api_error(struct request *req, int status, const char *error, const char *description)
{
	json_t *o = json_object();
	json_object_set_new(o, "error", json_string(error));
	if (description)
		json_object_set_new(o, "description", json_string(description));
	api_send(req, status, o);
}

void api_invalid(struct request *req, const struct api_errors *e)
{
	json_t *o = json_object();
	json_t *details = json_object();
	json_object_set_new(o, "error", json_string("RecordInvalid"));
	json_object_set_new(o, "description", json_string("Record validation errors"));
	for (int i = 0; i < e->n; i++) {
		json_t *list = json_object_get(details, e->e[i].field);
		if (!list) {
			list = json_array();
			json_object_set_new(details, e->e[i].field, list);
		}
		json_t *one = json_object();
		json_object_set_new(one, "description", json_string(e->e[i].description));
		json_object_set_new(one, "error", json_string("InvalidValue"));
		json_array_append_new(list, one);
	}
	json_object_set_new(o, "details", details);
	api_send(req, 422, o);
}

void api_fail(struct request *req, int rc, const struct api_errors *e)
{
	switch (rc) {
	case API_NOT_FOUND:
		api_error(req, 404, "RecordNotFound", "Not found");
		break;
	case API_FORBIDDEN:
		api_error(req, 403, "Forbidden", "You do not have access to this resource");
		break;
	case API_INVALID:
		api_invalid(req, e);
		break;
	case API_EXISTS: {
		struct api_errors taken = {0};
		api_error_add(&taken, "email", "is already being used by another user");
		api_invalid(req, &taken);
		break;
	}
	default:
		api_error(req, 500, "InternalError", "The request could not be completed; try again");
		break;
	}
}

void api_error_page(struct request *req, int status)
{
	switch (status) {
	case 400:
		api_error(req, 400, "BadRequest", "The request could not be understood");
		break;
	case 404:
		api_error(req, 404, "InvalidEndpoint", "Not found");
		break;
	case 405:
		api_error(req, 405, "MethodNotAllowed", "This endpoint does not take that method");
		break;
	case 413:
		api_error(req, 413, "RequestTooLarge", "The body is larger than the API accepts");
		break;
	default:
		api_error(req, status, "InternalError", "The request could not be completed; try again");
		break;
	}
}

static bool authenticate(struct request *req, struct api_call *c, int64_t now)
{
	const char *email, *token;
	int rc = header_authorization(req->arena, req_header(req, "Authorization"), &email, &token)
	             ? api_token_authenticate(c->d, email, token, now, &c->staff, &c->token_id)
	             : 0;
	if (rc < 0) {
		api_fail(req, rc, NULL);
		return false;
	}
	if (rc == 0) {
		resp_header(req, "WWW-Authenticate", "Basic realm=\"Chamado API\"");
		api_error(req, 401, "Couldn't authenticate you", NULL);
		return false;
	}
	return true;
}

static bool within_rate(struct request *req, struct api_call *c, int64_t now)
{
	int64_t retry_after = 0;
	int rc = api_rate_take(c->d, c->token_id, now, &retry_after);
	if (rc < 0) {
		api_fail(req, rc, NULL);
		return false;
	}
	if (rc == 0) {
		char value[24];
		snprintf(value, sizeof value, "%lld", (long long)(retry_after > 0 ? retry_after : 1));
		resp_header(req, "Retry-After", value);
		api_error(req, 429, "TooManyRequests", "Rate limit for this token exceeded; see Retry-After");
		return false;
	}
	return true;
}

static bool parse_body(struct request *req, struct api_call *c)
{
	if (!(req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH)) || !req->raw_body)
		return true;
	char why[160];
	json_t *body = api_body_parse(req->raw_body, req->raw_body_len, why, sizeof why);
	if (!body) {
		char *text = arena_printf(req->arena, "The body is not a JSON object: %s", why);
		api_error(req, 400, "BadRequest", text ? text : "The body is not a JSON object");
		return false;
	}
	c->body = body; /* api_run frees it */
	return true;
}

bool api_begin(struct request *req, struct api_call *c)
{
	memset(c, 0, sizeof *c);
	c->d = req_db(req);
	if (!c->d) {
		api_error(req, 503, "ServiceUnavailable", "The database is unreachable");
		return false;
	}
	struct app *app = req_app(req);
	c->base_url = app->cfg.base_url;
	c->notifier = app_notifier(app);
	int64_t now = (int64_t)time(NULL);
	return authenticate(req, c, now) && within_rate(req, c, now) && parse_body(req, c);
}

void api_run(struct request *req, void (*handler)(struct request *req, struct api_call *c))
{
	struct api_call c;
	if (api_begin(req, &c))
		handler(req, &c);
	json_decref(c.body);
}

bool api_param_id(struct request *req, const char *name, int64_t *id)
{
	const char *v = req_param(req, name);
	if (!v)
		return false;
	char digits[24];
	size_t n = strlen(v);
	if (str_ends_with(v, ".json"))
		n -= 5;
	if (n == 0 || n >= sizeof digits)
		return false;
	memcpy(digits, v, n);
	digits[n] = '\0';
	return str_to_int64(digits, 1, INT64_MAX / 4, id);
}

json_t *api_wrapped(struct api_call *c, const char *name, struct api_errors *e)
{
	return api_body_wrapped(c->body, name, e);
}

static bool query_int(struct request *req, const char *name, int64_t min, int64_t max,
                      int64_t fallback, int64_t *out)
{
	const char *v = req_query(req, name);
	if (!v || !*v) {
		*out = fallback;
		return true;
	}
	return str_to_int64(v, min, max, out);
}

bool api_page_parse(struct request *req, struct api_page *p)
{
	memset(p, 0, sizeof *p);
	int64_t size, after = 0, page, per_page;
	p->cursor = req_query(req, "page[size]") || req_query(req, "page[after]");
	bool ok;
	if (p->cursor) {
		ok = query_int(req, "page[size]", 1, API_PAGE_MAX, API_PAGE_DEFAULT, &size);
		const char *a = req_query(req, "page[after]");
		if (ok && a && *a)
			ok = str_to_int64(a, 0, INT64_MAX, &after);
		p->size = (int)size;
		p->after = after;
	} else {
		ok = query_int(req, "page", 1, 1000000, 1, &page) &&
		     query_int(req, "per_page", 1, API_PAGE_MAX, API_PAGE_DEFAULT, &per_page);
		p->page = page;
		p->size = (int)per_page;
	}
	if (!ok)
		api_error(req, 400, "BadRequest", "page, per_page and page[size] must be numbers (at most 100 a page)");
	return ok;
}

/* Percent-encodes s for a query value, in the arena. */
static const char *query_escape(arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
	if (!out)
		return "";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

void api_page_links(struct request *req, struct api_call *c, json_t *o, const struct api_page *p,
                    int n, int64_t last_id, int64_t total, const char *path, const char *extra)
{
	const char *q = extra && *extra ? query_escape(req->arena, extra) : "";
	/* extra is "name=value": keep the '=' readable. */
	const char *keep = "";
	if (*q) {
		const char *eq = strstr(q, "%3D");
		keep = eq ? arena_printf(req->arena, "%.*s=%s&", (int)(eq - q), q, eq + 3) : "";
	}
	if (p->cursor) {
		bool more = n > p->size;
		json_t *meta = json_object(), *links = json_object();
		json_object_set_new(meta, "has_more", json_boolean(more));
		json_object_set_new(meta, "after_cursor", more ? json_sprintf("%lld", (long long)last_id) : json_null());
		json_object_set_new(meta, "before_cursor", json_null());
		json_object_set_new(links, "next", more ? json_sprintf("%s%s.json?%spage%%5Bsize%%5D=%d&page%%5Bafter%%5D=%lld",
		                                                      c->base_url, path, keep, p->size, (long long)last_id)
		                                        : json_null());
		json_object_set_new(links, "prev", json_null());
		json_object_set_new(o, "meta", meta);
		json_object_set_new(o, "links", links);
		return;
	}
	bool more = p->page * p->size < total;
	json_object_set_new(o, "next_page", more ? json_sprintf("%s%s.json?%spage=%lld&per_page=%d", c->base_url, path,
	                                                      keep, (long long)p->page + 1, p->size)
	                                         : json_null());
	json_object_set_new(o, "previous_page", p->page > 1 ? json_sprintf("%s%s.json?%spage=%lld&per_page=%d",
	                                                                  c->base_url, path, keep,
	                                                                  (long long)p->page - 1, p->size)
	                                                    : json_null());
	json_object_set_new(o, "count", json_integer(total));
}

#include "web/api_handlers.h"

/* Literal paths before the :id ones they would otherwise match. */
static const struct {
	unsigned methods;
	const char *pattern;
	handler_fn handler;
} api_routes[] = {
	{HTTP_GET, "/api/v2/tickets.json", api_tickets_list},
	{HTTP_POST, "/api/v2/tickets.json", api_ticket_create_call},
	{HTTP_GET, "/api/v2/tickets/:id/comments.json", api_ticket_comments},
	{HTTP_GET, "/api/v2/tickets/:id", api_ticket_show},
	{HTTP_PUT, "/api/v2/tickets/:id", api_ticket_update_call},
	{HTTP_GET, "/api/v2/search.json", api_search},
	{HTTP_GET, "/api/v2/ticket_fields.json", api_ticket_fields},
	{HTTP_GET, "/api/v2/users/me.json", api_user_me},
	{HTTP_GET, "/api/v2/users/search.json", api_users_search},
	{HTTP_POST, "/api/v2/users/create_or_update.json", api_user_create_or_update_call},
	{HTTP_GET, "/api/v2/users.json", api_users_list},
	{HTTP_POST, "/api/v2/users.json", api_user_create_call},
	{HTTP_GET, "/api/v2/users/:id/services.json", api_services_list},
	{HTTP_POST, "/api/v2/users/:id/services.json", api_service_create_call},
	{HTTP_GET, "/api/v2/users/:id", api_user_show},
	{HTTP_PUT, "/api/v2/users/:id", api_user_update_call},
	{HTTP_GET, "/api/v2/groups.json", api_groups_list},
	{HTTP_PUT, "/api/v2/services/:id", api_service_update_call},
	{HTTP_DELETE, "/api/v2/services/:id", api_service_delete_call},
};

int web_routes_api(router *r)
{
	for (size_t i = 0; i < sizeof api_routes / sizeof api_routes[0]; i++)
		if (router_add(r, api_routes[i].methods, api_routes[i].pattern, api_routes[i].handler) < 0)
			return -1;
	return 0;
}
