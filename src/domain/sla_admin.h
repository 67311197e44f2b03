/* The admin pages of business hours (Horário de atendimento) and SLA
 * policies (Políticas de SLA): reading them into forms, checking and
 * saving them. A save also brings the due times of running clocks that it
 * touches up to date. */
#ifndef CHAMADO_SLA_ADMIN_H
#define CHAMADO_SLA_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/sla.h"
#include "store/queue_store.h"

enum { SLA_ADMIN_OK = 0, SLA_ADMIN_INVALID = 1, SLA_ADMIN_NOT_FOUND = 2 };

struct sla_calendar_form {
	const char *name, *timezone;
	bool always_open;
	const char *hours[7]; /* [0] Sunday: "08:00-12:00, 13:00-18:00", "" closed */
	const char *holidays; /* one a line: "25/12/2026 Natal" */
};
/* msgids, NULL when the field is fine. */
struct sla_calendar_errors {
	const char *name, *timezone, *hours[7], *holidays;
};

int sla_calendar_list(db *d, arena *a, struct calendar_row *rows, int max);
/* The calendar as its form: 1, 0 none, < 0. id 0: a new calendar's form
 * (office hours, Brazil's holidays of now's year and the next). */
int sla_calendar_form_load(db *d, int64_t id, int64_t now, arena *a, struct sla_calendar_form *f);
/* Creates (id 0) or updates a calendar. SLA_ADMIN_OK with *saved_id,
 * SLA_ADMIN_INVALID with errors, SLA_ADMIN_NOT_FOUND, or < 0. */
int sla_calendar_save(db *d, int64_t id, const struct sla_calendar_form *f, int64_t now,
                      struct sla_calendar_errors *e, int64_t *saved_id);

enum { SLA_PRIORITIES = 3 }; /* high, medium, low */
extern const char *const sla_priorities[SLA_PRIORITIES];

/* One department's line on Políticas de SLA. Targets as typed: minutes,
 * "" for none. */
struct sla_department_policy {
	int64_t department_id;
	const char *department_name;
	int64_t calendar_id;
	const char *first[SLA_PRIORITIES], *resolve[SLA_PRIORITIES];
	const char *error[SLA_PRIORITIES]; /* msgid per priority, NULL fine */
	const char *calendar_error;
};
/* Every department with its calendar and targets; count or < 0. */
int sla_policies_load(db *d, arena *a, struct sla_department_policy *rows, int max);
/* Saves every line: SLA_ADMIN_OK, SLA_ADMIN_INVALID (errors set on the
 * rows, nothing saved) or < 0. */
int sla_policies_save(db *d, struct sla_department_policy *rows, int n, int64_t now);

#endif
