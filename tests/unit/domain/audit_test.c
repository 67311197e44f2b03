/* Registro de auditoria: what changed (before → after), a password never
 * shown, records written in the change's transaction, and the purge. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/admin.h"
#include "domain/audit.h"
#include "domain/password.h"
#include "domain/webhook.h"
#include "store/settings_store.h"
#include "../test_db.h"

static db *d;
static char path[64];
static const int64_t T0 = 1800000000;

static void setup(void)
{
	cr_assert_eq(password_init(), 0);
	snprintf(path, sizeof path, "/tmp/chamado-audit-%d.db", getpid());
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
	const char *suffixes[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[80];
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

TestSuite(audit, .init = setup, .fini = teardown);

Test(audit, the_diff_lists_only_what_changed_and_hides_passwords)
{
	buf out;
	buf_init(&out, 1 << 16);
	audit_diff("name=Ana\nrole=agent\npassword=$argon2id$a\nold=x\n",
	           "name=Ana Lima\nrole=agent\npassword=$argon2id$b\nnew=y\n", &out);
	cr_assert_str_eq(buf_str(&out), "name: Ana \xe2\x86\x92 Ana Lima\n"
	                                "password: \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 \xe2\x86\x92 \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\n"
	                                "new:  \xe2\x86\x92 y\n"
	                                "old: x \xe2\x86\x92 \n");
	buf_free(&out);
}

static int count(const char *kind)
{
	struct admin_audit_filter f = {.kind = kind};
	struct admin_audit_row rows[20];
	arena *a = arena_new(4096);
	int n = audit_list(d, &f, a, rows, 20);
	arena_free(a);
	return n;
}

Test(audit, a_department_change_writes_one_record_with_before_and_after_and_a_refused_one_none)
{
	struct session me = {.kind = ACCOUNT_STAFF, .user_id = 1, .admin = true};
	snprintf(me.name, sizeof me.name, "Ana Lima");
	snprintf(me.ip, sizeof me.ip, "203.0.113.9");
	struct actor actor = actor_of(&me, CHANNEL_WEB);
	struct admin_department_form f = {.name = "Abuso", .description = "", .email = "", .visible = true, .sort_order = "1"};
	struct admin_department_errors e;
	int64_t id = 0;
	cr_assert_eq(admin_department_save(d, &actor, 0, &f, T0, &e, &id), ADMIN_OK);
	f.name = "Abuso e spam";
	cr_assert_eq(admin_department_save(d, &actor, id, &f, T0 + 1, &e, NULL), ADMIN_OK);
	/* Saving the same values again is no change: no record. */
	cr_assert_eq(admin_department_save(d, &actor, id, &f, T0 + 2, &e, NULL), ADMIN_OK);
	f.name = "";
	cr_assert_eq(admin_department_save(d, &actor, id, &f, T0 + 3, &e, NULL), ADMIN_INVALID);
	cr_assert_eq(count("department."), 2);
	struct admin_audit_filter filter = {.kind = "department.update"};
	struct admin_audit_row rows[4];
	arena *a = arena_new(4096);
	cr_assert_eq(audit_list(d, &filter, a, rows, 4), 1);
	cr_assert_str_eq(rows[0].actor_name, "Ana Lima");
	cr_assert_str_eq(rows[0].ip, "203.0.113.9");
	cr_assert_str_eq(rows[0].subject, "Abuso e spam");
	cr_assert(strstr(rows[0].changes, "name: Abuso \xe2\x86\x92 Abuso e spam"), "%s", rows[0].changes);
	arena_free(a);
}

Test(audit, the_purge_keeps_the_configured_number_of_days)
{
	struct session me = {.kind = ACCOUNT_STAFF, .user_id = 1, .admin = true};
	struct actor actor = actor_of(&me, CHANNEL_WEB);
	cr_assert_eq(audit_record(d, &actor, "settings.update", "", "x: 1 \xe2\x86\x92 2", T0 - 40 * 86400), 0);
	cr_assert_eq(audit_record(d, &actor, "settings.update", "", "x: 2 \xe2\x86\x92 3", T0 - 10 * 86400), 0);
	cr_assert_eq(audit_keep_days_save(d, &actor, 30, T0), 0);
	cr_assert_eq(audit_keep_days(d), 30);
	cr_assert_eq(audit_purge(d, T0), 0);
	cr_assert_eq(count("settings."), 2, "the 40-day-old record goes; the 10-day one and the change of the setting stay");
	struct actor agent = actor_of(&(struct session){.kind = ACCOUNT_STAFF, .user_id = 2}, CHANNEL_WEB);
	cr_assert_lt(audit_keep_days_save(d, &agent, 10, T0), 0, "an agent cannot change it");
	cr_assert_eq(audit_keep_days_save(d, &actor, 0, T0), 1);
}

Test(audit, a_settings_snapshot_never_holds_a_secret_setting)
{
	cr_assert_eq(store_setting_set(d, "mail_ref_secret", "00ff00ff"), 0);
	cr_assert_eq(store_setting_set(d, "company_name", "Nuvem Azul"), 0);
	buf snap;
	buf_init(&snap, 1 << 16);
	cr_assert_eq(store_admin_audit_snapshot(d, "settings", 0, &snap), 0);
	cr_expect_not_null(strstr(buf_str(&snap), "company_name=Nuvem Azul\n"));
	cr_expect_null(strstr(buf_str(&snap), "00ff00ff"), "a secret is in the snapshot: %s", buf_str(&snap));
	buf_free(&snap);
}

Test(audit, a_webhook_record_shows_its_address_and_events_and_never_its_secret)
{
	struct session me = {.kind = ACCOUNT_STAFF, .user_id = 1, .admin = true};
	snprintf(me.name, sizeof me.name, "Ana Lima");
	struct actor actor = actor_of(&me, CHANNEL_WEB);
	struct webhook_form f = {.url = "https://example.com/hook", .events = {true, false, true, false}, .active = true};
	struct webhook_errors e;
	int64_t id = 0;
	cr_assert_eq(webhook_save(d, &actor, 0, &f, T0, &e, &id), WEBHOOK_OK);
	arena *a = arena_new(4096);
	struct webhook_row w;
	cr_assert_eq(webhook_get(d, id, a, &w), 1);
	struct admin_audit_filter filter = {.kind = "webhook."};
	struct admin_audit_row rows[4];
	cr_assert_eq(audit_list(d, &filter, a, rows, 4), 1);
	cr_expect_str_eq(rows[0].kind, "webhook.create");
	cr_expect_str_eq(rows[0].subject, "https://example.com/hook");
	cr_expect_not_null(strstr(rows[0].changes, "events:  \xe2\x86\x92 ticket_created, staff_reply\n"), "%s", rows[0].changes);
	cr_expect_null(strstr(rows[0].changes, w.secret), "the secret is in the record");
	/* A refused change (no events) writes nothing. */
	struct webhook_form none = {.url = "https://example.com/hook"};
	cr_assert_eq(webhook_save(d, &actor, id, &none, T0 + 1, &e, &id), WEBHOOK_INVALID);
	cr_expect_eq(audit_list(d, &filter, a, rows, 4), 1);
	arena_free(a);
}
