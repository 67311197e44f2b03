#include "domain/contact.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/account.h"
#include "domain/audit.h"
#include "domain/recovery.h"
#include "domain/session.h"
#include "domain/ticket.h"
#include "store/account_store.h"
#include "store/admin_store.h"

bool contact_may_manage(const struct actor *who)
{
	return actor_is_client(who) && !actor_is_cc(who) && !session_is_contact(who->account) &&
	       who->account->user_id > 0;
}

int contact_list(db *d, const struct actor *who, arena *a, struct contact_row *rows, int max)
{
	if (!contact_may_manage(who))
		return CONTACT_NOT_FOUND;
	return store_contact_list(d, who->account->user_id, a, rows, max);
}

int contact_list_of_account(db *d, int64_t owner_id, arena *a, struct contact_row *rows, int max)
{
	return owner_id > 0 ? store_contact_list(d, owner_id, a, rows, max) : 0;
}

void contact_list_of_account_prefetch(db *d, int64_t owner_id, int max)
{
	if (owner_id > 0)
		store_contact_list_prefetch(d, owner_id, max);
}

const char *contact_owner_name(db *d, const struct session *s, arena *a)
{
	struct account_row row;
	if (!session_is_contact(s) || store_account_get(d, "client", s->owner_id, &row) != 1)
		return "";
	const char *name = arena_strdup(a, row.name);
	return name ? name : "";
}

int contact_owner_of(db *d, int64_t client_id, arena *a, int64_t *owner_id, const char **owner_name)
{
	struct account_row row, owner;
	int rc = store_account_get(d, "client", client_id, &row);
	if (rc <= 0 || row.owner_id <= 0)
		return rc < 0 ? rc : 0;
	rc = store_account_get(d, "client", row.owner_id, &owner);
	if (rc <= 0)
		return rc < 0 ? rc : 0;
	*owner_id = owner.id;
	*owner_name = arena_strdup(a, owner.name);
	return *owner_name ? 1 : DB_NOMEM;
}

/* Ends a transaction: commits when rc is 0, else rolls back. */
static int finish(db *d, int rc)
{
	if (rc == 0 && (rc = db_commit(d)) == 0)
		return 0;
	db_rollback(d);
	return rc;
}

/* Check, then proceed: the name and the address of a new contact. */
static int check_form(db *d, const char *name, const char *email, struct contact_errors *e)
{
	memset(e, 0, sizeof *e);
	if (!*name)
		e->name = N_("Enter a name.");
	else if (!str_utf8_valid(name, strlen(name)) || str_utf8_length(name) > CONTACT_NAME_MAX)
		e->name = N_("The name can have at most 100 characters.");
	if (!account_email_valid(email)) {
		e->email = N_("Enter a valid email address.");
	} else {
		int64_t other = store_client_id_by_email(d, email);
		if (other < 0)
			return (int)other;
		if (other > 0)
			e->email = N_("This address already has an account with us: it cannot be added as a contact.");
	}
	return e->name || e->email ? CONTACT_INVALID : CONTACT_OK;
}

int contact_add(db *d, const struct notifier *n, const struct actor *who,
                const struct contact_form *f, int64_t now, struct contact_errors *e, int64_t *id)
{
	memset(e, 0, sizeof *e);
	*id = 0;
	if (!contact_may_manage(who))
		return CONTACT_NOT_FOUND;
	char name[4 * CONTACT_NAME_MAX + 8], email[256];
	snprintf(name, sizeof name, "%s", f->name ? f->name : "");
	snprintf(email, sizeof email, "%s", f->email ? f->email : "");
	str_trim(name);
	str_trim(email);
	int rc = check_form(d, name, email, e);
	/* A name longer than the buffer was cut: it is too long in any case. */
	if (rc >= 0 && f->name && strlen(f->name) >= sizeof name) {
		e->name = N_("The name can have at most 100 characters.");
		rc = CONTACT_INVALID;
	}
	if (rc != CONTACT_OK)
		return rc;
	const struct session *owner = who->account;
	arena *a = arena_new(16384);
	struct contact_row *rows = a ? arena_alloc(a, CONTACT_MAX * sizeof *rows) : NULL;
	if (!rows) {
		arena_free(a);
		return DB_NOMEM;
	}
	rc = db_begin_write(d);
	int count = rc == 0 ? store_contact_list(d, owner->user_id, a, rows, CONTACT_MAX) : 0;
	arena_free(a);
	if (rc < 0)
		return rc;
	if (count < 0 || count >= CONTACT_MAX) {
		db_rollback(d);
		return count < 0 ? count : CONTACT_FULL;
	}
	struct audit_snapshot snap;
	if ((rc = audit_begin(d, &snap, "contact", 0)) < 0) {
		buf_free(&snap.before);
		db_rollback(d);
		return rc;
	}
	int64_t new_id = store_contact_insert(d, owner->user_id, email, name,
	                                      *owner->language ? owner->language : "pt-BR",
	                                      f->can_tickets, f->gets_emails, now);
	rc = new_id < 0 ? (int)new_id : 0;
	rc = audit_end(d, &snap, who, new_id > 0 ? new_id : 0, now) < 0 && rc == 0 ? DB_ERROR : rc;
	rc = finish(d, rc);
	if (rc == DB_CONSTRAINT) { /* the address was taken meanwhile */
		e->email = N_("This address already has an account with us: it cannot be added as a contact.");
		return CONTACT_INVALID;
	}
	if (rc < 0)
		return rc;
	*id = new_id;
	/* The invitation is the password-reset link, as for a client an admin
	 * creates: the contact chooses their password with it. */
	rc = recovery_request(d, n, ACCOUNT_CLIENT, email, now);
	return rc < 0 ? rc : CONTACT_OK;
}

int contact_update(db *d, const struct actor *who, int64_t id, bool can_tickets, bool gets_emails,
                   int64_t now)
{
	if (!contact_may_manage(who) || id <= 0)
		return CONTACT_NOT_FOUND;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	if ((rc = audit_begin(d, &snap, "contact", id)) < 0) {
		buf_free(&snap.before);
		db_rollback(d);
		return rc;
	}
	rc = store_contact_update(d, who->account->user_id, id, can_tickets, gets_emails, now);
	int found = rc;
	rc = rc < 0 ? rc : 0;
	rc = audit_end(d, &snap, who, id, now) < 0 && rc == 0 ? DB_ERROR : rc;
	if (rc == 0 && found == 0) {
		db_rollback(d);
		return CONTACT_NOT_FOUND;
	}
	return finish(d, rc);
}

int contact_remove(db *d, const struct actor *who, int64_t id, int64_t now)
{
	if (!contact_may_manage(who) || id <= 0)
		return CONTACT_NOT_FOUND;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	if ((rc = audit_begin(d, &snap, "contact", id)) < 0) {
		buf_free(&snap.before);
		db_rollback(d);
		return rc;
	}
	/* Deleting the row deletes its sessions too: the contact is signed
	 * out on their very next request. */
	int found = store_contact_delete(d, who->account->user_id, id);
	rc = found < 0 ? found : 0;
	rc = audit_end(d, &snap, who, id, now) < 0 && rc == 0 ? DB_ERROR : rc;
	if (rc == 0 && found == 0) {
		db_rollback(d);
		return CONTACT_NOT_FOUND;
	}
	return finish(d, rc);
}

int contact_anonymise_all(db *d, int64_t owner_id, int64_t now)
{
	arena *a = arena_new(16384);
	struct contact_row *rows = a ? arena_alloc(a, CONTACT_MAX * sizeof *rows) : NULL;
	if (!rows) {
		arena_free(a);
		return DB_NOMEM;
	}
	int n = store_contact_list(d, owner_id, a, rows, CONTACT_MAX);
	int rc = n < 0 ? n : 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char email[64];
		snprintf(email, sizeof email, "removido-%lld@anonimizado.invalid", (long long)rows[i].id);
		rc = store_client_anonymise(d, rows[i].id, rows[i].email, email, now);
		if (rc == 0)
			rc = store_contact_update(d, owner_id, rows[i].id, false, false, now) < 0 ? DB_ERROR : 0;
		if (rc == 0)
			rc = session_end_all(d, ACCOUNT_CLIENT, rows[i].id, 0);
	}
	arena_free(a);
	return rc;
}

int contact_notify(db *d, const struct notifier *n, const struct ticket_row *t, enum notice_kind kind,
                   const char *message, const char *author, int64_t except_id, int64_t also_id)
{
	if (!n || !n->queue)
		return 0;
	arena *a = arena_new(16384);
	struct contact_row *rows = a ? arena_alloc(a, CONTACT_MAX * sizeof *rows) : NULL;
	if (!rows) {
		arena_free(a);
		return DB_NOMEM;
	}
	int count = store_contact_list(d, t->client_id, a, rows, CONTACT_MAX);
	int rc = count < 0 ? count : 0;
	for (int i = 0; i < count && rc == 0; i++) {
		const struct contact_row *c = &rows[i];
		bool told = c->id == also_id || (c->gets_emails && c->id != except_id);
		if (!c->active || !told)
			continue;
		struct notice notice = {.kind = kind, .to = c->email, .to_name = c->name,
		                        .lang = lang_or_default(c->language), .ticket = t,
		                        .message = message, .author_name = author};
		rc = notice_queue(d, n, &notice);
	}
	arena_free(a);
	return rc;
}
