/* What the staff ticket pages share (web/staff_tickets.c). */
#ifndef CHAMADO_WEB_STAFF_H
#define CHAMADO_WEB_STAFF_H

#include <stdbool.h>

#include "domain/session.h"
#include "domain/staff_ticket.h"
#include "domain/ticket.h"
#include "http/request.h"
#include "view/vm.h"

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

/* The tags and custom fields boxes of the ticket page (staff_tags.c);
 * the typed values of a failed post are kept. */
void staff_ticket_tags_fields(struct request *req, vm_obj *page, const struct ticket_row *t);
/* The queue's tag and custom field filters (their inputs, the tags to
 * suggest, the fields of the staff member's departments). */
/* deps: the staff member's departments, as the queue page read them. */
void staff_queue_tag_field_filters(struct request *req, vm_obj *page, const struct queue_filter *f,
                                   const struct named_row *deps, int nd);
/* s percent-encoded for a query string, in the arena. */
const char *staff_query_escape(struct request *req, const char *s);

#endif
