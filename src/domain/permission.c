#include "domain/permission.h"

#include "store/cc_store.h"
#include "store/queue_store.h"
#include "store/ticket_store.h"

int permission_ticket(db *d, const struct session *account, const struct ticket_row *t)
{
	if (!account)
		return 0;
	if (account->kind == ACCOUNT_CLIENT && account->cc_id > 0) {
		arena *a = arena_new(1024);
		if (!a)
			return DB_NOMEM;
		struct cc_row cc;
		int rc = store_cc_get(d, t->id, account->cc_id, a, &cc);
		arena_free(a);
		return rc;
	}
	/* An owner on their account's tickets; a contact on them only with
	 * "can open and see tickets" (session_ticket_account is 0 otherwise). */
	if (account->kind == ACCOUNT_CLIENT) {
		int64_t account_id = session_ticket_account(account);
		return account_id > 0 && t->client_id == account_id ? 1 : 0;
	}
	if (account->kind != ACCOUNT_STAFF)
		return 0;
	if (account->admin)
		return 1;
	return store_staff_in_department(d, account->user_id, t->department_id);
}
