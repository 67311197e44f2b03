#include "domain/ticket_search.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/fold.h"
#include "domain/custom_field.h"
#include "domain/ticket_tag.h"
#include "store/search_store.h"
#include "store/settings_store.h"
#include "store/ticket_store.h"

static const char BACKFILL_KEY[] = "ticket_search_backfill";

/* Appends while the document has room; a full one stops the reading. */
static int append_body(void *arg, const char *body)
{
	int rc = fold_search_append(arg, body);
	return rc == BUF_TOO_BIG ? 1 : rc == BUF_NOMEM ? DB_NOMEM : 0;
}

int ticket_search_document(db *d, int64_t ticket_id, buf *doc)
{
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	int rc = store_ticket_id_get(d, ticket_id, a, &t);
	if (rc == 1) {
		char number[24];
		snprintf(number, sizeof number, "%lld", (long long)t.number);
		const char *fields[] = {number, t.number_label, t.subject, t.client_name, t.client_email};
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
			if (fold_search_append(doc, fields[i]) == BUF_NOMEM)
				rc = DB_NOMEM;
		const char *more[] = {ticket_tags_text(d, ticket_id, a), ticket_fields_text(d, ticket_id, a)};
		for (size_t i = 0; i < sizeof more / sizeof more[0] && rc == 1; i++)
			if (!more[i] || fold_search_append(doc, more[i]) == BUF_NOMEM)
				rc = DB_NOMEM;
	}
	if (rc == 1) {
		int read = store_ticket_search_bodies(d, ticket_id, append_body, doc);
		if (read < 0)
			rc = read;
	}
	arena_free(a);
	return rc;
}

int ticket_search_write(db *d, int64_t ticket_id)
{
	buf doc;
	buf_init(&doc, TICKET_SEARCH_DOC_MAX);
	int rc = ticket_search_document(d, ticket_id, &doc);
	if (rc == 1)
		rc = store_ticket_search_put(d, ticket_id, buf_str(&doc));
	else if (rc == 0)
		rc = store_ticket_search_delete(d, ticket_id);
	buf_free(&doc);
	return rc < 0 ? rc : 0;
}

int ticket_search_changed(db *d, int64_t ticket_id)
{
	return store_ticket_search_mark(d, ticket_id, clock_now_ms());
}

int ticket_search_client_changed(db *d, int64_t client_id)
{
	return client_id > 0 ? store_ticket_search_mark_client(d, client_id, clock_now_ms()) : 0;
}

int ticket_search_catch_up(db *d, int max)
{
	return ticket_search_catch_up_settled(d, max, -1, -1);
}

int ticket_search_catch_up_settled(db *d, int max, int settle_ms, int budget_ms)
{
	int64_t marked_by = settle_ms < 0 ? INT64_MAX : clock_now_ms() - settle_ms;
	enum { BATCH = 64 };
	int64_t ids[BATCH], seqs[BATCH];
	if (max > BATCH)
		max = BATCH;
	if (max <= 0)
		return 0;
	int n = store_ticket_search_any_marked(d, marked_by);
	if (n <= 0)
		return n;
	/* The marks taken are locked (on PostgreSQL, skipping another node's):
	 * a change that marks one of these tickets again waits for this commit,
	 * and no other writer waits for this batch. */
	if (db_begin_concurrent(d) < 0)
		return DB_ERROR;
	n = store_ticket_search_marked(d, marked_by, ids, seqs, max);
	int rc = n < 0 ? n : 0;
	struct timespec started;
	clock_gettime(CLOCK_MONOTONIC, &started);
	int written = 0;
	for (; written < n && rc == 0; written++) {
		if (written > 0 && budget_ms >= 0 && clock_ms_since(&started) >= budget_ms)
			break; /* the marks left wait for the next batch */
		rc = ticket_search_write(d, ids[written]);
		if (rc == 0)
			rc = store_ticket_search_unmark(d, ids[written], seqs[written]);
	}
	if (rc == 0)
		rc = db_commit(d);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return written;
}

/* Rewrites every ticket's document, in transactions of a few hundred.
 * Returns the count. */
static int64_t reindex_all(db *d)
{
	enum { BATCH = 500 };
	int64_t ids[BATCH], after = 0, done = 0;
	for (;;) {
		if (db_begin_write(d) < 0)
			return DB_ERROR;
		int n = store_ticket_ids_after(d, after, ids, BATCH);
		int rc = n < 0 ? n : 0;
		for (int i = 0; i < n && rc == 0; i++)
			rc = ticket_search_write(d, ids[i]);
		if (rc == 0)
			rc = db_commit(d);
		if (rc < 0) {
			db_rollback(d);
			return rc;
		}
		done += n;
		if (n < BATCH)
			return done;
		after = ids[n - 1];
	}
}

int64_t ticket_search_backfill(db *d)
{
	char pending[8];
	store_setting_get(d, BACKFILL_KEY, "", pending, sizeof pending);
	if (!*pending)
		return 0;
	int64_t n = reindex_all(d);
	if (n < 0)
		return n;
	int rc = db_begin_write(d);
	if (rc == 0)
		rc = store_setting_delete(d, BACKFILL_KEY);
	if (rc == 0)
		return db_commit(d) < 0 ? DB_ERROR : n;
	db_rollback(d);
	return rc;
}

int ticket_search_backfill_request(db *d)
{
	int rc = db_begin_write(d);
	if (rc == 0)
		rc = store_setting_set(d, BACKFILL_KEY, "1");
	if (rc == 0)
		return db_commit(d);
	db_rollback(d);
	return rc;
}

const char *ticket_search_match(db *d, arena *a, const char *text)
{
	/* The index takes in the changes still marked: a search sees every
	 * committed change, however far behind the indexer is. A failure here
	 * leaves the marks for the indexer; the search still runs. */
	enum { CATCH_UP_PASSES_MAX = 64 };
	for (int pass = 0; !db_in_transaction(d) && pass < CATCH_UP_PASSES_MAX; pass++)
		if (ticket_search_catch_up(d, 64) <= 0)
			break;
	buf folded;
	buf_init(&folded, 4096);
	if (fold_search_append(&folded, text) == BUF_NOMEM) {
		buf_free(&folded);
		return NULL;
	}
	char *copy = arena_strdup(a, buf_str(&folded));
	buf_free(&folded);
	if (!copy)
		return NULL;
	const char *words[TICKET_SEARCH_WORDS_MAX];
	int n = 0;
	for (char *save = NULL, *w = strtok_r(copy, " ", &save); w && n < TICKET_SEARCH_WORDS_MAX;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (n == 0)
		return NULL;
	/* Whole words only: a prefix of a common word ("exemplo"* in every
	 * client's address) costs FTS5 a merge of its whole list, some 60 ms at
	 * 100,000 tickets against 1 ms for the word. */
	return store_ticket_search_match(d, a, words, n, false);
}
