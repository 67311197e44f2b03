/* Shared libraries opened the first time a feature needs one, not at
 * start. PostgreSQL's client, libcurl (SMTP, webhooks, IMAP) and libxml2
 * (HTML mail) bring some thirty more libraries, whose relocated pages stay
 * resident, about 5 MB, in a server that never uses them.
 *
 * A user lists the functions once and declares a table of them:
 *
 *   #define PQ_FUNCTIONS(X) X(PQexec) X(PQclear)
 *   static struct { PQ_FUNCTIONS(DYNLIB_FIELD) } libpq;
 *   static const char *const libpq_names[] = {PQ_FUNCTIONS(DYNLIB_NAME)};
 *   DYNLIB_TABLE_CHECK(libpq, libpq_names);
 *   static struct dynlib libpq_loader = DYNLIB_INIT("libpq.so.5", libpq_names, libpq);
 *
 * then calls libpq.PQexec(...) once dynlib_load(&libpq_loader, ...) gave 0.
 * The library is never closed. */
#ifndef CHAMADO_DYNLIB_H
#define CHAMADO_DYNLIB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#define DYNLIB_FIELD(f) __typeof__(f) *f;
#define DYNLIB_NAME(f) #f,
/* At file scope, after both: the table is its functions' pointers and nothing else. */
#define DYNLIB_TABLE_CHECK(table, names)                                                           \
	_Static_assert(sizeof(table) == sizeof(names) / sizeof(names)[0] * sizeof(void *),         \
	               #table " holds only function pointers")

struct dynlib {
	const char *soname;       /* the ABI the headers describe, as "libpq.so.5" */
	const char *const *names; /* the table's functions, in its order */
	size_t count;
	void *table;         /* a struct of count function pointers */
	void (*ready)(void); /* run once after binding; may be NULL */
	pthread_mutex_t lock;
	atomic_int state; /* 0 not tried, 1 bound, -1 failed */
	char error[256];
};

#define DYNLIB_INIT_READY(soname, names, table, ready)                                             \
	{                                                                                          \
		(soname), (names), sizeof(names) / sizeof(names)[0], &(table), (ready),            \
		    PTHREAD_MUTEX_INITIALIZER, 0, ""                                               \
	}
#define DYNLIB_INIT(soname, names, table) DYNLIB_INIT_READY(soname, names, table, NULL)

/* Opens the library and binds every function, the first time; later calls
 * give the first one's answer. 0 when the table is usable, else -1 with
 * err saying which library or function is missing (err may be NULL). */
int dynlib_load(struct dynlib *l, char *err, size_t errlen);

#endif
