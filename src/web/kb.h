/* The knowledge base on the web: the public pages under /kb (kb.c) and the
 * staff's pages under /staff/kb (staff_kb.c).
 *
 * Public: /kb, /kb/category/:id, /kb/article/:id, /kb/search?q=,
 * POST /kb/article/:id/vote (a form POST, or fetch() asking for JSON) and
 * GET /kb/suggest?q= (JSON, for Abrir Ticket). Readable without signing in
 * unless the kb_require_login setting is on.
 *
 * Staff (agents and admins): /staff/kb and below; signed-out visitors go
 * to /staff/login?next=..., clients never reach them (their session is not
 * a staff session). */
#ifndef CHAMADO_WEB_KB_H
#define CHAMADO_WEB_KB_H

#include <stdbool.h>

#include "base/arena.h"
#include "http/request.h"
#include "http/router.h"

/* Registers every route of kb.c and staff_kb.c. 0, or -1 (router full). */
int web_routes_kb(router *r);

/* Text from the search with KB_MARK_OPEN/KB_MARK_CLOSE around the matched
 * words, as HTML: everything HTML-escaped first, then the markers become
 * <mark> and </mark> (always balanced), other control characters dropped.
 * With strip_markdown, the Markdown punctuation * # ` | is left out (body
 * snippets). In the arena; "" when memory runs out. */
const char *kb_marked_html(arena *a, const char *marked, bool strip_markdown);

/* An article's Markdown as safe HTML (view/markdown.h) in the request's
 * arena; the escaped source in <pre> when rendering fails. */
const char *kb_article_html(struct request *req, const char *src);

/* staff_kb.c */
void staff_kb_page(struct request *req);
void staff_kb_settings_submit(struct request *req);
void staff_kb_article_new_page(struct request *req);
void staff_kb_article_create_submit(struct request *req);
void staff_kb_article_edit_page(struct request *req);
void staff_kb_article_edit_submit(struct request *req);
void staff_kb_article_publish_submit(struct request *req);
void staff_kb_article_delete_submit(struct request *req);
void staff_kb_categories_page(struct request *req);
void staff_kb_category_create_submit(struct request *req);
void staff_kb_category_edit_page(struct request *req);
void staff_kb_category_edit_submit(struct request *req);
void staff_kb_category_delete_submit(struct request *req);

#endif
