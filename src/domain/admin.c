#include "domain/admin.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/account.h"
#include "domain/audit.h"
#include "domain/ticket.h"
#include "domain/password.h"
#include "domain/staff_ticket.h"
#include "domain/ticket_number.h"
#include "domain/ticket_search.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/settings_store.h"
#include "domain/contact.h"
#include "view/i18n.h"

/* ---- shared checks ---- */

/* A trimmed copy of s in a ("" for NULL); NULL out of memory. */
static char *trimmed(arena *a, const char *s)
{
	char *copy = arena_strdup(a, s ? s : "");
	return copy ? str_trim(copy) : NULL;
}

static size_t chars(const char *s)
{
	return str_utf8_valid(s, strlen(s)) ? str_utf8_length(s) : (size_t)-1;
}

/* An integer typed in a form, within [min, max]. */
static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%s", s ? s : "");
	str_trim(buf);
	return strlen(s ? s : "") < sizeof buf && str_to_int64(buf, min, max, out);
}

/* Removes repeated ids in place; returns the new count. */
static int unique_ids(int64_t *ids, int n)
{
	int out = 0;
	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int j = 0; j < out && !seen; j++)
			seen = ids[j] == ids[i];
		if (!seen)
			ids[out++] = ids[i];
	}
	return out;
}

/* Ends a transaction: commits when rc is 0, else rolls back. Returns rc,
 * or the commit's error. */
static int finish(db *d, int rc)
{
	if (rc == 0) {
		rc = db_commit(d);
		if (rc == 0)
			return 0;
	}
	db_rollback(d);
	return rc;
}

/* The time of a change that was not given one (deletions, settings). */
static int64_t audit_now(void)
{
	return (int64_t)time(NULL);
}

/* Deletes row id of entity with del in a transaction that also writes the
 * audit record. */
static int audited_delete(db *d, const struct actor *actor, const char *entity, int64_t id,
                          int (*del)(db *, int64_t))
{
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, entity, id);
	if (rc == 0)
		rc = del(d, id);
	if (audit_end(d, &snap, actor, 0, audit_now()) < 0 && rc == 0)
		rc = DB_ERROR;
	return finish(d, rc);
}

/* ---- departments ---- */

int admin_department_save(db *d, const struct actor *actor, int64_t id, const struct admin_department_form *f, int64_t now,
                          struct admin_department_errors *e, int64_t *out_id)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(4096);
	int64_t *members = a ? arena_alloc(a, sizeof(int64_t) * (size_t)(f->nmembers + 1)) : NULL;
	char *name = a ? trimmed(a, f->name) : NULL;
	char *description = a ? trimmed(a, f->description) : NULL;
	char *email = a ? trimmed(a, f->email) : NULL;
	if (!members || !name || !description || !email) {
		arena_free(a);
		return DB_NOMEM;
	}
	int rc = 0;
	if (id > 0) {
		struct admin_department_row existing;
		rc = store_admin_department_get(d, id, a, &existing);
		if (rc <= 0) {
			arena_free(a);
			return rc == 0 ? ADMIN_NOT_FOUND : rc;
		}
		rc = 0;
	}

	/* Check. */
	if (!*name)
		e->name = N_("Enter the department's name.");
	else if (chars(name) > ADMIN_NAME_MAX)
		e->name = N_("The name can have at most 100 characters.");
	if (chars(description) > ADMIN_TEXT_MAX)
		e->description = N_("The description can have at most 2000 characters.");
	if (*email) {
		if (!account_email_valid(email)) {
			e->email = N_("Enter a valid email address, or leave it empty.");
		} else {
			int64_t other = store_admin_department_id_by_email(d, email);
			if (other < 0)
				rc = (int)other;
			else if (other > 0 && other != id)
				e->email = N_("Another department already receives email at this address.");
		}
	}
	int64_t sort_order = 0;
	if (f->sort_order && *f->sort_order && !parse_int(f->sort_order, -9999, 9999, &sort_order))
		e->sort_order = N_("Enter a whole number from -9999 to 9999.");
	int nmembers = f->nmembers > ADMIN_IDS_MAX ? ADMIN_IDS_MAX : f->nmembers;
	if (nmembers > 0)
		memcpy(members, f->members, sizeof(int64_t) * (size_t)nmembers);
	nmembers = unique_ids(members, nmembers);
	int exist = rc == 0 ? store_admin_staff_exist(d, members, nmembers) : 1;
	if (exist < 0)
		rc = exist;
	else if (exist == 0)
		e->members = N_("Choose members from the list.");
	if (rc < 0 || e->name || e->description || e->email || e->sort_order || e->members) {
		arena_free(a);
		return rc < 0 ? rc : ADMIN_INVALID;
	}

	/* Proceed. */
	struct audit_snapshot snap;
	rc = db_begin_write(d);
	if (rc == 0)
		rc = audit_begin(d, &snap, "department", id);
	if (rc == 0) {
		if (id > 0) {
			rc = store_admin_department_update(d, id, name, description, email, f->visible,
			                                   sort_order);
		} else {
			int64_t new_id = store_admin_department_insert(d, name, description, email,
			                                               f->visible, sort_order, now);
			rc = new_id < 0 ? (int)new_id : 0;
			id = new_id;
		}
		if (rc == 0)
			rc = store_admin_department_set_members(d, id, members, nmembers);
		rc = audit_end(d, &snap, actor, id, now) < 0 && rc == 0 ? DB_ERROR : rc;
		rc = finish(d, rc);
	} else {
		db_rollback(d);
	}
	arena_free(a);
	if (rc == DB_CONSTRAINT) { /* the address was taken in the meantime */
		e->email = N_("Another department already receives email at this address.");
		return ADMIN_INVALID;
	}
	if (rc == 0)
		ticket_departments_changed();
	if (rc == 0 && out_id)
		*out_id = id;
	return rc;
}

int admin_department_delete(db *d, const struct actor *actor, int64_t id)
{
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	rc = store_admin_department_exists(d, id);
	if (rc <= 0) {
		db_rollback(d);
		return rc == 0 ? ADMIN_NOT_FOUND : rc;
	}
	int64_t tickets = store_admin_department_ticket_count(d, id);
	if (tickets != 0) {
		db_rollback(d);
		return tickets > 0 ? ADMIN_REFUSED : (int)tickets;
	}
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "department", id);
	if (rc == 0)
		rc = store_admin_department_delete(d, id);
	if (audit_end(d, &snap, actor, 0, audit_now()) < 0 && rc == 0)
		rc = DB_ERROR;
	rc = finish(d, rc);
	if (rc == 0)
		ticket_departments_changed();
	return rc;
}

/* ---- staff ---- */

/* What is wrong with a person's name, NULL when nothing. */
static const char *person_name_error(const char *name)
{
	if (!*name)
		return N_("Enter a name.");
	if (chars(name) > ADMIN_NAME_MAX || strlen(name) > 200)
		return N_("The name can have at most 100 characters.");
	return NULL;
}

/* What is wrong with email as the address of account id, NULL when
 * nothing: not an address, or taken (by_email finds another account).
 * A failed look-up leaves its error in *rc. */
static const char *account_email_error(db *d, int64_t (*by_email)(db *, const char *),
                                       const char *email, int64_t id, const char *taken, int *rc)
{
	if (!account_email_valid(email))
		return N_("Enter a valid email address.");
	int64_t other = by_email(d, email);
	if (other < 0)
		*rc = (int)other;
	else if (other > 0 && other != id)
		return taken;
	return NULL;
}

static bool valid_role(const char *role)
{
	return str_eq(role, "admin") || str_eq(role, "agent");
}

int admin_staff_save(db *d, const struct session *actor, int64_t id,
                     const struct admin_staff_form *f, int64_t now, struct admin_staff_errors *e,
                     int64_t *out_id)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(4096);
	int64_t *deps = a ? arena_alloc(a, sizeof(int64_t) * (size_t)(f->ndepartments + 1)) : NULL;
	char *name = a ? trimmed(a, f->name) : NULL;
	char *email = a ? trimmed(a, f->email) : NULL;
	if (!deps || !name || !email) {
		arena_free(a);
		return DB_NOMEM;
	}
	const char *password = f->password ? f->password : "";
	const char *signature = f->signature ? f->signature : "";
	int rc = 0;
	struct admin_staff_row existing = {0};
	if (id > 0) {
		rc = store_admin_staff_get(d, id, a, &existing);
		if (rc <= 0) {
			arena_free(a);
			return rc == 0 ? ADMIN_NOT_FOUND : rc;
		}
		rc = 0;
	}
	bool self = actor && id > 0 && actor->user_id == id;

	/* Check. */
	e->name = person_name_error(name);
	e->email = account_email_error(d, store_admin_staff_id_by_email, email, id,
	                               N_("A staff member with this email address already exists."),
	                               &rc);
	if (!valid_role(f->role))
		e->role = N_("Choose a role.");
	else if (self && !str_eq(f->role, "admin"))
		e->role = N_("You cannot remove your own administrator role.");
	if (self && !f->active)
		e->active = N_("You cannot deactivate your own account.");
	if (strlen(signature) > ADMIN_BODY_MAX)
		e->signature = N_("The signature is too long.");
	if (id == 0 || *password) {
		int rules = password_check_rules(password);
		if (rules < 0)
			e->password = account_error_text(rules);
	}
	int ndeps = f->ndepartments > ADMIN_IDS_MAX ? ADMIN_IDS_MAX : f->ndepartments;
	if (ndeps > 0)
		memcpy(deps, f->departments, sizeof(int64_t) * (size_t)ndeps);
	ndeps = unique_ids(deps, ndeps);
	int exist = rc == 0 ? store_admin_departments_exist(d, deps, ndeps) : 1;
	if (exist < 0)
		rc = exist;
	else if (exist == 0)
		e->departments = N_("Choose departments from the list.");
	if (rc < 0 || e->name || e->email || e->role || e->active || e->signature || e->password ||
	    e->departments) {
		arena_free(a);
		return rc < 0 ? rc : ADMIN_INVALID;
	}

	/* Proceed. A new password is hashed before the write lock is taken. */
	char hash[PASSWORD_HASH_MAX] = "";
	if (id > 0 && *password && password_hash(password, hash) < 0) {
		arena_free(a);
		return DB_NOMEM;
	}
	rc = db_begin_write(d);
	if (rc < 0) {
		arena_free(a);
		return rc;
	}
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "staff", id);
	if (rc < 0) {
		buf_free(&snap.before);
	} else if (id == 0) {
		struct account_new n = {.kind = ACCOUNT_STAFF, .email = email, .name = name,
		                        .password = password, .admin = str_eq(f->role, "admin")};
		int64_t new_id = account_create(d, &n);
		if (new_id == ACCOUNT_EMAIL_TAKEN)
			rc = DB_CONSTRAINT;
		else
			rc = new_id < 0 ? DB_ERROR : 0;
		id = new_id;
		if (rc == 0)
			rc = store_admin_staff_set_signature(d, id, signature, f->active);
	} else {
		rc = store_admin_staff_update(d, id, name, email, f->role, f->active, signature, now);
		if (rc == 0 && *hash)
			rc = store_account_set_password(d, "staff", id, hash, now);
		bool deactivated = existing.active && !f->active;
		if (rc == 0 && (deactivated || *hash))
			rc = session_end_all(d, ACCOUNT_STAFF, id, self ? actor->id : 0);
	}
	if (rc == 0)
		rc = store_admin_staff_set_departments(d, id, deps, ndeps);
	if (rc == 0) {
		struct actor who = actor_of(actor, CHANNEL_WEB);
		rc = audit_end(d, &snap, &who, id, now);
	} else if (snap.before.data) {
		buf_free(&snap.before);
	}
	rc = finish(d, rc);
	arena_free(a);
	if (rc == DB_CONSTRAINT) {
		e->email = N_("A staff member with this email address already exists.");
		return ADMIN_INVALID;
	}
	if (rc == 0)
		ticket_staff_changed(); /* name, address, state or departments */
	if (rc == 0 && out_id)
		*out_id = id;
	return rc;
}

/* ---- clients and services ---- */

int admin_client_search(db *d, const char *q, arena *a, struct admin_client_row *rows, int max)
{
	char *needle = trimmed(a, q);
	if (!needle)
		return DB_NOMEM;
	for (char *p = needle; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return store_admin_client_search(d, needle, a, rows, max);
}

static bool valid_language(const char *lang)
{
	return str_eq(lang, "pt-BR") || str_eq(lang, "en");
}

int admin_client_get(db *d, int64_t id, arena *a, struct admin_client_row *row)
{
	return store_admin_client_get(d, id, a, row);
}

int admin_client_tickets(db *d, int64_t client_id, int max, arena *a, struct ticket_row *rows)
{
	return store_ticket_list_by_client(d, client_id, TICKETS_ALL, 0, 0, max, a, rows);
}

int admin_service_get(db *d, int64_t client_id, int64_t service_id, arena *a,
                      struct admin_service_row *row)
{
	return store_admin_service_get(d, client_id, service_id, a, row);
}

/* The details form's checks, shared by creating and editing (id 0: new).
 * ADMIN_OK, ADMIN_INVALID (e) or < 0. */
static int check_client(db *d, int64_t id, const char *name, const char *email,
                        const struct admin_client_form *f, struct admin_client_errors *e)
{
	int rc = 0;
	e->name = person_name_error(name);
	e->email = account_email_error(d, store_admin_client_id_by_email, email, id,
	                               N_("An account with this email address already exists."), &rc);
	if (!valid_language(f->language))
		e->language = N_("Choose a language.");
	if (rc < 0)
		return rc;
	return e->name || e->email || e->language ? ADMIN_INVALID : ADMIN_OK;
}

/* A unique address that was someone's: the constraint says it is taken. */
static int client_saved(int rc, struct admin_client_errors *e)
{
	if (rc == DB_CONSTRAINT) {
		e->email = N_("An account with this email address already exists.");
		return ADMIN_INVALID;
	}
	return rc;
}

int admin_client_save(db *d, const struct actor *actor, int64_t id, const struct admin_client_form *f, int64_t now,
                      struct admin_client_errors *e)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(4096);
	char *name = a ? trimmed(a, f->name) : NULL;
	char *email = a ? trimmed(a, f->email) : NULL;
	if (!name || !email) {
		arena_free(a);
		return DB_NOMEM;
	}
	struct admin_client_row existing;
	int rc = store_admin_client_get(d, id, a, &existing);
	if (rc <= 0) {
		arena_free(a);
		return rc == 0 ? ADMIN_NOT_FOUND : rc;
	}
	rc = check_client(d, id, name, email, f, e);
	if (rc != ADMIN_OK) {
		arena_free(a);
		return rc;
	}

	rc = db_begin_write(d);
	struct audit_snapshot snap;
	if (rc == 0 && (rc = audit_begin(d, &snap, "client", id)) < 0)
		buf_free(&snap.before);
	if (rc == 0) {
		rc = store_admin_client_update(d, id, name, email, f->language, f->active, now);
		if (rc == 0)
			rc = ticket_search_client_changed(d, id);
		if (rc == 0 && existing.active && !f->active)
			rc = session_end_all(d, ACCOUNT_CLIENT, id, 0);
		rc = audit_end(d, &snap, actor, id, now) < 0 && rc == 0 ? DB_ERROR : rc;
		rc = finish(d, rc);
	} else {
		db_rollback(d);
	}
	arena_free(a);
	return client_saved(rc, e);
}

int admin_client_create(db *d, const struct actor *actor, const struct admin_client_form *f,
                        int64_t now, struct admin_client_errors *e, int64_t *out_id)
{
	memset(e, 0, sizeof *e);
	*out_id = 0;
	if (!actor_is_staff(actor) || !actor->account->admin)
		return ADMIN_REFUSED;
	arena *a = arena_new(4096);
	char *name = a ? trimmed(a, f->name) : NULL;
	char *email = a ? trimmed(a, f->email) : NULL;
	int rc = name && email ? check_client(d, 0, name, email, f, e) : DB_NOMEM;
	if (rc != ADMIN_OK) {
		arena_free(a);
		return rc;
	}
	rc = db_begin_write(d);
	struct audit_snapshot snap;
	if (rc == 0 && (rc = audit_begin(d, &snap, "client", 0)) < 0)
		buf_free(&snap.before);
	if (rc == 0) {
		int64_t id = store_client_insert(d, email, name, NULL, f->language, now);
		rc = id < 0 ? (int)id : 0;
		if (rc == 0)
			*out_id = id;
		rc = audit_end(d, &snap, actor, id > 0 ? id : 0, now) < 0 && rc == 0 ? DB_ERROR : rc;
		rc = finish(d, rc);
	} else {
		db_rollback(d);
	}
	arena_free(a);
	if (rc != 0)
		*out_id = 0;
	return client_saved(rc, e);
}

int admin_client_anonymise(db *d, const struct actor *actor, int64_t id, int64_t now)
{
	if (!actor_is_staff(actor) || !actor->account->admin)
		return ADMIN_REFUSED;
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct admin_client_row c;
	int rc = store_admin_client_get(d, id, a, &c);
	if (rc <= 0) {
		arena_free(a);
		return rc == 0 ? ADMIN_NOT_FOUND : rc;
	}
	/* .invalid never resolves (RFC 2606): no email can reach it. */
	char email[64];
	snprintf(email, sizeof email, "removido-%lld@anonimizado.invalid", (long long)id);
	rc = db_begin_write(d);
	struct audit_snapshot snap;
	if (rc == 0 && (rc = audit_begin(d, &snap, "client", id)) < 0)
		buf_free(&snap.before);
	if (rc == 0) {
		rc = store_client_anonymise(d, id, c.email, email, now);
		/* The old name and email leave the search index too. */
		if (rc == 0)
			rc = ticket_search_client_changed(d, id);
		if (rc == 0)
			rc = session_end_all(d, ACCOUNT_CLIENT, id, 0);
		/* The people of the account go with it. */
		if (rc == 0)
			rc = contact_anonymise_all(d, id, now);
		rc = audit_end(d, &snap, actor, id, now) < 0 && rc == 0 ? DB_ERROR : rc;
		rc = finish(d, rc);
	} else {
		db_rollback(d);
	}
	arena_free(a);
	return rc;
}

const char *const admin_service_kinds[][2] = {
	{"hosting", N_("Hosting")},
	{"domain", N_("Domain")},
	{"other", N_("Other")},
	{NULL, NULL},
};

const char *const admin_service_statuses[][2] = {
	{"pending", N_("Pending")},
	{"active", N_("Active")},
	{"suspended", N_("Suspended")},
	{"cancelled", N_("Cancelled")},
	{"terminated", N_("Terminated")},
	{"expired", N_("Expired")},
	{NULL, NULL},
};

static const char *label_of(const char *const table[][2], const char *value)
{
	for (int i = 0; table[i][0]; i++)
		if (str_eq(table[i][0], value))
			return table[i][1];
	return NULL;
}

const char *admin_service_kind_label(const char *kind)
{
	const char *label = label_of(admin_service_kinds, kind);
	return label ? label : kind;
}

const char *admin_service_status_label(const char *status)
{
	const char *label = label_of(admin_service_statuses, status);
	return label ? label : status;
}

int admin_service_save(db *d, const struct actor *actor, int64_t client_id, int64_t service_id,
                       const struct admin_service_form *f, int64_t now,
                       struct admin_service_errors *e)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(2048);
	char *label = a ? trimmed(a, f->label) : NULL;
	if (!label) {
		arena_free(a);
		return DB_NOMEM;
	}
	struct admin_client_row client;
	int rc = store_admin_client_get(d, client_id, a, &client);
	if (rc == 1 && service_id > 0) {
		struct admin_service_row existing;
		rc = store_admin_service_get(d, client_id, service_id, a, &existing);
	}
	if (rc <= 0) {
		arena_free(a);
		return rc == 0 ? ADMIN_NOT_FOUND : rc;
	}

	if (!label_of(admin_service_kinds, f->kind))
		e->kind = N_("Choose a kind.");
	if (!*label)
		e->label = N_("Enter a label, such as the plan and the domain.");
	else if (chars(label) > ADMIN_TITLE_MAX)
		e->label = N_("The label can have at most 200 characters.");
	if (!label_of(admin_service_statuses, f->status))
		e->status = N_("Choose a status.");
	if (e->kind || e->label || e->status) {
		arena_free(a);
		return ADMIN_INVALID;
	}

	struct audit_snapshot snap;
	rc = db_begin_write(d);
	if (rc < 0) {
		arena_free(a);
		return rc;
	}
	rc = audit_begin(d, &snap, "service", service_id);
	if (rc == 0 && service_id > 0) {
		rc = store_admin_service_update(d, service_id, f->kind, label, f->status);
	} else if (rc == 0) {
		int64_t new_id = store_service_insert(d, client_id, f->kind, label, f->status, now);
		rc = new_id < 0 ? (int)new_id : 0;
		service_id = new_id;
	}
	rc = audit_end(d, &snap, actor, service_id, now) < 0 && rc == 0 ? DB_ERROR : rc;
	arena_free(a);
	return finish(d, rc);
}

int admin_service_delete(db *d, const struct actor *actor, int64_t client_id, int64_t service_id)
{
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	struct admin_service_row existing;
	int rc = store_admin_service_get(d, client_id, service_id, a, &existing);
	arena_free(a);
	if (rc <= 0)
		return rc == 0 ? ADMIN_NOT_FOUND : rc;
	return audited_delete(d, actor, "service", service_id, store_admin_service_delete);
}

/* ---- predefined replies ---- */

int admin_reply_save(db *d, const struct actor *actor, int64_t id, const struct admin_reply_form *f, int64_t now,
                     struct admin_reply_errors *e, int64_t *out_id)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(2048);
	char *title = a ? trimmed(a, f->title) : NULL;
	char *body_check = a ? trimmed(a, f->body) : NULL;
	if (!title || !body_check) {
		arena_free(a);
		return DB_NOMEM;
	}
	int rc = 0;
	if (id > 0) {
		struct admin_reply_row existing;
		rc = store_admin_reply_get(d, id, a, &existing);
		if (rc <= 0) {
			arena_free(a);
			return rc == 0 ? ADMIN_NOT_FOUND : rc;
		}
		rc = 0;
	}
	const char *body = f->body ? f->body : "";

	if (!*title)
		e->title = N_("Enter a title.");
	else if (chars(title) > ADMIN_TITLE_MAX)
		e->title = N_("The title can have at most 200 characters.");
	if (!*body_check)
		e->body = N_("Write the reply.");
	else if (strlen(body) > ADMIN_BODY_MAX)
		e->body = N_("The reply is too long.");
	int64_t department_id = 0;
	if (f->department && *f->department &&
	    !parse_int(f->department, 0, INT64_MAX, &department_id)) {
		e->department = N_("Choose a department, or All departments.");
	} else if (department_id > 0) {
		int exists = store_admin_department_exists(d, department_id);
		if (exists < 0)
			rc = exists;
		else if (exists == 0)
			e->department = N_("Choose a department, or All departments.");
	}
	if (rc < 0 || e->title || e->body || e->department) {
		arena_free(a);
		return rc < 0 ? rc : ADMIN_INVALID;
	}

	struct audit_snapshot snap;
	rc = db_begin_write(d);
	if (rc < 0) {
		arena_free(a);
		return rc;
	}
	rc = audit_begin(d, &snap, "reply", id);
	if (rc == 0 && id > 0) {
		rc = store_admin_reply_update(d, id, department_id, title, body, now);
	} else if (rc == 0) {
		int64_t new_id = store_admin_reply_insert(d, department_id, title, body, now);
		rc = new_id < 0 ? (int)new_id : 0;
		id = new_id;
	}
	rc = audit_end(d, &snap, actor, id, now) < 0 && rc == 0 ? DB_ERROR : rc;
	rc = finish(d, rc);
	arena_free(a);
	if (rc == 0)
		staff_ticket_lists_changed();
	if (rc == 0 && out_id)
		*out_id = id;
	return rc;
}

int admin_reply_delete(db *d, const struct actor *actor, int64_t id)
{
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	struct admin_reply_row existing;
	int rc = store_admin_reply_get(d, id, a, &existing);
	arena_free(a);
	if (rc <= 0)
		return rc == 0 ? ADMIN_NOT_FOUND : rc;
	rc = audited_delete(d, actor, "reply", id, store_admin_reply_delete);
	if (rc == 0)
		staff_ticket_lists_changed();
	return rc;
}

/* ---- settings ---- */

const char ADMIN_ALLOWED_EXTENSIONS[] = "jpg,jpeg,png,gif,pdf,txt,log,zip";

/* What struct app and struct admin_settings hold of the company's name. */
enum { COMPANY_BYTES_MAX = 127 };

static const struct {
	const char *key;
	int64_t min, max, fallback;
} int_settings[] = {
	{"auto_close_days", 0, 365, 7},
	{"ticket_number_digits", 6, 9, 6},
	{"attachment_max_files", 1, 20, 5},
	{"attachment_max_mb", 1, 50, 10},
};

static bool valid_color(const char *c)
{
	if (strlen(c) != 7 || c[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)c[i]))
			return false;
	return true;
}

static bool allowed_extension(const char *ext, size_t len)
{
	const char *p = ADMIN_ALLOWED_EXTENSIONS;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, ext, len) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* "PNG, .jpg,png" -> "png,jpg": lowercase, without dots, spaces or
 * repeats. False when a piece is not allowed or none is given. */
static bool normalise_extensions(const char *in, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	const char *p = in ? in : "";
	while (*p) {
		size_t n = strcspn(p, ",");
		char piece[16];
		size_t k = 0;
		bool too_long = false;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			if (c == ' ' || c == '\t' || (c == '.' && k == 0))
				continue;
			if (k + 1 >= sizeof piece) {
				too_long = true;
				break;
			}
			piece[k++] = (char)tolower(c);
		}
		piece[k] = '\0';
		if (too_long || (k > 0 && !allowed_extension(piece, k)))
			return false;
		/* Skip empty pieces ("jpg,,png") and repeats. */
		bool repeat = false;
		for (const char *q = out; k > 0 && *q && !repeat;) {
			size_t m = strcspn(q, ",");
			repeat = m == k && strncmp(q, piece, k) == 0;
			q += m;
			if (*q == ',')
				q++;
		}
		if (k > 0 && !repeat) {
			if (used + k + 2 > outlen)
				return false;
			used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? "," : "", piece);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return used > 0;
}

static int64_t int_setting(db *d, int i)
{
	char value[32], fallback[24];
	snprintf(fallback, sizeof fallback, "%lld", (long long)int_settings[i].fallback);
	store_setting_get(d, int_settings[i].key, fallback, value, sizeof value);
	int64_t n;
	if (!str_to_int64(value, int_settings[i].min, int_settings[i].max, &n))
		n = int_settings[i].fallback;
	return n;
}

void admin_settings_load(db *d, struct admin_settings *out)
{
	memset(out, 0, sizeof *out);
	store_setting_get(d, "company_name", "Central de Suporte", out->company_name,
	                  sizeof out->company_name);
	store_setting_get(d, "brand_color", "#1f5fbf", out->brand_color, sizeof out->brand_color);
	if (!valid_color(out->brand_color))
		snprintf(out->brand_color, sizeof out->brand_color, "%s", "#1f5fbf");
	char flag[8];
	store_setting_get(d, "show_powered_by", "1", flag, sizeof flag);
	out->show_powered_by = flag[0] == '1';
	store_setting_get(d, "registration_open", "1", flag, sizeof flag);
	out->registration_open = flag[0] == '1';
	out->auto_close_days = (int)int_setting(d, 0);
	out->ticket_number_digits = (int)int_setting(d, 1);
	char format[16];
	store_setting_get(d, "ticket_number_format", "random", format, sizeof format);
	out->ticket_number_sequential = str_eq(format, "sequential");
	char prefix[32];
	store_setting_get(d, "ticket_number_prefix", "", prefix, sizeof prefix);
	if (!ticket_number_prefix_normalise(prefix, out->ticket_number_prefix))
		out->ticket_number_prefix[0] = '\0';
	store_setting_get(d, "ticket_number_year", "1", flag, sizeof flag);
	out->ticket_number_year = flag[0] == '1';
	out->attachment_max_files = (int)int_setting(d, 2);
	out->attachment_max_mb = (int)int_setting(d, 3);
	char list[256];
	store_setting_get(d, "attachment_extensions", ADMIN_ALLOWED_EXTENSIONS, list, sizeof list);
	if (!normalise_extensions(list, out->attachment_extensions, sizeof out->attachment_extensions))
		snprintf(out->attachment_extensions, sizeof out->attachment_extensions, "%s",
		         ADMIN_ALLOWED_EXTENSIONS);
	char policy[16];
	store_setting_get(d, "mail_unknown_sender", "create", policy, sizeof policy);
	out->mail_refuse_unknown = str_eq(policy, "refuse");
	store_setting_get(d, "mail_banned_senders", "", out->mail_banned_senders,
	                  sizeof out->mail_banned_senders);
	char url[256];
	store_setting_get(d, "base_url", "", url, sizeof url);
	if (!admin_base_url_normalise(url, out->base_url, sizeof out->base_url))
		out->base_url[0] = '\0';
}

bool admin_base_url_normalise(const char *in, char *out, size_t n)
{
	char url[512];
	snprintf(url, sizeof url, "%s", in ? in : "");
	str_trim(url);
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	out[0] = '\0';
	if (len == 0)
		return true;
	if (len >= n)
		return false;
	const char *host = str_starts_with(url, "https://") ? url + 8
	                   : str_starts_with(url, "http://") ? url + 7 : NULL;
	if (!host || !*host || *host == '/' || *host == ':')
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\'' || *p == '<' || *p == '>' ||
		    *p == '\\' || (unsigned char)*p >= 0x7f)
			return false;
	memcpy(out, url, len + 1);
	return true;
}

/* One address or @domain per line (commas also separate): each must hold an
 * @ and no spaces inside. Writes the list one per line into out. */
static bool normalise_banned(const char *in, char *out, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *p = in ? in : ""; *p;) {
		p += strspn(p, " \t\r\n,;");
		size_t len = strcspn(p, " \t\r\n,;");
		if (len == 0)
			break;
		if (!memchr(p, '@', len) || used + len + 2 > n)
			return false;
		memcpy(out + used, p, len);
		used += len;
		out[used++] = '\n';
		out[used] = '\0';
		p += len;
	}
	return true;
}

int admin_settings_save(db *d, const struct actor *actor, const struct admin_settings_form *f,
                        struct admin_settings_errors *e)
{
	memset(e, 0, sizeof *e);
	char company[512], color[16], extensions[96];
	snprintf(company, sizeof company, "%s", f->company_name ? f->company_name : "");
	str_trim(company);
	snprintf(color, sizeof color, "%s", f->brand_color ? f->brand_color : "");
	str_trim(color);
	for (char *p = color; *p; p++)
		*p = (char)tolower((unsigned char)*p);

	/* Check. */
	if (!*company)
		e->company_name = N_("Enter the company's name.");
	else if (strlen(f->company_name) >= sizeof company || chars(company) > ADMIN_NAME_MAX ||
	         strlen(company) > COMPANY_BYTES_MAX)
		e->company_name = N_("The name can have at most 100 characters.");
	if (!valid_color(color))
		e->brand_color = N_("Enter a colour as # and six hexadecimal digits, such as #1f5fbf.");
	const char *numbers[] = {f->auto_close_days, f->ticket_number_digits, f->attachment_max_files,
	                         f->attachment_max_mb};
	const char **errors[] = {&e->auto_close_days, &e->ticket_number_digits,
	                         &e->attachment_max_files, &e->attachment_max_mb};
	static const char *const range_errors[] = {
		N_("Enter a number of days from 0 to 365 (0: never)."),
		N_("Enter a number of digits from 6 to 9."),
		N_("Enter a number of files from 1 to 20."),
		N_("Enter a size in MB from 1 to 50."),
	};
	int64_t values[4];
	for (int i = 0; i < 4; i++)
		if (!parse_int(numbers[i], int_settings[i].min, int_settings[i].max, &values[i]))
			*errors[i] = range_errors[i];
	if (!normalise_extensions(f->attachment_extensions, extensions, sizeof extensions))
		e->attachment_extensions =
			N_("List one or more of these extensions, separated by commas: jpg, jpeg, png, gif, pdf, txt, log, zip.");
	char banned[2048];
	if (!normalise_banned(f->mail_banned_senders, banned, sizeof banned))
		e->mail_banned_senders =
			N_("Write one address (ana@example.com) or domain (@example.com) per line.");
	char base_url[256];
	if (!admin_base_url_normalise(f->base_url, base_url, sizeof base_url))
		e->base_url = N_("Enter the address customers use, such as https://suporte.example.com, or leave it empty.");
	char prefix[16];
	bool sequential = str_eq(f->ticket_number_format, "sequential");
	if (!ticket_number_prefix_normalise(f->ticket_number_prefix, prefix))
		e->ticket_number_prefix = N_("Use up to 10 letters (A to Z) and digits, or leave it empty.");
	if (e->company_name || e->brand_color || e->auto_close_days || e->ticket_number_digits ||
	    e->attachment_max_files || e->attachment_max_mb || e->attachment_extensions ||
	    e->mail_banned_senders || e->base_url || e->ticket_number_prefix)
		return ADMIN_INVALID;

	/* Proceed. */
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "settings", 0);
	if (rc == 0)
		rc = store_setting_set(d, "company_name", company);
	if (rc == 0)
		rc = store_setting_set(d, "brand_color", color);
	if (rc == 0)
		rc = store_setting_set(d, "show_powered_by", f->show_powered_by ? "1" : "0");
	if (rc == 0)
		rc = store_setting_set(d, "registration_open", f->registration_open ? "1" : "0");
	for (int i = 0; rc == 0 && i < 4; i++) {
		char value[24];
		snprintf(value, sizeof value, "%lld", (long long)values[i]);
		rc = store_setting_set(d, int_settings[i].key, value);
	}
	if (rc == 0)
		rc = store_setting_set(d, "ticket_number_format", sequential ? "sequential" : "random");
	if (rc == 0)
		rc = store_setting_set(d, "ticket_number_prefix", prefix);
	if (rc == 0)
		rc = store_setting_set(d, "ticket_number_year", f->ticket_number_year ? "1" : "0");
	if (rc == 0)
		rc = store_setting_set(d, "attachment_extensions", extensions);
	if (rc == 0)
		rc = store_setting_set(d, "mail_unknown_sender", f->mail_refuse_unknown ? "refuse" : "create");
	if (rc == 0)
		rc = store_setting_set(d, "mail_banned_senders", banned);
	if (rc == 0)
		rc = store_setting_set(d, "base_url", base_url);
	if (audit_end(d, &snap, actor, 0, audit_now()) < 0 && rc == 0)
		rc = DB_ERROR;
	return finish(d, rc);
}
