/* libFuzzer target on the urlencoded form parser (http/form.c), which reads
 * every query string and urlencoded body: form_parse_urlencoded with the
 * server's field cap, and form_decode both ways, on arbitrary bytes. No
 * crash, no undefined behaviour, no leak; every field is a NUL-terminated
 * UTF-8 string. Built and run by tests/fuzz/run (seeds: corpus/form/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena *a = arena_new(16 * 1024);
	if (!a)
		return 0;
	struct kvlist fields = {0};
	if (form_parse_urlencoded(a, (const char *)data, size, 200, &fields) == FORM_OK) {
		if (fields.count > 200)
			abort();
		for (struct kv *f = fields.head; f; f = f->next)
			if (!str_utf8_valid(f->key, strlen(f->key)) ||
			    !str_utf8_valid(f->value, strlen(f->value)))
				abort();
	}
	int why = 0;
	for (int plus = 0; plus < 2; plus++) {
		char *s = form_decode(a, (const char *)data, size, plus, &why);
		if (s && !str_utf8_valid(s, strlen(s)))
			abort();
	}
	arena_free(a);
	return 0;
}
