/* Tickets related to tickets: staff link two tickets, or split a message
 * (and every one after it) into a new ticket of the same client. Both are
 * written to the audit trail of each ticket, and both parts of a split stay
 * linked. */
#include "domain/ticket_relation.h"

#include <stdio.h>

#include "base/str.h"
#include "domain/ticket_search.h"
#include "store/relation_store.h"
#include "store/ticket_store.h"

static void number_text(char out[24], int64_t number)
{
	snprintf(out, 24, "%lld", (long long)number);
}

struct link_args {
	int64_t other_number;
	bool add;
};

static int link_change(db *d, const struct actor *who, const struct ticket_row *t, const void *arg,
                       arena *a, int64_t now)
{
	const struct link_args *l = arg;
	struct ticket_row other;
	int rc = l->other_number == t->number ? 0 : ticket_get_for(d, who, l->other_number, a, &other);
	if (rc <= 0)
		return rc < 0 ? rc : TICKET_INVALID;
	char this_text[24], other_text[24];
	number_text(this_text, t->number);
	number_text(other_text, other.number);
	if (l->add) {
		rc = store_ticket_link_add(d, t->id, other.id, now);
		if (rc == DB_CONSTRAINT)
			return TICKET_UNCHANGED; /* linked already */
	} else {
		rc = store_ticket_link_remove(d, t->id, other.id);
		if (rc == 0)
			return TICKET_UNCHANGED;
		rc = rc < 0 ? rc : 0;
	}
	const char *action = l->add ? "linked" : "unlinked";
	if (rc == 0)
		rc = ticket_audit(d, who, t->id, action, "", other_text, now);
	return rc ? rc : ticket_audit(d, who, other.id, action, "", this_text, now);
}

int ticket_link(db *d, const struct actor *who, int64_t number, int64_t other_number, bool add,
                int64_t now)
{
	if (!actor_is_staff(who))
		return TICKET_NOT_FOUND;
	struct link_args args = {other_number, add};
	return ticket_transaction(d, who, number, link_change, &args, now);
}

struct split_args {
	int64_t message_id;
	const char *subject;
	int64_t *new_number;
};

static int split(db *d, const struct actor *who, const struct ticket_row *t, const void *arg,
                 arena *a, int64_t now)
{
	const struct split_args *sp = arg;
	struct ticket_thread th;
	int rc = ticket_thread_load(d, t->id, true, a, &th);
	if (rc < 0)
		return rc;
	/* The message must be this ticket's, and not its first: a split leaves
	 * something behind. */
	bool found = false;
	for (int i = 1; i < th.nmessages && !found; i++)
		found = th.messages[i].id == sp->message_id;
	if (!found)
		return TICKET_INVALID;
	char subject[TICKET_SUBJECT_MAX * 4 + 1];
	snprintf(subject, sizeof subject, "%s", str_blank(sp->subject) ? t->subject : sp->subject);
	str_trim(subject);
	if (str_utf8_length(subject) > TICKET_SUBJECT_MAX)
		return TICKET_INVALID;
	struct ticket_form f = {.department_id = t->department_id, .service_id = t->service_id,
	                        .priority = t->priority};
	int64_t number = 0;
	rc = ticket_insert_numbered(d, t->client_id, &f, subject, NULL, now, &number);
	if (rc != 0)
		return rc < 0 ? rc : DB_ERROR;
	struct ticket_row part;
	rc = store_ticket_get_by_number(d, number, a, &part) == 1 ? 0 : DB_ERROR;
	int moved = rc == 0 ? store_messages_move_tail(d, t->id, part.id, sp->message_id) : rc;
	if (moved <= 0)
		return moved < 0 ? moved : TICKET_INVALID;
	rc = store_ticket_link_add(d, t->id, part.id, now);
	/* The moved messages are found under the new ticket only. */
	if (rc == 0)
		rc = ticket_search_changed(d, t->id);
	if (rc == 0)
		rc = ticket_search_changed(d, part.id);
	char from_text[24], to_text[24];
	number_text(from_text, t->number);
	number_text(to_text, number);
	if (rc == 0)
		rc = ticket_audit(d, who, t->id, "split_to", "", to_text, now);
	if (rc == 0)
		rc = ticket_audit(d, who, part.id, "split_from", "", from_text, now);
	if (rc == 0)
		*sp->new_number = number;
	return rc;
}

int ticket_split(db *d, const struct actor *who, int64_t number, int64_t message_id,
                 const char *subject, int64_t now, int64_t *new_number)
{
	if (!actor_is_staff(who))
		return TICKET_NOT_FOUND;
	*new_number = 0;
	struct split_args args = {message_id, subject, new_number};
	return ticket_transaction(d, who, number, split, &args, now);
}

int ticket_related(db *d, const struct session *staff, const struct ticket_row *t, arena *a,
                   struct ticket_row *rows, int max)
{
	int n = store_ticket_links(d, t->id, a, rows, max);
	int kept = 0;
	/* Only what this staff member may open: no subject of another
	 * department's ticket leaks through a link. */
	for (int i = 0; i < n; i++) {
		int ok = permission_ticket(d, staff, &rows[i]);
		if (ok < 0)
			return ok;
		if (ok)
			rows[kept++] = rows[i];
	}
	return n < 0 ? n : kept;
}

void ticket_related_prefetch(db *d, const struct ticket_row *t)
{
	store_ticket_links_prefetch(d, t->id);
}
