/* Routing inbound email (mail/mail_in.c): new tickets, replies found by
 * threading headers, the subject tag or the hidden reference, who may
 * write to a ticket, loops and abuse, attachments, duplicates, and the
 * threading of the emails we send back. Against a real SQLite file with
 * the real templates and the demo data. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/staff_ticket.h"
#include "mail/mail_in.h"
#include "domain/ticket_ref.h"
#include "mail_corpus.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/settings_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static tpl_set *templates;
static i18n_catalog *catalog;
static struct mailer mailer;
static const int64_t T0 = 1800000000;
static int64_t now;
static int serial;

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	snprintf(path, sizeof path, "/tmp/chamado-mailin-%d.db", getpid());
	unlink(path);
	char url[96], err[512];
	snprintf(url, sizeof url, "sqlite:%s", path);
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(setup_defaults(d), 0);
	struct demo_credentials cred;
	cr_assert_eq(setup_demo(d, &cred), 0);
	cr_assert_eq(db_exec(d, "UPDATE departments SET email = 'suporte@exemplo.com.br', "
	                        "email_lower = 'suporte@exemplo.com.br' WHERE sort_order = 1;"
	                        "UPDATE departments SET email = 'financeiro@exemplo.com.br', "
	                        "email_lower = 'financeiro@exemplo.com.br' WHERE sort_order = 2"),
	             0);
	catalog = i18n_load(CHAMADO_DEFAULT_MO_DIR, err, sizeof err);
	cr_assert_not_null(catalog, "%s", err);
	templates = tpl_load_dir(CHAMADO_DEFAULT_SHARE_DIR "/templates", catalog, NULL, err, sizeof err);
	cr_assert_not_null(templates, "%s", err);
	mailer = (struct mailer){templates, catalog, "Nuvem Azul <atendimento@exemplo.com.br>",
	                         "https://suporte.exemplo.com.br", "Nuvem Azul"};
	now = T0;
	serial = 0;
}

static void teardown(void)
{
	tpl_set_free(templates);
	i18n_free(catalog);
	db_close(d);
	unlink(path);
}

TestSuite(mail_in, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static int64_t count(const char *sql_literal)
{
	db_stmt *s = db_prepare(d, sql_literal);
	cr_assert_not_null(s, "%s", db_error(d));
	return db_scalar_int(s, -1);
}

/* The first column of the first row as text, into out ("" none). */
static void text_of(const char *sql_literal, char *out, size_t n)
{
	db_stmt *s = db_prepare(d, sql_literal);
	cr_assert_not_null(s, "%s", db_error(d));
	int rc = db_step(s);
	snprintf(out, n, "%s", rc == DB_ROW ? db_col_text(s, 0) : "");
	db_done(s);
}

struct vars {
	char msgid[64], sent_id[200], number[16], ref[TICKET_REF_MAX];
};

static struct inbound_result deliver_vars(const char *name, struct vars *v)
{
	snprintf(v->msgid, sizeof v->msgid, "in-%d@client.example", ++serial);
	struct corpus_vars cv = {v->msgid, v->sent_id, v->number, v->ref};
	size_t len;
	char *raw = corpus_load(name, &cv, &len);
	struct mail_in_options o = {.mailer = &mailer, .source = "pipe", .now = now++};
	struct inbound_result r;
	int rc = mail_in_deliver(d, &o, raw, len, &r);
	free(raw);
	cr_assert_eq(rc, 0, "%s: %d %s", name, rc, r.reason);
	return r;
}

static struct inbound_result deliver(const char *name)
{
	struct vars v = {.sent_id = "none@x", .number = "1", .ref = "T1-000000000000"};
	return deliver_vars(name, &v);
}

/* A ticket opened by email from the demo client; v filled for replies to it. */
static int64_t open_by_email(struct vars *v)
{
	struct inbound_result r = deliver("new-utf8.eml");
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	snprintf(v->number, sizeof v->number, "%lld", (long long)r.ticket_number);
	text_of("SELECT message_id FROM outbox WHERE ticket_id IS NOT NULL ORDER BY id LIMIT 1",
	        v->sent_id, sizeof v->sent_id);
	cr_assert_eq(ticket_ref_make(d, r.ticket_number, v->ref), 0);
	return r.ticket_number;
}

/* ---- new tickets ---- */

Test(mail_in, opens_a_ticket_in_the_department_of_the_to_address_marked_as_email)
{
	struct vars v;
	open_by_email(&v);
	cr_assert_eq(count("SELECT count(*) FROM tickets t JOIN departments d ON d.id = t.department_id "
	                   "WHERE d.email = 'suporte@exemplo.com.br' AND t.status = 'open' "
	                   "AND t.subject = 'Site fora do ar desde ontem'"),
	             1);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE channel = 'email' AND "
	                   "email_message_id = 'in-1@client.example' AND body NOT LIKE '%99999%'"),
	             1);
	cr_assert_eq(count("SELECT count(*) FROM mail_inbound WHERE status = 'stored' AND "
	                   "raw_encoding = 'zlib' AND raw IS NOT NULL AND ticket_id IS NOT NULL"),
	             1);
}

Test(mail_in, the_confirmation_threads_under_the_clients_email_and_carries_the_hidden_ref)
{
	struct vars v;
	open_by_email(&v);
	char headers[1000], text[8000], html[16000];
	text_of("SELECT headers FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE subject LIKE '[Ticket ID: %' ORDER BY id LIMIT 1",
	        headers, sizeof headers);
	cr_assert(strstr(headers, "In-Reply-To: <in-1@client.example>"), "%s", headers);
	cr_assert(strstr(headers, "Auto-Submitted: auto-generated"), "%s", headers);
	cr_assert(strstr(headers, "X-Auto-Response-Suppress: All"), "%s", headers);
	text_of("SELECT body_text FROM outbox JOIN outbox_bodies ON outbox_id = id ORDER BY id LIMIT 1", text, sizeof text);
	char line[80];
	snprintf(line, sizeof line, "Ref: %s", v.ref);
	cr_assert(strstr(text, line), "%s", text);
	text_of("SELECT body_html FROM outbox JOIN outbox_bodies ON outbox_id = id ORDER BY id LIMIT 1", html, sizeof html);
	cr_assert(strstr(html, "display:none"), "%s", html);
	cr_assert(strstr(html, line));
}

Test(mail_in, the_same_message_delivered_twice_creates_nothing_the_second_time)
{
	size_t len;
	struct corpus_vars cv = {.msgid = "twice@client.example"};
	char *raw = corpus_load("new-utf8.eml", &cv, &len);
	struct mail_in_options o = {.mailer = &mailer, .source = "pipe", .now = T0};
	struct inbound_result r1, r2;
	cr_assert_eq(mail_in_deliver(d, &o, raw, len, &r1), 0);
	int64_t mails = count("SELECT count(*) FROM outbox");
	cr_assert_eq(mail_in_deliver(d, &o, raw, len, &r2), 0);
	free(raw);
	cr_assert_eq(r1.outcome, INBOUND_STORED);
	cr_assert_eq(r2.outcome, INBOUND_DUPLICATE);
	cr_assert_eq(count("SELECT count(*) FROM tickets"), 1);
	cr_assert_eq(count("SELECT count(*) FROM outbox"), mails);
}

Test(mail_in, a_message_without_message_id_is_deduplicated_by_its_bytes)
{
	cr_assert_eq(deliver("no-message-id.eml").outcome, INBOUND_STORED);
	cr_assert_eq(deliver("no-message-id.eml").outcome, INBOUND_DUPLICATE);
	cr_assert_eq(count("SELECT count(*) FROM mail_inbound WHERE message_id LIKE 'sha256:%'"), 1);
}

Test(mail_in, iso_8859_1_and_windows_1252_arrive_as_utf8)
{
	cr_assert_eq(deliver("new-latin1.eml").outcome, INBOUND_STORED);
	cr_assert_eq(deliver("new-cp1252.eml").outcome, INBOUND_STORED);
	cr_assert_eq(count("SELECT count(*) FROM tickets WHERE subject = 'Cobrança em duplicidade'"), 1);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE body LIKE '%“Falha na autenticação”%'"), 1);
	cr_assert_eq(count("SELECT count(*) FROM clients WHERE name = 'João Gonçalves' AND password_hash IS NULL"), 1);
}

Test(mail_in, an_unknown_sender_gets_a_client_record_without_password_by_default)
{
	struct inbound_result r = deliver("new-unknown.eml");
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM clients WHERE email = 'carlos.pereira@cliente-novo.com.br' "
	                   "AND name = 'Carlos Pereira' AND password_hash IS NULL"),
	             1);
	cr_assert_eq(count("SELECT count(*) FROM tickets t JOIN departments d ON d.id = t.department_id "
	                   "WHERE d.email = 'financeiro@exemplo.com.br'"),
	             1);
}

Test(mail_in, an_unknown_sender_is_refused_politely_when_the_setting_says_refuse)
{
	cr_assert_eq(store_setting_set(d, "mail_unknown_sender", "refuse"), 0);
	struct inbound_result r = deliver("new-unknown.eml");
	cr_assert_eq(r.outcome, INBOUND_REFUSED);
	cr_assert_eq(count("SELECT count(*) FROM tickets"), 0);
	cr_assert_eq(count("SELECT count(*) FROM clients WHERE email LIKE '%cliente-novo%'"), 0);
	cr_assert_eq(count("SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE '%carlos.pereira@cliente-novo.com.br%' "
	                   "AND subject LIKE 'Resposta automática:%' AND headers LIKE '%In-Reply-To: <in-1@client.example>%'"),
	             1);
}

Test(mail_in, a_forward_opens_a_ticket_with_the_forwarded_text)
{
	cr_assert_eq(deliver("forwarded.eml").outcome, INBOUND_STORED);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE body LIKE '%expira em 7 dias%'"), 1);
}

Test(mail_in, attachments_are_saved_within_the_web_limits_and_refused_ones_are_named)
{
	struct inbound_result r = deliver("attachments.eml");
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM attachments"), 3);
	cr_assert_eq(count("SELECT count(*) FROM attachments WHERE name = 'fatura março.pdf' "
	                   "AND content_type = 'application/pdf'"),
	             1);
	cr_assert_eq(count("SELECT count(*) FROM attachments WHERE name = 'imagem.png'"), 1);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE body LIKE '%Seguem os prints.%' "
	                   "AND body LIKE '%programa.exe%'"),
	             1);
}

Test(mail_in, new_tickets_by_email_are_limited_per_sender_per_hour)
{
	cr_assert_eq(store_setting_set(d, "mail_new_tickets_per_hour", "2"), 0);
	cr_assert_eq(deliver("new-utf8.eml").outcome, INBOUND_STORED);
	cr_assert_eq(deliver("new-utf8.eml").outcome, INBOUND_STORED);
	struct inbound_result r = deliver("new-utf8.eml");
	cr_assert_eq(r.outcome, INBOUND_IGNORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM tickets"), 2);
	now += 3600; /* the next hour */
	cr_assert_eq(deliver("new-utf8.eml").outcome, INBOUND_STORED);
}

Test(mail_in, a_message_too_big_is_refused_with_a_reply_naming_the_limit)
{
	cr_assert_eq(store_setting_set(d, "mail_max_bytes", "1024"), 0);
	char raw[4096];
	int n = snprintf(raw, sizeof raw, "From: cliente@exemplo.com.br\nTo: suporte@exemplo.com.br\n"
	                                  "Subject: Grande\nMessage-ID: <big@client.example>\n\n");
	memset(raw + n, 'x', sizeof raw - (size_t)n);
	struct mail_in_options o = {.mailer = &mailer, .source = "pipe", .now = T0};
	struct inbound_result r;
	cr_assert_eq(mail_in_deliver(d, &o, raw, sizeof raw, &r), 0);
	cr_assert_eq(r.outcome, INBOUND_REFUSED);
	cr_assert_eq(count("SELECT count(*) FROM tickets"), 0);
	cr_assert_eq(count("SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE body_text LIKE '%grande demais%'"), 1);
}

/* ---- replies ---- */

Test(mail_in, a_gmail_reply_to_our_email_is_added_as_the_clients_reply)
{
	struct vars v;
	open_by_email(&v);
	struct inbound_result r = deliver_vars("gmail-reply.eml", &v);
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM tickets WHERE status = 'customer-reply'"), 1);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE body = 'Obrigada! Voltou a funcionar.' "
	                   "AND channel = 'email' AND author_kind = 'client'"),
	             1);
}

Test(mail_in, a_thunderbird_reply_is_found_by_its_references)
{
	struct vars v;
	open_by_email(&v);
	struct inbound_result r = deliver_vars("thunderbird-reply.eml", &v);
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM messages"), 2);
}

Test(mail_in, an_outlook_reply_without_threading_headers_is_found_by_the_hidden_reference)
{
	struct vars v;
	open_by_email(&v);
	struct inbound_result r = deliver_vars("outlook-reply.eml", &v);
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE body LIKE 'Segue o print%' AND body NOT LIKE '%Ref:%'"), 1);
}

Test(mail_in, an_html_only_reply_is_found_by_the_reference_in_a_hidden_span)
{
	struct vars v;
	open_by_email(&v);
	struct inbound_result r = deliver_vars("html-only-reply.eml", &v);
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE body LIKE 'Pode fechar o ticket%'"), 1);
}

Test(mail_in, a_forged_reference_finds_nothing_and_opens_a_new_ticket)
{
	struct vars v;
	open_by_email(&v);
	snprintf(v.ref, sizeof v.ref, "T%s-000000000000", v.number);
	struct inbound_result r = deliver_vars("outlook-reply.eml", &v);
	cr_assert_eq(r.outcome, INBOUND_STORED);
	cr_assert_neq(r.ticket_number, atoll(v.number));
	cr_assert_eq(count("SELECT count(*) FROM tickets"), 2);
}

Test(mail_in, a_stranger_quoting_the_tag_is_not_added_and_gets_a_rate_limited_bounce)
{
	struct vars v;
	open_by_email(&v);
	for (int i = 0; i < 5; i++) {
		struct inbound_result r = deliver_vars("stranger-reply.eml", &v);
		cr_assert_eq(r.outcome, INBOUND_REFUSED, "%s", r.reason);
	}
	cr_assert_eq(count("SELECT count(*) FROM messages"), 1);
	cr_assert_eq(count("SELECT count(*) FROM outbox WHERE to_address LIKE '%intruso@outro-dominio.com%'"),
	             INBOUND_BOUNCES_PER_HOUR);
	cr_assert_eq(count("SELECT count(*) FROM mail_inbound WHERE status = 'refused'"), 5);
}

Test(mail_in, staff_of_the_department_reply_by_email_and_the_client_is_emailed_in_thread)
{
	struct vars v;
	open_by_email(&v);
	struct inbound_result r = deliver_vars("gmail-reply.eml", &v);
	char client_msgid[64];
	snprintf(client_msgid, sizeof client_msgid, "%s", v.msgid);
	r = deliver_vars("staff-reply.eml", &v);
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM tickets WHERE status = 'answered'"), 1);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE author_kind = 'staff' AND "
	                   "body = 'Maria, reiniciamos o PHP-FPM e o site voltou.'"),
	             1);
	char headers[1000];
	text_of("SELECT headers FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE '%cliente@exemplo.com.br%' "
	        "ORDER BY id DESC LIMIT 1",
	        headers, sizeof headers);
	char want[512];
	snprintf(want, sizeof want, "In-Reply-To: <%s>", client_msgid);
	cr_assert(strstr(headers, want), "%s", headers);
	snprintf(want, sizeof want, "References: <%s> <%s>", v.sent_id, client_msgid);
	cr_assert(strstr(headers, want), "%s", headers);
}

Test(mail_in, an_agent_of_another_department_may_not_reply_by_email)
{
	struct vars v;
	open_by_email(&v);
	struct account_new n = {.kind = ACCOUNT_STAFF, .email = "agente@exemplo.com.br",
	                        .name = "Agente", .password = "senha1234"};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	cr_assert_eq(store_staff_department_add(d, id, count("SELECT id FROM departments WHERE sort_order = 2")), 0);
	size_t len;
	struct corpus_vars cv = {"agent@x", v.sent_id, v.number, v.ref};
	char *raw = corpus_load("staff-reply.eml", &cv, &len);
	char *from = strstr(raw, "Ana Lima <admin@");
	memcpy(from, "Agente <agente@", strlen("Agente <agente@"));
	memmove(from + strlen("Agente <agente@"), from + strlen("Ana Lima <admin@"),
	        strlen(from + strlen("Ana Lima <admin@")) + 1);
	struct mail_in_options o = {.mailer = &mailer, .source = "pipe", .now = T0};
	struct inbound_result r;
	cr_assert_eq(mail_in_deliver(d, &o, raw, strlen(raw), &r), 0);
	free(raw);
	cr_assert_eq(r.outcome, INBOUND_REFUSED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM messages WHERE author_kind = 'staff'"), 0);
}

Test(mail_in, staff_can_read_the_original_email_of_a_message)
{
	struct vars v;
	int64_t number = open_by_email(&v);
	struct session admin = {.kind = ACCOUNT_STAFF, .admin = true,
	                        .user_id = count("SELECT id FROM staff LIMIT 1")};
	arena *a = arena_new(4096);
	const char *data = NULL;
	size_t len = 0;
	int64_t message = count("SELECT id FROM messages LIMIT 1");
	cr_assert_eq(inbound_original_for_staff(d, &admin, number, message, a, &data, &len), 1);
	cr_assert(strstr(data, "(11) 99999-0000"), "the signature cut from the ticket is in the original");
	cr_assert(strstr(data, "Message-ID: <in-1@client.example>"));
	struct session client = {.kind = ACCOUNT_CLIENT, .user_id = 1};
	cr_assert_eq(inbound_original_for_staff(d, &client, number, message, a, &data, &len), 0);
	arena_free(a);
}

/* ---- loops and abuse ---- */

Test(mail_in, bounces_auto_replies_bulk_and_x_autoreply_are_ignored_and_never_answered)
{
	struct vars v;
	open_by_email(&v);
	int64_t mails = count("SELECT count(*) FROM outbox");
	const char *files[] = {"bounce.eml", "autoreply.eml", "bulk.eml", "x-autoreply.eml"};
	for (size_t i = 0; i < 4; i++) {
		struct inbound_result r = deliver_vars(files[i], &v);
		cr_assert_eq(r.outcome, INBOUND_IGNORED, "%s: %s", files[i], r.reason);
	}
	cr_assert_eq(count("SELECT count(*) FROM outbox"), mails);
	cr_assert_eq(count("SELECT count(*) FROM messages"), 1);
	cr_assert_eq(count("SELECT count(*) FROM mail_inbound WHERE status = 'ignored'"), 4);
}

Test(mail_in, mail_from_our_own_address_is_ignored)
{
	const char raw[] = "From: Nuvem Azul <ATENDIMENTO@exemplo.com.br>\nTo: suporte@exemplo.com.br\n"
	                   "Subject: loop\nMessage-ID: <own@x>\n\nhello\n";
	const char dept[] = "From: suporte@exemplo.com.br\nTo: suporte@exemplo.com.br\n"
	                    "Subject: loop\nMessage-ID: <own2@x>\n\nhello\n";
	struct mail_in_options o = {.mailer = &mailer, .source = "pipe", .now = T0};
	struct inbound_result r;
	cr_assert_eq(mail_in_deliver(d, &o, raw, sizeof raw - 1, &r), 0);
	cr_assert_eq(r.outcome, INBOUND_IGNORED, "%s", r.reason);
	cr_assert_eq(mail_in_deliver(d, &o, dept, sizeof dept - 1, &r), 0);
	cr_assert_eq(r.outcome, INBOUND_IGNORED, "%s", r.reason);
	cr_assert_eq(count("SELECT count(*) FROM outbox"), 0);
}

Test(mail_in, banned_addresses_and_domains_are_ignored)
{
	cr_assert_eq(store_setting_set(d, "mail_banned_senders", "spam@x.example,\n@CLIENTE-NOVO.com.br"), 0);
	struct inbound_result r = deliver("new-unknown.eml");
	cr_assert_eq(r.outcome, INBOUND_IGNORED, "%s", r.reason);
	cr_assert(strstr(r.reason, "banned"));
	cr_assert_eq(deliver("new-utf8.eml").outcome, INBOUND_STORED);
}

Test(mail_in, an_outlook_out_of_office_without_the_standard_headers_is_ignored_and_tells_nobody)
{
	int64_t outbox_before = count("SELECT count(*) FROM outbox");
	struct inbound_result r = deliver("corpus/auto-outlook-en.eml");
	cr_assert_eq(r.outcome, INBOUND_IGNORED, "%s", r.reason);
	cr_expect_not_null(strstr(r.reason, "out-of-office"), "%s", r.reason);
	cr_expect_eq(count("SELECT count(*) FROM tickets"), 0);
	cr_expect_eq(count("SELECT count(*) FROM outbox"), outbox_before, "the staff were notified");
}

Test(mail_in, a_part_sent_without_a_name_is_kept_under_a_name_made_from_its_type)
{
	struct inbound_result r = deliver("corpus/att-image-jpg-no-name.eml");
	cr_assert_eq(r.outcome, INBOUND_STORED, "%s", r.reason);
	char name[64];
	text_of("SELECT name FROM attachments", name, sizeof name);
	cr_expect_str_eq(name, "imagem-1.jpg");
}
