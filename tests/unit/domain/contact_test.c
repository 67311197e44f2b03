/* Contacts (sub-accounts) of a client account: which account's tickets a
 * session works on, who may manage contacts, that a contact opens and
 * writes for the account as themselves only with the permission, who is
 * emailed, and that removing a contact ends their sessions. Against a real
 * SQLite file with the real templates; emails are read back from the
 * outbox. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "domain/contact.h"
#include "domain/password.h"
#include "domain/permission.h"
#include "domain/setup.h"
#include "domain/ticket.h"
#include "mail/notice.h"
#include "store/department_store.h"
#include "store/ticket_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static tpl_set *templates;
static i18n_catalog *catalog;
static struct mailer mailer;
static struct notifier notifier;
static const int64_t T0 = 1800000000;
static struct session owner, other_owner, agent;
static int64_t dep;
static arena *a;

static struct session make_account(enum account_kind kind, const char *email)
{
	struct account_new n = {.kind = kind, .email = email, .name = email, .password = "senha1234"};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	struct session s = {.kind = kind, .user_id = id};
	snprintf(s.name, sizeof s.name, "%s", email);
	snprintf(s.email, sizeof s.email, "%s", email);
	snprintf(s.language, sizeof s.language, "pt-BR");
	return s;
}

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	char err[512];
	d = test_db_with_defaults("contact", path, sizeof path);
	catalog = i18n_load(CHAMADO_DEFAULT_MO_DIR, err, sizeof err);
	cr_assert_not_null(catalog, "%s", err);
	templates = tpl_load_dir(CHAMADO_DEFAULT_SHARE_DIR "/templates", catalog, NULL, err, sizeof err);
	cr_assert_not_null(templates, "%s", err);
	mailer = (struct mailer){templates, catalog, "suporte@exemplo.com.br", "https://suporte.exemplo.com.br", "Exemplo"};
	notifier = mail_notifier(&mailer);
	struct department_row deps[3];
	cr_assert_eq(store_department_list_visible(d, deps, 3), 3);
	dep = deps[0].id;
	owner = make_account(ACCOUNT_CLIENT, "maria@exemplo.com.br");
	other_owner = make_account(ACCOUNT_CLIENT, "jose@exemplo.com.br");
	agent = make_account(ACCOUNT_STAFF, "admin@exemplo.com.br");
	agent.admin = true;
	a = arena_new(16384);
}

static void teardown(void)
{
	arena_free(a);
	tpl_set_free(templates);
	i18n_free(catalog);
	db_close(d);
	unlink(path);
}

TestSuite(contact, .init = setup, .fini = teardown);

static struct actor as(const struct session *s)
{
	return actor_of(s, CHANNEL_WEB);
}

/* Adds a contact of owner_session; returns a session as sign-in resumes it. */
static struct session add_contact(const struct session *owner_session, const char *email,
                                  bool can_tickets, bool gets_emails)
{
	struct contact_form f = {.name = email, .email = email, .can_tickets = can_tickets,
	                         .gets_emails = gets_emails};
	struct contact_errors e;
	int64_t id = 0;
	struct actor who = as(owner_session);
	cr_assert_eq(contact_add(d, &notifier, &who, &f, T0, &e, &id), CONTACT_OK);
	cr_assert_gt(id, 0);
	char token[TOKEN_LEN + 1];
	struct session s;
	cr_assert_eq(session_start(d, ACCOUNT_CLIENT, id, T0, NULL, token, NULL), 0);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, token, T0 + 1, &s), 1);
	return s;
}

static int64_t open_as(const struct session *s, const char *subject, int *rc)
{
	struct ticket_form f = {.department_id = dep, .subject = subject, .priority = "medium",
	                        .message = "O site caiu."};
	struct ticket_errors e;
	struct ticket_opened opened;
	struct actor who = as(s);
	*rc = ticket_open(d, &notifier, &who, &f, T0, &e, &opened);
	return opened.number;
}

static struct ticket_row ticket(int64_t number)
{
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, number, a, &t), 1);
	return t;
}

static int64_t count(const char *sql, const char *text)
{
	db_stmt *s = db_prepare(d, sql);
	if (text)
		db_bind_text(s, 1, text);
	return db_scalar_int(s, -1);
}

static int64_t mails_to_containing(const char *address, const char *text)
{
	char sql[512];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE '%%%s%%' AND body_text LIKE $1", address);
	char like[256];
	snprintf(like, sizeof like, "%%%s%%", text);
	db_stmt *s = db_prepare(d, arena_strdup(a, sql));
	db_bind_text(s, 1, like);
	return db_scalar_int(s, -1);
}

Test(contact, a_session_works_on_its_own_account_or_the_owners_only_with_the_permission)
{
	struct session s = {.kind = ACCOUNT_CLIENT, .user_id = 7};
	cr_assert_eq(session_ticket_account(&s), 7, "an owner works on their own account");
	s.owner_id = 3;
	cr_assert_eq(session_ticket_account(&s), 0, "a contact without the permission works on none");
	s.contact_tickets = true;
	cr_assert_eq(session_ticket_account(&s), 3, "a contact with it works on the owner's");
	struct session cc = {.kind = ACCOUNT_CLIENT, .cc_id = 5};
	cr_assert_eq(session_ticket_account(&cc), 0);
	struct session staff = {.kind = ACCOUNT_STAFF, .user_id = 7};
	cr_assert_eq(session_ticket_account(&staff), 0);
	cr_assert_eq(session_ticket_account(NULL), 0);
}

Test(contact, only_the_owner_manages_contacts)
{
	struct session contact = add_contact(&owner, "carlos@empresa.example", true, true);
	struct actor o = as(&owner), c = as(&contact), st = as(&agent);
	struct session cc = {.kind = ACCOUNT_CLIENT, .cc_id = 1};
	struct actor ccs = as(&cc);
	struct actor system = {.channel = CHANNEL_SYSTEM};
	cr_assert(contact_may_manage(&o));
	cr_assert_not(contact_may_manage(&c), "a contact manages contacts");
	cr_assert_not(contact_may_manage(&st));
	cr_assert_not(contact_may_manage(&ccs));
	cr_assert_not(contact_may_manage(&system));
	struct contact_form f = {.name = "Outro", .email = "outro@empresa.example", .can_tickets = true};
	struct contact_errors e;
	int64_t id = 0;
	cr_assert_eq(contact_add(d, &notifier, &c, &f, T0, &e, &id), CONTACT_NOT_FOUND);
	cr_assert_eq(contact_update(d, &c, contact.user_id, true, true, T0), CONTACT_NOT_FOUND);
	cr_assert_eq(contact_remove(d, &c, contact.user_id, T0), CONTACT_NOT_FOUND);
	/* Another owner cannot touch Maria's contact either. */
	struct actor jose = as(&other_owner);
	cr_assert_eq(contact_update(d, &jose, contact.user_id, false, false, T0), CONTACT_NOT_FOUND);
	cr_assert_eq(contact_remove(d, &jose, contact.user_id, T0), CONTACT_NOT_FOUND);
}

Test(contact, adding_checks_the_address_and_emails_the_link_to_choose_a_password)
{
	struct actor o = as(&owner);
	struct contact_errors e;
	int64_t id = 0;
	struct contact_form bad = {.name = "", .email = "nao-e-email"};
	cr_assert_eq(contact_add(d, &notifier, &o, &bad, T0, &e, &id), CONTACT_INVALID);
	cr_assert_not_null(e.name);
	cr_assert_not_null(e.email);
	struct contact_form taken = {.name = "José", .email = "JOSE@exemplo.com.br"};
	cr_assert_eq(contact_add(d, &notifier, &o, &taken, T0, &e, &id), CONTACT_INVALID,
	             "another client's address became a contact");
	add_contact(&owner, "carlos@empresa.example", true, false);
	cr_assert_eq(mails_to_containing("carlos@empresa.example", "/reset/"), 1);
	cr_assert_eq(count("SELECT count(*) FROM admin_audit WHERE kind = 'contact.create' "
	                   "AND subject = $1", "carlos@empresa.example"), 1);
}

Test(contact, with_the_permission_a_contact_opens_for_the_account_and_writes_as_themselves)
{
	struct session contact = add_contact(&owner, "carlos@empresa.example", true, false);
	int rc;
	int64_t number = open_as(&contact, "Aberto pelo Carlos", &rc);
	cr_assert_eq(rc, TICKET_OK);
	struct ticket_row t = ticket(number);
	cr_assert_eq(t.client_id, owner.user_id, "the ticket is not the account's");
	cr_assert_eq(permission_ticket(d, &owner, &t), 1);
	cr_assert_eq(permission_ticket(d, &contact, &t), 1);
	struct ticket_thread th;
	cr_assert_eq(ticket_thread_load(d, t.id, false, a, &th), 0);
	cr_assert_eq(th.nmessages, 1);
	cr_assert_eq(th.messages[0].author_client_id, contact.user_id);
	cr_assert_str_eq(th.messages[0].author_name, "carlos@empresa.example");
	/* The one who opened it is told even without "gets ticket emails". */
	cr_assert_eq(mails_to_containing("carlos@empresa.example", "Aberto pelo Carlos"), 1);
	struct ticket_row rows[5];
	cr_assert_eq(ticket_list_for_client(d, &contact, TICKETS_ALL, 0, 0, 5, a, rows), 1);
}

Test(contact, without_the_permission_a_contact_sees_and_opens_nothing)
{
	struct session contact = add_contact(&owner, "dora@empresa.example", false, true);
	int rc;
	int64_t number = open_as(&owner, "Da Maria", &rc);
	cr_assert_eq(rc, TICKET_OK);
	struct ticket_row t = ticket(number);
	cr_assert_eq(permission_ticket(d, &contact, &t), 0);
	struct ticket_row rows[5];
	cr_assert_eq(ticket_list_for_client(d, &contact, TICKETS_ALL, 0, 0, 5, a, rows), 0);
	cr_assert_eq(ticket_open_count(d, &contact), 0);
	open_as(&contact, "Da Dora", &rc);
	cr_assert_eq(rc, TICKET_NOT_FOUND);
	struct actor who = as(&contact);
	struct ticket_post p = {.message = "Intrusa"};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, &notifier, &who, number, &p, T0, &e), TICKET_NOT_FOUND);
}

Test(contact, a_contact_never_reaches_another_accounts_tickets)
{
	struct session contact = add_contact(&owner, "carlos@empresa.example", true, true);
	int rc;
	int64_t number = open_as(&other_owner, "Do José", &rc);
	cr_assert_eq(rc, TICKET_OK);
	struct ticket_row t = ticket(number);
	cr_assert_eq(permission_ticket(d, &contact, &t), 0);
}

Test(contact, a_change_of_permission_reaches_the_session_at_once_and_removal_ends_it)
{
	struct contact_form f = {.name = "Carlos", .email = "carlos@empresa.example", .can_tickets = true};
	struct contact_errors e;
	int64_t id = 0;
	struct actor o = as(&owner);
	cr_assert_eq(contact_add(d, &notifier, &o, &f, T0, &e, &id), CONTACT_OK);
	char token[TOKEN_LEN + 1];
	struct session s;
	cr_assert_eq(session_start(d, ACCOUNT_CLIENT, id, T0, NULL, token, NULL), 0);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, token, T0 + 1, &s), 1);
	cr_assert_eq(session_ticket_account(&s), owner.user_id);
	cr_assert_eq(contact_update(d, &o, id, false, false, T0), CONTACT_OK);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, token, T0 + 2, &s), 1);
	cr_assert_eq(session_ticket_account(&s), 0, "the old permission outlived the change");
	cr_assert_eq(contact_remove(d, &o, id, T0), CONTACT_OK);
	cr_assert_eq(session_resume(d, ACCOUNT_CLIENT, token, T0 + 3, &s), 0, "the session outlived the removal");
	cr_assert_eq(count("SELECT count(*) FROM admin_audit WHERE kind = 'contact.delete'", NULL), 1);
}

Test(contact, ticket_emails_reach_contacts_who_get_them_never_notes)
{
	add_contact(&owner, "carlos@empresa.example", true, true);
	add_contact(&owner, "dora@empresa.example", true, false);
	int rc;
	int64_t number = open_as(&owner, "Da Maria", &rc);
	cr_assert_eq(rc, TICKET_OK);
	struct actor staff = as(&agent);
	struct ticket_post note = {.message = "NOTA-SECRETA"}, reply = {.message = "RESPOSTA-PUBLICA"};
	struct ticket_errors e;
	cr_assert_eq(ticket_note(d, &staff, number, &note, T0, &e), TICKET_OK);
	cr_assert_eq(ticket_reply(d, &notifier, &staff, number, &reply, T0, &e), TICKET_OK);
	cr_assert_eq(mails_to_containing("carlos@empresa.example", "RESPOSTA-PUBLICA"), 1);
	cr_assert_eq(mails_to_containing("dora@empresa.example", "RESPOSTA-PUBLICA"), 0);
	cr_assert_eq(mails_to_containing("carlos@empresa.example", "NOTA-SECRETA"), 0);
	cr_assert_eq(mails_to_containing("carlos@empresa.example", "/t/"), 0,
	             "a contact's email carries the owner's access key");
}

Test(contact, anonymising_the_account_anonymises_its_contacts)
{
	struct session contact = add_contact(&owner, "carlos@empresa.example", true, true);
	cr_assert_eq(db_begin_write(d), 0);
	cr_assert_eq(contact_anonymise_all(d, owner.user_id, T0), 0);
	cr_assert_eq(db_commit(d), 0);
	cr_assert_eq(count("SELECT count(*) FROM clients WHERE email LIKE '%carlos%' OR name LIKE '%carlos%'", NULL), 0);
	struct contact_row rows[2];
	cr_assert_eq(contact_list_of_account(d, owner.user_id, a, rows, 2), 1);
	cr_assert_not(rows[0].can_tickets);
	cr_assert_not(rows[0].active);
	(void)contact;
}

Test(contact, staff_who_pick_a_contact_open_the_ticket_for_the_contacts_account)
{
	struct session contact = add_contact(&owner, "carlos@empresa.example", false, false);
	struct ticket_form f = {.department_id = dep, .subject = "Pelo telefone", .priority = "medium",
	                        .message = "O Carlos ligou.", .client_id = contact.user_id};
	struct ticket_errors e;
	struct ticket_opened opened;
	struct actor staff = as(&agent);
	cr_assert_eq(ticket_open(d, &notifier, &staff, &f, T0, &e, &opened), TICKET_OK);
	cr_assert_eq(ticket(opened.number).client_id, owner.user_id);
}
