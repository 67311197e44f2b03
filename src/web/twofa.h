/* Two-factor sign-in and Sessões ativas on the pages: the code step of
 * sign-in (/login/code, /staff/login/code), the set-up (/account/2fa,
 * /staff/account/2fa), turning it off, ending sessions, an admin's reset
 * of a staff member's second factor and the security settings. */
#ifndef CHAMADO_WEB_TWOFA_H
#define CHAMADO_WEB_TWOFA_H

#include <stdbool.h>

#include "http/request.h"
#include "view/vm.h"

/* The cookie that carries a sign-in waiting for its code. */
void web_set_challenge_cookie(struct request *req, bool staff, const char *challenge);

/* Fills the account page's two-factor and sessions sections. */
void web_account_security(struct request *req, vm_obj *page);

/* Called by web_before for staff pages: when the admin requires two-factor
 * sign-in and this staff member has none, answers 303 to the set-up page
 * (which, with signing out, stays reachable) and returns true. */
bool web_twofa_gate(struct request *req);

void login_code_form(struct request *req);
void login_code_submit(struct request *req);
void twofa_setup_page(struct request *req);
void twofa_setup_submit(struct request *req);
void twofa_disable_submit(struct request *req);
void twofa_recovery_submit(struct request *req);
void session_end_submit(struct request *req);
void sessions_end_others_submit(struct request *req);
void admin_staff_twofa_reset_submit(struct request *req);
void admin_security_page(struct request *req);
void admin_security_submit(struct request *req);
/* admin_audit.c: Registro de auditoria. */
void admin_audit_page(struct request *req);
void admin_audit_csv(struct request *req);
void admin_audit_keep_submit(struct request *req);

#endif
