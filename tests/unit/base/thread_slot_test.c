/* base/thread_slot: a thread's own object, made at its first use and freed
 * when the thread ends. */
#include "base/thread_slot.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

static atomic_int made, dropped;

static void *make(void)
{
	atomic_fetch_add(&made, 1);
	return calloc(1, sizeof(int));
}

static void drop(void *p)
{
	atomic_fetch_add(&dropped, 1);
	free(p);
}

static struct thread_slot slot = THREAD_SLOT(make, drop);
/* Both threads hold their objects at once: a freed one's address may be
 * given out again. */
static pthread_barrier_t both;

static void *use_in_thread(void *arg)
{
	int *mine = thread_slot_get(&slot);
	*mine = (int)(intptr_t)arg;
	pthread_barrier_wait(&both);
	int *again = thread_slot_get(&slot);
	/* The other thread wrote its own number into its own object. */
	return again == mine && *again == (int)(intptr_t)arg ? mine : NULL;
}

Test(thread_slot, each_thread_has_its_own_object_made_once_and_freed_at_its_end)
{
	pthread_t a, b;
	void *ra, *rb;
	cr_assert_eq(pthread_barrier_init(&both, NULL, 2), 0);
	cr_assert_eq(pthread_create(&a, NULL, use_in_thread, (void *)(intptr_t)1), 0);
	cr_assert_eq(pthread_create(&b, NULL, use_in_thread, (void *)(intptr_t)2), 0);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	cr_expect_not_null(ra, "a thread got another object on its second call");
	cr_expect_not_null(rb);
	pthread_barrier_destroy(&both);
	cr_expect_eq(atomic_load(&made), 2, "made %d times", atomic_load(&made));
	cr_expect_eq(atomic_load(&dropped), 2, "the ended threads' objects were not freed");
	int *here = thread_slot_get(&slot);
	cr_assert_not_null(here);
	cr_expect_eq(thread_slot_get(&slot), here);
	cr_expect_eq(atomic_load(&made), 3);
}
