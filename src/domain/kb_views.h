/* Article views, counted in memory and written in batches.
 *
 * A write transaction for every view of an article was most of the page's
 * cost under load: the views wait here until KB_VIEWS_BATCH of them or
 * KB_VIEWS_WAIT_S seconds have gathered, and the view that passes either
 * writes them all in one transaction. The staff's article list writes them
 * first, and the maintenance loop at each pass and when the server stops,
 * so a killed process loses at most the views of the last seconds. */
#ifndef CHAMADO_KB_VIEWS_H
#define CHAMADO_KB_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

enum { KB_VIEWS_SLOTS = 256, KB_VIEWS_BATCH = 64, KB_VIEWS_WAIT_S = 2 };

/* Counts a view of article id at now. Returns how many views of it wait
 * now, this one included, with *due set when the caller should write
 * them (kb_views_write); 0 when every slot is taken by other articles and
 * the caller must write this view itself. */
int64_t kb_views_note(int64_t id, int64_t now, bool *due);
/* How many views of article id wait to be written. */
int64_t kb_views_waiting(int64_t id);
/* Writes every waiting view in one transaction: 0, or < 0 (logged) with
 * the views kept for the next try. */
int kb_views_write(db *d);

#endif
