/* SQLite's WAL checkpoints on a thread of their own.
 *
 * By default the connection whose commit takes the WAL past 1,000 pages
 * copies them into the database file and fsyncs both, inside that commit:
 * at a million tickets that was 0.8 ms on average per commit, paid by
 * whichever request came along. A server instead lets one thread of its own
 * do it, woken by the commits, so requests only append to the WAL. Each
 * connection's WAL hook (sqlite_checkpoint_hook) decides: wake the thread,
 * or, with no thread for the file or when it has fallen far behind,
 * checkpoint in place as SQLite would, so the WAL never grows unbounded. */
#include "store/sqlite_checkpoint.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/db_internal.h"
#include "store/sqlite_group.h"

/* SQLite's default threshold; past BEHIND pages (the thread stuck) the
 * committer checkpoints too. The WAL starts over past RESTART_PAGES (64
 * MB): each restart holds the writers until the slowest page still reading
 * the WAL is done, 10-20 ms under load at a million tickets, so it comes a
 * few times a minute, not (at 4,000 pages) five times a second. */
enum {
	CHECKPOINT_PAGES = 1000,
	RESTART_PAGES = 16000,
	CHECKPOINT_BEHIND_PAGES = 50000,
	RESTART_WAIT_MS = 100,
	RESTART_PASSES_MAX = 4,
	RESTART_REST_PAGES = 256,
	BUSY_POLL_US = 200,
	IDLE_MS = 1000,
	GAP_MS = 100,
};

struct checkpointer {
	pthread_t thread;
	pthread_cond_t wake;
	bool due;
	bool stop;
	sqlite3 *handle;
	char *file; /* the database file, as sqlite3_db_filename gives it */
};

/* The one checkpointer of this process, and the lock that guards it and
 * its flags (the hooks run on every request thread). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct checkpointer *running;

/* The WAL starts over from its beginning while this process's writers wait
 * for the group's turn: in line, woken when it is given back, where SQLite's
 * lock would have them sleep 1, 2, 5 ... 25 ms at a time (at a million
 * tickets 29 waits in ten seconds of openings, 25 ms each). Only the
 * frames committed since the passive checkpoint are left to copy. */
static int restart(struct checkpointer *c)
{
	sqlite_group *g = sqlite_group_find(c->file);
	bool held = g && sqlite_group_hold(g, RESTART_WAIT_MS) == 0;
	int rc = sqlite3_wal_checkpoint_v2(c->handle, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	if (held)
		sqlite_group_release(g);
	sqlite_group_put(g);
	return rc;
}

/* Copies the WAL into the file without blocking anyone. Under a steady
 * load some reader always still uses the WAL, so it never starts over and
 * would only grow: past RESTART_PAGES the checkpoint also waits (writers
 * paused) until readers have moved to the file, and the WAL starts from its
 * beginning again. */
/* Writes the pages the passes copied to the disk now, while nobody waits.
 * A passive pass under load never catches up with the WAL's end, so SQLite
 * leaves the file unsynced until the restart, which syncs it with the
 * writers held: at a million tickets the ~20,000 pages left in the page
 * cache made that sync 3-16 ms of their wait, once 78 ms. */
static void file_flush(struct checkpointer *c)
{
	sqlite3_file *f = NULL;
	if (sqlite3_file_control(c->handle, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK &&
	    f && f->pMethods)
		f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
}

static void checkpoint(struct checkpointer *c)
{
	int pages = 0, copied = 0, rc = SQLITE_OK;
	/* Before a restart, passes (each flushed) until one found little new
	 * to copy: the restart copies and syncs the rest with the writers
	 * held, and at a million tickets that rest, after a single unflushed
	 * pass, held them 8-30 ms; after flushed passes, about 3. */
	for (int pass = 0; pass < RESTART_PASSES_MAX; pass++) {
		int before = copied;
		rc = sqlite3_wal_checkpoint_v2(c->handle, NULL, SQLITE_CHECKPOINT_PASSIVE, &pages,
		                               &copied);
		if (rc != SQLITE_OK || pages < RESTART_PAGES)
			break;
		file_flush(c);
		if (copied - before < RESTART_REST_PAGES)
			break;
	}
	if (rc == SQLITE_OK && pages >= RESTART_PAGES)
		rc = restart(c);
	/* Busy: another checkpoint runs, or readers stayed; the next wake tries again. */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warn("database checkpoint failed: %s", sqlite3_errmsg(c->handle));
}

/* Readers leave the WAL within a page's time: polled at that pace, not
 * SQLite's default sleeps, for at most RESTART_WAIT_MS. */
static int restart_busy(void *unused, int count)
{
	(void)unused;
	if (count >= RESTART_WAIT_MS * 1000 / BUSY_POLL_US)
		return 0;
	struct timespec pause = {.tv_nsec = BUSY_POLL_US * 1000L};
	nanosleep(&pause, NULL);
	return 1;
}

/* Past the WAL's threshold every commit wakes the thread; it checkpoints at
 * most once each GAP_MS. A page written by many commits meanwhile (an
 * index's upper pages, the outbox's last page) is then copied into the file
 * once, not once a commit, and the file and the WAL are synced once. */
static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&lock);
	while (!c->stop) {
		if (!c->due) {
			struct timespec until = clock_after_ms(CLOCK_REALTIME, IDLE_MS);
			pthread_cond_timedwait(&c->wake, &lock, &until);
			if (c->stop)
				break;
		}
		c->due = false;
		pthread_mutex_unlock(&lock);
		checkpoint(c);
		pthread_mutex_lock(&lock);
		/* The gap: wakes meanwhile only leave it due. */
		struct timespec gap_end = clock_after_ms(CLOCK_REALTIME, GAP_MS);
		while (!c->stop && pthread_cond_timedwait(&c->wake, &lock, &gap_end) == 0)
			;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int sqlite_checkpoint_hook(void *unused, sqlite3 *handle, const char *schema, int pages)
{
	(void)unused;
	if (pages < CHECKPOINT_PAGES)
		return SQLITE_OK;
	bool woken = false;
	pthread_mutex_lock(&lock);
	if (running && pages < CHECKPOINT_BEHIND_PAGES &&
	    strcmp(running->file, sqlite3_db_filename(handle, schema)) == 0) {
		running->due = true;
		pthread_cond_signal(&running->wake);
		woken = true;
	}
	pthread_mutex_unlock(&lock);
	if (!woken)
		sqlite3_wal_checkpoint_v2(handle, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void checkpointer_free(struct checkpointer *c)
{
	sqlite3_close(c->handle);
	pthread_cond_destroy(&c->wake);
	free(c->file);
	free(c);
}

int sqlite_checkpoints_start(const char *path, char *err, size_t errlen)
{
	struct checkpointer *c = calloc(1, sizeof *c);
	if (!c || pthread_cond_init(&c->wake, NULL) != 0) {
		free(c);
		snprintf(err, errlen, "checkpoints: out of memory");
		return -1;
	}
	int rc = sqlite3_open_v2(path, &c->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_handler(c->handle, restart_busy, NULL);
	/* A connection that has read nothing does not know the file is in WAL
	 * mode yet, and would checkpoint nothing. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->handle, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	const char *file = rc == SQLITE_OK ? sqlite3_db_filename(c->handle, "main") : NULL;
	if (rc != SQLITE_OK || !file || !(c->file = strdup(file))) {
		snprintf(err, errlen, "checkpoints: cannot open %s: %s", path,
		         c->handle ? sqlite3_errmsg(c->handle) : "out of memory");
		checkpointer_free(c);
		return -1;
	}
	pthread_mutex_lock(&lock);
	bool taken = running != NULL, started = false;
	if (!taken && pthread_create(&c->thread, NULL, checkpointer_main, c) == 0) {
		running = c;
		started = true;
	}
	pthread_mutex_unlock(&lock);
	if (!started) {
		snprintf(err, errlen, taken ? "checkpoints: already on a thread" : "checkpoints: no thread");
		checkpointer_free(c);
		return -1;
	}
	return 0;
}

void sqlite_checkpoints_stop(void)
{
	pthread_mutex_lock(&lock);
	struct checkpointer *c = running;
	running = NULL;
	if (c) {
		c->stop = true;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&lock);
	if (!c)
		return;
	pthread_join(c->thread, NULL);
	checkpoint(c); /* what the last commits left */
	checkpointer_free(c);
}
