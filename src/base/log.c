#include "base/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int quiet;

/* A line's room: the longest message and its prefix. A buffer is at most
 * PIPE_BUF, so that its one write stays whole on a pipe too. */
enum { LINE_MAX_BYTES = 2048 + 64, ACCESS_BUFFER_BYTES = 4096, ACCESS_FLUSH_MS = 1000 };
_Static_assert(LINE_MAX_BYTES <= ACCESS_BUFFER_BYTES, "a line fits in a buffer");

/* One thread's waiting access lines. The thread appends under its own
 * lock, which only the flusher ever contends for. */
struct access_buffer {
	pthread_mutex_t lock;
	struct access_buffer *next;
	size_t len;
	int64_t first_ms; /* when its oldest waiting line came */
	char data[ACCESS_BUFFER_BYTES];
};

static pthread_mutex_t buffers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct access_buffer *buffers;
static pthread_key_t buffer_key;
static pthread_once_t buffer_once = PTHREAD_ONCE_INIT;
static bool flusher_started;

void log_set_quiet(int q)
{
	quiet = q;
}

static void write_all(const char *p, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t w = write(STDERR_FILENO, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		done += (size_t)w;
	}
}

/* The line as written: "stamp level message\n" into out; its length. */
static size_t format_line(char *out, size_t size, const char *level, const char *fmt, va_list ap)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	char line[2048];
	vsnprintf(line, sizeof line, fmt, ap);
	int n = snprintf(out, size, "%s.%03ldZ %s %s\n", stamp, ts.tv_nsec / 1000000, level, line);
	if (n < 0)
		return 0;
	/* out holds the longest line and its prefix: never cut, but never past it. */
	return (size_t)n < size ? (size_t)n : size - 1;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
	/* One write(2) per line, under no lock of ours: it stays whole (a pipe
	 * writes up to PIPE_BUF bytes at once, and Linux serialises writes to
	 * one open file). */
	char out[LINE_MAX_BYTES];
	write_all(out, format_line(out, sizeof out, level, fmt, ap));
}

static int64_t monotonic_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Writes b's lines; under b->lock. Whole lines only, so they stay whole
 * beside other threads' writes as single lines do. */
static void buffer_write(struct access_buffer *b)
{
	write_all(b->data, b->len);
	b->len = 0;
}

void log_flush(void)
{
	pthread_mutex_lock(&buffers_lock);
	for (struct access_buffer *b = buffers; b; b = b->next) {
		pthread_mutex_lock(&b->lock);
		if (b->len)
			buffer_write(b);
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_unlock(&buffers_lock);
}

/* A quiet thread's lines still go out within about a second. */
static void *flusher_main(void *unused)
{
	(void)unused;
	for (;;) {
		struct timespec pause = {.tv_sec = ACCESS_FLUSH_MS / 1000,
		                         .tv_nsec = (long)(ACCESS_FLUSH_MS % 1000) * 1000000L};
		nanosleep(&pause, NULL);
		log_flush();
	}
	return NULL;
}

/* A thread that ends writes its lines and gives its buffer back. */
static void buffer_release(void *arg)
{
	struct access_buffer *b = arg;
	pthread_mutex_lock(&buffers_lock);
	struct access_buffer **p = &buffers;
	while (*p && *p != b)
		p = &(*p)->next;
	if (*p)
		*p = b->next;
	pthread_mutex_unlock(&buffers_lock);
	if (b->len)
		buffer_write(b);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void buffer_key_create(void)
{
	pthread_key_create(&buffer_key, buffer_release);
}

/* This thread's buffer, made and registered at its first line; NULL when
 * out of memory (the line is then written alone). */
static struct access_buffer *thread_buffer(void)
{
	pthread_once(&buffer_once, buffer_key_create);
	struct access_buffer *b = pthread_getspecific(buffer_key);
	if (b)
		return b;
	b = malloc(sizeof *b);
	if (!b)
		return NULL;
	pthread_mutex_init(&b->lock, NULL);
	b->len = 0;
	b->first_ms = 0;
	if (pthread_setspecific(buffer_key, b) != 0) {
		pthread_mutex_destroy(&b->lock);
		free(b);
		return NULL;
	}
	pthread_mutex_lock(&buffers_lock);
	b->next = buffers;
	buffers = b;
	bool start = !flusher_started;
	flusher_started = true;
	pthread_mutex_unlock(&buffers_lock);
	pthread_t t;
	if (start && pthread_create(&t, NULL, flusher_main, NULL) == 0)
		pthread_detach(t);
	return b;
}

void log_access(const char *fmt, ...)
{
	if (quiet)
		return;
	char out[LINE_MAX_BYTES];
	va_list ap;
	va_start(ap, fmt);
	size_t len = format_line(out, sizeof out, "info", fmt, ap);
	va_end(ap);
	struct access_buffer *b = thread_buffer();
	if (!b) {
		write_all(out, len);
		return;
	}
	int64_t now = monotonic_ms();
	pthread_mutex_lock(&b->lock);
	if (b->len + len > sizeof b->data)
		buffer_write(b);
	if (b->len == 0)
		b->first_ms = now;
	memcpy(b->data + b->len, out, len);
	b->len += len;
	if (now - b->first_ms >= ACCESS_FLUSH_MS)
		buffer_write(b);
	pthread_mutex_unlock(&b->lock);
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
