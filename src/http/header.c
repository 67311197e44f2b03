#include "http/header.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool header_content_type_is(const char *ct, const char *type)
{
	size_t n = strlen(type);
	return ct && strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

bool header_authorization(arena *a, const char *value, const char **email, const char **token)
{
	*email = NULL;
	*token = NULL;
	if (!value || strlen(value) > HEADER_AUTHORIZATION_MAX)
		return false;
	if (strncasecmp(value, "Bearer ", 7) == 0) {
		const char *t = value + 7;
		while (*t == ' ')
			t++;
		*token = t;
		return true;
	}
	if (strncasecmp(value, "Basic ", 6) != 0)
		return false;
	const char *b64 = value + 6;
	while (*b64 == ' ')
		b64++;
	size_t cap = strlen(b64);
	char *plain = arena_alloc(a, cap + 1);
	size_t len = 0;
	if (!plain || sodium_base642bin((unsigned char *)plain, cap, b64, cap, NULL, &len, NULL,
	                                sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	plain[len] = '\0';
	if (memchr(plain, '\0', len) != NULL)
		return false;
	char *sep = strstr(plain, "/token:");
	if (!sep)
		return false;
	*sep = '\0';
	*email = plain;
	*token = sep + strlen("/token:");
	return true;
}

bool header_accepts_coding(const char *ae, const char *coding)
{
	size_t n = strlen(coding);
	for (const char *p = ae; p && *p;) {
		p += strspn(p, " \t,");
		size_t len = strcspn(p, " \t,;");
		if (len == n && strncasecmp(p, coding, n) == 0) {
			const char *params = p + len, *end = params + strcspn(params, ",");
			const char *q = strstr(params, "q=");
			return !(q && q < end && strtod(q + 2, NULL) <= 0.0);
		}
		p = strchr(p, ',');
	}
	return false;
}
