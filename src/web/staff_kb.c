/* The staff's knowledge base: /staff/kb lists every article with its views
 * and votes (and, for admins, the tickets avoided and the sign-in setting);
 * articles are written in Markdown with a preview that needs no JavaScript
 * (a second submit button renders without saving), published or
 * unpublished, moved between categories and ordered; categories are
 * created, renamed, hidden, ordered and deleted when empty.
 *
 * Agents and admins alike may do all of it except the admin-only parts
 * named above. Every handler answers 303 to /staff/login?next=... when no
 * staff member is signed in; forms answer 422 with what was typed and an
 * error under each wrong field, and 303 with the "saved" flash. */
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/kb.h"
#include "domain/permission.h"
#include "web/admin.h"
#include "web/context.h"
#include "web/kb.h"
#include "web/page.h"

enum { ARTICLES_MAX = 1000, CATEGORIES_MAX = 200, AVOIDED_DAYS = 30 };

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

/* The signed-in staff member, or NULL after answering 303. */
static struct session *kb_staff(struct request *req)
{
	struct session *s = web_staff(req);
	if (!s || !kb_may_write(s)) {
		web_require_login(req);
		return NULL;
	}
	return s;
}

static void kb_fail(struct request *req, int rc)
{
	resp_error(req, rc == KB_NOT_FOUND ? 404 : rc == KB_REFUSED ? 403 : 500);
}

/* Answers a change: 303 to `to` with the "saved" flash when rc is KB_OK,
 * else as kb_fail. */
static void kb_saved(struct request *req, int rc, const char *to)
{
	if (rc != KB_OK) {
		kb_fail(req, rc);
		return;
	}
	web_flash(req, "saved");
	resp_redirect(req, 303, to);
}

static const char *form_text(struct request *req, const char *name)
{
	const char *v = req_form(req, name);
	return v ? v : "";
}

/* ---- the list ---- */

/* GET /staff/kb — 200; 303 signed out. */
void staff_kb_page(struct request *req)
{
	struct session *s = kb_staff(req);
	if (!s)
		return;
	db *d = req_db(req);
	struct kb_article_row *rows = arena_alloc(req->arena, sizeof *rows * ARTICLES_MAX);
	int n = d && rows ? kb_articles_all(d, s, req->arena, rows, ARTICLES_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Knowledgebase", "kb") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "has_articles", n > 0);
	vm_list *list = vm_set_list(page, "articles");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "title", rows[i].title);
		vm_set_text(o, "category", rows[i].category_name);
		vm_set_bool(o, "published", rows[i].published);
		vm_set_int(o, "views", rows[i].views);
		vm_set_int(o, "yes", rows[i].yes_votes);
		vm_set_int(o, "votes", rows[i].votes);
		vm_set_int(o, "sort_order", rows[i].sort_order);
		page_time(req, o, "updated", rows[i].updated_at);
	}
	if (permission_administer(s)) {
		int64_t avoided = 0, opens = 0;
		if (kb_tickets_avoided(d, s, now(), AVOIDED_DAYS, &avoided, &opens) < 0) {
			resp_error(req, 500);
			return;
		}
		vm_obj *stats = vm_set_obj(page, "stats");
		vm_set_int(stats, "avoided", avoided);
		vm_set_int(stats, "opens", opens);
		vm_set_int(stats, "days", AVOIDED_DAYS);
		vm_set_bool(page, "require_login", kb_requires_login(d));
	}
	page_render(req, 200, "staff/kb/index", page);
}

/* POST /staff/kb/settings (require_login checkbox) — 303 with "saved";
 * 404 for agents (the setting is the admins'). */
void staff_kb_settings_submit(struct request *req)
{
	struct session *s = kb_staff(req);
	if (!s)
		return;
	if (!permission_administer(s)) {
		resp_error(req, 404);
		return;
	}
	db *d = req_db(req);
	int rc = d ? kb_set_requires_login(d, s, admin_form_checked(req, "require_login")) : -1;
	kb_saved(req, rc, "/staff/kb");
}

/* ---- an article ---- */

static void render_article_form(struct request *req, int status, int64_t id,
                                const struct kb_article_form *f,
                                const struct kb_article_errors *e, bool preview,
                                const struct kb_article_row *saved)
{
	db *d = req_db(req);
	struct kb_category_row *cats = arena_alloc(req->arena, sizeof *cats * CATEGORIES_MAX);
	int n = d && cats ? kb_categories(d, web_staff(req), req->arena, cats, CATEGORIES_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, id ? "Edit article" : "New article", "kb") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	if (id) {
		vm_set_int(page, "id", id);
		vm_set_textf(page, "action", "/staff/kb/articles/%lld", (long long)id);
	} else {
		vm_set_text(page, "action", "/staff/kb/articles");
	}
	vm_set_bool(page, "is_new", id == 0);
	vm_set_text(page, "article_title", f->title);
	vm_set_text(page, "body", f->body);
	vm_set_text(page, "sort_order", f->sort_order);
	vm_set_bool(page, "published", f->published);
	vm_set_bool(page, "has_categories", n > 0);
	vm_list *list = vm_set_list(page, "categories");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", cats[i].id);
		vm_set_text(o, "name", cats[i].name);
		vm_set_bool(o, "selected", cats[i].id == f->category_id);
	}
	if (saved) {
		vm_obj *o = vm_set_obj(page, "saved");
		vm_set_bool(o, "published", saved->published);
		vm_set_int(o, "views", saved->views);
		vm_set_text(o, "tally", arena_printf(req->arena,
		                                     tr(req, "%lld Users found this helpful (%lld Votes)"),
		                                     (long long)saved->yes_votes, (long long)saved->votes));
		page_time(req, o, "updated", saved->updated_at);
	}
	if (preview)
		vm_set_trusted_html(page, "preview_html", kb_article_html(req, f->body));
	if (e) {
		admin_field_error(req, page, "title", e->title);
		admin_field_error(req, page, "category", e->category);
		admin_field_error(req, page, "sort_order", e->sort_order);
		admin_field_error(req, page, "body", e->body);
	}
	page_render(req, status, "staff/kb/article", page);
}

/* GET /staff/kb/articles/new[?category=ID] — 200; 303 signed out. */
void staff_kb_article_new_page(struct request *req)
{
	if (!kb_staff(req))
		return;
	int64_t category = 0;
	str_to_int64(req_query(req, "category"), 1, INT64_MAX, &category);
	struct kb_article_form f = {.title = "", .body = "", .sort_order = "",
	                            .category_id = category};
	render_article_form(req, 200, 0, &f, NULL, false, NULL);
}

static bool param_id(struct request *req, int64_t *id)
{
	return str_to_int64(req_param(req, "id"), 1, INT64_MAX, id);
}

/* The signed-in staff member, with the route's :id in *id; NULL after
 * answering (303 signed out, 404 when :id is not an id). */
static struct session *kb_staff_id(struct request *req, int64_t *id)
{
	struct session *s = kb_staff(req);
	if (s && !param_id(req, id)) {
		resp_error(req, 404);
		return NULL;
	}
	return s;
}

/* The article named in the path, for staff; NULL after answering. */
static struct kb_article_row *load_article(struct request *req, struct session *s)
{
	int64_t id;
	struct kb_article_row *row = arena_alloc(req->arena, sizeof *row);
	if (!param_id(req, &id) || !row) {
		resp_error(req, row ? 404 : 500);
		return NULL;
	}
	db *d = req_db(req);
	int rc = d ? kb_article_for_staff(d, s, id, req->arena, row) : -1;
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return NULL;
	}
	return row;
}

/* GET /staff/kb/articles/:id — 200; 303 signed out; 404. */
void staff_kb_article_edit_page(struct request *req)
{
	struct session *s = kb_staff(req);
	if (!s)
		return;
	struct kb_article_row *a = load_article(req, s);
	if (!a)
		return;
	struct kb_article_form f = {
		.title = a->title, .body = a->body, .category_id = a->category_id,
		.published = a->published,
		.sort_order = arena_printf(req->arena, "%lld", (long long)a->sort_order),
	};
	render_article_form(req, 200, a->id, &f, NULL, false, a);
}

/* Saves the form, or with action=preview shows it rendered, unsaved. */
static void save_article(struct request *req, struct session *s, int64_t id,
                         const struct kb_article_row *saved)
{
	int64_t category = 0;
	str_to_int64(form_text(req, "category"), 1, INT64_MAX, &category);
	struct kb_article_form f = {
		.title = form_text(req, "title"), .body = form_text(req, "body"),
		.category_id = category, .sort_order = form_text(req, "sort_order"),
		.published = saved ? saved->published : admin_form_checked(req, "published"),
	};
	if (str_eq(req_form(req, "action"), "preview")) {
		render_article_form(req, 200, id, &f, NULL, true, saved);
		return;
	}
	struct kb_article_errors e;
	db *d = req_db(req);
	int64_t out_id = id;
	int rc = d ? kb_article_save(d, s, id, &f, now(), &e, &out_id) : -1;
	if (rc == KB_INVALID) {
		render_article_form(req, 422, id, &f, &e, false, saved);
		return;
	}
	kb_saved(req, rc, arena_printf(req->arena, "/staff/kb/articles/%lld", (long long)out_id));
}

/* POST /staff/kb/articles — 303 to the new article with "saved"; 200 with
 * a preview (action=preview); 422. */
void staff_kb_article_create_submit(struct request *req)
{
	struct session *s = kb_staff(req);
	if (!s)
		return;
	save_article(req, s, 0, NULL);
}

/* POST /staff/kb/articles/:id — 303 with "saved"; 200 preview; 422; 404. */
void staff_kb_article_edit_submit(struct request *req)
{
	struct session *s = kb_staff(req);
	if (!s)
		return;
	struct kb_article_row *a = load_article(req, s);
	if (!a)
		return;
	save_article(req, s, a->id, a);
}

/* Where a list's button goes back to: next when local, else fallback. */
static const char *back_to(struct request *req, const char *fallback)
{
	return web_safe_next(req_form(req, "next"), fallback);
}

/* POST /staff/kb/articles/:id/publish (published=1|0) — 303 back with
 * "saved"; 404. */
void staff_kb_article_publish_submit(struct request *req)
{
	int64_t id;
	struct session *s = kb_staff_id(req, &id);
	if (!s)
		return;
	db *d = req_db(req);
	int rc = d ? kb_article_publish(d, s, id, str_eq(req_form(req, "published"), "1"), now()) : -1;
	kb_saved(req, rc, back_to(req, "/staff/kb"));
}

/* POST /staff/kb/articles/:id/delete — 303 to /staff/kb with "saved"; 404. */
void staff_kb_article_delete_submit(struct request *req)
{
	int64_t id;
	struct session *s = kb_staff_id(req, &id);
	if (!s)
		return;
	db *d = req_db(req);
	int rc = d ? kb_article_delete(d, s, id) : -1;
	kb_saved(req, rc, "/staff/kb");
}

/* ---- categories ---- */

/* The list with the form for a new category below it (status 422 with
 * the new category's errors). */
static void render_categories(struct request *req, int status, const struct kb_category_form *f,
                              const struct kb_category_errors *e)
{
	db *d = req_db(req);
	struct kb_category_row *rows = arena_alloc(req->arena, sizeof *rows * CATEGORIES_MAX);
	int n = d && rows ? kb_categories(d, web_staff(req), req->arena, rows, CATEGORIES_MAX) : -1;
	vm_obj *page = n >= 0 ? page_new(req, "Knowledgebase categories", "kb") : NULL;
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_bool(page, "has_categories", n > 0);
	vm_list *list = vm_set_list(page, "categories");
	for (int i = 0; i < n; i++) {
		vm_obj *o = vm_list_add(list);
		vm_set_int(o, "id", rows[i].id);
		vm_set_text(o, "name", rows[i].name);
		vm_set_text(o, "description", rows[i].description);
		vm_set_bool(o, "visible", rows[i].visible);
		vm_set_int(o, "sort_order", rows[i].sort_order);
		vm_set_int(o, "count", rows[i].article_count);
	}
	vm_set_text(page, "name", f->name);
	vm_set_text(page, "description", f->description);
	vm_set_text(page, "sort_order", f->sort_order);
	vm_set_bool(page, "visible", f->visible);
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "description", e->description);
		admin_field_error(req, page, "sort_order", e->sort_order);
	}
	page_render(req, status, "staff/kb/categories", page);
}

/* GET /staff/kb/categories — 200; 303 signed out. */
void staff_kb_categories_page(struct request *req)
{
	if (!kb_staff(req))
		return;
	struct kb_category_form f = {.name = "", .description = "", .sort_order = "",
	                             .visible = true};
	render_categories(req, 200, &f, NULL);
}

static void render_category(struct request *req, int status, int64_t id, int64_t count,
                            const struct kb_category_form *f, const struct kb_category_errors *e)
{
	vm_obj *page = page_new(req, "Edit category", "kb");
	if (!page) {
		resp_error(req, 500);
		return;
	}
	vm_set_int(page, "id", id);
	vm_set_int(page, "count", count);
	vm_set_bool(page, "empty", count == 0);
	vm_set_text(page, "name", f->name);
	vm_set_text(page, "description", f->description);
	vm_set_text(page, "sort_order", f->sort_order);
	vm_set_bool(page, "visible", f->visible);
	if (e) {
		admin_field_error(req, page, "name", e->name);
		admin_field_error(req, page, "description", e->description);
		admin_field_error(req, page, "sort_order", e->sort_order);
	}
	page_render(req, status, "staff/kb/category", page);
}

static struct kb_category_form category_form(struct request *req)
{
	return (struct kb_category_form){
		.name = form_text(req, "name"), .description = form_text(req, "description"),
		.sort_order = form_text(req, "sort_order"),
		.visible = admin_form_checked(req, "visible"),
	};
}

/* POST /staff/kb/categories — 303 to the list with "saved"; 422. */
void staff_kb_category_create_submit(struct request *req)
{
	struct session *s = kb_staff(req);
	if (!s)
		return;
	struct kb_category_form f = category_form(req);
	struct kb_category_errors e;
	db *d = req_db(req);
	int rc = d ? kb_category_save(d, s, 0, &f, now(), &e, NULL) : -1;
	if (rc == KB_INVALID) {
		render_categories(req, 422, &f, &e);
		return;
	}
	kb_saved(req, rc, "/staff/kb/categories");
}

/* The category named in the path; false after answering 404/500. */
static bool load_category(struct request *req, struct kb_category_row *row)
{
	int64_t id;
	if (!param_id(req, &id)) {
		resp_error(req, 404);
		return false;
	}
	struct kb_article_row none;
	int n = 0;
	db *d = req_db(req);
	int rc = d ? kb_category(d, web_staff(req), id, req->arena, row, &none, 0, &n) : -1;
	if (rc != 1) {
		resp_error(req, rc == 0 ? 404 : 500);
		return false;
	}
	return true;
}

/* GET /staff/kb/categories/:id — 200; 303 signed out; 404. */
void staff_kb_category_edit_page(struct request *req)
{
	struct kb_category_row c;
	if (!kb_staff(req) || !load_category(req, &c))
		return;
	struct kb_category_form f = {
		.name = c.name, .description = c.description, .visible = c.visible,
		.sort_order = arena_printf(req->arena, "%lld", (long long)c.sort_order),
	};
	render_category(req, 200, c.id, c.article_count, &f, NULL);
}

/* POST /staff/kb/categories/:id — 303 to the list with "saved"; 422; 404. */
void staff_kb_category_edit_submit(struct request *req)
{
	struct kb_category_row c;
	struct session *s = kb_staff(req);
	if (!s || !load_category(req, &c))
		return;
	struct kb_category_form f = category_form(req);
	struct kb_category_errors e;
	int rc = kb_category_save(req_db(req), s, c.id, &f, now(), &e, NULL);
	if (rc == KB_INVALID) {
		render_category(req, 422, c.id, c.article_count, &f, &e);
		return;
	}
	kb_saved(req, rc, "/staff/kb/categories");
}

/* POST /staff/kb/categories/:id/delete — 303 to the list with "saved";
 * 409 while articles are in it; 404. */
void staff_kb_category_delete_submit(struct request *req)
{
	int64_t id;
	struct session *s = kb_staff_id(req, &id);
	if (!s)
		return;
	db *d = req_db(req);
	int rc = d ? kb_category_delete(d, s, id) : -1;
	if (rc == KB_REFUSED) {
		resp_error(req, 409);
		return;
	}
	kb_saved(req, rc, "/staff/kb/categories");
}
