/* /api/v2/users: clients are end-users, staff agents and admins, in one id
 * space (domain/api.h). Translators only.
 *
 *   GET  /api/v2/users/me.json                 200
 *   GET  /api/v2/users.json                    200 (offset or cursor pages; ?role=)
 *   GET  /api/v2/users/search.json?query=      200
 *   GET  /api/v2/users/{id}.json               200, 404
 *   POST /api/v2/users.json                    201, 422
 *   POST /api/v2/users/create_or_update.json   200 (updated), 201 (created), 403, 422
 *   PUT  /api/v2/users/{id}.json               200, 403, 404, 422 */
#include <string.h>
#include <time.h>

#include "web/api.h"
#include "web/api_handlers.h"

static void send_user(struct request *req, struct api_call *c, int status, int64_t uid)
{
	struct api_user_row u;
	int rc = api_user_get(c->d, uid, req->arena, &u);
	if (rc != 1) {
		api_fail(req, rc < 0 ? rc : API_NOT_FOUND, NULL);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "user", api_json_user(&u, c->base_url));
	api_send(req, status, o);
}

API_HANDLER(api_user_me)
{
	send_user(req, c, 200, api_uid_staff(c->staff.user_id));
}

API_HANDLER(api_user_show)
{
	int64_t uid;
	if (!api_param_id(req, "id", &uid)) {
		api_fail(req, API_NOT_FOUND, NULL);
		return;
	}
	send_user(req, c, 200, uid);
}

static void send_list(struct request *req, struct api_call *c, struct api_user_query *q,
                      const struct api_page *p, const char *path, const char *extra)
{
	struct api_user_row *rows = arena_alloc(req->arena, (size_t)(p->size + 1) * sizeof *rows);
	if (!rows) {
		api_fail(req, DB_NOMEM, NULL);
		return;
	}
	q->after_uid = p->cursor ? p->after : 0;
	q->offset = p->cursor ? 0 : (p->page - 1) * p->size;
	q->limit = p->cursor ? p->size + 1 : p->size;
	int64_t total = 0;
	int n = api_user_list(c->d, q, req->arena, rows, p->cursor ? NULL : &total);
	if (n < 0) {
		api_fail(req, n, NULL);
		return;
	}
	json_t *o = json_object(), *list = json_array();
	int shown = n > p->size ? p->size : n;
	for (int i = 0; i < shown; i++)
		json_array_append_new(list, api_json_user(&rows[i], c->base_url));
	json_object_set_new(o, "users", list);
	api_page_links(req, c, o, p, n, shown ? rows[shown - 1].uid : 0, total, path, extra);
	api_send(req, 200, o);
}

API_HANDLER(api_users_list)
{
	struct api_page p;
	if (!api_page_parse(req, &p))
		return;
	const char *role = req_query(req, "role");
	if (role && *role && strcmp(role, "end-user") && strcmp(role, "agent") && strcmp(role, "admin")) {
		api_error(req, 400, "BadRequest", "role must be end-user, agent or admin");
		return;
	}
	struct api_user_query q = {.role = role ? role : ""};
	send_list(req, c, &q, &p, "/api/v2/users", role && *role ? arena_printf(req->arena, "role=%s", role) : "");
}

/* ?query= an email (exact) or words of a name or email; ?email= exact. */
API_HANDLER(api_users_search)
{
	struct api_page p;
	if (!api_page_parse(req, &p))
		return;
	const char *query = req_query(req, "query"), *email = req_query(req, "email");
	struct api_user_query q = {0};
	const char *extra = "";
	if (email && *email) {
		q.email = api_email_key(req->arena, email);
		extra = arena_printf(req->arena, "email=%s", email);
	} else if (query && *query && strlen(query) <= 1000) {
		if (strchr(query, '@') && !strchr(query, ' '))
			q.email = api_email_key(req->arena, query);
		else
			q.pattern = api_search_pattern(req->arena, query);
		extra = arena_printf(req->arena, "query=%s", query);
	} else {
		api_error(req, 400, "BadRequest", "query or email is required");
		return;
	}
	send_list(req, c, &q, &p, "/api/v2/users/search", extra);
}

API_HANDLER(api_user_create_call)
{
	struct api_errors e = {0};
	json_t *in = api_wrapped(c, "user", &e);
	struct api_user_form f = api_body_user(in, &e);
	int64_t uid = 0;
	int rc = e.n ? API_INVALID : api_user_create(c->d, &c->staff, &f, (int64_t)time(NULL), &e, &uid);
	if (rc != API_OK) {
		api_fail(req, rc, &e);
		return;
	}
	send_user(req, c, 201, uid);
}

API_HANDLER(api_user_create_or_update_call)
{
	struct api_errors e = {0};
	json_t *in = api_wrapped(c, "user", &e);
	struct api_user_form f = api_body_user(in, &e);
	int64_t uid = 0;
	bool created = false;
	int rc = e.n ? API_INVALID
	             : api_user_create_or_update(c->d, &c->staff, &f, (int64_t)time(NULL), &e, &uid, &created);
	if (rc != API_OK) {
		api_fail(req, rc, &e);
		return;
	}
	send_user(req, c, created ? 201 : 200, uid);
}

API_HANDLER(api_user_update_call)
{
	int64_t uid;
	if (!api_param_id(req, "id", &uid)) {
		api_fail(req, API_NOT_FOUND, NULL);
		return;
	}
	struct api_errors e = {0};
	json_t *in = api_wrapped(c, "user", &e);
	struct api_user_form f = api_body_user(in, &e);
	int rc = e.n ? API_INVALID : api_user_update(c->d, &c->staff, uid, &f, (int64_t)time(NULL), &e);
	if (rc != API_OK) {
		api_fail(req, rc, &e);
		return;
	}
	send_user(req, c, 200, uid);
}
