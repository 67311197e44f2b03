#include "base/random.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum {
	KEY_BYTES = crypto_stream_chacha20_KEYBYTES,
	OUT_BYTES = 512,
	RANDOM_RESEED_BYTES = 1 << 20,
};

struct stream {
	/* One refill: the next key, then OUT_BYTES of output; whatever has
	 * been handed out or taken as the key is zeroed at once. */
	unsigned char block[KEY_BYTES + OUT_BYTES];
	unsigned char key[KEY_BYTES];
	size_t left;         /* output not yet handed out, at the block's end */
	size_t drawn;        /* since the last seed */
	unsigned generation; /* forks counted when seeded; 0: not seeded */
};

static _Thread_local struct stream stream;

/* A child process must not draw what its parent draws next. */
static atomic_uint forks = 1;
static pthread_once_t fork_watch = PTHREAD_ONCE_INIT;

static void forked(void)
{
	atomic_fetch_add(&forks, 1);
}

static void fork_watch_start(void)
{
	pthread_atfork(NULL, NULL, forked);
}

static void seed(struct stream *s, unsigned generation)
{
	/* libsodium's system generator: getrandom, else /dev/urandom. */
	if (sodium_init() < 0)
		abort();
	randombytes_buf(s->key, sizeof s->key);
	sodium_memzero(s->block, sizeof s->block);
	s->left = 0;
	s->drawn = 0;
	s->generation = generation;
}

static void refill(struct stream *s)
{
	/* Each key makes one block and is then replaced: a nonce of zeros
	 * is never used twice with a key. */
	static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	crypto_stream_chacha20(s->block, sizeof s->block, nonce, s->key);
	memcpy(s->key, s->block, KEY_BYTES);
	sodium_memzero(s->block, KEY_BYTES);
	s->left = OUT_BYTES;
}

void random_buf(void *out, size_t len)
{
	pthread_once(&fork_watch, fork_watch_start);
	struct stream *s = &stream;
	unsigned generation = atomic_load(&forks);
	if (s->generation != generation || s->drawn >= RANDOM_RESEED_BYTES)
		seed(s, generation);
	unsigned char *to = out;
	while (len > 0) {
		if (s->left == 0)
			refill(s);
		size_t take = len < s->left ? len : s->left;
		unsigned char *from = s->block + sizeof s->block - s->left;
		memcpy(to, from, take);
		sodium_memzero(from, take);
		s->left -= take;
		s->drawn += take;
		to += take;
		len -= take;
	}
}

uint32_t random_uniform(uint32_t upper)
{
	if (upper < 2)
		return 0;
	/* Below min, r % upper would favour the small results. */
	uint32_t min = (1U + ~upper) % upper;
	uint32_t r;
	do
		random_buf(&r, sizeof r);
	while (r < min);
	return r % upper;
}
