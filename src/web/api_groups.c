/* /api/v2/groups.json: a department is a Zendesk group. 200. */
#include "web/api.h"
#include "web/api_handlers.h"

enum { GROUPS_MAX = 500 };

API_HANDLER(api_groups_list)
{
	struct admin_department_row *rows = arena_alloc(req->arena, GROUPS_MAX * sizeof *rows);
	int n = rows ? api_groups(c->d, req->arena, rows, GROUPS_MAX) : DB_NOMEM;
	if (n < 0) {
		api_fail(req, n, NULL);
		return;
	}
	json_t *o = json_object(), *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *g = json_object();
		json_object_set_new(g, "id", json_integer(rows[i].id));
		json_object_set_new(g, "url", json_sprintf("%s/api/v2/groups/%lld.json", c->base_url, (long long)rows[i].id));
		json_object_set_new(g, "name", json_string(rows[i].name));
		json_object_set_new(g, "description", json_string(rows[i].description));
		json_object_set_new(g, "is_public", json_boolean(rows[i].visible));
		json_object_set_new(g, "deleted", json_false());
		json_array_append_new(list, g);
	}
	json_object_set_new(o, "groups", list);
	json_object_set_new(o, "next_page", json_null());
	json_object_set_new(o, "previous_page", json_null());
	json_object_set_new(o, "count", json_integer(n));
	api_send(req, 200, o);
}
