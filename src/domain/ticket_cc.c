/* CC contacts and access links (see ticket_cc.h). */
#include "domain/ticket_cc.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/account.h"
#include "store/account_store.h"
#include "store/mail_store.h"
#include "view/i18n.h"

/* ---- the CC field -------------------------------------------------------- */

/* The address of one entry: "ana@x.com", or the part inside <> of
 * "Ana <ana@x.com>"; trimmed, in a. */
static char *entry_address(arena *a, const char *p, size_t n)
{
	char *e = arena_strndup(a, p, n);
	if (!e)
		return NULL;
	char *lt = strchr(e, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt && gt[1] == '\0') {
		*gt = '\0';
		e = lt + 1;
	}
	return str_trim(e);
}

int ticket_cc_parse(const char *text, arena *a, const char **out, int max, const char **error,
                    const char **bad)
{
	int n = 0;
	*error = NULL;
	*bad = NULL;
	for (const char *p = text ? text : ""; *p;) {
		size_t len = strcspn(p, ",;\r\n");
		char *address = entry_address(a, p, len);
		p += len;
		if (*p)
			p++;
		if (!address)
			return DB_NOMEM;
		if (!*address)
			continue;
		if (!account_email_valid(address)) {
			*error = N_("\"%s\" is not a valid email address. Separate addresses with commas.");
			*bad = address;
			return 0;
		}
		bool seen = false;
		for (int i = 0; i < n && !seen; i++)
			seen = str_case_eq(out[i], address);
		if (seen)
			continue;
		if (n == max) {
			*error = N_("At most 10 addresses can receive copies of a ticket.");
			*bad = address;
			return 0;
		}
		out[n++] = address;
	}
	return n;
}

/* ---- keys ------------------------------------------------------------------ */

int ticket_access_key_store(db *d, int64_t ticket_id, int64_t cc_id, int64_t now,
                            const char *key)
{
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(key, hash);
	return store_access_key_insert(d, ticket_id, cc_id, hash, now);
}

int ticket_access_key_issue(db *d, int64_t ticket_id, int64_t cc_id, int64_t now,
                            char key[TOKEN_LEN + 1])
{
	token_new(key);
	return ticket_access_key_store(d, ticket_id, cc_id, now, key);
}

/* ---- adding, telling ------------------------------------------------------- */

static int tell_cc(db *d, const struct notifier *n, const struct ticket_row *t,
                   const struct cc_row *cc, enum notice_kind kind, const char *message,
                   const char *author, int64_t now)
{
	if (!n || !n->queue)
		return 0;
	char key[TOKEN_LEN + 1];
	int rc = ticket_access_key_issue(d, t->id, cc->id, now, key);
	if (rc < 0)
		return rc;
	/* A CC has no account: they read in the client's language. */
	struct notice notice = {.kind = kind, .to = cc->email, .to_name = *cc->name ? cc->name : NULL,
	                        .lang = lang_or_default(t->client_language), .ticket = t,
	                        .message = message, .author_name = author, .access_key = key};
	return notice_queue(d, n, &notice);
}

int ticket_cc_insert(db *d, const struct notifier *n, const struct actor *who,
                     const struct ticket_row *t, const char *email, const char *name,
                     const char *message, int64_t now, const char **error)
{
	*error = NULL;
	if (!email || !account_email_valid(email)) {
		*error = N_("\"%s\" is not a valid email address. Separate addresses with commas.");
		return TICKET_INVALID;
	}
	if (str_case_eq(email, t->client_email))
		return TICKET_UNCHANGED; /* the client gets every email anyway */
	int rc = store_mail_is_department_address(d, email);
	if (rc < 0)
		return rc;
	if (rc == 1) { /* copying ourselves would loop */
		*error = N_("%s is one of our support addresses: it cannot receive copies.");
		return TICKET_INVALID;
	}
	char clean_name[TICKET_CC_NAME_MAX * 4 + 1];
	snprintf(clean_name, sizeof clean_name, "%s", name ? name : "");
	str_trim(clean_name);
	if (str_utf8_length(clean_name) > TICKET_CC_NAME_MAX || strpbrk(clean_name, "\r\n<>\"")) {
		*error = N_("Write a name of at most 100 characters, or leave it blank.");
		return TICKET_INVALID;
	}
	int64_t count = store_cc_count(d, t->id);
	if (count < 0)
		return (int)count;
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	struct cc_row cc;
	rc = store_cc_by_email(d, t->id, email, a, &cc);
	if (rc == 1) {
		rc = TICKET_UNCHANGED;
	} else if (rc == 0 && count >= TICKET_CC_MAX) {
		*error = N_("At most 10 addresses can receive copies of a ticket.");
		rc = TICKET_INVALID;
	} else if (rc == 0) {
		const struct session *s = who->account;
		int64_t id = store_cc_insert(d, t->id, email, clean_name,
		                             s ? account_kind_name(s->kind) : "system", s ? s->user_id : 0, now);
		rc = id < 0 ? (int)id : ticket_audit(d, who, t->id, "cc_added", "", email, now);
		cc = (struct cc_row){.id = id, .ticket_id = t->id, .email = email, .name = clean_name};
		if (rc == 0)
			rc = tell_cc(d, n, t, &cc, NOTICE_CC_ADDED, message,
			             s ? s->name : NULL, now);
	}
	arena_free(a);
	return rc;
}

int ticket_cc_merge(db *d, const struct actor *who, const struct ticket_row *from,
                    const struct ticket_row *into, int64_t now)
{
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct cc_row rows[TICKET_CC_MAX];
	int count = store_cc_list(d, from->id, a, rows, TICKET_CC_MAX);
	int64_t present = count > 0 ? store_cc_count(d, into->id) : 0;
	int rc = count < 0 ? count : present < 0 ? (int)present : 0, added = 0;
	const struct session *s = who->account;
	for (int i = 0; i < count && rc == 0 && present < TICKET_CC_MAX; i++) {
		struct cc_row same;
		if (str_case_eq(rows[i].email, into->client_email))
			continue;
		rc = store_cc_by_email(d, into->id, rows[i].email, a, &same);
		if (rc != 0) {
			rc = rc < 0 ? rc : 0; /* already copied there */
			continue;
		}
		int64_t id = store_cc_insert(d, into->id, rows[i].email, rows[i].name,
		                             s ? account_kind_name(s->kind) : "system", s ? s->user_id : 0, now);
		rc = id < 0 ? (int)id : ticket_audit(d, who, into->id, "cc_added", "", rows[i].email, now);
		present++;
		added++;
	}
	arena_free(a);
	return rc < 0 ? rc : added;
}

int ticket_cc_notify(db *d, const struct notifier *n, const struct ticket_row *t,
                     const char *message, const char *author, int64_t except_cc_id, int64_t now)
{
	if (!n || !n->queue)
		return 0;
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct cc_row rows[TICKET_CC_MAX];
	int count = store_cc_list(d, t->id, a, rows, TICKET_CC_MAX);
	int rc = count < 0 ? count : 0;
	for (int i = 0; i < count && rc == 0; i++)
		if (rows[i].id != except_cc_id)
			rc = tell_cc(d, n, t, &rows[i], NOTICE_TICKET_REPLY_COPY, message, author, now);
	arena_free(a);
	return rc;
}

/* ---- the doors --------------------------------------------------------------- */

struct cc_args {
	const struct notifier *notifier;
	const char *email, *name;
	int64_t cc_id;
	const char **error;
};

static int add_change(db *d, const struct actor *who, const struct ticket_row *t, const void *arg,
                      arena *a, int64_t now)
{
	(void)a;
	const struct cc_args *c = arg;
	return ticket_cc_insert(d, c->notifier, who, t, c->email, c->name, NULL, now, c->error);
}

int ticket_cc_add(db *d, const struct notifier *n, const struct actor *who, int64_t number,
                  const char *email, const char *name, int64_t now, const char **error)
{
	*error = NULL;
	if (!who || !who->account || actor_is_cc(who))
		return TICKET_NOT_FOUND;
	char address[320];
	snprintf(address, sizeof address, "%s", email ? email : "");
	str_trim(address);
	struct cc_args args = {.notifier = n, .email = address, .name = name, .error = error};
	return ticket_transaction(d, who, number, add_change, &args, now);
}

static int remove_change(db *d, const struct actor *who, const struct ticket_row *t,
                         const void *arg, arena *a, int64_t now)
{
	const struct cc_args *c = arg;
	struct cc_row cc;
	int rc = store_cc_get(d, t->id, c->cc_id, a, &cc);
	if (rc <= 0)
		return rc < 0 ? rc : TICKET_UNCHANGED;
	rc = store_cc_delete(d, t->id, c->cc_id);
	if (rc < 0)
		return rc;
	return ticket_audit(d, who, t->id, "cc_removed", cc.email, "", now);
}

int ticket_cc_remove(db *d, const struct actor *who, int64_t number, int64_t cc_id, int64_t now)
{
	if (!who || !who->account || actor_is_cc(who))
		return TICKET_NOT_FOUND;
	struct cc_args args = {.cc_id = cc_id};
	return ticket_transaction(d, who, number, remove_change, &args, now);
}

int ticket_cc_list(db *d, int64_t ticket_id, arena *a, struct cc_row *rows, int max)
{
	return store_cc_list(d, ticket_id, a, rows, max);
}

void ticket_cc_list_prefetch(db *d, int64_t ticket_id)
{
	store_cc_list_prefetch(d, ticket_id);
}

static int revoke_change(db *d, const struct actor *who, const struct ticket_row *t,
                         const void *arg, arena *a, int64_t now)
{
	const struct cc_args *c = arg;
	const char *whose = t->client_email;
	if (c->cc_id > 0) {
		struct cc_row cc;
		int rc = store_cc_get(d, t->id, c->cc_id, a, &cc);
		if (rc <= 0)
			return rc < 0 ? rc : TICKET_INVALID;
		whose = cc.email;
	}
	int n = store_access_keys_revoke(d, t->id, c->cc_id, now);
	if (n <= 0)
		return n < 0 ? n : TICKET_UNCHANGED;
	return ticket_audit(d, who, t->id, "access_revoked", "", whose, now);
}

int ticket_access_revoke(db *d, const struct actor *who, int64_t number, int64_t cc_id,
                         int64_t now)
{
	if (!actor_is_staff(who))
		return TICKET_NOT_FOUND;
	struct cc_args args = {.cc_id = cc_id > 0 ? cc_id : 0};
	return ticket_transaction(d, who, number, revoke_change, &args, now);
}

int ticket_access_client_live(db *d, int64_t ticket_id)
{
	int64_t n = store_access_keys_live_client(d, ticket_id);
	return n < 0 ? (int)n : n > 0;
}

void ticket_access_client_live_prefetch(db *d, int64_t ticket_id)
{
	store_access_keys_live_client_prefetch(d, ticket_id);
}

/* ---- opening a link ----------------------------------------------------------- */

int ticket_access_open(db *d, int64_t number, const char *key, arena *a, struct ticket_access *out)
{
	memset(out, 0, sizeof *out);
	if (number <= 0 || !token_well_formed(key))
		return 0;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(key, hash);
	/* The link names its ticket: its keys are looked in, so a key of
	 * another ticket finds nothing. */
	int rc = store_ticket_get_by_number(d, number, a, &out->ticket);
	if (rc <= 0)
		return rc;
	struct access_key_row k;
	rc = store_access_key_find(d, out->ticket.id, hash, a, &k);
	if (rc <= 0)
		return rc;
	/* The lookup went by the hash's index; the comparison that decides is
	 * constant-time all the same. */
	if (!token_equal(k.key_hash, hash) || k.revoked)
		return 0;
	struct session *p = &out->person;
	p->kind = ACCOUNT_CLIENT;
	snprintf(p->language, sizeof p->language, "%s", out->ticket.client_language);
	if (k.cc_id > 0) {
		struct cc_row cc;
		rc = store_cc_get(d, out->ticket.id, k.cc_id, a, &cc);
		if (rc <= 0)
			return rc;
		p->cc_id = cc.id;
		snprintf(p->email, sizeof p->email, "%s", cc.email);
		snprintf(p->name, sizeof p->name, "%s", *cc.name ? cc.name : cc.email);
		return 1;
	}
	struct account_row client;
	rc = store_account_get(d, "client", out->ticket.client_id, &client);
	if (rc <= 0 || !client.active)
		return rc < 0 ? rc : 0;
	p->user_id = client.id;
	snprintf(p->email, sizeof p->email, "%s", client.email);
	snprintf(p->name, sizeof p->name, "%s", client.name);
	snprintf(p->language, sizeof p->language, "%s", client.language);
	return 1;
}

int ticket_access_attachment(db *d, const struct ticket_access *acc, int64_t attachment_id,
                             arena *a, struct attachment_row *row)
{
	int rc = store_attachment_get(d, attachment_id, a, row);
	if (rc != 1)
		return rc;
	return row->ticket_id == acc->ticket.id && !row->internal ? 1 : 0;
}
