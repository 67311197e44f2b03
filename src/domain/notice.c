#include "domain/notice.h"

#include <string.h>

#include "store/ticket_store.h"

/* The staff's emails, one per language: each call fills one with the next
 * staff member not yet told and every later one who reads the same
 * language; false when all are told. */
struct staff_round {
	const struct notice *n;
	const struct staff_contact *staff;
	int count;
	bool told[OUTBOX_ALSO_MAX + 1];
	struct mail_recipient also[OUTBOX_ALSO_MAX];
};

static bool staff_next(struct staff_round *r, struct notice *one)
{
	int first = 0;
	while (first < r->count && r->told[first])
		first++;
	if (first == r->count)
		return false;
	r->told[first] = true;
	*one = *r->n;
	one->to = r->staff[first].email;
	one->to_name = r->staff[first].name;
	one->lang = lang_or_default(r->staff[first].language);
	one->also = r->also;
	one->also_count = 0;
	for (int i = first + 1; i < r->count; i++) {
		if (r->told[i] || lang_or_default(r->staff[i].language) != one->lang)
			continue;
		r->told[i] = true;
		r->also[one->also_count++] = (struct mail_recipient){r->staff[i].email, r->staff[i].name};
	}
	return true;
}

static void staff_round_start(struct staff_round *r, const struct notice *n,
                              const struct staff_contact *staff, int count)
{
	memset(r->told, 0, sizeof r->told);
	r->n = n;
	r->staff = staff;
	r->count = count > OUTBOX_ALSO_MAX + 1 ? OUTBOX_ALSO_MAX + 1 : count;
}

int notice_queue_staff(db *d, const struct notifier *to, const struct notice *n,
                       const struct staff_contact *staff, int count)
{
	struct staff_round r;
	struct notice one;
	staff_round_start(&r, n, staff, count);
	while (staff_next(&r, &one)) {
		int rc = notice_queue(d, to, &one);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int notice_prepare_staff(db *d, const struct notifier *to, const struct notice *n,
                         const struct staff_contact *staff, int count, arena *a,
                         struct outbox_prepared *out, int max)
{
	struct staff_round r;
	struct notice one;
	int made = 0;
	staff_round_start(&r, n, staff, count);
	while (made < max && staff_next(&r, &one)) {
		/* Laid out, the email holds its recipients: r's list may change. */
		int rc = to->prepare(to->self, d, &one, a, &out[made]);
		if (rc < 0)
			return rc;
		made++;
	}
	return made < max || !staff_next(&r, &one) ? made : DB_ERROR;
}
