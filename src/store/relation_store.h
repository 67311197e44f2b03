/* Tickets related to tickets: links between two tickets, and the moving of
 * a thread's tail to another ticket (a split). */
#ifndef CHAMADO_RELATION_STORE_H
#define CHAMADO_RELATION_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"
#include "store/ticket_store.h"

/* Links tickets a and b (either order). 0, DB_CONSTRAINT when linked, < 0. */
int store_ticket_link_add(db *d, int64_t a, int64_t b, int64_t now);
/* Removes the link: 1 removed, 0 there was none, < 0. */
int store_ticket_link_remove(db *d, int64_t a, int64_t b);
/* The tickets linked to ticket_id (id, number, subject, status,
 * department_id, client_id), by number; the count or < 0. */
int store_ticket_links(db *d, int64_t ticket_id, arena *a, struct ticket_row *rows, int max);
/* Sends store_ticket_links's query ahead (db_prefetch). */
void store_ticket_links_prefetch(db *d, int64_t ticket_id);
/* Moves the messages of from_id with id >= first_message_id to to_id.
 * How many, or < 0. */
int store_messages_move_tail(db *d, int64_t from_id, int64_t to_id, int64_t first_message_id);

#endif
