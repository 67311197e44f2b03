/* Small string helpers with no project dependencies. */
#ifndef CHAMADO_STR_H
#define CHAMADO_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool str_eq(const char *a, const char *b);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
bool str_case_eq(const char *a, const char *b);
/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool str_utf8_valid(const char *s, size_t len);
/* True for NULL, "" and text of only spaces, tabs and line breaks. */
bool str_blank(const char *s);
/* Trims ASCII white space in place; returns s. */
char *str_trim(char *s);
/* Number of code points in valid UTF-8. */
size_t str_utf8_length(const char *s);
/* Parses a whole decimal number; false on junk, overflow or out of [min,max]. */
bool str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* FNV-1a over len bytes: a fingerprint for tables and versions, not a
 * defence against chosen inputs. */
uint64_t str_hash(const void *data, size_t len);
/* The same hash of a NUL-terminated string, in one pass. */
uint64_t str_hash_cstr(const char *s);
/* v in decimal, written at the end of out (no printf); returns where it starts. */
enum { STR_INT64_MAX = 21 };
const char *str_from_int64(char out[STR_INT64_MAX], int64_t v);

#endif
