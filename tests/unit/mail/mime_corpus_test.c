/* The inbound-email corpus of issue 15 (tests/mail/corpus/, written by its
 * generate script): every NAME.eml parsed with mime_in_parse must meet
 * every line of NAME.expect (format: see tests/mail/corpus/generate).
 * Every mismatch is printed with its file; the test fails if there is any. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "mail/mime_in.h"

#define CORPUS_DIR CHAMADO_DEFAULT_SHARE_DIR "/tests/mail/corpus"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)size + 1);
	if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		data = NULL;
	}
	if (data)
		data[size] = '\0';
	fclose(f);
	*len = (size_t)size;
	return data;
}

/* "\n" in an expectation stands for a line break. */
static void unescape(char *s)
{
	char *w = s;
	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			*w++ = '\n';
			p++;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

static int failures;

static void mismatch(const char *file, const char *what, const char *want, const char *got)
{
	failures++;
	cr_log_error("%s: %s\n  want: %s\n  got:  %s", file, what, want, got);
}

/* Checks one message against its expectations; returns how many failed. */
static void check(const char *file, const struct inbound_msg *m, char *expect)
{
	int natt = 0, ncc = 0;
	bool auto_reply = false;
	for (char *line = strtok(expect, "\n"); line; line = strtok(NULL, "\n")) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *v = colon + 1;
		if (*v == ' ')
			v++;
		unescape(v);
		if (strcmp(line, "subject") == 0) {
			if (strcmp(m->subject, v) != 0)
				mismatch(file, "subject", v, m->subject);
		} else if (strcmp(line, "from") == 0) {
			if (strcmp(m->from_address, v) != 0)
				mismatch(file, "from", v, m->from_address);
		} else if (strcmp(line, "from-name") == 0) {
			if (strcmp(m->from_name, v) != 0)
				mismatch(file, "from-name", v, m->from_name);
		} else if (strcmp(line, "body-starts") == 0) {
			if (strncmp(m->text, v, strlen(v)) != 0)
				mismatch(file, "body-starts", v, m->text);
		} else if (strcmp(line, "body-has") == 0) {
			if (!strstr(m->text, v))
				mismatch(file, "body-has", v, m->text);
		} else if (strcmp(line, "body-lacks") == 0) {
			if (strstr(m->text, v))
				mismatch(file, "body-lacks", v, m->text);
		} else if (strcmp(line, "attachment") == 0) {
			const char *got =
			    natt < m->nattachments ? m->attachments[natt].name : "(none)";
			if (strcmp(got, v) != 0)
				mismatch(file, "attachment", v, got);
			natt++;
		} else if (strcmp(line, "cc") == 0) {
			const char *got = ncc < m->ncc ? m->cc[ncc] : "(none)";
			if (strcmp(got, v) != 0)
				mismatch(file, "cc", v, got);
			ncc++;
		} else if (strcmp(line, "auto-reply") == 0) {
			auto_reply = strcmp(v, "yes") == 0;
		} else {
			mismatch(file, "a known expectation", "subject/from/...", line);
		}
	}
	if (natt != m->nattachments) {
		char want[32], got[160];
		snprintf(want, sizeof want, "%d attachments", natt);
		snprintf(got, sizeof got, "%d (the first: %s)", m->nattachments,
		         m->nattachments ? m->attachments[0].name : "-");
		mismatch(file, "attachment count", want, got);
	}
	if (ncc != m->ncc) {
		char want[32], got[32];
		snprintf(want, sizeof want, "%d cc", ncc);
		snprintf(got, sizeof got, "%d cc", m->ncc);
		mismatch(file, "cc count", want, got);
	}
	if (auto_reply != m->looks_auto_reply)
		mismatch(file, "auto-reply", auto_reply ? "yes" : "no",
		         m->looks_auto_reply ? "yes" : "no");
}

static int by_name(const struct dirent **x, const struct dirent **y)
{
	return strcmp((*x)->d_name, (*y)->d_name);
}

static int is_eml(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && strcmp(d->d_name + n - 4, ".eml") == 0;
}

Test(mime_corpus, every_message_meets_its_expectations, .timeout = 120)
{
	struct dirent **names;
	int n = scandir(CORPUS_DIR, &names, is_eml, by_name);
	cr_assert_geq(n, 60, "the corpus has %d messages (at least 60 wanted) in %s", n,
	              CORPUS_DIR);
	for (int i = 0; i < n; i++) {
		char path[1024];
		size_t len, elen;
		snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, names[i]->d_name);
		char *raw = slurp(path, &len);
		size_t stem = strlen(path) - 4;
		snprintf(path + stem, sizeof path - stem, ".expect");
		char *expect = slurp(path, &elen);
		cr_assert_not_null(raw);
		cr_assert_not_null(expect, "%s has no .expect beside it", names[i]->d_name);
		arena *a = arena_new(64 * 1024);
		struct inbound_msg m;
		if (mime_in_parse(raw, len, NULL, a, &m) != 0)
			mismatch(names[i]->d_name, "parse", "0", "-1");
		else
			check(names[i]->d_name, &m, expect);
		arena_free(a);
		free(raw);
		free(expect);
		free(names[i]);
	}
	free(names);
	cr_assert_eq(failures, 0, "%d expectations not met (listed above)", failures);
}
