#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/admin.h"
#include "domain/csat.h"
#include "domain/webhook.h"
#include "store/settings_store.h"
#include "web/routes.h"

static void close_thread_db(void *p)
{
	db_close(p);
}

db *app_db(struct app *a)
{
	db *d = pthread_getspecific(a->db_key);
	if (d)
		return d;
	char err[512];
	d = db_open(a->cfg.db_url, err, sizeof err);
	if (!d) {
		log_error("%s", err);
		return NULL;
	}
	pthread_setspecific(a->db_key, d);
	return d;
}

void app_load_branding(struct app *a, db *d)
{
	store_setting_get(d, "company_name", "Central de Suporte", a->company_name, sizeof a->company_name);
	store_setting_get(d, "brand_color", "#1f5fbf", a->brand_color, sizeof a->brand_color);
	char flag[8];
	store_setting_get(d, "show_powered_by", "1", flag, sizeof flag);
	a->show_powered_by = flag[0] == '1';
	store_setting_get(d, "registration_open", "1", flag, sizeof flag);
	a->registration_open = flag[0] == '1';
	struct admin_settings settings;
	admin_settings_load(d, &settings);
	config_use_base_url_setting(&a->cfg, settings.base_url);
}

static const char *static_asset_url(const void *statics, const char *path)
{
	return static_files_url(statics, path);
}

int app_init(struct app *a, const struct config *cfg, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	a->cfg = *cfg;
	if (pthread_key_create(&a->db_key, close_thread_db) != 0) {
		snprintf(err, errlen, "cannot create a thread key");
		return -1;
	}
	a->catalog = i18n_load(cfg->mo_dir, err, errlen);
	if (!a->catalog)
		return -1;
	char path[2048];
	snprintf(path, sizeof path, "%s/static", cfg->share_dir);
	a->statics = static_files_load(path, "/static", err, errlen);
	if (!a->statics)
		return -1;
	/* Pages link static files by their versioned URLs ({{@ path}}). */
	struct tpl_assets assets = {static_asset_url, a->statics};
	snprintf(path, sizeof path, "%s/templates", cfg->share_dir);
	a->templates = tpl_load_dir(path, a->catalog, &assets, err, errlen);
	if (!a->templates)
		return -1;
	a->router = router_new();
	if (!a->router || web_routes(a->router) < 0) {
		snprintf(err, errlen, "cannot build the route table");
		return -1;
	}
	db *d = app_db(a);
	if (!d) {
		snprintf(err, errlen, "cannot open the database %s", cfg->db_url);
		return -1;
	}
	app_load_branding(a, d);
	/* company_name is read in place, so a re-read of the branding shows. */
	a->mailer = (struct mailer){a->templates, a->catalog, a->cfg.mail_from, a->cfg.base_url,
	                            a->company_name};
	a->notifier = mail_notifier(&a->mailer);
	csat_set_notifier(&a->notifier); /* ticket_update closes tickets and takes none */
	return 0;
}

const struct notifier *app_notifier(struct app *a)
{
	return &a->notifier;
}

void app_mail_wake(struct app *a)
{
	if (a->sender)
		outbox_worker_wake(a->sender);
	if (webhook_queued_take())
		webhook_worker_wake(a->hooks);
	search_indexer_wake(a->indexer);
}

void app_outbox_config(const struct config *cfg, struct outbox_config *oc, char *mail_dir, size_t n)
{
	snprintf(mail_dir, n, "%s/mail", cfg->data_dir);
	*oc = (struct outbox_config){
		.db_url = cfg->db_url, .smtp_url = cfg->smtp_url, .mail_from = cfg->mail_from,
		.mail_dir = mail_dir, .max_attempts = cfg->mail_max_attempts,
		.retry_base_s = cfg->mail_retry_base, .poll_ms = cfg->mail_poll_ms,
		.node_id = cfg->node_id,
	};
}

int app_start_sender(struct app *a, char *err, size_t errlen)
{
	struct outbox_config oc;
	char mail_dir[600];
	app_outbox_config(&a->cfg, &oc, mail_dir, sizeof mail_dir);
	/* A bare address gets the company's name, as customers know it. */
	char from[400];
	if (!strchr(a->cfg.mail_from, '<')) {
		char name[128];
		size_t n = 0;
		for (const char *p = a->company_name; *p && n + 1 < sizeof name; p++)
			if (*p != '"' && *p != '\\' && *p != '\r' && *p != '\n')
				name[n++] = *p;
		name[n] = '\0';
		snprintf(from, sizeof from, "\"%s\" <%s>", name, a->cfg.mail_from);
		oc.mail_from = from;
	}
	a->sender = outbox_worker_start(&oc, err, errlen);
	if (!a->sender)
		return -1;
	a->housekeeping = maintenance_start(a->cfg.db_url, a->catalog, &a->notifier,
	                                    a->cfg.maintenance_interval, err, errlen);
	if (!a->housekeeping)
		return -1;
	/* Mailboxes set per department are polled here too (imap:// in departments). */
	a->poller = imap_poller_start(a->cfg.db_url, &a->mailer, 60, err, errlen);
	if (!a->poller)
		return -1;
	struct webhook_worker_config wc = {
		.db_url = a->cfg.db_url,
		.hooks = {.base_url = a->cfg.base_url, .max_attempts = a->cfg.webhook_max_attempts,
		          .retry_base_s = a->cfg.webhook_retry_base},
		.poll_ms = a->cfg.webhook_poll_ms,
		.timeout_ms = a->cfg.webhook_timeout_ms,
	};
	a->hooks = webhook_worker_start(&wc, err, errlen);
	if (!a->hooks)
		return -1;
	a->indexer = search_indexer_start(a->cfg.db_url, 1000, err, errlen);
	return a->indexer ? 0 : -1;
}

void app_free(struct app *a)
{
	search_indexer_stop(a->indexer);
	a->indexer = NULL;
	webhook_worker_stop(a->hooks);
	a->hooks = NULL;
	imap_poller_stop(a->poller);
	a->poller = NULL;
	maintenance_stop(a->housekeeping);
	a->housekeeping = NULL;
	outbox_worker_stop(a->sender);
	a->sender = NULL;
	db *d = pthread_getspecific(a->db_key);
	if (d) {
		db_close(d);
		pthread_setspecific(a->db_key, NULL);
	}
	router_free(a->router);
	static_files_free(a->statics);
	tpl_set_free(a->templates);
	i18n_free(a->catalog);
	pthread_key_delete(a->db_key);
}
