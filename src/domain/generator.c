#include "domain/generator.h"

#include <stdio.h>
#include <string.h>

#include "domain/account.h"
#include "domain/password.h"
#include "domain/ticket_search.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/report_store.h"
#include "store/ticket_store.h"

/* Rows per transaction. Not more: every statement of a transaction walks
 * the in-memory undo of the pages written before it (the group's writer
 * keeps it in memory, store/db_sqlite.c), so a long transaction costs the
 * square of its length: 5,000 tickets a transaction fell to 50 tickets a
 * second past 100,000 tickets. */
enum { BATCH = 100 };

static const char *const first_names[] = {
	"Maria", "José", "Ana", "João", "Antônio", "Francisca", "Carlos", "Paulo", "Adriana",
	"Lucas", "Juliana", "Marcos", "Fernanda", "Rafael", "Patrícia", "Gabriel", "Camila",
	"Bruno", "Aline", "Rodrigo", "Letícia", "Thiago", "Beatriz", "Felipe",
};
static const char *const last_names[] = {
	"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
	"Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa",
};
static const char *const subjects[] = {
	"Site fora do ar desde hoje cedo",
	"Erro 500 ao acessar o painel",
	"Não consigo enviar e-mails pelo Outlook",
	"Certificado SSL expirado no domínio",
	"Lentidão no carregamento do WordPress",
	"Dúvida sobre a fatura deste mês",
	"Pagamento em duplicidade no cartão",
	"Quero fazer upgrade do plano de hospedagem",
	"Como apontar o DNS do meu domínio?",
	"Caixa de e-mail cheia, como aumentar a cota?",
	"Erro de conexão com o banco de dados MySQL",
	"Backup do site: como restaurar?",
	"Cancelamento do serviço de revenda",
	"Renovação do domínio .com.br",
	"Acesso ao cPanel bloqueado",
	"E-mails caindo na caixa de spam",
	"Página em branco após atualizar o PHP",
	"Solicito nota fiscal do pagamento",
	"Migração de site de outra hospedagem",
	"Mensagem 'Too many redirects' no navegador",
};
static const char *const client_bodies[] = {
	"Olá, desde hoje de manhã o site mostra uma página de erro. Já limpei o cache do navegador e o problema continua. Podem verificar, por favor?",
	"Boa tarde. Ao tentar acessar o painel aparece **Erro 500**. Os passos foram: entrar no cPanel, clicar em Gerenciador de Arquivos.",
	"Preciso de ajuda urgente: os clientes não conseguem finalizar compras na loja. A mensagem é `Error establishing a database connection`.",
	"Oi! Recebi a fatura com um valor diferente do contratado. Poderiam conferir?",
	"Bom dia, configurei a conta no celular mas o envio falha com a mensagem 'autenticação necessária'.",
	"Ainda não funcionou. Segue o print do erro que aparece agora.",
	"Obrigado pelo retorno! Testei aqui e agora está tudo certo.",
};
static const char *const staff_bodies[] = {
	"Olá! Verificamos o servidor e o serviço já foi normalizado. Pode testar novamente, por favor?",
	"Bom dia. Identificamos que o limite de memória do PHP estava baixo; aumentamos para 256M.",
	"Olá, o DNS pode levar até 24 horas para propagar. Os registros corretos são:\n\n- A: 203.0.113.10\n- MX: mail.seudominio.com.br",
	"Conferimos a fatura e o valor foi ajustado. O boleto atualizado está disponível na Área do Cliente.",
	"Para configurar o e-mail use a porta 587 com STARTTLS e autenticação com o e-mail completo.",
};
static const char *const statuses[] = {"open", "answered", "customer-reply", "on-hold",
                                       "in-progress", "closed", "closed", "closed", "answered"};
static const char *const priorities[] = {"low", "medium", "medium", "medium", "high"};

/* xorshift32: fast, repeatable for a seed. */
static uint32_t next(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x ? x : 0x9e3779b9u;
}

#define PICK(arr, s) (arr[next(s) % (sizeof arr / sizeof arr[0])])

static int add_clients(db *d, const struct generator_opts *o, const char *hash, uint32_t *s,
                       int64_t *first_id)
{
	*first_id = 0;
	for (int64_t i = 0; i < o->clients; i++) {
		if (i % BATCH == 0 && db_begin_write(d) < 0)
			return DB_ERROR;
		char email[64], name[96];
		snprintf(email, sizeof email, "cliente%lld@exemplo.com.br", (long long)(i + 1));
		snprintf(name, sizeof name, "%s %s", PICK(first_names, s), PICK(last_names, s));
		int64_t id = store_client_insert(d, email, name, hash, "pt-BR", o->now - 800 * 86400);
		if (id < 0) {
			db_rollback(d);
			return (int)id;
		}
		if (!*first_id)
			*first_id = id;
		if (i % 3 == 0)
			store_service_insert(d, id, "hosting", "Hospedagem Plano Pro", "active", o->now);
		if ((i % BATCH == BATCH - 1 || i == o->clients - 1) && db_commit(d) < 0)
			return DB_ERROR;
	}
	return 0;
}

static int add_thread(db *d, int64_t ticket_id, int64_t client_id, const char *client_name,
                      int64_t staff_id, int count, int64_t t0, uint32_t *s)
{
	for (int m = 0; m < count; m++) {
		bool from_client = m % 2 == 0;
		const char *body = from_client ? PICK(client_bodies, s) : PICK(staff_bodies, s);
		int64_t id = store_message_insert(d, ticket_id, from_client ? "client" : "staff",
		                                  from_client ? client_id : 0, from_client ? 0 : staff_id,
		                                  from_client ? client_name : "Equipe de Suporte", body,
		                                  "web", 0, NULL, t0 + m * 3600);
		if (id < 0)
			return (int)id;
	}
	return 0;
}

int generator_run(db *d, const struct generator_opts *o)
{
	uint32_t s = o->seed ? o->seed : 2026;
	char hash[PASSWORD_HASH_MAX];
	if (password_hash("cliente123", hash) < 0)
		return DB_NOMEM;
	struct department_row deps[16];
	int ndeps = store_department_list_visible(d, deps, 16);
	if (ndeps <= 0)
		return ndeps < 0 ? ndeps : DB_ERROR;
	int64_t staff[4];
	for (int i = 0; i < 4; i++) {
		char email[64];
		snprintf(email, sizeof email, "agente%d@exemplo.com.br", i + 1);
		int64_t id = store_staff_id_by_email(d, email);
		if (id == 0)
			id = store_staff_insert(d, email, PICK(first_names, &s), hash, "agent", "pt-BR", o->now);
		if (id < 0)
			return (int)id;
		staff[i] = id;
		store_staff_department_add(d, id, deps[i % ndeps].id);
	}
	int64_t first_client;
	int rc = add_clients(d, o, hash, &s, &first_client);
	if (rc < 0)
		return rc;
	int64_t span = 730 * 86400;
	for (int64_t i = 0; i < o->tickets; i++) {
		if (i % BATCH == 0 && db_begin_write(d) < 0)
			return DB_ERROR;
		int64_t client = first_client + (int64_t)(next(&s) % (uint32_t)o->clients);
		const struct department_row *dep = &deps[next(&s) % (uint32_t)ndeps];
		int64_t created = o->now - span + (int64_t)(i * span / (o->tickets + 1)) + next(&s) % 3600;
		int64_t number = 1000000 + i;
		int count = 1 + (int)(next(&s) % (uint32_t)(2 * o->messages - 1));
		/* A thread's messages are an hour apart: the newest ones end by now. */
		if (created + (count - 1) * 3600 > o->now)
			created = o->now - (count - 1) * 3600;
		int64_t id = store_ticket_insert(d, number, client, dep->id, 0, PICK(subjects, &s),
		                                 PICK(priorities, &s), NULL, NULL, created);
		if (id < 0) {
			db_rollback(d);
			return (int)id;
		}
		const char *status = PICK(statuses, &s);
		int64_t updated = created + (count - 1) * 3600;
		rc = add_thread(d, id, client, "Cliente", staff[next(&s) % 4], count, created, &s);
		if (rc == 0)
			rc = store_ticket_touch(d, id, status, count % 2 ? "client" : "staff", updated, NULL);
		/* Searchable like any ticket, so a benchmark measures the index. */
		if (rc == 0)
			rc = ticket_search_write(d, id);
		if (rc < 0) {
			db_rollback(d);
			return rc;
		}
		if (i % BATCH == BATCH - 1 || i == o->tickets - 1) {
			if (db_commit(d) < 0)
				return DB_ERROR;
			if (o->progress)
				o->progress(i + 1, o->tickets, o->arg);
		}
	}
	/* Relatórios reads aggregates the domain keeps as tickets change; the
	 * rows above bypassed it, so the history gets them here. */
	rc = db_begin_write(d);
	if (rc == 0)
		rc = store_report_fill_generated(d, 1000000);
	if (rc == 0)
		return db_commit(d);
	db_rollback(d);
	return rc;
}
