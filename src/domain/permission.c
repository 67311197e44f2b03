#include "domain/permission.h"

#include "store/queue_store.h"
#include "store/ticket_store.h"

int permission_ticket(db *d, const struct session *account, const struct ticket_row *t)
{
	if (!account)
		return 0;
	if (account->kind == ACCOUNT_CLIENT)
		return t->client_id == account->user_id ? 1 : 0;
	if (account->kind != ACCOUNT_STAFF)
		return 0;
	if (account->admin)
		return 1;
	return store_staff_in_department(d, account->user_id, t->department_id);
}
