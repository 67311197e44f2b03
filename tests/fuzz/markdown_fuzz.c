/* libFuzzer target on Markdown rendering (view/markdown.c: md4c-html with raw
 * HTML off, then the rewrite of every href and src): arbitrary bytes in, and
 * the output must never carry a link or image whose scheme is not http,
 * https or mailto, nor a raw "<script". No crash, no undefined behaviour, no
 * leak. Built and run by tests/fuzz/run (seeds: corpus/markdown/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "view/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf out;
	buf_init(&out, 1 << 20);
	if (markdown_render((const char *)data, size, &out) == 0 && out.len > 0) {
		char *html = buf_take(&out);
		if (!html)
			return 0;
		for (const char *p = html; (p = strcasestr(p, "<script")); p++)
			abort();
		static const char *const attributes[] = {" href=\"", " src=\""};
		for (int k = 0; k < 2; k++) {
			for (const char *p = html; (p = strstr(p, attributes[k])); ) {
				p += strlen(attributes[k]);
				size_t len = strcspn(p, "\"");
				char *url = strndup(p, len);
				if (!url)
					break;
				/* What we wrote is entity-encoded; a scheme survives that
				 * only in plain letters, which the check reads. */
				if (!markdown_url_allowed(url))
					abort();
				free(url);
				p += len;
			}
		}
		free(html);
	}
	buf_free(&out);
	return 0;
}
