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

/* The forms besides sign-in that cost work or send email, throttled the
 * same way: per network address and per account, with counters of their
 * own (a failed sign-in does not count against /forgot). */
enum throttle_form {
	THROTTLE_FORGOT,   /* account: the email typed; every request counts */
	THROTTLE_RESET,    /* account: the link (only its hash is kept); dead links
	                      and refused passwords count */
	THROTTLE_REGISTER, /* account: the email typed; every attempt counts */
};

/* Seconds before this address or account may post the form again: 0 now,
 * < 0 on a database error. account may be NULL or empty (then only the
 * address counts). */
int64_t throttle_form_wait(db *d, enum throttle_form form, const char *account, const char *ip,
                           int64_t now);
/* Counts one attempt against the address and the account. 0 or < 0. */
int throttle_form_count(db *d, enum throttle_form form, const char *account, const char *ip,
                        int64_t now);

#endif
