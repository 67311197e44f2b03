/* CC contacts and the password-less access link: who may copy whom, what a
 * CC is told, that a CC writes as the client's side of one ticket only, and
 * that a link's key opens its own ticket and nothing else. Against a real
 * SQLite file with the real templates; keys are read back from the emails
 * queued in the outbox, as a person would click them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "build_config.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/staff_ticket.h"
#include "domain/ticket_cc.h"
#include "mail/notice.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static tpl_set *templates;
static i18n_catalog *catalog;
static struct mailer mailer;
static struct notifier notifier;
static const int64_t T0 = 1800000000;
static struct session client, other_client, agent_a, agent_b;
static int64_t dep_a, dep_b;
static arena *a;

static struct session make_account(enum account_kind kind, const char *email, int64_t dep)
{
	struct account_new n = {.kind = kind, .email = email, .name = email, .password = "senha1234"};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	if (dep)
		cr_assert_eq(store_staff_department_add(d, id, dep), 0);
	struct session s = {.kind = kind, .user_id = id};
	snprintf(s.name, sizeof s.name, "%s", email);
	snprintf(s.email, sizeof s.email, "%s", email);
	return s;
}

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	char err[512];
	d = test_db_with_defaults("cc", path, sizeof path);
	catalog = i18n_load(CHAMADO_DEFAULT_MO_DIR, err, sizeof err);
	cr_assert_not_null(catalog, "%s", err);
	templates = tpl_load_dir(CHAMADO_DEFAULT_SHARE_DIR "/templates", catalog, NULL, err, sizeof err);
	cr_assert_not_null(templates, "%s", err);
	mailer = (struct mailer){templates, catalog, "suporte@exemplo.com.br", "https://suporte.exemplo.com.br", "Exemplo"};
	notifier = mail_notifier(&mailer);
	struct department_row deps[3];
	cr_assert_eq(store_department_list_visible(d, deps, 3), 3);
	dep_a = deps[0].id;
	dep_b = deps[1].id;
	client = make_account(ACCOUNT_CLIENT, "maria@exemplo.com.br", 0);
	other_client = make_account(ACCOUNT_CLIENT, "jose@exemplo.com.br", 0);
	agent_a = make_account(ACCOUNT_STAFF, "a@exemplo.com.br", dep_a);
	agent_b = make_account(ACCOUNT_STAFF, "b@exemplo.com.br", dep_b);
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

TestSuite(ticket_cc, .init = setup, .fini = teardown);

static struct actor as(struct session *s)
{
	return actor_of(s, CHANNEL_WEB);
}

static int64_t open_with(const char *cc, struct ticket_errors *e)
{
	struct ticket_form f = {.department_id = dep_a, .subject = "Site fora do ar", .priority = "medium",
	                        .message = "O site caiu.", .cc = cc};
	struct ticket_opened opened;
	struct actor who = as(&client);
	int rc = ticket_open(d, &notifier, &who, &f, T0, e, &opened);
	return rc == TICKET_OK ? opened.number : -rc;
}

static int64_t count(const char *sql, const char *text)
{
	db_stmt *s = db_prepare(d, sql);
	if (text)
		db_bind_text(s, 1, text);
	return db_scalar_int(s, -1);
}

static int64_t mails_to(const char *address)
{
	char like[300];
	snprintf(like, sizeof like, "%%%s%%", address);
	return count("SELECT count(*) FROM outbox WHERE to_address LIKE $1", like);
}

/* The key of the access link in the newest email to address, in a. */
static const char *last_key(const char *address, int64_t number)
{
	static const char sql[] =
		"SELECT body_text FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE $1 AND body_text LIKE $2 "
		"ORDER BY id DESC LIMIT 1";
	char like[300], prefix[64], like_link[80];
	snprintf(like, sizeof like, "%%%s%%", address);
	snprintf(prefix, sizeof prefix, "/t/%lld/", (long long)number);
	snprintf(like_link, sizeof like_link, "%%%s%%", prefix);
	db_stmt *s = db_prepare(d, sql);
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, like_link);
	cr_assert_eq(db_step(s), DB_ROW, "no email to %s", address);
	const char *body = db_col_text(s, 0);
	const char *at = strstr(body, prefix);
	cr_assert_not_null(at, "no access link of #%lld in the email to %s:\n%s", (long long)number, address, body);
	const char *key = arena_strndup(a, at + strlen(prefix), TOKEN_LEN);
	db_done(s);
	return key;
}

static struct ticket_row ticket(int64_t number)
{
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, number, a, &t), 1);
	return t;
}

Test(ticket_cc, the_cc_field_splits_on_commas_and_lines_drops_repeats_and_names_a_bad_entry)
{
	const char *out[TICKET_CC_MAX], *error, *bad;
	int n = ticket_cc_parse(" ana@x.com.br, Bia <bia@y.com>\nANA@X.com.br;\r\n\n", a, out, TICKET_CC_MAX, &error, &bad);
	cr_assert_null(error);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(out[0], "ana@x.com.br");
	cr_assert_str_eq(out[1], "bia@y.com");
	ticket_cc_parse("ana@x.com.br, nao-e-email, c@z.com", a, out, TICKET_CC_MAX, &error, &bad);
	cr_assert_not_null(error);
	cr_assert_str_eq(bad, "nao-e-email");
	ticket_cc_parse("a@x.com, b@x.com, c@x.com", a, out, 2, &error, &bad);
	cr_assert_not_null(error, "a third address over a cap of two was taken");
	cr_assert_eq(ticket_cc_parse("", a, out, 2, &error, &bad), 0);
	cr_assert_null(error);
}

Test(ticket_cc, ccs_given_on_open_are_kept_audited_and_each_told_with_a_link_of_their_own)
{
	struct ticket_errors e;
	int64_t n = open_with("ana@x.com.br, bia@y.com, maria@exemplo.com.br", &e);
	cr_assert_gt(n, 0);
	struct ticket_row t = ticket(n);
	struct cc_row rows[TICKET_CC_MAX];
	cr_assert_eq(ticket_cc_list(d, t.id, a, rows, TICKET_CC_MAX), 2, "the client's own address is no CC");
	cr_assert_eq(mails_to("ana@x.com.br"), 1);
	cr_assert_eq(mails_to("bia@y.com"), 1);
	cr_assert_eq(count("SELECT count(*) FROM audit_log WHERE action = 'cc_added'", NULL), 2);
	const char *ana = last_key("ana@x.com.br", n), *bia = last_key("bia@y.com", n);
	cr_assert_str_neq(ana, bia);
	struct ticket_access acc;
	cr_assert_eq(ticket_access_open(d, n, ana, a, &acc), 1);
	cr_assert_str_eq(acc.person.email, "ana@x.com.br");
	cr_assert_gt(acc.person.cc_id, 0);
	/* The client's confirmation carries the client's own link. */
	cr_assert_eq(ticket_access_open(d, n, last_key("maria@exemplo.com.br", n), a, &acc), 1);
	cr_assert_eq(acc.person.cc_id, 0);
	cr_assert_eq(acc.person.user_id, client.user_id);
}

Test(ticket_cc, a_bad_cc_address_opens_nothing_and_names_the_address)
{
	struct ticket_errors e;
	int64_t before = count("SELECT count(*) FROM tickets", NULL);
	cr_assert_eq(open_with("ana@x.com.br, ana arroba x", &e), -TICKET_INVALID);
	cr_assert_not_null(e.cc);
	cr_assert_str_eq(e.cc_value, "ana arroba x");
	cr_assert_eq(count("SELECT count(*) FROM tickets", NULL), before);
	/* Our own support address would loop. */
	db_stmt *s = db_prepare(d, "UPDATE departments SET email = 'suporte@exemplo.com.br', "
	                           "email_lower = 'suporte@exemplo.com.br' WHERE id = $1");
	db_bind_int(s, 1, dep_b);
	cr_assert_eq(db_step_done(s), 0);
	cr_assert_eq(open_with("Suporte@exemplo.com.br", &e), -TICKET_INVALID);
	cr_assert_str_eq(e.cc_value, "Suporte@exemplo.com.br");
}

Test(ticket_cc, the_client_and_their_agents_add_and_remove_ccs_nobody_else_does)
{
	struct ticket_errors e;
	int64_t n = open_with(NULL, &e);
	struct ticket_row t = ticket(n);
	const char *error;
	struct actor other = as(&other_client), b = as(&agent_b), own = as(&client), agent = as(&agent_a);
	cr_assert_eq(ticket_cc_add(d, &notifier, &other, n, "x@x.com", NULL, T0, &error), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_cc_add(d, &notifier, &b, n, "x@x.com", NULL, T0, &error), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_cc_add(d, &notifier, &own, n, "x arroba", NULL, T0, &error), TICKET_INVALID);
	cr_assert_not_null(error);
	cr_assert_eq(ticket_cc_add(d, &notifier, &own, n, " ana@x.com.br ", NULL, T0, &error), TICKET_OK);
	cr_assert_eq(ticket_cc_add(d, &notifier, &agent, n, "ANA@x.com.br", NULL, T0, &error), TICKET_OK);
	cr_assert_eq(ticket_cc_add(d, &notifier, &agent, n, "dev@agencia.com", "Dev da Agência", T0, &error), TICKET_OK);
	struct cc_row rows[TICKET_CC_MAX];
	cr_assert_eq(ticket_cc_list(d, t.id, a, rows, TICKET_CC_MAX), 2, "a repeat was added twice");
	cr_assert_str_eq(rows[1].name, "Dev da Agência");
	cr_assert_eq(mails_to("ana@x.com.br"), 1, "a repeat told the CC again");
	/* A CC is not the client: they cannot copy anyone. */
	struct ticket_access acc;
	cr_assert_eq(ticket_access_open(d, n, last_key("ana@x.com.br", n), a, &acc), 1);
	struct actor cc = as(&acc.person);
	cr_assert_eq(ticket_cc_add(d, &notifier, &cc, n, "z@z.com", NULL, T0, &error), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_cc_remove(d, &cc, n, rows[1].id, T0), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_cc_remove(d, &other, n, rows[0].id, T0), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_cc_remove(d, &own, n, rows[0].id, T0 + 1), TICKET_OK);
	cr_assert_eq(ticket_cc_list(d, t.id, a, rows, TICKET_CC_MAX), 1);
	cr_assert_eq(count("SELECT count(*) FROM audit_log WHERE action = 'cc_removed' AND old_value = 'ana@x.com.br'", NULL), 1);
	/* A removed CC's link opens nothing any more. */
	cr_assert_eq(ticket_access_open(d, n, last_key("ana@x.com.br", n), a, &acc), 0);
	/* At most TICKET_CC_MAX. */
	char address[32];
	for (int i = 0; i < TICKET_CC_MAX - 1; i++) {
		snprintf(address, sizeof address, "p%d@x.com", i);
		cr_assert_eq(ticket_cc_add(d, NULL, &own, n, address, NULL, T0, &error), TICKET_OK);
	}
	cr_assert_eq(ticket_cc_add(d, NULL, &own, n, "one-more@x.com", NULL, T0, &error), TICKET_INVALID);
}

Test(ticket_cc, public_replies_reach_every_cc_notes_never_do)
{
	struct ticket_errors e;
	int64_t n = open_with("ana@x.com.br", &e);
	struct actor agent = as(&agent_a), own = as(&client);
	struct ticket_post reply = {.message = "Reiniciamos o servidor RESP-PUBLICA."};
	struct ticket_post note = {.message = "NOTA-SECRETA: cliente devedor"};
	cr_assert_eq(ticket_reply(d, &notifier, &agent, n, &reply, T0 + 1, &e), TICKET_OK);
	cr_assert_eq(ticket_note(d, &agent, n, &note, T0 + 2, &e), TICKET_OK);
	struct ticket_post client_reply = {.message = "Voltou, obrigada! RESP-CLIENTE"};
	cr_assert_eq(ticket_reply(d, &notifier, &own, n, &client_reply, T0 + 3, &e), TICKET_OK);
	cr_assert_eq(count("SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE '%ana@x.com.br%' AND body_text LIKE '%RESP-PUBLICA%'", NULL), 1);
	cr_assert_eq(count("SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE '%ana@x.com.br%' AND body_text LIKE '%RESP-CLIENTE%'", NULL), 1);
	cr_assert_eq(count("SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE body_text LIKE '%NOTA-SECRETA%' OR body_html LIKE '%NOTA-SECRETA%'", NULL), 0);
}

Test(ticket_cc, a_cc_replies_as_themself_on_the_client_side_and_the_client_is_told)
{
	struct ticket_errors e;
	int64_t n = open_with("ana@x.com.br, bia@y.com", &e);
	struct ticket_access acc;
	cr_assert_eq(ticket_access_open(d, n, last_key("ana@x.com.br", n), a, &acc), 1);
	struct actor cc = actor_of(&acc.person, CHANNEL_EMAIL);
	int64_t to_ana = mails_to("ana@x.com.br"), to_maria = mails_to("maria@exemplo.com.br");
	struct ticket_post p = {.message = "Sou a desenvolvedora: RESP-DA-ANA"};
	cr_assert_eq(ticket_reply(d, &notifier, &cc, n, &p, T0 + 5, &e), TICKET_OK);
	struct ticket_row t = ticket(n);
	cr_assert_str_eq(t.status, "customer-reply");
	struct ticket_thread th;
	cr_assert_eq(ticket_thread_load(d, t.id, false, a, &th), 0);
	const struct message_row *m = &th.messages[th.nmessages - 1];
	cr_assert_str_eq(m->author_kind, "client");
	cr_assert_str_eq(m->author_name, "ana@x.com.br");
	cr_assert_eq(m->author_client_id, 0);
	cr_assert_str_eq(m->channel, "email");
	cr_assert_eq(mails_to("maria@exemplo.com.br"), to_maria + 1, "the client was not told");
	cr_assert_eq(mails_to("ana@x.com.br"), to_ana, "the author got their own reply");
	cr_assert_eq(count("SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE '%bia@y.com%' AND body_text LIKE '%RESP-DA-ANA%'", NULL), 1);
	/* A CC may not close the ticket, nor act on another one. */
	struct ticket_changes close = {.status = "closed", .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &cc, n, &close, T0 + 6), TICKET_NOT_FOUND);
	int64_t other = open_with(NULL, &e);
	struct ticket_row row;
	cr_assert_eq(ticket_get_for(d, &cc, other, a, &row), 0);
	cr_assert_eq(ticket_reply(d, &notifier, &cc, other, &p, T0 + 7, &e), TICKET_NOT_FOUND);
	struct ticket_form f = {.department_id = dep_a, .subject = "x", .priority = "low", .message = "x"};
	struct ticket_opened opened;
	cr_assert_eq(ticket_open(d, &notifier, &cc, &f, T0, &e, &opened), TICKET_NOT_FOUND);
}

Test(ticket_cc, a_key_opens_its_own_ticket_only_and_staff_can_revoke_it)
{
	struct ticket_errors e;
	int64_t n = open_with("ana@x.com.br", &e);
	int64_t other = open_with(NULL, &e);
	const char *key = last_key("ana@x.com.br", n), *client_key = last_key("maria@exemplo.com.br", n);
	struct ticket_access acc;
	cr_assert_eq(ticket_access_open(d, n, key, a, &acc), 1);
	cr_assert_eq(ticket_access_open(d, other, key, a, &acc), 0, "a key of #%lld opened #%lld", (long long)n, (long long)other);
	char wrong[TOKEN_LEN + 1];
	snprintf(wrong, sizeof wrong, "%s", key);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	cr_assert_eq(ticket_access_open(d, n, wrong, a, &acc), 0);
	cr_assert_eq(ticket_access_open(d, n, "", a, &acc), 0);
	/* Only staff revoke, and only on their tickets. */
	struct actor own = as(&client), b = as(&agent_b), agent = as(&agent_a);
	cr_assert_eq(ticket_access_revoke(d, &own, n, acc.person.cc_id, T0), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_access_open(d, n, key, a, &acc), 1);
	int64_t cc_id = acc.person.cc_id;
	cr_assert_eq(ticket_access_revoke(d, &b, n, cc_id, T0), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_access_revoke(d, &agent, n, cc_id, T0 + 1), TICKET_OK);
	cr_assert_eq(ticket_access_open(d, n, key, a, &acc), 0, "a revoked key still opens the ticket");
	cr_assert_eq(ticket_access_open(d, n, client_key, a, &acc), 1, "revoking a CC's link revoked the client's");
	cr_assert_eq(ticket_access_revoke(d, &agent, n, 0, T0 + 2), TICKET_OK);
	cr_assert_eq(ticket_access_open(d, n, client_key, a, &acc), 0);
	cr_assert_eq(count("SELECT count(*) FROM audit_log WHERE action = 'access_revoked'", NULL), 2);
	/* The next email makes a new key, which works. */
	struct ticket_post reply = {.message = "Nova resposta"};
	cr_assert_eq(ticket_reply(d, &notifier, &agent, n, &reply, T0 + 3, &e), TICKET_OK);
	const char *fresh = last_key("ana@x.com.br", n);
	cr_assert_str_neq(fresh, key);
	cr_assert_eq(ticket_access_open(d, n, fresh, a, &acc), 1);
	cr_assert_eq(ticket_access_open(d, n, last_key("maria@exemplo.com.br", n), a, &acc), 1);
	/* Only hashes are stored. */
	cr_assert_eq(count("SELECT count(*) FROM ticket_access_keys WHERE key_hash = $1", fresh), 0);
}

Test(ticket_cc, a_merge_copies_the_ccs_onto_the_surviving_ticket_once_each_and_audited)
{
	struct ticket_errors e;
	int64_t from = open_with("ana@agencia.example, bia@financeiro.example", &e);
	int64_t into = open_with("BIA@financeiro.example", &e);
	cr_assert_gt(from, 0);
	cr_assert_gt(into, 0);
	int64_t mails_before = mails_to("ana@agencia.example");
	struct actor staff = as(&agent_a);
	cr_assert_eq(ticket_merge(d, &staff, from, into, T0 + 5), TICKET_OK);
	struct cc_row rows[TICKET_CC_MAX];
	int n = ticket_cc_list(d, ticket(into).id, a, rows, TICKET_CC_MAX);
	cr_assert_eq(n, 2, "bia once, ana added: %d", n);
	bool ana = false;
	for (int i = 0; i < n; i++)
		ana = ana || strcmp(rows[i].email, "ana@agencia.example") == 0;
	cr_assert(ana);
	cr_assert_eq(count("SELECT count(*) FROM audit_log WHERE action = 'cc_added' AND new_value = $1",
	                   "ana@agencia.example"), 2, "added on open, then on the merge");
	cr_assert_eq(mails_to("ana@agencia.example"), mails_before, "a merge emails nobody");
}

/* ---- an opening's emails, composed before the write turn ------------------ */

struct opening_email {
	const char *to, *subject, *headers, *text, *message_id;
};

/* The ticket's emails in the order queued (the client's, then the staff's),
 * with the ticket's number, its signed reference and the client's access
 * key written N, REF and KEY. */
static int opening_emails(int64_t number, struct opening_email *out, int max)
{
	struct ticket_row t = ticket(number);
	char shown[32];
	snprintf(shown, sizeof shown, "%lld", (long long)number);
	const char *key = last_key("maria@exemplo.com.br", number);
	db_stmt *s = db_prepare(d, "SELECT to_address, subject, headers, body_text, message_id "
	                           "FROM outbox JOIN outbox_bodies ON outbox_id = id "
	                           "WHERE ticket_id = $1 ORDER BY id");
	db_bind_int(s, 1, t.id);
	int n = 0;
	while (n < max && db_step(s) == DB_ROW) {
		const char *cols[5];
		for (int c = 0; c < 5; c++) {
			const char *v = db_col_text(s, c);
			buf b;
			buf_init(&b, strlen(v) + 16);
			for (const char *p = v; *p;) {
				if (strncmp(p, "Ref: T", 6) == 0) { /* signs the number */
					buf_puts(&b, "Ref: REF");
					p += strcspn(p, "\r\n");
				} else if (strncmp(p, key, TOKEN_LEN) == 0) {
					buf_puts(&b, "KEY");
					p += TOKEN_LEN;
				} else if (strncmp(p, shown, strlen(shown)) == 0) {
					buf_puts(&b, "N");
					p += strlen(shown);
				} else {
					buf_putc(&b, *p++);
				}
			}
			cols[c] = arena_strdup(a, buf_str(&b));
			buf_free(&b);
		}
		out[n++] = (struct opening_email){cols[0], cols[1], cols[2], cols[3], cols[4]};
	}
	db_done(s);
	return n;
}

/* Composed before the turn (the mail notifier can) or in it (a notifier
 * that cannot), an opening's emails read the same: the client's with a
 * working link, the staff's answering it as the thread's first email. */
Test(ticket_cc, an_openings_emails_read_the_same_composed_before_the_turn_or_in_it)
{
	struct ticket_errors e;
	int64_t before = open_with(NULL, &e);
	struct notifier plain = notifier;
	notifier.prepare = NULL;
	int64_t in_turn = open_with(NULL, &e);
	notifier = plain;
	cr_assert_gt(before, 0);
	cr_assert_gt(in_turn, 0);
	struct opening_email x[3], y[3];
	cr_assert_eq(opening_emails(before, x, 3), 2, "the client's and the department's, of the ticket");
	cr_assert_eq(opening_emails(in_turn, y, 3), 2);
	for (int i = 0; i < 2; i++) {
		cr_expect_str_eq(x[i].to, y[i].to);
		cr_expect_str_eq(x[i].subject, y[i].subject);
		cr_expect_str_eq(x[i].text, y[i].text);
	}
	cr_expect(strstr(x[0].to, "maria@exemplo.com.br"), "%s", x[0].to);
	cr_expect(strstr(x[1].to, "a@exemplo.com.br"), "%s", x[1].to);
	struct opening_email *both[] = {x, y};
	for (int i = 0; i < 2; i++) {
		char answers[200];
		snprintf(answers, sizeof answers, "In-Reply-To: <%s>", both[i][0].message_id);
		cr_expect(strstr(both[i][1].headers, answers), "the staff's email does not answer the client's: %s",
		          both[i][1].headers);
		cr_expect_null(strstr(both[i][0].headers, "In-Reply-To"), "%s", both[i][0].headers);
	}
	struct ticket_access acc;
	cr_expect_eq(ticket_access_open(d, before, last_key("maria@exemplo.com.br", before), a, &acc), 1);
}

/* What the emails show changed between their composing and the turn (here
 * the client renamed in between): the turn composes them again. */
static struct notifier renaming;
static int rename_then_prepare(void *self, db *dd, const struct notice *n, arena *aa,
                               struct outbox_prepared *out)
{
	if (n->kind == NOTICE_TICKET_OPENED)
		cr_assert_eq(store_account_set_profile(dd, "client", client.user_id, "Maria Nova", "pt-BR", T0), 0);
	return notifier.prepare(self, dd, n, aa, out);
}

Test(ticket_cc, emails_composed_for_a_ticket_that_changed_before_the_turn_are_composed_again)
{
	renaming = notifier;
	renaming.prepare = rename_then_prepare;
	struct ticket_form f = {.department_id = dep_a, .subject = "Site fora do ar", .priority = "medium",
	                        .message = "O site caiu."};
	struct ticket_opened opened;
	struct ticket_errors e;
	struct actor who = as(&client);
	cr_assert_eq(ticket_open(d, &renaming, &who, &f, T0, &e, &opened), TICKET_OK);
	struct opening_email x[3];
	cr_assert_eq(opening_emails(opened.number, x, 3), 2);
	cr_expect(strstr(x[0].text, "Maria Nova"), "the client's email greets the old name:\n%s", x[0].text);
	cr_expect(strstr(x[1].text, "Maria Nova"), "the staff's email shows the old name:\n%s", x[1].text);
}
