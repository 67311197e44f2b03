/* The route table of the web interface, and what runs before every
 * handler (language choice). */
#ifndef CHAMADO_ROUTES_H
#define CHAMADO_ROUTES_H

#include "http/request.h"
#include "http/router.h"

int web_routes(router *r);
void web_before(struct request *req);
void web_after(struct request *req);

#endif
