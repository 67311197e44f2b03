#include "domain/api_token.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "base/thread_copy.h"
#include "domain/audit.h"
#include "store/account_store.h"
#include "store/mail_store.h"
#include "store/settings_store.h"

/* last_used_at is written at most this often per token: a busy token
 * should not turn every read into a write of its row. */
enum { TOKEN_TOUCH_EVERY = 60 };

/* Commits when rc is 0, else rolls back; rc, or the commit's error. */
static int finish(db *d, int rc)
{
	if (rc == 0 && (rc = db_commit(d)) == 0)
		return 0;
	db_rollback(d);
	return rc;
}

/* Makes the token once staff is known to be an active staff member, with
 * its audit record, in the caller's transaction. */
static int create(db *d, const struct actor *actor, const struct account_row *staff,
                  const char *name, int64_t now, char token[TOKEN_LEN + 1], int64_t *id)
{
	char trimmed[API_TOKEN_NAME_MAX * 4 + 1];
	if (!name || strlen(name) >= sizeof trimmed)
		return API_TOKEN_BAD_NAME;
	snprintf(trimmed, sizeof trimmed, "%s", name);
	str_trim(trimmed);
	if (!*trimmed || !str_utf8_valid(trimmed, strlen(trimmed)) ||
	    str_utf8_length(trimmed) > API_TOKEN_NAME_MAX)
		return API_TOKEN_BAD_NAME;
	char hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	struct audit_snapshot snap;
	int rc = audit_begin(d, &snap, "token", 0);
	int64_t new_id = rc == 0 ? store_api_token_insert(d, staff->id, trimmed, hash, now) : rc;
	if (new_id < 0) {
		buf_free(&snap.before);
		return (int)new_id;
	}
	rc = audit_end(d, &snap, actor, new_id, now);
	if (rc == 0)
		*id = new_id;
	return rc;
}

/* Looks the staff member up and creates, in one transaction. */
static int create_in_transaction(db *d, const struct actor *actor, const char *email,
                                 int64_t staff_id, const char *name, int64_t now,
                                 char token[TOKEN_LEN + 1], int64_t *id)
{
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct account_row staff;
	rc = email ? store_account_get_by_email(d, "staff", email, &staff)
	           : store_account_get(d, "staff", staff_id, &staff);
	if (rc >= 0)
		rc = rc == 0 || !staff.active ? API_TOKEN_NO_STAFF
		                              : create(d, actor, &staff, name, now, token, id);
	if (rc > 0) { /* refused: nothing was written */
		db_rollback(d);
		return rc;
	}
	return finish(d, rc);
}

int api_token_create(db *d, const struct actor *actor, const char *staff_email, const char *name,
                     int64_t now, char token[TOKEN_LEN + 1], int64_t *id)
{
	return create_in_transaction(d, actor, staff_email ? staff_email : "", 0, name, now, token, id);
}

int api_token_create_for(db *d, const struct actor *actor, int64_t staff_id, const char *name,
                         int64_t now, char token[TOKEN_LEN + 1], int64_t *id)
{
	return create_in_transaction(d, actor, NULL, staff_id, name, now, token, id);
}

int api_token_list(db *d, arena *a, struct api_token_row *rows, int max)
{
	return store_api_token_list(d, a, rows, max);
}

int api_token_revoke(db *d, const struct actor *actor, int64_t id, int64_t now)
{
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "token", id);
	int revoked = rc == 0 ? store_api_token_revoke(d, id, now) : rc;
	if (revoked <= 0) {
		buf_free(&snap.before);
		db_rollback(d);
		return revoked;
	}
	rc = finish(d, audit_end(d, &snap, actor, id, now));
	return rc < 0 ? rc : 1;
}

int api_token_authenticate(db *d, const char *email, const char *token, int64_t now,
                           struct session *s, int64_t *token_id)
{
	if (!token_well_formed(token))
		return 0;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct api_token_row row;
	int rc = store_api_token_by_hash(d, hash, a, &row);
	if (rc == 1 && (row.revoked_at || !row.staff_active || (email && !str_case_eq(email, row.staff_email))))
		rc = 0;
	if (rc == 1) {
		memset(s, 0, sizeof *s);
		s->kind = ACCOUNT_STAFF;
		s->user_id = row.staff_id;
		s->admin = str_eq(row.role, "admin");
		snprintf(s->name, sizeof s->name, "%s", row.staff_name);
		snprintf(s->email, sizeof s->email, "%s", row.staff_email);
		snprintf(s->language, sizeof s->language, "%s", row.language);
		*token_id = row.id;
		if (now - row.last_used_at >= TOKEN_TOUCH_EVERY && store_api_token_touch(d, row.id, now) < 0)
			rc = DB_ERROR;
	}
	arena_free(a);
	return rc;
}

int api_rate_limit(db *d)
{
	/* Read at most every few seconds per thread: every request needs it. */
	static _Thread_local int cached;
	static _Thread_local struct thread_copy copy;
	time_t now = time(NULL);
	if (!thread_copy_fresh(&copy, d, now, 5, 0)) {
		char value[24];
		int64_t n;
		store_setting_get(d, "api_rate_limit", "", value, sizeof value);
		cached = str_to_int64(value, 1, API_RATE_MAX, &n) ? (int)n : API_RATE_DEFAULT;
		thread_copy_taken(&copy, d, now, 0);
	}
	return cached;
}

int api_rate_limit_set(db *d, const struct actor *actor, const char *typed, bool *valid, int64_t now)
{
	int64_t n;
	char value[24];
	snprintf(value, sizeof value, "%s", typed ? typed : "");
	str_trim(value);
	*valid = str_to_int64(value, 1, API_RATE_MAX, &n);
	if (!*valid)
		return 0;
	snprintf(value, sizeof value, "%lld", (long long)n);
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "settings", 0);
	if (rc == 0)
		rc = store_setting_set(d, "api_rate_limit", value);
	if (rc == 0)
		return finish(d, audit_end(d, &snap, actor, 0, now));
	buf_free(&snap.before);
	db_rollback(d);
	return rc;
}

/* The hits of this process not yet added to the shared counter, per token:
 * a batch of them is written at once, so that a busy token's reads do not
 * each become a write. Within a batch of the limit, every hit is written,
 * so the limit itself is exact on one node and off by at most a batch per
 * other node. */
enum { RATE_SLOTS = 256, RATE_BATCH = 32 };
struct rate_slot {
	int64_t token_id, window, shared, pending;
};
static struct rate_slot rate_slots[RATE_SLOTS];
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;

/* The token's slot for this window (locked), reset when the window moved;
 * NULL when the table is full of other tokens of this window. */
static struct rate_slot *rate_slot(int64_t token_id, int64_t window)
{
	struct rate_slot *free_slot = NULL;
	for (int i = 0; i < RATE_SLOTS; i++) {
		int k = (int)(((uint64_t)token_id + (uint64_t)i) % RATE_SLOTS);
		struct rate_slot *r = &rate_slots[k];
		if (r->token_id == token_id) {
			if (r->window != window)
				*r = (struct rate_slot){token_id, window, 0, 0};
			return r;
		}
		if (!free_slot && (r->token_id == 0 || r->window != window))
			free_slot = r;
	}
	if (free_slot)
		*free_slot = (struct rate_slot){token_id, window, 0, 0};
	return free_slot;
}

int api_rate_take(db *d, int64_t token_id, int64_t now, int64_t *retry_after)
{
	int64_t window = now - now % 60;
	int limit = api_rate_limit(d);
	int64_t flush = 1, seen = 0;
	pthread_mutex_lock(&rate_lock);
	struct rate_slot *r = rate_slot(token_id, window);
	if (r) {
		r->pending++;
		seen = r->shared + r->pending;
		flush = seen + RATE_BATCH >= limit || r->pending >= RATE_BATCH ? r->pending : 0;
		r->pending -= flush;
	}
	pthread_mutex_unlock(&rate_lock);
	if (flush) {
		char key[48];
		snprintf(key, sizeof key, "api:%lld", (long long)token_id);
		int64_t total = store_rate_limit_add(d, key, window, flush);
		if (total < 0)
			return (int)total;
		pthread_mutex_lock(&rate_lock);
		r = rate_slot(token_id, window);
		if (r && total > r->shared)
			r->shared = total;
		seen = r ? r->shared + r->pending : total;
		pthread_mutex_unlock(&rate_lock);
	}
	if (seen <= limit)
		return 1;
	*retry_after = window + 60 - now;
	return 0;
}
