/* The /api/v2 handlers, by resource (api_*.c). Each comment at a
 * definition lists the statuses it answers beyond 401, 429 and 500. */
#ifndef CHAMADO_API_HANDLERS_H
#define CHAMADO_API_HANDLERS_H

#include "http/request.h"

/* api_tickets.c */
void api_tickets_list(struct request *req);
void api_ticket_show(struct request *req);
void api_ticket_create_call(struct request *req);
void api_ticket_update_call(struct request *req);
void api_ticket_comments(struct request *req);
void api_search(struct request *req);
void api_ticket_fields(struct request *req);

/* api_users.c */
void api_user_me(struct request *req);
void api_users_list(struct request *req);
void api_users_search(struct request *req);
void api_user_show(struct request *req);
void api_user_create_call(struct request *req);
void api_user_create_or_update_call(struct request *req);
void api_user_update_call(struct request *req);

/* api_groups.c */
void api_groups_list(struct request *req);

/* api_services.c */
void api_services_list(struct request *req);
void api_service_create_call(struct request *req);
void api_service_update_call(struct request *req);
void api_service_delete_call(struct request *req);

#endif
