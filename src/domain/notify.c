#include "domain/notify.h"

#include "mail/compose.h"

int notify_queue(db *d, const struct mailer *m, const char *name, enum lang lang, vm_obj *ctx,
                 const char *to, const char *to_name, int64_t ticket_id)
{
	vm_set_text(ctx, "company", m->company);
	vm_set_text(ctx, "base_url", m->base_url);
	struct mail mail = {.to = to, .to_name = to_name, .auto_generated = true, .ticket_id = ticket_id};
	if (mail_compose(m->templates, name, lang, ctx, &mail) < 0)
		return DB_ERROR;
	int64_t id = outbox_enqueue(d, &mail, m->mail_from, NULL);
	return id < 0 ? (int)id : 0;
}
