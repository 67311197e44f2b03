#include "store/sqlite_wal_buffer.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/* SQLite writes each WAL frame with two system calls, its 24-byte header
 * and then the page: a group commit of 200 pages made 400 pwrite calls,
 * and in this VM a call costs more than copying its page. Here a WAL
 * file's consecutive writes gather in a buffer that goes out in one call
 * as soon as the commit frame is complete, so before SQLite publishes the
 * commit to other connections (the wal-index header), and a failed write
 * still fails the COMMIT. Any other use of the WAL file (a read, a sync,
 * its size, a write elsewhere) writes the buffer out first. Everything
 * else goes to the default VFS unchanged. */

/* The default VFS writes at most 128 KiB - 1 bytes a call (it masks
 * larger amounts, and 256 KiB would write nothing): a buffer that fits one
 * call, 31 frames of 4 KiB pages. */
enum { BUFFER_MAX = 127 * 1024, FRAME_HEADER = 24 };

struct buffered_file {
	sqlite3_file base;
	sqlite3_file *real; /* the default VFS's file, right after this struct */
	struct buffered_file *wal; /* a database's open WAL */
	struct buffered_file *db;  /* a WAL's database */
	unsigned char *buf; /* a WAL's writes not yet made, from offset start */
	size_t len;
	sqlite3_int64 start;
	bool committing; /* the last frame header written was a commit frame's */
};

static sqlite3_vfs *base_vfs;

static int flush(struct buffered_file *f)
{
	int rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len, f->start);
	/* On failure SQLite writes the frames again or rolls back: keep none. */
	f->len = 0;
	return rc;
}

static int flush_wal_of(struct buffered_file *f)
{
	return f->wal && f->wal->len ? flush(f->wal) : SQLITE_OK;
}

static struct buffered_file *as_buffered(sqlite3_file *file)
{
	return (struct buffered_file *)file;
}

static int f_close(sqlite3_file *file)
{
	struct buffered_file *f = as_buffered(file);
	int rc = f->len ? flush(f) : SQLITE_OK;
	if (f->db)
		f->db->wal = NULL;
	if (f->wal)
		f->wal->db = NULL;
	free(f->buf);
	f->buf = NULL;
	int closed = f->real->pMethods->xClose(f->real);
	return rc != SQLITE_OK ? rc : closed;
}

static int f_read(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset)
{
	struct buffered_file *f = as_buffered(file);
	if (f->len) {
		int rc = flush(f);
		if (rc != SQLITE_OK)
			return rc;
	}
	return f->real->pMethods->xRead(f->real, out, amount, offset);
}

/* A frame header whose second word (the database size after a commit) is
 * not zero belongs to a commit frame. */
static bool is_commit_header(const unsigned char *p)
{
	return (p[4] | p[5] | p[6] | p[7]) != 0;
}

static int f_write(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset)
{
	struct buffered_file *f = as_buffered(file);
	if (!f->db) /* not a WAL (or its database is gone): written at once */
		return f->real->pMethods->xWrite(f->real, data, amount, offset);
	bool follows = f->len && offset == f->start + (sqlite3_int64)f->len;
	if (f->len && (!follows || f->len + (size_t)amount > BUFFER_MAX)) {
		int rc = flush(f);
		if (rc != SQLITE_OK)
			return rc;
	}
	bool header = amount == FRAME_HEADER;
	if (header)
		f->committing = is_commit_header(data);
	if ((size_t)amount > BUFFER_MAX || (!f->buf && !(f->buf = malloc(BUFFER_MAX))))
		return f->real->pMethods->xWrite(f->real, data, amount, offset);
	if (!f->len)
		f->start = offset;
	memcpy(f->buf + f->len, data, (size_t)amount);
	f->len += (size_t)amount;
	/* From a commit frame's page on, every write goes out before SQLite
	 * goes on: the commit is complete in the file when it is published. */
	return f->committing && !header ? flush(f) : SQLITE_OK;
}

static int f_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct buffered_file *f = as_buffered(file);
	int rc = f->len ? flush(f) : SQLITE_OK;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int f_sync(sqlite3_file *file, int flags)
{
	struct buffered_file *f = as_buffered(file);
	int rc = f->len ? flush(f) : SQLITE_OK;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int f_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct buffered_file *f = as_buffered(file);
	int rc = f->len ? flush(f) : SQLITE_OK;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int f_lock(sqlite3_file *file, int level)
{
	struct buffered_file *f = as_buffered(file);
	return f->real->pMethods->xLock(f->real, level);
}

static int f_unlock(sqlite3_file *file, int level)
{
	struct buffered_file *f = as_buffered(file);
	return f->real->pMethods->xUnlock(f->real, level);
}

static int f_check_reserved_lock(sqlite3_file *file, int *out)
{
	struct buffered_file *f = as_buffered(file);
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int f_file_control(sqlite3_file *file, int op, void *arg)
{
	struct buffered_file *f = as_buffered(file);
	int rc = f->len ? flush(f) : SQLITE_OK;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int f_sector_size(sqlite3_file *file)
{
	struct buffered_file *f = as_buffered(file);
	return f->real->pMethods->xSectorSize(f->real);
}

static int f_device_characteristics(sqlite3_file *file)
{
	struct buffered_file *f = as_buffered(file);
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* The wal-index belongs to the database file. A commit's frames are out
 * before its header is published; these calls write out whatever would
 * still be buffered, should a frame ever reach them unflushed. */
static void shm_flush(struct buffered_file *f)
{
	if (flush_wal_of(f) != SQLITE_OK)
		log_error("sqlite: writing buffered WAL frames failed");
}

static int f_shm_map(sqlite3_file *file, int page, int page_size, int extend, void volatile **out)
{
	struct buffered_file *f = as_buffered(file);
	shm_flush(f);
	return f->real->pMethods->xShmMap(f->real, page, page_size, extend, out);
}

static int f_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct buffered_file *f = as_buffered(file);
	shm_flush(f);
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *file)
{
	struct buffered_file *f = as_buffered(file);
	shm_flush(f);
	f->real->pMethods->xShmBarrier(f->real);
}

static int f_shm_unmap(sqlite3_file *file, int delete_flag)
{
	struct buffered_file *f = as_buffered(file);
	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int f_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
	struct buffered_file *f = as_buffered(file);
	*out = NULL;
	if (f->real->pMethods->iVersion < 3)
		return SQLITE_OK;
	return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

static int f_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *p)
{
	struct buffered_file *f = as_buffered(file);
	if (f->real->pMethods->iVersion < 3)
		return SQLITE_OK;
	return f->real->pMethods->xUnfetch(f->real, offset, p);
}

static const sqlite3_io_methods methods = {
	.iVersion = 3,
	.xClose = f_close,
	.xRead = f_read,
	.xWrite = f_write,
	.xTruncate = f_truncate,
	.xSync = f_sync,
	.xFileSize = f_file_size,
	.xLock = f_lock,
	.xUnlock = f_unlock,
	.xCheckReservedLock = f_check_reserved_lock,
	.xFileControl = f_file_control,
	.xSectorSize = f_sector_size,
	.xDeviceCharacteristics = f_device_characteristics,
	.xShmMap = f_shm_map,
	.xShmLock = f_shm_lock,
	.xShmBarrier = f_shm_barrier,
	.xShmUnmap = f_shm_unmap,
	.xFetch = f_fetch,
	.xUnfetch = f_unfetch,
};

/* For a file the default VFS opened without shared memory (no locking):
 * SQLite takes offering xShmMap for WAL support. The same methods as a
 * version 1 table, set at registration. */
static sqlite3_io_methods methods_without_shm;

static bool has_shm(const sqlite3_io_methods *m)
{
	return m->iVersion >= 2 && m->xShmMap && m->xShmLock && m->xShmBarrier && m->xShmUnmap;
}

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	struct buffered_file *f = as_buffered(file);
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
	/* SQLite calls xClose only when pMethods is set. */
	if (!f->real->pMethods)
		return rc;
	f->base.pMethods = has_shm(f->real->pMethods) ? &methods : &methods_without_shm;
	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) && name) {
		sqlite3_file *db = sqlite3_database_file_object(name);
		if (db && (db->pMethods == &methods || db->pMethods == &methods_without_shm)) {
			f->db = as_buffered(db);
			f->db->wal = f;
		}
	}
	return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return base_vfs->xDelete(base_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return base_vfs->xAccess(base_vfs, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return base_vfs->xFullPathname(base_vfs, name, n, out);
}

static void *v_dl_open(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return base_vfs->xDlOpen(base_vfs, name);
}

static void v_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	base_vfs->xDlError(base_vfs, n, out);
}

static void (*v_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void)
{
	(void)vfs;
	return base_vfs->xDlSym(base_vfs, handle, symbol);
}

static void v_dl_close(sqlite3_vfs *vfs, void *handle)
{
	(void)vfs;
	base_vfs->xDlClose(base_vfs, handle);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return base_vfs->xRandomness(base_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int microseconds)
{
	(void)vfs;
	return base_vfs->xSleep(base_vfs, microseconds);
}

static int v_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return base_vfs->xCurrentTime(base_vfs, out);
}

static int v_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return base_vfs->xGetLastError ? base_vfs->xGetLastError(base_vfs, n, out) : 0;
}

static int v_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static sqlite3_vfs vfs = {
	.iVersion = 2,
	.zName = SQLITE_WAL_BUFFER_VFS,
	.xOpen = v_open,
	.xDelete = v_delete,
	.xAccess = v_access,
	.xFullPathname = v_full_pathname,
	.xDlOpen = v_dl_open,
	.xDlError = v_dl_error,
	.xDlSym = v_dl_sym,
	.xDlClose = v_dl_close,
	.xRandomness = v_randomness,
	.xSleep = v_sleep,
	.xCurrentTime = v_current_time,
	.xGetLastError = v_get_last_error,
	.xCurrentTimeInt64 = v_current_time_int64,
};

static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int register_rc = SQLITE_ERROR;

static void register_once(void)
{
	base_vfs = sqlite3_vfs_find(NULL);
	if (!base_vfs || base_vfs->iVersion < 2)
		return;
	/* SQLite calls nothing past a table's version. */
	methods_without_shm = methods;
	methods_without_shm.iVersion = 1;
	vfs.szOsFile = (int)sizeof(struct buffered_file) + base_vfs->szOsFile;
	vfs.mxPathname = base_vfs->mxPathname;
	register_rc = sqlite3_vfs_register(&vfs, 0);
}

int sqlite_wal_buffer_register(void)
{
	pthread_once(&registered, register_once);
	return register_rc;
}
