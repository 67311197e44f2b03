#include "store/kb_store.h"

#include <string.h>

#include "base/buf.h"

enum { SEARCH_WORDS_MAX = 16, SEARCH_QUERY_MAX = 2048 };

/* ---- categories ---- */

static void read_category(db_stmt *s, arena *a, void *row)
{
	struct kb_category_row *r = row;
	r->id = db_col_int(s, 0);
	r->name = db_col_text_dup(s, 1, a);
	r->description = db_col_text_dup(s, 2, a);
	r->visible = db_col_int(s, 3) != 0;
	r->sort_order = db_col_int(s, 4);
	r->article_count = db_col_int(s, 5);
}

int store_kb_category_list(db *d, bool public_only, arena *a, struct kb_category_row *rows,
                           int max)
{
	static const char sql[] =
		"SELECT c.id, c.name, c.description, c.visible, c.sort_order, "
		"(SELECT COUNT(*) FROM kb_articles ar WHERE ar.category_id = c.id "
		"AND ($1 = 0 OR ar.published = 1)) "
		"FROM kb_categories c WHERE $1 = 0 OR c.visible = 1 "
		"ORDER BY c.sort_order, c.id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, public_only ? 1 : 0);
	return db_read_rows(s, read_category, a, rows, sizeof *rows, max);
}

int store_kb_category_get(db *d, int64_t id, arena *a, struct kb_category_row *row)
{
	static const char sql[] =
		"SELECT c.id, c.name, c.description, c.visible, c.sort_order, "
		"(SELECT COUNT(*) FROM kb_articles ar WHERE ar.category_id = c.id) "
		"FROM kb_categories c WHERE c.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_category, a, row);
}

int64_t store_kb_category_insert(db *d, const char *name, const char *description, bool visible,
                                 int64_t sort_order, int64_t now)
{
	static const char sql[] =
		"INSERT INTO kb_categories (name, description, visible, sort_order, created_at) "
		"VALUES ($1, $2, $3, $4, $5) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, description);
	db_bind_int(s, 3, visible ? 1 : 0);
	db_bind_int(s, 4, sort_order);
	db_bind_int(s, 5, now);
	return db_step_id(s);
}

int store_kb_category_update(db *d, int64_t id, const char *name, const char *description,
                             bool visible, int64_t sort_order)
{
	static const char sql[] =
		"UPDATE kb_categories SET name = $2, description = $3, visible = $4, sort_order = $5 "
		"WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, description);
	db_bind_int(s, 4, visible ? 1 : 0);
	db_bind_int(s, 5, sort_order);
	return db_step_done(s);
}

int store_kb_category_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM kb_categories WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int64_t store_kb_category_article_count(db *d, int64_t id)
{
	static const char sql[] = "SELECT COUNT(*) FROM kb_articles WHERE category_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, id);
	return db_scalar_int(s, 0);
}

int64_t store_kb_category_next_sort(db *d)
{
	static const char sql[] = "SELECT COALESCE(MAX(sort_order), 0) + 1 FROM kb_categories";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	return db_scalar_int(s, 1);
}

/* ---- articles ---- */

#define ARTICLE_LIST_COLUMNS \
	"a.id, a.category_id, c.name, c.visible, a.title, a.published, a.views, a.sort_order, " \
	"a.created_at, a.updated_at "
#define ARTICLE_VOTE_COLUMNS \
	", (SELECT COALESCE(SUM(v.helpful), 0) FROM kb_votes v WHERE v.article_id = a.id), " \
	"(SELECT COUNT(*) FROM kb_votes v WHERE v.article_id = a.id) "
#define ARTICLE_FROM "FROM kb_articles a JOIN kb_categories c ON c.id = a.category_id "

static void read_article(db_stmt *s, arena *a, void *row)
{
	struct kb_article_row *r = row;
	memset(r, 0, sizeof *r);
	r->id = db_col_int(s, 0);
	r->category_id = db_col_int(s, 1);
	r->category_name = db_col_text_dup(s, 2, a);
	r->category_visible = db_col_int(s, 3) != 0;
	r->title = db_col_text_dup(s, 4, a);
	r->published = db_col_int(s, 5) != 0;
	r->views = db_col_int(s, 6);
	r->sort_order = db_col_int(s, 7);
	r->created_at = db_col_int(s, 8);
	r->updated_at = db_col_int(s, 9);
}

/* An article, then its helpful and total votes in the columns after. */
static void read_article_voted(db_stmt *s, arena *a, void *row)
{
	struct kb_article_row *r = row;
	read_article(s, a, r);
	r->yes_votes = db_col_int(s, 10);
	r->votes = db_col_int(s, 11);
}

/* The same, then its body. */
static void read_article_with_body(db_stmt *s, arena *a, void *row)
{
	struct kb_article_row *r = row;
	read_article_voted(s, a, r);
	r->body = db_col_text_dup(s, 12, a);
}

int store_kb_article_list_by_category(db *d, int64_t category_id, bool public_only, arena *a,
                                      struct kb_article_row *rows, int max)
{
	static const char sql[] =
		"SELECT " ARTICLE_LIST_COLUMNS ARTICLE_FROM
		"WHERE a.category_id = $1 AND ($2 = 0 OR (a.published = 1 AND c.visible = 1)) "
		"ORDER BY a.sort_order, a.id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, category_id);
	db_bind_int(s, 2, public_only ? 1 : 0);
	return db_read_rows(s, read_article, a, rows, sizeof *rows, max);
}

int store_kb_article_list_all(db *d, arena *a, struct kb_article_row *rows, int max)
{
	static const char sql[] =
		"SELECT " ARTICLE_LIST_COLUMNS ARTICLE_VOTE_COLUMNS ARTICLE_FROM
		"ORDER BY c.sort_order, c.id, a.sort_order, a.id";
	db_stmt *s = db_prepare(d, sql);
	return db_read_rows(s, read_article_voted, a, rows, sizeof *rows, max);
}

int store_kb_article_get(db *d, int64_t id, arena *a, struct kb_article_row *row)
{
	static const char sql[] =
		"SELECT " ARTICLE_LIST_COLUMNS ARTICLE_VOTE_COLUMNS ", a.body " ARTICLE_FROM
		"WHERE a.id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_read_one(s, read_article_with_body, a, row);
}

int64_t store_kb_article_insert(db *d, int64_t category_id, const char *title, const char *body,
                                bool published, int64_t sort_order, int64_t now)
{
	static const char sql[] =
		"INSERT INTO kb_articles (category_id, title, body, published, sort_order, created_at, "
		"updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, category_id);
	db_bind_text(s, 2, title);
	db_bind_text(s, 3, body);
	db_bind_int(s, 4, published ? 1 : 0);
	db_bind_int(s, 5, sort_order);
	db_bind_int(s, 6, now);
	return db_step_id(s);
}

int store_kb_article_update(db *d, int64_t id, int64_t category_id, const char *title,
                            const char *body, int64_t sort_order, int64_t now)
{
	static const char sql[] =
		"UPDATE kb_articles SET category_id = $2, title = $3, body = $4, sort_order = $5, "
		"updated_at = $6 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, category_id);
	db_bind_text(s, 3, title);
	db_bind_text(s, 4, body);
	db_bind_int(s, 5, sort_order);
	db_bind_int(s, 6, now);
	return db_step_done(s);
}

int store_kb_article_set_published(db *d, int64_t id, bool published, int64_t now)
{
	static const char sql[] =
		"UPDATE kb_articles SET published = $2, updated_at = $3 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, published ? 1 : 0);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_kb_article_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM kb_articles WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	return db_step_done(s);
}

int64_t store_kb_article_count(db *d)
{
	static const char sql[] = "SELECT COUNT(*) FROM kb_articles";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	return db_scalar_int(s, 0);
}

int64_t store_kb_article_next_sort(db *d, int64_t category_id)
{
	static const char sql[] =
		"SELECT COALESCE(MAX(sort_order), 0) + 1 FROM kb_articles WHERE category_id = $1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, category_id);
	return db_scalar_int(s, 1);
}

int store_kb_article_views_add(db *d, int64_t id, int64_t n)
{
	static const char sql[] = "UPDATE kb_articles SET views = views + $2 WHERE id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, n);
	return db_step_done(s);
}

/* ---- votes ---- */

int store_kb_vote_put(db *d, int64_t article_id, const char *voter_key, bool helpful,
                      int64_t now)
{
	static const char sql[] =
		"INSERT INTO kb_votes (article_id, voter_key, helpful, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $4) "
		"ON CONFLICT (article_id, voter_key) DO UPDATE SET helpful = excluded.helpful, "
		"updated_at = excluded.updated_at";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, article_id);
	db_bind_text(s, 2, voter_key);
	db_bind_int(s, 3, helpful ? 1 : 0);
	db_bind_int(s, 4, now);
	return db_step_done(s);
}

int store_kb_vote_get(db *d, int64_t article_id, const char *voter_key, bool *helpful)
{
	static const char sql[] =
		"SELECT helpful FROM kb_votes WHERE article_id = $1 AND voter_key = $2";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, article_id);
	db_bind_text(s, 2, voter_key);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*helpful = db_col_int(s, 0) != 0;
	db_done(s);
	return rc == DB_ROW ? 1 : (rc == DB_DONE ? 0 : rc);
}

int store_kb_vote_counts(db *d, int64_t article_id, int64_t *yes, int64_t *total)
{
	/* An index range of kb_votes_article_voter. */
	static const char sql[] =
		"SELECT COALESCE(SUM(helpful), 0), COUNT(*) FROM kb_votes WHERE article_id = $1";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, article_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*yes = db_col_int(s, 0);
		*total = db_col_int(s, 1);
	}
	db_done(s);
	return rc == DB_ROW ? 0 : (rc < 0 ? rc : DB_ERROR);
}

/* ---- search (SQLite FTS5) ---- */

/* The FTS5 query for words: each one a quoted string (quotes doubled, so
 * no word can be read as an operator or a column filter), joined by AND or
 * OR; the last one a prefix when asked. 0, or -1 when nothing is left. */
static int fts5_query(const char *const *words, int nwords, enum kb_match match,
                      bool prefix_last, buf *out)
{
	int used = 0;
	for (int i = 0; i < nwords && used < SEARCH_WORDS_MAX; i++) {
		if (!words[i] || !*words[i])
			continue;
		if (used++)
			buf_puts(out, match == KB_MATCH_ANY ? " OR " : " AND ");
		buf_putc(out, '"');
		for (const char *p = words[i]; *p; p++) {
			if (*p == '"')
				buf_putc(out, '"');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
		if (prefix_last && i == nwords - 1)
			buf_putc(out, '*');
	}
	return used > 0 && out->len > 0 ? 0 : -1;
}

/* The same over PostgreSQL, through the GIN index on the stored column
 * search_vector (migrations 0024 and 0029: the title and body folded by
 * translate(), no extension needed, the title weighted A): each word a
 * quoted lexeme of a tsquery joined by & or |, ranked by ts_rank;
 * ts_headline marks the matches, as typed or folded (a word typed without
 * its accents is found, but marked only where the text has none either). */
#define PG_FOLD(x) "translate(lower(" x "), 'áàâãäéèêëíìîïóòôõöúùûüçñ', " \
	"'aaaaaeeeeiiiiooooouuuucn')"

static int tsquery_text(const char *const *words, int nwords, enum kb_match match,
                        bool prefix_last, buf *out)
{
	int used = 0;
	for (int i = 0; i < nwords && used < SEARCH_WORDS_MAX; i++) {
		if (!words[i] || !*words[i])
			continue;
		if (used++)
			buf_puts(out, match == KB_MATCH_ANY ? " | " : " & ");
		buf_putc(out, '\'');
		for (const char *p = words[i]; *p; p++) {
			if (*p == '\'' || *p == '\\')
				buf_putc(out, *p);
			buf_putc(out, *p);
		}
		buf_putc(out, '\'');
		if (prefix_last && i == nwords - 1)
			buf_puts(out, ":*");
	}
	return used > 0 && out->len > 0 ? 0 : -1;
}

/* A search hit, as both backends' queries select it. */
static void read_hit(db_stmt *s, arena *a, void *row)
{
	struct kb_hit *h = row;
	h->id = db_col_int(s, 0);
	h->category_id = db_col_int(s, 1);
	h->category_name = db_col_text_dup(s, 2, a);
	h->title = db_col_text_dup(s, 3, a);
	h->title_marked = db_col_text_dup(s, 4, a);
	h->snippet_marked = db_col_text_dup(s, 5, a);
}

static int search_pgsql(db *d, const char *query, const char *any_word, bool public_only,
                        arena *a, struct kb_hit *hits, int max)
{
	static const char sql[] =
		"SELECT a.id, a.category_id, c.name, a.title, "
		"ts_headline('simple', a.title, q.marks, 'HighlightAll=true, StartSel=' || chr(1) || "
		"', StopSel=' || chr(2)), "
		"ts_headline('simple', a.body, q.marks, 'MaxWords=30, MinWords=12, StartSel=' || "
		"chr(1) || ', StopSel=' || chr(2)) "
		"FROM kb_articles a JOIN kb_categories c ON c.id = a.category_id, "
		"(SELECT to_tsquery('simple', " PG_FOLD("$1") ") AS query, "
		"to_tsquery('simple', " PG_FOLD("$4") ") || to_tsquery('simple', $4) AS marks) q "
		"WHERE a.search_vector @@ q.query AND ($2 = 0 OR (a.published = 1 AND c.visible = 1)) "
		"ORDER BY ts_rank(a.search_vector, q.query) DESC, a.id LIMIT $3";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, query);
	db_bind_int(s, 2, public_only ? 1 : 0);
	db_bind_int(s, 3, max);
	db_bind_text(s, 4, any_word);
	return db_read_rows(s, read_hit, a, hits, sizeof *hits, max);
}

int store_kb_search(db *d, const char *const *words, int nwords, enum kb_match match,
                    bool prefix_last, bool public_only, arena *a, struct kb_hit *hits, int max)
{
	static const char sql[] =
		"SELECT a.id, a.category_id, c.name, a.title, "
		"highlight(kb_search, 0, char(1), char(2)), "
		"snippet(kb_search, 1, char(1), char(2), '…', 24) "
		"FROM kb_search JOIN kb_articles a ON a.id = kb_search.rowid "
		"JOIN kb_categories c ON c.id = a.category_id "
		"WHERE kb_search MATCH $1 AND ($2 = 0 OR (a.published = 1 AND c.visible = 1)) "
		"ORDER BY bm25(kb_search, 10.0, 1.0), a.id LIMIT $3";
	bool pgsql = db_is_postgres(d);
	buf q;
	buf_init(&q, SEARCH_QUERY_MAX);
	int built = pgsql ? tsquery_text(words, nwords, match, prefix_last, &q)
	                  : fts5_query(words, nwords, match, prefix_last, &q);
	if (built < 0) {
		buf_free(&q);
		return 0;
	}
	if (pgsql) {
		/* Every word is marked where it appears, not only full matches. */
		buf marks;
		buf_init(&marks, SEARCH_QUERY_MAX);
		tsquery_text(words, nwords, KB_MATCH_ANY, prefix_last, &marks);
		int n = search_pgsql(d, buf_str(&q), buf_str(&marks), public_only, a, hits, max);
		buf_free(&marks);
		buf_free(&q);
		return n;
	}
	db_stmt *s = db_prepare(d, sql);
	if (!s) {
		buf_free(&q);
		return DB_ERROR;
	}
	db_bind_text(s, 1, buf_str(&q));
	db_bind_int(s, 2, public_only ? 1 : 0);
	db_bind_int(s, 3, max);
	buf_free(&q);
	return db_read_rows(s, read_hit, a, hits, sizeof *hits, max);
}

/* ---- tickets avoided ---- */

int store_kb_suggestion_open_add(db *d, int64_t client_id, int64_t article_id, int64_t now)
{
	static const char sql[] =
		"INSERT INTO kb_suggestion_opens (client_id, article_id, opened_at) VALUES ($1, $2, $3)";
	db_stmt *s = db_prepare(d, sql);
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, article_id);
	db_bind_int(s, 3, now);
	return db_step_done(s);
}

int store_kb_suggestion_open_recent(db *d, int64_t client_id, int64_t article_id, int64_t since)
{
	static const char sql[] =
		"SELECT 1 FROM kb_suggestion_opens WHERE client_id = $1 AND opened_at >= $3 "
		"AND article_id = $2 LIMIT 1";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, client_id);
	db_bind_int(s, 2, article_id);
	db_bind_int(s, 3, since);
	int64_t found = db_scalar_int(s, 0);
	return found < 0 ? (int)found : (found ? 1 : 0);
}

int64_t store_kb_tickets_avoided(db *d, int64_t from, int64_t until, int64_t window)
{
	static const char sql[] =
		"SELECT COUNT(*) FROM kb_suggestion_opens o "
		"WHERE o.opened_at >= $1 AND o.opened_at < $2 "
		"AND NOT EXISTS (SELECT 1 FROM kb_suggestion_opens p WHERE p.client_id = o.client_id "
		"AND p.opened_at >= o.opened_at AND p.opened_at <= o.opened_at + $3 "
		"AND (p.opened_at > o.opened_at OR p.id > o.id)) "
		"AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.client_id = o.client_id "
		"AND t.created_at >= o.opened_at AND t.created_at <= o.opened_at + $3)";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, until);
	db_bind_int(s, 3, window);
	return db_scalar_int(s, 0);
}

int64_t store_kb_suggestion_open_count(db *d, int64_t from, int64_t until)
{
	static const char sql[] =
		"SELECT COUNT(*) FROM kb_suggestion_opens WHERE opened_at >= $1 AND opened_at < $2";
	db_stmt *s = db_prepare(d, sql);
	if (!s)
		return DB_ERROR;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, until);
	return db_scalar_int(s, 0);
}

/* ---- rate limits ---- */

int64_t store_kb_rate_hit(db *d, const char *key, int64_t window_start)
{
	static const char sql[] =
		"INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) "
		"ON CONFLICT (key) DO UPDATE SET "
		"hits = CASE WHEN rate_limits.window_start = excluded.window_start "
		"THEN rate_limits.hits + 1 ELSE 1 END, window_start = excluded.window_start "
		"RETURNING hits";
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, window_start);
	return db_step_id(s);
}
