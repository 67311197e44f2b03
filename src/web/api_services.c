/* Services (ours, not Zendesk's): a client's hosting plans and domains, so
 * a billing system keeps Serviço Relacionado in step. Changes: admin
 * tokens only.
 *
 *   GET    /api/v2/users/{id}/services.json   200, 404
 *   POST   /api/v2/users/{id}/services.json   201, 403, 404, 422
 *   PUT    /api/v2/services/{id}.json         200, 403, 404, 422
 *   DELETE /api/v2/services/{id}.json         204, 403, 404 */
#include <time.h>

#include "web/api.h"
#include "web/api_handlers.h"

enum { SERVICES_MAX = 500 };

static void send_service(struct request *req, struct api_call *c, int status, int64_t id)
{
	struct api_service_row s;
	int rc = api_service_get(c->d, id, req->arena, &s);
	if (rc != 1) {
		api_fail(req, rc < 0 ? rc : API_NOT_FOUND, NULL);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "service", api_json_service(&s, c->base_url));
	api_send(req, status, o);
}

API_HANDLER(api_services_list)
{
	int64_t uid;
	bool found = false;
	struct api_service_row *rows = arena_alloc(req->arena, SERVICES_MAX * sizeof *rows);
	int n = !rows ? DB_NOMEM
	      : api_param_id(req, "id", &uid) ? api_services_of(c->d, uid, req->arena, rows, SERVICES_MAX, &found)
	                                      : 0;
	if (n < 0 || !found) {
		api_fail(req, n < 0 ? n : API_NOT_FOUND, NULL);
		return;
	}
	json_t *o = json_object(), *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, api_json_service(&rows[i], c->base_url));
	json_object_set_new(o, "services", list);
	json_object_set_new(o, "count", json_integer(n));
	api_send(req, 200, o);
}

API_HANDLER(api_service_create_call)
{
	int64_t uid, id = 0;
	if (!api_param_id(req, "id", &uid)) {
		api_fail(req, API_NOT_FOUND, NULL);
		return;
	}
	struct api_errors e = {0};
	json_t *in = api_wrapped(c, "service", &e);
	struct api_service_form f = api_body_service(in, &e);
	int rc = e.n ? API_INVALID : api_service_create(c->d, &c->staff, uid, &f, (int64_t)time(NULL), &e, &id);
	if (rc != API_OK) {
		api_fail(req, rc, &e);
		return;
	}
	send_service(req, c, 201, id);
}

API_HANDLER(api_service_update_call)
{
	int64_t id;
	if (!api_param_id(req, "id", &id)) {
		api_fail(req, API_NOT_FOUND, NULL);
		return;
	}
	struct api_errors e = {0};
	json_t *in = api_wrapped(c, "service", &e);
	struct api_service_form f = api_body_service(in, &e);
	int rc = e.n ? API_INVALID : api_service_update(c->d, &c->staff, id, &f, (int64_t)time(NULL), &e);
	if (rc != API_OK) {
		api_fail(req, rc, &e);
		return;
	}
	send_service(req, c, 200, id);
}

API_HANDLER(api_service_delete_call)
{
	int64_t id;
	int rc = api_param_id(req, "id", &id) ? api_service_delete(c->d, &c->staff, id) : API_NOT_FOUND;
	if (rc != API_OK) {
		api_fail(req, rc, NULL);
		return;
	}
	resp_text(req, 204, "application/json; charset=utf-8", "");
}
