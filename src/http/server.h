/* The HTTP server: libmicrohttpd, one daemon on epoll per request thread,
 * each handed its connections by an acceptor thread. It reads and caps the
 * request, decodes the query and the body (urlencoded, or multipart
 * streamed with uploads to temporary files), serves static files, routes
 * to a handler and sends what the handler built. */
#ifndef CHAMADO_SERVER_H
#define CHAMADO_SERVER_H

#include <stddef.h>

#include "http/request.h"
#include "http/router.h"
#include "http/static_files.h"

struct server_options {
	const char *host;
	int port;              /* 0 picks a free port */
	int listen_fd;         /* > 0: a socket from server_listen, owned by the server */
	int threads;
	size_t max_body;
	size_t max_form_body;
	size_t max_field;
	int max_fields;
	size_t max_upload;
	int max_uploads;
	size_t max_page;
	/* Bodies of pages and JSON this long or longer are sent compressed to
	 * a client that accepts Brotli or gzip; 0 never. */
	size_t compress_min;
	const char *upload_dir; /* where multipart files are streamed */
	const router *router;
	const static_files *statics;
	void *app;
	/* Runs before any handler or error page (language, session). It may
	 * answer by itself, and then the handler is skipped. */
	void (*before)(struct request *req);
	/* Runs after the answer is made, whoever made it (the handler, an
	 * error page or before), and before it is sent. */
	void (*after)(struct request *req);
};

typedef struct server server;

/* Binds and starts serving. NULL with a one-line reason in err (for
 * example "cannot listen on 127.0.0.1:8080: Address already in use"). */
/* Binds host:port (0 picks a free port) and listens; the port bound in
 * *bound_port. -1 with a one-line reason in err. */
int server_listen(const char *host, int port, int *bound_port, char *err, size_t errlen);
server *server_start(const struct server_options *o, char *err, size_t errlen);
int server_port(const server *s);
/* Stops accepting, lets requests in flight finish (up to grace_ms), stops. */
void server_stop(server *s, int grace_ms);

#endif
