/* Satisfaction ratings and the surveys sent (migration 0010). */
#ifndef CHAMADO_CSAT_STORE_H
#define CHAMADO_CSAT_STORE_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

struct csat_row {
	int64_t ticket_id, department_id, staff_id; /* staff_id 0: nobody */
	const char *rating, *comment;
	int64_t created_at, updated_at;
};

/* 1 found, 0 none, < 0. */
int store_csat_get(db *d, int64_t ticket_id, arena *a, struct csat_row *row);
/* Sends store_csat_get's query ahead (db_prefetch). */
void store_csat_get_prefetch(db *d, int64_t ticket_id);
/* Inserts or replaces the ticket's rating (keeping created_at). */
int store_csat_set(db *d, const struct csat_row *row, int64_t now);
/* When the ticket's survey was sent: the time, 0 never, < 0. */
int64_t store_csat_survey_sent_at(db *d, int64_t ticket_id);
int store_csat_survey_mark(db *d, int64_t ticket_id, int64_t now);
/* The last staff member who replied publicly on the ticket; 0 none. */
int64_t store_csat_last_staff_replier(db *d, int64_t ticket_id);

#endif
