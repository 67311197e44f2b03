/* The public knowledge base: Base de Conhecimento (/kb), a category, an
 * article with "Esta resposta lhe foi útil?", search with the matched words
 * highlighted, and the suggestions of Abrir Ticket (/kb/suggest, JSON).
 * A draft, or an article of a hidden category, answers 404 exactly like an
 * id that does not exist. */
#include "web/kb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/kb.h"
#include "domain/token.h"
#include "view/markdown.h"
#include "web/context.h"
#include "web/page.h"

enum {
	CATEGORIES_MAX = 200,
	ARTICLES_MAX = 500,
	RESULTS_MAX = 30,
	VOTER_COOKIE_AGE = 365 * 24 * 3600,
};

static const char VOTER_COOKIE[] = "kbvoter";
static const char FROM_TICKET_FORM[] = "ticket-form";

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

/* The signed-in client, or NULL for a visitor. When the base is closed to
 * visitors (kb_require_login), answers 303 to /login and returns false. */
static bool kb_open_to(struct request *req, const struct session **reader)
{
	*reader = web_client(req);
	db *d = req_db(req);
	if (!d) {
		resp_error(req, 500);
		return false;
	}
	if (!*reader && kb_requires_login(d)) {
		web_require_login(req);
		return false;
	}
	return true;
}

static bool param_id(struct request *req, int64_t *id)
{
	return str_to_int64(req_param(req, "id"), 1, INT64_MAX, id);
}

const char *kb_marked_html(arena *a, const char *marked, bool strip_markdown)
{
	buf out;
	buf_init(&out, 1 << 20);
	bool open = false;
	const char *run = marked;
	for (const char *p = marked;; p++) {
		unsigned char c = (unsigned char)*p;
		bool special = c < 0x20 || c == 0x7f ||
		               (strip_markdown && (c == '*' || c == '#' || c == '`' || c == '|'));
		if (!special && c)
			continue;
		buf_put_html(&out, run, (size_t)(p - run));
		run = p + 1;
		if (!c)
			break;
		if (c == (unsigned char)KB_MARK_OPEN && !open) {
			buf_puts(&out, "<mark>");
			open = true;
		} else if (c == (unsigned char)KB_MARK_CLOSE && open) {
			buf_puts(&out, "</mark>");
			open = false;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			buf_putc(&out, ' ');
		}
	}
	if (open)
		buf_puts(&out, "</mark>");
	const char *html = arena_strndup(a, buf_str(&out), out.len);
	buf_free(&out);
	return html ? html : "";
}

const char *kb_article_html(struct request *req, const char *src)
{
	return page_markdown(req, src);
}

/* The search box's value, on every page that has one. */
static void search_box(vm_obj *page, const char *q)
{
	vm_set_text(page, "q", q ? q : "");
}

/* ---- /kb ---- */

/* GET /kb — 200; 303 to /login when the base needs a signed-in reader. */
static void kb_home(struct request *req)
{
	const struct session *reader;
	if (!kb_open_to(req, &reader))
		return;
	struct kb_category_row *rows = arena_alloc(req->arena, sizeof *rows * CATEGORIES_MAX);
	int n = rows ? kb_categories(req_db(req), reader, req->arena, rows, CATEGORIES_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Knowledgebase", "kb") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	search_box(page, "");
	vm_list *list = vm_set_list(page, "categories");
	int shown = 0;
	for (int i = 0; i < n; i++) {
		if (rows[i].article_count == 0)
			continue;
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "description", rows[i].description);
		vm_set_int(o, "count", rows[i].article_count);
		vm_set_bool(o, "one", rows[i].article_count == 1);
		shown++;
	}
	vm_set_bool(page, "has_categories", shown > 0);
	page_render(req, 200, "kb/index", page);
}

/* GET /kb/category/:id — 200; 404 for a hidden or unknown category. */
static void kb_category_page(struct request *req)
{
	const struct session *reader;
	int64_t id;
	if (!kb_open_to(req, &reader))
		return;
	if (!param_id(req, &id)) {
		resp_error(req, 404);
		return;
	}
	struct kb_category_row category;
	struct kb_article_row *rows = arena_alloc(req->arena, sizeof *rows * ARTICLES_MAX);
	int n = 0;
	int rc = rows ? kb_category(req_db(req), reader, id, req->arena, &category, rows,
	                            ARTICLES_MAX, &n)
	              : DB_NOMEM;
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	vm_obj *page = page_new(req, category.name, "kb");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	search_box(page, "");
	vm_obj *c = vm_set_obj(page, "category");
	vm_set_int(c, "id", category.id);
	vm_set_text(c, "name", category.name);
	vm_set_text(c, "description", category.description);
	vm_set_bool(page, "has_articles", n > 0);
	vm_list *list = vm_set_list(page, "articles");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "title", rows[i].title);
		page_time(req, o, "updated", rows[i].updated_at);
	}
	page_render(req, 200, "kb/category", page);
}

/* ---- an article and its votes ---- */

static void voter_of(struct request *req, struct kb_voter *v)
{
	v->client = web_client(req);
	v->anonymous_token = req_cookie(req, VOTER_COOKIE);
	v->ip = req_client_ip(req);
}

static const char *tally_text(struct request *req, int64_t yes, int64_t total)
{
	return arena_printf(req->arena, tr(req, "%lld Users found this helpful (%lld Votes)"),
	                    (long long)yes, (long long)total);
}

/* GET /kb/article/:id[?from=ticket-form][&vote=thanks|limited] — 200; 404
 * for a draft or an unknown id. */
static void kb_article_page(struct request *req)
{
	const struct session *reader;
	int64_t id;
	if (!kb_open_to(req, &reader))
		return;
	if (!param_id(req, &id)) {
		resp_error(req, 404);
		return;
	}
	db *d = req_db(req);
	struct kb_article_row a;
	bool from_form = str_eq(req_query(req, "from"), FROM_TICKET_FORM);
	int rc = kb_article_read(d, reader, id, from_form, now(), req->arena, &a);
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return;
	}
	struct kb_voter v;
	voter_of(req, &v);
	bool helpful = false;
	int voted = kb_vote_of(d, &v, id, &helpful);
	vm_obj *page = page_new(req, a.title, "kb");
	if (!page || voted < 0) {
		resp_error(req, 500);
		return;
	}
	search_box(page, "");
	vm_obj *o = vm_set_obj(page, "article");
	vm_set_int(o, "id", a.id);
	vm_set_text(o, "title", a.title);
	vm_set_trusted_html(o, "html", page_article_markdown(req, a.id, a.body));
	vm_set_int(o, "category_id", a.category_id);
	vm_set_text(o, "category", a.category_name);
	vm_set_int(o, "views", a.views);
	page_time(req, o, "updated", a.updated_at);
	vm_set_text(page, "tally", tally_text(req, a.yes_votes, a.votes));
	vm_set_bool(page, "voted_yes", voted == 1 && helpful);
	vm_set_bool(page, "voted_no", voted == 1 && !helpful);
	const char *note = req_query(req, "vote");
	if (str_eq(note, "thanks"))
		vm_set_text(page, "vote_message", tr(req, "Thank you for your feedback."));
	else if (str_eq(note, "limited"))
		vm_set_text(page, "vote_error", tr(req, "Too many votes from your network. Try again later."));
	page_render(req, 200, "kb/article", page);
}

static bool wants_json(struct request *req)
{
	const char *accept = req_header(req, "Accept");
	return accept && strstr(accept, "application/json");
}

static void send_json(struct request *req, int status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		resp_text(req, 500, "application/json; charset=utf-8", "{\"error\":\"internal\"}");
		return;
	}
	resp_text(req, status, "application/json; charset=utf-8", text);
	free(text);
	resp_header(req, "Cache-Control", "no-store");
}

/* POST /kb/article/:id/vote (helpful=yes|no) — a form: 303 back to the
 * article (?vote=thanks or ?vote=limited); with Accept: application/json:
 * 200 {yes, total, tally, helpful}, 429 when limited. 404 for a draft or an
 * unknown id, 400 for another value of helpful. */
static void kb_vote_submit(struct request *req)
{
	const struct session *reader;
	int64_t id;
	if (!kb_open_to(req, &reader))
		return;
	if (!param_id(req, &id)) {
		resp_error(req, 404);
		return;
	}
	const char *answer = req_form(req, "helpful");
	if (!str_eq(answer, "yes") && !str_eq(answer, "no")) {
		resp_error(req, 400);
		return;
	}
	struct kb_voter v;
	voter_of(req, &v);
	if (!v.client && !token_well_formed(v.anonymous_token)) {
		char *fresh = arena_alloc(req->arena, TOKEN_LEN + 1);
		if (!fresh) {
			resp_error(req, 500);
			return;
		}
		token_new(fresh);
		v.anonymous_token = fresh;
		resp_cookie(req, VOTER_COOKIE, fresh, VOTER_COOKIE_AGE,
		            str_starts_with(req_app(req)->cfg.base_url, "https:"));
	}
	db *d = req_db(req);
	bool helpful = str_eq(answer, "yes");
	int rc = kb_vote(d, &v, id, helpful, now());
	if (rc == KB_NOT_FOUND || rc == KB_INVALID || rc < 0) {
		resp_error(req, rc == KB_NOT_FOUND ? 404 : rc == KB_INVALID ? 400 : 500);
		return;
	}
	if (!wants_json(req)) {
		resp_redirect(req, 303, arena_printf(req->arena, "/kb/article/%lld?vote=%s#helpful",
		                                     (long long)id, rc == KB_LIMITED ? "limited" : "thanks"));
		return;
	}
	int64_t yes = 0, total = 0;
	if (kb_vote_tally(d, id, &yes, &total) < 0) {
		resp_error(req, 500);
		return;
	}
	json_t *body = rc == KB_LIMITED
		? json_pack("{s:s}", "error", tr(req, "Too many votes from your network. Try again later."))
		: json_pack("{s:I, s:I, s:s, s:b, s:s}", "yes", (json_int_t)yes, "total",
		            (json_int_t)total, "tally", tally_text(req, yes, total), "helpful", helpful,
		            "message", tr(req, "Thank you for your feedback."));
	send_json(req, rc == KB_LIMITED ? 429 : 200, body);
}

/* ---- search and suggestions ---- */

/* GET /kb/search?q= — 200, with the results (none for an empty q). */
static void kb_search_page(struct request *req)
{
	const struct session *reader;
	if (!kb_open_to(req, &reader))
		return;
	const char *q = req_query(req, "q");
	if (!q)
		q = "";
	struct kb_hit *hits = arena_alloc(req->arena, sizeof *hits * RESULTS_MAX);
	int n = hits ? kb_search(req_db(req), reader, q, req->arena, hits, RESULTS_MAX) : -1;
	bool searched = false;
	for (const char *p = q; *p && !searched; p++)
		searched = *p != ' ';
	vm_obj *page = n >= 0 ? page_new(req, searched ? arena_printf(req->arena, "%s: %s",
	                                                               tr(req, "Search"), q)
	                                               : tr(req, "Search the knowledgebase"),
	                                 "kb")
	                      : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	search_box(page, q);
	vm_set_bool(page, "searched", searched);
	vm_set_bool(page, "has_results", n > 0);
	vm_set_textf(page, "result_count",
	             i18n_ntext(req_app(req)->catalog, req_lang(req), "%d article found",
	                        "%d articles found", (unsigned long)n),
	             n);
	vm_list *list = vm_set_list(page, "results");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", hits[i].id);
		vm_set_trusted_html(o, "title_html", kb_marked_html(req->arena, hits[i].title_marked, false));
		vm_set_trusted_html(o, "snippet_html",
		                    kb_marked_html(req->arena, hits[i].snippet_marked, true));
		vm_set_int(o, "category_id", hits[i].category_id);
		vm_set_text(o, "category", hits[i].category_name);
	}
	page_render(req, 200, "kb/search", page);
}

/* GET /kb/suggest?q= — 200 {"articles": [{id, title, category, url}]}, at
 * most five, for the Assunto field of Abrir Ticket. */
static void kb_suggest_json(struct request *req)
{
	const struct session *reader;
	if (!kb_open_to(req, &reader))
		return;
	struct kb_hit hits[KB_SUGGESTIONS_MAX];
	int n = kb_suggest(req_db(req), reader, req_query(req, "q"), req->arena, hits,
	                   KB_SUGGESTIONS_MAX);
	if (n < 0) {
		resp_error(req, 500);
		return;
	}
	json_t *list = json_array();
	for (int i = 0; list && i < n; i++) {
		char url[64];
		snprintf(url, sizeof url, "/kb/article/%lld?from=%s", (long long)hits[i].id,
		         FROM_TICKET_FORM);
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s}", "id",
		                                      (json_int_t)hits[i].id, "title", hits[i].title,
		                                      "category", hits[i].category_name, "url", url));
	}
	send_json(req, 200, list ? json_pack("{s:o}", "articles", list) : NULL);
}

/* ---- routes ---- */

static const struct {
	unsigned methods;
	const char *pattern;
	handler_fn handler;
} kb_routes[] = {
	{HTTP_GET, "/kb", kb_home},
	{HTTP_GET, "/kb/search", kb_search_page},
	{HTTP_GET, "/kb/suggest", kb_suggest_json},
	{HTTP_GET, "/kb/category/:id", kb_category_page},
	{HTTP_GET, "/kb/article/:id", kb_article_page},
	{HTTP_POST, "/kb/article/:id/vote", kb_vote_submit},

	/* "new" before ":id": the router tries routes in order. */
	{HTTP_GET, "/staff/kb", staff_kb_page},
	{HTTP_POST, "/staff/kb/settings", staff_kb_settings_submit},
	{HTTP_GET, "/staff/kb/articles/new", staff_kb_article_new_page},
	{HTTP_POST, "/staff/kb/articles", staff_kb_article_create_submit},
	{HTTP_GET, "/staff/kb/articles/:id", staff_kb_article_edit_page},
	{HTTP_POST, "/staff/kb/articles/:id", staff_kb_article_edit_submit},
	{HTTP_POST, "/staff/kb/articles/:id/publish", staff_kb_article_publish_submit},
	{HTTP_POST, "/staff/kb/articles/:id/delete", staff_kb_article_delete_submit},
	{HTTP_GET, "/staff/kb/categories", staff_kb_categories_page},
	{HTTP_POST, "/staff/kb/categories", staff_kb_category_create_submit},
	{HTTP_GET, "/staff/kb/categories/:id", staff_kb_category_edit_page},
	{HTTP_POST, "/staff/kb/categories/:id", staff_kb_category_edit_submit},
	{HTTP_POST, "/staff/kb/categories/:id/delete", staff_kb_category_delete_submit},
};
static const size_t kb_route_count = sizeof kb_routes / sizeof kb_routes[0];

int web_routes_kb(router *r)
{
	for (size_t i = 0; i < kb_route_count; i++)
		if (router_add(r, kb_routes[i].methods, kb_routes[i].pattern, kb_routes[i].handler) < 0)
			return -1;
	return 0;
}
