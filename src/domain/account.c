#include "domain/account.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "view/i18n.h"
#include "domain/password.h"
#include "store/account_store.h"
#include "store/session_store.h"

bool account_email_valid(const char *email)
{
	size_t len = strlen(email);
	const char *at = strchr(email, '@');
	if (len < 3 || len > 254 || !at || at == email || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return false;
	for (const char *p = email; *p; p++)
		if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20 || *p == '<' || *p == '>' ||
		    *p == ',' || *p == ';' || *p == '"')
			return false;
	return str_utf8_valid(email, len);
}

int64_t account_create(db *d, const struct account_new *n)
{
	if (!n->email || !account_email_valid(n->email))
		return ACCOUNT_EMAIL_INVALID;
	if (!n->name || !*n->name)
		return ACCOUNT_NAME_EMPTY;
	if (strlen(n->name) > 200 || !str_utf8_valid(n->name, strlen(n->name)))
		return ACCOUNT_NAME_EMPTY;
	int rules = password_check_rules(n->password);
	if (rules < 0)
		return rules;
	char hash[PASSWORD_HASH_MAX];
	int hashed = password_hash(n->password, hash);
	if (hashed < 0)
		return hashed == PASSWORD_BUSY ? ACCOUNT_BUSY : ACCOUNT_STORE_FAILED;
	int64_t now = (int64_t)time(NULL);
	const char *lang = n->lang ? n->lang : "pt-BR";
	int64_t id;
	if (n->kind == ACCOUNT_CLIENT)
		id = store_client_insert(d, n->email, n->name, hash, lang, now);
	else
		id = store_staff_insert(d, n->email, n->name, hash, n->admin ? "admin" : "agent", lang, now);
	if (id == DB_CONSTRAINT)
		return ACCOUNT_EMAIL_TAKEN;
	return id > 0 ? id : ACCOUNT_STORE_FAILED;
}

const char *account_error_text(int error)
{
	switch (error) {
	case ACCOUNT_EMAIL_INVALID: return N_("Enter a valid email address.");
	case ACCOUNT_EMAIL_TAKEN: return N_("An account with this email address already exists.");
	case ACCOUNT_NAME_EMPTY: return N_("Enter a name.");
	case ACCOUNT_PASSWORD_SHORT: return N_("The password must have at least 8 characters.");
	case ACCOUNT_PASSWORD_LONG: return N_("The password is too long.");
	default: return N_("The account could not be saved. Try again.");
	}
}

int account_set_password(db *d, enum account_kind kind, const char *email, const char *password)
{
	int rules = password_check_rules(password);
	if (rules < 0)
		return rules;
	const char *kind_name = kind == ACCOUNT_STAFF ? "staff" : "client";
	struct account_row row;
	int found = store_account_get_by_email(d, kind_name, email, &row);
	if (found <= 0)
		return found < 0 ? ACCOUNT_STORE_FAILED : ACCOUNT_NOT_FOUND;
	char hash[PASSWORD_HASH_MAX];
	if (password_hash(password, hash) < 0)
		return ACCOUNT_STORE_FAILED;
	int64_t now = (int64_t)time(NULL);
	if (db_begin_write(d) < 0)
		return ACCOUNT_STORE_FAILED;
	if (store_account_set_password(d, kind_name, row.id, hash, now) < 0 ||
	    store_session_delete_user(d, kind_name, row.id, 0) < 0 || db_commit(d) < 0) {
		db_rollback(d);
		return ACCOUNT_STORE_FAILED;
	}
	return 0;
}
