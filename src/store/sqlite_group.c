#include "store/sqlite_group.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"

/* A batch ends when no writer waits, or at these bounds: a writer's
 * answer waits for its batch's COMMIT, so a batch never grows for long. */
enum { BATCH_MEMBERS_MAX = 64, BATCH_AGE_MAX_MS = 20, LEAVE_POLL_MS = 10 };

struct sqlite_batch {
	int refs;    /* the members still waiting for it, and the open batch */
	int members; /* parts run in it so far */
	int kept;    /* parts kept (released savepoints) */
	bool done;
	int rc; /* its COMMIT's outcome, once done */
	char error[256];
	struct timespec opened;
};

struct sqlite_group {
	struct sqlite_group *next;
	char *path;
	int users;
	sqlite_open_fn *open;
	pthread_mutex_t turn; /* held by the writer whose part runs */
	pthread_mutex_t state; /* guards what follows */
	pthread_cond_t ended;  /* a batch ended */
	int waiting;           /* writers waiting for the turn */
	sqlite_batch *open_batch;
	db *writer; /* used only by the turn's holder */
};

/* A part's savepoint statements, prepared once on the writer (its cache
 * is keyed by the SQL's address): parsed by sqlite3_exec for every part,
 * they were 3% of an opening's turn. */
static const char SAVEPOINT_SQL[] = "SAVEPOINT part";
static const char RELEASE_SQL[] = "RELEASE part";
static const char ROLLBACK_TO_SQL[] = "ROLLBACK TO part";

static int writer_run(db *w, const char *sql)
{
	return db_step_done(db_prepare(w, sql));
}

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite_group *registry;

/* The registered group of path, or NULL; under registry_lock. */
static sqlite_group *registered(const char *path)
{
	sqlite_group *g = registry;
	while (g && strcmp(g->path, path) != 0)
		g = g->next;
	return g;
}

sqlite_group *sqlite_group_get(const char *path, sqlite_open_fn *open)
{
	pthread_mutex_lock(&registry_lock);
	sqlite_group *g = registered(path);
	if (!g && (g = calloc(1, sizeof *g)) != NULL) {
		g->path = strdup(path);
		g->open = open;
		if (!g->path || pthread_mutex_init(&g->turn, NULL) != 0) {
			free(g->path);
			free(g);
			g = NULL;
		} else {
			pthread_mutex_init(&g->state, NULL);
			pthread_cond_init(&g->ended, NULL);
			g->next = registry;
			registry = g;
		}
	}
	if (g)
		g->users++;
	pthread_mutex_unlock(&registry_lock);
	return g;
}

sqlite_group *sqlite_group_find(const char *path)
{
	pthread_mutex_lock(&registry_lock);
	sqlite_group *g = registered(path);
	if (g)
		g->users++;
	pthread_mutex_unlock(&registry_lock);
	return g;
}

void sqlite_group_put(sqlite_group *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&registry_lock);
	bool last = --g->users == 0;
	if (last) {
		sqlite_group **p = &registry;
		while (*p != g)
			p = &(*p)->next;
		*p = g->next;
	}
	pthread_mutex_unlock(&registry_lock);
	if (!last)
		return;
	db_close(g->writer);
	pthread_cond_destroy(&g->ended);
	pthread_mutex_destroy(&g->state);
	pthread_mutex_destroy(&g->turn);
	free(g->path);
	free(g);
}

static void batch_unref(sqlite_batch *b)
{
	if (--b->refs == 0)
		free(b);
}

/* Ends the open batch b, in the turn: COMMIT when a part was kept, else
 * ROLLBACK. Its members are woken by members_wake, once the turn is given
 * back: woken first, they took the CPU from the writer still holding it
 * (16% of the turn's time off the CPU during openings at a million tickets). */
static void batch_end(sqlite_group *g, sqlite_batch *b)
{
	int rc = DB_OK;
	char why[sizeof b->error] = "";
	if (!db_in_transaction(g->writer)) {
		/* SQLite rolled the whole batch back on a failure (disk full, I/O). */
		rc = DB_ERROR;
		snprintf(why, sizeof why, "the transaction was rolled back by an earlier failure");
	} else if (b->kept > 0) {
		rc = db_commit(g->writer);
		if (rc < 0)
			snprintf(why, sizeof why, "%s", db_error(g->writer));
	}
	if (rc < 0 || b->kept == 0)
		db_rollback(g->writer);
	pthread_mutex_lock(&g->state);
	b->rc = rc;
	memcpy(b->error, why, sizeof why);
	b->done = true;
	g->open_batch = NULL;
	batch_unref(b);
	pthread_mutex_unlock(&g->state);
}

static void members_wake(sqlite_group *g)
{
	pthread_cond_broadcast(&g->ended);
}

/* Opens a batch on the writer, in the turn. */
static sqlite_batch *batch_begin(sqlite_group *g, int *rc, char *err, size_t errlen)
{
	if (!g->writer && !(g->writer = g->open(g->path, err, errlen))) {
		*rc = DB_ERROR;
		return NULL;
	}
	sqlite_batch *b = calloc(1, sizeof *b);
	if (!b) {
		*rc = DB_NOMEM;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*rc = db_begin_write(g->writer);
	if (*rc < 0) {
		snprintf(err, errlen, "%s", db_error(g->writer));
		free(b);
		return NULL;
	}
	b->refs = 1; /* the group's, while open */
	clock_gettime(CLOCK_MONOTONIC, &b->opened);
	pthread_mutex_lock(&g->state);
	g->open_batch = b;
	pthread_mutex_unlock(&g->state);
	return b;
}

/* The open batch, or NULL; it only changes in the turn. */
static sqlite_batch *open_batch_of(sqlite_group *g)
{
	pthread_mutex_lock(&g->state);
	sqlite_batch *b = g->open_batch;
	pthread_mutex_unlock(&g->state);
	return b;
}

/* Takes the turn, counted among the waiters, within timeout_ms. */
static int turn_take(sqlite_group *g, int timeout_ms)
{
	pthread_mutex_lock(&g->state);
	g->waiting++;
	pthread_mutex_unlock(&g->state);
	int locked = pthread_mutex_trylock(&g->turn);
	if (locked != 0) {
		struct timespec until = clock_after_ms(CLOCK_REALTIME, timeout_ms > 0 ? timeout_ms : 0);
		locked = pthread_mutex_timedlock(&g->turn, &until);
	}
	pthread_mutex_lock(&g->state);
	g->waiting--;
	pthread_mutex_unlock(&g->state);
	return locked == 0 ? 0 : DB_BUSY;
}

int sqlite_group_hold(sqlite_group *g, int timeout_ms)
{
	if (turn_take(g, timeout_ms) < 0)
		return DB_BUSY;
	sqlite_batch *b = open_batch_of(g);
	if (b) {
		batch_end(g, b);
		members_wake(g);
	}
	return 0;
}

void sqlite_group_release(sqlite_group *g)
{
	pthread_mutex_unlock(&g->turn);
}

db *sqlite_group_enter(sqlite_group *g, int timeout_ms, sqlite_batch **batch, int *rc, char *err,
                       size_t errlen)
{
	if (turn_take(g, timeout_ms) < 0) {
		*rc = DB_BUSY;
		snprintf(err, errlen, "database is locked (no turn among this process's writers within %d ms)",
		         timeout_ms);
		return NULL;
	}
	sqlite_batch *b = open_batch_of(g);
	if (!b && !(b = batch_begin(g, rc, err, errlen))) {
		pthread_mutex_unlock(&g->turn);
		return NULL;
	}
	*rc = writer_run(g->writer, SAVEPOINT_SQL);
	if (*rc < 0) {
		snprintf(err, errlen, "%s", db_error(g->writer));
		pthread_mutex_lock(&g->state);
		bool empty = b->members == 0;
		pthread_mutex_unlock(&g->state);
		if (empty)
			batch_end(g, b);
		pthread_mutex_unlock(&g->turn);
		if (empty)
			members_wake(g);
		return NULL;
	}
	pthread_mutex_lock(&g->state);
	b->members++;
	b->refs++;
	pthread_mutex_unlock(&g->state);
	*batch = b;
	return g->writer;
}

/* Closes the caller's savepoint: released when kept, else rolled back. */
static bool part_close(sqlite_group *g, bool keep)
{
	db *w = g->writer;
	if (!db_in_transaction(w))
		return false;
	if (keep && writer_run(w, RELEASE_SQL) == DB_OK)
		return true;
	if (writer_run(w, ROLLBACK_TO_SQL) < 0 || writer_run(w, RELEASE_SQL) < 0)
		db_rollback(w); /* the batch cannot go on without a clean savepoint */
	return false;
}

int sqlite_group_leave(sqlite_group *g, sqlite_batch *b, bool keep, char *err, size_t errlen)
{
	bool kept = part_close(g, keep);
	pthread_mutex_lock(&g->state);
	if (kept)
		b->kept++;
	bool hand_on = g->waiting > 0 && b->members < BATCH_MEMBERS_MAX &&
	               clock_ms_since(&b->opened) < BATCH_AGE_MAX_MS && db_in_transaction(g->writer);
	pthread_mutex_unlock(&g->state);
	if (!hand_on)
		batch_end(g, b);
	pthread_mutex_unlock(&g->turn);
	if (!hand_on)
		members_wake(g);

	pthread_mutex_lock(&g->state);
	/* A writer that meant to take the turn may give up waiting: then a
	 * member ends the batch itself. */
	while (keep && !b->done) {
		struct timespec until = clock_after_ms(CLOCK_REALTIME, LEAVE_POLL_MS);
		if (pthread_cond_timedwait(&g->ended, &g->state, &until) != ETIMEDOUT || b->done)
			continue;
		pthread_mutex_unlock(&g->state);
		if (pthread_mutex_trylock(&g->turn) == 0) {
			bool ended = open_batch_of(g) == b;
			if (ended)
				batch_end(g, b);
			pthread_mutex_unlock(&g->turn);
			if (ended)
				members_wake(g);
		}
		pthread_mutex_lock(&g->state);
	}
	int rc = DB_OK;
	if (keep && !kept) {
		rc = DB_ERROR;
		snprintf(err, errlen, "the transaction was rolled back by an earlier failure");
	} else if (keep && b->rc < 0) {
		rc = b->rc;
		snprintf(err, errlen, "%s", b->error);
	}
	batch_unref(b);
	pthread_mutex_unlock(&g->state);
	return rc;
}
