/* The text a person wrote above the quoted history of an email reply.
 * Cut at our marker line (MIME_IN_MARKER_*), at "On … wrote:" / "Em …
 * escreveu:" (also wrapped over two lines), at Outlook's "-----Original
 * Message-----" or From:/De: header block, at a "-- " signature; a quoted
 * (">") block, a mobile footer and blank lines at the end go too. When the
 * cut would leave nothing, the whole text is kept. */
#ifndef CHAMADO_MAIL_QUOTE_H
#define CHAMADO_MAIL_QUOTE_H

#include "base/arena.h"

/* text without its quoted history, in a ("" for NULL; NULL out of memory). */
const char *quote_cut(arena *a, const char *text);

#endif
