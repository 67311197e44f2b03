#include "jobs/search_indexer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "domain/ticket_search.h"
#include "jobs/wakeup.h"
#include "store/db.h"

/* Documents rewritten per transaction: enough to share a commit among a
 * burst of openings, few enough that the write lock is held only for
 * milliseconds. */
enum { INDEX_BATCH = 32 };
/* After a wake, the indexer waits this long so that a burst of changes
 * lands in one batch instead of one transaction each. */
enum { GATHER_MS = 20 };
/* After a batch that took T, it rests REST_FACTOR * T: a ticket replied
 * to without pause has its whole text (up to TICKET_SEARCH_DOC_MAX)
 * rewritten at each batch, and at 10,000 messages that took 44% of the
 * two cores from the replies themselves; the longer the rest, the more of
 * a busy ticket's replies one rewrite takes in (a search still sees every
 * change: it catches up first, ticket_search_match). With 2, the indexer
 * still took a sixth of the CPU of replies over 64 tickets. */
enum { REST_FACTOR = 4 };
/* Only marks this old are taken (ticket_search_catch_up_settled): a busy
 * ticket's text is then rewritten at most about once a second, for all the
 * replies of that second, where rests alone still left ten rewrites a
 * second of each of 64 tickets replied to at once. */
enum { SETTLE_MS = 1000 };
/* A batch ends after this much rewriting: on SQLite every other writer of
 * the file waits for it (one writer at a time), and a busy ticket's text
 * nears TICKET_SEARCH_DOC_MAX. With 32 such documents a batch held the
 * replies over 64 tickets up to 42 ms (half a second of every ten), which
 * was their p99. */
enum { BATCH_BUDGET_MS = 2 };

struct search_indexer {
	pthread_t thread;
	struct wakeup wakeup;
	int poll_ms;
	db *d;
};

static void pause_ms(int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static void *loop(void *arg)
{
	struct search_indexer *x = arg;
	while (!atomic_load(&x->wakeup.stop)) {
		int n = 0;
		for (;;) {
			struct timespec started;
			clock_gettime(CLOCK_MONOTONIC, &started);
			if (atomic_load(&x->wakeup.stop))
				break;
			n = ticket_search_catch_up_settled(x->d, INDEX_BATCH, SETTLE_MS,
			                                   BATCH_BUDGET_MS);
			if (n <= 0)
				break;
			pause_ms((int)(REST_FACTOR * clock_ms_since(&started)));
		}
		if (n < 0)
			log_error("search indexer: %s", db_error(x->d));
		wakeup_wait(&x->wakeup, x->poll_ms);
		pause_ms(GATHER_MS);
	}
	return NULL;
}

search_indexer *search_indexer_start(const char *db_url, int poll_ms, char *err, size_t errlen)
{
	struct search_indexer *x = calloc(1, sizeof *x);
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->poll_ms = poll_ms > 0 ? poll_ms : 1000;
	x->d = db_open(db_url, err, errlen);
	if (!x->d) {
		free(x);
		return NULL;
	}
	if (wakeup_thread_start(&x->wakeup, &x->thread, loop, x) < 0) {
		snprintf(err, errlen, "cannot start the search indexer's thread");
		db_close(x->d);
		free(x);
		return NULL;
	}
	return x;
}

void search_indexer_wake(search_indexer *x)
{
	if (x)
		wakeup_wake(&x->wakeup);
}

void search_indexer_stop(search_indexer *x)
{
	if (!x)
		return;
	wakeup_thread_stop(&x->wakeup, x->thread);
	db_close(x->d);
	free(x);
}
