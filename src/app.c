#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
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
	snprintf(path, sizeof path, "%s/templates", cfg->share_dir);
	a->templates = tpl_load_dir(path, a->catalog, err, errlen);
	if (!a->templates)
		return -1;
	snprintf(path, sizeof path, "%s/static", cfg->share_dir);
	a->statics = static_files_load(path, "/static", err, errlen);
	if (!a->statics)
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
	return 0;
}

void app_free(struct app *a)
{
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
