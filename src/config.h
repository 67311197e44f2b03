/* Chamado's settings: defaults, then the environment (CHAMADO_*), then
 * command-line flags. Read-only once the server starts. Every input cap
 * lives here. */
#ifndef CHAMADO_CONFIG_H
#define CHAMADO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
	char listen_host[256];
	int listen_port;
	char db_url[1024];
	char data_dir[512];
	char base_url[512];
	bool base_url_fixed; /* CHAMADO_BASE_URL set: the admin setting does not apply */
	char base_url_default[512]; /* from the listen address, when nothing else says */
	char smtp_url[1024];
	char mail_from[256];
	char share_dir[512]; /* templates/, static/ */
	char mo_dir[512];    /* compiled catalogs */
	bool demo;
	int threads;
	/* CHAMADO_NODE_ID: this node, the same across its restarts and unlike
	 * any other node on the database; default "<hostname>:<data dir>". The
	 * outbox sender records it on the emails it holds. */
	char node_id[800];
	int mail_max_attempts;   /* CHAMADO_MAIL_MAX_ATTEMPTS, default 8 */
	int mail_retry_base;     /* CHAMADO_MAIL_RETRY_BASE seconds, default 30 */
	int mail_poll_ms;        /* CHAMADO_MAIL_POLL_MS, default 1000 */
	int maintenance_interval; /* CHAMADO_MAINTENANCE_INTERVAL seconds, default 60 */
	int webhook_max_attempts; /* CHAMADO_WEBHOOK_MAX_ATTEMPTS, default 10 */
	int webhook_retry_base;   /* CHAMADO_WEBHOOK_RETRY_BASE seconds, default 30 */
	int webhook_poll_ms;      /* CHAMADO_WEBHOOK_POLL_MS, default 1000 */
	int webhook_timeout_ms;   /* CHAMADO_WEBHOOK_TIMEOUT_MS, one post, default 10000 */
	int compress_min;         /* CHAMADO_COMPRESS_MIN bytes, 0 never; default 1400 */

	/* Caps on untrusted input. */
	size_t max_body;         /* whole request body */
	size_t max_form_body;    /* urlencoded bodies */
	size_t max_field;        /* one form field's value */
	int max_fields;          /* form fields per request */
	size_t max_upload;       /* one uploaded file */
	int max_uploads;         /* files per request */
	size_t max_page;         /* rendered page */
};

/* Fills c from defaults and the environment. Returns 0, or -1 with a
 * one-line reason in err (a malformed CHAMADO_* value). */
int config_from_env(struct config *c, char *err, size_t errlen);
/* Parses "HOST:PORT", "[::1]:PORT" or ":PORT" into c. -1 when malformed. */
int config_set_listen(struct config *c, const char *value);
/* Derived values (the default database under data_dir, the base URL). */
void config_finish(struct config *c);
/* The site's address: CHAMADO_BASE_URL when set, else the admin setting
 * base_url when not empty, else the listen address. */
/* After binding port 0: the port the kernel gave, and the default base URL
 * (links in emails) built from it. */
void config_set_bound_port(struct config *c, int port);
void config_use_base_url_setting(struct config *c, const char *setting);

#endif
