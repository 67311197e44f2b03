/* libFuzzer target on the API's JSON bodies (web/api_body.c): the body is
 * parsed as the server does (api_body_parse: an object, duplicate keys
 * refused), then read into the domain's structs as each handler does:
 * {"ticket": ...} for POST and PUT /tickets, {"user": ...}, {"service":
 * ...}; the unwrapped object goes through every reader as well. Nothing
 * here reaches a database. No crash, no undefined behaviour, no leak;
 * every string handed on is valid UTF-8; an id is > 0, or 0 when absent,
 * or -1 with an error recorded (the assignee: -1 when absent, 0 for null);
 * the error list keeps its cap. Built and run by tests/fuzz/run (seeds: corpus/api_json/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "web/api_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
	if (s && !str_utf8_valid(s, strlen(s)))
		abort();
}

static void check_id(int64_t id, const struct api_errors *e)
{
	if (id < -1 || (id == -1 && e->n == 0))
		abort();
}

static void read_all(json_t *in, struct api_errors *e)
{
	struct api_ticket_new n = api_body_ticket_new(in, e);
	check_text(n.subject);
	check_text(n.body);
	check_text(n.priority);
	check_text(n.requester_email);
	check_text(n.requester_name);
	check_id(n.requester_uid, e);
	check_id(n.group_id, e);
	check_id(n.service_id, e);

	struct api_ticket_change ch = api_body_ticket_change(in, e);
	check_text(ch.status);
	check_text(ch.priority);
	check_text(ch.comment);
	check_id(ch.group_id, e);
	if (ch.assignee_uid < -1) /* -1: unchanged (or wrong, with an error), 0: nobody */
		abort();
	if (ch.assignee_uid == -1 && in && json_object_get(in, "assignee_id") && e->n == 0)
		abort();

	struct api_user_form u = api_body_user(in, e);
	check_text(u.name);
	check_text(u.email);
	check_text(u.role);
	check_text(u.locale);

	struct api_service_form s = api_body_service(in, e);
	check_text(s.kind);
	check_text(s.label);
	check_text(s.status);

	if (e->n < 0 || e->n > API_ERRORS_MAX)
		abort();
	for (int i = 0; i < e->n; i++)
		if (!e->e[i].field || !e->e[i].description)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[160];
	json_t *body = api_body_parse((const char *)data, size, why, sizeof why);
	if (!body) {
		if (!memchr(why, '\0', sizeof why))
			abort();
		return 0;
	}
	static const char *const wrappers[] = {"ticket", "user", "service"};
	for (size_t i = 0; i < sizeof wrappers / sizeof wrappers[0]; i++) {
		struct api_errors e = {0};
		json_t *in = api_body_wrapped(body, wrappers[i], &e);
		if (!in && e.n != 1)
			abort();
		read_all(in, &e);
	}
	struct api_errors e = {0};
	read_all(body, &e);
	json_decref(body);
	return 0;
}
