#include "domain/account.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/password.h"
#include "store/account_store.h"

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
	size_t pwlen = n->password ? str_utf8_length(n->password) : 0;
	if (pwlen < PASSWORD_MIN_LENGTH)
		return ACCOUNT_PASSWORD_SHORT;
	if (strlen(n->password) > PASSWORD_MAX_LENGTH)
		return ACCOUNT_PASSWORD_LONG;
	char hash[PASSWORD_HASH_MAX];
	if (password_hash(n->password, hash) < 0)
		return ACCOUNT_STORE_FAILED;
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
	case ACCOUNT_EMAIL_INVALID: return "Enter a valid email address.";
	case ACCOUNT_EMAIL_TAKEN: return "An account with this email address already exists.";
	case ACCOUNT_NAME_EMPTY: return "Enter a name.";
	case ACCOUNT_PASSWORD_SHORT: return "The password must have at least 8 characters.";
	case ACCOUNT_PASSWORD_LONG: return "The password is too long.";
	default: return "The account could not be saved. Try again.";
	}
}
