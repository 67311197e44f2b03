/* libFuzzer target on multipart/form-data bodies as the server reads them:
 * libmicrohttpd's post processor splits the parts, and our callbacks
 * (http/server.c: on_part, field_finish, upload_begin/upload_write, the
 * caps on fields, field size, files and file size) turn them into fields
 * and temporary files. The post processor needs a real connection, so the
 * target starts the real server once (server_start, one thread, small
 * caps) and sends each input to it over loopback as the body of
 * POST /upload; the input's first line is the boundary of the
 * Content-Type header, so that header's parameters are fuzzed too.
 *
 * Checked: no crash, no undefined behaviour, no leak; the server ends the
 * connection (no hang); every field the handler sees is
 * NUL-free UTF-8 within the caps; every kept upload is a file of exactly
 * its recorded size, never over the cap; and every temporary file is gone
 * once the request is done. Built and run by tests/fuzz/run (seeds:
 * corpus/multipart/). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/str.h"
#include "http/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	MAX_FIELD = 4096,
	MAX_FIELDS = 20,
	MAX_UPLOAD = 2048,
	MAX_UPLOADS = 3,
	BOUNDARY_MAX = 100,
};

static server *srv;
static router *routes;
static char upload_dir[] = "/tmp/chamado-fuzz-multipart-XXXXXX";

static void upload_handler(struct request *req)
{
	if (req->form.count > MAX_FIELDS)
		abort();
	for (struct kv *f = req->form.head; f; f = f->next) {
		if (!f->key || !f->value || strlen(f->value) > MAX_FIELD ||
		    !str_utf8_valid(f->value, strlen(f->value)))
			abort();
	}
	int n = 0;
	for (struct upload *u = req->uploads; u; u = u->next, n++) {
		if (!u->field || !u->filename || !u->claimed_type)
			abort();
		if (u->size > MAX_UPLOAD || (u->too_big && u->path))
			abort();
		if (u->path) {
			struct stat st;
			if (u->fd < 0 || fstat(u->fd, &st) < 0 || (size_t)st.st_size != u->size)
				abort();
		}
	}
	if (n != req->upload_count)
		abort();
	resp_text(req, 200, "text/plain", "ok\n");
}

static void start(void)
{
	log_set_quiet(1);
	if (!mkdtemp(upload_dir))
		abort();
	routes = router_new();
	if (!routes || router_add(routes, HTTP_POST, "/upload", upload_handler) < 0)
		abort();
	struct server_options o = {
		.host = "127.0.0.1", .port = 0, .threads = 1,
		.max_body = 1 << 20, .max_form_body = 64 * 1024, .max_field = MAX_FIELD,
		.max_fields = MAX_FIELDS, .max_upload = MAX_UPLOAD, .max_uploads = MAX_UPLOADS,
		.max_page = 64 * 1024, .upload_dir = upload_dir, .router = routes,
	};
	char err[256];
	srv = server_start(&o, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "multipart_fuzz: %s\n", err);
		abort();
	}
}

static bool upload_dir_empty(void)
{
	DIR *d = opendir(upload_dir);
	if (!d)
		abort();
	bool empty = true;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

/* A connection to the server, with an 8 s receive timeout. A connect the
 * kernel refuses for want of a port, or one a signal interrupts, is tried
 * again; anything else aborts. */
static int connect_to_server(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port(srv))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {.tv_sec = 8};
	for (int attempt = 0; attempt < 100; attempt++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
			abort();
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			return fd;
		int why = errno;
		close(fd);
		/* EINTR: libFuzzer's timers interrupt a connect now and then. */
		if (why != EADDRNOTAVAIL && why != EAGAIN && why != EINTR) {
			fprintf(stderr, "multipart_fuzz: cannot connect to the server: %s\n", strerror(why));
			abort();
		}
		usleep(100 * 1000);
	}
	fprintf(stderr, "multipart_fuzz: no local port to connect from for 10 s\n");
	abort();
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return; /* the server may close early (413, 400): fine */
		p += w;
		n -= (size_t)w;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!srv)
		start();
	const uint8_t *nl = memchr(data, '\n', size < BOUNDARY_MAX ? size : BOUNDARY_MAX);
	size_t blen = nl ? (size_t)(nl - data) : 0;
	const char *body = (const char *)data + (nl ? blen + 1 : 0);
	size_t body_len = size - (size_t)(body - (const char *)data);
	char boundary[BOUNDARY_MAX + 1];
	memcpy(boundary, data, blen);
	boundary[blen] = '\0';
	if (blen && boundary[blen - 1] == '\r')
		boundary[--blen] = '\0';
	/* A CR, LF or NUL would end the header line or the string early. */
	if (strcspn(boundary, "\r\n") != blen)
		return 0;

	char head[512];
	int hl = snprintf(head, sizeof head,
	                  "POST /upload HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
	                  "Content-Type: multipart/form-data; boundary=%s\r\n"
	                  "Content-Length: %zu\r\n\r\n",
	                  boundary, body_len);
	int fd = connect_to_server();
	send_all(fd, head, (size_t)hl);
	send_all(fd, body, body_len);
	shutdown(fd, SHUT_WR);
	char answer[4096];
	for (;;) { /* drain to the end; a hang is a finding */
		ssize_t r = recv(fd, answer, sizeof answer, 0);
		/* A reset is an end too: the server closes with part of a body it
		 * refused still unread, and the kernel then resets. */
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "multipart_fuzz: the connection was not closed within 8 s\n");
			abort();
		}
	}
	/* Closing with a reset after the server's FIN leaves no TIME_WAIT on
	 * either side: a thousand connections a second would otherwise use up
	 * the loopback's ports within a minute. */
	struct linger reset = {.l_onoff = 1, .l_linger = 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
	close(fd);
	/* The request's files are deleted when it completes, which the server
	 * does just after sending; give it a moment. */
	for (int i = 0; !upload_dir_empty(); i++) {
		if (i == 200) {
			fprintf(stderr, "multipart_fuzz: a temporary upload outlived its request\n");
			abort();
		}
		usleep(10 * 1000);
	}
	return 0;
}
