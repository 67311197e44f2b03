/* One line per event on stderr, with a timestamp. Thread-safe. */
#ifndef CHAMADO_LOG_H
#define CHAMADO_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Quiet mode hides info lines (used by CLI commands and tests). */
void log_set_quiet(int quiet);

#endif
