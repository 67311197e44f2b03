/* Who may do what. Checked here, in the domain, so the web pages, the API
 * and email all apply the same rules. */
#ifndef CHAMADO_PERMISSION_H
#define CHAMADO_PERMISSION_H

#include <stdbool.h>

#include "domain/session.h"

/* Settings, staff, departments and the failed-email list: admins only. */
static inline bool permission_administer(const struct session *s)
{
	return s && s->kind == ACCOUNT_STAFF && s->admin;
}

#endif
