/* What the client's and the staff's ticket pages show alike of a thread:
 * a message, with links to its attachments. */
#ifndef CHAMADO_WEB_THREAD_H
#define CHAMADO_WEB_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ticket.h"
#include "http/request.h"
#include "view/vm.h"

/* Sets on o the message m of th: who wrote it (from_client, from_staff,
 * from_system), its body rendered from Markdown, when, and its
 * attachments, each linked as base/attachments/ID (base: the ticket's
 * page). Sizes read in KB, or in MB from 1 MB when megabytes. The caller
 * sets the author's name. from_cc: a client-side message without a client
 * account (a CC's). */
void thread_message(struct request *req, vm_obj *o, const struct ticket_thread *th,
                    const struct message_row *m, const char *base, bool megabytes);

/* Sets the attachment limits in force that the reply forms show and
 * upload.js checks: max_files, max_mb, max_bytes, extensions(_text). */
void thread_upload_limits(struct request *req, vm_obj *page);

#endif
