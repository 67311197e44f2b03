/* A real SMTP server for tests: Debian's aiosmtpd, which stores every email
 * it accepts as one file in DIR/new/ (a Maildir). Header-only, included by
 * the tests that need it. Each test process starts its own on a free port
 * and stops it in its fini. */
#ifndef CHAMADO_TEST_SMTP_SINK_H
#define CHAMADO_TEST_SMTP_SINK_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct smtp_sink {
	pid_t pid; /* 0 when down */
	bool pipelining; /* set before sink_start: see sink_pipelining_code */
	int port;
	char dir[256]; /* the Maildir */
	char url[64];  /* smtp://127.0.0.1:PORT */
};

/* A port nobody listens on right now (the kernel picks it). */
static inline int sink_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	          getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	close(fd);
	return ntohs(a.sin_port);
}

static inline bool sink_accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Picks a port and a Maildir under parent, without starting anything. */
static inline void sink_prepare(struct smtp_sink *s, const char *parent)
{
	s->pid = 0;
	s->pipelining = false;
	s->port = sink_free_port();
	snprintf(s->dir, sizeof s->dir, "%s/sink", parent);
	snprintf(s->url, sizeof s->url, "smtp://127.0.0.1:%d", s->port);
}

/* The sink that offers PIPELINING (aiosmtpd takes pipelined commands but
 * does not say so): it refuses recipients whose address begins with
 * "refused", and marks each stored email "X-Pipelined: yes" when its DATA
 * command had arrived with its MAIL FROM, before MAIL was answered. */
static const char sink_pipelining_code[] =
    "import sys\n"
    "from aiosmtpd.handlers import Mailbox\n"
    "from aiosmtpd.main import main\n"
    "class Pipelining(Mailbox):\n"
    "    async def handle_EHLO(self, server, session, envelope, hostname, responses):\n"
    "        session.host_name = hostname\n"
    "        return responses[:-1] + ['250-PIPELINING'] + responses[-1:]\n"
    "    async def handle_MAIL(self, server, session, envelope, address, options):\n"
    "        envelope.mail_from = address\n"
    "        session.pipelined = b'DATA' in bytes(server._reader._buffer)\n"
    "        return '250 OK'\n"
    "    async def handle_RCPT(self, server, session, envelope, address, options):\n"
    "        if address.startswith('refused'):\n"
    "            return '550 5.1.1 no such mailbox'\n"
    "        envelope.rcpt_tos.append(address)\n"
    "        return '250 OK'\n"
    "    def prepare_message(self, session, envelope):\n"
    "        message = super().prepare_message(session, envelope)\n"
    "        message['X-Pipelined'] = 'yes' if session.pipelined else 'no'\n"
    "        return message\n"
    "main(sys.argv[1:])\n";

/* Starts aiosmtpd on s->port and waits (up to 20 s) until it accepts. */
static inline void sink_start(struct smtp_sink *s)
{
	char listen[32];
	snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
	char *plain[] = {"/usr/bin/python3",          "-m",   "aiosmtpd", "-n", "-l", listen, "-c",
	                 "aiosmtpd.handlers.Mailbox", s->dir, NULL};
	char *piped[] = {"/usr/bin/python3", "-c", (char *)sink_pipelining_code, "-n", "-l", listen,
	                 "-c", "__main__.Pipelining", s->dir, NULL};
	char **argv = s->pipelining ? piped : plain;
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&s->pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	cr_assert_eq(rc, 0, "cannot start aiosmtpd: %s", strerror(rc));
	for (int i = 0; i < 400 && !sink_accepts(s->port); i++) {
		cr_assert_eq(waitpid(s->pid, NULL, WNOHANG), 0, "aiosmtpd exited at start");
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	cr_assert(sink_accepts(s->port), "aiosmtpd does not listen on %d", s->port);
}

static inline void sink_stop(struct smtp_sink *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

/* Calls each(path, data) for every email in the Maildir; returns how many. */
static inline int sink_each(const struct smtp_sink *s, void (*each)(const char *path, void *data),
                            void *data)
{
	char dir[300];
	snprintf(dir, sizeof dir, "%s/new", s->dir);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[600];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (each)
			each(path, data);
		count++;
	}
	closedir(d);
	return count;
}

/* A whole file, NUL-terminated; the caller frees. */
static inline char *sink_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)len + 1);
	cr_assert_not_null(data);
	cr_assert_eq(fread(data, 1, (size_t)len, f), (size_t)len);
	data[len] = '\0';
	fclose(f);
	return data;
}

#endif
