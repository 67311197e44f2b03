/* The IMAP poller: reads the departments' mailboxes (departments.imap_url,
 * imap:// or imaps://user:password@host[:port]/MAILBOX) with libcurl and
 * hands every message to mail_in_deliver, the same path as the MTA pipe.
 *
 * It remembers the highest UID it has taken per (mailbox, UIDVALIDITY)
 * (table mail_imap_state) and never looks at \Seen: a message a person
 * already read in webmail is still taken. A pass over one mailbox is a
 * named state machine:
 *   EXAMINE (read UIDVALIDITY) -> SEARCH (UIDs above the last taken)
 *   -> FETCH each, oldest first, and deliver it -> DONE
 * A message whose fetch or delivery failed stops the pass there and the
 * last UID stays before it, so the next poll takes it again (the ones
 * after it too: deduplication by Message-ID makes that harmless). A new
 * UIDVALIDITY starts again from UID 0, equally harmless. Fetching with
 * libcurl marks a message \Seen on the server. */
#ifndef CHAMADO_IMAP_POLLER_H
#define CHAMADO_IMAP_POLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/notice.h"
#include "store/db.h"

enum imap_pass_state { IMAP_EXAMINE, IMAP_SEARCH, IMAP_FETCH, IMAP_DONE, IMAP_FAILED };

enum { IMAP_PASS_MAX = 200 }; /* messages taken from a mailbox in one pass */

/* The last UID after a pass over uids[0..n) (ascending, all above
 * last_uid), of which taken[i] says whether it was stored or deliberately
 * not: the last UID of the run of taken ones from the start. Pure. */
int64_t imap_last_uid_after(int64_t last_uid, const int64_t *uids, const bool *taken, int n);

/* "* OK [UIDVALIDITY 3857529045] ..." in an EXAMINE response: the value,
 * 0 when absent or malformed. */
int64_t imap_parse_uidvalidity(const char *response);

/* "* SEARCH 4 5 9" -> the UIDs above `after`, ascending, at most max.
 * (A search for "N:*" answers the highest UID even when it is below N.) */
int imap_parse_search(const char *response, int64_t after, int64_t *uids, int max);

struct imap_poll_stats {
	int fetched;   /* messages read from the server */
	int delivered; /* of them, taken (stored, ignored, refused, duplicate) */
	int failed;    /* passes that stopped on an error */
};

/* One pass over the mailbox at url. 0, or -1 with a reason in err (the
 * server, or the database: nothing was lost, the next pass retries). */
int imap_poll_mailbox(db *d, const struct mailer *m, const char *url, int64_t now,
                      struct imap_poll_stats *st, char *err, size_t errlen);

/* One pass over every department's mailbox. The number of mailboxes whose
 * pass failed (each logged), or < 0 when the list could not be read. */
int imap_poll_all(db *d, const struct mailer *m, int64_t now, struct imap_poll_stats *st);

/* The mailbox's key for mail_imap_state: url without its password, in out.
 * 0, or -1 when url is not an imap:// or imaps:// URL. */
int imap_mailbox_key(const char *url, char *out, size_t outlen);

typedef struct imap_poller imap_poller;

/* A thread with its own connection to db_url that polls every interval_s
 * (default 60) seconds; m must outlive it. NULL with a reason in err. */
imap_poller *imap_poller_start(const char *db_url, const struct mailer *m, int interval_s,
                               char *err, size_t errlen);
/* Finishes the message in progress, joins the thread, frees p. NULL is fine. */
void imap_poller_stop(imap_poller *p);

#endif
