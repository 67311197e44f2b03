/* Turns: a limit on how many hold one, and on how many may wait. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/turns.h"

Test(turns, past_the_limit_a_caller_waits_or_is_refused)
{
	struct turns t = TURNS_INIT(2, 0);
	cr_assert_eq(turns_take(&t), 0);
	cr_assert_eq(turns_take(&t), 0);
	cr_assert_eq(turns_take(&t), -1, "both taken and no one may wait");
	int running, waiting;
	turns_load(&t, &running, &waiting);
	cr_assert_eq(running, 2);
	cr_assert_eq(waiting, 0);
	turns_give(&t);
	cr_assert_eq(turns_take(&t), 0, "a turn given back is taken again");
	turns_give(&t);
	turns_give(&t);
	turns_load(&t, &running, &waiting);
	cr_assert_eq(running, 0);
}

static struct turns one = TURNS_INIT(1, -1);
static atomic_int inside, most_inside;

static void *hold_a_turn(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		cr_assert_eq(turns_take(&one), 0, "any number may wait");
		int now = atomic_fetch_add(&inside, 1) + 1;
		int most = atomic_load(&most_inside);
		while (now > most && !atomic_compare_exchange_weak(&most_inside, &most, now))
			;
		usleep(100);
		atomic_fetch_sub(&inside, 1);
		turns_give(&one);
	}
	return NULL;
}

Test(turns, threads_take_turns_one_at_a_time)
{
	enum { THREADS = 6 };
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, hold_a_turn, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	cr_assert_eq(atomic_load(&most_inside), 1);
	cr_assert_eq(atomic_load(&inside), 0);
}
