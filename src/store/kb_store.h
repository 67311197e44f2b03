/* The knowledge base's SQL: categories, articles, votes, views, the
 * suggestion opens behind "tickets avoided", a fixed-window rate counter,
 * and the full-text search.
 *
 * Search is the one part written per backend (DESIGN.md): store_kb_search
 * takes plain words and builds SQLite FTS5 syntax over the kb_search index
 * of migration 0005 (accents folded, ranked by bm25, title weighted ten
 * times the body); on PostgreSQL the same call runs a tsvector query
 * (accents folded with translate(), ranked by ts_rank). Matched words come back wrapped in KB_MARK_OPEN and
 * KB_MARK_CLOSE; the text between them is NOT escaped: the view escapes it
 * and turns the markers into <mark>.
 *
 * public_only: only published articles in visible categories (what clients
 * and visitors may see). Strings in rows are allocated in the arena passed
 * in. Results: a count, 1 found / 0 none, an id, or a negative DB_E*. */
#ifndef CHAMADO_KB_STORE_H
#define CHAMADO_KB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

#define KB_MARK_OPEN '\x01'
#define KB_MARK_CLOSE '\x02'

struct kb_category_row {
	int64_t id;
	const char *name, *description;
	bool visible;
	int64_t sort_order;
	int64_t article_count; /* published only when listed public_only */
};

struct kb_article_row {
	int64_t id, category_id;
	const char *category_name;
	bool category_visible;
	const char *title;
	const char *body; /* Markdown; NULL in lists */
	bool published;
	int64_t views, sort_order, created_at, updated_at;
	int64_t yes_votes, votes; /* filled by _get and the staff list */
};

struct kb_hit {
	int64_t id, category_id;
	const char *category_name;
	const char *title;         /* plain */
	const char *title_marked;  /* with KB_MARK_* around matches, unescaped */
	const char *snippet_marked;
};

enum kb_match { KB_MATCH_ALL = 0, KB_MATCH_ANY = 1 };

/* ---- categories ---- */
int store_kb_category_list(db *d, bool public_only, arena *a, struct kb_category_row *rows,
                           int max);
int store_kb_category_get(db *d, int64_t id, arena *a, struct kb_category_row *row);
int64_t store_kb_category_insert(db *d, const char *name, const char *description, bool visible,
                                 int64_t sort_order, int64_t now);
int store_kb_category_update(db *d, int64_t id, const char *name, const char *description,
                             bool visible, int64_t sort_order);
int store_kb_category_delete(db *d, int64_t id);
/* Every article of the category, published or not. */
int64_t store_kb_category_article_count(db *d, int64_t id);
/* One more than the largest sort_order (1 when there is none). */
int64_t store_kb_category_next_sort(db *d);

/* ---- articles ---- */
/* The category's articles in order (sort_order, id); body NULL, no votes. */
int store_kb_article_list_by_category(db *d, int64_t category_id, bool public_only, arena *a,
                                      struct kb_article_row *rows, int max);
/* Every article for staff, by category order then article order, with
 * views and votes. */
int store_kb_article_list_all(db *d, arena *a, struct kb_article_row *rows, int max);
/* With body, category and vote counts. */
int store_kb_article_get(db *d, int64_t id, arena *a, struct kb_article_row *row);
int64_t store_kb_article_insert(db *d, int64_t category_id, const char *title, const char *body,
                                bool published, int64_t sort_order, int64_t now);
int store_kb_article_update(db *d, int64_t id, int64_t category_id, const char *title,
                            const char *body, int64_t sort_order, int64_t now);
int store_kb_article_set_published(db *d, int64_t id, bool published, int64_t now);
int store_kb_article_delete(db *d, int64_t id);
int64_t store_kb_article_count(db *d);
int64_t store_kb_article_next_sort(db *d, int64_t category_id);
int store_kb_article_views_add(db *d, int64_t id, int64_t n);

/* ---- votes ---- */
/* Inserts the voter's vote or changes it: one row per (article, voter). */
int store_kb_vote_put(db *d, int64_t article_id, const char *voter_key, bool helpful,
                      int64_t now);
/* 1 with *helpful when the voter has voted, 0 when not, < 0. */
int store_kb_vote_get(db *d, int64_t article_id, const char *voter_key, bool *helpful);
int store_kb_vote_counts(db *d, int64_t article_id, int64_t *yes, int64_t *total);

/* ---- search ---- */
/* Articles matching words (each a run of letters and digits; at most 16
 * are used), best first: all of them (KB_MATCH_ALL) or any (KB_MATCH_ANY);
 * prefix_last lets the last word match as a prefix (typing). */
int store_kb_search(db *d, const char *const *words, int nwords, enum kb_match match,
                    bool prefix_last, bool public_only, arena *a, struct kb_hit *hits, int max);

/* ---- tickets avoided ---- */
int store_kb_suggestion_open_add(db *d, int64_t client_id, int64_t article_id, int64_t now);
/* 1 when the client opened this article from the ticket form at or after since. */
int store_kb_suggestion_open_recent(db *d, int64_t client_id, int64_t article_id, int64_t since);
/* Opens in [from, until) after which the same client opened no ticket
 * within window seconds. Opens close together count once: only the last
 * open of a run (no later open by the client within window) is counted,
 * and the ticket check starts from it. */
int64_t store_kb_tickets_avoided(db *d, int64_t from, int64_t until, int64_t window);
int64_t store_kb_suggestion_open_count(db *d, int64_t from, int64_t until);

/* ---- rate limits ---- */
/* Counts one hit for key in the fixed window that starts at window_start
 * (a new window resets the count) and returns the hits so far, or < 0. */
int64_t store_kb_rate_hit(db *d, const char *key, int64_t window_start);

#endif
