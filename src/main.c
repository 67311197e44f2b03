/* chamado: the command line. serve, migrate, user add. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "base/log.h"
#include "base/str.h"
#include "build_config.h"
#include "config.h"
#include "domain/account.h"
#include "domain/api_token.h"
#include "domain/generator.h"
#include "domain/password.h"
#include "domain/setup.h"
#include "domain/ticket_search.h"
#include "domain/twofa.h"
#include "http/server.h"
#include "mail/message.h"
#include "store/account_store.h"
#include "store/db.h"
#include "mail_in_cli.h"
#include "transfer_cli.h"
#include "view/markdown_cache.h"
#include "web/routes.h"

enum { EXIT_USAGE = 2 };

static const char usage_text[] =
	"Usage: chamado COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  serve [--listen HOST:PORT] [--db URL] [--data-dir DIR] [--demo [--sample-tickets]]\n"
	"                        run the web server (default 127.0.0.1:8080)\n"
	"  migrate [--db URL] [--data-dir DIR]\n"
	"                        bring the database schema up to date\n"
	"  user add (--client | --staff [--admin]) --email EMAIL --name NAME --password-stdin\n"
	"           [--db URL] [--data-dir DIR]\n"
	"                        create an account; the password is read from standard input\n"
	"  user passwd (--client | --staff) --email EMAIL --password-stdin [--db URL] [--data-dir DIR]\n"
	"                        set an account's password; its sessions are signed out\n"
	"  user 2fa-reset (--client | --staff) --email EMAIL [--db URL] [--data-dir DIR]\n"
	"                        remove an account's two-factor sign-in (a lost phone)\n"
	"  token add --staff --email EMAIL --name NAME [--db URL] [--data-dir DIR]\n"
	"                        make an API token acting as that staff member; prints it (once)\n"
	"  token list [--db URL] [--data-dir DIR] | token revoke ID [--db URL] [--data-dir DIR]\n"
	"                        list the API tokens; revoke one\n"
	"  worker [--db URL] [--data-dir DIR]\n"
	"                        only send queued email (the server also does, in a thread)\n"
	"  demo --clients N --tickets N [--messages N] [--db URL] [--data-dir DIR]\n"
	"                        generate a realistic history for benchmarks\n"
	"  mail-in [--db URL] [--data-dir DIR] | mail-in --imap [URL] [--every SECONDS]\n"
	"                        take one email from standard input (MTA pipe), or poll IMAP\n"
	"  backup [--db URL] [--data-dir DIR] [--out FILE]\n"
	"                        copy a SQLite database while it is in use (PostgreSQL: pg_dump)\n"
	"  export [--db URL] [--data-dir DIR] [--out FILE]\n"
	"                        write every table as JSON lines (to standard output)\n"
	"  import [--db URL] [--data-dir DIR] [--in FILE]\n"
	"                        load an export into an empty PostgreSQL database\n"
	"  --help, --version\n"
	"\n"
	"Environment: CHAMADO_LISTEN, CHAMADO_DB (sqlite:PATH or postgres://...), CHAMADO_DATA_DIR,\n"
	"CHAMADO_BASE_URL, CHAMADO_SMTP_URL (smtp://user:pass@host:587, smtps://...),\n"
	"CHAMADO_MAIL_FROM, CHAMADO_MAX_BODY, CHAMADO_MAIL_MAX_ATTEMPTS, CHAMADO_MAIL_RETRY_BASE,\n"
	"CHAMADO_WEBHOOK_RETRY_BASE, CHAMADO_WEBHOOK_MAX_ATTEMPTS, CHAMADO_WEBHOOK_TIMEOUT_MS.\n"
	"Without CHAMADO_SMTP_URL, email is written as .eml files under DATA_DIR/mail/.\n"
	"The database defaults to sqlite:DATA_DIR/chamado.db (DATA_DIR defaults to ./var).\n";

enum opt_id {
	OPT_LISTEN = 1000, OPT_DB, OPT_DATA_DIR, OPT_DEMO, OPT_CLIENT, OPT_STAFF, OPT_ADMIN,
	OPT_EMAIL, OPT_NAME, OPT_PASSWORD_STDIN, OPT_HELP, OPT_CLIENTS, OPT_TICKETS, OPT_MESSAGES,
	OPT_SAMPLE_TICKETS,
};

struct cli {
	struct config cfg;
	int kind; /* -1 unset, else enum account_kind */
	bool admin, password_stdin;
	bool sample_tickets; /* serve --demo --sample-tickets */
	const char *email, *name;
	int64_t clients, tickets, messages;
};

static int usage_error(const char *cmd, const char *what)
{
	fprintf(stderr, "chamado %s: %s (see chamado --help)\n", cmd, what);
	return EXIT_USAGE;
}

/* Parses the flags of a subcommand; accepts only those in allowed. */
static int parse_flags(const char *cmd, int argc, char **argv, const struct option *allowed,
                       struct cli *c)
{
	optind = 1;
	opterr = 0;
	for (;;) {
		int longidx = 0;
		int id = getopt_long(argc, argv, ":", allowed, &longidx);
		if (id == -1)
			break;
		char what[256];
		if (id == '?' || id == ':') {
			const char *bad = argv[optind - 1];
			snprintf(what, sizeof what, id == ':' ? "option %s needs a value" : "unknown option %s",
			         bad);
			return usage_error(cmd, what);
		}
		switch (id) {
		case OPT_LISTEN:
			if (config_set_listen(&c->cfg, optarg) < 0) {
				snprintf(what, sizeof what, "--listen must be HOST:PORT, not '%s'", optarg);
				return usage_error(cmd, what);
			}
			break;
		case OPT_DB: snprintf(c->cfg.db_url, sizeof c->cfg.db_url, "%s", optarg); break;
		case OPT_DATA_DIR: snprintf(c->cfg.data_dir, sizeof c->cfg.data_dir, "%s", optarg); break;
		case OPT_DEMO: c->cfg.demo = true; break;
		case OPT_SAMPLE_TICKETS: c->sample_tickets = true; break;
		case OPT_CLIENT: c->kind = ACCOUNT_CLIENT; break;
		case OPT_STAFF: c->kind = ACCOUNT_STAFF; break;
		case OPT_ADMIN: c->admin = true; break;
		case OPT_EMAIL: c->email = optarg; break;
		case OPT_NAME: c->name = optarg; break;
		case OPT_PASSWORD_STDIN: c->password_stdin = true; break;
		case OPT_CLIENTS:
		case OPT_TICKETS:
		case OPT_MESSAGES: {
			int64_t v;
			if (!str_to_int64(optarg, 1, 100000000, &v)) {
				snprintf(what, sizeof what, "--%s must be a positive number", allowed[longidx].name);
				return usage_error(cmd, what);
			}
			*(id == OPT_CLIENTS ? &c->clients : id == OPT_TICKETS ? &c->tickets : &c->messages) = v;
			break;
		}
		case OPT_HELP: fputs(usage_text, stdout); exit(0);
		}
	}
	if (optind < argc) {
		char what[256];
		snprintf(what, sizeof what, "unexpected argument '%s'", argv[optind]);
		return usage_error(cmd, what);
	}
	config_finish(&c->cfg);
	return 0;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "chamado: cannot create %s: %s\n", path, strerror(errno));
	return -1;
}

/* Opens and migrates the database; prints one line and returns NULL on failure. */
static db *open_database(const struct config *cfg)
{
	char err[512];
	db *d = db_open(cfg->db_url, err, sizeof err);
	if (!d) {
		fprintf(stderr, "chamado: %s\n", err);
		return NULL;
	}
	int applied = db_migrate(d);
	if (applied < 0) {
		fprintf(stderr, "chamado: cannot migrate %s: %s\n", cfg->db_url, db_error(d));
		db_close(d);
		return NULL;
	}
	if (applied > 0) {
		log_info("applied %d migration(s); schema version %d", applied, db_schema_version(d));
		/* An index built over a big table sorted in memory that a
		 * server never needs again: 100 MB at a million tickets. */
		malloc_trim(0);
	}
	int64_t indexed = ticket_search_backfill(d);
	if (indexed < 0) {
		fprintf(stderr, "chamado: cannot index the tickets for search: %s\n", db_error(d));
		db_close(d);
		return NULL;
	}
	if (indexed > 0)
		log_info("indexed %lld ticket(s) for search", (long long)indexed);
	if (setup_defaults(d) < 0) {
		fprintf(stderr, "chamado: cannot write the default settings: %s\n", db_error(d));
		db_close(d);
		return NULL;
	}
	return d;
}

static int prepare_data_dir(const struct config *cfg)
{
	char path[1100];
	if (make_dir(cfg->data_dir) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/tmp", cfg->data_dir);
	if (make_dir(path) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/mail", cfg->data_dir);
	return make_dir(path);
}

/* Signals are taken by sigwait; threads started afterwards inherit the mask. */
static void block_stop_signals(sigset_t *stop)
{
	sigemptyset(stop);
	sigaddset(stop, SIGINT);
	sigaddset(stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, stop, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* How the server's memory goes back to the kernel. glibc keeps what a
 * thread's arena freed for that thread, and raises its own thresholds
 * after each big free, so that big blocks too end up kept: after the
 * bench's loads at a million tickets the arenas held 17 of 32 MB free.
 * Blocks of 256 KB and more (SQLite's sorts, a big page's arena blocks)
 * are mapped for themselves and unmapped when freed; the rest is trimmed
 * once a second by wait_for_stop, not by free(), which trimmed the top of
 * the heap thousands of times a second. Peak RSS of a load 3-7 MB lower,
 * no CPU cost that shows (bench/RESULTS.md). */
static void memory_settings(void)
{
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}

/* Waits for SIGINT or SIGTERM, giving free arena pages back meanwhile. */
static int wait_for_stop(const sigset_t *stop)
{
	const struct timespec every = {.tv_sec = 1};
	for (;;) {
		int sig = sigtimedwait(stop, NULL, &every);
		if (sig > 0)
			return sig;
		malloc_trim(0);
	}
}

static const struct option serve_options[] = {
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"db", required_argument, NULL, OPT_DB},
	{"data-dir", required_argument, NULL, OPT_DATA_DIR},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"sample-tickets", no_argument, NULL, OPT_SAMPLE_TICKETS},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

static int cmd_serve(struct cli *c)
{
	struct config *cfg = &c->cfg;
	char err[1024];
	memory_settings();
	/* Bound first: a port in use fails at once, and with port 0 the links
	 * in emails name the port the kernel gave. */
	int bound_port = 0;
	int listen_fd = server_listen(cfg->listen_host, cfg->listen_port, &bound_port, err, sizeof err);
	if (listen_fd < 0) {
		fprintf(stderr, "chamado: %s\n", err);
		return 1;
	}
	config_set_bound_port(cfg, bound_port);
	db *d = NULL;
	if (prepare_data_dir(cfg) < 0 || !(d = open_database(cfg))) {
		close(listen_fd);
		return 1;
	}
	if (cfg->demo) {
		struct demo_credentials cred;
		if (setup_demo(d, &cred) < 0 ||
		    (c->sample_tickets && setup_demo_tickets(d, &cred, (int64_t)time(NULL)) < 0)) {
			fprintf(stderr, "chamado: cannot load the demo data: %s\n", db_error(d));
			db_close(d);
			close(listen_fd);
			return 1;
		}
		printf("Demo data loaded. Sign in at %s/login\n"
		       "  client: %s  password: %s\n"
		       "  staff:  %s  password: %s  (at %s/staff/login)\n",
		       cfg->base_url, cred.client_email, cred.client_password, cred.staff_email,
		       cred.staff_password, cfg->base_url);
		fflush(stdout);
	}
	db_close(d);

	struct app app;
	if (app_init(&app, cfg, err, sizeof err) < 0) {
		fprintf(stderr, "chamado: %s\n", err);
		app_free(&app);
		close(listen_fd);
		return 1;
	}
	sigset_t stop;
	block_stop_signals(&stop);
	/* Requests only append to the WAL; one thread (started with the stop
	 * signals blocked, like every other) copies it into the file. */
	if (db_checkpoints_start(cfg->db_url, err, sizeof err) < 0) {
		fprintf(stderr, "chamado: %s\n", err);
		app_free(&app);
		close(listen_fd);
		return 1;
	}
	if (app_start_sender(&app, err, sizeof err) < 0) {
		fprintf(stderr, "chamado: cannot start the email sender: %s\n", err);
		app_free(&app);
		db_checkpoints_stop();
		close(listen_fd);
		return 1;
	}

	char upload_dir[1100];
	snprintf(upload_dir, sizeof upload_dir, "%s/tmp", cfg->data_dir);
	struct server_options so = {
		.host = cfg->listen_host, .port = cfg->listen_port, .listen_fd = listen_fd,
		.threads = cfg->threads,
		.max_body = cfg->max_body, .max_form_body = cfg->max_form_body,
		.max_field = cfg->max_field, .max_fields = cfg->max_fields,
		.max_upload = cfg->max_upload, .max_uploads = cfg->max_uploads,
		.max_page = cfg->max_page, .compress_min = (size_t)cfg->compress_min,
		.upload_dir = upload_dir, .router = app.router,
		.statics = app.statics, .app = &app, .before = web_before, .after = web_after,
	};
	server *srv = server_start(&so, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "chamado: %s\n", err);
		app_free(&app);
		db_checkpoints_stop();
		return 1;
	}
	fprintf(stderr, "chamado %s listening on http://%s:%d (database %s)\n", CHAMADO_VERSION,
	        cfg->listen_host, server_port(srv), cfg->db_url);
	if (password_hashing_weak())
		log_warn("passwords are hashed at the test suites' strength "
		         "(CHAMADO_TEST_WEAK_PASSWORD_HASHING=1): never use this in production");
	int sig = wait_for_stop(&stop);
	log_flush(); /* the answers' lines come before the stop's */
	log_info("received %s; finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_stop(srv, 10000);
	log_flush();
	app_free(&app);
	markdown_cache_clear();
	db_checkpoints_stop();
	return 0;
}

static const struct option migrate_options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"data-dir", required_argument, NULL, OPT_DATA_DIR},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

static int cmd_migrate(struct cli *c)
{
	if (str_starts_with(c->cfg.db_url, "sqlite:") && prepare_data_dir(&c->cfg) < 0)
		return 1;
	db *d = open_database(&c->cfg);
	if (!d)
		return 1;
	printf("schema version %d\n", db_schema_version(d));
	db_close(d);
	return 0;
}

static int cmd_worker(struct cli *c)
{
	if (str_starts_with(c->cfg.db_url, "sqlite:") && prepare_data_dir(&c->cfg) < 0)
		return 1;
	db *d = open_database(&c->cfg);
	if (!d)
		return 1;
	db_close(d);
	sigset_t stop;
	block_stop_signals(&stop);
	struct outbox_config oc;
	char mail_dir[600], err[512];
	app_outbox_config(&c->cfg, &oc, mail_dir, sizeof mail_dir);
	/* Not the server's node: a server on the same data dir may be running. */
	char node_id[sizeof c->cfg.node_id + 16];
	snprintf(node_id, sizeof node_id, "%s/worker", c->cfg.node_id);
	oc.node_id = node_id;
	outbox_worker *w = outbox_worker_start(&oc, err, sizeof err);
	if (!w) {
		fprintf(stderr, "chamado worker: %s\n", err);
		return 1;
	}
	fprintf(stderr, "chamado worker sending email from %s\n", c->cfg.db_url);
	int sig = 0;
	sigwait(&stop, &sig);
	outbox_worker_stop(w);
	return 0;
}

static const struct option demo_options[] = {
	{"clients", required_argument, NULL, OPT_CLIENTS},
	{"tickets", required_argument, NULL, OPT_TICKETS},
	{"messages", required_argument, NULL, OPT_MESSAGES},
	{"db", required_argument, NULL, OPT_DB},
	{"data-dir", required_argument, NULL, OPT_DATA_DIR},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

static void show_progress(int64_t done, int64_t total, void *arg)
{
	const struct timespec *start = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double secs = (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
	int width = 30, filled = (int)(done * width / (total ? total : 1));
	fprintf(stderr, "\r[%.*s%*s] %3d%% %lld/%lld tickets, %.0f s", filled,
	        "##############################", width - filled, "", (int)(done * 100 / (total ? total : 1)),
	        (long long)done, (long long)total, secs);
	if (done == total)
		fputc('\n', stderr);
}

static int cmd_demo(struct cli *c)
{
	if (c->clients <= 0 || c->tickets <= 0)
		return usage_error("demo", "--clients and --tickets are required");
	if (str_starts_with(c->cfg.db_url, "sqlite:") && prepare_data_dir(&c->cfg) < 0)
		return 1;
	db *d = open_database(&c->cfg);
	if (!d)
		return 1;
	struct demo_credentials cred;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct generator_opts o = {.clients = c->clients, .tickets = c->tickets,
	                           .messages = c->messages > 0 ? (int)c->messages : 4,
	                           .now = (int64_t)time(NULL), .progress = show_progress, .arg = &start};
	int rc = setup_demo(d, &cred);
	/* A bulk load needs no fsync per commit: a crash means generating again. */
	if (rc == 0 && str_eq(db_backend(d), "sqlite"))
		rc = db_exec(d, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; "
		                "PRAGMA wal_autocheckpoint = 100000");
	if (rc == 0)
		rc = generator_run(d, &o);
	if (rc < 0) {
		fprintf(stderr, "\nchamado demo: %s\n", db_error(d));
		db_close(d);
		return 1;
	}
	db_close(d);
	printf("generated %lld clients and %lld tickets; clients sign in as cliente1@exemplo.com.br "
	       "… cliente%lld@exemplo.com.br with password cliente123\n",
	       (long long)c->clients, (long long)c->tickets, (long long)c->clients);
	return 0;
}

static const struct option user_options[] = {
	{"client", no_argument, NULL, OPT_CLIENT},
	{"staff", no_argument, NULL, OPT_STAFF},
	{"admin", no_argument, NULL, OPT_ADMIN},
	{"email", required_argument, NULL, OPT_EMAIL},
	{"name", required_argument, NULL, OPT_NAME},
	{"password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN},
	{"db", required_argument, NULL, OPT_DB},
	{"data-dir", required_argument, NULL, OPT_DATA_DIR},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

static int read_password(char *out, size_t n)
{
	if (!fgets(out, (int)n, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int cmd_user_add(struct cli *c)
{
	if (c->kind < 0)
		return usage_error("user add", "say --client or --staff");
	if (c->admin && c->kind != ACCOUNT_STAFF)
		return usage_error("user add", "--admin goes with --staff");
	if (!c->email || !c->name)
		return usage_error("user add", "--email and --name are required");
	if (!c->password_stdin)
		return usage_error("user add", "--password-stdin is required (the password is read from standard input)");
	char password[PASSWORD_MAX_LENGTH + 2];
	if (read_password(password, sizeof password) < 0) {
		fprintf(stderr, "chamado user add: no password on standard input\n");
		return 1;
	}
	if (str_starts_with(c->cfg.db_url, "sqlite:") && prepare_data_dir(&c->cfg) < 0)
		return 1;
	db *d = open_database(&c->cfg);
	if (!d)
		return 1;
	struct account_new n = {.kind = c->kind, .email = c->email, .name = c->name,
	                        .password = password, .admin = c->admin};
	int64_t id = account_create(d, &n);
	db_close(d);
	if (id < 0) {
		fprintf(stderr, "chamado user add: %s\n", account_error_text((int)id));
		return 1;
	}
	printf("%s %s created (id %lld)\n", c->kind == ACCOUNT_CLIENT ? "client" : (c->admin ? "admin" : "staff"),
	       c->email, (long long)id);
	return 0;
}

static int cmd_user_passwd(struct cli *c)
{
	if (c->kind < 0)
		return usage_error("user passwd", "say --client or --staff");
	if (!c->email || !c->password_stdin)
		return usage_error("user passwd", "--email and --password-stdin are required");
	char password[PASSWORD_MAX_LENGTH + 2];
	if (read_password(password, sizeof password) < 0) {
		fprintf(stderr, "chamado user passwd: no password on standard input\n");
		return 1;
	}
	db *d = open_database(&c->cfg);
	if (!d)
		return 1;
	int rc = account_set_password(d, c->kind, c->email, password);
	db_close(d);
	if (rc < 0) {
		fprintf(stderr, "chamado user passwd: %s\n", rc == ACCOUNT_NOT_FOUND ?
		        "no such account" : account_error_text(rc));
		return 1;
	}
	printf("password of %s changed; its sessions were signed out\n", c->email);
	return 0;
}

static int cmd_user_twofa_reset(struct cli *c)
{
	if (c->kind < 0)
		return usage_error("user 2fa-reset", "say --client or --staff");
	if (!c->email)
		return usage_error("user 2fa-reset", "--email is required");
	db *d = open_database(&c->cfg);
	if (!d)
		return 1;
	int64_t id = c->kind == ACCOUNT_STAFF ? store_staff_id_by_email(d, c->email)
	                                      : store_client_id_by_email(d, c->email);
	struct actor system = actor_of(NULL, CHANNEL_SYSTEM);
	int rc = id > 0 ? twofa_reset(d, &system, c->kind, id, (int64_t)time(NULL)) : id == 0 ? -1 : (int)id;
	db_close(d);
	if (rc != TWOFA_OK) {
		fprintf(stderr, "chamado user 2fa-reset: %s\n",
		        id == 0 ? "no such account"
		        : rc == TWOFA_NOT_ENABLED ? "this account does not use two-factor sign-in"
		                                  : "database error");
		return 1;
	}
	printf("two-factor sign-in of %s removed; it signs in with the password alone\n", c->email);
	return 0;
}

static const struct option token_options[] = {
	{"staff", no_argument, NULL, OPT_STAFF},
	{"email", required_argument, NULL, OPT_EMAIL},
	{"name", required_argument, NULL, OPT_NAME},
	{"db", required_argument, NULL, OPT_DB},
	{"data-dir", required_argument, NULL, OPT_DATA_DIR},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

/* chamado token add | list | revoke ID: the token alone on one line for
 * add, so a script can take it with $(...). */
static int cmd_token(int argc, char **argv, struct cli *c)
{
	const char *sub = argc >= 3 ? argv[2] : "";
	int64_t revoke_id = 0;
	int rc;
	if (str_eq(sub, "revoke")) {
		if (argc < 4 || !str_to_int64(argv[3], 1, INT64_MAX, &revoke_id))
			return usage_error("token revoke", "give the id of the token (see chamado token list)");
		/* The id is positional: shift it out before the flags. */
		argv[3] = argv[2];
		argc--;
		argv++;
	} else if (!str_eq(sub, "add") && !str_eq(sub, "list")) {
		return usage_error("token", "say add, list or revoke");
	}
	if ((rc = parse_flags(str_eq(sub, "add") ? "token add" : "token", argc - 2, argv + 2, token_options, c)))
		return rc;
	if (str_eq(sub, "add") && (c->kind != ACCOUNT_STAFF || !c->email || !c->name))
		return usage_error("token add", "--staff, --email and --name are required");
	if (str_starts_with(c->cfg.db_url, "sqlite:") && prepare_data_dir(&c->cfg) < 0)
		return 1;
	db *d = open_database(&c->cfg);
	if (!d)
		return 1;
	int64_t now = (int64_t)time(NULL);
	int status = 0;
	if (str_eq(sub, "add")) {
		char token[TOKEN_LEN + 1];
		int64_t id;
		rc = api_token_create(d, NULL, c->email, c->name, now, token, &id); /* audited as the system */
		if (rc == API_TOKEN_OK) {
			printf("%s\n", token);
		} else {
			fprintf(stderr, "chamado token add: %s\n",
			        rc == API_TOKEN_NO_STAFF ? "no active staff member has that email"
			        : rc == API_TOKEN_BAD_NAME ? "the name must have 1 to 100 characters"
			                                   : db_error(d));
			status = 1;
		}
	} else if (str_eq(sub, "list")) {
		arena *a = arena_new(16384);
		struct api_token_row rows[500];
		int n = a ? api_token_list(d, a, rows, 500) : DB_NOMEM;
		if (n < 0) {
			fprintf(stderr, "chamado token list: %s\n", db_error(d));
			status = 1;
		}
		if (n > 0)
			printf("%-6s %-24s %-32s %-12s %s\n", "ID", "NAME", "STAFF", "LAST USED", "STATE");
		for (int i = 0; i < n; i++) {
			char used[32] = "never";
			if (rows[i].last_used_at) {
				time_t t = (time_t)rows[i].last_used_at;
				struct tm tm;
				gmtime_r(&t, &tm);
				strftime(used, sizeof used, "%Y-%m-%d", &tm);
			}
			printf("%-6lld %-24s %-32s %-12s %s\n", (long long)rows[i].id, rows[i].name,
			       rows[i].staff_email, used, rows[i].revoked_at ? "revoked" : "active");
		}
		arena_free(a);
	} else {
		rc = api_token_revoke(d, NULL, revoke_id, now);
		if (rc == 1) {
			printf("token %lld revoked\n", (long long)revoke_id);
		} else {
			fprintf(stderr, "chamado token revoke: %s\n", rc == 0 ? "no live token has that id" : db_error(d));
			status = 1;
		}
	}
	db_close(d);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (str_eq(cmd, "--help") || str_eq(cmd, "-h") || str_eq(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (str_eq(cmd, "--version")) {
		printf("chamado %s\n", CHAMADO_VERSION);
		return 0;
	}
	struct cli c = {.kind = -1};
	char err[512];
	if (config_from_env(&c.cfg, err, sizeof err) < 0) {
		fprintf(stderr, "chamado: %s\n", err);
		return EXIT_USAGE;
	}
	if (password_init() < 0) {
		fprintf(stderr, "chamado: cannot initialise libsodium\n");
		return 1;
	}
	int rc;
	if (str_eq(cmd, "serve")) {
		if ((rc = parse_flags("serve", argc - 1, argv + 1, serve_options, &c)))
			return rc;
		mail_init();
		return cmd_serve(&c);
	}
	if (str_eq(cmd, "migrate")) {
		log_set_quiet(1);
		if ((rc = parse_flags("migrate", argc - 1, argv + 1, migrate_options, &c)))
			return rc;
		return cmd_migrate(&c);
	}
	if (str_eq(cmd, "demo")) {
		log_set_quiet(1);
		if ((rc = parse_flags("demo", argc - 1, argv + 1, demo_options, &c)))
			return rc;
		return cmd_demo(&c);
	}
	if (str_eq(cmd, "worker")) {
		if ((rc = parse_flags("worker", argc - 1, argv + 1, migrate_options, &c)))
			return rc;
		mail_init();
		return cmd_worker(&c);
	}
	if (str_eq(cmd, "user") && argc >= 3 && str_eq(argv[2], "passwd")) {
		log_set_quiet(1);
		if ((rc = parse_flags("user passwd", argc - 2, argv + 2, user_options, &c)))
			return rc;
		return cmd_user_passwd(&c);
	}
	if (str_eq(cmd, "user") && argc >= 3 && str_eq(argv[2], "2fa-reset")) {
		log_set_quiet(1);
		if ((rc = parse_flags("user 2fa-reset", argc - 2, argv + 2, user_options, &c)))
			return rc;
		return cmd_user_twofa_reset(&c);
	}
	if (str_eq(cmd, "user") && argc >= 3 && str_eq(argv[2], "add")) {
		log_set_quiet(1);
		if ((rc = parse_flags("user add", argc - 2, argv + 2, user_options, &c)))
			return rc;
		return cmd_user_add(&c);
	}
	if (str_eq(cmd, "token")) {
		log_set_quiet(1);
		return cmd_token(argc, argv, &c);
	}
	if (str_eq(cmd, "mail-in"))
		return mail_in_command(&c.cfg, argc - 1, argv + 1);
	if (str_eq(cmd, "backup") || str_eq(cmd, "export") || str_eq(cmd, "import")) {
		log_set_quiet(1);
		return transfer_command(&c.cfg, argc - 1, argv + 1);
	}
	fprintf(stderr, "chamado: unknown command '%s' (see chamado --help)\n", cmd);
	return EXIT_USAGE;
}
