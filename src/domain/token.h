/* Random tokens for sessions, CSRF and one-time links. A token is 256
 * random bits as unpadded base64url (43 characters); the database keeps
 * only its SHA-256 in hex. */
#ifndef CHAMADO_TOKEN_H
#define CHAMADO_TOKEN_H

#include <stdbool.h>

enum { TOKEN_LEN = 43, TOKEN_HASH_LEN = 64 };

void token_new(char out[TOKEN_LEN + 1]);
void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1]);
/* Constant-time equality of two strings (length may leak, content not). */
bool token_equal(const char *a, const char *b);
/* True when s looks like a token (length and alphabet), before any lookup. */
bool token_well_formed(const char *s);

#endif
