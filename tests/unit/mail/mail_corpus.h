/* Reading the .eml files of tests/mail/ with their placeholders filled in ({{MSGID}},
 * {{SENT_ID}}, {{NUMBER}}, {{REF}}). Shared by the mail-in unit tests. */
#ifndef CHAMADO_TEST_MAIL_CORPUS_H
#define CHAMADO_TEST_MAIL_CORPUS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"

struct corpus_vars {
	const char *msgid, *sent_id, *number, *ref;
};

/* The file's bytes with every placeholder replaced; the caller frees. */
static inline char *corpus_load(const char *name, const struct corpus_vars *v, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/mail/%s", CHAMADO_DEFAULT_SHARE_DIR, name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *raw = malloc((size_t)size + 1);
	cr_assert_eq(fread(raw, 1, (size_t)size, f), (size_t)size);
	raw[size] = '\0';
	fclose(f);
	const char *keys[] = {"{{MSGID}}", "{{SENT_ID}}", "{{NUMBER}}", "{{REF}}"};
	const char *values[] = {v && v->msgid ? v->msgid : "msg-1@test.example",
	                        v && v->sent_id ? v->sent_id : "sent-1@test.example",
	                        v && v->number ? v->number : "100000",
	                        v && v->ref ? v->ref : "T100000-000000000000"};
	for (int k = 0; k < 4; k++) {
		char *at;
		while ((at = strstr(raw, keys[k])) != NULL) {
			size_t klen = strlen(keys[k]), vlen = strlen(values[k]);
			size_t total = strlen(raw) - klen + vlen;
			char *next = malloc(total + 1);
			size_t head = (size_t)(at - raw);
			memcpy(next, raw, head);
			memcpy(next + head, values[k], vlen);
			strcpy(next + head + vlen, at + klen);
			free(raw);
			raw = next;
		}
	}
	*len = strlen(raw);
	return raw;
}

#endif
