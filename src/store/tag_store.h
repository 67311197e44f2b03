/* Tags of tickets (migration 0019): the set of a ticket, adding and
 * removing one, and the tags with their counts over the tickets of some
 * departments. Tags arrive here normalised (domain/ticket_tag.c). */
#ifndef CHAMADO_TAG_STORE_H
#define CHAMADO_TAG_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

/* The ticket's tags, alphabetically: the count or < 0. */
int store_ticket_tags(db *d, int64_t ticket_id, arena *a, const char **tags, int max);
/* Sends store_ticket_tags's query ahead (db_prefetch). */
void store_ticket_tags_prefetch(db *d, int64_t ticket_id, int max);
/* 0 added, DB_CONSTRAINT when the ticket had it, < 0. */
int store_ticket_tag_add(db *d, int64_t ticket_id, const char *tag, int64_t now);
/* 1 removed, 0 the ticket did not have it, < 0. */
int store_ticket_tag_remove(db *d, int64_t ticket_id, const char *tag);

struct tag_count {
	const char *tag;
	int64_t count;
};
/* Every tag on tickets of the staff member's departments (every
 * department when all_departments), with how many of those tickets carry
 * it, alphabetically. The count or < 0. */
int store_tag_counts(db *d, int64_t staff_id, int all_departments, arena *a,
                     struct tag_count *rows, int max);
/* Sends store_tag_counts's query ahead (db_prefetch). */
void store_tag_counts_prefetch(db *d, int64_t staff_id, int all_departments, int max);

#endif
