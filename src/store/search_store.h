/* The staff's ticket search index (migration 0020): one folded document
 * per ticket, FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL. The
 * documents are built by domain/ticket_search.c; this file only stores
 * them and turns folded words into each backend's match expression. */
#ifndef CHAMADO_SEARCH_STORE_H
#define CHAMADO_SEARCH_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "store/db.h"

/* Replaces the ticket's document. 0 or < 0. */
int store_ticket_search_put(db *d, int64_t ticket_id, const char *doc);
/* Removes the ticket's document (the ticket is gone). 0 or < 0. */
int store_ticket_search_delete(db *d, int64_t ticket_id);
/* Marks the ticket's document out of date (migration 0026) at now_ms, or
 * counts one more change of a mark, which keeps its time (0036). 0 or < 0. */
int store_ticket_search_mark(db *d, int64_t ticket_id, int64_t now_ms);
/* Marks every ticket of the client. 0 or < 0. */
int store_ticket_search_mark_client(db *d, int64_t client_id, int64_t now_ms);
/* Up to max tickets marked at or before marked_by (ms), lowest id first,
 * each with the seq of its mark; on PostgreSQL the marks are locked for the
 * transaction, those another one holds skipped. Returns the count or < 0. */
int store_ticket_search_marked(db *d, int64_t marked_by, int64_t *ids, int64_t *seqs, int max);
/* Clears the ticket's mark if it is still the one read (seq). 0 or < 0. */
int store_ticket_search_unmark(db *d, int64_t ticket_id, int64_t seq);
/* 1 when some ticket is marked at or before marked_by (ms), 0 when none,
 * or < 0. */
int store_ticket_search_any_marked(db *d, int64_t marked_by);
/* Calls each(arg, body) for every message of the ticket, notes included,
 * oldest first; stops at the first non-zero return and returns it.
 * 0 when all were read, or < 0 on a database error. */
int store_ticket_search_bodies(db *d, int64_t ticket_id, int (*each)(void *arg, const char *body),
                               void *arg);
/* Up to max ticket ids above after, in order (a walk over every ticket, to
 * index them all again). Returns the count or < 0. */
int store_ticket_ids_after(db *d, int64_t after, int64_t *ids, int max);
/* The match expression for this backend of words (folded, non-empty, no
 * spaces, every one required), the last one also as a prefix when
 * prefix_last. NULL when out of memory. */
const char *store_ticket_search_match(db *d, arena *a, const char *const *words, int nwords,
                                      bool prefix_last);

#endif
