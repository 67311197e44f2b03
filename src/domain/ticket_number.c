#include "domain/ticket_number.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"

bool ticket_number_prefix_normalise(const char *in, char out[16])
{
	const char *p = in ? in : "";
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	out[0] = '\0';
	if (n > TICKET_NUMBER_PREFIX_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
			out[0] = '\0';
			return false;
		}
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

void ticket_number_label_format(char out[TICKET_LABEL_MAX], const char *prefix, int year,
                                int64_t value)
{
	char head[32] = "";
	if (prefix && *prefix && year > 0)
		snprintf(head, sizeof head, "%s-%d-", prefix, year);
	else if (prefix && *prefix)
		snprintf(head, sizeof head, "%s-", prefix);
	else if (year > 0)
		snprintf(head, sizeof head, "%d-", year);
	snprintf(out, TICKET_LABEL_MAX, "%s%06lld", head, (long long)value);
}

void ticket_number_scope(char out[TICKET_LABEL_MAX], const char *prefix, int year)
{
	snprintf(out, TICKET_LABEL_MAX, "%s|%d", prefix ? prefix : "", year > 0 ? year : 0);
}

int ticket_number_assign(db *d, bool sequential, const char *prefix, bool with_year,
                         int64_t ticket_id, int64_t now)
{
	if (!sequential)
		return 0;
	int year = 0;
	if (with_year) {
		time_t t = (time_t)now;
		struct tm tm;
		year = gmtime_r(&t, &tm) ? tm.tm_year + 1900 : 0;
	}
	char scope[TICKET_LABEL_MAX], label[TICKET_LABEL_MAX];
	ticket_number_scope(scope, prefix, year);
	/* A label already taken (the format changed back and forth, or a
	 * ticket was imported with it) is skipped, never shared. */
	for (int tries = 0; tries < 100; tries++) {
		int64_t value = store_ticket_counter_next(d, scope);
		if (value < 0)
			return (int)value;
		ticket_number_label_format(label, prefix, year, value);
		int rc = store_ticket_set_number_label(d, ticket_id, label);
		if (rc != DB_CONSTRAINT)
			return rc;
	}
	return DB_CONSTRAINT;
}

/* Without printf: a queue page shows 25 of these, and printf cost ~700
 * instructions each. */
const char *ticket_number_shown(const struct ticket_row *t, char out[TICKET_LABEL_MAX])
{
	char digits[STR_INT64_MAX];
	const char *shown = t->number_label && *t->number_label ? t->number_label
	                                                        : str_from_int64(digits, t->number);
	size_t len = strnlen(shown, TICKET_LABEL_MAX - 1);
	memcpy(out, shown, len);
	out[len] = '\0';
	return out;
}
