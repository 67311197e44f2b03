/* Turns: a limit on how many hold one, and on how many may wait. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
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

static struct turns queue = TURNS_INIT(1, -1);
static atomic_int order[4], order_len;

static void wait_for_waiters(int n)
{
	int running, waiting;
	do {
		usleep(200);
		turns_load(&queue, &running, &waiting);
	} while (waiting < n);
}

static void *take_record_give(void *arg)
{
	cr_assert_eq(turns_take(&queue), 0);
	atomic_store(&order[atomic_fetch_add(&order_len, 1)], (int)(intptr_t)arg);
	turns_give(&queue);
	return NULL;
}

/* A turn given back goes to the one who has waited longest, also when the
 * giver asks again at once: no caller waits for ever behind new ones. */
Test(turns, turns_go_in_the_order_they_were_asked_for)
{
	cr_assert_eq(turns_take(&queue), 0);
	pthread_t a, b;
	cr_assert_eq(pthread_create(&a, NULL, take_record_give, (void *)(intptr_t)1), 0);
	wait_for_waiters(1);
	cr_assert_eq(pthread_create(&b, NULL, take_record_give, (void *)(intptr_t)2), 0);
	wait_for_waiters(2);
	turns_give(&queue);
	take_record_give((void *)(intptr_t)3);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	cr_assert_eq(atomic_load(&order_len), 3);
	cr_assert_eq(atomic_load(&order[0]), 1);
	cr_assert_eq(atomic_load(&order[1]), 2);
	cr_assert_eq(atomic_load(&order[2]), 3, "who asks again queues behind those waiting");
}
