#include "mail/smtp_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mail/smtp.h"

enum {
	PIPE_LINE_MAX = 4096,  /* an answer's line; RFC 5321 allows 512 */
	PIPE_RCPT_MAX = 200,   /* recipients of one email on this path */
	PIPE_EXPECT_MAX = 512, /* answers awaited: two emails' commands and a RSET */
};

/* What an awaited answer answers. */
enum expect_kind { EXPECT_MAIL, EXPECT_RCPT, EXPECT_DATA, EXPECT_CONTENT, EXPECT_IGNORED };

struct expect {
	enum expect_kind kind;
	struct smtp_email *email;
};

struct smtp_pipe {
	int fd;
	bool broken;
	int timeout_s;
	long last_progress_s; /* the last byte read or written */
	/* Bytes still to write. */
	char *out;
	size_t out_len, out_sent, out_cap;
	/* Bytes read and not yet taken as lines. */
	char in[PIPE_LINE_MAX];
	size_t in_start, in_len;
	struct expect expected[PIPE_EXPECT_MAX];
	int expected_head, expected_n;
	/* The email whose commands are out, until DATA's answer. */
	struct {
		struct smtp_email *email;
		bool mail_ok;
		int rcpt_ok;
		char reason[SMTP_ERROR_MAX];
	} group;
	struct smtp_email *content; /* its content is out, its answer awaited */
};

static long monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

static void set_reason(char *to, const char *what, const char *text)
{
	snprintf(to, SMTP_ERROR_MAX, "%s%s", what, text);
}

static void email_done(struct smtp_email *e, const char *what, const char *text)
{
	if (!what) {
		e->rc = 0;
		e->err[0] = '\0';
		return;
	}
	e->rc = -1;
	set_reason(e->err, what, text ? text : "");
}

/* Fails what is under way with reason; the connection is of no more use. */
static void pipe_break(smtp_pipe *p, const char *reason)
{
	if (p->group.email)
		email_done(p->group.email, reason, NULL);
	if (p->content)
		email_done(p->content, reason, NULL);
	p->group.email = NULL;
	p->content = NULL;
	p->expected_n = 0;
	p->out_len = p->out_sent = 0;
	p->broken = true;
}

/* Makes room for n more bytes to write; false (the connection broken)
 * when memory ran out. */
static bool out_reserve(smtp_pipe *p, size_t n)
{
	if (p->out_len + n <= p->out_cap)
		return true;
	size_t cap = p->out_cap ? p->out_cap : 8192;
	while (cap < p->out_len + n)
		cap *= 2;
	char *grown = realloc(p->out, cap);
	if (!grown) {
		pipe_break(p, "out of memory");
		return false;
	}
	p->out = grown;
	p->out_cap = cap;
	return true;
}

static void out_put(smtp_pipe *p, const char *data, size_t n)
{
	if (!out_reserve(p, n))
		return;
	memcpy(p->out + p->out_len, data, n);
	p->out_len += n;
}

static void out_command(smtp_pipe *p, const char *verb, const char *address)
{
	out_put(p, verb, strlen(verb));
	if (address) {
		out_put(p, address, strlen(address));
		out_put(p, ">", 1);
	}
	out_put(p, "\r\n", 2);
}

/* The content, each line that begins with '.' given one more (RFC 5321
 * 4.5.2), ended by CRLF if it was not, and the lone '.' that ends it. */
static void out_content(smtp_pipe *p, const char *data, size_t len)
{
	/* One more byte for each line that begins with a dot. */
	size_t dots = 0;
	for (const char *q = data, *end = data + len; q < end;) {
		dots += *q == '.';
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		q = nl ? nl + 1 : end;
	}
	if (!out_reserve(p, len + dots + 5))
		return;
	char *o = p->out + p->out_len;
	for (const char *q = data, *end = data + len; q < end;) {
		if (*q == '.')
			*o++ = '.';
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = (size_t)((nl ? nl + 1 : end) - q);
		memcpy(o, q, n);
		o += n, q += n;
	}
	if (len == 0 || data[len - 1] != '\n')
		*o++ = '\r', *o++ = '\n';
	memcpy(o, ".\r\n", 3);
	p->out_len = (size_t)(o + 3 - p->out);
}

static void expect(smtp_pipe *p, enum expect_kind kind, struct smtp_email *e)
{
	int at = (p->expected_head + p->expected_n++) % PIPE_EXPECT_MAX;
	p->expected[at] = (struct expect){kind, e};
}

/* Writes what waits, as far as the socket takes it now. */
static void pipe_flush(smtp_pipe *p)
{
	while (!p->broken && p->out_sent < p->out_len) {
		ssize_t n = send(p->fd, p->out + p->out_sent, p->out_len - p->out_sent,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p->out_sent += (size_t)n;
			p->last_progress_s = monotonic_s();
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else {
			pipe_break(p, "the connection to the SMTP server failed while sending");
		}
	}
	p->out_len = p->out_sent = 0;
	if (p->out_cap > (1u << 20)) { /* a large email's copy is not kept */
		free(p->out);
		p->out = NULL;
		p->out_cap = 0;
	}
}

/* The next whole line read (CRLF or LF cut off, NUL-terminated in place):
 * 1, 0 when none is whole yet, -1 when a line is longer than the buffer. */
static int next_line(smtp_pipe *p, char **line)
{
	char *start = p->in + p->in_start;
	char *nl = memchr(start, '\n', p->in_len - p->in_start);
	if (!nl) {
		if (p->in_start > 0) { /* room for the rest of the line */
			memmove(p->in, start, p->in_len - p->in_start);
			p->in_len -= p->in_start;
			p->in_start = 0;
		}
		return p->in_len == sizeof p->in ? -1 : 0;
	}
	p->in_start = (size_t)(nl + 1 - p->in);
	if (nl > start && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	*line = start;
	return 1;
}

/* A line's answer code, or -1 when it is not "DDD", "DDD text" or "DDD-text". */
static int line_code(const char *line)
{
	for (int i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return -1;
	if (line[3] != '\0' && line[3] != ' ' && line[3] != '-')
		return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* DATA's answer decides whether the content goes. */
static void on_data(smtp_pipe *p, struct smtp_email *e, int code, const char *text)
{
	bool takers = p->group.mail_ok && p->group.rcpt_ok > 0;
	if (code == 354 && takers) {
		out_content(p, e->message, e->len);
		expect(p, EXPECT_CONTENT, e);
		p->content = e;
	} else if (code == 354) { /* no recipient, yet the server waits for content */
		out_put(p, ".\r\n", 3);
		expect(p, EXPECT_IGNORED, NULL);
		email_done(e, p->group.reason, NULL);
	} else {
		email_done(e, takers ? "DATA refused: " : p->group.reason, takers ? text : NULL);
		if (p->group.mail_ok) { /* the transaction the server holds ends */
			out_put(p, "RSET\r\n", 6);
			expect(p, EXPECT_IGNORED, NULL);
		}
	}
	p->group.email = NULL;
}

/* One whole answer (text: its last line) to the oldest command awaiting one. */
static void on_answer(smtp_pipe *p, int code, const char *text)
{
	if (p->expected_n == 0 || code == 421) {
		char reason[SMTP_ERROR_MAX];
		set_reason(reason, "the SMTP server closed the connection: ", text);
		pipe_break(p, reason);
		return;
	}
	struct expect x = p->expected[p->expected_head];
	p->expected_head = (p->expected_head + 1) % PIPE_EXPECT_MAX;
	p->expected_n--;
	bool ok = code / 100 == 2;
	switch (x.kind) {
	case EXPECT_MAIL:
		p->group.mail_ok = ok;
		if (!ok)
			set_reason(p->group.reason, "MAIL FROM refused: ", text);
		break;
	case EXPECT_RCPT:
		p->group.rcpt_ok += ok;
		if (!ok && p->group.mail_ok)
			set_reason(p->group.reason, "no recipient taken: ", text);
		break;
	case EXPECT_DATA: on_data(p, x.email, code, text); break;
	case EXPECT_CONTENT:
		email_done(x.email, ok ? NULL : "the message was refused: ", text);
		p->content = NULL;
		break;
	case EXPECT_IGNORED: break;
	}
}

/* Takes every whole answer read so far. */
static void take_answers(smtp_pipe *p)
{
	char *line;
	int got;
	while (!p->broken && (got = next_line(p, &line)) != 0) {
		int code = got > 0 ? line_code(line) : -1;
		if (code < 0) {
			pipe_break(p, "the SMTP server's answer is not SMTP");
			return;
		}
		if (line[3] != '-')
			on_answer(p, code, line);
	}
}

/* Reads what came, without waiting. */
static void pipe_read(smtp_pipe *p)
{
	while (!p->broken) {
		size_t room = sizeof p->in - p->in_len;
		ssize_t n = recv(p->fd, p->in + p->in_len, room, MSG_DONTWAIT);
		if (n > 0) {
			p->in_len += (size_t)n;
			p->last_progress_s = monotonic_s();
			take_answers(p);
			if ((size_t)n < room) /* the socket is most likely empty */
				return;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else {
			pipe_break(p, n == 0 ? "the SMTP server closed the connection"
			                     : "the connection to the SMTP server failed");
		}
	}
}

void smtp_pipe_read(smtp_pipe *p, short revents)
{
	if (!p->broken && (revents & (POLLIN | POLLERR | POLLHUP)))
		pipe_read(p);
}

void smtp_pipe_flush(smtp_pipe *p)
{
	if (p->broken)
		return;
	pipe_flush(p);
	if (!p->broken && !smtp_pipe_idle(p) && monotonic_s() - p->last_progress_s > p->timeout_s)
		pipe_break(p, "the SMTP server did not answer in time");
}

void smtp_pipe_start(smtp_pipe *p, struct smtp_email *e)
{
	if (e->rcpt_count > PIPE_RCPT_MAX) {
		email_done(e, "too many recipients for one email", NULL);
		return;
	}
	if (smtp_pipe_idle(p))
		p->last_progress_s = monotonic_s();
	p->group.email = e;
	p->group.mail_ok = false;
	p->group.rcpt_ok = 0;
	set_reason(p->group.reason, "no recipient taken", "");
	out_command(p, "MAIL FROM:<", e->from);
	expect(p, EXPECT_MAIL, e);
	for (int i = 0; i < e->rcpt_count; i++) {
		out_command(p, "RCPT TO:<", e->rcpt_addresses[i]);
		expect(p, EXPECT_RCPT, e);
	}
	out_command(p, "DATA", NULL);
	expect(p, EXPECT_DATA, e);
}

bool smtp_pipe_can_take(const smtp_pipe *p)
{
	return !p->broken && !p->group.email;
}

bool smtp_pipe_idle(const smtp_pipe *p)
{
	/* A broken pipe has failed its emails: nothing of it is under way. An
	 * answer still awaited (to a RSET) keeps it busy, or the check before
	 * its reuse would take that answer for the server's goodbye. */
	return p->broken || (!p->group.email && !p->content && p->expected_n == 0);
}

bool smtp_pipe_broken(const smtp_pipe *p)
{
	return p->broken;
}

bool smtp_pipe_alive(smtp_pipe *p)
{
	if (p->broken)
		return false;
	if (!smtp_pipe_idle(p))
		return true;
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
	if (poll(&pfd, 1, 0) == 0)
		return true;
	/* Anything now is the end: EOF, or a 421 said before closing. */
	pipe_break(p, "the SMTP server closed the connection");
	return false;
}

int smtp_pipe_fd(const smtp_pipe *p)
{
	return p->fd;
}

short smtp_pipe_events(const smtp_pipe *p)
{
	return (short)(POLLIN | (p->out_sent < p->out_len ? POLLOUT : 0));
}

void smtp_pipe_close(smtp_pipe *p)
{
	if (!p)
		return;
	if (!p->broken) {
		pipe_break(p, "the connection was closed");
		(void)send(p->fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	close(p->fd);
	free(p->out);
	free(p);
}

/* ---- opening: connect, greeting, EHLO, each waited for ---- */

/* A connected socket to host:port within timeout_s, or -1 with err. */
static int connect_to(const char *host, int port, int timeout_s, char *err, size_t errlen)
{
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list;
	int gai = getaddrinfo(host, service, &hints, &list);
	if (gai != 0) {
		snprintf(err, errlen, "cannot resolve the SMTP server %s: %s", host,
		         gai_strerror(gai));
		return -1;
	}
	int fd = -1, why = 0;
	for (struct addrinfo *a = list; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            a->ai_protocol);
		if (fd < 0) {
			why = errno;
			continue;
		}
		int rc = connect(fd, a->ai_addr, a->ai_addrlen);
		if (rc < 0 && errno == EINPROGRESS) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			socklen_t len = sizeof why;
			rc = poll(&pfd, 1, timeout_s * 1000) == 1 &&
			             getsockopt(fd, SOL_SOCKET, SO_ERROR, &why, &len) == 0 &&
			             why == 0
			         ? 0
			         : -1;
			if (rc < 0 && why == 0)
				why = ETIMEDOUT;
		} else if (rc < 0) {
			why = errno;
		}
		if (rc < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(list);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to the SMTP server %s:%d: %s", host, port,
		         strerror(why));
		return -1;
	}
	int one = 1; /* commands are written whole: Nagle would only hold them back */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* What EHLO's answer offers. */
struct offer {
	bool pipelining, starttls;
};

/* Waits for one whole answer (until deadline_s): its code, its last line
 * into text, and the keywords of its lines into offer when not NULL. */
static int answer_wait(smtp_pipe *p, long deadline_s, struct offer *offer, char *text,
                       size_t textlen)
{
	for (;;) {
		char *line;
		int got = next_line(p, &line);
		int code = got > 0 ? line_code(line) : -1;
		if (got != 0 && code < 0)
			return -1;
		if (got > 0 && offer && strlen(line) > 4) {
			const char *keyword = line + 4;
			size_t len = strcspn(keyword, " ");
			offer->pipelining |=
			    len == 10 && strncasecmp(keyword, "PIPELINING", 10) == 0;
			offer->starttls |= len == 8 && strncasecmp(keyword, "STARTTLS", 8) == 0;
		}
		if (got > 0 && line[3] != '-') {
			snprintf(text, textlen, "%s", line);
			return code;
		}
		if (got > 0)
			continue;
		long left = deadline_s - monotonic_s();
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		if (left < 0 || poll(&pfd, 1, (int)left * 1000 + 1) != 1)
			return -1;
		ssize_t n = recv(p->fd, p->in + p->in_len, sizeof p->in - p->in_len, MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			return -1;
		p->in_len += n > 0 ? (size_t)n : 0;
	}
}

/* The name this host gives in EHLO. */
static void ehlo_name(char *name, size_t len)
{
	if (gethostname(name, len) != 0 || !*name || strpbrk(name, " \r\n"))
		snprintf(name, len, "localhost");
	name[len - 1] = '\0';
}

enum smtp_pipe_opened smtp_pipe_open(const char *host, int port, int connect_s, int answer_s,
                                     smtp_pipe **out, char *err, size_t errlen)
{
	*out = NULL;
	int fd = connect_to(host, port, connect_s, err, errlen);
	if (fd < 0)
		return SMTP_PIPE_FAILED;
	smtp_pipe *p = calloc(1, sizeof *p);
	if (!p) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return SMTP_PIPE_FAILED;
	}
	p->fd = fd;
	p->timeout_s = answer_s;
	long deadline = monotonic_s() + connect_s;
	char text[SMTP_ERROR_MAX], name[256], ehlo[300];
	int code = answer_wait(p, deadline, NULL, text, sizeof text);
	if (code != 220) {
		snprintf(err, errlen, "the SMTP server did not greet: %s",
		         code < 0 ? "no answer" : text);
		smtp_pipe_close(p);
		return SMTP_PIPE_FAILED;
	}
	ehlo_name(name, sizeof name);
	int n = snprintf(ehlo, sizeof ehlo, "EHLO %s\r\n", name);
	struct offer offer = {0};
	if (send(fd, ehlo, (size_t)n, MSG_NOSIGNAL) != n ||
	    (code = answer_wait(p, deadline, &offer, text, sizeof text)) < 0) {
		snprintf(err, errlen, "the SMTP server did not answer EHLO");
		smtp_pipe_close(p);
		return SMTP_PIPE_FAILED;
	}
	if (code != 250 || !offer.pipelining || offer.starttls) {
		smtp_pipe_close(p);
		return SMTP_PIPE_UNSUITED;
	}
	p->last_progress_s = monotonic_s();
	*out = p;
	return SMTP_PIPE_OPEN;
}
