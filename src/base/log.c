#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int quiet;

void log_set_quiet(int q)
{
	quiet = q;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	char line[2048];
	vsnprintf(line, sizeof line, fmt, ap);
	/* One write(2) per line, under no lock of ours: it stays whole (a pipe
	 * writes up to PIPE_BUF bytes at once, and Linux serialises writes to
	 * one open file), and request threads logging each answer no longer
	 * queue behind each other on a mutex. */
	char out[sizeof line + 64];
	int n = snprintf(out, sizeof out, "%s.%03ldZ %s %s\n", stamp, ts.tv_nsec / 1000000, level, line);
	if (n < 0)
		return;
	/* out holds the longest line and its prefix: never cut, but never past it. */
	size_t len = (size_t)n < sizeof out ? (size_t)n : sizeof out - 1;
	for (size_t done = 0; done < len;) {
		ssize_t w = write(STDERR_FILENO, out + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		done += (size_t)w;
	}
}

void log_info(const char *fmt, ...)
{
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("warn", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}
