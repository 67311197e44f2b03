/* A message of a ticket's thread as both ticket pages show it. */
#include "web/thread.h"

#include <string.h>

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
	/* The client's side without a client account: a CC of the ticket. */
	vm_set_bool(o, "from_cc", str_eq(m->author_kind, "client") && m->author_client_id == 0);
	/* A client account other than the ticket's: one of its contacts. */
	vm_set_bool(o, "from_contact", str_eq(m->author_kind, "client") && m->author_client_id > 0 &&
	                                   th->client_id > 0 && m->author_client_id != th->client_id);
	vm_set_trusted_html(o, "body", page_message_markdown(req, m->id, m->body));
	page_time(req, o, "at", m->created_at);
	add_attachments(o, th, m->id, base, megabytes);
}

/* "jpg,png" as "jpg, png" for people. */
static const char *extensions_text(struct request *req, const char *list)
{
	size_t n = strlen(list);
	char *out = arena_alloc(req->arena, n * 2 + 1);
	if (!out)
		return list;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		out[j++] = list[i];
		if (list[i] == ',')
			out[j++] = ' ';
	}
	out[j] = '\0';
	return out;
}

void thread_upload_limits(struct request *req, vm_obj *page)
{
	struct attachment_limits l;
	ticket_attachment_limits(req_db(req), req->arena, &l);
	vm_set_int(page, "max_files", l.max_files);
	vm_set_int(page, "max_mb", (int64_t)(l.max_bytes >> 20));
	vm_set_int(page, "max_bytes", (int64_t)l.max_bytes);
	vm_set_text(page, "extensions", l.extensions);
	vm_set_text(page, "extensions_text", extensions_text(req, l.extensions));
}
