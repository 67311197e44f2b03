/* chamado backup | export | import (see src/store/transfer.h, docs/deploy.md).
 *
 *   backup [--db URL] [--data-dir DIR] [--out FILE]
 *       SQLite: a consistent copy while servers run (online backup API),
 *       by default DATA_DIR/backups/chamado-YYYYMMDD-HHMMSS.db. PostgreSQL:
 *       says how to use pg_dump instead.
 *   export [--db URL] [--data-dir DIR] [--out FILE]      dump to FILE or stdout
 *   import [--db URL] [--data-dir DIR] [--in FILE]       load into an empty PostgreSQL
 *
 * Exit codes: 0 done, 1 failed, 2 usage. */
#include "transfer_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "domain/ticket_search.h"
#include "store/db.h"
#include "store/transfer.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2, OPT_DB = 1, OPT_DATA_DIR, OPT_OUT, OPT_IN, OPT_HELP };

static const char help_text[] =
	"Usage: chamado backup [--db URL] [--data-dir DIR] [--out FILE]\n"
	"       chamado export [--db URL] [--data-dir DIR] [--out FILE]\n"
	"       chamado import [--db URL] [--data-dir DIR] [--in FILE]\n"
	"backup copies a SQLite database while it is in use (PostgreSQL: use pg_dump);\n"
	"export writes every table as JSON lines; import loads such a dump into an empty\n"
	"PostgreSQL database:  chamado export --db sqlite:OLD | chamado import --db postgres://...\n";

static int usage(const char *cmd, const char *what)
{
	fprintf(stderr, "chamado %s: %s (see chamado %s --help)\n", cmd, what, cmd);
	return EXIT_USAGE;
}

static bool is_sqlite(const char *url)
{
	return strncmp(url, "sqlite:", 7) == 0;
}

static int cmd_backup(const struct config *cfg, const char *out)
{
	char path[1200], err[512];
	if (!is_sqlite(cfg->db_url)) {
		fprintf(stderr, "chamado backup: %s is not SQLite. Back PostgreSQL up with its own "
		        "tools, e.g.\n  pg_dump --format=custom --file=chamado.dump \"$CHAMADO_DB\"\n"
		        "(docs/deploy.md, \"Backups\").\n", "the database");
		return EXIT_USAGE;
	}
	if (!out) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		snprintf(path, sizeof path, "%s/backups", cfg->data_dir);
		if (mkdir(path, 0750) < 0 && errno != EEXIST) {
			fprintf(stderr, "chamado backup: cannot create %s: %s\n", path, strerror(errno));
			return EXIT_FAILED;
		}
		snprintf(path, sizeof path, "%s/backups/chamado-%s.db", cfg->data_dir, stamp);
		out = path;
	}
	if (store_backup_sqlite(cfg->db_url + 7, out, err, sizeof err) < 0) {
		fprintf(stderr, "chamado backup: %s\n", err);
		return EXIT_FAILED;
	}
	printf("%s\n", out);
	return 0;
}

/* Opens (and, for import, migrates) the database; NULL after a message. */
static db *open_db(const char *cmd, const struct config *cfg, bool migrate)
{
	char err[512];
	db *d = db_open(cfg->db_url, err, sizeof err);
	if (!d) {
		fprintf(stderr, "chamado %s: %s\n", cmd, err);
		return NULL;
	}
	if (migrate && db_migrate(d) < 0) {
		fprintf(stderr, "chamado %s: cannot migrate: %s\n", cmd, db_error(d));
		db_close(d);
		return NULL;
	}
	return d;
}

static int cmd_export(const struct config *cfg, const char *out_path)
{
	char err[512];
	FILE *out = out_path ? fopen(out_path, "wx") : stdout;
	if (!out) {
		fprintf(stderr, "chamado export: cannot create %s: %s\n", out_path, strerror(errno));
		return EXIT_FAILED;
	}
	db *d = open_db("export", cfg, false);
	int64_t rows = d ? store_export(d, out, err, sizeof err) : -1;
	db_close(d);
	if (out != stdout && fclose(out) != 0 && rows >= 0) {
		snprintf(err, sizeof err, "cannot write %s", out_path);
		rows = -1;
	}
	if (rows < 0) {
		if (d)
			fprintf(stderr, "chamado export: %s\n", err);
		return EXIT_FAILED;
	}
	fprintf(stderr, "chamado export: %lld rows\n", (long long)rows);
	return 0;
}

static int cmd_import(const struct config *cfg, const char *in_path)
{
	char err[512];
	FILE *in = in_path ? fopen(in_path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "chamado import: cannot open %s: %s\n", in_path, strerror(errno));
		return EXIT_FAILED;
	}
	db *d = open_db("import", cfg, true);
	int64_t rows = d ? store_import(d, in, err, sizeof err) : -1;
	/* A dump from SQLite carries no search index (FTS5 is not copied):
	 * every imported ticket is indexed here. */
	if (rows >= 0 && (ticket_search_backfill_request(d) < 0 || ticket_search_backfill(d) < 0)) {
		snprintf(err, sizeof err, "indexing the tickets for search: %s", db_error(d));
		rows = -1;
	}
	db_close(d);
	if (in != stdin)
		fclose(in);
	if (rows < 0) {
		if (d)
			fprintf(stderr, "chamado import: %s\n", err);
		return EXIT_FAILED;
	}
	printf("imported %lld rows\n", (long long)rows);
	return 0;
}

int transfer_command(const struct config *base, int argc, char **argv)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"data-dir", required_argument, NULL, OPT_DATA_DIR},
		{"out", required_argument, NULL, OPT_OUT},
		{"in", required_argument, NULL, OPT_IN},
		{"help", no_argument, NULL, OPT_HELP},
		{0},
	};
	const char *cmd = argv[0], *out = NULL, *in = NULL;
	struct config cfg = *base;
	int id;

	optind = 1;
	opterr = 0;
	while ((id = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		char what[300];
		switch (id) {
		case OPT_DB: snprintf(cfg.db_url, sizeof cfg.db_url, "%s", optarg); break;
		case OPT_DATA_DIR: snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", optarg); break;
		case OPT_OUT: out = optarg; break;
		case OPT_IN: in = optarg; break;
		case OPT_HELP: fputs(help_text, stdout); return 0;
		default:
			snprintf(what, sizeof what, id == ':' ? "option %s needs a value" : "unknown option %s",
			         argv[optind - 1]);
			return usage(cmd, what);
		}
	}
	if (optind < argc)
		return usage(cmd, "unexpected argument");
	if ((strcmp(cmd, "import") == 0 && out) || (strcmp(cmd, "import") != 0 && in))
		return usage(cmd, strcmp(cmd, "import") == 0 ? "import reads --in" : "--in is for import");
	config_finish(&cfg);
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(&cfg, out);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(&cfg, out);
	return cmd_import(&cfg, in);
}
