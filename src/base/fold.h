/* Folding text for search: one rule, applied in C when a ticket's search
 * document is written and when a query is read, so SQLite and PostgreSQL
 * index and match exactly the same words. */
#ifndef CHAMADO_FOLD_H
#define CHAMADO_FOLD_H

#include "base/buf.h"

/* Appends text to b folded: ASCII letters lowercased, Latin letters with
 * accents reduced to their base letters ("Ação" -> "acao", "ß" -> "ss"),
 * every character that is neither a letter nor a digit (punctuation, "@",
 * "-", invalid UTF-8) one space between words. Letters of other scripts are
 * kept as they are. Words are separated from what b already holds by a
 * space. Returns BUF_OK, or BUF_TOO_BIG / BUF_NOMEM with b holding the
 * words that fitted. */
int fold_search_append(buf *b, const char *text);

#endif
