/* Unpredictable bytes for tokens, ticket numbers and Message-IDs.
 *
 * Each thread draws from a ChaCha20 stream of its own, keyed from the
 * kernel's generator once (and again after a fork, and after each MiB
 * drawn), and rekeyed from its own output at each refill, so
 * a key read from memory later does not give back what was drawn before
 * it. An opening asked the kernel four times (the number, the access key,
 * two Message-IDs): one system call each, costly in a virtual machine. */
#ifndef CHAMADO_RANDOM_H
#define CHAMADO_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fills out with len random bytes. */
void random_buf(void *out, size_t len);
/* A uniform number in [0, upper), without modulo bias; 0 when upper < 2. */
uint32_t random_uniform(uint32_t upper);

#endif
