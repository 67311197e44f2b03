#include "domain/kb_views.h"

#include <pthread.h>

#include "base/log.h"
#include "store/kb_store.h"

struct waiting_views {
	int64_t id, n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct waiting_views slots[KB_VIEWS_SLOTS];
static int used;
static int64_t total, first_at;

/* The slot of id, or NULL; under lock. */
static struct waiting_views *find(int64_t id)
{
	for (int i = 0; i < used; i++)
		if (slots[i].id == id)
			return &slots[i];
	return NULL;
}

/* The slot of id, taken when it has none; NULL when every slot is taken
 * by other articles. Under lock. */
static struct waiting_views *find_or_add(int64_t id)
{
	struct waiting_views *v = find(id);
	if (!v && used < KB_VIEWS_SLOTS) {
		v = &slots[used++];
		*v = (struct waiting_views){id, 0};
	}
	return v;
}

int64_t kb_views_note(int64_t id, int64_t now, bool *due)
{
	pthread_mutex_lock(&lock);
	struct waiting_views *v = find_or_add(id);
	int64_t n = 0;
	if (v) {
		if (total == 0)
			first_at = now;
		n = ++v->n;
		total++;
	}
	*due = v && (total >= KB_VIEWS_BATCH || now - first_at >= KB_VIEWS_WAIT_S);
	pthread_mutex_unlock(&lock);
	return n;
}

int64_t kb_views_waiting(int64_t id)
{
	pthread_mutex_lock(&lock);
	const struct waiting_views *v = find(id);
	int64_t n = v ? v->n : 0;
	pthread_mutex_unlock(&lock);
	return n;
}

/* Puts views taken for a write that failed back with the ones noted since. */
static void put_back(const struct waiting_views *taken, int n, int64_t at)
{
	pthread_mutex_lock(&lock);
	/* They waited since at: the batch is due as soon as theirs was. */
	if (total == 0 || at < first_at)
		first_at = at;
	for (int i = 0; i < n; i++) {
		struct waiting_views *v = find_or_add(taken[i].id);
		if (v) {
			v->n += taken[i].n;
			total += taken[i].n;
		}
	}
	pthread_mutex_unlock(&lock);
}

int kb_views_write(db *d)
{
	struct waiting_views taken[KB_VIEWS_SLOTS];
	pthread_mutex_lock(&lock);
	int n = used;
	int64_t at = first_at;
	for (int i = 0; i < n; i++)
		taken[i] = slots[i];
	used = 0;
	total = 0;
	pthread_mutex_unlock(&lock);
	if (n == 0)
		return 0;
	int rc = db_begin_write(d);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = store_kb_article_views_add(d, taken[i].id, taken[i].n);
	if (rc >= 0)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc < 0) {
		log_warn("KB views: %s", db_error(d));
		put_back(taken, n, at);
	}
	return rc < 0 ? rc : 0;
}
