/* Administration of business hours (/staff/admin/hours, Horário de
 * atendimento) and SLA policies (/staff/admin/sla, Políticas de SLA).
 * Same contract as web/admin.h: 303 signed out, 404 for agents, 422 with
 * the typed values, 303 with "saved". */
#ifndef CHAMADO_ADMIN_SLA_H
#define CHAMADO_ADMIN_SLA_H

#include "http/router.h"

int web_routes_sla(router *r);
/* Escalonamentos, /staff/admin/escalations (admin_escalations.c). */
int web_routes_escalations(router *r);

#endif
