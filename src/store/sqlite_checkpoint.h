/* SQLite's WAL checkpoints on a thread of their own: the hook the SQLite
 * driver installs on every connection (the thread: db_internal.h). */
#ifndef CHAMADO_SQLITE_CHECKPOINT_H
#define CHAMADO_SQLITE_CHECKPOINT_H

#include <sqlite3.h>

/* A connection's WAL hook (sqlite3_wal_hook): after a commit that leaves
 * the WAL long, wakes the checkpoint thread of its file, or checkpoints in
 * place when there is none or it is far behind. */
int sqlite_checkpoint_hook(void *unused, sqlite3 *handle, const char *schema, int pages);

#endif
