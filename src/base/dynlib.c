#include "base/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

static void bind_all(struct dynlib *l)
{
	void *handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(l->error, sizeof l->error, "cannot load %s: %s", l->soname, dlerror());
		return;
	}
	/* The table is count function pointers in a row; POSIX lets dlsym's
	 * object pointer stand for a function's address. */
	void **slots = l->table;
	for (size_t i = 0; i < l->count; i++) {
		slots[i] = dlsym(handle, l->names[i]);
		if (!slots[i]) {
			snprintf(l->error, sizeof l->error, "%s has no %s", l->soname, l->names[i]);
			return;
		}
	}
	if (l->ready)
		l->ready();
	atomic_store_explicit(&l->state, 1, memory_order_release);
}

int dynlib_load(struct dynlib *l, char *err, size_t errlen)
{
	if (atomic_load_explicit(&l->state, memory_order_acquire) == 1)
		return 0;
	pthread_mutex_lock(&l->lock);
	if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0) {
		bind_all(l);
		if (atomic_load_explicit(&l->state, memory_order_relaxed) != 1)
			atomic_store_explicit(&l->state, -1, memory_order_relaxed);
	}
	pthread_mutex_unlock(&l->lock);
	if (atomic_load_explicit(&l->state, memory_order_acquire) == 1)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "%s", l->error);
	return -1;
}
