#include <criterion/criterion.h>
#include <string.h>

#include "web/api_body.h"

static json_t *parse(const char *text)
{
	char why[160];
	return api_body_parse(text, strlen(text), why, sizeof why);
}

Test(api_body, refuses_a_body_that_is_not_one_object_or_repeats_a_key)
{
	char why[160] = "";
	cr_expect_null(api_body_parse("[1]", 3, why, sizeof why));
	cr_expect_str_eq(why, "not an object");
	cr_expect_null(parse("{\"a\":1,\"a\":2}"));
	cr_expect_null(parse("{\"a\":"));
}

Test(api_body, reads_a_new_ticket_with_a_bare_string_comment_and_its_requester)
{
	json_t *body = parse("{\"ticket\":{\"subject\":\"Site fora\",\"comment\":\"Erro 500\","
	                     "\"requester\":{\"email\":\"ana@example.com\"},\"group_id\":2}}");
	cr_assert_not_null(body);
	struct api_errors e = {0};
	struct api_ticket_new n = api_body_ticket_new(api_body_wrapped(body, "ticket", &e), &e);
	cr_expect_eq(e.n, 0);
	cr_expect_str_eq(n.subject, "Site fora");
	cr_expect_str_eq(n.body, "Erro 500");
	cr_expect_str_eq(n.requester_email, "ana@example.com");
	cr_expect_eq(n.group_id, 2);
	cr_expect_eq(n.requester_uid, 0);
	json_decref(body);
}

Test(api_body, names_each_wrong_member_of_a_ticket_change)
{
	json_t *body = parse("{\"ticket\":{\"status\":3,\"assignee_id\":\"5\",\"comment\":{\"public\":\"yes\"}}}");
	cr_assert_not_null(body);
	struct api_errors e = {0};
	struct api_ticket_change ch = api_body_ticket_change(api_body_wrapped(body, "ticket", &e), &e);
	cr_expect_null(ch.status);
	cr_expect_eq(ch.assignee_uid, -1);
	cr_expect_eq(e.n, 4); /* status, assignee_id, comment without a body, public */
	json_decref(body);
}

Test(api_body, a_missing_wrapper_is_one_error_and_reads_as_nothing_sent)
{
	json_t *body = parse("{\"usuario\":{}}");
	struct api_errors e = {0};
	struct api_user_form f = api_body_user(api_body_wrapped(body, "user", &e), &e);
	cr_expect_eq(e.n, 1);
	cr_expect_str_eq(e.e[0].field, "user");
	cr_expect_null(f.email);
	json_decref(body);
}
