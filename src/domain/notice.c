#include "domain/notice.h"

#include "store/ticket_store.h"

int notice_queue_staff(db *d, const struct notifier *to, const struct notice *n,
                       const struct staff_contact *staff, int count)
{
	if (count > OUTBOX_ALSO_MAX + 1)
		count = OUTBOX_ALSO_MAX + 1;
	bool told[OUTBOX_ALSO_MAX + 1] = {0};
	struct mail_recipient also[OUTBOX_ALSO_MAX];
	for (int first = 0; first < count; first++) {
		if (told[first])
			continue;
		struct notice one = *n;
		one.to = staff[first].email;
		one.to_name = staff[first].name;
		one.lang = lang_or_default(staff[first].language);
		one.also = also;
		one.also_count = 0;
		for (int i = first + 1; i < count; i++) {
			if (told[i] || lang_or_default(staff[i].language) != one.lang)
				continue;
			told[i] = true;
			also[one.also_count++] = (struct mail_recipient){staff[i].email, staff[i].name};
		}
		int rc = notice_queue(d, to, &one);
		if (rc < 0)
			return rc;
	}
	return 0;
}
