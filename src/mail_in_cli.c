/* `chamado mail-in`: the command line around mail_in_deliver and the IMAP
 * poller. One message on stdin for an MTA pipe, or `--imap [URL]`. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "jobs/imap_poller.h"
#include "mail_in_cli.h"
#include "mail/mail_in.h"
#include "mail/message.h"
#include "domain/admin.h"
#include "view/i18n.h"
#include "view/template.h"

enum { EX_USAGE_ = 2, EX_TEMPFAIL_ = 75 };

static const char mail_in_usage[] =
	"Usage: chamado mail-in [--db URL] [--data-dir DIR]   (one message on standard input)\n"
	"       chamado mail-in --imap [URL] [--every SECONDS] [--db URL] [--data-dir DIR]\n"
	"Exit 0: stored, or deliberately not stored (loop, duplicate, refused);\n"
	"exit 75: the database is unavailable, deliver again later.\n";

struct mail_in_cli {
	struct config cfg;
	bool imap;
	const char *imap_url;
	int every;
};

static int parse_args(struct mail_in_cli *c, int argc, char **argv)
{
	enum { OPT_DB = 1, OPT_DATA_DIR, OPT_IMAP, OPT_EVERY, OPT_HELP };
	static const struct option options[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"data-dir", required_argument, NULL, OPT_DATA_DIR},
		{"imap", no_argument, NULL, OPT_IMAP},
		{"every", required_argument, NULL, OPT_EVERY},
		{"help", no_argument, NULL, OPT_HELP},
		{0},
	};
	optind = 1;
	opterr = 0;
	int id;
	while ((id = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (id) {
		case OPT_DB: snprintf(c->cfg.db_url, sizeof c->cfg.db_url, "%s", optarg); break;
		case OPT_DATA_DIR: snprintf(c->cfg.data_dir, sizeof c->cfg.data_dir, "%s", optarg); break;
		case OPT_IMAP: c->imap = true; break;
		case OPT_EVERY: c->every = atoi(optarg); break;
		case OPT_HELP: fputs(mail_in_usage, stdout); exit(0);
		default:
			fprintf(stderr, "chamado mail-in: bad option %s (see chamado mail-in --help)\n",
			        argv[optind - 1]);
			return -1;
		}
	}
	if (c->imap && optind < argc)
		c->imap_url = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "chamado mail-in: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (c->every < 0 || (c->every > 0 && !c->imap)) {
		fprintf(stderr, "chamado mail-in: --every SECONDS goes with --imap\n");
		return -1;
	}
	config_finish(&c->cfg);
	return 0;
}

/* Reads stdin up to max + 1 bytes (one more than allowed tells a message
 * too big; the rest is drained so the MTA sees it read). */
static int read_stdin(buf *b, size_t max)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		size_t room = max + 1 - b->len;
		size_t take = (size_t)n < room ? (size_t)n : room;
		if (take && buf_append(b, chunk, take) != BUF_OK)
			return -1;
	}
}

struct mail_in_env {
	db *d;
	i18n_catalog *catalog;
	tpl_set *templates;
	char company[128];
	char base_url[512];
	struct mailer mailer;
};

/* The database, templates and catalogs; -1 with a reason on stderr. */
static int env_open(struct mail_in_env *e, const struct config *cfg)
{
	char err[1024];
	e->d = db_open(cfg->db_url, err, sizeof err);
	if (!e->d) {
		fprintf(stderr, "chamado mail-in: database unavailable: %s\n", err);
		return -1;
	}
	if (db_migrate(e->d) < 0) {
		fprintf(stderr, "chamado mail-in: database unavailable: %s\n", db_error(e->d));
		return -1;
	}
	e->catalog = i18n_load(cfg->mo_dir, err, sizeof err);
	char path[1100];
	snprintf(path, sizeof path, "%s/templates", cfg->share_dir);
	e->templates = e->catalog ? tpl_load_dir(path, e->catalog, NULL, err, sizeof err) : NULL;
	if (!e->templates) {
		fprintf(stderr, "chamado mail-in: %s\n", err);
		return -1;
	}
	/* Branding and the site's address as the server has them (admin settings). */
	struct admin_settings settings;
	admin_settings_load(e->d, &settings);
	snprintf(e->company, sizeof e->company, "%s", settings.company_name);
	struct config effective = *cfg;
	config_use_base_url_setting(&effective, settings.base_url);
	snprintf(e->base_url, sizeof e->base_url, "%s", effective.base_url);
	e->mailer = (struct mailer){e->templates, e->catalog, cfg->mail_from, e->base_url, e->company};
	return 0;
}

static void env_close(struct mail_in_env *e)
{
	tpl_set_free(e->templates);
	i18n_free(e->catalog);
	db_close(e->d);
}

static const char *outcome_name(enum inbound_outcome o)
{
	static const char *const names[] = {"stored", "duplicate", "ignored", "refused"};
	return names[o];
}

static int deliver_stdin(struct mail_in_env *e)
{
	size_t max = inbound_max_bytes(e->d);
	buf raw;
	buf_init(&raw, max + 1);
	if (read_stdin(&raw, max) < 0) {
		fprintf(stderr, "chamado mail-in: cannot read the message on standard input\n");
		buf_free(&raw);
		return EX_TEMPFAIL_;
	}
	struct mail_in_options o = {.mailer = &e->mailer, .source = "pipe",
	                            .now = (int64_t)time(NULL)};
	struct inbound_result r;
	int rc = mail_in_deliver(e->d, &o, raw.len ? raw.data : "", raw.len, &r);
	buf_free(&raw);
	if (rc < 0) {
		fprintf(stderr, "chamado mail-in: not stored, deliver again later: %s\n", r.reason);
		return EX_TEMPFAIL_;
	}
	fprintf(stderr, "chamado mail-in: %s: %s\n", outcome_name(r.outcome), r.reason);
	return 0;
}

static volatile sig_atomic_t stop_polling;

static void on_stop(int sig)
{
	(void)sig;
	stop_polling = 1;
}

static int poll_imap(struct mail_in_env *e, const struct mail_in_cli *c)
{
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	int failed;
	do {
		struct imap_poll_stats st = {0};
		int64_t now = (int64_t)time(NULL);
		char err[1024];
		if (c->imap_url) {
			failed = imap_poll_mailbox(e->d, &e->mailer, c->imap_url, now, &st, err, sizeof err) < 0;
			if (failed)
				fprintf(stderr, "chamado mail-in: %s\n", err);
		} else {
			failed = imap_poll_all(e->d, &e->mailer, now, &st);
			if (failed < 0)
				fprintf(stderr, "chamado mail-in: database unavailable: %s\n", db_error(e->d));
		}
		fprintf(stderr, "chamado mail-in: IMAP: %d fetched, %d taken, %d mailbox(es) failed\n",
		        st.fetched, st.delivered, failed < 0 ? 0 : failed);
		for (int s = 0; s < c->every && !stop_polling; s++)
			sleep(1);
	} while (c->every > 0 && !stop_polling);
	return failed == 0 ? 0 : EX_TEMPFAIL_;
}

int mail_in_command(const struct config *cfg, int argc, char **argv)
{
	struct mail_in_cli c = {.cfg = *cfg};
	if (parse_args(&c, argc, argv) < 0)
		return EX_USAGE_;
	log_set_quiet(1);
	mail_init();
	struct mail_in_env e = {0};
	int rc = env_open(&e, &c.cfg) < 0 ? EX_TEMPFAIL_
	         : c.imap                 ? poll_imap(&e, &c)
	                                  : deliver_stdin(&e);
	env_close(&e);
	return rc;
}
