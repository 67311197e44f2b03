/* How tickets are numbered for people (issue 16; docs/ticket-numbers.md).
 *
 * Every ticket keeps its random unique number (tickets.number): links,
 * hidden references and the API's ids use it. When the admin chooses
 * sequential numbers, a new ticket also gets a display number — an
 * optional prefix, optionally the year, and a counter of six digits or
 * more, "SUP-2026-000123" — which pages, email subjects, the API's
 * "number" and the search show and find. */
#ifndef CHAMADO_TICKET_NUMBER_H
#define CHAMADO_TICKET_NUMBER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "store/db.h"
#include "store/ticket_store.h"

enum { TICKET_NUMBER_PREFIX_MAX = 10, TICKET_LABEL_MAX = 40 };

/* A prefix as typed, trimmed and uppercased into out (16 bytes): true when
 * it is empty or up to TICKET_NUMBER_PREFIX_MAX of A-Z and 0-9. */
bool ticket_number_prefix_normalise(const char *in, char out[16]);
/* The display number for value in the scope of prefix ("" none) and year
 * (0 none): "SUP-2026-000123", "2026-000123", "SUP-000123", "000123". */
void ticket_number_label_format(char out[TICKET_LABEL_MAX], const char *prefix, int year,
                                int64_t value);
/* The counter's scope of prefix and year ("SUP|2026", "|0"). */
void ticket_number_scope(char out[TICKET_LABEL_MAX], const char *prefix, int year);
/* In the caller's transaction: when the settings ask for sequential
 * numbers, takes the next value of its scope (the year of now, UTC) and
 * gives it to the ticket id. 0 (also when numbers are random) or < 0. */
int ticket_number_assign(db *d, bool sequential, const char *prefix, bool with_year,
                         int64_t ticket_id, int64_t now);
/* What people see of the ticket's number, without "#": its display
 * number, or its number. Into out, which is returned. */
const char *ticket_number_shown(const struct ticket_row *t, char out[TICKET_LABEL_MAX]);

#endif
