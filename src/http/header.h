/* Our reading of request headers that libmicrohttpd hands over as plain
 * strings (it parses the request line, the header lines and the cookies;
 * their meaning is ours). Pure functions, no I/O. */
#ifndef CHAMADO_HEADER_H
#define CHAMADO_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

enum { HEADER_AUTHORIZATION_MAX = 1024 };

/* True when the Content-Type value ct names type (case-insensitive), with
 * or without parameters ("multipart/form-data; boundary=x"). */
bool header_content_type_is(const char *ct, const char *type);

/* True when the Accept-Encoding value ae (NULL when absent) takes coding
 * ("gzip", "br"): named, without q=0. */
bool header_accepts_coding(const char *ae, const char *coding);

/* The API's Authorization header: "Bearer TOKEN" sets *token; "Basic
 * base64(EMAIL/token:TOKEN)" sets *email and *token (NUL-terminated, in
 * a). false, with both NULL, for anything else: no header, one longer than
 * HEADER_AUTHORIZATION_MAX, another scheme, bad base64, a NUL byte in the
 * decoded text or no "/token:" in it. */
bool header_authorization(arena *a, const char *value, const char **email, const char **token);

#endif
