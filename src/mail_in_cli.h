/* `chamado mail-in`: one message on stdin; `--imap` polls the departments'
 * mailboxes once instead (`--every SECONDS` keeps polling). */
#ifndef CHAMADO_MAIL_IN_CLI_H
#define CHAMADO_MAIL_IN_CLI_H

#include "config.h"

/* argv[0] is "mail-in". Exit codes: 0 stored or deliberately not stored,
 * 75 (EX_TEMPFAIL) when the database is unavailable, 2 usage, 1 other. */
int mail_in_command(const struct config *cfg, int argc, char **argv);

#endif
