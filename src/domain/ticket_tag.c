/* Tags on tickets (see ticket_tag.h). */
#include "domain/ticket_tag.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "domain/ticket_search.h"
#include "view/i18n.h"

/* Latin-1 letters as UTF-8 (C3 80..C3 BF, without × and ÷), lowered. */
static bool latin_letter(unsigned char lead, unsigned char next, unsigned char *lowered)
{
	if (lead != 0xC3 || next < 0x80 || next > 0xBF || next == 0x97 || next == 0xB7)
		return false;
	*lowered = next >= 0x80 && next <= 0x9E ? (unsigned char)(next + 0x20) : next;
	return true;
}

const char *ticket_tag_normalize(const char *typed, char out[TAG_BYTES_MAX])
{
	out[0] = '\0';
	const unsigned char *p = (const unsigned char *)(typed ? typed : "");
	size_t len = 0, chars = 0;
	bool space = false;
	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			space = true;
			continue;
		}
		if (chars >= TAG_CHARS_MAX)
			return N_("The tag \"%s\" is too long: at most 40 characters.");
		if (space) { /* a run of spaces inside the tag: one '-' */
			out[len++] = '-';
			chars++;
			space = false;
			if (chars >= TAG_CHARS_MAX)
				return N_("The tag \"%s\" is too long: at most 40 characters.");
		}
		unsigned char c = *p, lowered;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
			out[len++] = (char)c;
		} else if (c >= 'A' && c <= 'Z') {
			out[len++] = (char)(c - 'A' + 'a');
		} else if (latin_letter(c, p[1], &lowered)) {
			out[len++] = (char)c;
			out[len++] = (char)lowered;
			p++;
		} else {
			out[0] = '\0';
			return N_("The tag \"%s\" has a character that tags cannot have: use letters, digits, '-', '_' and '.'.");
		}
		chars++;
	}
	out[len] = '\0';
	return len ? NULL : N_("Write a tag.");
}

static const char *check_list(const char *const *tags, int n, char bad[TAG_BYTES_MAX * 2])
{
	char norm[TAG_BYTES_MAX];
	for (int i = 0; i < n; i++) {
		const char *error = ticket_tag_normalize(tags[i], norm);
		if (error) {
			snprintf(bad, TAG_BYTES_MAX * 2, "%.*s", TAG_BYTES_MAX * 2 - 1, tags[i] ? tags[i] : "");
			str_trim(bad); /* as it reads in the message */
			return error;
		}
	}
	return NULL;
}

const char *ticket_tags_check(const struct tag_change *c, char bad[TAG_BYTES_MAX * 2])
{
	bad[0] = '\0';
	const char *error = check_list(c->add, c->nadd, bad);
	if (!error)
		error = check_list(c->remove, c->nremove, bad);
	if (!error && c->nadd > TICKET_TAGS_MAX)
		error = N_("A ticket can have at most 20 tags.");
	return error;
}

static bool in_list(const char *tag, const char *const *list, int n)
{
	char norm[TAG_BYTES_MAX];
	for (int i = 0; i < n; i++)
		if (!ticket_tag_normalize(list[i], norm) && str_eq(norm, tag))
			return true;
	return false;
}

static int remove_tag(db *d, const struct actor *who, const struct ticket_row *t, const char *tag,
                      int64_t now)
{
	int rc = store_ticket_tag_remove(d, t->id, tag);
	if (rc <= 0)
		return rc;
	return ticket_audit(d, who, t->id, "tag_removed", tag, "", now);
}

int ticket_tags_apply(db *d, const struct actor *who, const struct ticket_row *t,
                      const struct tag_change *c, arena *a, int64_t now)
{
	char bad[TAG_BYTES_MAX * 2];
	if (ticket_tags_check(c, bad))
		return TICKET_INVALID;
	const char *have[TICKET_TAGS_MAX * 2];
	int n = store_ticket_tags(d, t->id, a, have, TICKET_TAGS_MAX * 2);
	if (n < 0)
		return n;
	int rc = 0;
	/* PUT's set: what is not in it goes first. */
	for (int i = 0; c->replace && i < n && rc == 0; i++)
		if (!in_list(have[i], c->add, c->nadd))
			rc = remove_tag(d, who, t, have[i], now);
	char norm[TAG_BYTES_MAX];
	for (int i = 0; i < c->nadd && rc == 0; i++) {
		ticket_tag_normalize(c->add[i], norm);
		rc = store_ticket_tag_add(d, t->id, norm, now);
		if (rc == DB_CONSTRAINT) {
			rc = 0; /* had it already */
			continue;
		}
		if (rc == 0)
			rc = ticket_audit(d, who, t->id, "tag_added", "", norm, now);
	}
	for (int i = 0; i < c->nremove && rc == 0; i++) {
		ticket_tag_normalize(c->remove[i], norm);
		rc = remove_tag(d, who, t, norm, now);
	}
	if (rc == 0) {
		n = store_ticket_tags(d, t->id, a, have, TICKET_TAGS_MAX + 1);
		rc = n < 0 ? n : n > TICKET_TAGS_MAX ? TICKET_INVALID : 0;
	}
	if (rc == 0) /* staff find tickets by their tags */
		rc = ticket_search_changed(d, t->id);
	return rc;
}

struct change_args {
	const struct tag_change *c;
};

static int change(db *d, const struct actor *who, const struct ticket_row *t, const void *arg,
                  arena *a, int64_t now)
{
	const struct change_args *args = arg;
	return ticket_tags_apply(d, who, t, args->c, a, now);
}

int ticket_tags_change(db *d, const struct actor *who, int64_t number, const struct tag_change *c,
                       int64_t now, const char **error, char bad[TAG_BYTES_MAX * 2])
{
	if (!actor_is_staff(who))
		return TICKET_NOT_FOUND;
	*error = ticket_tags_check(c, bad);
	if (*error)
		return TICKET_INVALID;
	struct change_args args = {c};
	int rc = ticket_transaction(d, who, number, change, &args, now);
	if (rc == TICKET_INVALID)
		*error = N_("A ticket can have at most 20 tags.");
	return rc;
}

int ticket_tags(db *d, int64_t ticket_id, arena *a, const char **tags, int max)
{
	return store_ticket_tags(d, ticket_id, a, tags, max);
}

void ticket_tags_prefetch(db *d, int64_t ticket_id, int max)
{
	store_ticket_tags_prefetch(d, ticket_id, max);
}

const char *ticket_tags_text(db *d, int64_t ticket_id, arena *a)
{
	const char *tags[TICKET_TAGS_MAX * 2];
	int n = store_ticket_tags(d, ticket_id, a, tags, TICKET_TAGS_MAX * 2);
	if (n < 0)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(tags[i]) + 1;
	char *out = arena_alloc(a, len);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, tags[i]);
	}
	return out;
}

int ticket_tag_counts(db *d, const struct session *staff, arena *a, struct tag_count *rows,
                      int max)
{
	if (!staff || staff->kind != ACCOUNT_STAFF)
		return 0;
	return store_tag_counts(d, staff->user_id, staff->admin, a, rows, max);
}

void ticket_tag_counts_prefetch(db *d, const struct session *staff, int max)
{
	if (staff && staff->kind == ACCOUNT_STAFF)
		store_tag_counts_prefetch(d, staff->user_id, staff->admin, max);
}
