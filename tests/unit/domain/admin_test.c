/* Administration rules: departments, staff, clients' services, predefined
 * replies and settings. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/admin.h"
#include "domain/password.h"
#include "domain/session.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/settings_store.h"
#include "store/ticket_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static const int64_t T0 = 1800000000;

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	snprintf(path, sizeof path, "/tmp/chamado-admin-%d.db", getpid());
	unlink(path);
	char url[96], err[256];
	snprintf(url, sizeof url, "sqlite:%s", path);
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
}

static void teardown(void)
{
	db_close(d);
	unlink(path);
	char extra[80];
	snprintf(extra, sizeof extra, "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof extra, "%s-shm", path);
	unlink(extra);
}

TestSuite(admin, .init = setup, .fini = teardown);

static int save_department(int64_t id, const char *name, const char *email,
                           struct admin_department_errors *e, int64_t *out)
{
	struct admin_department_form f = {.name = name, .description = "", .email = email,
	                                  .visible = true, .sort_order = "1"};
	return admin_department_save(d, NULL, id, &f, T0, e, out);
}

static int64_t department(const char *name, const char *email)
{
	struct admin_department_errors e;
	int64_t id = 0;
	cr_assert_eq(save_department(0, name, email, &e, &id), ADMIN_OK);
	cr_assert_gt(id, 0);
	return id;
}

static int64_t staff(const char *email, bool admin)
{
	struct account_new n = {.kind = ACCOUNT_STAFF, .email = email, .name = "Ana Lima",
	                        .password = "senha1234", .admin = admin};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	return id;
}

static struct admin_staff_form staff_form(const char *email, const char *role, bool active,
                                          const char *password)
{
	return (struct admin_staff_form){.name = "Bruno Dias", .email = email, .role = role,
	                                 .signature = "", .password = password, .active = active};
}

static struct session actor_for(int64_t id)
{
	struct session s = {.id = 1, .kind = ACCOUNT_STAFF, .user_id = id, .admin = true};
	return s;
}

/* ---- departments ---- */

Test(admin, a_department_needs_a_name_of_at_most_100_characters)
{
	struct admin_department_errors e;
	cr_assert_eq(save_department(0, "   ", "", &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.name, "Enter the department's name.");
	char long_name[120];
	memset(long_name, 'a', 101);
	long_name[101] = '\0';
	cr_assert_eq(save_department(0, long_name, "", &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.name, "The name can have at most 100 characters.");
	/* 100 characters of two bytes each are fine. */
	char accents[256] = "";
	for (int i = 0; i < 100; i++)
		strcat(accents, "é");
	cr_assert_eq(save_department(0, accents, "", &e, NULL), ADMIN_OK);
}

Test(admin, a_department_order_must_be_a_whole_number)
{
	struct admin_department_form f = {.name = "Vendas", .description = "", .email = "",
	                                  .sort_order = "first"};
	struct admin_department_errors e;
	cr_assert_eq(admin_department_save(d, NULL, 0, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_not_null(e.sort_order);
	cr_assert_null(e.name);
}

Test(admin, an_inbound_address_must_be_valid_when_given)
{
	struct admin_department_errors e;
	cr_assert_eq(save_department(0, "Suporte", "not an address", &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.email, "Enter a valid email address, or leave it empty.");
	cr_assert_eq(save_department(0, "Suporte", "", &e, NULL), ADMIN_OK);
}

Test(admin, an_inbound_address_belongs_to_one_department_whatever_its_case)
{
	int64_t first = department("Suporte", "suporte@nuvem.example");
	struct admin_department_errors e;
	cr_assert_eq(save_department(0, "Outro", "SUPORTE@Nuvem.example", &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.email, "Another department already receives email at this address.");
	/* The department keeps its own address when it is edited. */
	cr_assert_eq(save_department(first, "Suporte Técnico", "Suporte@nuvem.example", &e, NULL),
	             ADMIN_OK);
	/* Departments without an address do not collide. */
	department("Sem e-mail 1", "");
	department("Sem e-mail 2", "");
}

Test(admin, department_members_are_replaced_by_the_form)
{
	int64_t a = staff("a@nuvem.example", false), b = staff("b@nuvem.example", false);
	int64_t members[] = {a, b, a};
	struct admin_department_form f = {.name = "Vendas", .description = "", .email = "",
	                                  .sort_order = "", .members = members, .nmembers = 3};
	struct admin_department_errors e;
	int64_t id;
	cr_assert_eq(admin_department_save(d, NULL, 0, &f, T0, &e, &id), ADMIN_OK);
	int64_t ids[8];
	cr_assert_eq(store_admin_department_member_ids(d, id, ids, 8), 2);
	f.members = &b;
	f.nmembers = 1;
	cr_assert_eq(admin_department_save(d, NULL, id, &f, T0, &e, NULL), ADMIN_OK);
	cr_assert_eq(store_admin_department_member_ids(d, id, ids, 8), 1);
	cr_assert_eq(ids[0], b);
}

Test(admin, unknown_staff_cannot_be_made_members)
{
	int64_t ghost = 999;
	struct admin_department_form f = {.name = "Vendas", .description = "", .email = "",
	                                  .sort_order = "", .members = &ghost, .nmembers = 1};
	struct admin_department_errors e;
	cr_assert_eq(admin_department_save(d, NULL, 0, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_not_null(e.members);
}

Test(admin, a_department_with_tickets_cannot_be_deleted)
{
	int64_t dep = department("Financeiro", "");
	int64_t client = store_client_insert(d, "maria@exemplo.com.br", "Maria", NULL, "pt-BR", T0);
	cr_assert_gt(client, 0);
	cr_assert_gt(store_ticket_insert(d, 482913, client, dep, 0, "Fatura", "low", NULL, NULL, T0), 0);
	cr_assert_eq(admin_department_delete(d, NULL, dep), ADMIN_REFUSED);
	cr_assert_eq(store_admin_department_exists(d, dep), 1);
}

Test(admin, a_department_without_tickets_is_deleted_with_its_members)
{
	int64_t dep = department("Vendas", "vendas@nuvem.example");
	int64_t a = staff("a@nuvem.example", false);
	cr_assert_eq(store_staff_department_add(d, a, dep), 0);
	cr_assert_eq(admin_department_delete(d, NULL, dep), ADMIN_OK);
	cr_assert_eq(store_admin_department_exists(d, dep), 0);
	int64_t ids[4];
	cr_assert_eq(store_admin_staff_department_ids(d, a, ids, 4), 0);
	cr_assert_eq(admin_department_delete(d, NULL, dep), ADMIN_NOT_FOUND);
}

/* ---- staff ---- */

Test(admin, a_new_staff_member_gets_role_departments_and_signature)
{
	int64_t dep = department("Suporte", "");
	struct admin_staff_form f = staff_form("bruno@nuvem.example", "admin", true, "senha1234");
	f.signature = "-- \nBruno";
	f.departments = &dep;
	f.ndepartments = 1;
	struct admin_staff_errors e;
	int64_t id;
	struct session me = actor_for(staff("ana@nuvem.example", true));
	cr_assert_eq(admin_staff_save(d, &me, 0, &f, T0, &e, &id), ADMIN_OK);
	arena *a = arena_new(1024);
	struct admin_staff_row row;
	cr_assert_eq(store_admin_staff_get(d, id, a, &row), 1);
	cr_assert_str_eq(row.role, "admin");
	cr_assert_str_eq(row.signature, "-- \nBruno");
	cr_assert(row.active);
	int64_t ids[4];
	cr_assert_eq(store_admin_staff_department_ids(d, id, ids, 4), 1);
	arena_free(a);
}

Test(admin, a_new_staff_member_needs_a_password_of_8_characters)
{
	struct admin_staff_form f = staff_form("bruno@nuvem.example", "agent", true, "curta");
	struct admin_staff_errors e;
	struct session me = actor_for(staff("ana@nuvem.example", true));
	cr_assert_eq(admin_staff_save(d, &me, 0, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.password, "The password must have at least 8 characters.");
}

Test(admin, staff_email_is_unique_regardless_of_case)
{
	staff("ana@nuvem.example", true);
	struct admin_staff_form f = staff_form("ANA@Nuvem.Example", "agent", true, "senha1234");
	struct admin_staff_errors e;
	struct session me = actor_for(1);
	cr_assert_eq(admin_staff_save(d, &me, 0, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.email, "A staff member with this email address already exists.");
}

Test(admin, an_admin_cannot_demote_themself)
{
	int64_t me_id = staff("ana@nuvem.example", true);
	struct session me = actor_for(me_id);
	struct admin_staff_form f = staff_form("ana@nuvem.example", "agent", true, "");
	struct admin_staff_errors e;
	cr_assert_eq(admin_staff_save(d, &me, me_id, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.role, "You cannot remove your own administrator role.");
	arena *a = arena_new(1024);
	struct admin_staff_row row;
	cr_assert_eq(store_admin_staff_get(d, me_id, a, &row), 1);
	cr_assert_str_eq(row.role, "admin");
	arena_free(a);
}

Test(admin, an_admin_cannot_deactivate_themself)
{
	int64_t me_id = staff("ana@nuvem.example", true);
	struct session me = actor_for(me_id);
	struct admin_staff_form f = staff_form("ana@nuvem.example", "admin", false, "");
	struct admin_staff_errors e;
	cr_assert_eq(admin_staff_save(d, &me, me_id, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_str_eq(e.active, "You cannot deactivate your own account.");
}

Test(admin, an_admin_can_demote_another_admin)
{
	int64_t me_id = staff("ana@nuvem.example", true);
	int64_t other = staff("bruno@nuvem.example", true);
	struct session me = actor_for(me_id);
	struct admin_staff_form f = staff_form("bruno@nuvem.example", "agent", true, "");
	struct admin_staff_errors e;
	cr_assert_eq(admin_staff_save(d, &me, other, &f, T0, &e, NULL), ADMIN_OK);
}

Test(admin, deactivating_a_staff_member_ends_their_sessions)
{
	int64_t me_id = staff("ana@nuvem.example", true);
	int64_t other = staff("bruno@nuvem.example", false);
	char token[TOKEN_LEN + 1];
	struct session s;
	cr_assert_eq(session_start(d, ACCOUNT_STAFF, other, T0, NULL, token, &s), 0);
	struct session me = actor_for(me_id);
	struct admin_staff_form f = staff_form("bruno@nuvem.example", "agent", false, "");
	struct admin_staff_errors e;
	cr_assert_eq(admin_staff_save(d, &me, other, &f, T0, &e, NULL), ADMIN_OK);
	cr_assert_eq(session_resume(d, ACCOUNT_STAFF, token, T0 + 1, &s), 0);
}

Test(admin, editing_without_a_password_keeps_the_old_one)
{
	int64_t me_id = staff("ana@nuvem.example", true);
	int64_t other = staff("bruno@nuvem.example", false);
	struct session me = actor_for(me_id);
	struct admin_staff_form f = staff_form("bruno@nuvem.example", "agent", true, "");
	struct admin_staff_errors e;
	cr_assert_eq(admin_staff_save(d, &me, other, &f, T0, &e, NULL), ADMIN_OK);
	struct account_row row;
	cr_assert_eq(store_account_get(d, "staff", other, &row), 1);
	cr_assert(password_verify("senha1234", row.password_hash));
	f.password = "nova-senha-99";
	cr_assert_eq(admin_staff_save(d, &me, other, &f, T0, &e, NULL), ADMIN_OK);
	cr_assert_eq(store_account_get(d, "staff", other, &row), 1);
	cr_assert(password_verify("nova-senha-99", row.password_hash));
}

/* ---- clients and services ---- */

Test(admin, a_client_email_is_unique_without_case)
{
	int64_t maria = store_client_insert(d, "maria@exemplo.com.br", "Maria", NULL, "pt-BR", T0);
	int64_t joao = store_client_insert(d, "joao@exemplo.com.br", "João", NULL, "pt-BR", T0);
	struct admin_client_form f = {.name = "João", .email = "MARIA@exemplo.com.br",
	                              .language = "en", .active = true};
	struct admin_client_errors e;
	cr_assert_eq(admin_client_save(d, NULL, joao, &f, T0, &e), ADMIN_INVALID);
	cr_assert_not_null(e.email);
	f.email = "Maria@Exemplo.com.br";
	cr_assert_eq(admin_client_save(d, NULL, maria, &f, T0, &e), ADMIN_OK);
}

Test(admin, clients_are_found_by_part_of_the_name_or_email)
{
	store_client_insert(d, "maria@exemplo.com.br", "Maria Souza", NULL, "pt-BR", T0);
	store_client_insert(d, "joao@outro.example", "João Silva", NULL, "pt-BR", T0);
	arena *a = arena_new(4096);
	struct admin_client_row rows[10];
	cr_assert_eq(admin_client_search(d, "SOUZA", a, rows, 10), 1);
	cr_assert_str_eq(rows[0].email, "maria@exemplo.com.br");
	cr_assert_eq(admin_client_search(d, "outro.example", a, rows, 10), 1);
	cr_assert_eq(admin_client_search(d, "", a, rows, 10), 2);
	cr_assert_eq(admin_client_search(d, "%", a, rows, 10), 0);
	arena_free(a);
}

Test(admin, a_service_needs_a_known_kind_and_status_and_a_label)
{
	int64_t client = store_client_insert(d, "maria@exemplo.com.br", "Maria", NULL, "pt-BR", T0);
	struct admin_service_form f = {.kind = "vps", .label = " ", .status = "frozen"};
	struct admin_service_errors e;
	cr_assert_eq(admin_service_save(d, NULL, client, 0, &f, T0, &e), ADMIN_INVALID);
	cr_assert_not_null(e.kind);
	cr_assert_not_null(e.label);
	cr_assert_not_null(e.status);
	f = (struct admin_service_form){.kind = "domain", .label = "maria.com.br", .status = "suspended"};
	cr_assert_eq(admin_service_save(d, NULL, client, 0, &f, T0, &e), ADMIN_OK);
	cr_assert_eq(store_service_count_by_client(d, client), 1);
}

Test(admin, another_clients_service_is_not_found)
{
	int64_t maria = store_client_insert(d, "maria@exemplo.com.br", "Maria", NULL, "pt-BR", T0);
	int64_t joao = store_client_insert(d, "joao@exemplo.com.br", "João", NULL, "pt-BR", T0);
	int64_t service = store_service_insert(d, maria, "hosting", "Plano", "active", T0);
	struct admin_service_form f = {.kind = "hosting", .label = "Roubado", .status = "active"};
	struct admin_service_errors e;
	cr_assert_eq(admin_service_save(d, NULL, joao, service, &f, T0, &e), ADMIN_NOT_FOUND);
	cr_assert_eq(admin_service_delete(d, NULL, joao, service), ADMIN_NOT_FOUND);
	cr_assert_eq(admin_service_delete(d, NULL, maria, service), ADMIN_OK);
}

/* ---- predefined replies ---- */

Test(admin, a_predefined_reply_names_an_existing_department_or_all)
{
	struct admin_reply_form f = {.title = "Boas-vindas", .body = "Olá!", .department = "77"};
	struct admin_reply_errors e;
	cr_assert_eq(admin_reply_save(d, NULL, 0, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_not_null(e.department);
	f.department = "0";
	int64_t id;
	cr_assert_eq(admin_reply_save(d, NULL, 0, &f, T0, &e, &id), ADMIN_OK);
	f.body = "  ";
	cr_assert_eq(admin_reply_save(d, NULL, id, &f, T0, &e, NULL), ADMIN_INVALID);
	cr_assert_not_null(e.body);
	cr_assert_eq(admin_reply_delete(d, NULL, id), ADMIN_OK);
	cr_assert_eq(admin_reply_delete(d, NULL, id), ADMIN_NOT_FOUND);
}

/* ---- settings ---- */

static struct admin_settings_form good_settings(void)
{
	return (struct admin_settings_form){
		.company_name = "Nuvem Azul", .brand_color = "#0B5CAD", .show_powered_by = false,
		.registration_open = true, .auto_close_days = "7", .ticket_number_digits = "6",
		.attachment_max_files = "5", .attachment_max_mb = "10",
		.attachment_extensions = "jpg,png,pdf"};
}

Test(admin, settings_are_saved_and_read_back)
{
	struct admin_settings_form f = good_settings();
	f.attachment_extensions = " PNG, .jpg ,png,,pdf ";
	struct admin_settings_errors e;
	cr_assert_eq(admin_settings_save(d, NULL, &f, &e), ADMIN_OK);
	struct admin_settings s;
	admin_settings_load(d, &s);
	cr_assert_str_eq(s.company_name, "Nuvem Azul");
	cr_assert_str_eq(s.brand_color, "#0b5cad");
	cr_assert(!s.show_powered_by);
	cr_assert(s.registration_open);
	cr_assert_str_eq(s.attachment_extensions, "png,jpg,pdf");
	char flag[4];
	store_setting_get(d, "show_powered_by", "?", flag, sizeof flag);
	cr_assert_str_eq(flag, "0");
}

Test(admin, missing_settings_read_as_their_defaults)
{
	struct admin_settings s;
	admin_settings_load(d, &s);
	cr_assert_eq(s.auto_close_days, 7);
	cr_assert_eq(s.ticket_number_digits, 6);
	cr_assert_eq(s.attachment_max_files, 5);
	cr_assert_eq(s.attachment_max_mb, 10);
	cr_assert_str_eq(s.attachment_extensions, ADMIN_ALLOWED_EXTENSIONS);
}

Test(admin, the_brand_colour_must_be_hash_and_six_hex_digits)
{
	const char *bad[] = {"0b5cad", "#0b5ca", "#0b5cadd", "#0g5cad", "blue", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct admin_settings_form f = good_settings();
		f.brand_color = bad[i];
		struct admin_settings_errors e;
		cr_assert_eq(admin_settings_save(d, NULL, &f, &e), ADMIN_INVALID, "%s", bad[i]);
		cr_assert_not_null(e.brand_color, "%s", bad[i]);
	}
}

Test(admin, numeric_settings_stay_within_their_ranges)
{
	struct {
		const char *auto_close, *digits, *files, *mb;
		bool ok;
	} cases[] = {
		{"0", "6", "1", "1", true},     {"365", "9", "20", "50", true},
		{"-1", "6", "5", "10", false},  {"366", "6", "5", "10", false},
		{"7", "5", "5", "10", false},   {"7", "10", "5", "10", false},
		{"7", "6", "0", "10", false},   {"7", "6", "21", "10", false},
		{"7", "6", "5", "0", false},    {"7", "6", "5", "51", false},
		{"sete", "6", "5", "10", false}, {"", "6", "5", "10", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct admin_settings_form f = good_settings();
		f.auto_close_days = cases[i].auto_close;
		f.ticket_number_digits = cases[i].digits;
		f.attachment_max_files = cases[i].files;
		f.attachment_max_mb = cases[i].mb;
		struct admin_settings_errors e;
		int rc = admin_settings_save(d, NULL, &f, &e);
		cr_assert_eq(rc, cases[i].ok ? ADMIN_OK : ADMIN_INVALID, "case %zu", i);
	}
}

Test(admin, only_allowed_extensions_may_be_listed)
{
	const char *bad[] = {"exe", "jpg,exe", "", " , ", "php"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct admin_settings_form f = good_settings();
		f.attachment_extensions = bad[i];
		struct admin_settings_errors e;
		cr_assert_eq(admin_settings_save(d, NULL, &f, &e), ADMIN_INVALID, "%s", bad[i]);
		cr_assert_not_null(e.attachment_extensions);
	}
}

Test(admin, the_company_name_is_required_and_short)
{
	struct admin_settings_form f = good_settings();
	struct admin_settings_errors e;
	f.company_name = "  ";
	cr_assert_eq(admin_settings_save(d, NULL, &f, &e), ADMIN_INVALID);
	cr_assert_not_null(e.company_name);
	char name[128];
	memset(name, 'x', 101);
	name[101] = '\0';
	f.company_name = name;
	cr_assert_eq(admin_settings_save(d, NULL, &f, &e), ADMIN_INVALID);
	cr_assert_not_null(e.company_name);
}

Test(admin, banned_senders_are_addresses_or_domains_one_per_line)
{
	struct admin_settings_form f = good_settings();
	f.mail_refuse_unknown = true;
	f.mail_banned_senders = " spam@exemplo.com, @golpe.example\r\n\n@outro.example ";
	struct admin_settings_errors e;
	cr_assert_eq(admin_settings_save(d, NULL, &f, &e), ADMIN_OK);
	struct admin_settings s;
	admin_settings_load(d, &s);
	cr_assert(s.mail_refuse_unknown);
	cr_assert_str_eq(s.mail_banned_senders, "spam@exemplo.com\n@golpe.example\n@outro.example\n");
	f.mail_banned_senders = "spam@exemplo.com\nnot-an-address";
	cr_assert_eq(admin_settings_save(d, NULL, &f, &e), ADMIN_INVALID);
	cr_assert_not_null(e.mail_banned_senders);
	admin_settings_load(d, &s);
	cr_assert_str_eq(s.mail_banned_senders, "spam@exemplo.com\n@golpe.example\n@outro.example\n");
}

static int64_t count_of(const char *sql)
{
	return db_scalar_int(db_prepare(d, sql), -1);
}

Test(admin, an_admin_creates_a_client_without_a_password_and_an_agent_cannot)
{
	struct session admin = actor_for(staff("admin@nuvem.example", true));
	struct session agent = actor_for(staff("agente@nuvem.example", false));
	agent.admin = false;
	struct admin_client_form f = {.name = "  Carla Nunes ", .email = "carla@loja.example",
	                              .language = "en", .active = true};
	struct admin_client_errors e;
	int64_t id = -1;
	cr_assert_eq(admin_client_create(d, &(struct actor){&agent, CHANNEL_WEB}, &f, T0, &e, &id), ADMIN_REFUSED);
	cr_assert_eq(id, 0);
	cr_assert_eq(admin_client_create(d, &(struct actor){&admin, CHANNEL_WEB}, &f, T0, &e, &id), ADMIN_OK);
	cr_assert_gt(id, 0);
	struct account_row row;
	cr_assert_eq(store_account_get(d, "client", id, &row), 1);
	cr_expect_str_eq(row.name, "Carla Nunes");
	cr_expect_str_empty(row.password_hash, "no password until the client chooses one");
	cr_expect_eq(count_of("SELECT count(*) FROM admin_audit WHERE kind LIKE 'client.%'"), 1, "audited");
	/* The same address again, in other case: refused, nothing written. */
	f.email = "CARLA@loja.example";
	cr_assert_eq(admin_client_create(d, &(struct actor){&admin, CHANNEL_WEB}, &f, T0, &e, &id), ADMIN_INVALID);
	cr_expect_not_null(e.email);
	cr_expect_eq(id, 0);
	f = (struct admin_client_form){.name = "", .email = "sem-arroba", .language = "xx"};
	cr_assert_eq(admin_client_create(d, &(struct actor){&admin, CHANNEL_WEB}, &f, T0, &e, &id), ADMIN_INVALID);
	cr_expect_not_null(e.name);
	cr_expect_not_null(e.email);
	cr_expect_not_null(e.language);
	cr_expect_eq(count_of("SELECT count(*) FROM clients"), 1);
}

Test(admin, anonymising_a_client_removes_their_identity_and_keeps_their_tickets)
{
	struct session admin = actor_for(staff("admin@nuvem.example", true));
	struct actor who = {&admin, CHANNEL_WEB};
	int64_t id = store_client_insert(d, "Maria@Exemplo.com.br", "Maria Souza", "hash", "pt-BR", T0);
	int64_t other = store_client_insert(d, "joao@exemplo.com.br", "João", "hash", "pt-BR", T0);
	cr_assert_eq(db_exec(d, "INSERT INTO services (client_id, kind, label, status, created_at) "
	                        "SELECT id, 'domain', 'mariasouza.com.br', 'active', 0 FROM clients"), 0, "%s", db_error(d));
	cr_assert_eq(db_exec(d, "INSERT INTO outbox (id, to_address, subject, message_id, status, next_attempt_at, created_at) VALUES "
	                        "(1, 'Maria Souza <maria@exemplo.com.br>', 'a', '<1@x>', 'queued', 0, 0), "
	                        "(2, 'Maria Souza <maria@exemplo.com.br>', 'b', '<2@x>', 'sent', 0, 0), "
	                        "(3, 'João <joao@exemplo.com.br>', 'c', '<3@x>', 'queued', 0, 0); "
	                        "INSERT INTO outbox_bodies (outbox_id, body_text, body_html) VALUES "
	                        "(1, 'Olá Maria', '<p>Olá Maria</p>'), (2, 'Olá Maria', '<p>Olá Maria</p>'), (3, 'Olá João', NULL)"),
	             0, "%s", db_error(d));
	cr_assert_eq(admin_client_anonymise(d, &who, 999999, T0), ADMIN_NOT_FOUND);
	cr_assert_eq(admin_client_anonymise(d, &who, id, T0 + 5), ADMIN_OK, "%s", db_error(d));
	struct account_row row;
	cr_assert_eq(store_account_get(d, "client", id, &row), 1);
	cr_expect_str_neq(row.name, "Maria Souza");
	cr_expect_null(strstr(row.email, "maria"), "%s", row.email);
	cr_expect_str_empty(row.password_hash);
	cr_expect_not(row.active);
	cr_expect_eq(count_of("SELECT count(*) FROM services WHERE label = 'mariasouza.com.br'"), 1,
	             "only the other client's service keeps its label");
	cr_expect_eq(count_of("SELECT count(*) FROM outbox JOIN outbox_bodies ON outbox_id = id WHERE to_address LIKE '%maria%' OR body_text LIKE '%Maria%' OR body_html LIKE '%Maria%'"), 0,
	             "no email to her is left to send nor keeps her address");
	cr_expect_eq(count_of("SELECT count(*) FROM outbox WHERE to_address LIKE '%joao%' AND status = 'queued'"), 1,
	             "another client's email is untouched");
	cr_expect_eq(count_of("SELECT count(*) FROM outbox_bodies WHERE outbox_id = 2 AND body_text = '-' AND body_html IS NULL"), 1,
	             "the email sent to her stays, without its text");
	cr_expect_eq(count_of("SELECT count(*) FROM outbox_bodies WHERE outbox_id = 1"), 0,
	             "the one not sent went with its body");
	cr_assert_eq(store_account_get(d, "client", other, &row), 1);
	cr_expect_str_eq(row.name, "João");
	cr_expect_eq(count_of("SELECT count(*) FROM admin_audit WHERE kind LIKE 'client.%'"), 1, "audited");
	struct session agent = actor_for(staff("agente@nuvem.example", false));
	agent.admin = false;
	cr_expect_eq(admin_client_anonymise(d, &(struct actor){&agent, CHANNEL_WEB}, other, T0), ADMIN_REFUSED);
}
