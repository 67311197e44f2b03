#include "view/markdown_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	pthread_mutex_t lock;
	uint64_t key, text_hash;
	size_t text_len, html_len;
	char *html;
};

static struct slot slots[MARKDOWN_CACHE_SLOTS];
static atomic_size_t held;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_locks(void)
{
	for (size_t i = 0; i < MARKDOWN_CACHE_SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
}

/* FNV-1a over 8-byte words: a changed text is told apart, cheaply next to
 * rendering it. */
static uint64_t text_hash(const char *src, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, src + i, 8);
		h = (h ^ w) * 1099511628211ULL;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)src[i]) * 1099511628211ULL;
	return h ^ len;
}

static struct slot *slot_of(uint64_t key)
{
	pthread_once(&once, init_locks);
	uint64_t h = key * 0x9E3779B97F4A7C15ULL; /* spreads consecutive ids */
	return &slots[(h >> 32) % MARKDOWN_CACHE_SLOTS];
}

const char *markdown_cache_get(uint64_t key, const char *src, size_t len, arena *a)
{
	struct slot *s = slot_of(key);
	uint64_t hash = text_hash(src, len);
	char *copy = NULL;
	pthread_mutex_lock(&s->lock);
	if (s->html && s->key == key && s->text_len == len && s->text_hash == hash) {
		copy = arena_alloc(a, s->html_len + 1);
		if (copy) {
			memcpy(copy, s->html, s->html_len);
			copy[s->html_len] = '\0';
		}
	}
	pthread_mutex_unlock(&s->lock);
	return copy;
}

void markdown_cache_put(uint64_t key, const char *src, size_t len, const char *html,
                        size_t html_len)
{
	if (html_len > MARKDOWN_CACHE_ENTRY_MAX)
		return;
	struct slot *s = slot_of(key);
	uint64_t hash = text_hash(src, len);
	pthread_mutex_lock(&s->lock);
	size_t old = s->html ? s->html_len : 0;
	char *copy = NULL;
	/* Checked under this slot's lock only: puts into other slots at the same
	 * moment may pass the bound by an entry each. */
	if (atomic_load(&held) - old + html_len <= MARKDOWN_CACHE_BYTES)
		copy = malloc(html_len + 1);
	if (copy) {
		memcpy(copy, html, html_len);
		copy[html_len] = '\0';
		free(s->html);
		atomic_fetch_sub(&held, old);
		atomic_fetch_add(&held, html_len);
		s->key = key; /* field by field: the lock is held, and waited on */
		s->text_hash = hash;
		s->text_len = len;
		s->html_len = html_len;
		s->html = copy;
	}
	pthread_mutex_unlock(&s->lock);
}

size_t markdown_cache_bytes(void)
{
	return atomic_load(&held);
}

void markdown_cache_clear(void)
{
	pthread_once(&once, init_locks);
	for (size_t i = 0; i < MARKDOWN_CACHE_SLOTS; i++) {
		struct slot *s = &slots[i];
		pthread_mutex_lock(&s->lock);
		atomic_fetch_sub(&held, s->html ? s->html_len : 0);
		free(s->html);
		s->html = NULL;
		pthread_mutex_unlock(&s->lock);
	}
}
