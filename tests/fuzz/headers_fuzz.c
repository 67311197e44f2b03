/* libFuzzer target on our reading of request headers. libmicrohttpd parses
 * the request line, the header lines and the Cookie header into strings
 * (and the target, which http/form.c decodes, has the form target); what
 * the strings mean is ours, and that is fuzzed here:
 *   Accept-Language -> lang_from_accept (view/i18n.c)
 *   the "lang" cookie -> lang_parse
 *   Authorization (Basic and Bearer) -> header_authorization (http/header.c)
 *   Content-Type -> header_content_type_is, as the server picks a body reader
 *   Accept-Encoding -> header_accepts_coding, as the server picks gzip or Brotli
 *   Content-Length -> str_to_int64, as the server checks it against its cap
 *   the sid/ssid/csrf cookies -> token_well_formed (domain/token.c)
 * (Chamado reads no Range header, and the base URL comes from the
 * configuration, never from Host.) Each input line is one header value
 * ("Name: " before it is dropped) and goes through every reader. No crash,
 * no undefined behaviour, no leak, and each reader keeps its contract.
 * Built and run by tests/fuzz/run (seeds: corpus/headers/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/str.h"
#include "domain/token.h"
#include "http/header.h"
#include "view/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool token_alphabet(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

static void one_value(arena *a, const char *v)
{
	/* Without "en" (any case) or "*" the header cannot pick English. */
	enum lang l = lang_from_accept(v);
	if ((int)l < 0 || l >= LANG_COUNT)
		abort();
	if (l != LANG_PT_BR && !strcasestr(v, "en") && !strchr(v, '*'))
		abort();
	int parsed = lang_parse(v);
	if (parsed < -1 || parsed >= LANG_COUNT)
		abort();

	const char *email = NULL, *token = NULL;
	if (header_authorization(a, v, &email, &token)) {
		if (!token || strlen(v) > HEADER_AUTHORIZATION_MAX)
			abort();
		if (email && strstr(email, "/token:")) /* split at the first one */
			abort();
		if (!email && (strncasecmp(v, "Bearer ", 7) != 0 || *token == ' '))
			abort();
	} else if (email || token) {
		abort();
	}

	if (header_content_type_is(v, "multipart/form-data") &&
	    strncasecmp(v, "multipart/form-data", 19) != 0)
		abort();
	header_content_type_is(v, "application/x-www-form-urlencoded");

	/* A coding is only taken when the value names it. */
	if (header_accepts_coding(v, "gzip") && !strcasestr(v, "gzip"))
		abort();
	if (header_accepts_coding(v, "br") && !strcasestr(v, "br"))
		abort();

	int64_t n;
	if (str_to_int64(v, 0, INT64_MAX, &n) && n < 0)
		abort();

	if (token_well_formed(v) && (strlen(v) != TOKEN_LEN || !token_alphabet(v)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *text = malloc(size + 1);
	arena *a = arena_new(4096);
	if (!text || !a)
		goto done;
	memcpy(text, data, size);
	text[size] = '\0';
	/* MHD never hands over a NUL or a line break inside a value. */
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		const char *colon = strchr(line, ':');
		const char *v = line;
		if (colon && colon - line < 40 && !memchr(line, ' ', (size_t)(colon - line))) {
			v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
		}
		one_value(a, v);
		/* A Cookie header: MHD splits it at ';' into name=value pairs. */
		for (const char *c = v; *c;) {
			size_t len = strcspn(c, ";");
			const char *eq = memchr(c, '=', len);
			if (eq) {
				char *cookie = arena_strndup(a, eq + 1, len - (size_t)(eq + 1 - c));
				if (cookie)
					one_value(a, cookie);
			}
			c += len;
			while (*c == ';' || *c == ' ')
				c++;
		}
	}
done:
	arena_free(a);
	free(text);
	return 0;
}
