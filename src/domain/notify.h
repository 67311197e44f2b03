/* Queuing emails rendered from templates, in the caller's transaction.
 * What every email needs to know about the installation travels in a
 * struct mailer, built once by the application. */
#ifndef CHAMADO_NOTIFY_H
#define CHAMADO_NOTIFY_H

#include <stdint.h>

#include "domain/outbox.h"
#include "store/db.h"
#include "view/template.h"

struct mailer {
	const tpl_set *templates;
	const i18n_catalog *catalog; /* for texts computed in C (labels) */
	const char *mail_from;
	const char *base_url; /* links in emails start here */
	const char *company;
};

/* Renders templates/email/<name>.* in lang with ctx (given `company` here)
 * and queues it to `to`. 0, or < 0 when rendering or queuing failed. */
int notify_queue(db *d, const struct mailer *m, const char *name, enum lang lang, vm_obj *ctx,
                 const char *to, const char *to_name, int64_t ticket_id);

#endif
