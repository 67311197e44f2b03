/* The staff side of tickets: who may act on what, notes that never leak,
 * replies that email the client, changes in the audit log, merges and
 * auto-close. Against a real SQLite file with the real templates. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "domain/admin.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/staff_ticket.h"
#include "domain/ticket_search.h"
#include "domain/webhook.h"
#include "mail/notice.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/outbox_store.h"
#include "store/search_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static tpl_set *templates;
static i18n_catalog *catalog;
static struct mailer mailer;
static struct notifier notifier;
static const int64_t T0 = 1800000000;
static struct session client, agent_a, agent_b, admin;
static int64_t dep_a, dep_b;

static struct session make_staff(const char *email, bool is_admin, int64_t dep)
{
	struct account_new n = {.kind = ACCOUNT_STAFF, .email = email, .name = email,
	                        .password = "senha1234", .admin = is_admin};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	if (dep)
		cr_assert_eq(store_staff_department_add(d, id, dep), 0);
	struct session s = {.kind = ACCOUNT_STAFF, .user_id = id, .admin = is_admin};
	snprintf(s.name, sizeof s.name, "%s", email);
	return s;
}

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	char err[512];
	d = test_db_with_defaults("staff", path, sizeof path);
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
	struct account_new c = {.kind = ACCOUNT_CLIENT, .email = "maria@exemplo.com.br",
	                        .name = "Maria", .password = "senha1234"};
	client = (struct session){.kind = ACCOUNT_CLIENT, .user_id = account_create(d, &c)};
	snprintf(client.name, sizeof client.name, "Maria");
	agent_a = make_staff("a@exemplo.com.br", false, dep_a);
	agent_b = make_staff("b@exemplo.com.br", false, dep_b);
	admin = make_staff("admin@exemplo.com.br", true, 0);
}

static void teardown(void)
{
	tpl_set_free(templates);
	i18n_free(catalog);
	db_close(d);
	unlink(path);
}

TestSuite(staff_ticket, .init = setup, .fini = teardown);

static int64_t open_ticket(int64_t dep, const char *subject)
{
	struct ticket_form f = {.department_id = dep, .subject = subject, .priority = "medium",
	                        .message = "O site caiu."};
	struct ticket_errors e;
	struct ticket_opened opened;
	cr_assert_eq(ticket_open(d, &notifier, &(struct actor){&client, CHANNEL_WEB}, &f, T0, &e, &opened), TICKET_OK);
	return opened.number;
}

static int64_t outbox_rows_containing(const char *needle)
{
	static const char sql[] = "SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE body_text LIKE $1 OR body_html LIKE $1 OR subject LIKE $1";
	db_stmt *s = db_prepare(d, sql);
	char like[256];
	snprintf(like, sizeof like, "%%%s%%", needle);
	db_bind_text(s, 1, like);
	return db_scalar_int(s, -1);
}

static int64_t emails_to(const char *address)
{
	static const char sql[] = "SELECT count(*) FROM outbox WHERE to_address LIKE '%<' || $1 || '>%'";
	db_stmt *s = db_prepare(d, sql);
	cr_assert_not_null(s, "%s", db_error(d));
	db_bind_text(s, 1, address);
	return db_scalar_int(s, -1);
}

/* Who hears of a new ticket follows an admin's change at once, though each
 * thread keeps the department's staff between openings. */
Test(staff_ticket, a_new_ticket_tells_the_departments_staff_as_the_admin_left_them)
{
	int64_t to_a = emails_to("a@exemplo.com.br"), to_b = emails_to("b@exemplo.com.br");
	open_ticket(dep_a, "Primeiro");
	cr_assert_eq(emails_to("a@exemplo.com.br"), to_a + 1);
	cr_assert_eq(emails_to("b@exemplo.com.br"), to_b);

	int64_t both[] = {dep_a, dep_b};
	struct admin_staff_form f = {.name = "Bia", .email = "b@exemplo.com.br", .role = "agent",
	                             .signature = "", .password = "", .active = true,
	                             .departments = both, .ndepartments = 2};
	struct admin_staff_errors e;
	cr_assert_eq(admin_staff_save(d, &admin, agent_b.user_id, &f, T0, &e, NULL), ADMIN_OK);
	open_ticket(dep_a, "Segundo");
	cr_expect_eq(emails_to("b@exemplo.com.br"), to_b + 1, "the agent just added to the department");

	f = (struct admin_staff_form){.name = "Ana", .email = "a@exemplo.com.br", .role = "agent",
	                              .signature = "", .password = "", .active = false,
	                              .departments = &dep_a, .ndepartments = 1};
	cr_assert_eq(admin_staff_save(d, &admin, agent_a.user_id, &f, T0, &e, NULL), ADMIN_OK);
	open_ticket(dep_a, "Terceiro");
	cr_expect_eq(emails_to("a@exemplo.com.br"), to_a + 2, "a deactivated agent hears of no new ticket");
	cr_expect_eq(emails_to("b@exemplo.com.br"), to_b + 2);
}

Test(staff_ticket, an_agent_acts_only_on_tickets_of_their_departments)
{
	int64_t n = open_ticket(dep_a, "No departamento A");
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(staff_ticket_get(d, &agent_a, n, a, &t), 1);
	cr_assert_eq(staff_ticket_get(d, &agent_b, n, a, &t), 0);
	cr_assert_eq(staff_ticket_get(d, &admin, n, a, &t), 1);
	struct ticket_post p = {.message = "Olá"};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_b, CHANNEL_WEB}, n, &p, T0, &e), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_note(d, &(struct actor){&agent_b, CHANNEL_WEB}, n, &p, T0, &e), TICKET_NOT_FOUND);
	struct ticket_changes c = {.priority = "high", .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &(struct actor){&agent_b, CHANNEL_WEB}, n, &c, T0), TICKET_NOT_FOUND);
	cr_assert_eq(ticket_merge(d, &(struct actor){&agent_b, CHANNEL_WEB}, n, n, T0), TICKET_NOT_FOUND);
	struct attachment_row ar;
	cr_assert_eq(staff_attachment(d, &agent_b, n, 1, a, &ar), 0);
	/* And the queue of agent B does not list it. */
	struct queue_filter f = {.limit = 10};
	struct queue_row rows[10];
	cr_assert_eq(staff_queue(d, &agent_b, &f, a, rows), 0);
	cr_assert_eq(staff_queue(d, &agent_a, &f, a, rows), 1);
	cr_assert_eq(staff_queue(d, &admin, &f, a, rows), 1);
	arena_free(a);
}

Test(staff_ticket, a_reply_sets_answered_and_emails_the_client_with_the_text)
{
	int64_t n = open_ticket(dep_a, "Email parado");
	struct ticket_post p = {.message = "Corrigimos o registro MX-XYZZY."};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, n, &p, T0 + 10, &e), TICKET_OK);
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, n, a, &t), 1);
	cr_assert_str_eq(t.status, "answered");
	cr_assert_eq(outbox_rows_containing("MX-XYZZY"), 1);
	static const char sql[] = "SELECT count(*) FROM outbox WHERE to_address LIKE '%maria@exemplo.com.br%' AND subject LIKE '[Ticket ID: %'";
	cr_assert_eq(db_scalar_int(db_prepare(d, sql), -1), 2); /* confirmation + reply */
	arena_free(a);
}

Test(staff_ticket, internal_notes_never_reach_the_client_in_pages_or_emails)
{
	int64_t n = open_ticket(dep_a, "Nota interna");
	struct ticket_post note = {.message = "SEGREDO-INTERNO: cliente devedor"};
	struct ticket_errors e;
	cr_assert_eq(ticket_note(d, &(struct actor){&agent_a, CHANNEL_WEB}, n, &note, T0 + 1, &e), TICKET_OK);
	struct ticket_post reply = {.message = "Resposta normal"};
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, n, &reply, T0 + 2, &e), TICKET_OK);
	cr_assert_eq(outbox_rows_containing("SEGREDO-INTERNO"), 0);
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(ticket_for_client(d, &client, n, a, &t), 1);
	struct ticket_thread th;
	cr_assert_eq(ticket_thread_load(d, t.id, false, a, &th), 0);
	for (int i = 0; i < th.nmessages; i++)
		cr_assert_null(strstr(th.messages[i].body, "SEGREDO-INTERNO"));
	cr_assert_eq(th.nmessages, 2);
	cr_assert_eq(ticket_thread_load(d, t.id, true, a, &th), 0);
	cr_assert_eq(th.nmessages, 3);
	arena_free(a);
}

Test(staff_ticket, a_second_reply_over_a_newer_message_asks_for_confirmation)
{
	int64_t n = open_ticket(dep_a, "Dois atendentes");
	arena *a = arena_new(4096);
	struct ticket_row t;
	store_ticket_get_by_number(d, n, a, &t);
	int64_t seen = store_message_last_visible(d, t.id);
	struct ticket_post first = {.message = "Primeira", .seen_message_id = seen};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, n, &first, T0 + 1, &e), TICKET_OK);
	struct ticket_post second = {.message = "Segunda", .seen_message_id = seen};
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&admin, CHANNEL_WEB}, n, &second, T0 + 2, &e), TICKET_COLLISION);
	second.confirmed = true;
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&admin, CHANNEL_WEB}, n, &second, T0 + 3, &e), TICKET_OK);
	arena_free(a);
}

Test(staff_ticket, each_change_is_written_to_the_audit_log)
{
	int64_t n = open_ticket(dep_a, "Mudanças");
	struct ticket_changes c = {.status = "in-progress", .priority = "high", .department_id = dep_b,
	                           .assignee_id = agent_a.user_id};
	cr_assert_eq(ticket_update(d, &(struct actor){&admin, CHANNEL_WEB}, n, &c, T0 + 5), TICKET_OK);
	arena *a = arena_new(4096);
	struct ticket_row t;
	store_ticket_get_by_number(d, n, a, &t);
	cr_assert_str_eq(t.priority, "high");
	cr_assert_str_eq(t.status, "in-progress");
	cr_assert_eq(t.department_id, dep_b);
	struct audit_row rows[10];
	int k = store_audit_list(d, t.id, a, rows, 10);
	cr_assert_eq(k, 4);
	cr_assert_str_eq(rows[0].action, "priority");
	cr_assert_str_eq(rows[0].old_value, "medium");
	cr_assert_str_eq(rows[0].new_value, "high");
	/* A bad value changes nothing. */
	struct ticket_changes bad = {.status = "deleted", .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &(struct actor){&admin, CHANNEL_WEB}, n, &bad, T0 + 6), TICKET_INVALID);
	cr_assert_eq(store_audit_list(d, t.id, a, rows, 10), 4);
	arena_free(a);
}

Test(staff_ticket, merging_moves_the_messages_and_closes_the_source)
{
	int64_t from = open_ticket(dep_a, "Duplicado");
	int64_t into = open_ticket(dep_a, "Original");
	cr_assert_eq(ticket_merge(d, &(struct actor){&agent_a, CHANNEL_WEB}, from, from, T0), TICKET_INVALID);
	cr_assert_eq(ticket_merge(d, &(struct actor){&agent_a, CHANNEL_WEB}, from, into, T0 + 1), TICKET_OK);
	arena *a = arena_new(4096);
	struct ticket_row f, t;
	store_ticket_get_by_number(d, from, a, &f);
	store_ticket_get_by_number(d, into, a, &t);
	cr_assert_str_eq(f.status, "closed");
	struct ticket_thread th;
	ticket_thread_load(d, t.id, true, a, &th);
	cr_assert_eq(th.nmessages, 2);
	ticket_thread_load(d, f.id, true, a, &th);
	cr_assert_eq(th.nmessages, 0);
	arena_free(a);
}

Test(staff_ticket, auto_close_closes_answered_tickets_without_a_client_reply_for_n_days)
{
	int64_t old = open_ticket(dep_a, "Respondido há tempo");
	int64_t waiting = open_ticket(dep_a, "Cliente respondeu");
	int64_t recent = open_ticket(dep_a, "Respondido ontem");
	struct ticket_post p = {.message = "Resolvido?"};
	struct ticket_errors e;
	ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, old, &p, T0, &e);
	ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, waiting, &p, T0, &e);
	ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, recent, &p, T0 + 6 * 86400, &e);
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&client, CHANNEL_WEB}, waiting, &(struct ticket_post){.message = "Ainda não"}, T0 + 3600, &e), TICKET_OK);
	int closed = ticket_auto_close(d, catalog, 7, T0 + 7 * 86400 + 1);
	cr_assert_eq(closed, 1);
	arena *a = arena_new(4096);
	struct ticket_row t;
	store_ticket_get_by_number(d, old, a, &t);
	cr_assert_str_eq(t.status, "closed");
	struct ticket_thread th;
	ticket_thread_load(d, t.id, false, a, &th);
	cr_assert_str_eq(th.messages[th.nmessages - 1].author_kind, "system");
	cr_assert(strstr(th.messages[th.nmessages - 1].body, "7 dias") != NULL, "%s", th.messages[th.nmessages - 1].body);
	store_ticket_get_by_number(d, waiting, a, &t);
	cr_assert_str_eq(t.status, "customer-reply");
	store_ticket_get_by_number(d, recent, a, &t);
	cr_assert_str_eq(t.status, "answered");
	cr_assert_eq(ticket_auto_close(d, catalog, 0, T0 + 100 * 86400), 0);
	arena_free(a);
}

static int64_t count_sql(const char *sql)
{
	return db_scalar_int(db_prepare(d, sql), -1);
}

Test(staff_ticket, a_reply_with_changes_lands_whole_or_not_at_all)
{
	int64_t n = open_ticket(dep_a, "Resposta e estado");
	struct actor who = {&agent_a, CHANNEL_API};
	struct ticket_post p = {.message = "Aguardamos o seu retorno.", .confirmed = true};
	struct ticket_errors e;
	/* The status sent with the reply wins over the reply's own "answered". */
	struct ticket_changes c = {.status = "on-hold", .priority = "high", .assignee_id = -1};
	cr_assert_eq(ticket_reply_and_update(d, &notifier, &who, n, &p, false, &c, T0 + 10, &e), TICKET_OK);
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, n, a, &t), 1);
	cr_expect_str_eq(t.status, "on-hold");
	cr_expect_str_eq(t.priority, "high");
	cr_expect_eq(outbox_rows_containing("Aguardamos o seu retorno"), 1, "the client is emailed once");
	/* A change that is refused takes the message back with it. */
	struct ticket_post p2 = {.message = "Esta resposta não deve ficar.", .confirmed = true};
	struct ticket_changes bad = {.department_id = 999999, .assignee_id = -1};
	cr_expect_eq(ticket_reply_and_update(d, &notifier, &who, n, &p2, false, &bad, T0 + 20, &e), TICKET_INVALID);
	struct ticket_thread th;
	ticket_thread_load(d, t.id, true, a, &th);
	cr_expect_eq(th.nmessages, 2, "the opening message and the first reply only");
	cr_expect_eq(outbox_rows_containing("Esta resposta não deve ficar"), 0);
	/* A note with changes emails nobody. */
	struct ticket_post note = {.message = "Nota interna com mudança.", .confirmed = true};
	struct ticket_changes low = {.priority = "low", .assignee_id = -1};
	cr_expect_eq(ticket_reply_and_update(d, &notifier, &who, n, &note, true, &low, T0 + 30, &e), TICKET_OK);
	cr_expect_eq(outbox_rows_containing("Nota interna com mudança"), 0);
	cr_assert_eq(store_ticket_get_by_number(d, n, a, &t), 1);
	cr_expect_str_eq(t.status, "on-hold", "a note leaves the status alone");
	cr_expect_str_eq(t.priority, "low");
	/* A client may not change fields this way. */
	struct ticket_changes prio = {.priority = "high", .assignee_id = -1};
	cr_expect_eq(ticket_reply_and_update(d, &notifier, &(struct actor){&client, CHANNEL_WEB}, n, &p2,
	                                     false, &prio, T0 + 40, &e), TICKET_NOT_FOUND);
	arena_free(a);
}

Test(staff_ticket, merging_and_auto_close_announce_the_status_change_to_webhooks)
{
	struct webhook_form f = {.url = "http://127.0.0.1:9/hook", .events = {false, false, false, true},
	                         .active = true};
	struct webhook_errors we;
	int64_t hook = 0;
	cr_assert_eq(webhook_save(d, &(struct actor){&admin, CHANNEL_WEB}, 0, &f, T0, &we, &hook), WEBHOOK_OK);
	int64_t from = open_ticket(dep_a, "Duplicado");
	int64_t into = open_ticket(dep_a, "Original");
	cr_assert_eq(ticket_merge(d, &(struct actor){&agent_a, CHANNEL_WEB}, from, into, T0 + 1), TICKET_OK);
	cr_expect_eq(count_sql("SELECT count(*) FROM webhook_deliveries WHERE event = 'status_changed'"), 1);
	struct ticket_post p = {.message = "Resolvido?"};
	struct ticket_errors e;
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, into, &p, T0 + 2, &e), TICKET_OK);
	cr_assert_eq(ticket_auto_close(d, catalog, 7, T0 + 8 * 86400), 1);
	cr_expect_eq(count_sql("SELECT count(*) FROM webhook_deliveries WHERE event = 'status_changed'"), 2);
}

/* The numbers the queue lists for q, as staff member s sees it (every status). */
static int queue_search(const struct session *s, const char *q, int64_t *numbers, int max)
{
	arena *a = arena_new(8192);
	struct queue_row rows[20];
	struct queue_filter f = {.text = q, .status_mask = STATUS_BITS_NOT_CLOSED | STATUS_BIT_CLOSED, .limit = 20};
	int n = staff_queue(d, s, &f, a, rows);
	cr_assert_geq(n, 0, "%s", db_error(d));
	for (int i = 0; i < n && i < max; i++)
		numbers[i] = rows[i].t.number;
	arena_free(a);
	return n;
}

Test(staff_ticket, the_search_finds_notes_and_replies_with_accents_and_case_folded)
{
	int64_t n = open_ticket(dep_a, "Problema na configuração");
	open_ticket(dep_a, "Outro assunto qualquer");
	struct ticket_errors e;
	struct ticket_post note = {.message = "Verificar o NÚMERO do pedido com o financeiro."};
	cr_assert_eq(ticket_note(d, &(struct actor){&agent_a, CHANNEL_WEB}, n, &note, T0 + 1, &e), TICKET_OK);
	struct ticket_post reply = {.message = "A ação foi concluída."};
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, n, &reply, T0 + 2, &e), TICKET_OK);
	int64_t found[4];
	const char *queries[] = {"numero pedido", "ACAO", "configuracao", "Configuração", "CONFIGURAÇÃO", "maria@exemplo.com.br"};
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		int k = queue_search(&admin, queries[i], found, 4);
		if (i < 5) {
			cr_assert_eq(k, 1, "%s: %d tickets", queries[i], k);
			cr_assert_eq(found[0], n, "%s", queries[i]);
		} else {
			cr_assert_eq(k, 2, "the client's email finds both of her tickets");
		}
	}
	cr_assert_eq(queue_search(&admin, "numero inexistente", found, 4), 0, "every word must match");
	cr_assert_eq(queue_search(&admin, "!!! ---", found, 4), 2, "no words: no search, the whole queue");
}

Test(staff_ticket, the_search_never_finds_a_ticket_of_a_department_the_agent_lacks)
{
	int64_t n = open_ticket(dep_a, "Fatura duplicada");
	int64_t found[4];
	cr_assert_eq(queue_search(&agent_a, "fatura", found, 4), 1);
	cr_assert_eq(found[0], n);
	cr_assert_eq(queue_search(&agent_b, "fatura", found, 4), 0);
	char number[24];
	snprintf(number, sizeof number, "%lld", (long long)n);
	cr_assert_eq(queue_search(&agent_b, number, found, 4), 0, "not by its number either");
}

Test(staff_ticket, after_a_merge_the_words_are_found_on_the_surviving_ticket_only)
{
	int64_t from = open_ticket(dep_a, "Primeiro");
	int64_t into = open_ticket(dep_a, "Segundo");
	struct ticket_errors e;
	struct ticket_post reply = {.message = "Palavra xilofone aqui."};
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, from, &reply, T0 + 1, &e), TICKET_OK);
	cr_assert_eq(ticket_merge(d, &(struct actor){&agent_a, CHANNEL_WEB}, from, into, T0 + 2), TICKET_OK);
	int64_t found[4];
	cr_assert_eq(queue_search(&admin, "xilofone", found, 4), 1);
	cr_assert_eq(found[0], into);
}

static int64_t marked_count(void)
{
	return db_scalar_int(db_prepare(d, "SELECT count(*) FROM ticket_search_pending"), -1);
}

Test(staff_ticket, a_change_marks_the_ticket_and_the_next_search_indexes_it_first)
{
	int64_t n = open_ticket(dep_a, "Certificado expirado");
	/* The opening marked the ticket instead of writing its document. */
	cr_assert_eq(marked_count(), 1);
	cr_assert_eq(db_scalar_int(db_prepare(d, "SELECT count(*) FROM ticket_search"), -1), 0);
	int64_t found[4];
	cr_assert_eq(queue_search(&admin, "certificado", found, 4), 1);
	cr_assert_eq(found[0], n);
	cr_assert_eq(marked_count(), 0, "the search took in the mark");
	/* A reply marks it again; the indexer's pass rewrites it. */
	struct ticket_errors e;
	struct ticket_post reply = {.message = "Renovamos o certificado Let's Encrypt."};
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, n, &reply, T0 + 1, &e), TICKET_OK);
	cr_assert_eq(marked_count(), 1);
	cr_assert_eq(ticket_search_catch_up(d, 64), 1);
	cr_assert_eq(marked_count(), 0);
	cr_assert_eq(ticket_search_catch_up(d, 64), 0, "nothing left to index");
	cr_assert_eq(queue_search(&admin, "encrypt", found, 4), 1);
}

Test(staff_ticket, the_indexer_waits_for_a_mark_to_settle_and_a_busy_ticket_still_settles)
{
	int64_t n = open_ticket(dep_a, "Servidor lento");
	struct ticket_row t;
	arena *a = arena_new(4096);
	cr_assert_eq(staff_ticket_get(d, &admin, n, a, &t), 1);
	/* Marked just now: the indexer leaves it for now. */
	cr_assert_eq(ticket_search_catch_up_settled(d, 64, 60000, -1), 0);
	cr_assert_eq(marked_count(), 1);
	/* Changes that never stop keep the first mark's time, so the ticket
	 * is taken once that time is old enough. */
	cr_assert_eq(db_exec(d, "UPDATE ticket_search_pending SET marked_at = marked_at - 120000"), DB_OK);
	cr_assert_eq(ticket_search_changed(d, t.id), 0);
	cr_assert_eq(ticket_search_catch_up_settled(d, 64, 60000, -1), 1);
	cr_assert_eq(marked_count(), 0);
	/* A search takes in a mark however new. */
	struct ticket_errors e;
	struct ticket_post reply = {.message = "O disco estava cheio."};
	cr_assert_eq(ticket_reply(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, n, &reply, T0 + 1, &e), TICKET_OK);
	cr_assert_eq(ticket_search_catch_up_settled(d, 64, 60000, -1), 0);
	int64_t found[4];
	cr_assert_eq(queue_search(&admin, "disco", found, 4), 1);
	cr_assert_eq(found[0], n);
	cr_assert_eq(marked_count(), 0);
	arena_free(a);
}

Test(staff_ticket, a_batch_past_its_time_budget_leaves_the_other_marks_for_the_next)
{
	int64_t numbers[3] = {open_ticket(dep_a, "Lentidão no painel"), open_ticket(dep_a, "Lentidão no FTP"),
	                      open_ticket(dep_a, "Lentidão no e-mail")};
	cr_assert_eq(marked_count(), 3);
	/* No time at all: each batch still rewrites one document. */
	for (int left = 2; left >= 0; left--) {
		cr_assert_eq(ticket_search_catch_up_settled(d, 64, -1, 0), 1);
		cr_assert_eq(marked_count(), left);
	}
	cr_assert_eq(ticket_search_catch_up_settled(d, 64, -1, 0), 0, "nothing left to index");
	/* Every document was written, though no batch took all of them. */
	cr_assert_eq(db_scalar_int(db_prepare(d, "SELECT count(*) FROM ticket_search"), -1), 3);
	int64_t found[4];
	cr_assert_eq(queue_search(&admin, "lentidao", found, 4), 3);
	for (int i = 0; i < 3; i++)
		cr_assert(found[0] == numbers[i] || found[1] == numbers[i] || found[2] == numbers[i]);
}

Test(staff_ticket, a_mark_newer_than_the_one_an_indexer_read_stays)
{
	int64_t n = open_ticket(dep_a, "Backup");
	struct ticket_row t;
	arena *a = arena_new(4096);
	cr_assert_eq(staff_ticket_get(d, &admin, n, a, &t), 1);
	int64_t ids[4], seqs[4];
	cr_assert_eq(store_ticket_search_marked(d, INT64_MAX, ids, seqs, 4), 1);
	cr_assert_eq(ids[0], t.id);
	/* Another change lands after the indexer read the mark... */
	cr_assert_eq(ticket_search_changed(d, t.id), 0);
	/* ...so clearing the mark it read leaves the newer one. */
	cr_assert_eq(store_ticket_search_unmark(d, t.id, seqs[0]), 0);
	cr_assert_eq(marked_count(), 1);
	cr_assert_eq(ticket_search_catch_up(d, 64), 1);
	cr_assert_eq(marked_count(), 0);
	arena_free(a);
}

Test(staff_ticket, the_document_holds_number_subject_client_and_every_message)
{
	int64_t n = open_ticket(dep_a, "Lentidão no WordPress");
	arena *a = arena_new(4096);
	struct ticket_row t;
	cr_assert_eq(staff_ticket_get(d, &admin, n, a, &t), 1);
	buf doc;
	buf_init(&doc, TICKET_SEARCH_DOC_MAX);
	cr_assert_eq(ticket_search_document(d, t.id, &doc), 1);
	char expected[160];
	snprintf(expected, sizeof expected, "%lld lentidao no wordpress maria maria exemplo com br o site caiu ",
	         (long long)n);
	cr_assert_str_eq(buf_str(&doc), expected);
	buf_free(&doc);
	arena_free(a);
}

/* The queue's side panel: each department in its place in the list the
 * admins order, and in each its statuses in one order. */
Test(staff_ticket, the_queue_counts_follow_the_departments_order_then_the_status)
{
	int64_t first = open_ticket(dep_a, "Primeiro");
	open_ticket(dep_a, "Segundo");
	open_ticket(dep_b, "Terceiro");
	char sql[160];
	snprintf(sql, sizeof sql, "UPDATE tickets SET status = 'on-hold' WHERE number = %lld",
	         (long long)first);
	cr_assert_eq(db_exec(d, sql), 0);
	snprintf(sql, sizeof sql, "UPDATE departments SET sort_order = CASE id WHEN %lld THEN 1 ELSE 2 END",
	         (long long)dep_b);
	cr_assert_eq(db_exec(d, sql), 0);
	arena *a = arena_new(4096);
	struct queue_count rows[16];
	int n = staff_queue_counts(d, &admin, a, rows, 16);
	cr_assert_eq(n, 3);
	cr_assert_eq(rows[0].department_id, dep_b, "the department the admins put first");
	cr_assert_str_eq(rows[0].status, "open");
	cr_assert_eq(rows[0].count, 1);
	cr_assert_eq(rows[1].department_id, dep_a);
	cr_assert_str_eq(rows[1].status, "on-hold");
	cr_assert_eq(rows[2].department_id, dep_a);
	cr_assert_str_eq(rows[2].status, "open");
	cr_assert_eq(rows[2].count, 1);
	arena_free(a);
}

/* A reply to a merged-away number lands on the ticket it was merged into,
 * and the permission is the survivor's, checked in the reply's transaction. */
Test(staff_ticket, a_reply_lands_on_the_survivor_of_a_merge_with_its_permission)
{
	int64_t from = open_ticket(dep_b, "Duplicado noutro departamento");
	int64_t into = open_ticket(dep_a, "Original");
	cr_assert_eq(ticket_merge(d, &(struct actor){&admin, CHANNEL_WEB}, from, into, T0 + 1), TICKET_OK);
	struct ticket_post p = {.message = "Sobre o duplicado"};
	struct ticket_errors e;
	int64_t landed = -1;
	cr_assert_eq(ticket_reply_landing(d, &notifier, &(struct actor){&client, CHANNEL_WEB}, from, &p,
	                                  T0 + 2, &e, &landed), TICKET_OK);
	cr_expect_eq(landed, into);
	/* agent_a works in the survivor's department only, agent_b in the merged-away one's. */
	cr_assert_eq(ticket_reply_landing(d, &notifier, &(struct actor){&agent_a, CHANNEL_WEB}, from, &p,
	                                  T0 + 3, &e, &landed), TICKET_OK);
	cr_expect_eq(landed, into);
	landed = -1;
	cr_expect_eq(ticket_reply_landing(d, &notifier, &(struct actor){&agent_b, CHANNEL_WEB}, from, &p,
	                                  T0 + 4, &e, &landed), TICKET_NOT_FOUND);
	cr_expect_eq(landed, 0);
	db_stmt *s = db_prepare(d, "SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id "
	                           "WHERE t.number = $1 AND m.body = 'Sobre o duplicado'");
	db_bind_int(s, 1, into);
	cr_expect_eq(db_scalar_int(s, -1), 2);
	/* A number no ticket has: not found, nothing landed. */
	cr_expect_eq(ticket_reply_landing(d, &notifier, &(struct actor){&client, CHANNEL_WEB}, 999999, &p,
	                                  T0 + 5, &e, &landed), TICKET_NOT_FOUND);
}
