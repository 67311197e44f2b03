/* The knowledge base's rules: votes (one per voter, changed not added, the
 * per-address limit), search (accents folded both ways, ranking fallback,
 * no query syntax from users), drafts and hidden categories never shown to
 * clients, staff-only writing, tickets avoided, the demo data; and, through
 * the view helper, that bodies and snippets come out escaped. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "domain/kb.h"
#include "domain/kb_views.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/kb_store.h"
#include "store/ticket_store.h"
#include "view/markdown.h"
#include "web/kb.h"
#include "../test_db.h"

static db *d;
static arena *a;
static char path[64];
static const int64_t T0 = 1800000000;
static const char TOKEN_A[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char TOKEN_B[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static struct session staff_session = {.id = 1, .kind = ACCOUNT_STAFF, .user_id = 1, .admin = false};
static struct session admin_session = {.id = 2, .kind = ACCOUNT_STAFF, .user_id = 2, .admin = true};
static struct session client_session = {.id = 3, .kind = ACCOUNT_CLIENT, .user_id = 0};

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/chamado-kb-%d.db", getpid());
	unlink(path);
	char url[96], err[256];
	snprintf(url, sizeof url, "sqlite:%s", path);
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	a = arena_new(1 << 16);
	cr_assert_not_null(a);
	client_session.user_id = store_client_insert(d, "maria@example.com", "Maria", "x", "pt-BR", T0);
	cr_assert_gt(client_session.user_id, 0);
}

static void teardown(void)
{
	arena_free(a);
	db_close(d);
	unlink(path);
	char extra[80];
	snprintf(extra, sizeof extra, "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof extra, "%s-shm", path);
	unlink(extra);
}

TestSuite(kb, .init = setup, .fini = teardown);
TestSuite(kb_view, .init = setup, .fini = teardown);

static int64_t category(const char *name, bool visible)
{
	struct kb_category_form f = {.name = name, .description = "", .visible = visible,
	                             .sort_order = ""};
	struct kb_category_errors e;
	int64_t id = 0;
	cr_assert_eq(kb_category_save(d, &staff_session, 0, &f, T0, &e, &id), KB_OK);
	return id;
}

static int64_t article(int64_t category_id, const char *title, const char *body, bool published)
{
	struct kb_article_form f = {.title = title, .body = body, .category_id = category_id,
	                            .published = published, .sort_order = ""};
	struct kb_article_errors e;
	int64_t id = 0;
	cr_assert_eq(kb_article_save(d, &staff_session, 0, &f, T0, &e, &id), KB_OK);
	cr_assert_gt(id, 0);
	return id;
}

static void tally(int64_t id, int64_t want_yes, int64_t want_total)
{
	int64_t yes, total;
	cr_assert_eq(kb_vote_tally(d, id, &yes, &total), 0);
	cr_assert_eq(yes, want_yes, "yes votes: %lld, expected %lld", (long long)yes, (long long)want_yes);
	cr_assert_eq(total, want_total, "votes: %lld, expected %lld", (long long)total, (long long)want_total);
}

static int search(const struct session *reader, const char *q, struct kb_hit *hits)
{
	int n = kb_search(d, reader, q, a, hits, 10);
	cr_assert_geq(n, 0, "search \"%s\" failed: %s", q, db_error(d));
	return n;
}

/* ---- votes ---- */

Test(kb, a_client_has_one_vote_per_article_and_voting_again_changes_it)
{
	int64_t id = article(category("E-mail", true), "Configurar e-mail", "Passos.", true);
	struct kb_voter v = {.client = &client_session, .ip = "203.0.113.9"};
	cr_assert_eq(kb_vote(d, &v, id, true, T0), KB_OK);
	tally(id, 1, 1);
	cr_assert_eq(kb_vote(d, &v, id, true, T0 + 1), KB_OK);
	tally(id, 1, 1);
	cr_assert_eq(kb_vote(d, &v, id, false, T0 + 2), KB_OK);
	tally(id, 0, 1);
	bool helpful = true;
	cr_assert_eq(kb_vote_of(d, &v, id, &helpful), 1);
	cr_assert_not(helpful);
}

Test(kb, anonymous_voters_are_told_apart_by_their_cookie_which_is_stored_hashed)
{
	int64_t id = article(category("E-mail", true), "Configurar e-mail", "Passos.", true);
	struct kb_voter first = {.anonymous_token = TOKEN_A, .ip = "198.51.100.1"};
	struct kb_voter second = {.anonymous_token = TOKEN_B, .ip = "198.51.100.1"};
	struct kb_voter client = {.client = &client_session, .ip = "198.51.100.1"};
	cr_assert_eq(kb_vote(d, &first, id, true, T0), KB_OK);
	cr_assert_eq(kb_vote(d, &second, id, false, T0), KB_OK);
	cr_assert_eq(kb_vote(d, &client, id, true, T0), KB_OK);
	cr_assert_eq(kb_vote(d, &first, id, false, T0), KB_OK);
	tally(id, 1, 3);
	char key[KB_VOTER_KEY_MAX];
	cr_assert(kb_voter_key(&first, key));
	cr_assert(strncmp(key, "anon:", 5) == 0);
	cr_assert_null(strstr(key, TOKEN_A), "the cookie itself is never stored");
	cr_assert_eq(strlen(key), 5 + 64);
}

Test(kb, a_vote_without_a_client_or_a_well_formed_cookie_is_refused)
{
	int64_t id = article(category("E-mail", true), "Configurar e-mail", "Passos.", true);
	struct kb_voter nobody = {.anonymous_token = "short", .ip = "198.51.100.1"};
	cr_assert_eq(kb_vote(d, &nobody, id, true, T0), KB_INVALID);
	tally(id, 0, 0);
}

Test(kb, anonymous_votes_are_limited_per_address_per_hour)
{
	int64_t id = article(category("E-mail", true), "Configurar e-mail", "Passos.", true);
	int64_t start = T0 - T0 % KB_VOTE_WINDOW;
	char token[64];
	for (int i = 0; i < KB_VOTES_PER_IP; i++) {
		snprintf(token, sizeof token, "%043d", i);
		struct kb_voter v = {.anonymous_token = token, .ip = "192.0.2.7"};
		cr_assert_eq(kb_vote(d, &v, id, true, start + i), KB_OK);
	}
	struct kb_voter more = {.anonymous_token = TOKEN_A, .ip = "192.0.2.7"};
	cr_assert_eq(kb_vote(d, &more, id, true, start + 100), KB_LIMITED);
	tally(id, KB_VOTES_PER_IP, KB_VOTES_PER_IP);
	/* Another address, a signed-in client, and the next hour are not limited. */
	struct kb_voter elsewhere = {.anonymous_token = TOKEN_A, .ip = "192.0.2.8"};
	cr_assert_eq(kb_vote(d, &elsewhere, id, true, start + 101), KB_OK);
	struct kb_voter client = {.client = &client_session, .ip = "192.0.2.7"};
	cr_assert_eq(kb_vote(d, &client, id, true, start + 102), KB_OK);
	struct kb_voter later = {.anonymous_token = TOKEN_B, .ip = "192.0.2.7"};
	cr_assert_eq(kb_vote(d, &later, id, true, start + KB_VOTE_WINDOW), KB_OK);
}

Test(kb, nobody_votes_on_a_draft)
{
	int64_t id = article(category("E-mail", true), "Rascunho", "Ainda não.", false);
	struct kb_voter v = {.client = &client_session};
	cr_assert_eq(kb_vote(d, &v, id, true, T0), KB_NOT_FOUND);
	cr_assert_eq(kb_vote(d, &v, 999, true, T0), KB_NOT_FOUND);
	tally(id, 0, 0);
}

/* ---- search ---- */

Test(kb, search_folds_accents_both_ways_and_ignores_case)
{
	int64_t c = category("E-mail", true);
	int64_t accented = article(c, "Configuração do Outlook", "Abra o Outlook.", true);
	int64_t plain = article(c, "Migracao de contas", "Sem acentos aqui.", true);
	struct kb_hit hits[10];
	cr_assert_eq(search(NULL, "configuracao", hits), 1);
	cr_assert_eq(hits[0].id, accented);
	cr_assert_eq(search(NULL, "CONFIGURAÇÃO", hits), 1);
	cr_assert_eq(hits[0].id, accented);
	cr_assert_eq(search(NULL, "migração", hits), 1);
	cr_assert_eq(hits[0].id, plain);
	cr_assert_eq(search(NULL, "   ", hits), 0);
	cr_assert_eq(search(NULL, "", hits), 0);
}

Test(kb, search_ranks_title_matches_first_and_highlights_them)
{
	int64_t c = category("E-mail", true);
	int64_t in_body = article(c, "Webmail", "Para acessar o webmail, use o endereço do DNS.", true);
	int64_t in_title = article(c, "Como apontar o DNS", "Troque os servidores.", true);
	struct kb_hit hits[10];
	cr_assert_eq(search(NULL, "dns", hits), 2);
	cr_assert_eq(hits[0].id, in_title);
	cr_assert_eq(hits[1].id, in_body);
	cr_assert_str_eq(hits[0].title_marked, "Como apontar o \x01" "DNS\x02");
	cr_assert_not_null(strstr(hits[1].snippet_marked, "\x01" "DNS\x02"));
}

Test(kb, search_needs_all_words_first_then_any_uncommon_one)
{
	int64_t c = category("E-mail", true);
	int64_t phone = article(c, "E-mail no celular", "Configure o IMAP no celular.", true);
	article(c, "E-mail no Outlook", "Configure o IMAP no Outlook.", true);
	struct kb_hit hits[10];
	cr_assert_eq(search(NULL, "imap celular", hits), 1);
	cr_assert_eq(hits[0].id, phone);
	/* No article has every word: the uncommon ones, any of them, best first. */
	int n = search(NULL, "não consigo usar o celular com o wifi", hits);
	cr_assert_eq(n, 1);
	cr_assert_eq(hits[0].id, phone);
}

Test(kb, search_words_are_never_read_as_query_syntax)
{
	int64_t c = category("E-mail", true);
	article(c, "Senha", "Troque a senha.", true);
	struct kb_hit hits[10];
	const char *tricky[] = {
		"\"", "senha\"", "title:senha", "NEAR(senha troque)", "senha*", "-senha", "senha OR",
		"AND", "^senha", "{title}: senha", "'; DROP TABLE kb_articles; --", "\x01senha\x02",
	};
	for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
		search(NULL, tricky[i], hits);
	cr_assert_eq(search(NULL, "senha", hits), 1);
}

Test(kb, suggestions_match_a_subject_as_it_is_typed)
{
	int64_t c = category("Primeiros passos", true);
	int64_t how = article(c, "Como abrir um ticket de suporte", "Clique em Abrir Ticket.", true);
	article(c, "Rascunho sobre tickets", "Ainda não.", false);
	struct kb_hit hits[KB_SUGGESTIONS_MAX];
	int n = kb_suggest(d, NULL, "como abrir um tick", a, hits, KB_SUGGESTIONS_MAX);
	cr_assert_eq(n, 1);
	cr_assert_eq(hits[0].id, how);
	cr_assert_eq(kb_suggest(d, NULL, "rascunho", a, hits, KB_SUGGESTIONS_MAX), 0);
	for (int i = 0; i < 8; i++)
		article(c, "Ticket extra", "Mais um ticket.", true);
	cr_assert_eq(kb_suggest(d, NULL, "ticket", a, hits, 50), KB_SUGGESTIONS_MAX);
}

/* ---- who sees what ---- */

Test(kb, clients_and_visitors_never_see_a_draft_anywhere)
{
	int64_t c = category("E-mail", true);
	int64_t draft = article(c, "Rascunho secreto", "Texto secreto.", false);
	article(c, "Publicado", "Texto publico.", true);
	const struct session *readers[] = {NULL, &client_session};
	for (size_t r = 0; r < 2; r++) {
		struct kb_article_row row;
		cr_assert_eq(kb_article_read(d, readers[r], draft, false, T0, a, &row), 0);
		struct kb_hit hits[10];
		cr_assert_eq(search(readers[r], "secreto", hits), 0);
		struct kb_category_row cats[4];
		cr_assert_eq(kb_categories(d, readers[r], a, cats, 4), 1);
		cr_assert_eq(cats[0].article_count, 1);
		struct kb_article_row rows[4];
		int n = 0;
		cr_assert_eq(kb_category(d, readers[r], c, a, &cats[0], rows, 4, &n), 1);
		cr_assert_eq(n, 1);
		cr_assert_str_eq(rows[0].title, "Publicado");
	}
	/* Staff see it, and so does search for staff. */
	struct kb_article_row row;
	cr_assert_eq(kb_article_read(d, &staff_session, draft, false, T0, a, &row), 1);
	struct kb_hit hits[10];
	cr_assert_eq(search(&staff_session, "secreto", hits), 1);
	/* Published, it shows. */
	cr_assert_eq(kb_article_publish(d, &staff_session, draft, true, T0), KB_OK);
	cr_assert_eq(kb_article_read(d, NULL, draft, false, T0, a, &row), 1);
	cr_assert_eq(kb_article_publish(d, &staff_session, draft, false, T0), KB_OK);
	cr_assert_eq(kb_article_read(d, NULL, draft, false, T0, a, &row), 0);
}

Test(kb, a_hidden_category_hides_its_published_articles)
{
	int64_t hidden = category("Interno", false);
	int64_t id = article(hidden, "Procedimento interno", "Só para a equipe.", true);
	struct kb_article_row row;
	cr_assert_eq(kb_article_read(d, &client_session, id, false, T0, a, &row), 0);
	struct kb_hit hits[10];
	cr_assert_eq(search(NULL, "procedimento", hits), 0);
	struct kb_category_row cats[4];
	cr_assert_eq(kb_categories(d, NULL, a, cats, 4), 0);
	struct kb_voter v = {.client = &client_session};
	cr_assert_eq(kb_vote(d, &v, id, true, T0), KB_NOT_FOUND);
}

Test(kb, reading_counts_views_for_readers_but_not_for_staff)
{
	int64_t id = article(category("E-mail", true), "Webmail", "Acesse o webmail.", true);
	struct kb_article_row row;
	cr_assert_eq(kb_article_read(d, NULL, id, false, T0, a, &row), 1);
	cr_assert_eq(kb_article_read(d, &client_session, id, false, T0, a, &row), 1);
	cr_assert_eq(row.views, 2);
	cr_assert_eq(kb_article_read(d, &staff_session, id, false, T0, a, &row), 1);
	cr_assert_eq(row.views, 2);
}

static int64_t stored_views(int64_t id)
{
	struct kb_article_row row;
	cr_assert_eq(store_kb_article_get(d, id, a, &row), 1);
	return row.views;
}

/* Views wait in memory and go to the database in batches: every article
 * page shows them meanwhile. */
Test(kb, views_are_written_in_batches_and_shown_meanwhile)
{
	int64_t id = article(category("E-mail", true), "Webmail", "Acesse o webmail.", true);
	struct kb_article_row row;
	for (int i = 1; i < KB_VIEWS_BATCH; i++) {
		cr_assert_eq(kb_article_read(d, NULL, id, false, T0, a, &row), 1);
		cr_assert_eq(row.views, i, "the page counts its own view");
	}
	cr_assert_eq(stored_views(id), 0, "no write before the batch");
	cr_assert_eq(kb_article_read(d, &staff_session, id, false, T0, a, &row), 1);
	cr_assert_eq(row.views, KB_VIEWS_BATCH - 1, "staff see the waiting views too");
	cr_assert_eq(kb_article_read(d, NULL, id, false, T0, a, &row), 1);
	cr_assert_eq(stored_views(id), KB_VIEWS_BATCH, "the batch's last view writes them all");
	cr_assert_eq(row.views, KB_VIEWS_BATCH);

	cr_assert_eq(kb_article_read(d, NULL, id, false, T0 + 10, a, &row), 1);
	cr_assert_eq(stored_views(id), KB_VIEWS_BATCH, "one view waits");
	cr_assert_eq(kb_article_read(d, NULL, id, false, T0 + 10 + KB_VIEWS_WAIT_S, a, &row), 1);
	cr_assert_eq(stored_views(id), KB_VIEWS_BATCH + 2, "the first waited long enough");
}

Test(kb, the_staff_list_writes_the_waiting_views_first)
{
	int64_t id = article(category("E-mail", true), "Webmail", "Acesse o webmail.", true);
	struct kb_article_row row, rows[4];
	for (int i = 0; i < 3; i++)
		cr_assert_eq(kb_article_read(d, &client_session, id, false, T0, a, &row), 1);
	cr_assert_eq(stored_views(id), 0);
	cr_assert_eq(kb_articles_all(d, &admin_session, a, rows, 4), 1);
	cr_assert_eq(rows[0].views, 3);
	cr_assert_eq(stored_views(id), 3);
	cr_assert_eq(kb_views_waiting(id), 0);
	cr_assert_eq(kb_views_write(d), 0, "nothing left to write");
	cr_assert_eq(stored_views(id), 3);
}

Test(kb, only_staff_write_articles_and_categories)
{
	int64_t c = category("E-mail", true);
	struct kb_article_form f = {.title = "T", .body = "B", .category_id = c, .sort_order = ""};
	struct kb_article_errors e;
	cr_assert_eq(kb_article_save(d, &client_session, 0, &f, T0, &e, NULL), KB_REFUSED);
	cr_assert_eq(kb_article_save(d, NULL, 0, &f, T0, &e, NULL), KB_REFUSED);
	struct kb_category_form cf = {.name = "X", .description = "", .sort_order = ""};
	struct kb_category_errors ce;
	cr_assert_eq(kb_category_save(d, &client_session, 0, &cf, T0, &ce, NULL), KB_REFUSED);
	cr_assert_eq(kb_article_publish(d, &client_session, 1, true, T0), KB_REFUSED);
	/* Agents and admins both write; only admins change who may read. */
	cr_assert_eq(kb_article_save(d, &admin_session, 0, &f, T0, &e, NULL), KB_OK);
	cr_assert_eq(kb_set_requires_login(d, &staff_session, true), KB_REFUSED);
	/* Read first: the thread's copy of the answer must not outlive the save. */
	cr_assert_not(kb_requires_login(d));
	cr_assert_eq(kb_set_requires_login(d, &admin_session, true), KB_OK);
	cr_assert(kb_requires_login(d));
	cr_assert_eq(kb_set_requires_login(d, &admin_session, false), KB_OK);
	cr_assert_not(kb_requires_login(d));
}

Test(kb, an_article_form_is_checked_whole_before_anything_is_saved)
{
	struct kb_article_form f = {.title = "  ", .body = "\n", .category_id = 77,
	                            .sort_order = "primeiro"};
	struct kb_article_errors e;
	cr_assert_eq(kb_article_save(d, &staff_session, 0, &f, T0, &e, NULL), KB_INVALID);
	cr_assert_str_eq(e.title, "Write a title.");
	cr_assert_str_eq(e.body, "Write the article.");
	cr_assert_str_eq(e.category, "Choose a category.");
	cr_assert_not_null(e.sort_order);
	cr_assert_eq(store_kb_article_count(d), 0);
}

Test(kb, moving_an_article_and_ordering_it)
{
	int64_t first = category("Primeiros passos", true);
	int64_t second = category("E-mail", true);
	int64_t one = article(first, "Um", "1", true);
	int64_t two = article(first, "Dois", "2", true);
	struct kb_article_form f = {.title = "Dois", .body = "2", .category_id = first,
	                            .sort_order = "0"};
	struct kb_article_errors e;
	cr_assert_eq(kb_article_save(d, &staff_session, two, &f, T0, &e, NULL), KB_OK);
	struct kb_category_row cat;
	struct kb_article_row rows[4];
	int n = 0;
	cr_assert_eq(kb_category(d, NULL, first, a, &cat, rows, 4, &n), 1);
	cr_assert_eq(n, 2);
	cr_assert_eq(rows[0].id, two);
	cr_assert_eq(rows[1].id, one);
	f.category_id = second;
	cr_assert_eq(kb_article_save(d, &staff_session, two, &f, T0, &e, NULL), KB_OK);
	cr_assert_eq(kb_category(d, NULL, second, a, &cat, rows, 4, &n), 1);
	cr_assert_eq(n, 1);
	cr_assert_eq(rows[0].id, two);
	/* A category with articles is not deleted; an empty one is. */
	cr_assert_eq(kb_category_delete(d, &staff_session, second), KB_REFUSED);
	cr_assert_eq(kb_article_delete(d, &staff_session, two), KB_OK);
	cr_assert_eq(kb_category_delete(d, &staff_session, second), KB_OK);
}

/* ---- tickets avoided ---- */

static void open_ticket(int64_t department, int64_t number, int64_t when)
{
	cr_assert_gt(store_ticket_insert(d, number, client_session.user_id, department, 0, "Ajuda",
	                                 "medium", NULL, NULL, when),
	             0);
}

Test(kb, a_suggestion_opened_counts_as_a_ticket_avoided_when_no_ticket_follows)
{
	int64_t dep = store_department_insert(d, "Suporte", "", NULL, 1, 1, T0);
	int64_t c = category("E-mail", true);
	int64_t x = article(c, "Webmail", "Acesse o webmail.", true);
	int64_t y = article(c, "Outlook", "Configure o Outlook.", true);
	struct kb_article_row row;
	const int64_t W = KB_AVOIDED_WINDOW;
	/* 1: opened, no ticket -> avoided. */
	cr_assert_eq(kb_article_read(d, &client_session, x, true, T0, a, &row), 1);
	/* 2: two opens close together, a ticket 20 minutes after the second -> not avoided. */
	cr_assert_eq(kb_article_read(d, &client_session, x, true, T0 + 10 * W, a, &row), 1);
	cr_assert_eq(kb_article_read(d, &client_session, y, true, T0 + 10 * W + 600, a, &row), 1);
	open_ticket(dep, 111111, T0 + 10 * W + 600 + 1200);
	/* 3: reloading the same suggestion is one open, and a ticket long after does not matter. */
	cr_assert_eq(kb_article_read(d, &client_session, y, true, T0 + 20 * W, a, &row), 1);
	cr_assert_eq(kb_article_read(d, &client_session, y, true, T0 + 20 * W + 5, a, &row), 1);
	open_ticket(dep, 222222, T0 + 22 * W);
	/* Not from the ticket form, or not a client: not counted at all. */
	cr_assert_eq(kb_article_read(d, &client_session, x, false, T0 + 30 * W, a, &row), 1);
	cr_assert_eq(kb_article_read(d, NULL, x, true, T0 + 30 * W, a, &row), 1);
	int64_t avoided = -1, opens = -1;
	cr_assert_eq(kb_tickets_avoided(d, &admin_session, T0 + 40 * W, 30, &avoided, &opens), KB_OK);
	cr_assert_eq(opens, 4);
	cr_assert_eq(avoided, 2);
	/* Still inside the window: not counted yet. */
	cr_assert_eq(kb_tickets_avoided(d, &admin_session, T0 + 20 * W + 10, 30, &avoided, &opens),
	             KB_OK);
	cr_assert_eq(avoided, 1);
	cr_assert_eq(kb_tickets_avoided(d, &client_session, T0 + 40 * W, 30, &avoided, &opens),
	             KB_REFUSED);
}

/* ---- demo data ---- */

Test(kb, the_demo_base_explains_how_to_open_a_ticket_and_is_seeded_once)
{
	cr_assert_eq(kb_demo_seed(d), 0);
	int64_t count = store_kb_article_count(d);
	cr_assert_geq(count, 5);
	cr_assert_eq(kb_demo_seed(d), 0);
	cr_assert_eq(store_kb_article_count(d), count);
	struct kb_category_row cats[4];
	cr_assert_eq(kb_categories(d, NULL, a, cats, 4), 2);
	struct kb_hit hits[10];
	cr_assert_geq(search(NULL, "abrir ticket", hits), 1);
	cr_assert_str_eq(hits[0].title, "Como abrir um ticket de suporte");
	struct kb_article_row row;
	cr_assert_eq(kb_article_read(d, NULL, hits[0].id, false, T0, a, &row), 1);
	const char *steps[] = {"Abrir Ticket", "Assunto", "Serviço Relacionado", "Prioridade",
	                       "Mensagem", "Anexos", "Enviar", "Meus Tickets de Suporte"};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		cr_assert_not_null(strstr(row.body, steps[i]), "the article mentions %s", steps[i]);
}

/* ---- escaping ---- */

Test(kb_view, snippets_escape_the_article_and_mark_only_the_matched_words)
{
	int64_t c = category("E-mail", true);
	article(c, "<img src=x onerror=alert(1)> configuração",
	        "Antes <script>alert('x')</script> da configuração & depois \"aspas\".", true);
	struct kb_hit hits[4];
	cr_assert_eq(search(NULL, "configuracao", hits), 1);
	const char *title = kb_marked_html(a, hits[0].title_marked, false);
	cr_assert_str_eq(title, "&lt;img src=x onerror=alert(1)&gt; <mark>configuração</mark>");
	const char *snippet = kb_marked_html(a, hits[0].snippet_marked, true);
	cr_assert_null(strstr(snippet, "<script"), "%s", snippet);
	cr_assert_not_null(strstr(snippet, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "%s", snippet);
	cr_assert_not_null(strstr(snippet, "<mark>configuração</mark>"), "%s", snippet);
	cr_assert_not_null(strstr(snippet, "&amp; depois &quot;aspas&quot;"), "%s", snippet);
}

Test(kb_view, search_terms_with_html_are_escaped_in_highlights)
{
	int64_t c = category("E-mail", true);
	article(c, "Script", "O script roda.", true);
	struct kb_hit hits[4];
	cr_assert_eq(search(NULL, "<script>alert(1)</script>", hits), 1);
	const char *html = kb_marked_html(a, hits[0].title_marked, false);
	cr_assert_str_eq(html, "<mark>Script</mark>");
}

Test(kb_view, markers_are_balanced_and_control_characters_dropped)
{
	cr_assert_str_eq(kb_marked_html(a, "a\x01" "b", false), "a<mark>b</mark>");
	cr_assert_str_eq(kb_marked_html(a, "a\x02" "b\x01\x01" "c\x02\x02", false), "ab<mark>c</mark>");
	cr_assert_str_eq(kb_marked_html(a, "x\x03y\x1b", false), "xy");
	cr_assert_str_eq(kb_marked_html(a, "**bold** # `code` | t", true), "bold  code  t");
	cr_assert_str_eq(kb_marked_html(a, "", false), "");
}

Test(kb_view, article_bodies_render_without_live_html_or_script_links)
{
	const char *src = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
	                  "[x](javascript:alert(1)) [ok](https://example.com)";
	buf out;
	buf_init(&out, 1 << 16);
	cr_assert_eq(markdown_render(src, strlen(src), &out), 0);
	const char *html = buf_str(&out);
	cr_assert_null(strstr(html, "<script"), "%s", html);
	cr_assert_null(strstr(html, "<img"), "%s", html);
	cr_assert_null(strstr(html, "javascript:"), "%s", html);
	cr_assert_not_null(strstr(html, "&lt;script&gt;"), "%s", html);
	cr_assert_not_null(strstr(html, "href=\"https://example.com\""), "%s", html);
	buf_free(&out);
}
