#include "http/server.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/str.h"
#include "http/compress.h"
#include "http/header.h"

/* One request thread: an MHD daemon of its own (its own epoll) that is
 * handed connections and never accepts them itself. */
struct lane {
	struct MHD_Daemon *daemon;
	/* Handed over and not yet closed. */
	atomic_int connections;
	/* When the handler now running on the lane began; 0 between answers. */
	_Atomic int64_t busy_since_us;
};

/* A lane whose handler has run this long is held by something slow (a
 * report, a password's hash): new connections go elsewhere while others
 * are free, as they did when only a free thread could accept. */
enum { LANE_STUCK_US = 5000 };

/* The server's own thread accepts and hands each connection to the lane
 * holding the fewest. With MHD's thread pool each thread accepted for
 * itself: under 64 keep-alive connections one thread held 15 while five
 * held none, and every connection of the busiest waited on it (a ticket
 * page's p99 12-14 ms with its median at 1.5 ms). */
struct server {
	struct lane *lanes;
	int nlanes;
	unsigned next_lane; /* the acceptor's: where the search for the quietest starts */
	struct server_options opt;
	int listen_fd;
	int port;
	atomic_int inflight;
	pthread_t acceptor;
	atomic_bool stopping;
};

/* Per-request state that the handler does not see. */
struct conn_state {
	struct request req;
	struct server *srv;
	struct lane *lane;
	const char *raw_uri;
	int stage; /* 0 new, 1 reading body, 2 answered */
	struct MHD_PostProcessor *pp;
	buf raw_body;        /* urlencoded or other bodies */
	bool urlencoded;
	struct upload *current_upload;
	struct kv *current_field;
	buf field_value;
	int parts_seen;
};

static const char *security_headers[][2] = {
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "same-origin"},
	{"Content-Security-Policy",
	 "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
	 "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
};

int server_listen(const char *host, int port, int *bound_port, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res;
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	int gai = getaddrinfo(host, service, &hints, &res);
	if (gai != 0) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, gai_strerror(gai));
		return -1;
	}
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port,
		         errno == EADDRINUSE ? "address already in use" : strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	*bound_port = port;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			*bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			*bound_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return fd;
}

/* Each request thread keeps a finished request's arena, emptied, for its
 * next request. Its first block holds a whole page's allocations (a ticket
 * page used 160-200 KB), so a page mallocs nothing for them, and the
 * blocks do not come and go in the thread's malloc arena between the
 * long-lived allocations there: freed, they stayed resident. A request
 * that needed more gives the extra blocks back when it ends. */
enum { REQUEST_ARENA_BLOCK = 256 * 1024 };
static pthread_key_t spare_arena;
static pthread_once_t spare_arena_once = PTHREAD_ONCE_INIT;

static void spare_arena_free(void *a)
{
	arena_free(a);
}

static void spare_arena_key(void)
{
	pthread_key_create(&spare_arena, spare_arena_free);
}

static arena *request_arena_take(void)
{
	pthread_once(&spare_arena_once, spare_arena_key);
	arena *a = pthread_getspecific(spare_arena);
	if (!a)
		return arena_new(REQUEST_ARENA_BLOCK);
	pthread_setspecific(spare_arena, NULL);
	return a;
}

/* A thread serves several connections: a second arena in flight is freed. */
static void request_arena_give(arena *a)
{
	if (pthread_getspecific(spare_arena) || pthread_setspecific(spare_arena, a) != 0) {
		arena_free(a);
		return;
	}
	arena_reset(a);
}

/* Called by MHD with the raw request target before it is unescaped: the
 * request state starts here so the path and query are decoded by us. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct server *srv = cls;
	arena *a = request_arena_take();
	if (!a)
		return NULL;
	struct conn_state *cs = arena_zalloc(a, sizeof *cs);
	if (!cs) {
		request_arena_give(a);
		return NULL;
	}
	cs->srv = srv;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	cs->lane = ci ? ci->socket_context : NULL; /* set when the connection started */
	cs->req.arena = a;
	cs->req.conn = conn;
	cs->req.app = srv->opt.app;
	cs->req.started_us = now_us();
	cs->raw_uri = arena_strdup(a, uri);
	buf_init(&cs->req.body, srv->opt.max_page);
	buf_init(&cs->raw_body, srv->opt.max_form_body);
	buf_init(&cs->field_value, srv->opt.max_field);
	atomic_fetch_add(&srv->inflight, 1);
	return cs;
}

static void close_uploads(struct request *req)
{
	for (struct upload *u = req->uploads; u; u = u->next) {
		if (u->fd >= 0)
			close(u->fd);
		u->fd = -1;
		if (u->path)
			unlink(u->path);
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct server *srv = cls;
	struct conn_state *cs = *con_cls;
	if (!cs)
		return;
	struct request *req = &cs->req;
	if (req->method_name)
		log_access("%s %s %d %lldus", req->method_name, req->path ? req->path : cs->raw_uri,
		         req->status, (long long)(now_us() - req->started_us));
	if (cs->pp)
		MHD_destroy_post_processor(cs->pp);
	close_uploads(req);
	buf_free(&req->body);
	buf_free(&cs->raw_body);
	buf_free(&cs->field_value);
	request_arena_give(req->arena);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* Splits the raw target into a decoded path and query fields. */
static int parse_target(struct conn_state *cs)
{
	struct request *req = &cs->req;
	const char *uri = cs->raw_uri;
	if (!uri || uri[0] != '/')
		return -1;
	const char *q = strchr(uri, '?');
	size_t plen = q ? (size_t)(q - uri) : strlen(uri);
	int why = 0;
	req->path = form_decode(req->arena, uri, plen, false, &why);
	if (!req->path)
		return -1;
	if (q && form_parse_urlencoded(req->arena, q + 1, strlen(q + 1), cs->srv->opt.max_fields,
	                               &req->query) != FORM_OK)
		return -1;
	return 0;
}

static int field_finish(struct conn_state *cs)
{
	struct request *req = &cs->req;
	if (!cs->current_field)
		return 0;
	const char *v = buf_str(&cs->field_value);
	if (!str_utf8_valid(v, cs->field_value.len) || memchr(v, '\0', cs->field_value.len)) {
		req->body_malformed = true;
		return -1;
	}
	cs->current_field->value = arena_strndup(req->arena, v, cs->field_value.len);
	buf_clear(&cs->field_value);
	cs->current_field = NULL;
	return 0;
}

static struct upload *upload_begin(struct conn_state *cs, const char *key, const char *filename,
                                   const char *type)
{
	struct request *req = &cs->req;
	struct upload *u = arena_zalloc(req->arena, sizeof *u);
	if (!u)
		return NULL;
	u->fd = -1;
	u->field = arena_strdup(req->arena, key);
	u->filename = arena_strdup(req->arena, filename);
	u->claimed_type = type ? arena_strdup(req->arena, type) : "";
	/* Append, so the files keep the order they were sent in. */
	struct upload **tail = &req->uploads;
	while (*tail)
		tail = &(*tail)->next;
	*tail = u;
	if (++req->upload_count > cs->srv->opt.max_uploads) {
		req->too_many_uploads = true;
		return u;
	}
	char *path = arena_printf(req->arena, "%s/upload-XXXXXX", cs->srv->opt.upload_dir);
	if (!path)
		return NULL;
	u->fd = mkostemp(path, O_CLOEXEC);
	if (u->fd >= 0)
		u->path = path;
	else
		log_warn("cannot create an upload file in %s: %s", cs->srv->opt.upload_dir, strerror(errno));
	return u;
}

static int upload_write(struct conn_state *cs, struct upload *u, const char *data, size_t size)
{
	if (u->too_big || u->fd < 0)
		return 0;
	if (u->size + size > cs->srv->opt.max_upload) {
		u->too_big = true;
		close(u->fd);
		u->fd = -1;
		unlink(u->path);
		u->path = NULL;
		return 0;
	}
	while (size > 0) {
		ssize_t n = write(u->fd, data, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("cannot write an upload: %s", strerror(errno));
			return -1;
		}
		data += n;
		size -= (size_t)n;
		u->size += (size_t)n;
	}
	return 0;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	struct conn_state *cs = cls;
	struct request *req = &cs->req;
	if (!key)
		return MHD_YES;
	cs->parts_seen++;
	if (filename) {
		if (field_finish(cs) < 0)
			return MHD_NO;
		struct upload *u = cs->current_upload;
		if (off == 0 || !u || strcmp(u->field, key) != 0 || strcmp(u->filename, filename) != 0)
			u = cs->current_upload = upload_begin(cs, key, filename, content_type);
		if (!u)
			return MHD_NO;
		return upload_write(cs, u, data, size) == 0 ? MHD_YES : MHD_NO;
	}
	cs->current_upload = NULL;
	if (off == 0 || !cs->current_field || strcmp(cs->current_field->key, key) != 0) {
		if (field_finish(cs) < 0)
			return MHD_NO;
		if (req->form.count >= cs->srv->opt.max_fields) {
			req->too_many_fields = true;
			return MHD_NO;
		}
		if (kv_add(req->arena, &req->form, arena_strdup(req->arena, key), "") != FORM_OK)
			return MHD_NO;
		cs->current_field = req->form.tail;
	}
	if (buf_append(&cs->field_value, data, size) != BUF_OK) {
		req->body_too_big = true;
		return MHD_NO;
	}
	return MHD_YES;
}

enum { MAX_HEADER_BYTES = 16 * 1024 };

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
	(void)kind;
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* MHD's own limit is its connection memory; ours is the documented 16 KiB. */
static bool headers_too_big(struct MHD_Connection *conn)
{
	size_t total = 0;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &total);
	return total > MAX_HEADER_BYTES;
}

/* First call: headers are in; decide how the body will be read. */
static int begin_body(struct conn_state *cs)
{
	struct request *req = &cs->req;
	const struct server_options *o = &cs->srv->opt;
	const char *len = req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	int64_t n;
	if (len && str_to_int64(len, 0, INT64_MAX, &n) && (uint64_t)n > o->max_body) {
		req->body_too_big = true;
		return -1;
	}
	if (!(req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE)))
		return 0;
	const char *ct = req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (header_content_type_is(ct, "multipart/form-data")) {
		cs->pp = MHD_create_post_processor(req->conn, 16384, on_part, cs);
		if (!cs->pp) {
			req->body_malformed = true;
			return -1;
		}
		return 0;
	}
	cs->urlencoded = header_content_type_is(ct, "application/x-www-form-urlencoded");
	if (len && (uint64_t)n > o->max_form_body) {
		req->body_too_big = true;
		return -1;
	}
	return 0;
}

static int read_body(struct conn_state *cs, const char *data, size_t size)
{
	struct request *req = &cs->req;
	req->body_bytes += size;
	if (req->body_bytes > cs->srv->opt.max_body) {
		req->body_too_big = true;
		return -1;
	}
	if (req->body_malformed || req->too_many_fields || req->too_many_uploads)
		return 0; /* keep reading: the answer comes when the body is in */
	if (cs->pp) {
		if (MHD_post_process(cs->pp, data, size) != MHD_YES && !req->body_too_big &&
		    !req->too_many_fields)
			req->body_malformed = true;
		return req->body_too_big ? -1 : 0;
	}
	if (buf_append(&cs->raw_body, data, size) != BUF_OK) {
		req->body_too_big = true;
		return -1;
	}
	return 0;
}

static void end_body(struct conn_state *cs)
{
	struct request *req = &cs->req;
	if (cs->pp) {
		/* A multipart body must hold at least one part (RFC 2046). */
		if (MHD_destroy_post_processor(cs->pp) != MHD_YES ||
		    (req->body_bytes > 0 && cs->parts_seen == 0))
			req->body_malformed = true;
		cs->pp = NULL;
		if (field_finish(cs) < 0)
			req->body_malformed = true;
		for (struct upload *u = req->uploads; u; u = u->next)
			if (u->fd >= 0)
				lseek(u->fd, 0, SEEK_SET);
	} else if (!cs->urlencoded && cs->raw_body.len) {
		/* Capped at max_form_body like a form (begin_body, read_body). */
		req->raw_body = arena_strndup(req->arena, cs->raw_body.data, cs->raw_body.len);
		req->raw_body_len = cs->raw_body.len;
		if (!req->raw_body)
			req->body_too_big = true;
	} else if (cs->urlencoded && cs->raw_body.len) {
		int rc = form_parse_urlencoded(req->arena, cs->raw_body.data, cs->raw_body.len,
		                               cs->srv->opt.max_fields, &req->form);
		if (rc == FORM_TOO_MANY)
			req->too_many_fields = true;
		else if (rc != FORM_OK)
			req->body_malformed = true;
	}
}

static void serve_static(struct request *req, const struct static_file *f)
{
	enum static_encoding e = STATIC_IDENTITY;
	const char *ae = req_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (f->body[STATIC_BR].data && header_accepts_coding(ae, "br"))
		e = STATIC_BR;
	else if (f->body[STATIC_GZIP].data && header_accepts_coding(ae, "gzip"))
		e = STATIC_GZIP;
	const struct static_body *b = &f->body[e];
	const char *inm = req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	resp_header(req, MHD_HTTP_HEADER_ETAG, b->etag);
	if (f->body[STATIC_GZIP].data || f->body[STATIC_BR].data)
		resp_header(req, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (e != STATIC_IDENTITY)
		resp_header(req, MHD_HTTP_HEADER_CONTENT_ENCODING, e == STATIC_BR ? "br" : "gzip");
	/* The versioned URL names these bytes for ever: cache it for a year. */
	const char *v = req_query(req, "v");
	resp_header(req, MHD_HTTP_HEADER_CACHE_CONTROL,
	            v && strcmp(v, f->version) == 0 ? "public, max-age=31536000, immutable"
	                                            : "public, max-age=3600");
	req->responded = true;
	req->content_type = f->content_type;
	if (inm && strstr(inm, b->etag)) {
		req->status = MHD_HTTP_NOT_MODIFIED;
		return;
	}
	req->status = MHD_HTTP_OK;
	req->static_body = b->data;
	req->static_len = b->len;
}

static void answer(struct conn_state *cs)
{
	struct request *req = &cs->req;
	const struct server_options *o = &cs->srv->opt;
	if (o->before)
		o->before(req);
	if (req->responded)
		return;
	/* Too many files is the handler's to explain (next to the field). */
	if (req->body_too_big) {
		resp_error(req, MHD_HTTP_CONTENT_TOO_LARGE);
		return;
	}
	if (req->body_malformed || req->too_many_fields || !req->path) {
		resp_error(req, MHD_HTTP_BAD_REQUEST);
		return;
	}
	if (o->statics && (req->method & (HTTP_GET | HTTP_HEAD)) && str_starts_with(req->path, "/static/")) {
		const struct static_file *f = static_files_find(o->statics, req->path);
		if (f) {
			serve_static(req, f);
			return;
		}
	}
	if (router_match(o->router, req->method, req->path, req->arena, &req->route) < 0) {
		resp_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
		return;
	}
	if (!req->route.handler) {
		if (!req->route.path_known) {
			resp_error(req, MHD_HTTP_NOT_FOUND);
			return;
		}
		char *allow = http_methods_allow(req->route.allowed, req->arena);
		if (allow)
			resp_header(req, MHD_HTTP_HEADER_ALLOW, allow);
		resp_error(req, MHD_HTTP_METHOD_NOT_ALLOWED);
		return;
	}
	req->route.handler(req);
	if (!req->responded)
		resp_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
}

static void dispatch(struct conn_state *cs)
{
	answer(cs);
	if (cs->srv->opt.after)
		cs->srv->opt.after(&cs->req);
}

/* Pages, the API's JSON and the reports' CSV compress to a third or so. */
static bool compressible(const char *content_type)
{
	return content_type && (str_starts_with(content_type, "text/") ||
	                        header_content_type_is(content_type, "application/json"));
}

/* The codings of pages, the fastest first. */
static const struct page_coding {
	const char *name;
	unsigned char *(*compress)(const void *data, size_t len, int level, size_t *out_len);
	int level;
} page_codings[] = {
	{"zstd", compress_zstd, COMPRESS_ZSTD_FAST},
	{"br", compress_brotli, COMPRESS_BROTLI_FAST},
	{"gzip", compress_gzip, COMPRESS_GZIP_FAST},
};

/* The handler's body in Zstandard, Brotli or gzip (the first the client
 * takes, the fastest first), malloc'd, when it is min bytes or more (0:
 * never) and of a kind that compresses; NULL to send it as it is. */
static char *compressed_body(struct request *req, size_t min, size_t *len)
{
	if (!min || req->body.len < min || !compressible(req->content_type))
		return NULL;
	/* Caches must keep the two forms apart, whichever this one is. */
	resp_header(req, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	const char *ae = req_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	const struct page_coding *c = page_codings;
	const struct page_coding *end = page_codings + sizeof page_codings / sizeof page_codings[0];
	while (c < end && !header_accepts_coding(ae, c->name))
		c++;
	if (c == end)
		return NULL;
	unsigned char *out = c->compress(req->body.data, req->body.len, c->level, len);
	if (!out)
		return NULL;
	const struct header *before = req->headers;
	resp_header(req, MHD_HTTP_HEADER_CONTENT_ENCODING, c->name);
	if (req->headers == before) { /* no memory for the header: send it plain */
		free(out);
		return NULL;
	}
	return (char *)out;
}

static enum MHD_Result send_response(struct conn_state *cs)
{
	struct request *req = &cs->req;
	struct MHD_Response *r;
	if (req->static_body) {
		r = MHD_create_response_from_buffer(req->static_len, (void *)req->static_body,
		                                    req->copy_body ? MHD_RESPMEM_MUST_COPY
		                                                   : MHD_RESPMEM_PERSISTENT);
	} else {
		size_t len = 0;
		char *body = compressed_body(req, cs->srv->opt.compress_min, &len);
		if (!body) {
			len = req->body.len;
			body = buf_take(&req->body);
		}
		r = body ? MHD_create_response_from_buffer_with_free_callback(len, body, free) : NULL;
		if (!r)
			free(body);
	}
	if (!r)
		return MHD_NO;
	for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
		MHD_add_response_header(r, security_headers[i][0], security_headers[i][1]);
	if (req->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
	for (struct header *h = req->headers; h; h = h->next)
		MHD_add_response_header(r, h->name, h->value);
	cs->stage = 2;
	enum MHD_Result rc = MHD_queue_response(req->conn, (unsigned)req->status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The handler runs and its answer is made on the lane's thread: the lane is
 * busy meanwhile, for the acceptor to see. */
static enum MHD_Result dispatch_and_send(struct conn_state *cs)
{
	if (cs->lane)
		atomic_store(&cs->lane->busy_since_us, now_us());
	dispatch(cs);
	enum MHD_Result rc = send_response(cs);
	if (cs->lane)
		atomic_store(&cs->lane->busy_since_us, 0);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	struct conn_state *cs = *con_cls;
	if (!cs)
		return MHD_NO; /* out of memory in on_uri */
	struct request *req = &cs->req;
	if (cs->stage == 0) {
		cs->stage = 1;
		req->method_name = arena_strdup(req->arena, method);
		req->method = http_method_parse(method);
		if (parse_target(cs) < 0)
			req->path = NULL;
		if (headers_too_big(conn)) {
			req->status = MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
			resp_text(req, req->status, "text/plain; charset=utf-8",
			          "Request header fields too large\n");
			return send_response(cs);
		}
		if (begin_body(cs) < 0) /* answer now: MHD then drops the rest of the body and closes */
			return dispatch_and_send(cs);
		/* Answering on a later call keeps the connection alive. */
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		int rc = read_body(cs, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return rc < 0 ? MHD_NO : MHD_YES;
	}
	end_body(cs);
	return dispatch_and_send(cs);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("http: %s", line);
}

/* A lane counts a connection from its hand-over to its close; the socket
 * context marks the ones MHD started, the only ones it reports closed. One
 * MHD drops before starting it (out of memory) stays counted, which only
 * steers a little away from that lane. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	(void)conn;
	struct lane *l = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = l;
	else if (*socket_context)
		atomic_fetch_sub(&l->connections, 1);
}

/* The lane with the fewest connections among those not held by a slow
 * handler (any, when all are); among equals, the one after the last chosen,
 * so that a burst of new connections goes round them all. */
static struct lane *quietest_lane(struct server *s)
{
	unsigned start = s->next_lane++ % (unsigned)s->nlanes;
	int64_t stuck_before = now_us() - LANE_STUCK_US;
	struct lane *best = NULL;
	bool best_stuck = false;
	int fewest = 0;
	for (int i = 0; i < s->nlanes; i++) {
		struct lane *l = &s->lanes[(start + (unsigned)i) % (unsigned)s->nlanes];
		int64_t since = atomic_load(&l->busy_since_us);
		bool stuck = since > 0 && since < stuck_before;
		int n = atomic_load(&l->connections);
		if (!best || (best_stuck && !stuck) || (stuck == best_stuck && n < fewest)) {
			best = l;
			best_stuck = stuck;
			fewest = n;
		}
	}
	return best;
}

static void *accept_loop(void *arg)
{
	struct server *s = arg;
	time_t warned = 0;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (atomic_load(&s->stopping))
				return NULL;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* A listening socket handed over non-blocking: wait for
				 * the next connection (or the shutdown) instead of spinning. */
				struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
				poll(&p, 1, 1000);
				continue;
			}
			/* Out of descriptors or memory: the connection waits in the
			 * backlog until some close. */
			if (time(NULL) != warned) {
				warned = time(NULL);
				log_warn("http: cannot accept a connection: %s", strerror(errno));
			}
			usleep(10 * 1000);
			continue;
		}
		struct lane *l = quietest_lane(s);
		atomic_fetch_add(&l->connections, 1);
		/* MHD closes the socket when it refuses it. */
		if (MHD_add_connection(l->daemon, fd, (struct sockaddr *)&ss, sl) != MHD_YES)
			atomic_fetch_sub(&l->connections, 1);
	}
}

static struct MHD_Daemon *lane_start(struct server *s, struct lane *l)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                 MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG;
	return MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		/* MHD clears this pool for every request: keep it small. Headers
		 * over 16 KiB are refused anyway (431). */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
		MHD_OPTION_END);
}

static void lanes_stop(struct server *s)
{
	for (int i = 0; i < s->nlanes; i++)
		if (s->lanes[i].daemon)
			MHD_stop_daemon(s->lanes[i].daemon);
	free(s->lanes);
}

server *server_start(const struct server_options *o, char *err, size_t errlen)
{
	server *s = calloc(1, sizeof *s);
	int nlanes = o->threads > 0 ? o->threads : 1;
	if (s)
		s->lanes = calloc((size_t)nlanes, sizeof *s->lanes);
	if (!s || !s->lanes) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->nlanes = nlanes;
	s->opt = *o;
	s->listen_fd = o->listen_fd;
	s->port = o->port;
	if (s->listen_fd <= 0)
		s->listen_fd = server_listen(o->host, o->port, &s->port, err, errlen);
	if (s->listen_fd < 0) {
		free(s->lanes);
		free(s);
		return NULL;
	}
	bool started = true;
	for (int i = 0; i < nlanes && started; i++)
		started = (s->lanes[i].daemon = lane_start(s, &s->lanes[i])) != NULL;
	if (started && pthread_create(&s->acceptor, NULL, accept_loop, s) != 0)
		started = false;
	if (!started) {
		snprintf(err, errlen, "cannot start the HTTP server on %s:%d", o->host, s->port);
		lanes_stop(s);
		close(s->listen_fd);
		free(s);
		return NULL;
	}
	return s;
}

int server_port(const server *s)
{
	return s->port;
}

void server_stop(server *s, int grace_ms)
{
	if (!s)
		return;
	/* A listening socket shut down ends the acceptor's accept. */
	atomic_store(&s->stopping, true);
	shutdown(s->listen_fd, SHUT_RDWR);
	pthread_join(s->acceptor, NULL);
	close(s->listen_fd);
	for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 10)
		usleep(10 * 1000);
	lanes_stop(s);
	free(s);
}
