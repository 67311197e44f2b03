/* Customer satisfaction (CSAT, issue 17): when a ticket closes (or, by the
 * admin's choice, after every staff reply) the client gets one email, "Como
 * você avalia o atendimento?", with two links (Bom / Ruim). Each link
 * carries a signed token for that one ticket, so it works without signing
 * in; a click records the rating and offers a comment box. One rating per
 * ticket, changeable for 7 days after it was first given. A bad rating with
 * a comment can notify the department. */
#ifndef CHAMADO_CSAT_H
#define CHAMADO_CSAT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/notice.h"
#include "store/csat_store.h"
#include "store/db.h"
#include "store/ticket_store.h"

enum csat_trigger { CSAT_ON_CLOSE = 0, CSAT_ON_REPLY = 1, CSAT_OFF = 2 };
struct csat_settings {
	enum csat_trigger trigger;
	bool notify_bad; /* a bad rating with a comment emails the department */
};
void csat_settings_load(db *d, struct csat_settings *s);
int csat_settings_save(db *d, const struct csat_settings *s);

/* The notifier for changes whose domain function has none of its own
 * (ticket_update closes tickets); the application sets it once at start. */
void csat_set_notifier(const struct notifier *n);

enum csat_event { CSAT_CLOSED, CSAT_STAFF_REPLIED };
/* After t was closed or publicly answered by staff, in that change's
 * transaction: queues the survey when the settings ask for one. n NULL:
 * the notifier set above. 0 or < 0. */
int csat_after_change(db *d, const struct notifier *n, const struct ticket_row *t,
                      enum csat_event ev, int64_t now);

enum { CSAT_TOKEN_MAX = 72, CSAT_CHANGE_DAYS = 7, CSAT_TOKEN_DAYS = 60 };
/* The survey token of ticket number, issued at `issued`. 0 or < 0. */
int csat_token_make(db *d, int64_t number, int64_t issued, char out[CSAT_TOKEN_MAX]);

enum csat_result {
	CSAT_OK = 0,
	CSAT_NOT_FOUND = 1, /* a token that is not one (or expired): nothing said */
	CSAT_INVALID = 2,   /* a rating other than good / bad */
	CSAT_LOCKED = 3,    /* rated more than 7 days ago: it stays */
};
struct csat_view {
	int64_t number;
	const char *label; /* the number people see (ticket_number.h) */
	const char *subject, *company_hint;
	const char *rating, *comment; /* "" when none yet */
	bool locked;
};
/* Records rating ("good" / "bad") for the token's ticket; comment NULL
 * keeps the one given before. Fills v (strings in a) also when locked.
 * n: for the department's notice on a bad rating with a comment. */
int csat_rate(db *d, const struct notifier *n, const char *token, const char *rating,
              const char *comment, int64_t now, arena *a, struct csat_view *v);
/* The rating of a ticket for the staff page: 1, 0 none, < 0. */
int csat_for_ticket(db *d, int64_t ticket_id, arena *a, struct csat_row *row);
void csat_for_ticket_prefetch(db *d, int64_t ticket_id);

#endif
