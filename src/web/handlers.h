/* Every web handler, by resource. Each answers through the response
 * functions of http/request.h; the comment at its definition says which
 * statuses it can answer. */
#ifndef CHAMADO_HANDLERS_H
#define CHAMADO_HANDLERS_H

#include "http/request.h"

/* home.c */
void home_show(struct request *req);
void lang_switch(struct request *req);
void health_show(struct request *req);
void brand_css(struct request *req);

/* auth.c */
void login_form(struct request *req);
void login_submit(struct request *req);
void logout_submit(struct request *req);
void register_form(struct request *req);
void register_submit(struct request *req);
void staff_login_form(struct request *req);
void staff_login_submit(struct request *req);
void staff_logout_submit(struct request *req);

/* account.c */
void account_show(struct request *req);
void account_profile_submit(struct request *req);
void account_password_submit(struct request *req);
/* Redisplays /account with 422 and error under field. */
void account_render_error(struct request *req, const char *field, const char *error);

/* contacts.c */
void contacts_show(struct request *req);
void contact_add_submit(struct request *req);
void contact_save_submit(struct request *req);
void contact_remove_submit(struct request *req);

/* recovery.c */
void forgot_form(struct request *req);
void forgot_submit(struct request *req);
void reset_form(struct request *req);
void reset_submit(struct request *req);
void account_email_submit(struct request *req);
void account_email_confirm(struct request *req);

/* tickets.c */
void tickets_new(struct request *req);
void tickets_create(struct request *req);
void tickets_list(struct request *req);
void client_ticket_show(struct request *req);
void client_ticket_reply(struct request *req);
void client_ticket_close(struct request *req);
void client_ticket_attachment(struct request *req);
void client_ticket_cc_add(struct request *req);
void client_ticket_cc_remove(struct request *req);
void staff_ticket_cc_add(struct request *req);
void staff_ticket_cc_remove(struct request *req);
void staff_ticket_access_revoke(struct request *req);
void access_ticket_show(struct request *req);
void access_ticket_reply(struct request *req);
void access_ticket_attachment(struct request *req);

/* admin_emails.c */
void admin_emails_show(struct request *req);
void admin_email_retry(struct request *req);

/* staff_tickets.c */
void staff_queue_show(struct request *req);
void staff_ticket_show(struct request *req);
void staff_ticket_reply(struct request *req);
void staff_ticket_note(struct request *req);
void staff_ticket_update(struct request *req);
void staff_ticket_merge(struct request *req);
void staff_ticket_attachment(struct request *req);
void staff_ticket_original(struct request *req);
void staff_ticket_insert(struct request *req);
void staff_ticket_links(struct request *req);
void staff_ticket_tags(struct request *req);
void staff_ticket_fields(struct request *req);
void staff_tags_page(struct request *req);
void staff_ticket_split_form(struct request *req);
void staff_ticket_split(struct request *req);
void staff_ticket_new(struct request *req);
void staff_ticket_create(struct request *req);

/* staff_home.c */
void staff_home(struct request *req);

#endif
