/* How the staff pages show an SLA clock: "vence em 2 h 10 min úteis",
 * amber when 80% of the target is used, red when past due. */
#ifndef CHAMADO_SLA_VIEW_H
#define CHAMADO_SLA_VIEW_H

#include "domain/sla.h"
#include "http/request.h"
#include "view/vm.h"

/* Sets on o: sla (bool), sla_class, sla_text and sla_due_exact. Nothing
 * when the badge is SLA_NONE. */
void sla_view_badge(struct request *req, vm_obj *o, const struct sla_badge *b);
/* "2 h 10 min" from seconds (rounded down to the minute). */
const char *sla_view_duration(struct request *req, int64_t seconds);

#endif
