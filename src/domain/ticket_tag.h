/* Tags on tickets: staff (and API tokens) add and remove them; clients
 * never see them. A tag is normalised before it is stored or compared
 * (ticket_tag_normalize), each change is written to the ticket's audit
 * trail, and every list of tags or counts is bounded by the departments
 * the staff member has. */
#ifndef CHAMADO_TICKET_TAG_H
#define CHAMADO_TICKET_TAG_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ticket.h"
#include "store/tag_store.h"

enum {
	TAG_CHARS_MAX = 40,                  /* characters of one tag */
	TAG_BYTES_MAX = TAG_CHARS_MAX * 2 + 1, /* its UTF-8 bytes, with the NUL */
	TICKET_TAGS_MAX = 20,                /* tags on one ticket */
	TAG_COUNTS_MAX = 500,
};

/* Normalises a typed tag into out: trimmed, lower-case, every run of
 * spaces one '-'; letters (accented Latin letters too), digits, '-', '_'
 * and '.' only, at most TAG_CHARS_MAX characters. NULL when out holds a
 * tag; otherwise a msgid with one %s (the typed text) saying what is
 * wrong. */
const char *ticket_tag_normalize(const char *typed, char out[TAG_BYTES_MAX]);

/* What to do to a ticket's tags: with replace, the set becomes add (the
 * API's PUT "tags"); otherwise add (additional_tags) then remove
 * (remove_tags). The strings are as typed; they are normalised here. */
struct tag_change {
	const char *const *add;
	int nadd;
	const char *const *remove;
	int nremove;
	bool replace;
};

/* Checks every tag of c without writing anything: NULL when all are good,
 * else a msgid with one %s, and the typed tag at fault in bad. */
const char *ticket_tags_check(const struct tag_change *c, char bad[TAG_BYTES_MAX * 2]);

/* Applies c to the ticket (staff only), one audit entry per tag added or
 * removed. TICKET_OK (also when nothing changed), TICKET_INVALID (*error
 * and bad as ticket_tags_check, or too many tags), TICKET_NOT_FOUND or
 * < 0. */
int ticket_tags_change(db *d, const struct actor *who, int64_t number, const struct tag_change *c,
                       int64_t now, const char **error, char bad[TAG_BYTES_MAX * 2]);
/* The same on t inside the caller's write transaction (ticket_open). */
int ticket_tags_apply(db *d, const struct actor *who, const struct ticket_row *t,
                      const struct tag_change *c, arena *a, int64_t now);

/* The ticket's tags, alphabetically (staff pages, the API): count or < 0. */
int ticket_tags(db *d, int64_t ticket_id, arena *a, const char **tags, int max);
void ticket_tags_prefetch(db *d, int64_t ticket_id, int max);
/* The ticket's tags as one text, separated by spaces ("" when none), for
 * the staff search's index; NULL when out of memory or on an error. */
const char *ticket_tags_text(db *d, int64_t ticket_id, arena *a);

/* The tags on tickets the staff member may see, with how many of those
 * tickets carry each (admins: every ticket). Count or < 0. */
int ticket_tag_counts(db *d, const struct session *staff, arena *a, struct tag_count *rows,
                      int max);
void ticket_tag_counts_prefetch(db *d, const struct session *staff, int max);

#endif
