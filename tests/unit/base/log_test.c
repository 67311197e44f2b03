/* The log: lines written by many threads at once stay whole, each with its
 * time and level, into a pipe (as under systemd) and into a file; access
 * lines too, which wait in their thread's buffer. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

enum { THREADS = 8, LINES = 400 };

/* Whether the threads log access lines (buffered) instead of info lines. */
static bool access_lines;

static void *log_lines(void *arg)
{
	int id = (int)(intptr_t)arg;
	const char *pad = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	for (int i = 0; i < LINES; i++) {
		if (access_lines)
			log_access("thread %d line %d %s end", id, i, pad);
		else
			log_info("thread %d line %d %s end", id, i, pad);
	}
	return NULL;
}

/* Logs from THREADS threads with stderr on fd, then puts stderr back. */
static void log_from_threads_into(int fd)
{
	int saved = dup(STDERR_FILENO);
	cr_assert_geq(saved, 0);
	cr_assert_geq(dup2(fd, STDERR_FILENO), 0);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, log_lines, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	cr_assert_geq(dup2(saved, STDERR_FILENO), 0);
	close(saved);
}

/* Every line: "YYYY-MM-DDTHH:MM:SS.mmmZ info thread T line L xxx... end",
 * each (T, L) exactly once. */
static void expect_whole_lines(FILE *in)
{
	static char seen[THREADS][LINES];
	memset(seen, 0, sizeof seen);
	char line[512];
	int count = 0;
	while (fgets(line, sizeof line, in)) {
		int t, l, n = 0;
		size_t len = strlen(line);
		cr_assert(len > 1 && line[len - 1] == '\n', "a line cut short: %s", line);
		cr_assert(len > 25 && line[4] == '-' && line[10] == 'T' && line[23] == 'Z', "no time: %s", line);
		cr_assert_eq(sscanf(line + 25, "info thread %d line %d %*s end\n%n", &t, &l, &n), 2, "%s", line);
		cr_assert(n > 0 && line[25 + n] == '\0', "two lines run together: %s", line);
		cr_assert(t >= 0 && t < THREADS && l >= 0 && l < LINES && !seen[t][l], "%s", line);
		seen[t][l] = 1;
		count++;
	}
	cr_assert_eq(count, THREADS * LINES);
}

static void expect_whole_lines_in_a_pipe(void)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	/* The reader drains while the threads write: the pipe holds 64 KiB. */
	FILE *in = fdopen(p[0], "r");
	cr_assert_not_null(in);
	pid_t child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		fclose(in);
		log_from_threads_into(p[1]);
		_exit(0);
	}
	close(p[1]);
	expect_whole_lines(in);
	fclose(in);
}

static void expect_whole_lines_in_a_file(void)
{
	char path[] = "/tmp/chamado-log-test-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	log_from_threads_into(fd);
	FILE *in = fdopen(fd, "r");
	cr_assert_not_null(in);
	rewind(in);
	expect_whole_lines(in);
	fclose(in);
}

Test(log, lines_from_many_threads_stay_whole_in_a_pipe)
{
	expect_whole_lines_in_a_pipe();
}

Test(log, lines_from_many_threads_stay_whole_in_a_file)
{
	expect_whole_lines_in_a_file();
}

/* Each thread's buffer goes out when it fills and when the thread ends. */
Test(log, access_lines_from_many_threads_stay_whole_in_a_pipe)
{
	access_lines = true;
	expect_whole_lines_in_a_pipe();
}

Test(log, access_lines_from_many_threads_stay_whole_in_a_file)
{
	access_lines = true;
	expect_whole_lines_in_a_file();
}

static bool file_holds(int fd, const char *text)
{
	char got[4096];
	ssize_t n = pread(fd, got, sizeof got - 1, 0);
	if (n <= 0)
		return false;
	got[n] = '\0';
	return strstr(got, text) != NULL;
}

/* A thread that logs one answer and then nothing more: its line still
 * reaches the log within seconds, and at once on log_flush. */
Test(log, a_lone_access_line_is_written_within_seconds_and_at_once_when_flushed)
{
	char path[] = "/tmp/chamado-log-test-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	int saved = dup(STDERR_FILENO);
	cr_assert_geq(dup2(fd, STDERR_FILENO), 0);
	log_access("GET /lone 200 12us");
	bool seen = false;
	for (int i = 0; i < 200 && !seen; i++) { /* ten seconds at most */
		struct timespec pause = {.tv_nsec = 50 * 1000000L};
		nanosleep(&pause, NULL);
		seen = file_holds(fd, "info GET /lone 200 12us\n");
	}
	log_access("GET /flushed 200 7us");
	log_flush();
	bool flushed = file_holds(fd, "info GET /flushed 200 7us\n");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	cr_assert(seen, "the lone line never came");
	cr_assert(flushed, "log_flush left the line waiting");
}
