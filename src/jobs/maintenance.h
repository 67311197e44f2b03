/* Periodic housekeeping in the background: auto-close of answered tickets
 * without a client reply (setting auto_close_days, default 7, 0 = never),
 * purging expired sessions, and escalation rules (domain/escalation.h).
 * Several nodes may run it at once: each step is idempotent (an
 * escalation fires once per ticket, whichever node gets there first). */
#ifndef CHAMADO_MAINTENANCE_H
#define CHAMADO_MAINTENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/notice.h"
#include "store/db.h"
#include "view/i18n.h"

/* One pass at time now. Returns the number of tickets closed, or < 0. */
int maintenance_run(db *d, const i18n_catalog *cat, int64_t now);

typedef struct maintenance maintenance;
/* A thread with its own connection running a pass every interval_s, and
 * then the escalation rules at sla_clock_now(), their emails composed by
 * notifier (which must outlive the thread). */
maintenance *maintenance_start(const char *db_url, const i18n_catalog *cat,
                               const struct notifier *notifier, int interval_s, char *err,
                               size_t errlen);
void maintenance_stop(maintenance *m);

#endif
