/* Migrations: the embedded files build the whole schema once, in order,
 * atomically, even when two processes start at the same moment; and the
 * schema holds the rules DESIGN.md states. */
#include "store/db.h"
#include "store/db_internal.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char dir[] = "/tmp/chamado-migrate-test-XXXXXX";
static char url[256];
static db *d;

static db *connection_open(void)
{
	char err[256] = "";
	db *c = db_open(url, err, sizeof err);

	cr_assert_not_null(c, "db_open: %s", err);
	return c;
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(url, sizeof url, "sqlite:%s/test.db", dir);
	d = connection_open();
}

static void teardown(void)
{
	char cmd[300];

	db_close(d);
	d = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(migrate, .init = setup, .fini = teardown);

static int latest_version(void)
{
	return db_migrations[db_migration_count - 1].version;
}

/* The migrations SQLite runs: all but PostgreSQL's own (NNNN_x_pgsql). */
static int sqlite_migration_count(void)
{
	size_t i;
	int n = 0;

	for (i = 0; i < db_migration_count; i++) {
		size_t len = strlen(db_migrations[i].name);

		n += !(len > 6 && strcmp(db_migrations[i].name + len - 6,
		    "_pgsql") == 0);
	}
	return n;
}

static void migrate_ok(void)
{
	int applied = db_migrate(d);

	cr_assert_eq(applied, sqlite_migration_count(), "db_migrate: %d %s",
	    applied, db_error(d));
}

static bool schema_has(const char *type, const char *name)
{
	db_stmt *s = db_prepare(d, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = $1 AND name = $2");

	cr_assert_not_null(s, "%s", db_error(d));
	db_bind_text(s, 1, type);
	db_bind_text(s, 2, name);
	return db_scalar_int(s, 0) == 1;
}

/* Numbers are handed out in ranges to work done side by side, so they may
 * skip some; they never go back or repeat. */
Test(migrate, migrations_are_embedded_numbered_from_one_rising)
{
	size_t i;

	cr_assert_geq(db_migration_count, 1);
	cr_expect_str_eq(db_migrations[0].name, "schema");
	cr_expect_eq(db_migrations[0].version, 1);
	for (i = 1; i < db_migration_count; i++) {
		/* NNNN_x_sqlite + NNNN_x_pgsql share a number. */
		if (db_migrations[i].version == db_migrations[i - 1].version)
			continue;
		cr_expect_gt(db_migrations[i].version, db_migrations[i - 1].version,
		    "%s", db_migrations[i].name);
	}
	/* Each one embedded with its statements, not only its comments. */
	for (i = 0; i < db_migration_count; i++)
		cr_expect_not_null(strchr(db_migrations[i].sql, ';'), "%s",
		    db_migrations[i].name);
	/* Both backends must end on the same version, or a dump of one would
	 * look newer than the other (chamado export | import). */
	const char *last = db_migrations[db_migration_count - 1].name;
	size_t len = strlen(last);
	bool backend_only = len > 7 && (strcmp(last + len - 6, "_pgsql") == 0 ||
	    strcmp(last + len - 7, "_sqlite") == 0);
	bool has_twin = db_migration_count > 1 &&
	    db_migrations[db_migration_count - 2].version ==
	    db_migrations[db_migration_count - 1].version;
	cr_expect(!backend_only || has_twin,
	    "the last migration (%s) runs on one backend only", last);
}

Test(migrate, creates_every_table_on_an_empty_database)
{
	static const char *tables[] = {
		"schema_migrations", "settings", "clients", "staff",
		"departments", "staff_departments", "services", "tickets",
		"messages", "attachments", "predefined_replies",
		"kb_categories", "kb_articles", "kb_votes", "outbox",
		"sessions", "login_attempts", "rate_limits",
		"password_resets", "api_tokens", "audit_log",
	};
	size_t i;

	cr_expect_eq(db_schema_version(d), 0, "an empty database");
	migrate_ok();
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		cr_expect(schema_has("table", tables[i]), "table %s",
		    tables[i]);
}

Test(migrate, creates_an_index_for_every_list_in_the_design)
{
	static const char *indexes[] = {
		"tickets_number", "tickets_client_updated",
		"tickets_department_updated",
		"tickets_assignee_status_updated",
		"messages_ticket_created", "messages_email_message_id",
		"attachments_message", "outbox_due",
		"sessions_token_hash", "clients_email_lower",
		"kb_votes_article_voter",
	};
	size_t i;

	migrate_ok();
	for (i = 0; i < sizeof indexes / sizeof indexes[0]; i++)
		cr_expect(schema_has("index", indexes[i]), "index %s",
		    indexes[i]);
}

Test(migrate, applies_nothing_the_second_time)
{
	migrate_ok();
	cr_expect_eq(db_migrate(d), 0, "%s", db_error(d));
	cr_expect_eq(db_schema_version(d), latest_version());
}

Test(migrate, records_the_version_name_and_time_of_each_migration)
{
	time_t before = time(NULL);
	db_stmt *s;

	migrate_ok();
	cr_expect_eq(db_schema_version(d), latest_version());
	s = db_prepare(d, "SELECT version, name, applied_at "
	    "FROM schema_migrations ORDER BY version");
	cr_assert_eq(db_step(s), DB_ROW);
	cr_expect_eq(db_col_int(s, 0), 1);
	cr_expect_str_eq(db_col_text(s, 1), "schema");
	cr_expect_geq(db_col_int(s, 2), (int64_t)before);
	cr_expect_leq(db_col_int(s, 2), (int64_t)time(NULL));
	db_done(s);
}

struct migrate_run {
	db *conn;
	int applied;
	char error[DB_ERROR_MAX];
};

static void *migrate_thread(void *arg)
{
	struct migrate_run *run = arg;

	run->applied = db_migrate(run->conn);
	snprintf(run->error, sizeof run->error, "%s", db_error(run->conn));
	return NULL;
}

Test(migrate, two_connections_migrating_at_once_apply_each_migration_once)
{
	struct migrate_run runs[2] = { { .conn = d }, { .conn = NULL } };
	pthread_t threads[2];
	int i;

	runs[1].conn = connection_open();
	for (i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, migrate_thread,
		    &runs[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < 2; i++)
		cr_expect_geq(runs[i].applied, 0, "%s", runs[i].error);
	cr_expect_eq(runs[0].applied + runs[1].applied,
	    sqlite_migration_count());
	cr_expect_eq(db_schema_version(runs[1].conn), latest_version());
	db_close(runs[1].conn);
}

Test(migrate, rolls_back_a_migration_that_fails_halfway)
{
	int rc;

	/* 0001 creates settings first and clients later: make it fail in
	 * between by taking the name of a later table. */
	cr_assert_eq(db_exec(d, "CREATE TABLE clients (x)"), DB_OK);
	rc = db_migrate(d);
	cr_expect_lt(rc, 0);
	cr_expect_eq(strncmp(db_error(d), "migration 0001_schema: ", 23), 0,
	    "%s", db_error(d));
	cr_expect_not(schema_has("table", "settings"), "nothing half-done");
	cr_expect_eq(db_schema_version(d), 0);
}

Test(migrate, refuses_a_database_newer_than_the_program)
{
	char sql[200];

	migrate_ok();
	snprintf(sql, sizeof sql, "INSERT INTO schema_migrations VALUES "
	    "(%d, 'from_the_future', 0)", latest_version() + 1);
	cr_assert_eq(db_exec(d, sql), DB_OK, "%s", db_error(d));
	cr_expect_eq(db_migrate(d), DB_ERROR);
	cr_expect_not_null(strstr(db_error(d), "newer than this program"),
	    "%s", db_error(d));
}

/* ---- the rules the schema itself keeps ---- */

static void fixtures_insert(void)
{
	migrate_ok();
	cr_assert_eq(db_exec(d,
	    "INSERT INTO clients (id, email, email_lower, name, created_at, "
	    "  updated_at) VALUES (1, 'Ana@Example.com', 'ana@example.com', "
	    "  'Ana', 0, 0);"
	    "INSERT INTO departments (id, name, created_at) "
	    "  VALUES (1, 'Suporte Técnico', 0);"
	    "INSERT INTO tickets (id, number, client_id, department_id, "
	    "  subject, created_at, updated_at, last_reply_at, last_replier) "
	    "  VALUES (1, 482913, 1, 1, 'Site fora do ar', 0, 0, 0, 'client');"
	    "INSERT INTO messages (id, ticket_id, author_kind, "
	    "  author_client_id, body, channel, created_at) "
	    "  VALUES (1, 1, 'client', 1, 'Erro 500', 'web', 0);"
	    "INSERT INTO attachments (message_id, name, content_type, size, "
	    "  sha256, created_at, data) VALUES (1, 'a.png', 'image/png', 1, "
	    "  '" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef" "', 0, x'00');"),
	    DB_OK, "%s", db_error(d));
}

Test(migrate, keeps_client_emails_unique_whatever_their_case)
{
	fixtures_insert();
	cr_expect_eq(db_exec(d, "INSERT INTO clients (email, email_lower, "
	    "name, created_at, updated_at) VALUES ('ANA@example.COM', "
	    "'ana@example.com', 'Other Ana', 0, 0)"), DB_CONSTRAINT);
}

Test(migrate, rejects_a_ticket_status_outside_the_list)
{
	fixtures_insert();
	cr_expect_eq(db_exec(d, "UPDATE tickets SET status = 'pending'"),
	    DB_CONSTRAINT);
	cr_expect_eq(db_exec(d, "UPDATE tickets SET status = "
	    "'customer-reply'"), DB_OK, "%s", db_error(d));
}

/* Migration 0037 wrote the lists of these checks as comparisons: each
 * still takes every value of its list and refuses any other, and the rows
 * that the hot writes insert build no temporary index to check them. */
Test(migrate, the_checks_written_as_comparisons_keep_their_lists)
{
	fixtures_insert();
	static const char *const statuses[] = {"open", "answered", "customer-reply", "on-hold",
	                                       "in-progress", "closed"};
	char sql[160];
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
		snprintf(sql, sizeof sql, "UPDATE tickets SET status = '%s'", statuses[i]);
		cr_expect_eq(db_exec(d, sql), DB_OK, "%s: %s", statuses[i], db_error(d));
	}
	static const char *const refused[] = {
		"UPDATE tickets SET priority = 'urgent'",
		"UPDATE tickets SET last_replier = 'robot'",
		"UPDATE messages SET author_kind = 'robot'",
		"UPDATE messages SET channel = 'fax'",
		"INSERT INTO outbox (to_address, subject, message_id, status, next_attempt_at, "
		"created_at) VALUES ('a@b.c', 's', 'm', 'lost', 0, 0)",
		"INSERT INTO audit_log (ticket_id, actor_kind, action, created_at) "
		"VALUES (1, 'robot', 'x', 0)",
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		cr_expect_eq(db_exec(d, refused[i]), DB_CONSTRAINT, "%s", refused[i]);
	cr_expect_eq(db_exec(d, "UPDATE tickets SET priority = 'high', last_replier = 'system'"),
	             DB_OK, "%s", db_error(d));

	static const char *const tables[] = {"tickets", "messages", "outbox", "audit_log",
	                                     "ticket_ccs", "webhook_deliveries", "mail_inbound"};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		snprintf(sql, sizeof sql, "EXPLAIN INSERT INTO %s DEFAULT VALUES", tables[i]);
		db_stmt *s = db_prepare(d, sql);
		cr_assert_not_null(s, "%s", db_error(d));
		int ephemeral = 0;
		while (db_step(s) == DB_ROW)
			ephemeral += strcmp(db_col_text(s, 1), "OpenEphemeral") == 0;
		db_done(s);
		cr_expect_eq(ephemeral, 0, "an insert into %s builds %d temporary index(es)", tables[i],
		             ephemeral);
	}
}

/* True if SQLite's plan for sql mentions index (an index's name, or
 * "TEMP B-TREE"). sql is a literal: statements are cached by its address. */
static bool plan_uses(const char *sql, const char *index)
{
	db_stmt *s = db_prepare(d, sql);
	bool found = false;

	cr_assert_not_null(s, "%s", db_error(d));
	while (db_step(s) == DB_ROW)
		if (strstr(db_col_text(s, 3), index) != NULL)
			found = true;
	db_done(s);
	return found;
}

/* Migration 0038: an access key is found within its ticket, by an index
 * whose new entries land at its end (a key's hash alone is random). */
Test(migrate, finds_an_access_key_within_its_ticket_by_an_index)
{
	fixtures_insert();
	cr_assert_eq(db_exec(d, "INSERT INTO ticket_access_keys (ticket_id, key_hash, created_at) "
	                        "VALUES (1, 'h1', 0)"), DB_OK, "%s", db_error(d));
	cr_expect_eq(db_exec(d, "INSERT INTO ticket_access_keys (ticket_id, key_hash, created_at) "
	                        "VALUES (1, 'h1', 0)"), DB_CONSTRAINT, "a ticket holds one key twice");
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT ticket_id, cc_id, key_hash, revoked_at "
	                    "FROM ticket_access_keys WHERE ticket_id = 1 AND key_hash = 'h1'",
	                    "SEARCH ticket_access_keys USING INDEX ticket_access_keys_ticket_hash"));
}

/* Migration 0039: the label and the email's Message-ID are indexed only
 * where set; a label is still one ticket's, and both lookups still go by
 * their index. */
Test(migrate, labels_and_email_ids_are_indexed_where_set_and_found_by_their_index)
{
	fixtures_insert();
	cr_assert_eq(db_exec(d, "UPDATE tickets SET number_label = 'SUP-000001' WHERE id = 1"), DB_OK,
	             "%s", db_error(d));
	cr_expect_eq(db_exec(d, "INSERT INTO tickets (number, client_id, department_id, subject, "
	                        "created_at, updated_at, last_reply_at, last_replier, number_label) "
	                        "VALUES (482914, 1, 1, 'Dup', 0, 0, 0, 'client', 'SUP-000001')"),
	             DB_CONSTRAINT, "two tickets took one label");
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE number_label = 'x'",
	                    "tickets_number_label"));
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT ticket_id FROM messages "
	                    "WHERE email_message_id = 'x' ORDER BY id LIMIT 1",
	                    "messages_email_message_id"));
	db_stmt *s = db_prepare(d, "SELECT sql FROM sqlite_master WHERE name IN "
	                           "('tickets_number_label', 'messages_email_message_id')");
	int partial = 0;
	while (db_step(s) == DB_ROW)
		partial += strstr(db_col_text(s, 0), "IS NOT NULL") != NULL;
	db_done(s);
	cr_expect_eq(partial, 2, "an index still holds the NULLs");
}

/* Migration 0040: the sender takes due emails in order from an index of
 * those still to send, with no sort; the failed ones have their own. */
Test(migrate, the_sender_takes_due_emails_in_order_from_their_own_index)
{
	migrate_ok();
	static const char due[] = "EXPLAIN QUERY PLAN SELECT id FROM outbox "
	                          "WHERE status IN ('queued', 'sending') AND next_attempt_at <= 100 "
	                          "ORDER BY next_attempt_at, id LIMIT 16";
	cr_expect(plan_uses(due, "outbox_due"));
	cr_expect(!plan_uses(due, "TEMP B-TREE"));
	static const char failed[] = "EXPLAIN QUERY PLAN SELECT id FROM outbox "
	                             "WHERE status = 'failed' AND id < 100 ORDER BY id DESC LIMIT 50";
	cr_expect(plan_uses(failed, "outbox_failed"));
	cr_expect(!plan_uses(failed, "TEMP B-TREE"));
}

Test(migrate, rejects_a_second_ticket_with_the_same_number)
{
	fixtures_insert();
	cr_expect_eq(db_exec(d, "INSERT INTO tickets (number, client_id, "
	    "department_id, subject, created_at, updated_at, last_reply_at, "
	    "last_replier) VALUES (482913, 1, 1, 'Dup', 0, 0, 0, 'client')"),
	    DB_CONSTRAINT);
}

Test(migrate, refuses_an_internal_note_written_by_a_client)
{
	fixtures_insert();
	cr_expect_eq(db_exec(d, "INSERT INTO messages (ticket_id, "
	    "author_kind, body, channel, internal, created_at) "
	    "VALUES (1, 'client', 'x', 'web', 1, 0)"), DB_CONSTRAINT);
}

Test(migrate, allows_one_kb_vote_per_voter_per_article)
{
	migrate_ok();
	cr_assert_eq(db_exec(d,
	    "INSERT INTO kb_categories (id, name, created_at) "
	    "  VALUES (1, 'Email', 0);"
	    "INSERT INTO kb_articles (id, category_id, title, body, "
	    "  created_at, updated_at) VALUES (1, 1, 'SPF', 'x', 0, 0);"
	    "INSERT INTO kb_votes (article_id, voter_key, helpful, created_at) "
	    "  VALUES (1, 'client:1', 1, 0)"), DB_OK, "%s", db_error(d));
	cr_expect_eq(db_exec(d, "INSERT INTO kb_votes (article_id, voter_key, "
	    "helpful, created_at) VALUES (1, 'client:1', 0, 0)"),
	    DB_CONSTRAINT);
	cr_expect_eq(db_exec(d, "INSERT INTO kb_votes (article_id, voter_key, "
	    "helpful, created_at) VALUES (1, 'client:2', 0, 0)"), DB_OK);
}

Test(migrate, deleting_a_ticket_deletes_its_messages_and_attachments)
{
	fixtures_insert();
	cr_assert_eq(db_exec(d, "DELETE FROM tickets WHERE id = 1"), DB_OK,
	    "%s", db_error(d));
	cr_expect_eq(db_scalar_int(db_prepare(d,
	    "SELECT count(*) FROM messages"), -1), 0);
	cr_expect_eq(db_scalar_int(db_prepare(d,
	    "SELECT count(*) FROM attachments"), -1), 0);
}

Test(migrate, refuses_to_delete_a_client_who_has_tickets)
{
	fixtures_insert();
	cr_expect_eq(db_exec(d, "DELETE FROM clients WHERE id = 1"),
	    DB_CONSTRAINT);
}

Test(migrate, serves_the_lists_from_their_indexes)
{
	migrate_ok();
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT id FROM tickets "
	    "WHERE client_id = 1 ORDER BY updated_at DESC, id LIMIT 20",
	    "tickets_client_updated"));
	/* The KB report's "a ticket soon after", from the same index alone. */
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT 1 FROM tickets "
	    "WHERE client_id = 1 AND created_at >= 5 AND created_at <= 9",
	    "COVERING INDEX tickets_client_updated"));
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT id FROM tickets "
	    "WHERE department_id = 1 AND status IN ('open', 'customer-reply') "
	    "ORDER BY updated_at DESC, id DESC LIMIT 20",
	    "tickets_department_updated"));
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT id FROM messages "
	    "WHERE ticket_id = 1 ORDER BY created_at, id",
	    "messages_ticket_created"));
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT ticket_id FROM messages "
	    "WHERE email_message_id = 'x@y'", "messages_email_message_id"));
	/* the thread of every email: the client's last message by email */
	cr_expect(plan_uses("EXPLAIN QUERY PLAN SELECT email_message_id FROM messages "
	    "WHERE ticket_id = 1 AND author_kind = 'client' "
	    "AND (email_message_id IS NOT NULL OR submission_key LIKE 'email:%') "
	    "ORDER BY id DESC LIMIT 1", "messages_ticket_client_email"));
}
