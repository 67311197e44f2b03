/* The knowledge base's rules: who reads what, votes, views, search and
 * suggestions, "tickets avoided", and the staff's writing of categories and
 * articles.
 *
 * Readers: reader is NULL (a visitor), a client session or a staff
 * session. Clients and visitors see only published articles in visible
 * categories; a draft answers exactly like an article that does not exist.
 * Staff (agents and admins alike) see and write everything; clients never
 * write (kb_may_write).
 *
 * Votes: one per voter per article; voting again changes the vote. The
 * voter is the client when one is signed in ("client:ID"), otherwise the
 * anonymous voter cookie, stored only as a hash ("anon:" + BLAKE2b hex).
 * Anonymous votes are also limited per IP address (KB_VOTES_PER_IP an
 * hour, counted in rate_limits, global across app nodes).
 *
 * Results: KB_OK, KB_INVALID (see the errors), KB_NOT_FOUND, KB_REFUSED
 * (see the function), KB_LIMITED, or a negative DB_E* code. */
#ifndef CHAMADO_KB_H
#define CHAMADO_KB_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "domain/session.h"
#include "store/db.h"
#include "store/kb_store.h"

enum kb_result {
	KB_OK = 0,
	KB_INVALID = 1,
	KB_NOT_FOUND = 2,
	KB_REFUSED = 3,
	KB_LIMITED = 4, /* too many votes from this address for now */
};

enum {
	KB_TITLE_MAX = 200,            /* characters of an article's title */
	KB_NAME_MAX = 100,             /* characters of a category's name */
	KB_DESCRIPTION_MAX = 500,      /* characters of a category's description */
	KB_BODY_MAX = 256 * 1024,      /* bytes of Markdown */
	KB_QUERY_MAX = 200,            /* bytes of a search; longer ones are cut */
	KB_SUGGESTIONS_MAX = 5,
	KB_VOTES_PER_IP = 60,          /* anonymous votes per address ... */
	KB_VOTE_WINDOW = 3600,         /* ... in this many seconds */
	KB_AVOIDED_WINDOW = 30 * 60,   /* no ticket this long after a suggestion */
	KB_VOTER_KEY_MAX = 80,
};

/* Staff (agents and admins) write articles; clients and visitors never. */
bool kb_may_write(const struct session *s);

/* Whether the knowledge base needs a signed-in reader (setting
 * kb_require_login, off by default). Admins may change it (KB_REFUSED for
 * anyone else). */
bool kb_requires_login(db *d);
int kb_set_requires_login(db *d, const struct session *actor, bool required);

/* ---- reading ---- */

/* The categories the reader may see, in order, with article counts. */
int kb_categories(db *d, const struct session *reader, arena *a, struct kb_category_row *rows,
                  int max);
/* 1 with the category and its articles (*n), 0 when the reader may not
 * see it, < 0. */
int kb_category(db *d, const struct session *reader, int64_t id, arena *a,
                struct kb_category_row *category, struct kb_article_row *rows, int max, int *n);

/* An article page: 1 with the article (vote counts included), 0 when the
 * reader may not see it, < 0. A reader other than staff adds a view; a
 * client coming from_ticket_form records a suggestion open (once per
 * article per KB_AVOIDED_WINDOW). */
int kb_article_read(db *d, const struct session *reader, int64_t id, bool from_ticket_form,
                    int64_t now, arena *a, struct kb_article_row *row);

/* Search as the reader: articles with all the words of query, or, when none
 * has them all, any of them (common short words ignored then). Best first. */
int kb_search(db *d, const struct session *reader, const char *query, arena *a,
              struct kb_hit *hits, int max);
/* Suggestions for a ticket's subject as it is typed (the last word may be
 * unfinished): at most max (<= KB_SUGGESTIONS_MAX) published articles. */
int kb_suggest(db *d, const struct session *reader, const char *subject, arena *a,
               struct kb_hit *hits, int max);

/* ---- votes ---- */

struct kb_voter {
	const struct session *client; /* the signed-in client, or NULL */
	const char *anonymous_token;  /* the voter cookie, when no client */
	const char *ip;               /* the address, for the per-IP limit */
};

/* The key a voter's vote is stored under, in out; false when there is
 * nobody to count (no client and no well-formed token). */
bool kb_voter_key(const struct kb_voter *v, char out[KB_VOTER_KEY_MAX]);

/* "Esta resposta lhe foi útil?": sets or changes the voter's vote on a
 * published article. KB_OK, KB_NOT_FOUND (not visible), KB_INVALID (no
 * voter), KB_LIMITED, or < 0. */
int kb_vote(db *d, const struct kb_voter *v, int64_t article_id, bool helpful, int64_t now);
/* Yes votes and all votes of an article. */
int kb_vote_tally(db *d, int64_t article_id, int64_t *yes, int64_t *total);
/* 1 with *helpful when the voter has voted on the article, else 0; < 0. */
int kb_vote_of(db *d, const struct kb_voter *v, int64_t article_id, bool *helpful);

/* ---- staff ---- */

/* Suggestions opened from Abrir Ticket in [now - days, now - KB_AVOIDED_WINDOW)
 * with no ticket after them (see store_kb_tickets_avoided), and all opens. */
int kb_tickets_avoided(db *d, const struct session *staff, int64_t now, int days,
                       int64_t *avoided, int64_t *opens);

struct kb_category_form {
	const char *name, *description;
	bool visible;
	const char *sort_order; /* as typed; "" takes the next free place */
};
struct kb_category_errors {
	const char *name, *description, *sort_order;
};
/* Creates (id 0) or updates a category; *out_id its id (may be NULL). */
int kb_category_save(db *d, const struct session *staff, int64_t id,
                     const struct kb_category_form *f, int64_t now, struct kb_category_errors *e,
                     int64_t *out_id);
/* KB_REFUSED when articles are in it (move or delete them first). */
int kb_category_delete(db *d, const struct session *staff, int64_t id);

struct kb_article_form {
	const char *title, *body;
	int64_t category_id;
	bool published;          /* used on create only; see kb_article_publish */
	const char *sort_order;  /* as typed; "" takes the end of the category */
};
struct kb_article_errors {
	const char *title, *body, *category, *sort_order;
};
/* Validates the whole form (check, then proceed) and creates (id 0) or
 * updates an article; moving it is changing category_id. */
int kb_article_save(db *d, const struct session *staff, int64_t id,
                    const struct kb_article_form *f, int64_t now, struct kb_article_errors *e,
                    int64_t *out_id);
int kb_article_publish(db *d, const struct session *staff, int64_t id, bool published,
                       int64_t now);
int kb_article_delete(db *d, const struct session *staff, int64_t id);
/* Every article, for the staff list, with views and votes. */
int kb_articles_all(db *d, const struct session *staff, arena *a, struct kb_article_row *rows,
                    int max);
/* Any article, drafts too, for the edit form: 1, 0 (none or not staff), < 0. */
int kb_article_for_staff(db *d, const struct session *staff, int64_t id, arena *a,
                         struct kb_article_row *row);

/* The demo knowledge base (pt-BR): two categories and their articles,
 * among them how to open a ticket in Chamado. Adds nothing when any
 * article exists. 0 or a DB_E* code. */
int kb_demo_seed(db *d);

#endif
