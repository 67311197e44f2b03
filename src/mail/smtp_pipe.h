/* One plain SMTP connection that pipelines (RFC 2920): an email's MAIL,
 * RCPT and DATA go out in one write, and its content goes out together
 * with the next email's commands, so a stream of emails costs one round
 * trip each instead of four. Used by smtp.c's sessions for a server that
 * offers PIPELINING and no STARTTLS (a relay or sink on the same host or
 * network); every other server goes through libcurl.
 *
 * Non-blocking after smtp_pipe_open: the caller polls smtp_pipe_fd for
 * smtp_pipe_events, calls smtp_pipe_read, which finishes emails by setting
 * their rc and err, starts what it can, then calls smtp_pipe_flush. At most two emails are under
 * way at once: one whose content waits for its last answer, one whose commands do. */
#ifndef CHAMADO_SMTP_PIPE_H
#define CHAMADO_SMTP_PIPE_H

#include <stdbool.h>
#include <stddef.h>

struct smtp_email;
typedef struct smtp_pipe smtp_pipe;

enum smtp_pipe_opened {
	SMTP_PIPE_OPEN,     /* *out is a connection ready for emails */
	SMTP_PIPE_UNSUITED, /* the server does not pipeline, or offers TLS: use libcurl */
	SMTP_PIPE_FAILED,   /* no connection: the reason is in err */
};

/* Connects to host:port (waiting at most connect_s for the connection,
 * the greeting and the answer to EHLO) and learns what the server offers.
 * Later, a server silent for answer_s while an email waits fails it. */
enum smtp_pipe_opened smtp_pipe_open(const char *host, int port, int connect_s, int answer_s,
                                     smtp_pipe **out, char *err, size_t errlen);
/* Says QUIT without waiting and closes; NULL is fine. Emails under way
 * fail with "the connection was closed". */
void smtp_pipe_close(smtp_pipe *p);

/* Whether another email's commands may go out now. */
bool smtp_pipe_can_take(const smtp_pipe *p);
/* No email under way and no answer awaited. */
bool smtp_pipe_idle(const smtp_pipe *p);
/* The connection failed or the server closed it: its emails have failed
 * and the caller closes it and opens another for the next ones. */
bool smtp_pipe_broken(const smtp_pipe *p);
/* Whether the server still holds the connection: for one with no email
 * under way, it did not close it or say 421 since its last email. */
bool smtp_pipe_alive(smtp_pipe *p);

/* Queues e's commands (e's addresses are checked by the caller; the
 * content must end in CRLF or gets one). Only when smtp_pipe_can_take;
 * they go out with the next smtp_pipe_flush, together with any content
 * that answers let go meanwhile. */
void smtp_pipe_start(smtp_pipe *p, struct smtp_email *e);

int smtp_pipe_fd(const smtp_pipe *p);
short smtp_pipe_events(const smtp_pipe *p); /* POLLIN, and POLLOUT while bytes wait */
/* Reads the answers that came (revents as poll gave them, or POLLIN to
 * look without having polled) and finishes the emails they decide; an
 * email's content is queued once DATA is answered. */
void smtp_pipe_read(smtp_pipe *p, short revents);
/* Writes what is queued, as far as the socket takes it now. An email whose
 * server stays silent for the timeout given to smtp_pipe_open fails, and
 * the connection with it. */
void smtp_pipe_flush(smtp_pipe *p);

#endif
