/* The staff's ticket search: one document per ticket, folded (base/fold.h)
 * and stored in the index of migration 0020. Every change to its text — a
 * new ticket, a reply or note, a merge or a split, tags and field values,
 * the client's new name or email, an anonymisation — marks the ticket in
 * its own transaction (migration 0026); the marked documents are rewritten
 * in batches right after (jobs/search_indexer.h), and a search takes in the
 * marks still left before it reads, so it sees every committed change.
 * Why not rewrite in the change's transaction: reading and folding a whole
 * thread and updating the index there cost a ticket opening more than
 * half of its rate, and a ticket opened with tags and fields was rewritten
 * three times. */
#ifndef CHAMADO_TICKET_SEARCH_H
#define CHAMADO_TICKET_SEARCH_H

#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "store/db.h"

/* A document holds at most this many bytes; a longer thread is indexed up
 * to here (PostgreSQL refuses a tsvector over 1 MiB). */
enum { TICKET_SEARCH_DOC_MAX = 256 * 1024 };
/* A query keeps at most this many words. */
enum { TICKET_SEARCH_WORDS_MAX = 16 };

/* The one place that says what a ticket is found by: its number, subject,
 * client's name and email, and the text of every message (notes too: only
 * staff search). Appends the folded words to doc (capped at
 * TICKET_SEARCH_DOC_MAX; a longer one is cut, not an error).
 * 1 done, 0 no such ticket, < 0 a database error. */
int ticket_search_document(db *d, int64_t ticket_id, buf *doc);
/* Marks the ticket's document out of date, in the caller's transaction.
 * 0 or < 0. */
int ticket_search_changed(db *d, int64_t ticket_id);
/* Marks the documents of all the client's tickets (a new name or email),
 * in the caller's transaction. 0 or < 0. */
int ticket_search_client_changed(db *d, int64_t client_id);
/* Rewrites the ticket's document now, in the caller's transaction (the
 * demo and benchmark generator). 0 or < 0. */
int ticket_search_write(db *d, int64_t ticket_id);
/* Rewrites up to max marked documents in one transaction of its own and
 * clears their marks. Returns how many were rewritten (0: none was
 * marked), or < 0. */
int ticket_search_catch_up(db *d, int max);
/* The same for the marks made at least settle_ms ago (< 0: all of them):
 * a busy ticket's text is rewritten once for many changes. Past budget_ms
 * of rewriting (< 0: no bound) the batch ends, after one document at
 * least, and the marks left wait for the next. */
int ticket_search_catch_up_settled(db *d, int max, int settle_ms, int budget_ms);
/* Indexes every ticket when the migration (or an import) asked for it,
 * in transactions of a few hundred tickets, then clears the request.
 * Returns the number indexed, or < 0. */
int64_t ticket_search_backfill(db *d);
/* Asks ticket_search_backfill to run (after an import). 0 or < 0. */
int ticket_search_backfill_request(db *d);
/* The backend's match expression for the words of text, folded like the
 * documents; every word must match, as a whole word. NULL when text has no
 * word (or out of memory). Outside a transaction, rewrites the marked
 * documents first. */
const char *ticket_search_match(db *d, arena *a, const char *text);

#endif
