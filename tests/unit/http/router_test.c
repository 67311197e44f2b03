#include <criterion/criterion.h>
#include <string.h>

#include "http/router.h"

static void h_list(struct request *r) { (void)r; }
static void h_show(struct request *r) { (void)r; }
static void h_reply(struct request *r) { (void)r; }
static void h_new(struct request *r) { (void)r; }
static void h_static(struct request *r) { (void)r; }

static router *r;
static arena *a;

static void setup(void)
{
	r = router_new();
	a = arena_new(1024);
	cr_assert_eq(router_add(r, HTTP_GET, "/tickets", h_list), 0);
	cr_assert_eq(router_add(r, HTTP_GET | HTTP_POST, "/tickets/new", h_new), 0);
	cr_assert_eq(router_add(r, HTTP_GET, "/tickets/:number", h_show), 0);
	cr_assert_eq(router_add(r, HTTP_POST, "/tickets/:number/reply", h_reply), 0);
	cr_assert_eq(router_add(r, HTTP_GET, "/files/*rest", h_static), 0);
}

static void teardown(void)
{
	router_free(r);
	arena_free(a);
}

TestSuite(router, .init = setup, .fini = teardown);

Test(router, matches_a_literal_path)
{
	struct route_match m;
	cr_assert_eq(router_match(r, HTTP_GET, "/tickets", a, &m), 0);
	cr_assert_eq(m.handler, h_list);
	cr_assert_eq(m.nparams, 0);
}

Test(router, prefers_the_earlier_literal_route_over_a_parameter)
{
	struct route_match m;
	router_match(r, HTTP_GET, "/tickets/new", a, &m);
	cr_assert_eq(m.handler, h_new);
}

Test(router, captures_path_parameters)
{
	struct route_match m;
	router_match(r, HTTP_POST, "/tickets/482913/reply", a, &m);
	cr_assert_eq(m.handler, h_reply);
	cr_assert_eq(m.nparams, 1);
	cr_assert_str_eq(m.names[0], "number/reply");
	cr_assert_str_eq(m.values[0], "482913");
}

Test(router, takes_the_rest_of_the_path_with_a_star)
{
	struct route_match m;
	router_match(r, HTTP_GET, "/files/a/b.png", a, &m);
	cr_assert_eq(m.handler, h_static);
	cr_assert_str_eq(m.values[0], "a/b.png");
}

Test(router, answers_head_with_get_routes)
{
	struct route_match m;
	router_match(r, HTTP_HEAD, "/tickets/1", a, &m);
	cr_assert_eq(m.handler, h_show);
}

Test(router, reports_a_known_path_with_the_wrong_method_and_its_allowed_methods)
{
	struct route_match m;
	router_match(r, HTTP_DELETE, "/tickets/1", a, &m);
	cr_assert_null(m.handler);
	cr_assert(m.path_known);
	cr_assert_str_eq(http_methods_allow(m.allowed, a), "GET, HEAD");
}

Test(router, does_not_match_unknown_paths_empty_segments_or_trailing_slashes)
{
	struct route_match m;
	const char *paths[] = {"/nope", "/tickets/", "/tickets//reply", "/tickets/1/reply/x",
	                       "tickets", "", "/files/"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		router_match(r, HTTP_GET, paths[i], a, &m);
		cr_assert_null(m.handler, "%s matched", paths[i]);
		cr_assert(!m.path_known, "%s is known", paths[i]);
	}
}

Test(router, refuses_malformed_patterns)
{
	cr_assert_eq(router_add(r, HTTP_GET, "no-slash", h_list), -1);
	cr_assert_eq(router_add(r, HTTP_GET, "/x", NULL), -1);
}

Test(router, parses_method_names)
{
	cr_assert_eq(http_method_parse("GET"), HTTP_GET);
	cr_assert_eq(http_method_parse("POST"), HTTP_POST);
	cr_assert_eq(http_method_parse("get"), HTTP_OTHER);
	cr_assert_eq(http_method_parse("BREW"), HTTP_OTHER);
}

/* A literal segment matches only itself: not a longer or shorter one that
 * shares its start, nor one that differs in its last byte. */
Test(router, matches_literal_segments_whole)
{
	static const char *const misses[] = {"/ticket", "/ticketsx", "/tickets/ne", "/tickets/newx",
	                                     "/tickets/new/x", "/tickets/7/repl", "/tickets/7/replyy",
	                                     "/file/a", "/filesa"};
	for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
		struct route_match m;
		cr_assert_eq(router_match(r, HTTP_POST, misses[i], a, &m), 0);
		cr_assert_null(m.handler, "%s", misses[i]);
	}
	struct route_match m;
	cr_assert_eq(router_match(r, HTTP_POST, "/tickets/7/reply", a, &m), 0);
	cr_assert_eq(m.handler, h_reply);
	cr_assert_str_eq(m.values[0], "7");
}
