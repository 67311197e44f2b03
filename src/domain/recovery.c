#include "domain/recovery.h"

#include <stdio.h>
#include <string.h>

#include "domain/password.h"
#include "domain/ticket.h"
#include "domain/ticket_search.h"
#include "domain/token.h"
#include "store/account_store.h"
#include "store/session_store.h"

/* Queues the reset email; the caller holds the transaction. */
static int queue_reset_email(db *d, const struct notifier *n, enum account_kind kind,
                             const struct account_row *row, const char *token)
{
	struct notice notice = {.kind = NOTICE_PASSWORD_RESET, .to = row->email, .to_name = row->name,
	                        .lang = lang_or_default(row->language), .token = token,
	                        .account_kind = kind};
	return notice_queue(d, n, &notice);
}

int recovery_request(db *d, const struct notifier *m, enum account_kind kind, const char *email,
                     int64_t now)
{
	const char *kind_name = account_kind_name(kind);
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct account_row row;
	int found = store_account_get_by_email(d, kind_name, email ? email : "", &row);
	if (found < 0) {
		rc = found;
		goto fail;
	}
	if (!found || !row.active)
		goto done;
	int64_t recent = store_reset_count_since(d, kind_name, row.id, now - 3600);
	if (recent < 0) {
		rc = (int)recent;
		goto fail;
	}
	if (recent >= RECOVERY_MAX_PER_HOUR)
		goto done; /* quietly: the same answer as always */
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	int64_t id = store_reset_insert(d, hash, kind_name, row.id, now, now + RECOVERY_LINK_SECONDS);
	if (id < 0) {
		rc = (int)id;
		goto fail;
	}
	rc = queue_reset_email(d, m, kind, &row, token);
	if (rc < 0)
		goto fail;
done:
	return db_commit(d);
fail:
	db_rollback(d);
	return rc;
}

/* The live link's row: 1, 0 when unknown/used/expired/of another kind. */
static int live_reset(db *d, enum account_kind kind, const char *token, int64_t now,
                      struct token_row *row)
{
	if (!token_well_formed(token))
		return 0;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	int rc = store_reset_get(d, hash, row);
	if (rc <= 0)
		return rc;
	if (row->used_at || now >= row->expires_at ||
	    strcmp(row->user_kind, account_kind_name(kind)) != 0)
		return 0;
	return 1;
}

int recovery_check(db *d, enum account_kind kind, const char *token, int64_t now)
{
	struct token_row row;
	int rc = live_reset(d, kind, token, now, &row);
	return rc < 0 ? rc : (rc ? RECOVERY_OK : RECOVERY_INVALID);
}

int recovery_complete(db *d, enum account_kind kind, const char *token, const char *password,
                      int64_t now)
{
	/* Check, then proceed: a dead or made-up link costs no hashing. */
	struct token_row row;
	int rc = live_reset(d, kind, token, now, &row);
	if (rc <= 0)
		return rc < 0 ? rc : RECOVERY_INVALID;
	int rules = password_check_rules(password);
	if (rules < 0)
		return rules;
	char hash[PASSWORD_HASH_MAX];
	rc = password_hash(password, hash);
	if (rc < 0)
		return rc == PASSWORD_BUSY ? ACCOUNT_BUSY : DB_NOMEM;
	rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	/* Again inside the transaction: the link may have been used meanwhile. */
	rc = live_reset(d, kind, token, now, &row);
	if (rc <= 0) {
		db_rollback(d);
		return rc < 0 ? rc : RECOVERY_INVALID;
	}
	/* store_reset_use only succeeds once, whatever runs at the same time. */
	rc = store_reset_use(d, row.id, now);
	if (rc == 1)
		rc = store_account_set_password(d, row.user_kind, row.user_id, hash, now);
	else if (rc == 0)
		rc = RECOVERY_INVALID;
	if (rc == 0)
		rc = session_end_all(d, kind, row.user_id, 0);
	if (rc != 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

int email_change_request(db *d, const struct notifier *m, const struct session *s,
                         const char *new_email, const char *password, int64_t now)
{
	const char *kind = account_kind_name(s->kind);
	if (!new_email || !account_email_valid(new_email))
		return ACCOUNT_EMAIL_INVALID;
	struct account_row row, other;
	if (store_account_get(d, kind, s->user_id, &row) != 1)
		return DB_ERROR;
	int matched = password_check(password ? password : "", row.password_hash);
	if (matched == PASSWORD_BUSY)
		return ACCOUNT_BUSY;
	if (matched != 1)
		return RECOVERY_WRONG_PASSWORD;
	int rc = store_account_get_by_email(d, kind, new_email, &other);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return ACCOUNT_EMAIL_TAKEN;
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	int64_t id = store_email_change_insert(d, hash, kind, s->user_id, new_email, now,
	                                       now + EMAIL_CHANGE_LINK_SECONDS);
	if (id < 0) {
		db_rollback(d);
		return (int)id;
	}
	struct notice notice = {.kind = NOTICE_EMAIL_CHANGE, .to = new_email, .to_name = row.name,
	                        .lang = lang_or_default(row.language), .token = token,
	                        .account_kind = s->kind, .new_email = new_email};
	rc = notice_queue(d, m, &notice);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

int email_change_confirm(db *d, const char *token, int64_t now)
{
	if (!token_well_formed(token))
		return RECOVERY_INVALID;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct token_row row;
	rc = store_email_change_get(d, hash, &row);
	if (rc == 1 && (row.used_at || now >= row.expires_at))
		rc = 0;
	if (rc == 1)
		rc = store_email_change_use(d, row.id, now);
	if (rc == 1) {
		rc = store_account_set_email(d, row.user_kind, row.user_id, row.new_email, now);
		/* Staff find a client's tickets by the client's email. */
		if (rc == 0 && strcmp(row.user_kind, "client") == 0)
			rc = ticket_search_client_changed(d, row.user_id);
	} else if (rc == 0) {
		rc = RECOVERY_INVALID;
	}
	if (rc != 0) {
		db_rollback(d);
		return rc == DB_CONSTRAINT ? ACCOUNT_EMAIL_TAKEN : rc;
	}
	rc = db_commit(d);
	if (rc == 0 && strcmp(row.user_kind, "staff") == 0)
		ticket_staff_changed(); /* notifications go to the new address */
	return rc;
}
