#ifndef CHAMADO_STORE_SQLITE_WAL_BUFFER_H
#define CHAMADO_STORE_SQLITE_WAL_BUFFER_H

/* A VFS over SQLite's default one that writes a commit's WAL frames with
 * one system call instead of two a page (sqlite_wal_buffer.c says why).
 * The connections of this store open their files through it. */

#define SQLITE_WAL_BUFFER_VFS "chamado"

/* Registers the VFS once per process; SQLITE_OK or SQLite's error. */
int sqlite_wal_buffer_register(void);

#endif
