/* A message of a ticket's thread as both ticket pages show it. */
#include "web/thread.h"

#include "base/str.h"
#include "domain/attachment.h"
#include "web/page.h"

static void add_attachments(vm_obj *msg, const struct ticket_thread *th, int64_t message_id,
                            const char *base, bool megabytes)
{
	vm_list *list = NULL;
	for (int i = 0; i < th->nattachments; i++) {
		const struct attachment_row *a = &th->attachments[i];
		if (a->message_id != message_id)
			continue;
		if (!list) {
			list = vm_set_list(msg, "attachments");
			vm_set_bool(msg, "has_attachments", true);
		}
		vm_obj *o = vm_list_add(list);
		vm_set_text(o, "name", a->name);
		vm_set_textf(o, "url", "%s/attachments/%lld", base, (long long)a->id);
		vm_set_bool(o, "image", attachment_is_image(a->content_type));
		if (megabytes && a->size >= 1 << 20)
			vm_set_textf(o, "size", "%.1f MB", (double)a->size / (1 << 20));
		else
			vm_set_textf(o, "size", "%lld KB", (long long)((a->size + 1023) / 1024));
	}
}

void thread_message(struct request *req, vm_obj *o, const struct ticket_thread *th,
                    const struct message_row *m, const char *base, bool megabytes)
{
	vm_set_bool(o, "from_client", str_eq(m->author_kind, "client"));
	vm_set_bool(o, "from_staff", str_eq(m->author_kind, "staff"));
	vm_set_bool(o, "from_system", str_eq(m->author_kind, "system"));
	vm_set_trusted_html(o, "body", page_markdown(req, m->body));
	page_time(req, o, "at", m->created_at);
	add_attachments(o, th, m->id, base, megabytes);
}
