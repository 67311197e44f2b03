/* The entry point of every unit-test executable: Criterion's usual one, with
 * a default timeout for every test that sets none (nor its suite), so a test
 * that hangs fails with Criterion's "Timed out" instead of blocking make
 * check. Criterion 2.4's own --timeout only lowers timeouts tests already
 * have, so the default is written into each test here; --timeout N on the
 * command line still lowers it.
 *
 * tests/run-all runs each test in its own runner with --jobs 1, so the
 * runner forks exactly once, before any test has run (see the comment there
 * on Criterion's threads and AddressSanitizer's locks across fork). It also
 * starts the runner with AddressSanitizer keeping no allocation stacks, so
 * no thread of the runner ever holds the stack depot's locks (a worker
 * forked while nanomsg's thread held one spun forever), and hands the
 * worker, which starts afresh with exec, the full options in
 * CHAMADO_UNIT_WORKER_ASAN_OPTIONS. A test executable run by hand does the
 * same for itself: it starts again (exec) with those options, so a runner
 * started from a shell cannot spin forever either (seen: a helper's
 * test_domain_ticket_cc --jobs 1, 8 minutes in the stack depot's lock). */
#include <criterion/criterion.h>
#include <criterion/internal/ordered-set.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { UNIT_TEST_DEFAULT_TIMEOUT_SECONDS = 180 };

static void give_every_test_a_timeout(struct criterion_test_set *tests, double seconds)
{
	FOREACH_SET(struct criterion_suite_set *suite, tests->suites) {
		if (suite->suite.data && suite->suite.data->timeout > 0)
			continue;
		if (!suite->tests)
			continue;
		FOREACH_SET(struct criterion_test *test, suite->tests) {
			if (test->data->timeout <= 0)
				test->data->timeout = seconds;
		}
	}
}

/* With CHAMADO_UNIT_TEST=suite/name, only that test runs (the others are
 * disabled). tests/run-all uses it instead of --filter, whose pattern
 * matching costs seconds per runner under AddressSanitizer. */
static void select_one_test(struct criterion_test_set *tests, const char *id)
{
	FOREACH_SET(struct criterion_suite_set *suite, tests->suites) {
		if (!suite->tests)
			continue;
		size_t len = strlen(suite->suite.name);
		bool suite_matches = strncmp(id, suite->suite.name, len) == 0 && id[len] == '/';
		FOREACH_SET(struct criterion_test *test, suite->tests) {
			if (!suite_matches || strcmp(id + len + 1, test->name) != 0)
				test->data->disabled = true;
		}
	}
}

/* Outside tests/run-all: starts this runner again with AddressSanitizer
 * keeping no allocation stacks, the worker's options saved for it. Returns
 * only when that is already so, or exec failed (then it runs as it is). */
static void start_as_run_all_does(char *argv[])
{
	if (getenv("CHAMADO_UNIT_WORKER_ASAN_OPTIONS"))
		return;
	const char *asan = getenv("ASAN_OPTIONS");
	char runner[2048];
	snprintf(runner, sizeof runner, "%s%smalloc_context_size=0", asan ? asan : "",
	         asan && *asan ? ":" : "");
	setenv("CHAMADO_UNIT_WORKER_ASAN_OPTIONS", asan && *asan ? asan : "malloc_context_size=30", 1);
	setenv("ASAN_OPTIONS", runner, 1);
	execv("/proc/self/exe", argv);
}

int main(int argc, char *argv[])
{
	/* argon2id at its smallest limits, as in tests/run-all (domain/password.h). */
	setenv("CHAMADO_TEST_WEAK_PASSWORD_HASHING", "1", 0);
	start_as_run_all_does(argv);
	struct criterion_test_set *tests = criterion_initialize();
	give_every_test_a_timeout(tests, UNIT_TEST_DEFAULT_TIMEOUT_SECONDS);
	const char *only = getenv("CHAMADO_UNIT_TEST");
	if (only && *only)
		select_one_test(tests, only);
	const char *worker_options = getenv("CHAMADO_UNIT_WORKER_ASAN_OPTIONS");
	if (worker_options && *worker_options)
		setenv("ASAN_OPTIONS", worker_options, 1);
	int result = 0;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
