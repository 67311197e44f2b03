/* Random bytes: never repeated, not biased, not shared after a fork or
 * between threads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/random.h"

/* The longest run of one repeated byte in p: in random bytes, short. */
static size_t longest_run(const unsigned char *p, size_t n)
{
	size_t best = 0, run = 0;
	for (size_t i = 0; i < n; i++) {
		run = i > 0 && p[i] == p[i - 1] ? run + 1 : 1;
		if (run > best)
			best = run;
	}
	return best;
}

Test(random, draws_differ_and_look_random_across_refills)
{
	unsigned char a[32], b[32];
	random_buf(a, sizeof a);
	random_buf(b, sizeof b);
	cr_assert_neq(memcmp(a, b, sizeof a), 0, "two draws of 32 bytes are different");

	/* Past several refills of the stream: no stretch of zeros (handed
	 * out bytes are wiped) and every byte value about as often. */
	static unsigned char big[64 * 1024];
	random_buf(big, sizeof big);
	cr_assert_lt(longest_run(big, sizeof big), 8);
	unsigned counts[256] = {0};
	for (size_t i = 0; i < sizeof big; i++)
		counts[big[i]]++;
	for (int v = 0; v < 256; v++)
		cr_assert(counts[v] > 128 && counts[v] < 384, "byte %d seen %u times of ~256", v,
		          counts[v]);
}

Test(random, uniform_stays_below_its_bound_and_reaches_every_value)
{
	cr_assert_eq(random_uniform(0), 0);
	cr_assert_eq(random_uniform(1), 0);
	unsigned seen[10] = {0};
	for (int i = 0; i < 10000; i++) {
		uint32_t r = random_uniform(10);
		cr_assert_lt(r, 10);
		seen[r]++;
	}
	for (int v = 0; v < 10; v++)
		cr_assert(seen[v] > 800 && seen[v] < 1200, "%d drawn %u times of ~1000", v, seen[v]);
	/* A nine-digit ticket number's span. */
	uint32_t big = 900000000u;
	cr_assert_lt(random_uniform(big), big);
}

Test(random, a_child_process_does_not_repeat_its_parent)
{
	unsigned char warm[8];
	random_buf(warm, sizeof warm); /* the parent's stream is seeded and in use */
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		unsigned char mine[32];
		random_buf(mine, sizeof mine);
		_exit(write(fds[1], mine, sizeof mine) == sizeof mine ? 0 : 1);
	}
	unsigned char theirs[32], mine[32];
	cr_assert_eq(read(fds[0], theirs, sizeof theirs), (ssize_t)sizeof theirs);
	random_buf(mine, sizeof mine);
	int status;
	waitpid(child, &status, 0);
	cr_assert_neq(memcmp(theirs, mine, sizeof mine), 0,
	              "the child drew the bytes its parent drew next");
	close(fds[0]);
	close(fds[1]);
}

static void *draw(void *out)
{
	random_buf(out, 32);
	return NULL;
}

Test(random, threads_draw_different_bytes)
{
	unsigned char one[32], two[32];
	pthread_t a, b;
	pthread_create(&a, NULL, draw, one);
	pthread_create(&b, NULL, draw, two);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	cr_assert_neq(memcmp(one, two, sizeof one), 0);
}
