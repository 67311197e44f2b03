#include "domain/throttle.h"

#include "store/session_store.h"

const struct throttle_rule THROTTLE_ACCOUNT = {5, 15 * 60};
const struct throttle_rule THROTTLE_IP = {30, 15 * 60};

int64_t throttle_wait(db *d, const char *key, const struct throttle_rule *rule, int64_t now)
{
	int64_t count = 0, oldest = 0;
	int rc = store_attempt_failures(d, key, now - rule->window_seconds, &count, &oldest);
	if (rc < 0)
		return rc;
	if (count < rule->max_failures)
		return 0;
	int64_t wait = oldest + rule->window_seconds - now;
	return wait > 0 ? wait : 1;
}

int throttle_fail(db *d, const char *key, int64_t now)
{
	return store_attempt_add(d, key, 0, now);
}

int throttle_reset(db *d, const char *key)
{
	return store_attempt_clear(d, key);
}
