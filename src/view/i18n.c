/* Reads GNU .mo catalogs without libintl: the file is read whole, checked,
 * and its entries indexed by a hash of their msgid.
 * After loading a catalog is read-only, so lookups are thread-safe. */
#include "view/i18n.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/str.h"

#define MO_MAGIC 0x950412deu
#define MO_HEADER_SIZE 28
#define MO_MAX_SIZE (16u << 20) /* our catalog is tens of KiB */
#define LANG_TAG_MAX 35         /* longest language range we bother to parse */

struct i18n_entry {
	const char *msgid;  /* singular msgid, NUL-terminated */
	const char *msgstr; /* translations, NUL-separated plural forms */
	size_t msgstr_len;  /* all forms, without the final NUL */
};

struct i18n_catalog {
	char *data; /* owns every string the entries point to */
	struct i18n_entry *entries;
	size_t count;
	/* Each entry's index + 1 at its msgid's hash (0: empty), probed
	 * linearly; at least twice as many slots as entries. */
	uint32_t *slots;
	size_t mask; /* slots - 1 */
};

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg1, const char *arg2)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg1, arg2);
}

static size_t slot_of(const i18n_catalog *c, const char *msgid)
{
	return (size_t)str_hash_cstr(msgid) & c->mask;
}

/* A page asks the catalog dozens of times (a label, a status, a time per
 * queue row); a binary search over its ~1,000 msgids cost ~10 string
 * comparisons a time, 3% of a staff queue page. */
static bool index_entries(i18n_catalog *c)
{
	size_t n = 16;
	while (n < c->count * 2)
		n *= 2;
	c->slots = calloc(n, sizeof *c->slots);
	if (!c->slots)
		return false;
	c->mask = n - 1;
	for (size_t i = 0; i < c->count; i++) {
		size_t at = slot_of(c, c->entries[i].msgid);
		while (c->slots[at])
			at = (at + 1) & c->mask;
		c->slots[at] = (uint32_t)i + 1;
	}
	return true;
}

void i18n_free(i18n_catalog *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->entries);
	free(c->data);
	free(c);
}

i18n_catalog *i18n_from_pairs(int count, const char *const *msgids, const char *const *pt_br)
{
	if (count < 0)
		return NULL;
	size_t total = 1;
	for (int i = 0; i < count; i++)
		total += strlen(msgids[i]) + strlen(pt_br[i]) + 2;
	i18n_catalog *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->data = malloc(total);
	c->entries = calloc((size_t)count + 1, sizeof *c->entries);
	if (!c->data || !c->entries) {
		i18n_free(c);
		return NULL;
	}
	char *p = c->data;
	for (int i = 0; i < count; i++) {
		struct i18n_entry *e = &c->entries[i];
		e->msgid = p;
		p = stpcpy(p, msgids[i]) + 1;
		e->msgstr = p;
		e->msgstr_len = strlen(pt_br[i]);
		p = stpcpy(p, pt_br[i]) + 1;
	}
	c->count = (size_t)count;
	if (!index_entries(c)) {
		i18n_free(c);
		return NULL;
	}
	return c;
}

struct mo_reader {
	const unsigned char *data;
	size_t size;
	bool big_endian;
};

static uint32_t mo_u32(const struct mo_reader *r, size_t offset)
{
	const unsigned char *p = r->data + offset;
	if (r->big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The string described by the (length, offset) pair at table position at,
 * or NULL when it points outside the file or lacks its terminating NUL. */
static const char *mo_string(const struct mo_reader *r, size_t at, size_t *len)
{
	uint64_t length = mo_u32(r, at);
	uint64_t offset = mo_u32(r, at + 4);
	if (offset + length >= r->size || r->data[offset + length] != '\0')
		return NULL;
	*len = (size_t)length;
	return (const char *)r->data + offset;
}

/* Checks the header and indexes every entry but the metadata one (msgid "").
 * Returns NULL, or what is wrong with the file. */
static const char *mo_index(i18n_catalog *c, size_t size)
{
	struct mo_reader r = { (const unsigned char *)c->data, size, false };
	if (size < MO_HEADER_SIZE)
		return "file too short";
	if (mo_u32(&r, 0) != MO_MAGIC) {
		r.big_endian = true;
		if (mo_u32(&r, 0) != MO_MAGIC)
			return "not a .mo file";
	}
	if (mo_u32(&r, 4) >> 16 > 1)
		return "unsupported .mo revision";
	uint64_t count = mo_u32(&r, 8);
	uint64_t originals = mo_u32(&r, 12);
	uint64_t translations = mo_u32(&r, 16);
	if (originals + count * 8 > size || translations + count * 8 > size)
		return "string table outside the file";
	c->entries = calloc((size_t)count + 1, sizeof *c->entries);
	if (!c->entries)
		return "out of memory";
	for (size_t i = 0; i < count; i++) {
		size_t id_len, str_len;
		const char *id = mo_string(&r, (size_t)originals + i * 8, &id_len);
		const char *str = mo_string(&r, (size_t)translations + i * 8, &str_len);
		if (!id || !str)
			return "string outside the file";
		if (id_len == 0)
			continue;
		c->entries[c->count++] = (struct i18n_entry){ id, str, str_len };
	}
	return index_entries(c) ? NULL : "out of memory";
}

i18n_catalog *i18n_load(const char *mo_dir, char *err, size_t errlen)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/pt_BR.mo", mo_dir) >= sizeof path) {
		set_err(err, errlen, "%s/pt_BR.mo: %s", mo_dir, "path too long");
		return NULL;
	}
	i18n_catalog *c = calloc(1, sizeof *c);
	if (!c) {
		set_err(err, errlen, "%s: %s", path, "out of memory");
		return NULL;
	}
	size_t size = 0;
	c->data = file_read_all(path, MO_MAX_SIZE, &size);
	if (!c->data) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	const char *problem = mo_index(c, size);
	if (problem) {
		set_err(err, errlen, "%s: %s", path, problem);
		goto fail;
	}
	return c;
fail:
	i18n_free(c);
	return NULL;
}

static const struct i18n_entry *lookup(const i18n_catalog *cat, const char *msgid)
{
	if (!cat || !msgid || !cat->count)
		return NULL;
	for (size_t at = slot_of(cat, msgid); cat->slots[at]; at = (at + 1) & cat->mask) {
		const struct i18n_entry *e = &cat->entries[cat->slots[at] - 1];
		if (strcmp(e->msgid, msgid) == 0)
			return e;
	}
	return NULL;
}

/* Plural form index for n; pt-BR and English share the rule "n == 1". */
static size_t plural_form(long n)
{
	return n == 1 ? 0 : 1;
}

/* Form number form of the NUL-separated msgstr, or NULL when absent or empty. */
static const char *nth_form(const struct i18n_entry *e, size_t form)
{
	const char *p = e->msgstr;
	const char *end = e->msgstr + e->msgstr_len;
	for (; form > 0; form--) {
		p += strlen(p) + 1;
		if (p > end)
			return NULL;
	}
	return *p ? p : NULL;
}

const char *i18n_text(const i18n_catalog *cat, enum lang lang, const char *msgid)
{
	if (!msgid)
		return "";
	if (lang != LANG_PT_BR)
		return msgid;
	const struct i18n_entry *e = lookup(cat, msgid);
	return e && e->msgstr[0] ? e->msgstr : msgid;
}

const char *i18n_ntext(const i18n_catalog *cat, enum lang lang, const char *msgid,
                       const char *msgid_plural, long n)
{
	const char *english = plural_form(n) == 0 ? msgid : msgid_plural;
	if (lang != LANG_PT_BR)
		return english ? english : "";
	const struct i18n_entry *e = lookup(cat, msgid);
	const char *translated = e ? nth_form(e, plural_form(n)) : NULL;
	if (translated)
		return translated;
	return english ? english : "";
}

const char *lang_code(enum lang lang)
{
	return lang == LANG_EN ? "en" : "pt-BR";
}

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_alnum(char ch)
{
	return is_alpha(ch) || (ch >= '0' && ch <= '9');
}

/* True when s is empty or made of "-sub" / "_sub" parts of 1 to 8
 * letters or digits (a region, script or variant). */
static bool valid_subtags(const char *s)
{
	while (*s) {
		if (*s != '-' && *s != '_')
			return false;
		s++;
		size_t n = 0;
		while (is_alnum(s[n]))
			n++;
		if (n == 0 || n > 8)
			return false;
		s += n;
	}
	return true;
}

int lang_parse(const char *s)
{
	if (!s)
		return -1;
	size_t n = 0;
	while (is_alpha(s[n]))
		n++;
	if (n != 2 || !valid_subtags(s + n))
		return -1;
	char primary[3] = { (char)(s[0] | 0x20), (char)(s[1] | 0x20), '\0' };
	/* Every Portuguese variant gets pt-BR: closer to the reader than English. */
	if (strcmp(primary, "pt") == 0)
		return LANG_PT_BR;
	if (strcmp(primary, "en") == 0)
		return LANG_EN;
	return -1;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Parses a qvalue ("0", "0.8", "1.000") in [p, end) into thousandths;
 * -1 when malformed. */
static int parse_qvalue(const char *p, const char *end)
{
	if (p == end || (*p != '0' && *p != '1'))
		return -1;
	int value = (*p++ - '0') * 1000;
	if (p == end)
		return value;
	if (*p++ != '.')
		return -1;
	int scale = 100;
	for (; p < end; p++, scale /= 10) {
		if (scale == 0 || *p < '0' || *p > '9')
			return -1;
		value += (*p - '0') * scale;
	}
	return value > 1000 ? -1 : value;
}

/* The q of the parameters in [p, end) (";q=0.5;x=y"), 1000 when absent,
 * -1 when malformed. */
static int parse_weight(const char *p, const char *end)
{
	int q = 1000;
	while (p < end) {
		if (*p != ';')
			return -1;
		p++;
		while (p < end && is_space(*p))
			p++;
		const char *param_end = p;
		while (param_end < end && *param_end != ';')
			param_end++;
		const char *value_end = param_end;
		while (value_end > p && is_space(value_end[-1]))
			value_end--;
		if (value_end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
			q = parse_qvalue(p + 2, value_end);
		if (q < 0)
			return -1;
		p = param_end;
	}
	return q;
}

/* The best candidate so far: highest q, then earliest in the header. */
struct accept_choice {
	int q[LANG_COUNT];        /* -1: not named */
	int position[LANG_COUNT];
	int wildcard_q;           /* -1: no "*" */
	int wildcard_position;
};

static void accept_element(struct accept_choice *c, const char *p, const char *end, int position)
{
	while (p < end && is_space(*p))
		p++;
	const char *range_end = p;
	while (range_end < end && *range_end != ';' && !is_space(*range_end))
		range_end++;
	const char *params = range_end;
	while (params < end && is_space(*params))
		params++;
	size_t range_len = (size_t)(range_end - p);
	int q = parse_weight(params, end);
	if (range_len == 0 || range_len > LANG_TAG_MAX || q < 0)
		return;
	char range[LANG_TAG_MAX + 1];
	memcpy(range, p, range_len);
	range[range_len] = '\0';
	if (strcmp(range, "*") == 0) {
		if (q > c->wildcard_q) {
			c->wildcard_q = q;
			c->wildcard_position = position;
		}
		return;
	}
	int lang = lang_parse(range);
	if (lang >= 0 && q > c->q[lang]) {
		c->q[lang] = q;
		c->position[lang] = position;
	}
}

enum lang lang_from_accept(const char *header)
{
	struct accept_choice c = { { -1, -1 }, { 0, 0 }, -1, 0 };
	if (!header)
		return LANG_PT_BR;
	const char *p = header;
	for (int position = 0; *p; position++) {
		const char *end = strchrnul(p, ',');
		accept_element(&c, p, end, position);
		p = *end ? end + 1 : end;
	}
	/* "*" stands for every language the header did not name. */
	for (int lang = 0; lang < LANG_COUNT; lang++)
		if (c.q[lang] < 0) {
			c.q[lang] = c.wildcard_q;
			c.position[lang] = c.wildcard_position;
		}
	int best = LANG_PT_BR;
	for (int lang = 0; lang < LANG_COUNT; lang++)
		if (c.q[lang] > c.q[best] || (c.q[lang] == c.q[best] && c.position[lang] < c.position[best]))
			best = lang;
	return c.q[best] > 0 ? (enum lang)best : LANG_PT_BR;
}

enum lang lang_or_default(const char *code)
{
	int l = code ? lang_parse(code) : -1;
	return l < 0 ? LANG_PT_BR : (enum lang)l;
}
