/* Ticket emails as one conversation. Every email about a ticket carries
 *   - In-Reply-To: the client's last message that came in by email, else
 *     the ticket's first email we sent; References: both of them, so mail
 *     clients thread the conversation;
 *   - a hidden reference "Ref: T482913-1a2b3c4d5e6f" (the ticket number and
 *     an HMAC of it under the installation's secret, the `mail_ref_secret`
 *     setting created on first use), shown by the ticket_* templates as
 *     `ref`: a line of the text part and an invisible span of the HTML one.
 *     A reply through a provider that rewrites Message-IDs still finds its
 *     ticket by it (mail/mail_in.c); the sender is checked all the same.
 * Domain functions that queue a ticket's emails call mail_thread_notify in
 * place of notify_queue. */
#ifndef CHAMADO_MAIL_THREAD_H
#define CHAMADO_MAIL_THREAD_H

#include <stdint.h>

#include "domain/notify.h"
#include "store/db.h"

enum { MAIL_REF_MAX = 48 };

/* The reference of ticket number into out. 0, or < 0 (database). */
int mail_thread_ref(db *d, int64_t number, char out[MAIL_REF_MAX]);

/* The ticket number of the first valid reference in text, 0 when none,
 * < 0 on a database error. A reference whose HMAC does not match is not one. */
int64_t mail_thread_find_ref(db *d, const char *text);

/* As notify_queue (same arguments, same results), with the threading
 * headers, Auto-Submitted: auto-generated, X-Auto-Response-Suppress: All,
 * and `ref` set in ctx. ticket_id > 0. */
int mail_thread_notify(db *d, const struct mailer *m, const char *name, enum lang lang,
                       vm_obj *ctx, const char *to, const char *to_name, int64_t ticket_id);

#endif
