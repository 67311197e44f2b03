/* Sample tickets for `serve --demo --sample-tickets`, written through the
 * same domain functions the pages use (one door), so they look exactly like
 * tickets people opened: a client's, answered by staff, with a note and an
 * attachment, in several states. */
#include "domain/setup.h"

#include <string.h>

#include "domain/attachment.h"
#include "domain/ticket.h"
#include "store/account_store.h"
#include "store/settings_store.h"
#include "store/ticket_store.h"

#define SAMPLES_DONE_KEY "demo_sample_tickets"

struct sample {
	int department;        /* 1-based, in the visible order */
	const char *subject, *priority, *message;
	const char *staff_reply; /* NULL: not answered */
	const char *note;        /* NULL: no note */
	const char *status;      /* NULL: what the replies leave */
	const char *log;         /* NULL: no attachment; else an error log attached */
	int64_t age;             /* seconds before now */
};

static const struct sample samples[] = {
	{1, "Site fora do ar: erro 500 na página inicial", "high",
	 "Desde as 9h o site **mariasouza.com.br** mostra *500 Internal Server Error*.\n\n"
	 "Não mudei nada ontem. Segue o log do PHP.",
	 "Olá, Maria! O erro vinha do limite de memória do PHP, que aumentamos para 256 MB. "
	 "O site já está no ar. Pode confirmar?",
	 "Cliente no plano Pro; o memory_limit estava em 64M. Ajustado no php.ini do domínio.",
	 NULL, "[02-Dec-2026 09:02:11 America/Sao_Paulo] PHP Fatal error:  Allowed memory size "
	       "of 67108864 bytes exhausted (tried to allocate 20480 bytes) in "
	       "/home/maria/public_html/wp-includes/class-wpdb.php on line 2056\n",
	 3 * 3600},
	{2, "Segunda via do boleto de dezembro", "medium",
	 "Bom dia! Não recebi o boleto da renovação de dezembro. Podem me enviar a segunda via?",
	 "Bom dia, Maria! A segunda via está na sua Área do Cliente, em Faturas. "
	 "O vencimento foi prorrogado para o dia 15.",
	 NULL, "closed", NULL, 5 * 86400},
	{1, "Configurar o e-mail no celular", "low",
	 "Como configuro o e-mail contato@mariasouza.com.br no iPhone?", NULL, NULL, NULL, NULL,
	 26 * 3600},
	{3, "Upgrade para um plano com mais espaço", "medium",
	 "Meu site está chegando no limite de 10 GB. Quais planos vocês têm com mais espaço?",
	 "Temos o plano Business, com 50 GB e backups diários. Posso fazer o upgrade sem "
	 "tirar o site do ar. Deseja seguir?",
	 NULL, "on-hold", NULL, 2 * 86400},
};

static int open_sample(db *d, const struct sample *s, const struct session *client,
                       const struct session *staff, int64_t department_id, int64_t now)
{
	struct actor as_client = actor_of(client, CHANNEL_WEB), as_staff = actor_of(staff, CHANNEL_WEB);
	struct attachment_in file;
	struct attachment_limits limits;
	attachment_limits_default(&limits);
	arena *a = arena_new(64 * 1024);
	if (!a)
		return DB_NOMEM;
	int nfiles = s->log && attachment_check_bytes("php_error.log", (const unsigned char *)s->log,
	                                              strlen(s->log), &limits, a, &file) == ATTACHMENT_OK;
	struct ticket_form f = {.department_id = department_id, .subject = s->subject,
	                        .priority = s->priority, .message = s->message,
	                        .files = nfiles ? &file : NULL, .nfiles = nfiles};
	struct ticket_errors e;
	int64_t at = now - s->age;
	struct ticket_opened opened;
	int rc = ticket_open(d, NULL, &as_client, &f, at, &e, &opened);
	int64_t number = opened.number;
	if (rc == TICKET_OK && s->note) {
		struct ticket_post note = {.message = s->note};
		rc = ticket_note(d, &as_staff, number, &note, at + 600, &e);
	}
	if (rc == TICKET_OK && s->staff_reply) {
		struct ticket_post reply = {.message = s->staff_reply};
		rc = ticket_reply(d, NULL, &as_staff, number, &reply, at + 900, &e);
	}
	if (rc == TICKET_OK && s->status) {
		struct ticket_changes c = {.status = s->status, .assignee_id = -1};
		rc = ticket_update(d, &as_staff, number, &c, at + 1200);
	}
	arena_free(a);
	return rc == TICKET_OK ? 0 : rc < 0 ? rc : DB_ERROR;
}

static void session_of(struct session *s, enum account_kind kind, const struct account_row *row)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->user_id = row->id;
	s->admin = kind == ACCOUNT_STAFF;
	strcpy(s->name, row->name);
	strcpy(s->email, row->email);
	strcpy(s->language, row->language);
}

int setup_demo_tickets(db *d, const struct demo_credentials *cred, int64_t now)
{
	char done[8];
	store_setting_get(d, SAMPLES_DONE_KEY, "", done, sizeof done);
	if (done[0] == '1')
		return 0;
	struct account_row client_row, staff_row;
	if (store_account_get_by_email(d, "client", cred->client_email, &client_row) != 1 ||
	    store_account_get_by_email(d, "staff", cred->staff_email, &staff_row) != 1)
		return DB_ERROR;
	struct session client, staff;
	session_of(&client, ACCOUNT_CLIENT, &client_row);
	session_of(&staff, ACCOUNT_STAFF, &staff_row);
	struct department_row deps[16];
	int ndeps = store_department_list_visible(d, deps, 16);
	if (ndeps <= 0)
		return ndeps < 0 ? ndeps : DB_ERROR;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof samples / sizeof samples[0]; i++) {
		int which = samples[i].department <= ndeps ? samples[i].department - 1 : 0;
		rc = open_sample(d, &samples[i], &client, &staff, deps[which].id, now);
	}
	return rc == 0 ? store_setting_set(d, SAMPLES_DONE_KEY, "1") : rc;
}
