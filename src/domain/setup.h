/* What a new installation starts with, and the demo data of `serve --demo`.
 * Both are idempotent: running them again adds nothing twice. */
#ifndef CHAMADO_SETUP_H
#define CHAMADO_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct demo_credentials {
	const char *client_email, *client_password;
	const char *staff_email, *staff_password;
};

/* Default settings and, on an empty installation, the three default
 * departments. 0 or a DB_E* code. */
int setup_defaults(db *d);
/* Whether the database answers (for /healthz): true or false. */
bool setup_database_ready(db *d);
/* The demo company: branding, a client with two services, a staff admin.
 * Fills cred. 0 or a DB_E* code. */
int setup_demo(db *d, struct demo_credentials *cred);
/* A few sample tickets of the demo client in different states, with a
 * staff reply, an internal note and an attachment; once per installation
 * (later runs add nothing). 0 or a DB_E* code. */
int setup_demo_tickets(db *d, const struct demo_credentials *cred, int64_t now);

#endif
