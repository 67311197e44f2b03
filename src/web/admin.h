/* Administration pages under /staff/admin: settings, departments, staff,
 * clients and their services, predefined replies. Every handler answers 303
 * to /staff/login?next=... when no staff member is signed in and 404 to an
 * agent (for them the pages do not exist); forms answer 422 with the typed
 * values and an error under each wrong field, and 303 with the "saved" flash
 * after a change. */
#ifndef CHAMADO_WEB_ADMIN_H
#define CHAMADO_WEB_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/session.h"
#include "http/request.h"
#include "http/router.h"
#include "view/vm.h"

/* Registers every route below. 0 or -1 (the router is full). */
int web_routes_admin(router *r);

/* admin.c */
void admin_index_page(struct request *req);

/* admin_settings.c */
void admin_settings_page(struct request *req);
void admin_settings_submit(struct request *req);

/* admin_departments.c */
void admin_departments_page(struct request *req);
void admin_department_new_page(struct request *req);
void admin_department_create_submit(struct request *req);
void admin_department_edit_page(struct request *req);
void admin_department_edit_submit(struct request *req);
void admin_department_delete_submit(struct request *req);

/* admin_fields.c: a department's custom fields */
void admin_fields_page(struct request *req);
void admin_fields_submit(struct request *req);
void admin_field_delete_submit(struct request *req);

/* admin_staff.c */
void admin_staff_page(struct request *req);
void admin_staff_new_page(struct request *req);
void admin_staff_create_submit(struct request *req);
void admin_staff_edit_page(struct request *req);
void admin_staff_edit_submit(struct request *req);

/* admin_clients.c */
void admin_clients_page(struct request *req);
void admin_client_page(struct request *req);
void admin_client_new_page(struct request *req);
void admin_client_create_submit(struct request *req);
void admin_client_anonymise_submit(struct request *req);
void admin_client_edit_submit(struct request *req);
void admin_service_create_submit(struct request *req);
void admin_service_edit_page(struct request *req);
void admin_service_edit_submit(struct request *req);
void admin_service_delete_submit(struct request *req);

/* admin_replies.c */
void admin_replies_page(struct request *req);
void admin_reply_new_page(struct request *req);
void admin_reply_create_submit(struct request *req);
void admin_reply_edit_page(struct request *req);
void admin_reply_edit_submit(struct request *req);
void admin_reply_delete_submit(struct request *req);

/* admin_api.c: API tokens and webhooks, with their own route table. */
int web_routes_admin_api(router *r);
void admin_tokens_page(struct request *req);
void admin_token_create_submit(struct request *req);
void admin_token_revoke_submit(struct request *req);
void admin_token_rate_submit(struct request *req);
void admin_webhooks_page(struct request *req);
void admin_webhook_create_submit(struct request *req);
void admin_webhook_page(struct request *req);
void admin_webhook_edit_submit(struct request *req);
void admin_webhook_delete_submit(struct request *req);
void admin_webhook_resend_submit(struct request *req);

/* Helpers the admin handlers share (admin.c). */

/* The signed-in admin; NULL after answering 303 (signed out) or 404 (an
 * agent). */
struct session *admin_require(struct request *req);
/* The signed-in admin, with the route's :id in *id; NULL after answering
 * 303 (signed out) or 404 (an agent, or :id is not an id). */
struct session *admin_require_id(struct request *req, int64_t *id);
/* The route parameter name as an id > 0; false when it is not one. */
bool admin_param_id(struct request *req, const char *name, int64_t *id);
/* A form page titled new_title when id is 0, else edit_title (msgids:
 * mark them with N_), whose form posts to base, or to base/id with "id"
 * set; NULL when out of memory. */
vm_obj *admin_form_page(struct request *req, int64_t id, const char *base,
                        const char *new_title, const char *edit_title);
/* A form field, "" when absent. */
const char *admin_form_text(struct request *req, const char *name);
/* True when a checkbox was sent ticked. */
bool admin_form_checked(struct request *req, const char *name);
/* The ids sent as repeated fields name (checkboxes), at most max, in the
 * arena; ids that are not numbers are skipped. Sets *n. */
int64_t *admin_form_ids(struct request *req, const char *name, int max, int *n);
/* True when id is among ids. */
bool admin_ids_contain(const int64_t *ids, int n, int64_t id);
/* Marks field wrong on the page: "<field>_error" (translated), and an entry
 * in the "errors" summary linking to the field's id. NULL msgid: no-op. */
void admin_field_error(struct request *req, vm_obj *page, const char *field, const char *msgid);
/* Answers a negative domain result (500) or ADMIN_NOT_FOUND (404). */
void admin_fail(struct request *req, int rc);
/* Answers a lookup that found nothing (rc 0: 404) or failed (< 0: 500). */
void admin_missing(struct request *req, int rc);
/* Answers a change: 303 to `to` with the "saved" flash when rc is
 * ADMIN_OK, else as admin_fail. */
void admin_saved(struct request *req, int rc, const char *to);

#endif
