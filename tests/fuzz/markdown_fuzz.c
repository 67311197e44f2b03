/* libFuzzer target on Markdown rendering (view/markdown.c: md4c-html with raw
 * HTML off, then the rewrite of every href and src): arbitrary bytes in, and
 * no href or src attribute of the output may carry a scheme other than http,
 * https or mailto, nor may a raw "<script" appear. No crash, no undefined behaviour, no
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
		/* Every href and src attribute of every tag (attribute values are
		 * quoted and escaped by md4c, so a tag ends at the first '>' and a
		 * value at the next '"'; text such as an alt="x src=" is no URL). */
		for (const char *p = html; (p = strchr(p, '<')) != NULL;) {
			const char *end = strchr(p, '>');
			if (!end)
				break;
			const char *q = p + 1;
			while (q < end && *q != ' ')
				q++;
			while (q < end) {
				while (q < end && *q == ' ')
					q++;
				const char *name = q;
				while (q < end && *q != '=' && *q != ' ')
					q++;
				size_t nlen = (size_t)(q - name);
				if (q + 1 >= end || *q != '=' || q[1] != '"') {
					q++; /* no quoted value here: step on */
					continue;
				}
				const char *v = q + 2;
				const char *ve = memchr(v, '"', (size_t)(end - v));
				if (!ve)
					break;
				if ((nlen == 4 && strncmp(name, "href", 4) == 0) ||
				    (nlen == 3 && strncmp(name, "src", 3) == 0)) {
					char *url = strndup(v, (size_t)(ve - v));
					if (!url)
						break;
					/* What we wrote is entity-encoded; a scheme survives that
					 * only in plain letters, which the check reads. */
					if (!markdown_url_allowed(url))
						abort();
					free(url);
				}
				q = ve + 1;
			}
			p = end + 1;
		}
		free(html);
	}
	buf_free(&out);
	return 0;
}
