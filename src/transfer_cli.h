/* chamado backup, export and import: the command lines over store/transfer.h. */
#ifndef CHAMADO_TRANSFER_CLI_H
#define CHAMADO_TRANSFER_CLI_H

#include "config.h"

/* argv[0] is "backup", "export" or "import". Returns the exit code. */
int transfer_command(const struct config *cfg, int argc, char **argv);

#endif
