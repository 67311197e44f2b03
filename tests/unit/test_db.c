#include "test_db.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/db_internal.h"
#include "domain/setup.h"

/* FNV-1a over every migration's version, name and SQL. */
static uint64_t schema_hash(void)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < db_migration_count; i++) {
		const struct db_migration *m = &db_migrations[i];
		char version[16];
		snprintf(version, sizeof version, "%d:", m->version);
		const char *parts[] = {version, m->name, m->sql};
		for (size_t p = 0; p < 3; p++)
			for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++)
				h = (h ^ *c) * 1099511628211ULL;
	}
	return h;
}

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY);
	cr_assert_geq(in, 0, "cannot read the template %s", from);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(out, 0, "cannot write %s", to);
	char chunk[65536];
	ssize_t n;
	while ((n = read(in, chunk, sizeof chunk)) > 0)
		cr_assert_eq(write(out, chunk, (size_t)n), n, "writing %s", to);
	cr_assert_eq(n, 0, "reading %s", from);
	close(in);
	cr_assert_eq(close(out), 0);
}

/* Migrates a new template beside its final name, then renames it there:
 * two tests making it at once each finish a whole file. */
static void make_template(const char *template_path)
{
	char building[600], url[700], err[256] = "";
	snprintf(building, sizeof building, "%s.%d", template_path, (int)getpid());
	unlink(building);
	snprintf(url, sizeof url, "sqlite:%s", building);
	db *d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "the template: %s", err);
	cr_assert_geq(db_migrate(d), 1, "the template: %s", db_error(d));
	db_close(d); /* the last connection: the WAL is folded into the file */
	cr_assert_eq(rename(building, template_path), 0, "renaming the template");
}

void test_db_template(const char *url)
{
	cr_assert(strncmp(url, "sqlite:", 7) == 0, "not a SQLite URL: %s", url);
	const char *path = url + 7;
	char template_path[512];
	snprintf(template_path, sizeof template_path, "/tmp/chamado-unit-template-%016llx.db",
	         (unsigned long long)schema_hash());
	if (access(template_path, R_OK) != 0)
		make_template(template_path);
	char side[600];
	for (const char *suffix = "-wal"; suffix; suffix = strcmp(suffix, "-wal") == 0 ? "-shm" : NULL) {
		snprintf(side, sizeof side, "%s%s", path, suffix);
		unlink(side);
	}
	copy_file(template_path, path);
}

db *test_db_with_defaults(const char *name, char *path, size_t n)
{
	snprintf(path, n, "/tmp/chamado-%s-%d.db", name, (int)getpid());
	unlink(path);
	char url[300], err[512];
	snprintf(url, sizeof url, "sqlite:%s", path);
	test_db_template(url);
	db *d = db_open(url, err, sizeof err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_geq(db_migrate(d), 0, "%s", db_error(d));
	cr_assert_eq(setup_defaults(d), 0, "%s", db_error(d));
	return d;
}
