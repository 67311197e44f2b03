/* The running application: settings, templates, catalogs, static files,
 * routes, and one database connection per server thread. Built once at
 * start-up and read-only afterwards (the connections are per thread). */
#ifndef CHAMADO_APP_H
#define CHAMADO_APP_H

#include <pthread.h>

#include "config.h"
#include "domain/notice.h"
#include "jobs/imap_poller.h"
#include "jobs/maintenance.h"
#include "jobs/outbox_worker.h"
#include "jobs/search_indexer.h"
#include "jobs/webhook_worker.h"
#include "mail/notice.h"
#include "http/router.h"
#include "http/static_files.h"
#include "store/db.h"
#include "view/i18n.h"
#include "view/template.h"

struct app {
	struct config cfg;
	i18n_catalog *catalog;
	tpl_set *templates;
	static_files *statics;
	router *router;
	pthread_key_t db_key;
	char company_name[128]; /* branding, from settings */
	char brand_color[16];
	bool show_powered_by;
	bool registration_open;
	outbox_worker *sender; /* NULL when the server does not send mail itself */
	maintenance *housekeeping;
	imap_poller *poller;
	struct mailer mailer;     /* what emails need to know; read-only after start */
	struct notifier notifier; /* the domain's notices, as emails from mailer */
	webhook_worker *hooks;   /* webhook sender, NULL when not started */
	search_indexer *indexer; /* NULL when not started */
};

/* Loads catalogs, templates, static files and routes, and checks that the
 * database opens and is migrated. -1 with a one-line reason in err. */
int app_init(struct app *a, const struct config *cfg, char *err, size_t errlen);
void app_free(struct app *a);
/* This thread's connection, opened on first use; NULL when the database
 * cannot be opened (logged). */
db *app_db(struct app *a);
/* Where domain functions send their notices (emails). */
const struct notifier *app_notifier(struct app *a);
/* Tells the background threads that a commit queued mail, webhook events
 * or search documents to rewrite. */
void app_mail_wake(struct app *a);
/* The sender's settings from the configuration (strings stay in a->cfg). */
void app_outbox_config(const struct config *cfg, struct outbox_config *oc, char *mail_dir, size_t n);
/* Starts the background threads (sender, housekeeping, mailbox poller,
 * webhooks, search indexer). -1 with a reason in err. */
int app_start_sender(struct app *a, char *err, size_t errlen);
/* Re-reads branding settings (company name, colour). */
void app_load_branding(struct app *a, db *d);

#endif
