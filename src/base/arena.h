/* A region allocator: many small allocations, one free.
 * Each HTTP request owns one arena, freed when the response is done. */
#ifndef CHAMADO_ARENA_H
#define CHAMADO_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* Returns NULL when out of memory. The caller owns the arena. */
arena *arena_new(size_t first_block);
void arena_free(arena *a);
/* Frees everything but the first block, for reuse. */
void arena_reset(arena *a);

/* Aligned, uninitialised memory; NULL when out of memory. */
void *arena_alloc(arena *a, size_t size);
void *arena_zalloc(arena *a, size_t size);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes handed out so far, for tests and limits. */
size_t arena_used(const arena *a);

#endif
