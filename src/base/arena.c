#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
	struct block *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

struct arena {
	struct block *head;  /* newest block first */
	struct block *first; /* kept by arena_reset */
	size_t first_size;
	size_t total_used;
};

static struct block *block_new(size_t size)
{
	struct block *b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

arena *arena_new(size_t first_block)
{
	arena *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->first_size = first_block ? first_block : 4096;
	a->first = block_new(a->first_size);
	if (!a->first) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	return a;
}

static void free_blocks_until(struct block *b, const struct block *stop)
{
	while (b && b != stop) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
}

void arena_free(arena *a)
{
	if (!a)
		return;
	free_blocks_until(a->head, NULL);
	free(a);
}

void arena_reset(arena *a)
{
	free_blocks_until(a->head, a->first);
	a->head = a->first;
	a->first->used = 0;
	a->first->next = NULL;
	a->total_used = 0;
}

void *arena_alloc(arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	size_t rounded = (size + align - 1) & ~(align - 1);
	if (rounded < size)
		return NULL;
	struct block *b = a->head;
	if (b->size - b->used < rounded) {
		/* Big requests get a block of their own; small ones a fresh
		 * block twice the last, so a request needs few mallocs. */
		size_t next = b->size * 2;
		if (next < rounded)
			next = rounded;
		if (next > (size_t)1 << 24 && rounded < next)
			next = rounded > ((size_t)1 << 24) ? rounded : (size_t)1 << 24;
		struct block *nb = block_new(next);
		if (!nb)
			return NULL;
		nb->next = b;
		a->head = nb;
		b = nb;
	}
	void *p = (char *)b->data + b->used;
	b->used += rounded;
	a->total_used += rounded;
	return p;
}

void *arena_zalloc(arena *a, size_t size)
{
	void *p = arena_alloc(a, size);
	if (p)
		memset(p, 0, size);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap, copy;
	va_start(ap, fmt);
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	char *p = n < 0 ? NULL : arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

size_t arena_used(const arena *a)
{
	return a->total_used;
}
