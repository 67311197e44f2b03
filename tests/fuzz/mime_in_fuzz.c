/* libFuzzer target on the inbound-email parser: mime_in_parse (GMime, the
 * charset decoding, the HTML-to-text and quote-cutting code behind it) on
 * arbitrary bytes. No crash, no undefined behaviour, no leak.
 * Built and run by tests/fuzz/run (seeds: the .eml files of tests/mail/
 * and tests/mail/corpus/). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/mime_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena *a = arena_new(64 * 1024);
	if (!a)
		return 0;
	struct mime_in_limits limits;
	mime_in_limits_default(&limits);
	limits.max_text = 256 * 1024;
	struct inbound_msg m;
	if (mime_in_parse(data, size, &limits, a, &m) == 0) {
		/* Everything the router reads must be there and be strings. */
		size_t total = strlen(m.from_address) + strlen(m.subject) + strlen(m.text) +
		               strlen(m.reply) + strlen(m.html_text);
		for (int i = 0; i < m.nrecipients; i++)
			total += strlen(m.recipients[i]);
		for (int i = 0; i < m.ncc; i++)
			total += strlen(m.cc[i]);
		for (int i = 0; i < m.nattachments; i++)
			total += m.attachments[i].len + strlen(m.attachments[i].filename) +
			         strlen(m.attachments[i].name);
		(void)total;
	}
	/* The HTML and quote code on the raw bytes too (as UTF-8 text). */
	/* The charset code on the raw bytes under a few labels. */
	static const char *const labels[] = {"gb2312", "iso-2022-jp", "ks_c_5601-1987", NULL};
	mime_in_to_utf8(a, (const char *)data, size, labels[size % 4]);
	const char *text = mime_in_to_utf8(a, (const char *)data, size, "utf-8");
	if (text) {
		mime_in_html_to_text(a, text, strlen(text), 64 * 1024);
		mime_in_cut_quoted(a, text);
	}
	arena_free(a);
	return 0;
}
