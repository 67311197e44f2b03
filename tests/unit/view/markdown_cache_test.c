/* Rendered messages kept for the next page: found again for the same text,
 * never for a changed one, within the memory bound, across threads. */
#include "view/markdown_cache.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void clear(void)
{
	markdown_cache_clear();
}

TestSuite(markdown_cache, .init = clear, .fini = clear);

static const char *get(uint64_t key, const char *src, arena *a)
{
	return markdown_cache_get(key, src, strlen(src), a);
}

static void put(uint64_t key, const char *src, const char *html)
{
	markdown_cache_put(key, src, strlen(src), html, strlen(html));
}

Test(markdown_cache, the_same_text_is_found_again)
{
	arena *a = arena_new(4096);
	cr_assert_null(get(7, "Olá *mundo*", a), "nothing kept yet");
	put(7, "Olá *mundo*", "<p>Olá <em>mundo</em></p>\n");
	cr_assert_str_eq(get(7, "Olá *mundo*", a), "<p>Olá <em>mundo</em></p>\n");
	cr_assert_null(get(8, "Olá *mundo*", a), "another message");
	cr_assert_null(get(7, "Olá *mundo!*", a), "a changed text is rendered again");
	cr_assert_null(get(7, "Olá *mund*", a), "a shorter text too");
	arena_free(a);
}

Test(markdown_cache, memory_stays_within_the_bound)
{
	static char html[MARKDOWN_CACHE_ENTRY_MAX];
	memset(html, 'x', sizeof html - 1);
	arena *a = arena_new(4096);
	put(1, "grande", html);
	cr_assert_not_null(get(1, "grande", a), "the largest entry kept is kept");
	char huge[MARKDOWN_CACHE_ENTRY_MAX + 2];
	memset(huge, 'y', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	put(2, "enorme", huge);
	cr_assert_null(get(2, "enorme", a), "a longer one is not");
	for (uint64_t k = 10; k < 10 + 4 * MARKDOWN_CACHE_SLOTS; k++)
		put(k, "texto", html);
	cr_assert_leq(markdown_cache_bytes(), (size_t)MARKDOWN_CACHE_BYTES);
	cr_assert_gt(markdown_cache_bytes(), (size_t)MARKDOWN_CACHE_BYTES / 2);
	markdown_cache_clear();
	cr_assert_eq(markdown_cache_bytes(), 0);
	cr_assert_null(get(1, "grande", a));
	arena_free(a);
}

/* Threads put and get overlapping keys; every hit is the HTML of its own
 * key and text. */
static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	arena *a = arena_new(1 << 16);
	for (int i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		uint64_t key = (seed >> 8) % 3000;
		char src[32], html[48];
		snprintf(src, sizeof src, "mensagem %llu", (unsigned long long)key);
		snprintf(html, sizeof html, "<p>mensagem %llu</p>", (unsigned long long)key);
		const char *got = get(key, src, a);
		if (got && strcmp(got, html) != 0)
			return (void *)1;
		if (!got)
			put(key, src, html);
		if (i % 256 == 0)
			arena_reset(a);
	}
	arena_free(a);
	return NULL;
}

Test(markdown_cache, threads_see_only_their_own_entries)
{
	pthread_t t[4];
	for (uintptr_t i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, worker, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++) {
		void *bad;
		pthread_join(t[i], &bad);
		cr_assert_null(bad, "a hit returned another entry's HTML");
	}
}
