/* Every web handler, by resource. Each answers through the response
 * functions of http/request.h; the comment at its definition says which
 * statuses it can answer. */
#ifndef CHAMADO_HANDLERS_H
#define CHAMADO_HANDLERS_H

#include "http/request.h"

void home_show(struct request *req);
void lang_switch(struct request *req);
void health_show(struct request *req);
void brand_css(struct request *req);

#endif
