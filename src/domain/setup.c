#include "domain/setup.h"

#include <string.h>
#include <time.h>

#include "domain/account.h"
#include "domain/kb.h"
#include "domain/ticket.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/field_store.h"
#include "store/settings_store.h"

static const struct {
	const char *name, *description;
} default_departments[] = {
	{"Suporte Técnico",
	 "Site fora do ar, e-mail, cPanel/Plesk e erros de programação."},
	{"Financeiro", "Faturas, pagamentos, renovações e cancelamentos."},
	{"Vendas", "Novos serviços, upgrades e dúvidas comerciais."},
};

int setup_defaults(db *d)
{
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	static const char *const defaults[][2] = {
		{"company_name", "Central de Suporte"},
		{"brand_color", "#1f5fbf"},
		{"show_powered_by", "1"},
		{"registration_open", "1"},
	};
	for (size_t i = 0; rc == 0 && i < sizeof defaults / sizeof defaults[0]; i++)
		rc = store_setting_default(d, defaults[i][0], defaults[i][1]);
	int64_t count = rc == 0 ? store_department_count(d) : rc;
	if (count < 0)
		rc = (int)count;
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; rc == 0 && count == 0 && i < 3; i++) {
		int64_t id = store_department_insert(d, default_departments[i].name,
		                                     default_departments[i].description, NULL, 1,
		                                     (int)i + 1, now);
		if (id < 0)
			rc = (int)id;
	}
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	rc = db_commit(d);
	if (rc == 0 && count == 0)
		ticket_departments_changed();
	return rc;
}

static int64_t ensure_account(db *d, const struct account_new *n)
{
	int64_t id = n->kind == ACCOUNT_CLIENT ? store_client_id_by_email(d, n->email)
	                                       : store_staff_id_by_email(d, n->email);
	if (id != 0)
		return id;
	return account_create(d, n);
}

/* The demo's custom fields (issue 16), once: when there are none. */
static int demo_fields(db *d, const struct department_row *deps, int ndeps, int64_t now)
{
	static const struct {
		const char *department, *label, *kind, *options;
		bool required, client_visible;
		int order;
	} fields[] = {
		{"Suporte Técnico", "Domínio afetado", "text", "", false, true, 1},
		{"Suporte Técnico", "Usuário do cPanel", "text", "", false, true, 2},
		{"Suporte Técnico", "Servidor", "text", "", false, false, 3},
		{"Financeiro", "Forma de pagamento", "select", "Boleto\nCartão de crédito\nPix", false, true, 1},
	};
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct field_row any;
	int n = store_fields_list(d, 0, false, a, &any, 1);
	arena_free(a);
	if (n != 0)
		return n < 0 ? n : 0;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		for (int k = 0; k < ndeps; k++) {
			if (strcmp(deps[k].name, fields[i].department) != 0)
				continue;
			struct field_row r = {.department_id = deps[k].id, .label = fields[i].label,
			                      .kind = fields[i].kind, .options = fields[i].options,
			                      .required = fields[i].required,
			                      .client_visible = fields[i].client_visible,
			                      .sort_order = fields[i].order};
			int64_t id = store_field_save(d, &r, now);
			if (id < 0)
				return (int)id;
		}
	return 0;
}

int setup_demo(db *d, struct demo_credentials *cred)
{
	*cred = (struct demo_credentials){
		.client_email = "cliente@exemplo.com.br", .client_password = "cliente123",
		.staff_email = "admin@exemplo.com.br", .staff_password = "admin1234",
	};
	int rc = store_setting_set(d, "company_name", "Nuvem Azul Hospedagem");
	if (rc == 0)
		rc = store_setting_set(d, "brand_color", "#0b5cad");
	if (rc < 0)
		return rc;
	struct account_new client = {.kind = ACCOUNT_CLIENT, .email = cred->client_email,
	                             .name = "Maria Souza", .password = cred->client_password};
	struct account_new staff = {.kind = ACCOUNT_STAFF, .email = cred->staff_email,
	                            .name = "Ana Lima", .password = cred->staff_password,
	                            .admin = true};
	int64_t client_id = ensure_account(d, &client);
	int64_t staff_id = ensure_account(d, &staff);
	if (client_id < 0 || staff_id < 0)
		return DB_ERROR;
	if (kb_demo_seed(d) < 0)
		return DB_ERROR;
	rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	int64_t now = (int64_t)time(NULL);
	int64_t services = store_service_count_by_client(d, client_id);
	if (services == 0) {
		if (store_service_insert(d, client_id, "hosting", "Hospedagem Pro — mariasouza.com.br",
		                         "active", now) < 0 ||
		    store_service_insert(d, client_id, "domain", "mariasouza.com.br", "active", now) < 0)
			rc = DB_ERROR;
	} else if (services < 0) {
		rc = (int)services;
	}
	struct department_row deps[16];
	int ndeps = rc == 0 ? store_department_list_visible(d, deps, 16) : 0;
	if (ndeps < 0)
		rc = ndeps;
	for (int i = 0; rc == 0 && i < ndeps; i++)
		rc = store_staff_department_add(d, staff_id, deps[i].id);
	if (rc == 0)
		rc = demo_fields(d, deps, ndeps, now);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

bool setup_database_ready(db *d)
{
	return d && store_ping(d) == DB_OK;
}
