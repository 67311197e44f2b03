/* Related tickets: links and splits (staff only; see ticket_relation.c). */
#ifndef CHAMADO_TICKET_RELATION_H
#define CHAMADO_TICKET_RELATION_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/permission.h"
#include "domain/ticket.h"

/* Links (add) or unlinks the two tickets; both must be the actor's. An
 * audit entry on each. TICKET_OK (also when nothing changed),
 * TICKET_INVALID (the same ticket, or the other one missing),
 * TICKET_NOT_FOUND or < 0. */
int ticket_link(db *d, const struct actor *who, int64_t number, int64_t other_number, bool add,
                int64_t now);

/* Moves message_id and every later message (notes included) of the ticket
 * into a new ticket of the same client, department, service and priority,
 * titled subject (the original subject when blank); the two stay linked.
 * TICKET_OK with *new_number, TICKET_INVALID (not a later message of this
 * ticket, subject too long), TICKET_NOT_FOUND or < 0. */
int ticket_split(db *d, const struct actor *who, int64_t number, int64_t message_id,
                 const char *subject, int64_t now, int64_t *new_number);

/* The tickets linked to t that staff may open. Count or < 0. */
int ticket_related(db *d, const struct session *staff, const struct ticket_row *t, arena *a,
                   struct ticket_row *rows, int max);
/* Sends ticket_related's read of the links ahead (db_prefetch); the
 * permission checks that follow depend on what it returns. */
void ticket_related_prefetch(db *d, const struct ticket_row *t);

#endif
