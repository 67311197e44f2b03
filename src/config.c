#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "base/str.h"
#include "domain/password.h"
#include "build_config.h"

/* Request threads that may wait for a write's group commit at once. */
enum { WRITERS_WAITING_MAX = 4 };

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

int config_set_listen(struct config *c, const char *value)
{
	const char *colon = strrchr(value, ':');
	if (!colon)
		return -1;
	int64_t port;
	if (!str_to_int64(colon + 1, 0, 65535, &port))
		return -1;
	size_t hostlen = (size_t)(colon - value);
	const char *host = value;
	if (hostlen >= 2 && host[0] == '[' && host[hostlen - 1] == ']') {
		host++;
		hostlen -= 2;
	}
	if (hostlen >= sizeof c->listen_host)
		return -1;
	if (hostlen == 0) {
		copy(c->listen_host, sizeof c->listen_host, "127.0.0.1");
	} else {
		memcpy(c->listen_host, host, hostlen);
		c->listen_host[hostlen] = '\0';
	}
	c->listen_port = (int)port;
	return 0;
}

static int env_size(const char *name, size_t *out, char *err, size_t errlen)
{
	const char *v = getenv(name);
	int64_t n;
	if (!v || !*v)
		return 0;
	if (!str_to_int64(v, 1, (int64_t)1 << 40, &n)) {
		snprintf(err, errlen, "%s must be a positive number of bytes, not '%s'", name, v);
		return -1;
	}
	*out = (size_t)n;
	return 0;
}

static int env_int(const char *name, int min, int max, int *out, char *err, size_t errlen)
{
	const char *v = getenv(name);
	int64_t n;
	if (!v || !*v)
		return 0;
	if (!str_to_int64(v, min, max, &n)) {
		snprintf(err, errlen, "%s must be a number from %d to %d, not '%s'", name, min, max, v);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static void env_copy(const char *name, char *dst, size_t n)
{
	const char *v = getenv(name);
	if (v && *v)
		copy(dst, n, v);
}

int config_from_env(struct config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	copy(c->listen_host, sizeof c->listen_host, "127.0.0.1");
	c->listen_port = 8080;
	copy(c->data_dir, sizeof c->data_dir, "var");
	copy(c->mail_from, sizeof c->mail_from, "suporte@localhost");
	copy(c->share_dir, sizeof c->share_dir, CHAMADO_DEFAULT_SHARE_DIR);
	copy(c->mo_dir, sizeof c->mo_dir, CHAMADO_DEFAULT_MO_DIR);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	/* One thread per core for pages, plus one for every request that may be
	 * hashing a password or waiting for a turn (password.h): a flood of
	 * sign-ins then holds at most those, and the pages and /healthz keep
	 * threads of their own. And a few for writes waiting for their group
	 * commit (store/sqlite_group.h): they use no core while they wait, and
	 * the more wait, the more share one commit. At a million tickets on 2
	 * cores, 4 more took API ticket creation from ~760 to ~870 a second;
	 * beyond that the cheap pages (static files, queues) lost more than the
	 * writes gained. */
	c->threads = (cores > 0 ? (int)cores : 2) + PASSWORD_RUNNING_MAX + PASSWORD_WAITING_MAX +
	             WRITERS_WAITING_MAX;
	c->max_body = (size_t)64 << 20;
	c->max_form_body = (size_t)1 << 20;
	c->max_field = (size_t)256 << 10;
	c->max_fields = 200;
	/* The streaming caps; the limits a user sees are admin settings below them. */
	c->max_upload = (size_t)50 << 20;
	c->max_uploads = 20;
	c->max_page = (size_t)4 << 20;
	c->mail_max_attempts = 8;
	c->mail_retry_base = 30;
	c->mail_poll_ms = 1000;
	c->maintenance_interval = 60;
	c->webhook_max_attempts = 10;
	c->webhook_retry_base = 30;
	c->webhook_poll_ms = 1000;
	c->webhook_timeout_ms = 10000;
	/* A body under one TCP segment leaves in one packet either way. */
	c->compress_min = 1400;

	const char *listen = getenv("CHAMADO_LISTEN");
	if (listen && *listen && config_set_listen(c, listen) < 0) {
		snprintf(err, errlen, "CHAMADO_LISTEN must be HOST:PORT, not '%s'", listen);
		return -1;
	}
	env_copy("CHAMADO_DB", c->db_url, sizeof c->db_url);
	env_copy("CHAMADO_DATA_DIR", c->data_dir, sizeof c->data_dir);
	env_copy("CHAMADO_BASE_URL", c->base_url, sizeof c->base_url);
	c->base_url_fixed = c->base_url[0] != '\0';
	env_copy("CHAMADO_NODE_ID", c->node_id, sizeof c->node_id);
	env_copy("CHAMADO_SMTP_URL", c->smtp_url, sizeof c->smtp_url);
	env_copy("CHAMADO_MAIL_FROM", c->mail_from, sizeof c->mail_from);
	env_copy("CHAMADO_SHARE_DIR", c->share_dir, sizeof c->share_dir);
	env_copy("CHAMADO_MO_DIR", c->mo_dir, sizeof c->mo_dir);
	if (env_size("CHAMADO_MAX_BODY", &c->max_body, err, errlen) < 0)
		return -1;
	if (c->max_form_body > c->max_body)
		c->max_form_body = c->max_body;
	if (env_int("CHAMADO_MAIL_MAX_ATTEMPTS", 1, 100, &c->mail_max_attempts, err, errlen) < 0 ||
	    env_int("CHAMADO_MAIL_RETRY_BASE", 1, 86400, &c->mail_retry_base, err, errlen) < 0 ||
	    env_int("CHAMADO_MAIL_POLL_MS", 10, 600000, &c->mail_poll_ms, err, errlen) < 0 ||
	    env_int("CHAMADO_MAINTENANCE_INTERVAL", 1, 86400, &c->maintenance_interval, err, errlen) < 0 ||
	    env_int("CHAMADO_WEBHOOK_MAX_ATTEMPTS", 1, 100, &c->webhook_max_attempts, err, errlen) < 0 ||
	    env_int("CHAMADO_WEBHOOK_RETRY_BASE", 1, 86400, &c->webhook_retry_base, err, errlen) < 0 ||
	    env_int("CHAMADO_WEBHOOK_POLL_MS", 10, 600000, &c->webhook_poll_ms, err, errlen) < 0 ||
	    env_int("CHAMADO_WEBHOOK_TIMEOUT_MS", 100, 120000, &c->webhook_timeout_ms, err, errlen) < 0 ||
	    env_int("CHAMADO_COMPRESS_MIN", 0, 1 << 30, &c->compress_min, err, errlen) < 0)
		return -1;
	return 0;
}

/* The address the server answers on, when no base URL is given. */
static void default_base_url(struct config *c)
{
	const char *host = strchr(c->listen_host, ':') ? "[::1]" : c->listen_host;
	if (str_eq(host, "0.0.0.0"))
		host = "127.0.0.1";
	snprintf(c->base_url, sizeof c->base_url, "http://%s:%d", host, c->listen_port);
}

void config_finish(struct config *c)
{
	if (!c->db_url[0])
		snprintf(c->db_url, sizeof c->db_url, "sqlite:%s/chamado.db", c->data_dir);
	if (!c->base_url[0])
		default_base_url(c);
	snprintf(c->base_url_default, sizeof c->base_url_default, "%s", c->base_url);
	if (c->max_form_body > c->max_body)
		c->max_form_body = c->max_body;
	if (!c->node_id[0]) {
		char host[256] = "localhost", dir[PATH_MAX];
		gethostname(host, sizeof host - 1);
		host[sizeof host - 1] = '\0';
		const char *data_dir = realpath(c->data_dir, dir) ? dir : c->data_dir;
		snprintf(c->node_id, sizeof c->node_id, "%.255s:%.530s", host, data_dir);
	}
}

void config_set_bound_port(struct config *c, int port)
{
	if (c->listen_port == port)
		return;
	c->listen_port = port;
	if (c->base_url_fixed)
		return;
	default_base_url(c);
	snprintf(c->base_url_default, sizeof c->base_url_default, "%s", c->base_url);
}

void config_use_base_url_setting(struct config *c, const char *setting)
{
	if (!c->base_url_fixed)
		snprintf(c->base_url, sizeof c->base_url, "%s",
		         setting && *setting ? setting : c->base_url_default);
}
