/* Who may do what. Checked here, in the domain, so the web pages, the API
 * and email all apply the same rules. */
#ifndef CHAMADO_PERMISSION_H
#define CHAMADO_PERMISSION_H

#include <stdbool.h>

#include "domain/session.h"
#include "store/db.h"

struct ticket_row;

/* Settings, staff, departments and the failed-email list: admins only. */
static inline bool permission_administer(const struct session *s)
{
	return s && s->kind == ACCOUNT_STAFF && s->admin;
}

/* Whether the account may see and act on the ticket: a client on their own
 * tickets; a contact of the client with "can open and see tickets" on the
 * account's tickets (never without it); a CC (session cc_id) on the one ticket they are a CC of while
 * they are; an admin on every ticket; an agent on the tickets of the
 * departments they belong to. 1 yes, 0 no, < 0 error. */
int permission_ticket(db *d, const struct session *account, const struct ticket_row *t);

#endif
