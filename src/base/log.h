/* One line per event on stderr, with a timestamp. Thread-safe. */
#ifndef CHAMADO_LOG_H
#define CHAMADO_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An info line that may wait in its thread's buffer, written with others
 * when the buffer fills and at least once a second (like a web server's
 * buffered access log): a request thread answering tens of thousands of
 * requests a second then makes one write(2) for dozens of lines, not one
 * each. Lost only if the process dies within that second. */
void log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes every thread's waiting lines now (at shutdown). */
void log_flush(void);
/* Quiet mode hides info lines (used by CLI commands and tests). */
void log_set_quiet(int quiet);

#endif
