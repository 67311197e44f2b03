/* Departments and the services of clients. */
#ifndef CHAMADO_DEPARTMENT_STORE_H
#define CHAMADO_DEPARTMENT_STORE_H

#include <stdint.h>

#include "store/db.h"

int64_t store_department_count(db *d);
/* email may be NULL. Returns the id or < 0. */
int64_t store_department_insert(db *d, const char *name, const char *description,
                                const char *email, int visible, int sort_order, int64_t now);
int store_staff_department_add(db *d, int64_t staff_id, int64_t department_id);
int64_t store_service_count_by_client(db *d, int64_t client_id);
int64_t store_service_insert(db *d, int64_t client_id, const char *kind, const char *label,
                             const char *status, int64_t now);



struct department_row {
	int64_t id;
	char name[128];
	char description[512];
};
/* The departments clients see, in their order; fills at most max rows and
 * returns how many, or < 0. */
int store_department_list_visible(db *d, struct department_row *rows, int max);
#endif
