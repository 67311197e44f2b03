/* What the staff ticket pages share (web/staff_tickets.c). */
#ifndef CHAMADO_WEB_STAFF_H
#define CHAMADO_WEB_STAFF_H

#include <stdbool.h>

#include "domain/session.h"
#include "domain/ticket.h"
#include "http/request.h"

/* The signed-in staff member, or NULL after sending the browser to the
 * staff sign-in. */
struct session *staff_required(struct request *req);
/* The ticket of the :number parameter when s may act on it (in the
 * arena); NULL after answering 404 or 500. */
struct ticket_row *staff_ticket_load(struct request *req, struct session *s);
/* The staff ticket page with status, an error message above the reply
 * box (NULL none) and the collision confirmation. */
void staff_ticket_page(struct request *req, const struct ticket_row *t, int status,
                       const char *error, bool collision);

#endif
