#include "domain/client.h"

#include <string.h>

#include "base/log.h"
#include "base/str.h"
#include "domain/account.h"
#include "store/account_store.h"

int client_create(db *d, const struct actor *who, const char *email, const char *name,
                  const char *lang, int64_t now, int64_t *id)
{
	*id = 0;
	if (!actor_is_staff(who) && !(who && !who->account && who->channel == CHANNEL_EMAIL))
		return CLIENT_FORBIDDEN;
	if (!email || !account_email_valid(email))
		return CLIENT_EMAIL_INVALID;
	if (str_blank(name) || strlen(name) > 200 || !str_utf8_valid(name, strlen(name)))
		return CLIENT_NAME_INVALID;
	int64_t rc = store_client_insert(d, email, name, NULL, lang ? lang : "pt-BR", now);
	if (rc == DB_CONSTRAINT) {
		struct account_row row;
		if (store_account_get_by_email(d, "client", email, &row) == 1)
			*id = row.id;
		return CLIENT_EMAIL_TAKEN;
	}
	if (rc < 0)
		return (int)rc;
	*id = rc;
	log_info("client %s created by %s through %s (no password yet)", email,
	         who->account ? who->account->email : "its own email", channel_name(who->channel));
	return CLIENT_OK;
}
