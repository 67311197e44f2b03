/* The HTTP server's connections: each request thread is handed its share,
 * a thread held by a slow handler is given no new ones, and stopping ends
 * the accepting; and a page goes compressed the way the browser takes it.
 * A real server on a loopback port; /thread answers with the number of the
 * thread that served it, /slow holds its thread until the test lets it go,
 * /page is a page of some 20 KB. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>
#include <brotli/decode.h>

#include "http/request.h"
#include "http/router.h"
#include "http/server.h"

enum { THREADS = 4 };

static router *routes;
static server *srv;
static char upload_dir[] = "/tmp/chamado-server-test-XXXXXX";

static void which_thread(struct request *req)
{
	char *text = arena_printf(req->arena, "%ld", (long)syscall(SYS_gettid));
	resp_text(req, 200, "text/plain; charset=utf-8", text);
}

static atomic_bool slow_running, slow_may_end;

static void slow(struct request *req)
{
	atomic_store(&slow_running, true);
	for (int i = 0; i < 3000 && !atomic_load(&slow_may_end); i++)
		usleep(10 * 1000);
	resp_text(req, 200, "text/plain; charset=utf-8", "done");
}

static char *page_html(arena *a)
{
	buf b;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 400; i++)
		buf_printf(&b, "<tr><td><a href=\"/tickets/%d\">Ticket %d</a></td></tr>\n", i * 7919, i);
	char *copy = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return copy;
}

static void page(struct request *req)
{
	resp_text(req, 200, "text/html; charset=utf-8", page_html(req->arena));
}

/* The test server's options: threads, on port (0: any) or the socket fd. */
static struct server_options options(int threads, int port, int fd)
{
	return (struct server_options){
		.host = "127.0.0.1", .port = port, .listen_fd = fd, .threads = threads,
		.max_body = 1 << 20, .max_form_body = 1 << 20, .max_field = 1 << 16, .max_fields = 50,
		.max_upload = 1 << 20, .max_uploads = 2, .max_page = 1 << 20,
		.upload_dir = upload_dir, .router = routes, .compress_min = 1400,
	};
}

static void setup(void)
{
	routes = router_new();
	cr_assert_eq(router_add(routes, HTTP_GET, "/thread", which_thread), 0);
	cr_assert_eq(router_add(routes, HTTP_GET, "/slow", slow), 0);
	cr_assert_eq(router_add(routes, HTTP_GET, "/page", page), 0);
	cr_assert_not_null(mkdtemp(upload_dir));
	struct server_options o = options(THREADS, 0, 0);
	char err[200] = "";
	srv = server_start(&o, err, sizeof err);
	cr_assert_not_null(srv, "server_start: %s", err);
}

static void teardown(void)
{
	if (srv)
		server_stop(srv, 1000);
	router_free(routes);
	rmdir(upload_dir);
}

static int connect_to(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* An answer that never comes fails the test instead of hanging it. */
	struct timeval wait = {.tv_sec = 10};
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait) == 0 &&
	    connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* One GET /thread on a kept-alive connection: the serving thread's number,
 * or -1 when no whole answer came. */
static long thread_of(int fd)
{
	static const char ask[] = "GET /thread HTTP/1.1\r\nHost: test\r\n\r\n";
	if (send(fd, ask, sizeof ask - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof ask - 1))
		return -1;
	char got[2048];
	size_t len = 0;
	for (;;) {
		ssize_t n = recv(fd, got + len, sizeof got - 1 - len, 0);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		got[len] = '\0';
		const char *end = strstr(got, "\r\n\r\n");
		const char *cl = strcasestr(got, "\r\nContent-Length: ");
		if (!end || !cl)
			continue;
		size_t body = (size_t)strtoul(cl + 18, NULL, 10);
		if (len >= (size_t)(end + 4 - got) + body)
			return strtol(end + 4, NULL, 10);
	}
}

TestSuite(server, .init = setup, .fini = teardown, .timeout = 60);

Test(server, connections_opened_at_once_are_shared_evenly_by_the_threads)
{
	int fds[THREADS * 3];
	int n = (int)(sizeof fds / sizeof fds[0]);
	for (int i = 0; i < n; i++) {
		fds[i] = connect_to(server_port(srv));
		cr_assert_geq(fds[i], 0, "connect");
	}
	long seen[THREADS * 3];
	int count[THREADS * 3] = {0};
	int distinct = 0;
	for (int i = 0; i < n; i++) {
		long t = thread_of(fds[i]);
		cr_assert_gt(t, 0, "connection %d got no answer", i);
		int k = 0;
		while (k < distinct && seen[k] != t)
			k++;
		if (k == distinct)
			seen[distinct++] = t;
		count[k]++;
	}
	cr_expect_eq(distinct, THREADS, "the connections went to %d threads of %d", distinct, THREADS);
	for (int k = 0; k < distinct; k++)
		cr_expect_eq(count[k], 3, "thread %ld serves %d of the %d connections", seen[k], count[k], n);
	/* The same connection stays with its thread. */
	for (int i = 0; i < n; i++) {
		long again = thread_of(fds[i]);
		int k = 0;
		while (k < distinct && seen[k] != again)
			k++;
		cr_expect_lt(k, distinct);
		close(fds[i]);
	}
}

Test(server, a_thread_held_by_a_slow_answer_is_given_no_new_connections)
{
	int port = server_port(srv);
	int first[THREADS];
	long thread[THREADS];
	for (int i = 0; i < THREADS; i++) {
		first[i] = connect_to(port);
		cr_assert_geq(first[i], 0);
	}
	for (int i = 0; i < THREADS; i++)
		cr_assert_gt(thread[i] = thread_of(first[i]), 0);
	/* One connection each: the first one's thread is then held. */
	static const char ask[] = "GET /slow HTTP/1.1\r\nHost: test\r\n\r\n";
	cr_assert_eq(send(first[0], ask, sizeof ask - 1, MSG_NOSIGNAL), (ssize_t)(sizeof ask - 1));
	for (int i = 0; i < 1000 && !atomic_load(&slow_running); i++)
		usleep(10 * 1000);
	cr_assert(atomic_load(&slow_running), "the slow handler never ran");
	usleep(50 * 1000); /* well past the time that makes a thread count as held */
	for (int i = 0; i < THREADS; i++) {
		int fd = connect_to(port);
		cr_assert_geq(fd, 0);
		long t = thread_of(fd);
		cr_expect_gt(t, 0, "new connection %d waited behind the slow answer", i);
		cr_expect_neq(t, thread[0], "new connection %d was given the held thread", i);
		close(fd);
	}
	atomic_store(&slow_may_end, true);
	char got[512];
	cr_expect_gt(recv(first[0], got, sizeof got, 0), 0, "the slow answer never came");
	for (int i = 0; i < THREADS; i++)
		close(first[i]);
}

Test(server, a_stopped_server_accepts_no_more_connections)
{
	int port = server_port(srv);
	int kept = connect_to(port);
	cr_assert_geq(kept, 0);
	cr_assert_gt(thread_of(kept), 0);
	server_stop(srv, 1000);
	srv = NULL;
	/* The kept-alive connection is closed, and the port no longer listens. */
	char c;
	cr_expect_leq(recv(kept, &c, 1, 0), 0);
	close(kept);
	cr_expect_eq(connect_to(port), -1);
}

/* GET /page with accept as Accept-Encoding on a new connection: the
 * Content-Encoding (\"\" for none) into coding, the body malloc'd. */
static unsigned char *get_page(const char *accept, char *coding, size_t coding_len, size_t *body_len)
{
	int fd = connect_to(server_port(srv));
	cr_assert_geq(fd, 0);
	char ask[300];
	int n = snprintf(ask, sizeof ask,
	                 "GET /page HTTP/1.1\r\nHost: test\r\nAccept-Encoding: %s\r\nConnection: close\r\n\r\n",
	                 accept);
	cr_assert_eq(send(fd, ask, (size_t)n, MSG_NOSIGNAL), n);
	size_t cap = 1 << 20, len = 0;
	char *got = malloc(cap + 1);
	ssize_t r;
	while ((r = recv(fd, got + len, cap - len, 0)) > 0)
		len += (size_t)r;
	close(fd);
	got[len] = '\0';
	char *end = strstr(got, "\r\n\r\n");
	cr_assert_not_null(end, "no whole answer");
	*end = '\0';
	coding[0] = '\0';
	const char *ce = strcasestr(got, "\r\nContent-Encoding: ");
	if (ce)
		snprintf(coding, coding_len, "%.*s", (int)strcspn(ce + 20, "\r"), ce + 20);
	*body_len = len - (size_t)(end + 4 - got);
	unsigned char *body = malloc(*body_len + 1);
	memcpy(body, end + 4, *body_len);
	free(got);
	return body;
}

Test(server, a_page_goes_in_zstandard_when_the_browser_takes_it_else_brotli_else_gzip)
{
	arena *a = arena_new(4096);
	const char *plain = page_html(a);
	size_t plain_len = strlen(plain);
	char coding[32];
	size_t len;

	unsigned char *body = get_page("gzip, deflate, br, zstd", coding, sizeof coding, &len);
	cr_expect_str_eq(coding, "zstd", "as a current Chrome or Firefox asks");
	cr_expect_lt(len, plain_len / 3);
	char *back = malloc(plain_len + 1);
	size_t n = ZSTD_decompress(back, plain_len + 1, body, len);
	cr_assert(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
	cr_expect(n == plain_len && memcmp(back, plain, n) == 0, "Zstandard gives back another page");
	free(body);

	body = get_page("gzip, deflate, br", coding, sizeof coding, &len);
	cr_expect_str_eq(coding, "br", "as Safari asks");
	size_t br_len = plain_len + 1;
	cr_assert_eq(BrotliDecoderDecompress(len, body, &br_len, (uint8_t *)back), BROTLI_DECODER_RESULT_SUCCESS);
	cr_expect(br_len == plain_len && memcmp(back, plain, br_len) == 0, "Brotli gives back another page");
	free(body);

	body = get_page("zstd;q=0, br;q=0, gzip", coding, sizeof coding, &len);
	cr_expect_str_eq(coding, "gzip", "q=0 refuses a coding");
	free(body);

	body = get_page("identity", coding, sizeof coding, &len);
	cr_expect_str_eq(coding, "");
	cr_expect(len == plain_len && memcmp(body, plain, len) == 0);
	free(body);
	free(back);
	arena_free(a);
}

static double cpu_seconds(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
	       (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* A socket handed over non-blocking (as a service manager may pass one): the
 * acceptor waits for connections on it instead of spinning. */
Test(server, a_non_blocking_listening_socket_is_waited_on_not_spun_on)
{
	server_stop(srv, 1000);
	int port = 0;
	char err[200] = "";
	int fd = server_listen("127.0.0.1", 0, &port, err, sizeof err);
	cr_assert_geq(fd, 0, "%s", err);
	cr_assert_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
	struct server_options o = options(2, port, fd);
	srv = server_start(&o, err, sizeof err);
	cr_assert_not_null(srv, "server_start: %s", err);
	double before = cpu_seconds();
	usleep(300 * 1000);
	/* Idle, the process uses next to no CPU; a spinning acceptor, the most
	 * the machine gives it. */
	cr_expect_lt(cpu_seconds() - before, 0.15, "%.3f s of CPU in 0.3 s idle", cpu_seconds() - before);
	int c = connect_to(port);
	cr_assert_geq(c, 0);
	cr_expect_gt(thread_of(c), 0, "no answer through the non-blocking socket");
	close(c);
}
