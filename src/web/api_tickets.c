/* /api/v2/tickets and /api/v2/search: translators between Zendesk's JSON
 * and the domain's ticket functions (domain/api.h). No rule lives here.
 *
 *   GET  /api/v2/tickets.json              200 (offset or cursor pages)
 *   GET  /api/v2/tickets/{id}.json         200, 404
 *   POST /api/v2/tickets.json              201, 422
 *   PUT  /api/v2/tickets/{id}.json         200, 404, 422
 *   GET  /api/v2/tickets/{id}/comments.json  200, 404
 *   GET  /api/v2/search.json?query=...     200, 400
 *   GET  /api/v2/ticket_fields.json         200
 * and 401, 429, 500 as every API call (web/api.h). */
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/ticket.h"
#include "web/api.h"
#include "web/api_handlers.h"
#include "web/page.h"

static json_t *ticket_json(struct api_call *c, const struct ticket_row *t, arena *a)
{
	json_t *o = api_json_ticket(t, api_ticket_description(c->d, t->id, a), c->base_url);
	if (o) {
		api_json_ticket_extras(c->d, t, a, o); /* tags, custom_fields */
		api_json_ticket_ccs(c->d, t, o);
	}
	return o;
}

static json_t *audit_event(const char *type, const char *field, const char *value, const char *previous)
{
	json_t *e = json_object();
	json_object_set_new(e, "type", json_string(type));
	json_object_set_new(e, "field_name", json_string(field));
	json_object_set_new(e, "value", value ? json_string(value) : json_null());
	json_object_set_new(e, "previous_value", previous ? json_string(previous) : json_null());
	return e;
}

/* Zendesk answers a change with the ticket and an audit of what changed. */
static json_t *audit_json(struct api_call *c, const struct ticket_row *before,
                          const struct ticket_row *after, const char *comment, bool public_comment,
                          int64_t now)
{
	json_t *audit = json_object(), *events = json_array();
	json_object_set_new(audit, "ticket_id", json_integer(after->id));
	json_object_set_new(audit, "created_at", api_json_time(now));
	json_object_set_new(audit, "author_id", json_integer(api_uid_staff(c->staff.user_id)));
	if (!before)
		json_array_append_new(events, audit_event("Create", "status", api_status_out(after->status), NULL));
	if (comment) {
		json_t *e = json_object();
		json_object_set_new(e, "type", json_string("Comment"));
		json_object_set_new(e, "body", json_string(comment));
		json_object_set_new(e, "public", json_boolean(public_comment));
		json_object_set_new(e, "author_id", json_integer(api_uid_staff(c->staff.user_id)));
		json_array_append_new(events, e);
	}
	if (before) {
		char a[24], b[24];
		if (!str_eq(before->status, after->status))
			json_array_append_new(events, audit_event("Change", "status", api_status_out(after->status),
			                                          api_status_out(before->status)));
		if (!str_eq(before->priority, after->priority))
			json_array_append_new(events, audit_event("Change", "priority", api_priority_out(after->priority),
			                                          api_priority_out(before->priority)));
		if (before->department_id != after->department_id) {
			snprintf(a, sizeof a, "%lld", (long long)after->department_id);
			snprintf(b, sizeof b, "%lld", (long long)before->department_id);
			json_array_append_new(events, audit_event("Change", "group_id", a, b));
		}
		if (before->assignee_id != after->assignee_id) {
			snprintf(a, sizeof a, "%lld", (long long)api_uid_staff(after->assignee_id));
			snprintf(b, sizeof b, "%lld", (long long)api_uid_staff(before->assignee_id));
			json_array_append_new(events, audit_event("Change", "assignee_id", after->assignee_id ? a : NULL,
			                                          before->assignee_id ? b : NULL));
		}
	}
	json_object_set_new(audit, "events", events);
	return audit;
}

static void send_ticket_and_audit(struct request *req, struct api_call *c, int status,
                                  const struct ticket_row *t, json_t *audit)
{
	json_t *o = json_object();
	json_object_set_new(o, "ticket", ticket_json(c, t, req->arena));
	json_object_set_new(o, "audit", audit);
	api_send(req, status, o);
}

/* GET /api/v2/tickets.json */
API_HANDLER(api_tickets_list)
{
	struct api_page p;
	if (!api_page_parse(req, &p))
		return;
	struct ticket_row *rows = arena_alloc(req->arena, (size_t)(p.size + 1) * sizeof *rows);
	if (!rows) {
		api_fail(req, DB_NOMEM, NULL);
		return;
	}
	struct api_ticket_query q = {
		.after_id = p.cursor ? p.after : 0,
		.offset = p.cursor ? 0 : (p.page - 1) * p.size,
		.limit = p.cursor ? p.size + 1 : p.size,
	};
	int64_t total = 0;
	int n = api_ticket_list(c->d, &c->staff, &q, req->arena, rows, p.cursor ? NULL : &total);
	if (n < 0) {
		api_fail(req, n, NULL);
		return;
	}
	json_t *o = json_object(), *list = json_array();
	int shown = n > p.size ? p.size : n;
	for (int i = 0; i < shown; i++)
		json_array_append_new(list, ticket_json(c, &rows[i], req->arena));
	json_object_set_new(o, "tickets", list);
	api_page_links(req, c, o, &p, n, shown ? rows[shown - 1].id : 0, total, "/api/v2/tickets", "");
	api_send(req, 200, o);
}

/* GET /api/v2/tickets/{id}.json. The ticket's read goes out before the
 * token's, which joins it: on PostgreSQL one round trip for both. */
static void ticket_show_call(struct request *req, struct api_call *c);

void api_ticket_show(struct request *req)
{
	int64_t id;
	if (req->method == HTTP_GET && api_param_id(req, "id", &id) && req_db(req))
		api_ticket_get_prefetch(req_db(req), id);
	api_run(req, ticket_show_call);
}

static void ticket_show_call(struct request *req, struct api_call *c)
{
	int64_t id;
	struct ticket_row t;
	int rc = api_param_id(req, "id", &id) ? api_ticket_get(c->d, &c->staff, id, req->arena, &t) : 0;
	if (rc != 1) {
		api_fail(req, rc < 0 ? rc : API_NOT_FOUND, NULL);
		return;
	}
	api_ticket_prefetch(c->d, &t);
	json_t *o = json_object();
	json_object_set_new(o, "ticket", ticket_json(c, &t, req->arena));
	api_send(req, 200, o);
}

/* POST /api/v2/tickets.json */
API_HANDLER(api_ticket_create_call)
{
	struct api_errors e = {0};
	struct api_ticket_new n = api_body_ticket_new(api_wrapped(c, "ticket", &e), &e);
	if (e.n) {
		api_invalid(req, &e);
		return;
	}
	int64_t now = (int64_t)time(NULL), id = 0;
	int rc = api_ticket_create(c->d, c->notifier, &c->staff, &n, now, &e, &id);
	struct ticket_row t;
	if (rc == API_OK)
		rc = api_ticket_get(c->d, &c->staff, id, req->arena, &t) == 1 ? API_OK : DB_ERROR;
	if (rc != API_OK) {
		api_fail(req, rc, &e);
		return;
	}
	app_mail_wake(req_app(req));
	send_ticket_and_audit(req, c, 201, &t, audit_json(c, NULL, &t, n.body, true, now));
}

/* PUT /api/v2/tickets/{id}.json */
API_HANDLER(api_ticket_update_call)
{
	int64_t id;
	struct ticket_row before, after;
	int rc = api_param_id(req, "id", &id) ? api_ticket_get(c->d, &c->staff, id, req->arena, &before) : 0;
	if (rc != 1) {
		api_fail(req, rc < 0 ? rc : API_NOT_FOUND, NULL);
		return;
	}
	struct api_errors e = {0};
	struct api_ticket_change ch = api_body_ticket_change(api_wrapped(c, "ticket", &e), &e);
	if (e.n) {
		api_invalid(req, &e);
		return;
	}
	int64_t now = (int64_t)time(NULL);
	rc = api_ticket_update(c->d, c->notifier, &c->staff, id, &ch, now, &e, req->arena, &after);
	if (rc != API_OK) {
		api_fail(req, rc, &e);
		return;
	}
	app_mail_wake(req_app(req));
	send_ticket_and_audit(req, c, 200, &after,
	                      audit_json(c, &before, &after, ch.comment, ch.comment_public, now));
}

/* GET /api/v2/tickets/{id}/comments.json: oldest first, notes included
 * (public: false), as staff see them. */
API_HANDLER(api_ticket_comments)
{
	int64_t id;
	struct ticket_row t;
	int rc = api_param_id(req, "id", &id) ? api_ticket_get(c->d, &c->staff, id, req->arena, &t) : 0;
	struct ticket_thread th;
	if (rc == 1)
		rc = ticket_thread_load(c->d, t.id, true, req->arena, &th) == 0 ? 1 : DB_ERROR;
	if (rc != 1) {
		api_fail(req, rc < 0 ? rc : API_NOT_FOUND, NULL);
		return;
	}
	json_t *o = json_object(), *list = json_array();
	for (int i = 0; i < th.nmessages; i++) {
		const struct message_row *m = &th.messages[i];
		json_t *cm = json_object(), *files = json_array();
		int64_t author = str_eq(m->author_kind, "client") ? api_uid_client(m->author_client_id)
		               : str_eq(m->author_kind, "staff") && m->author_staff_id ? api_uid_staff(m->author_staff_id)
		                                                                       : 0;
		json_object_set_new(cm, "id", json_integer(m->id));
		json_object_set_new(cm, "type", json_string("Comment"));
		json_object_set_new(cm, "author_id", author ? json_integer(author) : json_null());
		json_object_set_new(cm, "body", json_string(m->body));
		json_object_set_new(cm, "plain_body", json_string(m->body));
		json_object_set_new(cm, "html_body", json_string(page_message_markdown(req, m->id, m->body)));
		json_object_set_new(cm, "public", json_boolean(!m->internal));
		json_object_set_new(cm, "created_at", api_json_time(m->created_at));
		json_t *via = json_object();
		json_object_set_new(via, "channel", json_string(m->channel));
		json_object_set_new(cm, "via", via);
		for (int j = 0; j < th.nattachments; j++) {
			if (th.attachments[j].message_id != m->id)
				continue;
			json_t *f = json_object();
			json_object_set_new(f, "id", json_integer(th.attachments[j].id));
			json_object_set_new(f, "file_name", json_string(th.attachments[j].name));
			json_object_set_new(f, "content_type", json_string(th.attachments[j].content_type));
			json_object_set_new(f, "size", json_integer(th.attachments[j].size));
			json_array_append_new(files, f);
		}
		json_object_set_new(cm, "attachments", files);
		json_array_append_new(list, cm);
	}
	json_object_set_new(o, "comments", list);
	json_object_set_new(o, "next_page", json_null());
	json_object_set_new(o, "previous_page", json_null());
	json_object_set_new(o, "count", json_integer(th.nmessages));
	api_send(req, 200, o);
}

/* What a search query asks: type:, status:, requester: and free words. */
struct search_terms {
	const char *type; /* "ticket" (default) or "user" */
	int status_mask;
	char requester[256];
	char words[512];
	bool bad;
};

static void parse_query(const char *query, struct search_terms *s)
{
	memset(s, 0, sizeof *s);
	s->type = "ticket";
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", query);
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (str_starts_with(w, "type:")) {
			s->type = str_eq(w + 5, "user") ? "user" : str_eq(w + 5, "ticket") ? "ticket" : (s->bad = true, "");
		} else if (str_starts_with(w, "status:")) {
			int m = api_status_mask(w + 7);
			if (!m)
				s->bad = true;
			s->status_mask |= m;
		} else if (str_starts_with(w, "requester:")) {
			snprintf(s->requester, sizeof s->requester, "%s", w + 10);
		} else {
			size_t used = strlen(s->words);
			snprintf(s->words + used, sizeof s->words - used, "%s%s", used ? " " : "", w);
		}
	}
}

/* GET /api/v2/search.json?query=... */
API_HANDLER(api_search)
{
	const char *query = req_query(req, "query");
	struct api_page p;
	if (!api_page_parse(req, &p))
		return;
	if (!query || strlen(query) > 1000) {
		api_error(req, 400, "InvalidSearch", "query is required (at most 1000 characters)");
		return;
	}
	struct search_terms s;
	parse_query(query, &s);
	if (s.bad) {
		api_error(req, 400, "InvalidSearch", "type must be ticket or user; status a Zendesk status");
		return;
	}
	p.cursor = false; /* search pages by offset, as Zendesk's */
	if (p.page == 0)
		p.page = 1;
	const char *requester = s.requester;
	json_t *o = json_object(), *list = json_array();
	int64_t total = 0;
	int n;
	if (str_eq(s.type, "user")) {
		struct api_user_row *rows = arena_alloc(req->arena, (size_t)p.size * sizeof *rows);
		struct api_user_query q = {
			.offset = (p.page - 1) * p.size, .limit = p.size,
			.pattern = api_search_pattern(req->arena, s.words),
			.email = api_email_key(req->arena, requester),
		};
		n = rows ? api_user_list(c->d, &q, req->arena, rows, &total) : DB_NOMEM;
		for (int i = 0; i < n; i++) {
			json_t *u = api_json_user(&rows[i], c->base_url);
			json_object_set_new(u, "result_type", json_string("user"));
			json_array_append_new(list, u);
		}
	} else {
		struct ticket_row *rows = arena_alloc(req->arena, (size_t)p.size * sizeof *rows);
		struct api_ticket_query q = {
			.offset = (p.page - 1) * p.size, .limit = p.size, .status_mask = s.status_mask,
			.words = s.words, .newest_first = true,
		};
		n = 0;
		if (*requester) {
			struct api_user_row who;
			struct api_user_query uq = {.limit = 1, .role = "end-user",
			                            .email = api_email_key(req->arena, requester)};
			n = api_user_list(c->d, &uq, req->arena, &who, NULL);
			q.client_id = n == 1 ? who.id : -1; /* nobody: no ticket */
		}
		if (n >= 0)
			n = rows ? api_ticket_list(c->d, &c->staff, &q, req->arena, rows, &total) : DB_NOMEM;
		for (int i = 0; i < n; i++) {
			json_t *t = ticket_json(c, &rows[i], req->arena);
			json_object_set_new(t, "result_type", json_string("ticket"));
			json_array_append_new(list, t);
		}
	}
	if (n < 0) {
		json_decref(list);
		json_decref(o);
		api_fail(req, n, NULL);
		return;
	}
	json_object_set_new(o, "results", list);
	json_object_set_new(o, "facets", json_null());
	api_page_links(req, c, o, &p, n, 0, total, "/api/v2/search",
	               arena_printf(req->arena, "query=%s", query));
	api_send(req, 200, o);
}

/* GET /api/v2/ticket_fields.json: the custom fields of the token's
 * departments (every one for an admin). */
API_HANDLER(api_ticket_fields)
{
	json_t *o = api_json_ticket_fields(c->d, &c->staff, req->arena, c->base_url);
	if (!o) {
		api_fail(req, DB_ERROR, NULL);
		return;
	}
	api_send(req, 200, o);
}
