/* The search indexer: rewrites the search documents of the tickets whose
 * text changed (domain/ticket_search.h) in batches, right after the commits
 * that marked them, from a thread with its own connection. Several nodes
 * may run one on the same database: a document rewritten twice is the same
 * document, and a mark newer than the one a pass read stays for the next. */
#ifndef CHAMADO_SEARCH_INDEXER_H
#define CHAMADO_SEARCH_INDEXER_H

#include <stddef.h>

typedef struct search_indexer search_indexer;

/* Starts the thread: a pass when woken, and every poll_ms (for marks made
 * by other nodes or processes). NULL with a reason in err when the
 * database or the thread cannot be opened. */
search_indexer *search_indexer_start(const char *db_url, int poll_ms, char *err, size_t errlen);
/* Index soon: call after a commit that may have marked a ticket. Thread-safe. */
void search_indexer_wake(search_indexer *x);
/* Finishes the batch in progress, joins the thread, closes its connection
 * and frees x. NULL is allowed. */
void search_indexer_stop(search_indexer *x);

#endif
