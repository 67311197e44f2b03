/* The domain's notices (domain/notice.h) as emails: each kind is rendered
 * from its templates under templates/email/ in the recipient's language and
 * queued in the outbox, in the caller's transaction. Ticket emails carry the
 * threading headers and the hidden reference (domain/ticket_ref.h), plus
 * Auto-Submitted: auto-generated. */
#ifndef CHAMADO_MAIL_NOTICE_H
#define CHAMADO_MAIL_NOTICE_H

#include "domain/notice.h"
#include "view/template.h"

/* What every email needs to know about the installation; built once by the
 * application and outliving the notifiers made from it. */
struct mailer {
	const tpl_set *templates;
	const i18n_catalog *catalog; /* for texts computed in C (labels) */
	const char *mail_from;
	const char *base_url; /* links in emails start here */
	const char *company;
};

/* A notifier that queues emails composed with m. */
struct notifier mail_notifier(const struct mailer *m);

#endif
