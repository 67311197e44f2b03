/* Emails from templates. An email called name is three files under
 * templates/email/:
 *   <name>.subject.txt   the subject (text template; white space at the
 *                        ends is trimmed, inner line breaks become spaces)
 *   <name>.txt           the plain-text body, shown inside layout.txt
 *   <name>.html          the HTML body, shown inside layout.html (optional:
 *                        without it the email is text only)
 * Each body is rendered first and handed to its layout as `content`:
 * trusted HTML for layout.html ({{&content}}), text for layout.txt. */
#ifndef CHAMADO_COMPOSE_H
#define CHAMADO_COMPOSE_H

#include "domain/outbox.h"
#include "view/template.h"

/* The most bytes one rendered part (subject, text, HTML) may have. */
#define MAIL_COMPOSE_MAX (1u << 20)

/* Renders email name in lang with ctx (it needs `company`, plus what the
 * email's templates use). Sets out->subject, out->text and out->html
 * (NULL without an HTML template), allocated in vm_arena(ctx); leaves the
 * other fields of out as they were. Sets `content` in ctx, and `lang` when
 * ctx has none. Returns 0, or -1 when a template is missing or fails. */
int mail_compose(const tpl_set *t, const char *name, enum lang lang, vm_obj *ctx, struct mail *out);

#endif
