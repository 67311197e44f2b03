/* The staff's ticket search: one document per ticket, folded (base/fold.h)
 * and stored in the index of migration 0020, rewritten in the transaction
 * of every change to its text — a new ticket, a reply or note, a merge or
 * a split, the client's new name or email, an anonymisation. */
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
/* Rewrites the ticket's document, in the caller's transaction. 0 or < 0. */
int ticket_search_reindex(db *d, int64_t ticket_id);
/* Rewrites the documents of all the client's tickets (a new name or
 * email), in the caller's transaction. 0 or < 0. */
int ticket_search_reindex_client(db *d, int64_t client_id);
/* Indexes every ticket when the migration (or an import) asked for it,
 * in transactions of a few hundred tickets, then clears the request.
 * Returns the number indexed, or < 0. */
int64_t ticket_search_backfill(db *d);
/* Asks ticket_search_backfill to run (after an import). 0 or < 0. */
int ticket_search_backfill_request(db *d);
/* The backend's match expression for the words of text, folded like the
 * documents; every word must match, as a whole word. NULL when text has no word (or out of memory). */
const char *ticket_search_match(db *d, arena *a, const char *text);

#endif
