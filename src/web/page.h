/* Rendering a page inside the layout, and the small helpers every handler
 * shares. */
#ifndef CHAMADO_PAGE_H
#define CHAMADO_PAGE_H

#include <time.h>

#include "app.h"
#include "http/request.h"
#include "view/vm.h"

struct app *req_app(struct request *req);
/* This request's language. */
enum lang req_lang(struct request *req);
/* The translation of msgid in this request's language. */
const char *tr(struct request *req, const char *msgid);
/* This thread's database connection; NULL when unreachable. */
db *req_db(struct request *req);

/* A view model with what the layout needs (branding, language, menu).
 * title is a msgid or already-translated text; section marks the menu item
 * ("home", "new", "tickets", "kb"); NULL when nothing is current. */
vm_obj *page_new(struct request *req, const char *title, const char *section);
/* Sends page_new's own reads (the menu's open-ticket count) ahead, with the
 * handler's (db_prefetch), so that they share one round trip. */
void page_prefetch(struct request *req);
/* Gives page_new the menu's open-ticket count, which the handler's rows
 * showed whole (the client's first page of open tickets): no count read. */
void page_open_tickets_known(struct request *req, int open);
struct ticket_row;
/* Sets "number" (the ticket's key, for links) and "label" (what people
 * see after "#": its display number, domain/ticket_number.h) on o. */
void page_ticket_number(vm_obj *o, const struct ticket_row *t);
/* Renders templates/<name>.html inside the layout and answers status.
 * A failed render answers 500. */
void page_render(struct request *req, int status, const char *name, vm_obj *page);

/* Markdown source as safe HTML in the arena (the escaped source in a
 * <pre> if rendering fails); never NULL. */
const char *page_markdown(struct request *req, const char *src);
/* The same for a ticket message, kept rendered for the next time
 * (view/markdown_cache.h). */
const char *page_message_markdown(struct request *req, int64_t message_id, const char *src);
/* The same for a KB article's body: read far more often than edited, and
 * an edited body is rendered again (the cache checks the text). */
const char *page_article_markdown(struct request *req, int64_t article_id, const char *src);

/* Sets name (relative: "há 5 minutos") and name_exact (the date and time)
 * and name_iso for a Unix time. */
void page_time(struct request *req, vm_obj *o, const char *name, int64_t t);
/* A local time as "31/12/2026 23:59" (pt_br) or "2026-12-31 23:59"; and as
 * "2026-12-31T23:59:59-0300" (strftime's "%Y-%m-%dT%H:%M:%S%z"). */
const char *page_format_minute(arena *a, const struct tm *tm, bool pt_br);
const char *page_format_iso(arena *a, const struct tm *tm);
/* A count's text from its translated format: "há %ld horas" and 3 make
 * "há 3 horas". NULL when out of memory. */
const char *page_count_text(arena *a, const char *fmt, long n);

struct attachment_row;
/* Answers with an attachment's bytes: its detected type, the safe name,
 * Content-Disposition attachment (inline for images when ?inline=1). */
void web_send_attachment(struct request *req, const struct attachment_row *a);

struct attachment_in;
/* The uploads of one form field, as the domain takes files (in a; *n of
 * them). NULL when out of memory. */
struct attachment_file *web_upload_files(const struct upload *uploads, const char *field, arena *a,
                                        int *n);
/* Checks the files of the form's "attachments" field against the limits in
 * force. Returns how many (*files in the arena), or < 0 with a readable
 * message in *error (the file's name and the limit). */
int web_take_attachments(struct request *req, struct attachment_in **files, const char **error);

/* Error pages. */
void web_error_page(struct request *req, int status);
/* 403: the form's CSRF token did not match; nothing was changed. */
void web_csrf_failed(struct request *req);
/* 503 with Retry-After and a page that says to try again in a moment: too
 * much password work is queued (ACCOUNT_BUSY, AUTH_BUSY). */
void web_busy(struct request *req);
/* 429 with Retry-After: wait_seconds and a page that says how many minutes
 * to wait: a form posted too often (throttle_form_wait). */
void web_throttled(struct request *req, int64_t wait_seconds);
const char *web_flash_text(const char *code);
/* The flash message of code, translated and filled in; NULL if unknown. */
const char *web_flash_message(struct request *req, const char *code);

#endif
