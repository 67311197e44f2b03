/* A migrated SQLite database for a unit test in a few milliseconds: the
 * first test of a run migrates a template file for this schema (named by a
 * hash of every migration), and each test copies it. Migrating afresh cost
 * each of some 230 tests a quarter of a second of CPU under the sanitizers;
 * the migrations themselves are tested by tests/unit/store/migrate_test.c
 * and by every server the HTTP suites start. */
#ifndef CHAMADO_TEST_DB_H
#define CHAMADO_TEST_DB_H

#include <stddef.h>

#include "store/db.h"

/* Puts a copy of the migrated template at the path of url ("sqlite:PATH"),
 * replacing any file there. Fails the test when it cannot. */
void test_db_template(const char *url);

/* A database for a domain test: /tmp/chamado-NAME-PID.db (its path in path)
 * from the template, opened, with the defaults a new install gets
 * (setup_defaults: departments, settings). Fails the test when it cannot. */
db *test_db_with_defaults(const char *name, char *path, size_t n);

#endif
