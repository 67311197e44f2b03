/* Throttling of sign-in attempts, stored in the database so every app node
 * counts the same failures. A key ("client:maria@…", "ip:203.0.113.9") may
 * fail max_failures times in a sliding window; then it waits until the
 * oldest failure leaves the window. */
#ifndef CHAMADO_THROTTLE_H
#define CHAMADO_THROTTLE_H

#include <stdint.h>

#include "store/db.h"

struct throttle_rule {
	int max_failures;
	int window_seconds;
};

extern const struct throttle_rule THROTTLE_ACCOUNT; /* 5 failures in 15 minutes */
extern const struct throttle_rule THROTTLE_IP;      /* 30 failures in 15 minutes */

/* Seconds to wait before key may try again: 0 when it may try now, < 0 on
 * a database error. */
int64_t throttle_wait(db *d, const char *key, const struct throttle_rule *rule, int64_t now);
int throttle_fail(db *d, const char *key, int64_t now);
int throttle_reset(db *d, const char *key);

#endif
