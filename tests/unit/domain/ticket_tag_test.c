/* Tags and custom fields: how a typed tag is normalised, what each kind of
 * field accepts, that a client never fills or reads a staff-only field,
 * that tag counts stay inside an agent's departments, and that the
 * fields' lists (kept per thread) show a change made here at once. Against a real
 * SQLite file with the real templates. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "domain/admin.h"
#include "domain/custom_field.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/staff_ticket.h"
#include "domain/ticket_tag.h"
#include "mail/notice.h"
#include "store/department_store.h"
#include "../test_db.h"

/* ---- tag normalising: no database ---- */

static const char *norm(const char *typed)
{
	static char out[TAG_BYTES_MAX];
	return ticket_tag_normalize(typed, out) ? NULL : out;
}

Test(ticket_tag, is_trimmed_lowered_and_joined_by_dashes)
{
	cr_assert_str_eq(norm("  Site Fora  do Ar "), "site-fora-do-ar");
	cr_assert_str_eq(norm("DNS"), "dns");
	cr_assert_str_eq(norm("php_8.2"), "php_8.2");
}

Test(ticket_tag, lowers_accented_letters_and_keeps_them)
{
	cr_assert_str_eq(norm("COBRANÇA"), "cobrança");
	cr_assert_str_eq(norm("Área"), "área");
}

Test(ticket_tag, refuses_empty_too_long_and_odd_characters)
{
	char out[TAG_BYTES_MAX];
	cr_assert_not_null(ticket_tag_normalize("   ", out));
	cr_assert_not_null(ticket_tag_normalize("", out));
	cr_assert_not_null(ticket_tag_normalize("a<b>", out));
	cr_assert_not_null(ticket_tag_normalize("tag,other", out));
	cr_assert_not_null(ticket_tag_normalize("emoji\xf0\x9f\x98\x80", out));
	cr_assert_not_null(ticket_tag_normalize("a×b", out));
	cr_assert_null(ticket_tag_normalize("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", out)); /* 40 */
	cr_assert_not_null(ticket_tag_normalize("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", out)); /* 41 */
	cr_assert_null(ticket_tag_normalize("ççççççççççççççççççççççççççççççççççççççç", out)); /* 40 two-byte */
	cr_assert_not_null(ticket_tag_normalize("a b c d e f g h i j k l m n o p q r s t u", out)); /* 41 */
}

/* ---- field kinds: no database ---- */

static const char *check(const char *kind, bool required, const char *options, const char *typed,
                         char out[FIELD_VALUE_BYTES])
{
	struct field_row f = {.label = "Campo", .kind = kind, .options = options, .required = required};
	return custom_field_check(&f, typed, out);
}

Test(custom_field, a_required_field_must_have_a_value)
{
	char out[FIELD_VALUE_BYTES];
	cr_assert_not_null(check("text", true, "", "  ", out));
	cr_assert_not_null(check("text", true, "", NULL, out));
	cr_assert_null(check("text", false, "", "", out));
	cr_assert_str_eq(out, "");
	cr_assert_null(check("text", true, "", " exemplo.com.br ", out));
	cr_assert_str_eq(out, "exemplo.com.br");
	cr_assert_not_null(check("checkbox", true, "", NULL, out));
	cr_assert_null(check("checkbox", true, "", "on", out));
	cr_assert_str_eq(out, "1");
}

Test(custom_field, a_number_takes_digits_and_a_decimal_comma)
{
	char out[FIELD_VALUE_BYTES];
	cr_assert_null(check("number", false, "", "42", out));
	cr_assert_str_eq(out, "42");
	cr_assert_null(check("number", false, "", "3,5", out));
	cr_assert_str_eq(out, "3.5");
	cr_assert_null(check("number", false, "", "-7", out));
	cr_assert_not_null(check("number", false, "", "12abc", out));
	cr_assert_not_null(check("number", false, "", "1,2,3", out));
	cr_assert_not_null(check("number", false, "", "5.", out));
	cr_assert_not_null(check("number", false, "", "-", out));
}

Test(custom_field, a_select_takes_only_one_of_its_options)
{
	char out[FIELD_VALUE_BYTES];
	const char *options = "Boleto\nCartão de crédito\r\nPix";
	cr_assert_null(check("select", true, options, "Pix", out));
	cr_assert_null(check("select", true, options, "Cartão de crédito", out));
	cr_assert_not_null(check("select", true, options, "Dinheiro", out));
	cr_assert_not_null(check("select", true, options, "Bol", out));
	cr_assert_not_null(check("select", true, options, "", out));
}

Test(custom_field, a_text_is_one_line_of_at_most_500_characters)
{
	char out[FIELD_VALUE_BYTES];
	char long_text[600];
	memset(long_text, 'a', 501);
	long_text[501] = '\0';
	cr_assert_not_null(check("text", false, "", long_text, out));
	long_text[500] = '\0';
	cr_assert_null(check("text", false, "", long_text, out));
	cr_assert_not_null(check("text", false, "", "two\nlines", out));
	cr_assert_not_null(check("checkbox", false, "", "maybe", out));
}

/* ---- with a database ---- */

static db *d;
static char path[64];
static tpl_set *templates;
static i18n_catalog *catalog;
static struct mailer mailer;
static struct notifier notifier;
static const int64_t T0 = 1800000000;
static struct session client, admin, agent_a, agent_b;
static int64_t dep_a, dep_b;
static arena *a;

static struct session make_account(enum account_kind kind, const char *email, int64_t dep, bool is_admin)
{
	struct account_new n = {.kind = kind, .email = email, .name = email, .password = "senha1234",
	                        .admin = is_admin};
	int64_t id = account_create(d, &n);
	cr_assert_gt(id, 0);
	if (dep)
		cr_assert_eq(store_staff_department_add(d, id, dep), 0);
	struct session s = {.kind = kind, .user_id = id, .admin = is_admin};
	snprintf(s.name, sizeof s.name, "%s", email);
	snprintf(s.email, sizeof s.email, "%s", email);
	return s;
}

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	snprintf(path, sizeof path, "/tmp/chamado-tags-%d.db", getpid());
	unlink(path);
	char url[96], err[512];
	snprintf(url, sizeof url, "sqlite:%s", path);
	test_db_template(url);
	d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(setup_defaults(d), 0);
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
	client = make_account(ACCOUNT_CLIENT, "maria@exemplo.com.br", 0, false);
	admin = make_account(ACCOUNT_STAFF, "admin@exemplo.com.br", 0, true);
	agent_a = make_account(ACCOUNT_STAFF, "a@exemplo.com.br", dep_a, false);
	agent_b = make_account(ACCOUNT_STAFF, "b@exemplo.com.br", dep_b, false);
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

TestSuite(tags_and_fields, .init = setup, .fini = teardown);

static int64_t field(int64_t dep, const char *label, const char *kind, bool required, bool visible)
{
	struct actor who = actor_of(&admin, CHANNEL_WEB);
	struct field_form f = {.department_id = dep, .label = label, .kind = kind,
	                       .options = "Boleto\nPix", .required = required, .client_visible = visible};
	struct field_form_errors e;
	int64_t id = 0;
	cr_assert_eq(custom_field_save(d, &who, 0, &f, T0, &e, &id), FIELD_OK);
	return id;
}

static int open_ticket(int64_t dep, const struct field_input *in, int n, struct ticket_errors *e,
                       int64_t *number)
{
	struct ticket_form f = {.department_id = dep, .subject = "Site fora do ar", .priority = "medium",
	                        .message = "O site caiu.", .fields = in, .nfields = n};
	struct actor who = actor_of(&client, CHANNEL_WEB);
	struct ticket_opened opened;
	int rc = ticket_open(d, &notifier, &who, &f, T0, e, &opened);
	*number = opened.number;
	return rc;
}

Test(tags_and_fields, only_an_admin_defines_fields)
{
	struct actor who = actor_of(&agent_a, CHANNEL_WEB);
	struct field_form f = {.department_id = dep_a, .label = "Domínio afetado", .kind = "text"};
	struct field_form_errors e;
	cr_assert_eq(custom_field_save(d, &who, 0, &f, T0, &e, NULL), FIELD_NOT_FOUND);
	f.kind = "select";
	f.options = "  \n ";
	who = actor_of(&admin, CHANNEL_WEB);
	cr_assert_eq(custom_field_save(d, &who, 0, &f, T0, &e, NULL), FIELD_INVALID);
	cr_assert_not_null(e.options);
}

Test(tags_and_fields, a_client_must_fill_required_fields_and_cannot_set_staff_only_ones)
{
	int64_t domain = field(dep_a, "Domínio afetado", "text", true, true);
	int64_t internal = field(dep_a, "Servidor", "text", false, false);
	struct ticket_errors e;
	int64_t number = 0;
	struct field_input none[] = {{internal, "srv01"}};
	cr_assert_eq(open_ticket(dep_a, none, 1, &e, &number), TICKET_INVALID);
	cr_assert_eq(e.fields.n, 1);
	cr_assert_eq(e.fields.e[0].field_id, domain);
	cr_assert_str_eq(e.fields.e[0].label, "Domínio afetado");

	struct field_input in[] = {{domain, "exemplo.com.br"}, {internal, "srv01"}};
	cr_assert_eq(open_ticket(dep_a, in, 2, &e, &number), TICKET_OK);
	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, number, a, &t), 1);
	struct field_value_row rows[10];
	/* The staff-only value the client sent was not stored. */
	cr_assert_eq(ticket_field_values(d, t.id, false, a, rows, 10), 1);
	cr_assert_str_eq(rows[0].value, "exemplo.com.br");

	/* Staff set the staff-only one; the client's view never has it. */
	struct actor who = actor_of(&agent_a, CHANNEL_WEB);
	struct field_input staff_in[] = {{internal, "srv01"}};
	struct field_errors fe;
	cr_assert_eq(ticket_fields_save(d, &who, number, staff_in, 1, T0 + 10, &fe), TICKET_OK);
	cr_assert_eq(ticket_field_values(d, t.id, false, a, rows, 10), 2);
	cr_assert_eq(ticket_field_values(d, t.id, true, a, rows, 10), 1);
	cr_assert_str_eq(rows[0].label, "Domínio afetado");
	const char *text = ticket_fields_text(d, t.id, a);
	cr_assert_not_null(strstr(text, "srv01"));

	/* An agent of another department cannot change it. */
	who = actor_of(&agent_b, CHANNEL_WEB);
	cr_assert_eq(ticket_fields_save(d, &who, number, staff_in, 1, T0 + 20, &fe), TICKET_NOT_FOUND);
	/* A required field that has a value keeps one. */
	who = actor_of(&agent_a, CHANNEL_WEB);
	struct field_input clear[] = {{domain, ""}};
	cr_assert_eq(ticket_fields_save(d, &who, number, clear, 1, T0 + 30, &fe), FIELD_INVALID);
	cr_assert_eq(fe.n, 1);
}

Test(tags_and_fields, tags_are_audited_replaced_and_counted_per_department)
{
	struct ticket_errors e;
	int64_t in_a = 0, in_b = 0;
	cr_assert_eq(open_ticket(dep_a, NULL, 0, &e, &in_a), TICKET_OK);
	cr_assert_eq(open_ticket(dep_b, NULL, 0, &e, &in_b), TICKET_OK);
	struct actor as_a = actor_of(&agent_a, CHANNEL_WEB), as_admin = actor_of(&admin, CHANNEL_WEB);
	const char *error;
	char bad[TAG_BYTES_MAX * 2];
	const char *add[] = {"Site Fora", "dns"};
	struct tag_change c = {.add = add, .nadd = 2};
	cr_assert_eq(ticket_tags_change(d, &as_a, in_a, &c, T0, &error, bad), TICKET_OK);
	cr_assert_eq(ticket_tags_change(d, &as_a, in_b, &c, T0, &error, bad), TICKET_NOT_FOUND);
	const char *secret[] = {"segredo-b"};
	struct tag_change cb = {.add = secret, .nadd = 1};
	cr_assert_eq(ticket_tags_change(d, &as_admin, in_b, &cb, T0, &error, bad), TICKET_OK);
	const char *wrong[] = {"ok", "no<way"};
	struct tag_change cw = {.add = wrong, .nadd = 2};
	cr_assert_eq(ticket_tags_change(d, &as_a, in_a, &cw, T0, &error, bad), TICKET_INVALID);
	cr_assert_str_eq(bad, "no<way");

	struct ticket_row t;
	cr_assert_eq(store_ticket_get_by_number(d, in_a, a, &t), 1);
	cr_assert_str_eq(ticket_tags_text(d, t.id, a), "dns site-fora");
	struct audit_row audit[20];
	int na = staff_ticket_audit(d, t.id, a, audit, 20);
	int added = 0;
	for (int i = 0; i < na; i++)
		added += strcmp(audit[i].action, "tag_added") == 0;
	cr_assert_eq(added, 2);

	struct tag_count counts[10];
	int n = ticket_tag_counts(d, &agent_a, a, counts, 10);
	cr_assert_eq(n, 2, "agent A sees only the tags of department A");
	for (int i = 0; i < n; i++)
		cr_assert_str_neq(counts[i].tag, "segredo-b");
	cr_assert_eq(ticket_tag_counts(d, &admin, a, counts, 10), 3);

	/* PUT's set: replaces. */
	const char *set[] = {"DNS", "novo"};
	struct tag_change cr = {.add = set, .nadd = 2, .replace = true};
	cr_assert_eq(ticket_tags_change(d, &as_a, in_a, &cr, T0 + 5, &error, bad), TICKET_OK);
	cr_assert_str_eq(ticket_tags_text(d, t.id, a), "dns novo");
	/* A client cannot tag. */
	struct actor as_client = actor_of(&client, CHANNEL_WEB);
	cr_assert_eq(ticket_tags_change(d, &as_client, in_a, &c, T0, &error, bad), TICKET_NOT_FOUND);
}

static int64_t count_of(const struct session *staff, const char *tag)
{
	struct tag_count counts[20];
	int n = ticket_tag_counts(d, staff, a, counts, 20);
	cr_assert_geq(n, 0);
	for (int i = 0; i < n; i++)
		if (strcmp(counts[i].tag, tag) == 0)
			return counts[i].count;
	return 0;
}

Test(tags_and_fields, counts_follow_a_ticket_moved_to_another_department_or_deleted)
{
	struct ticket_errors e;
	int64_t number = 0, other = 0;
	cr_assert_eq(open_ticket(dep_a, NULL, 0, &e, &number), TICKET_OK);
	cr_assert_eq(open_ticket(dep_a, NULL, 0, &e, &other), TICKET_OK);
	struct actor as_admin = actor_of(&admin, CHANNEL_WEB);
	const char *error;
	char bad[TAG_BYTES_MAX * 2];
	const char *add[] = {"mover"};
	struct tag_change c = {.add = add, .nadd = 1};
	cr_assert_eq(ticket_tags_change(d, &as_admin, number, &c, T0, &error, bad), TICKET_OK);
	cr_assert_eq(ticket_tags_change(d, &as_admin, other, &c, T0, &error, bad), TICKET_OK);
	cr_assert_eq(count_of(&agent_a, "mover"), 2);
	cr_assert_eq(count_of(&agent_b, "mover"), 0);

	struct ticket_changes move = {.department_id = dep_b, .assignee_id = -1};
	cr_assert_eq(ticket_update(d, &as_admin, number, &move, T0 + 1), TICKET_OK);
	cr_assert_eq(count_of(&agent_a, "mover"), 1);
	cr_assert_eq(count_of(&agent_b, "mover"), 1);
	cr_assert_eq(count_of(&admin, "mover"), 2);

	/* Untagging, and deleting a tagged ticket, count down. */
	struct tag_change rm = {.remove = add, .nremove = 1};
	cr_assert_eq(ticket_tags_change(d, &as_admin, number, &rm, T0 + 2, &error, bad), TICKET_OK);
	cr_assert_eq(count_of(&agent_b, "mover"), 0);
	db_stmt *s = db_prepare(d, "DELETE FROM tickets WHERE number = $1");
	db_bind_int(s, 1, other);
	cr_assert_eq(db_step_done(s), 0);
	cr_assert_eq(count_of(&admin, "mover"), 0);
}

/* The index of the field labelled label in rows, or -1. */
static int find_label(const struct field_row *rows, int n, const char *label)
{
	for (int i = 0; i < n; i++)
		if (strcmp(rows[i].label, label) == 0)
			return i;
	return -1;
}

Test(tags_and_fields, a_change_to_a_field_or_its_department_shows_in_the_next_list)
{
	struct actor who = actor_of(&admin, CHANNEL_WEB);
	int64_t shown = field(dep_a, "Versão do PHP", "text", false, true);
	field(dep_a, "Nota interna", "text", false, false);
	field(dep_b, "Forma de pagamento", "select", false, true);
	struct field_row rows[CUSTOM_FIELDS_MAX * 4];
	int n = custom_fields_list(d, dep_a, false, a, rows, CUSTOM_FIELDS_MAX);
	cr_assert_eq(n, 2);
	int k = find_label(rows, n, "Versão do PHP");
	cr_assert_geq(k, 0);
	const char *before = rows[k].label;
	/* A client's list: the department's client-visible fields only. */
	n = custom_fields_list(d, dep_a, true, a, rows, CUSTOM_FIELDS_MAX);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].label, "Versão do PHP");

	struct field_form f = {.department_id = dep_a, .label = "Versão do PHP (site)", .kind = "text",
	                       .options = "", .client_visible = true};
	struct field_form_errors fe;
	cr_assert_eq(custom_field_save(d, &who, shown, &f, T0 + 1, &fe, NULL), FIELD_OK);
	n = custom_fields_list(d, dep_a, false, a, rows, CUSTOM_FIELDS_MAX);
	cr_assert_geq(find_label(rows, n, "Versão do PHP (site)"), 0, "the new label is not listed");
	cr_assert_eq(find_label(rows, n, "Versão do PHP"), -1);
	/* Rows handed out before the change keep their text. */
	cr_assert_str_eq(before, "Versão do PHP");

	struct admin_department_form df = {.name = "Suporte N2", .description = "", .email = "",
	                                   .visible = true, .sort_order = "0"};
	struct admin_department_errors de;
	cr_assert_eq(admin_department_save(d, &who, dep_b, &df, T0 + 2, &de, NULL), ADMIN_OK);
	n = custom_fields_list(d, 0, false, a, rows, CUSTOM_FIELDS_MAX * 4);
	k = find_label(rows, n, "Forma de pagamento");
	cr_assert_geq(k, 0);
	cr_assert_str_eq(rows[k].department_name, "Suporte N2");

	cr_assert_eq(custom_field_delete(d, &who, shown, T0 + 3), FIELD_OK);
	n = custom_fields_list(d, dep_a, false, a, rows, CUSTOM_FIELDS_MAX);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].label, "Nota interna");
}
