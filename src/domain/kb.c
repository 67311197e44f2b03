#include "domain/kb.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "base/thread_copy.h"
#include "domain/kb_views.h"
#include "domain/permission.h"
#include "domain/token.h"
#include "store/settings_store.h"
#include "view/i18n.h"

enum { WORDS_MAX = 16, CATEGORY_MAX = 200 };

/* Ends a write transaction: commits when rc is 0, giving id (what was
 * saved) in *out_id when not NULL, else rolls back. rc, or the commit's
 * error. */
static int finish_write(db *d, int rc, int64_t id, int64_t *out_id)
{
	if (rc != 0) {
		db_rollback(d);
		return rc;
	}
	rc = db_commit(d);
	if (rc == 0 && out_id)
		*out_id = id;
	return rc;
}

bool kb_may_write(const struct session *s)
{
	return s && s->kind == ACCOUNT_STAFF;
}

static bool public_reader(const struct session *reader)
{
	return !kb_may_write(reader);
}

/* Every knowledge-base page asks whether it needs a signed-in reader: a
 * thread's copy of the answer serves for LOGIN_TTL seconds, and is read
 * again at once after a save on this node (another node's save shows
 * within the TTL). A failed read is not kept, and answers "required". */
enum { LOGIN_TTL = 5 };
static atomic_uint login_generation;

/* 1 when the setting is on, 0 when off or unset, < 0. */
static int login_setting_read(void *d)
{
	char value[8];
	int rc = store_setting_read(d, "kb_require_login", value, sizeof value);
	return rc < 0 ? rc : rc == 1 && str_eq(value, "1");
}

bool kb_requires_login(db *d)
{
	static _Thread_local struct kept_value kept;
	unsigned generation = atomic_load(&login_generation);
	return kept_value_get(&kept, d, LOGIN_TTL, generation, login_setting_read) != 0;
}

int kb_set_requires_login(db *d, const struct session *actor, bool required)
{
	if (!permission_administer(actor))
		return KB_REFUSED;
	int rc = store_setting_set(d, "kb_require_login", required ? "1" : "0");
	atomic_fetch_add(&login_generation, 1);
	return rc;
}

/* ---- reading ---- */

int kb_categories(db *d, const struct session *reader, arena *a, struct kb_category_row *rows,
                  int max)
{
	return store_kb_category_list(d, public_reader(reader), a, rows, max);
}

int kb_category(db *d, const struct session *reader, int64_t id, arena *a,
                struct kb_category_row *category, struct kb_article_row *rows, int max, int *n)
{
	*n = 0;
	int rc = store_kb_category_get(d, id, a, category);
	if (rc != 1)
		return rc;
	bool public_only = public_reader(reader);
	if (public_only && !category->visible)
		return 0;
	int count = store_kb_article_list_by_category(d, id, public_only, a, rows, max);
	if (count < 0)
		return count;
	*n = count;
	if (public_only)
		category->article_count = count;
	return 1;
}

static bool visible_to(const struct session *reader, const struct kb_article_row *row)
{
	return !public_reader(reader) || (row->published && row->category_visible);
}

int kb_article_read(db *d, const struct session *reader, int64_t id, bool from_ticket_form,
                    int64_t now, arena *a, struct kb_article_row *row)
{
	if (id <= 0)
		return 0;
	int rc = store_kb_article_get(d, id, a, row);
	if (rc != 1)
		return rc;
	if (!visible_to(reader, row))
		return 0;
	if (!public_reader(reader)) {
		row->views += kb_views_waiting(id);
		return 1;
	}
	bool suggestion = from_ticket_form && reader && reader->kind == ACCOUNT_CLIENT;
	if (!suggestion) {
		bool due = false;
		int64_t waiting = kb_views_note(id, now, &due);
		if (waiting > 0) {
			row->views += waiting;
			/* A failed write keeps the views for the next one. */
			if (due)
				kb_views_write(d);
			return 1;
		}
	}
	rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	rc = store_kb_article_views_add(d, id, 1);
	if (rc == 0 && suggestion) {
		int recent = store_kb_suggestion_open_recent(d, reader->user_id, id,
		                                             now - KB_AVOIDED_WINDOW);
		rc = recent < 0 ? recent
		                : recent ? 0 : store_kb_suggestion_open_add(d, reader->user_id, id, now);
	}
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	rc = db_commit(d);
	if (rc < 0)
		return rc;
	row->views += 1 + kb_views_waiting(id);
	return 1;
}

/* A byte of a word: an ASCII letter or digit, or part of a non-ASCII
 * character (accented letters). */
static bool word_byte(char c)
{
	unsigned char u = (unsigned char)c;
	return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

/* Words a search looks for: runs of ASCII letters and digits and of
 * non-ASCII bytes (accented letters), cut at KB_QUERY_MAX bytes. Each word
 * is copied into the arena. Returns the count. */
static int split_words(const char *query, arena *a, const char **words, int max)
{
	int n = 0;
	size_t len = query ? strlen(query) : 0;
	if (len > KB_QUERY_MAX) {
		len = KB_QUERY_MAX;
		while (len > 0 && ((unsigned char)query[len] & 0xC0) == 0x80)
			len--; /* not inside a character */
	}
	size_t i = 0;
	while (i < len && n < max) {
		while (i < len && !word_byte(query[i]))
			i++;
		size_t start = i;
		while (i < len && word_byte(query[i]))
			i++;
		if (i > start) {
			char *w = arena_strndup(a, query + start, i - start);
			if (!w)
				return n;
			words[n++] = w;
		}
	}
	return n;
}

/* Words too common to rank by when any word may match (pt-BR and English). */
static bool common_word(const char *w)
{
	static const char *const common[] = {
		"como", "para", "com", "que", "não", "nao", "meu", "minha", "meus", "minhas", "uma",
		"umas", "uns", "dos", "das", "nos", "nas", "pelo", "pela", "por", "mais", "sem", "ser",
		"está", "esta", "estou", "tem", "ter", "qual", "quando", "onde", "seu", "sua", "the",
		"how", "what", "with", "for", "and", "not", "can", "does", "why", "you", "your",
	};
	if (strlen(w) < 3)
		return true;
	char lower[32];
	size_t n = strlen(w);
	if (n >= sizeof lower)
		return false;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] - 'A' + 'a') : w[i];
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		if (str_eq(lower, common[i]))
			return true;
	return false;
}

/* All the words first; when nothing has them all, the uncommon ones, any. */
static int search_words(db *d, const char *query, bool prefix_last, bool public_only, arena *a,
                        struct kb_hit *hits, int max)
{
	const char *words[WORDS_MAX];
	int n = split_words(query, a, words, WORDS_MAX);
	if (n == 0 || max <= 0)
		return 0;
	/* A query ending in a space has its last word finished. */
	size_t qlen = strlen(query);
	bool prefix = prefix_last && qlen <= KB_QUERY_MAX && word_byte(query[qlen - 1]);
	int found = store_kb_search(d, words, n, KB_MATCH_ALL, prefix, public_only, a, hits, max);
	if (found != 0)
		return found;
	const char *rare[WORDS_MAX];
	int nrare = 0;
	for (int i = 0; i < n; i++)
		if (!common_word(words[i]) || (prefix && i == n - 1))
			rare[nrare++] = words[i];
	if (nrare == 0 || (nrare == n && n == 1))
		return 0;
	bool rare_prefix = prefix && rare[nrare - 1] == words[n - 1];
	return store_kb_search(d, rare, nrare, KB_MATCH_ANY, rare_prefix, public_only, a, hits, max);
}

int kb_search(db *d, const struct session *reader, const char *query, arena *a,
              struct kb_hit *hits, int max)
{
	return search_words(d, query ? query : "", false, public_reader(reader), a, hits, max);
}

int kb_suggest(db *d, const struct session *reader, const char *subject, arena *a,
               struct kb_hit *hits, int max)
{
	(void)reader; /* suggestions are for clients: published articles only */
	if (max > KB_SUGGESTIONS_MAX)
		max = KB_SUGGESTIONS_MAX;
	return search_words(d, subject ? subject : "", true, true, a, hits, max);
}

/* ---- votes ---- */

bool kb_voter_key(const struct kb_voter *v, char out[KB_VOTER_KEY_MAX])
{
	if (v->client && v->client->kind == ACCOUNT_CLIENT) {
		snprintf(out, KB_VOTER_KEY_MAX, "client:%lld", (long long)v->client->user_id);
		return true;
	}
	if (!token_well_formed(v->anonymous_token))
		return false;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(v->anonymous_token, hash);
	snprintf(out, KB_VOTER_KEY_MAX, "anon:%s", hash);
	return true;
}

/* A published article in a visible category: 1, 0, < 0. */
static int votable(db *d, int64_t article_id)
{
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct kb_article_row row;
	int rc = article_id > 0 ? store_kb_article_get(d, article_id, a, &row) : 0;
	if (rc == 1 && !(row.published && row.category_visible))
		rc = 0;
	arena_free(a);
	return rc;
}

int kb_vote(db *d, const struct kb_voter *v, int64_t article_id, bool helpful, int64_t now)
{
	char key[KB_VOTER_KEY_MAX];
	if (!kb_voter_key(v, key))
		return KB_INVALID;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	rc = votable(d, article_id);
	if (rc == 0)
		rc = KB_NOT_FOUND;
	else if (rc == 1)
		rc = 0;
	if (rc == 0 && !v->client) {
		char limit_key[96];
		snprintf(limit_key, sizeof limit_key, "kb-vote:%s", v->ip && *v->ip ? v->ip : "unknown");
		int64_t hits = store_kb_rate_hit(d, limit_key, now - now % KB_VOTE_WINDOW);
		rc = hits < 0 ? (int)hits : hits > KB_VOTES_PER_IP ? KB_LIMITED : 0;
	}
	if (rc == 0)
		rc = store_kb_vote_put(d, article_id, key, helpful, now);
	return finish_write(d, rc, 0, NULL);
}

int kb_vote_tally(db *d, int64_t article_id, int64_t *yes, int64_t *total)
{
	*yes = *total = 0;
	return store_kb_vote_counts(d, article_id, yes, total);
}

int kb_vote_of(db *d, const struct kb_voter *v, int64_t article_id, bool *helpful)
{
	char key[KB_VOTER_KEY_MAX];
	if (!kb_voter_key(v, key))
		return 0;
	return store_kb_vote_get(d, article_id, key, helpful);
}

/* ---- staff ---- */

int kb_tickets_avoided(db *d, const struct session *staff, int64_t now, int days,
                       int64_t *avoided, int64_t *opens)
{
	*avoided = *opens = 0;
	if (!kb_may_write(staff))
		return KB_REFUSED;
	int64_t from = now - (int64_t)days * 86400;
	int64_t a = store_kb_tickets_avoided(d, from, now - KB_AVOIDED_WINDOW, KB_AVOIDED_WINDOW);
	int64_t o = a < 0 ? a : store_kb_suggestion_open_count(d, from, now + 1);
	if (o < 0)
		return (int)o;
	*avoided = a;
	*opens = o;
	return KB_OK;
}

/* The typed order, or the fallback for "". false when it is not a number. */
static bool parse_sort(const char *typed, int64_t fallback, int64_t *out)
{
	if (str_blank(typed)) {
		*out = fallback;
		return true;
	}
	char copy[32];
	snprintf(copy, sizeof copy, "%s", typed);
	return str_to_int64(str_trim(copy), -1000000, 1000000, out);
}

static const char *text_error(const char *s, size_t max_chars, const char *missing,
                              const char *too_long)
{
	if (str_blank(s))
		return missing;
	if (!str_utf8_valid(s, strlen(s)) || str_utf8_length(s) > max_chars)
		return too_long;
	return NULL;
}

/* Trims into the arena; "" for NULL. */
static char *trimmed(arena *a, const char *s)
{
	char *copy = arena_strdup(a, s ? s : "");
	return copy ? str_trim(copy) : NULL;
}

int kb_category_save(db *d, const struct session *staff, int64_t id,
                     const struct kb_category_form *f, int64_t now, struct kb_category_errors *e,
                     int64_t *out_id)
{
	memset(e, 0, sizeof *e);
	if (!kb_may_write(staff))
		return KB_REFUSED;
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	char *name = trimmed(a, f->name), *description = trimmed(a, f->description);
	int rc = name && description ? 0 : DB_NOMEM;
	if (rc < 0)
		goto out;
	e->name = text_error(name, KB_NAME_MAX, N_("Write a name."),
	                     N_("The name can have at most 100 characters."));
	if (*description && (!str_utf8_valid(description, strlen(description)) ||
	                     str_utf8_length(description) > KB_DESCRIPTION_MAX))
		e->description = N_("The description can have at most 500 characters.");
	int64_t next = store_kb_category_next_sort(d);
	int64_t sort = 0;
	if (next < 0) {
		rc = (int)next;
		goto out;
	}
	if (!parse_sort(f->sort_order, next, &sort))
		e->sort_order = N_("Write a whole number, or leave it empty.");
	if (e->name || e->description || e->sort_order) {
		rc = KB_INVALID;
		goto out;
	}
	rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	if (id) {
		struct kb_category_row row;
		rc = store_kb_category_get(d, id, a, &row);
		if (rc == 1)
			rc = store_kb_category_update(d, id, name, description, f->visible, sort);
		else if (rc == 0)
			rc = KB_NOT_FOUND;
	} else {
		int64_t new_id = store_kb_category_insert(d, name, description, f->visible, sort, now);
		rc = new_id < 0 ? (int)new_id : 0;
		id = new_id;
	}
	rc = finish_write(d, rc, id, out_id);
out:
	arena_free(a);
	return rc;
}

int kb_category_delete(db *d, const struct session *staff, int64_t id)
{
	if (!kb_may_write(staff))
		return KB_REFUSED;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	arena *a = arena_new(1024);
	struct kb_category_row row;
	rc = a ? store_kb_category_get(d, id, a, &row) : DB_NOMEM;
	arena_free(a);
	if (rc == 0)
		rc = KB_NOT_FOUND;
	else if (rc == 1)
		rc = row.article_count > 0 ? KB_REFUSED : store_kb_category_delete(d, id);
	return finish_write(d, rc, id, NULL);
}

int kb_article_save(db *d, const struct session *staff, int64_t id,
                    const struct kb_article_form *f, int64_t now, struct kb_article_errors *e,
                    int64_t *out_id)
{
	memset(e, 0, sizeof *e);
	if (!kb_may_write(staff))
		return KB_REFUSED;
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	char *title = trimmed(a, f->title);
	const char *body = f->body ? f->body : "";
	int rc = title ? 0 : DB_NOMEM;
	if (rc < 0)
		goto out;
	/* Check, then proceed: every field first. */
	e->title = text_error(title, KB_TITLE_MAX, N_("Write a title."),
	                      N_("The title can have at most 200 characters."));
	if (str_blank(body))
		e->body = N_("Write the article.");
	else if (strlen(body) > KB_BODY_MAX || !str_utf8_valid(body, strlen(body)))
		e->body = N_("The article is too long (at most 256 KB).");
	struct kb_category_row category;
	int found = f->category_id > 0 ? store_kb_category_get(d, f->category_id, a, &category) : 0;
	if (found < 0) {
		rc = found;
		goto out;
	}
	if (found == 0)
		e->category = N_("Choose a category.");
	int64_t next = found ? store_kb_article_next_sort(d, f->category_id) : 1;
	int64_t sort = 0;
	if (next < 0) {
		rc = (int)next;
		goto out;
	}
	if (!parse_sort(f->sort_order, next, &sort))
		e->sort_order = N_("Write a whole number, or leave it empty.");
	if (e->title || e->body || e->category || e->sort_order) {
		rc = KB_INVALID;
		goto out;
	}
	rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	if (id) {
		struct kb_article_row row;
		rc = store_kb_article_get(d, id, a, &row);
		if (rc == 1)
			rc = store_kb_article_update(d, id, f->category_id, title, body, sort, now);
		else if (rc == 0)
			rc = KB_NOT_FOUND;
	} else {
		int64_t new_id = store_kb_article_insert(d, f->category_id, title, body, f->published,
		                                         sort, now);
		rc = new_id < 0 ? (int)new_id : 0;
		id = new_id;
	}
	rc = finish_write(d, rc, id, out_id);
out:
	arena_free(a);
	return rc;
}

/* Runs one change on an existing article in a write transaction. */
static int article_change(db *d, const struct session *staff, int64_t id, bool delete,
                          bool published, int64_t now)
{
	if (!kb_may_write(staff))
		return KB_REFUSED;
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	arena *a = arena_new(4096);
	struct kb_article_row row;
	rc = a ? store_kb_article_get(d, id, a, &row) : DB_NOMEM;
	arena_free(a);
	if (rc == 0)
		rc = KB_NOT_FOUND;
	else if (rc == 1)
		rc = delete ? store_kb_article_delete(d, id)
		            : store_kb_article_set_published(d, id, published, now);
	return finish_write(d, rc, id, NULL);
}

int kb_article_publish(db *d, const struct session *staff, int64_t id, bool published,
                       int64_t now)
{
	return article_change(d, staff, id, false, published, now);
}

int kb_article_delete(db *d, const struct session *staff, int64_t id)
{
	return article_change(d, staff, id, true, false, 0);
}

int kb_articles_all(db *d, const struct session *staff, arena *a, struct kb_article_row *rows,
                    int max)
{
	if (!kb_may_write(staff))
		return DB_ERROR;
	/* The list shows the views: the waiting ones are written first. */
	kb_views_write(d);
	return store_kb_article_list_all(d, a, rows, max);
}

int kb_article_for_staff(db *d, const struct session *staff, int64_t id, arena *a,
                         struct kb_article_row *row)
{
	if (!kb_may_write(staff) || id <= 0)
		return 0;
	return store_kb_article_get(d, id, a, row);
}

/* ---- demo data ---- */

static const struct {
	const char *name, *description;
} demo_categories[] = {
	{"Primeiros passos", "Como usar a Área do Cliente, abrir tickets e acompanhar as respostas."},
	{"E-mail", "Contas de e-mail, configuração no celular e no computador, e registros DNS."},
};

static const struct {
	int category; /* index in demo_categories */
	bool published;
	const char *title, *body;
} demo_articles[] = {
	{0, true, "Como abrir um ticket de suporte",
	 "Quando algo não funciona como deveria — o site fora do ar, um e-mail que não chega, "
	 "uma dúvida sobre a fatura —, abra um ticket. Cada ticket recebe um número e guarda "
	 "toda a conversa, então você acompanha tudo em um só lugar.\n\n"
	 "## Passo a passo\n\n"
	 "1. **Entre na Área do Cliente** com o seu e-mail e a sua senha. Esqueceu a senha? "
	 "Clique em *Esqueceu a senha?* na página de acesso e enviaremos um link por e-mail.\n"
	 "2. No menu principal, clique em **Abrir Ticket**.\n"
	 "3. **Escolha o departamento** que cuida do assunto:\n"
	 "   - **Suporte Técnico** — site fora do ar, e-mail, cPanel/Plesk e erros de programação;\n"
	 "   - **Financeiro** — faturas, pagamentos, renovações e cancelamentos;\n"
	 "   - **Vendas** — novos serviços, upgrades e dúvidas comerciais.\n"
	 "4. **Preencha os campos**:\n"
	 "   - **Assunto**: uma frase curta e objetiva. Bom: \"Site exemplo.com.br mostra erro "
	 "500\". Ruim: \"Ajuda\" ou \"Urgente\".\n"
	 "   - **Serviço Relacionado**: o plano de hospedagem ou o domínio de que se trata "
	 "(ou *Nenhum*).\n"
	 "   - **Prioridade**: *Baixa*, *Média* ou *Alta*. Use *Alta* só para site fora do ar "
	 "ou problema de segurança.\n"
	 "   - **Mensagem**: o que aconteceu, os passos que você seguiu, a mensagem de erro "
	 "exata e o endereço (URL) da página.\n"
	 "5. **Anexe uma captura de tela** em *Anexos*: uma imagem do erro poupa muitas "
	 "perguntas.\n"
	 "6. Clique em **Enviar**.\n\n"
	 "Pronto: o número do ticket aparece na hora (por exemplo, #482913) e você recebe uma "
	 "confirmação por e-mail.\n\n"
	 "## Acompanhe o seu ticket\n\n"
	 "Em **Suporte → Meus Tickets de Suporte** estão todos os seus tickets, com o status e a "
	 "data da última atualização. Abra um deles para ler a conversa inteira e responder "
	 "quando quiser. A cada resposta da nossa equipe você recebe um e-mail, e pode responder "
	 "diretamente a ele.\n\n"
	 "> Dica: antes de abrir um ticket, pesquise nesta Base de Conhecimento. Muitas dúvidas "
	 "já têm resposta passo a passo."},
	{0, true, "Como acompanhar e responder os seus tickets",
	 "Todos os tickets que você abriu ficam em **Suporte → Meus Tickets de Suporte**.\n\n"
	 "- A lista mostra o número, o assunto, o departamento, o status e a última "
	 "atualização. Use os filtros para ver os tickets abertos, os fechados ou todos.\n"
	 "- O status diz de quem é a vez: *Respondido* quer dizer que a nossa equipe respondeu e "
	 "aguarda você; *Resposta do Cliente*, que a sua mensagem chegou e está conosco.\n"
	 "- Para responder, abra o ticket, escreva no campo de resposta no fim da página e "
	 "clique em **Enviar**. Você também pode responder ao e-mail que recebeu.\n"
	 "- Problema resolvido? Clique em **Fechar ticket**. Se ele voltar, basta responder: o "
	 "ticket é reaberto."},
	{0, true, "Esqueci a minha senha da Área do Cliente",
	 "1. Na página de acesso, clique em **Esqueceu a senha?**.\n"
	 "2. Informe o e-mail da sua conta e clique em **Enviar**.\n"
	 "3. Abra o e-mail que enviamos e clique no link. Ele vale por pouco tempo e só pode ser "
	 "usado uma vez.\n"
	 "4. Escolha a nova senha.\n\n"
	 "Não recebeu o e-mail em alguns minutos? Verifique a caixa de spam. Se você não tem mais "
	 "acesso ao e-mail cadastrado, fale com o nosso time comercial pelos canais do site para "
	 "confirmar a sua identidade e atualizar o cadastro."},
	{1, true, "Como configurar o seu e-mail no celular (Android e iPhone)",
	 "Você vai precisar do endereço completo (por exemplo, *contato@seudominio.com.br*) e da "
	 "senha da conta de e-mail.\n\n"
	 "## Dados de configuração\n\n"
	 "| | Servidor | Porta | Segurança |\n"
	 "|---|---|---|---|\n"
	 "| Entrada (IMAP) | mail.seudominio.com.br | 993 | SSL/TLS |\n"
	 "| Saída (SMTP) | mail.seudominio.com.br | 465 | SSL/TLS |\n\n"
	 "O nome de usuário é sempre o endereço de e-mail completo, e o servidor de saída exige "
	 "autenticação com a mesma senha.\n\n"
	 "## iPhone\n\n"
	 "1. Abra **Ajustes → Mail → Contas → Adicionar Conta → Outra → Adicionar Conta de "
	 "E-mail**.\n"
	 "2. Preencha nome, e-mail, senha e uma descrição; toque em **Seguinte**.\n"
	 "3. Escolha **IMAP** e preencha os servidores da tabela acima.\n\n"
	 "## Android (Gmail)\n\n"
	 "1. No Gmail, toque na sua foto → **Adicionar outra conta → Outra**.\n"
	 "2. Digite o e-mail, escolha **Pessoal (IMAP)** e digite a senha.\n"
	 "3. Confira os servidores e as portas da tabela acima.\n\n"
	 "Se aparecer um erro de certificado, confira se o servidor está escrito exatamente como "
	 "na tabela."},
	{1, true, "Como configurar o seu e-mail no Outlook",
	 "1. No Outlook, vá em **Arquivo → Adicionar Conta**.\n"
	 "2. Digite o seu e-mail, abra **Opções avançadas**, marque **Permitir que eu configure "
	 "minha conta manualmente** e clique em **Conectar**.\n"
	 "3. Escolha **IMAP**.\n"
	 "4. Entrada: servidor *mail.seudominio.com.br*, porta **993**, criptografia **SSL/TLS**.\n"
	 "5. Saída: servidor *mail.seudominio.com.br*, porta **465**, criptografia **SSL/TLS**.\n"
	 "6. Digite a senha da conta de e-mail e clique em **Conectar**.\n\n"
	 "O Outlook mostra um erro de senha mesmo com a senha certa? Confira se o nome de "
	 "usuário é o endereço completo, com o domínio."},
	{1, true, "Como apontar o DNS do seu domínio para a hospedagem",
	 "Para que o site e o e-mail funcionem na sua hospedagem, o domínio precisa usar os nossos "
	 "servidores DNS. Faça a alteração no painel da empresa onde o domínio foi registrado "
	 "(no Registro.br, por exemplo, em **Alterar servidores DNS**):\n\n"
	 "- ns1.nuvemazul.com.br\n"
	 "- ns2.nuvemazul.com.br\n\n"
	 "A propagação leva de algumas horas a até 48 horas. Durante esse tempo, algumas pessoas "
	 "ainda podem ver o servidor antigo.\n\n"
	 "## Só o e-mail\n\n"
	 "Quer manter o site em outro lugar e usar só o nosso e-mail? Mantenha o DNS atual e crie "
	 "um registro **MX** apontando para *mail.seudominio.com.br*, com prioridade 10."},
	{1, false, "Migração de e-mails de outro provedor (rascunho)",
	 "Rascunho: passo a passo para copiar as mensagens de um provedor antigo por IMAP."},
};

int kb_demo_seed(db *d)
{
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	int64_t existing = store_kb_article_count(d);
	if (existing != 0) {
		db_rollback(d);
		return existing < 0 ? (int)existing : 0;
	}
	int64_t now = (int64_t)time(NULL);
	int64_t category_ids[sizeof demo_categories / sizeof demo_categories[0]];
	for (size_t i = 0; rc == 0 && i < sizeof demo_categories / sizeof demo_categories[0]; i++) {
		int64_t id = store_kb_category_insert(d, demo_categories[i].name,
		                                      demo_categories[i].description, true,
		                                      (int64_t)i + 1, now);
		rc = id < 0 ? (int)id : 0;
		category_ids[i] = id;
	}
	int64_t sort = 0;
	for (size_t i = 0; rc == 0 && i < sizeof demo_articles / sizeof demo_articles[0]; i++) {
		int64_t id = store_kb_article_insert(d, category_ids[demo_articles[i].category],
		                                     demo_articles[i].title, demo_articles[i].body,
		                                     demo_articles[i].published, ++sort, now);
		rc = id < 0 ? (int)id : 0;
	}
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}
