#include "web/api_body.h"

#include <stdio.h>

#include "base/str.h"

json_t *api_body_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t why;
	json_t *body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &why);
	if (!body || !json_is_object(body)) {
		snprintf(err, errlen, "%s", body ? "not an object" : why.text);
		json_decref(body);
		return NULL;
	}
	return body;
}

const char *api_string(json_t *obj, const char *key, struct api_errors *e)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		api_error_add(e, key, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

int64_t api_id(json_t *obj, const char *key, struct api_errors *e)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		api_error_add(e, key, "must be an id (a positive integer)");
		return -1;
	}
	return json_integer_value(v);
}

json_t *api_body_wrapped(json_t *body, const char *name, struct api_errors *e)
{
	json_t *o = body ? json_object_get(body, name) : NULL;
	if (!o || !json_is_object(o)) {
		api_error_add(e, name, "is required: send {\"<name>\": {...}}");
		return NULL;
	}
	return o;
}

/* An array of strings under key. */
static void tag_list(json_t *in, const char *key, struct api_tag_list *out, struct api_errors *e)
{
	json_t *v = in ? json_object_get(in, key) : NULL;
	out->sent = v && !json_is_null(v);
	out->n = 0;
	if (!out->sent)
		return;
	if (!json_is_array(v) || json_array_size(v) > API_TAGS_MAX) {
		api_error_add(e, key, "must be an array of at most 40 strings");
		return;
	}
	size_t i;
	json_t *tag;
	json_array_foreach(v, i, tag) {
		if (!json_is_string(tag)) {
			api_error_add(e, key, "must be an array of at most 40 strings");
			return;
		}
		out->list[out->n++] = json_string_value(tag);
	}
}

/* [{"id": N, "value": ...}, ...] */
static void field_list(json_t *in, struct api_field_list *out, struct api_errors *e)
{
	json_t *v = in ? json_object_get(in, "custom_fields") : NULL;
	out->n = 0;
	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) > CUSTOM_FIELDS_MAX) {
		api_error_add(e, "custom_fields", "must be an array of at most 30 {\"id\", \"value\"} objects");
		return;
	}
	size_t i;
	json_t *f;
	json_array_foreach(v, i, f) {
		json_t *id = json_is_object(f) ? json_object_get(f, "id") : NULL;
		json_t *value = json_is_object(f) ? json_object_get(f, "value") : NULL;
		if (!json_is_integer(id) || json_integer_value(id) <= 0 ||
		    (value && (json_is_object(value) || json_is_array(value)))) {
			api_error_add(e, "custom_fields", "each must be {\"id\": N, \"value\": a string, number, boolean or null}");
			return;
		}
		out->e[out->n].id = json_integer_value(id);
		out->e[out->n].value = value;
		out->n++;
	}
}

/* email_ccs: [{"user_email": ..., "user_name": ..., "action": "put" | "delete"}]. */
static int cc_changes(json_t *in, struct api_cc_change *out, struct api_errors *e)
{
	json_t *list = in ? json_object_get(in, "email_ccs") : NULL;
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list) || json_array_size(list) > API_CC_CHANGES_MAX) {
		api_error_add(e, "email_ccs", "must be a list of at most 10 {user_email, user_name, action}");
		return 0;
	}
	size_t i;
	json_t *item;
	int n = 0;
	json_array_foreach(list, i, item) {
		const char *action = json_is_object(item) ? api_string(item, "action", e) : NULL;
		const char *email = json_is_object(item) ? api_string(item, "user_email", e) : NULL;
		if (!email || (action && !str_eq(action, "put") && !str_eq(action, "delete"))) {
			api_error_add(e, "email_ccs", "each entry needs user_email, and action put or delete");
			return 0;
		}
		out[n++] = (struct api_cc_change){.email = email, .name = api_string(item, "user_name", e),
		                                  .remove = str_eq(action, "delete")};
	}
	return n;
}

struct api_ticket_new api_body_ticket_new(json_t *in, struct api_errors *e)
{
	json_t *comment = in ? json_object_get(in, "comment") : NULL;
	json_t *requester = in ? json_object_get(in, "requester") : NULL;
	struct api_ticket_new n = {
		.subject = api_string(in, "subject", e),
		.body = json_is_object(comment) ? api_string(comment, "body", e) : NULL,
		.priority = api_string(in, "priority", e),
		.requester_uid = api_id(in, "requester_id", e),
		.requester_email = json_is_object(requester) ? api_string(requester, "email", e) : NULL,
		.requester_name = json_is_object(requester) ? api_string(requester, "name", e) : NULL,
		.group_id = api_id(in, "group_id", e),
		.service_id = api_id(in, "service_id", e),
	};
	if (json_is_string(comment)) /* a bare string, as some clients send */
		n.body = json_string_value(comment);
	tag_list(in, "tags", &n.tags, e);
	field_list(in, &n.fields, e);
	n.nccs = cc_changes(in, n.ccs, e);
	return n;
}

struct api_ticket_change api_body_ticket_change(json_t *in, struct api_errors *e)
{
	json_t *comment = in ? json_object_get(in, "comment") : NULL;
	json_t *assignee = in ? json_object_get(in, "assignee_id") : NULL;
	json_t *pub = json_is_object(comment) ? json_object_get(comment, "public") : NULL;
	struct api_ticket_change ch = {
		.status = api_string(in, "status", e),
		.priority = api_string(in, "priority", e),
		.group_id = api_id(in, "group_id", e),
		.assignee_uid = !assignee ? -1 : json_is_null(assignee) ? 0 : api_id(in, "assignee_id", e),
		.comment = json_is_object(comment) ? api_string(comment, "body", e) : NULL,
		.comment_public = !json_is_false(pub),
	};
	if (json_is_object(comment) && !ch.comment && !json_object_get(comment, "body"))
		api_error_add(e, "comment", "needs a body");
	if (pub && !json_is_boolean(pub))
		api_error_add(e, "public", "must be true or false");
	tag_list(in, "tags", &ch.tags, e);
	tag_list(in, "additional_tags", &ch.additional_tags, e);
	tag_list(in, "remove_tags", &ch.remove_tags, e);
	field_list(in, &ch.fields, e);
	ch.nccs = cc_changes(in, ch.ccs, e);
	return ch;
}

struct api_user_form api_body_user(json_t *in, struct api_errors *e)
{
	return (struct api_user_form){
		.name = api_string(in, "name", e),
		.email = api_string(in, "email", e),
		.role = api_string(in, "role", e),
		.locale = api_string(in, "locale", e),
	};
}

struct api_service_form api_body_service(json_t *in, struct api_errors *e)
{
	return (struct api_service_form){
		.kind = api_string(in, "kind", e),
		.label = api_string(in, "label", e),
		.status = api_string(in, "status", e),
	};
}
