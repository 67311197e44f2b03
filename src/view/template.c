/* The template engine. Each template is compiled once per language into a
 * flat array of ops; a section op records where its body ends, so rendering
 * is a loop with one recursion per section and per partial. Everything the
 * set owns lives in its arena, read-only after loading, so any number of
 * threads may render at once: render state lives on their stacks.
 *
 * A template whose name ends in ".txt" is plain text (an email body): its
 * variables compile to OP_PLAIN and its translations are not escaped. */
#include "view/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/file.h"

#define TPL_MAX_PARTIAL_DEPTH 16
#define TPL_MAX_SECTION_DEPTH 64
#define TPL_MAX_NAME_SEGMENTS 16
#define TPL_MAX_FILE_SIZE (1u << 20)
#define TPL_MAX_DIR_DEPTH 16
#define TPL_MAX_TEMPLATES 4096
#define TPL_PATH_MAX 4096

/* OP_VAR escapes, OP_RAW passes trusted HTML, OP_PLAIN (text templates)
 * outputs any text unchanged. */
enum op_kind { OP_TEXT, OP_VAR, OP_RAW, OP_PLAIN, OP_SECTION, OP_INVERTED, OP_PARTIAL };

struct op {
	enum op_kind kind;
	int line;
	const char *text;       /* OP_TEXT: the bytes to output; others: the name */
	size_t len;
	const char **path;      /* a variable or section name split at its dots */
	uint32_t *hashes;       /* vm_name_hash of each part of path */
	int path_len;
	int end;                /* sections: index of the first op after the body */
	int partial;            /* OP_PARTIAL: index of the template, set last */
};

struct program {
	struct op *ops;
	int count;
};

struct template {
	const char *name;
	const char *file; /* for error messages */
	const char *source;
	size_t source_len;
	bool text; /* a ".txt" template: nothing is escaped */
	struct program code[LANG_COUNT];
};

struct tpl_set {
	arena *a;
	const struct tpl_assets *assets; /* while loading only */
	struct template *templates; /* sorted by name once loading is done */
	int count;
	int capacity;
};

static void set_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- compiling ---- */

struct compiler {
	arena *a;
	const i18n_catalog *cat;
	const struct tpl_assets *assets;
	enum lang lang;
	const struct template *tpl;
	struct op *ops; /* malloc'd while compiling, copied to the arena at the end */
	int count;
	int capacity;
	int open[TPL_MAX_SECTION_DEPTH]; /* indexes of the unclosed sections */
	int depth;
	bool verbatim; /* inside <pre> or <textarea>: every space shows */
	char *err;
	size_t errlen;
};

static int compile_error(struct compiler *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes "file:line: message" and returns -1. */
static int compile_error(struct compiler *c, int line, const char *fmt, ...)
{
	char message[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	set_error(c->err, c->errlen, "%s:%d: %s", c->tpl->file, line, message);
	return -1;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

static int count_lines(const char *s, size_t len)
{
	int lines = 0;
	for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s))); p++)
		lines++;
	return lines;
}

/* Appends a zeroed op; NULL when out of memory. */
static struct op *emit(struct compiler *c, enum op_kind kind, int line)
{
	if (c->count == c->capacity) {
		int capacity = c->capacity ? c->capacity * 2 : 32;
		struct op *ops = realloc(c->ops, (size_t)capacity * sizeof *ops);
		if (!ops)
			return NULL;
		c->ops = ops;
		c->capacity = capacity;
	}
	struct op *op = &c->ops[c->count++];
	*op = (struct op){ .kind = kind, .line = line, .end = -1, .partial = -1 };
	return op;
}

static int emit_text(struct compiler *c, const char *text, size_t len, int line)
{
	if (len == 0)
		return 0;
	struct op *op = emit(c, OP_TEXT, line);
	if (!op)
		return compile_error(c, line, "out of memory");
	op->text = text;
	op->len = len;
	return 0;
}

/* Text known at load time: as it is in a text template, HTML-escaped now,
 * once, in an HTML one; copied into the set's arena either way. */
static int emit_fixed(struct compiler *c, const char *text, int line)
{
	buf escaped;
	buf_init(&escaped, TPL_MAX_FILE_SIZE);
	int rc = c->tpl->text ? buf_puts(&escaped, text) : buf_put_html(&escaped, text, strlen(text));
	char *copy = rc == BUF_OK ? arena_strndup(c->a, buf_str(&escaped), escaped.len) : NULL;
	size_t copy_len = escaped.len;
	buf_free(&escaped);
	if (!copy)
		return compile_error(c, line, "out of memory");
	return emit_text(c, copy, copy_len, line);
}

/* {{_ msgid}}: translated for c->lang at load time. */
static int emit_translation(struct compiler *c, const char *msgid, size_t len, int line)
{
	if (len == 0)
		return compile_error(c, line, "empty text in {{_ }}");
	char *key = arena_strndup(c->a, msgid, len);
	if (!key)
		return compile_error(c, line, "out of memory");
	return emit_fixed(c, i18n_text(c->cat, c->lang, key), line);
}

/* {{@ path}}: the static file's URL as the set's assets make it. */
static int emit_asset(struct compiler *c, const char *path, size_t len, int line)
{
	if (len == 0)
		return compile_error(c, line, "empty path in {{@ }}");
	char *key = arena_strndup(c->a, path, len);
	if (!key)
		return compile_error(c, line, "out of memory");
	const char *url = c->assets && c->assets->url ? c->assets->url(c->assets->self, key) : NULL;
	return emit_fixed(c, url ? url : key, line);
}

/* Splits a dotted name into op->path, checking each part. */
static int split_name(struct compiler *c, struct op *op, int line)
{
	const char *parts[TPL_MAX_NAME_SEGMENTS];
	size_t lengths[TPL_MAX_NAME_SEGMENTS];
	int n = 0;
	const char *p = op->text;
	const char *end = op->text + op->len;
	while (p <= end) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		const char *part_end = dot ? dot : end;
		if (n == TPL_MAX_NAME_SEGMENTS)
			return compile_error(c, line, "name '%s' has too many parts", op->text);
		parts[n] = p;
		lengths[n] = (size_t)(part_end - p);
		for (const char *q = p; q < part_end; q++)
			if (!is_name_char(*q))
				return compile_error(c, line, "bad name '%s'", op->text);
		if (lengths[n++] == 0)
			return compile_error(c, line, "bad name '%s'", op->text);
		p = part_end + 1;
	}
	op->path = arena_alloc(c->a, (size_t)n * sizeof *op->path);
	op->hashes = arena_alloc(c->a, (size_t)n * sizeof *op->hashes);
	if (!op->path || !op->hashes)
		return compile_error(c, line, "out of memory");
	for (int i = 0; i < n; i++) {
		if (!(op->path[i] = arena_strndup(c->a, parts[i], lengths[i])))
			return compile_error(c, line, "out of memory");
		op->hashes[i] = vm_name_hash(op->path[i]);
	}
	op->path_len = n;
	return 0;
}

static int check_partial_name(struct compiler *c, const char *name, int line)
{
	for (const char *p = name; *p; p++)
		if (!is_name_char(*p) && *p != '/' && *p != '.')
			return compile_error(c, line, "bad partial name '%s'", name);
	return 0;
}

static int close_section(struct compiler *c, const char *name, size_t len, int line)
{
	if (c->depth == 0)
		return compile_error(c, line, "{{/%.*s}} closes no section", (int)len, name);
	struct op *open = &c->ops[c->open[c->depth - 1]];
	if (open->len != len || memcmp(open->text, name, len) != 0)
		return compile_error(c, line, "{{/%.*s}} does not match {{%c%s}} opened on line %d",
		                     (int)len, name, open->kind == OP_SECTION ? '#' : '^', open->text,
		                     open->line);
	open->end = c->count;
	c->depth--;
	return 0;
}

static int open_section(struct compiler *c, struct op *op, int line)
{
	if (c->depth == TPL_MAX_SECTION_DEPTH)
		return compile_error(c, line, "sections nested deeper than %d", TPL_MAX_SECTION_DEPTH);
	c->open[c->depth++] = (int)(op - c->ops);
	return 0;
}

static enum op_kind kind_of_sigil(char sigil)
{
	switch (sigil) {
	case '#': return OP_SECTION;
	case '^': return OP_INVERTED;
	case '&': return OP_RAW;
	case '>': return OP_PARTIAL;
	default: return OP_VAR;
	}
}

/* One tag, without its braces. */
static int compile_tag(struct compiler *c, const char *body, size_t len, int line)
{
	trim(&body, &len);
	char sigil = len ? body[0] : '\0';
	if (sigil == '!')
		return 0;
	/* "{{_ text}}" translates; "{{_name}}" is still a variable. */
	if (sigil == '_' && (len == 1 || is_space(body[1]))) {
		body++, len--;
		trim(&body, &len);
		return emit_translation(c, body, len, line);
	}
	if (sigil == '@') {
		body++, len--;
		trim(&body, &len);
		return emit_asset(c, body, len, line);
	}
	bool has_sigil = sigil != '\0' && strchr("#^/&>", sigil);
	if (has_sigil)
		body++, len--;
	trim(&body, &len);
	if (len == 0)
		return compile_error(c, line, "empty name");
	if (sigil == '/')
		return close_section(c, body, len, line);
	enum op_kind kind = has_sigil ? kind_of_sigil(sigil) : OP_VAR;
	if (c->tpl->text && (kind == OP_VAR || kind == OP_RAW))
		kind = OP_PLAIN;
	struct op *op = emit(c, kind, line);
	char *name = op ? arena_strndup(c->a, body, len) : NULL;
	if (!name)
		return compile_error(c, line, "out of memory");
	op->text = name;
	op->len = len;
	if (op->kind == OP_PARTIAL)
		return check_partial_name(c, name, line);
	if (split_name(c, op, line) < 0)
		return -1;
	if (op->kind == OP_SECTION || op->kind == OP_INVERTED)
		return open_section(c, op, line);
	return 0;
}

/* True when s (n bytes) starts with the tag name, whatever its case,
 * ended by a character no name holds or by the text's end (a tag there
 * goes on past a {{tag}}). */
static bool tag_is(const char *s, size_t n, const char *name)
{
	size_t k = strlen(name);
	return n >= k && strncasecmp(s, name, k) == 0 && (n == k || !is_name_char(s[k]));
}

/* <pre or <textarea (or either after "</"): where every space shows. */
static bool verbatim_tag(const char *s, size_t n)
{
	return tag_is(s, n, "pre") || tag_is(s, n, "textarea");
}

/* An HTML template's own text loses the spaces that indent its lines (a
 * seventh of a staff queue page's bytes): a browser shows a line break and
 * spaces as one space either way, but not inside <pre> or <textarea>,
 * where every space shows. Returns the text to emit, len updated. */
static const char *without_indentation(struct compiler *c, const char *text, size_t *len)
{
	char *out = arena_alloc(c->a, *len ? *len : 1);
	if (!out)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < *len; i++) {
		const char *p = text + i;
		size_t rest = *len - i;
		if (*p == '<') {
			if (verbatim_tag(p + 1, rest - 1))
				c->verbatim = true;
			else if (rest > 2 && p[1] == '/' && verbatim_tag(p + 2, rest - 2))
				c->verbatim = false;
		}
		out[n++] = *p;
		if (*p == '\n' && !c->verbatim)
			while (i + 1 < *len && (text[i + 1] == ' ' || text[i + 1] == '\t'))
				i++;
	}
	*len = n;
	return out;
}

/* Splits the source into text and tags. */
static int compile_source(struct compiler *c)
{
	const char *src = c->tpl->source;
	const char *end = src + c->tpl->source_len;
	int line = 1;
	while (src < end) {
		const char *open = memmem(src, (size_t)(end - src), "{{", 2);
		size_t text_len = (size_t)((open ? open : end) - src);
		size_t out_len = text_len;
		const char *out = c->tpl->text ? src : without_indentation(c, src, &out_len);
		if (!out)
			return compile_error(c, line, "out of memory");
		if (emit_text(c, out, out_len, line) < 0)
			return -1;
		line += count_lines(src, text_len);
		if (!open)
			break;
		const char *close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2);
		if (!close)
			return compile_error(c, line, "unclosed tag");
		if (compile_tag(c, open + 2, (size_t)(close - open - 2), line) < 0)
			return -1;
		line += count_lines(open, (size_t)(close - open));
		src = close + 2;
	}
	if (c->depth > 0) {
		const struct op *open = &c->ops[c->open[c->depth - 1]];
		return compile_error(c, open->line, "unclosed section {{%c%s}}",
		                     open->kind == OP_SECTION ? '#' : '^', open->text);
	}
	return 0;
}

static int compile_template(tpl_set *s, struct template *t, const i18n_catalog *cat,
                            enum lang lang, char *err, size_t errlen)
{
	struct compiler c = { .a = s->a, .cat = cat, .assets = s->assets, .lang = lang, .tpl = t,
	                      .err = err, .errlen = errlen };
	int rc = compile_source(&c);
	struct op *ops = NULL;
	if (rc == 0 && c.count > 0) {
		ops = arena_alloc(s->a, (size_t)c.count * sizeof *ops);
		if (ops)
			memcpy(ops, c.ops, (size_t)c.count * sizeof *ops);
		else
			rc = compile_error(&c, 1, "out of memory");
	}
	free(c.ops);
	t->code[lang] = (struct program){ ops, rc == 0 ? c.count : 0 };
	return rc;
}

/* ---- the set ---- */

static int template_compare(const void *a, const void *b)
{
	return strcmp(((const struct template *)a)->name, ((const struct template *)b)->name);
}

static const struct template *find_template(const tpl_set *s, const char *name)
{
	if (!s || !name || s->count == 0)
		return NULL;
	struct template key = { .name = name };
	return bsearch(&key, s->templates, (size_t)s->count, sizeof key, template_compare);
}

static tpl_set *set_new(char *err, size_t errlen)
{
	tpl_set *s = calloc(1, sizeof *s);
	if (s && !(s->a = arena_new(64 * 1024))) {
		free(s);
		s = NULL;
	}
	if (!s)
		set_error(err, errlen, "templates: out of memory");
	return s;
}

void tpl_set_free(tpl_set *s)
{
	if (!s)
		return;
	arena_free(s->a);
	free(s->templates);
	free(s);
}

bool tpl_exists(const tpl_set *s, const char *name)
{
	return find_template(s, name) != NULL;
}

/* Copies one template's name, file name and source into the set. */
static int set_add(tpl_set *s, const char *name, const char *file, const char *source,
                   size_t len, char *err, size_t errlen)
{
	if (s->count == TPL_MAX_TEMPLATES) {
		set_error(err, errlen, "%s: more than %d templates", file, TPL_MAX_TEMPLATES);
		return -1;
	}
	if (s->count == s->capacity) {
		int capacity = s->capacity ? s->capacity * 2 : 32;
		struct template *t = realloc(s->templates, (size_t)capacity * sizeof *t);
		if (!t)
			goto nomem;
		s->templates = t;
		s->capacity = capacity;
	}
	struct template *t = &s->templates[s->count];
	size_t name_len = strlen(name);
	bool text = name_len > 4 && strcmp(name + name_len - 4, ".txt") == 0;
	*t = (struct template){ .source_len = len, .text = text };
	t->name = arena_strdup(s->a, name);
	t->file = arena_strdup(s->a, file);
	t->source = arena_strndup(s->a, source, len);
	if (!t->name || !t->file || !t->source)
		goto nomem;
	s->count++;
	return 0;
nomem:
	set_error(err, errlen, "%s: out of memory", file);
	return -1;
}

/* Points every partial op at its template; an unknown name, or a partial
 * of the other kind (text in HTML, HTML in text), is an error. */
static int resolve_partials(tpl_set *s, struct template *t, char *err, size_t errlen)
{
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		struct program *p = &t->code[lang];
		for (int i = 0; i < p->count; i++) {
			struct op *op = &p->ops[i];
			if (op->kind != OP_PARTIAL)
				continue;
			const struct template *target = find_template(s, op->text);
			if (!target) {
				set_error(err, errlen, "%s:%d: unknown partial '%s'", t->file, op->line,
				          op->text);
				return -1;
			}
			if (target->text != t->text) { /* unescaped text in a page: never */
				set_error(err, errlen, "%s:%d: partial '%s' is %s template in %s one",
				          t->file, op->line, op->text, target->text ? "a text" : "an HTML",
				          t->text ? "a text" : "an HTML");
				return -1;
			}
			op->partial = (int)(target - s->templates);
		}
	}
	return 0;
}

/* Sorts, then compiles every template in every language, then links partials. */
static int set_finish(tpl_set *s, const i18n_catalog *cat, char *err, size_t errlen)
{
	if (s->count > 0)
		qsort(s->templates, (size_t)s->count, sizeof *s->templates, template_compare);
	for (int i = 1; i < s->count; i++)
		if (strcmp(s->templates[i - 1].name, s->templates[i].name) == 0) {
			set_error(err, errlen, "%s: duplicate template '%s'", s->templates[i].file,
			          s->templates[i].name);
			return -1;
		}
	for (int i = 0; i < s->count; i++)
		for (int lang = 0; lang < LANG_COUNT; lang++)
			if (compile_template(s, &s->templates[i], cat, (enum lang)lang, err, errlen) < 0)
				return -1;
	for (int i = 0; i < s->count; i++)
		if (resolve_partials(s, &s->templates[i], err, errlen) < 0)
			return -1;
	return 0;
}

tpl_set *tpl_load_strings(int count, const char *const *names, const char *const *sources,
                          const i18n_catalog *cat, char *err, size_t errlen)
{
	return tpl_load_strings_assets(count, names, sources, cat, NULL, err, errlen);
}

tpl_set *tpl_load_strings_assets(int count, const char *const *names, const char *const *sources,
                                 const i18n_catalog *cat, const struct tpl_assets *assets,
                                 char *err, size_t errlen)
{
	tpl_set *s = set_new(err, errlen);
	if (!s)
		return NULL;
	s->assets = assets;
	for (int i = 0; i < count; i++) {
		if (!names[i] || !sources[i]) {
			set_error(err, errlen, "template %d: no name or no source", i);
			goto fail;
		}
		if (set_add(s, names[i], names[i], sources[i], strlen(sources[i]), err, errlen) < 0)
			goto fail;
	}
	if (set_finish(s, cat, err, errlen) < 0)
		goto fail;
	s->assets = NULL;
	return s;
fail:
	tpl_set_free(s);
	return NULL;
}

/* Reads a template file of at most TPL_MAX_FILE_SIZE bytes into the set. */
static int load_file(tpl_set *s, const char *path, const char *name, char *err, size_t errlen)
{
	size_t len = 0;
	char *data = file_read_all(path, TPL_MAX_FILE_SIZE, &len);
	if (!data) {
		if (errno == EFBIG)
			set_error(err, errlen, "%s: larger than %u bytes", path, TPL_MAX_FILE_SIZE);
		else
			set_error(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = set_add(s, name, path, data, len, err, errlen);
	free(data);
	return rc;
}

/* True for "x.html" (its extension is cut off: the template "x") and for
 * "x.txt" (a text template, named with its extension). */
static bool is_template_file(char *relative)
{
	size_t len = strlen(relative);
	if (len > 4 && strcmp(relative + len - 4, ".txt") == 0)
		return true;
	if (len > 5 && strcmp(relative + len - 5, ".html") == 0) {
		relative[len - 5] = '\0';
		return true;
	}
	return false;
}

/* Loads dir/prefix recursively; prefix is "" or ends with '/'. */
static int load_tree(tpl_set *s, const char *dir, const char *prefix, int depth, char *err,
                     size_t errlen)
{
	char path[TPL_PATH_MAX];
	if (depth > TPL_MAX_DIR_DEPTH) {
		set_error(err, errlen, "%s/%s: folders nested too deeply", dir, prefix);
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", dir, prefix);
	DIR *d = opendir(path);
	if (!d) {
		set_error(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *entry;
	while (rc == 0 && (entry = readdir(d))) {
		if (entry->d_name[0] == '.') /* ., .. and hidden files (editor swap files) */
			continue;
		char relative[TPL_PATH_MAX];
		struct stat st;
		/* One byte spare in relative for the '/' a folder gets. */
		if ((size_t)snprintf(relative, sizeof relative, "%s%s", prefix, entry->d_name) >=
		        sizeof relative - 1 ||
		    (size_t)snprintf(path, sizeof path, "%s/%s", dir, relative) >= sizeof path) {
			set_error(err, errlen, "%s/%s: path too long", dir, prefix);
			rc = -1;
		} else if (stat(path, &st) < 0) {
			set_error(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			strcat(relative, "/");
			rc = load_tree(s, dir, relative, depth + 1, err, errlen);
		} else if (S_ISREG(st.st_mode) && is_template_file(relative)) {
			rc = load_file(s, path, relative, err, errlen);
		}
	}
	closedir(d);
	return rc;
}

tpl_set *tpl_load_dir(const char *dir, const i18n_catalog *cat, const struct tpl_assets *assets,
                      char *err, size_t errlen)
{
	tpl_set *s = set_new(err, errlen);
	if (!s)
		return NULL;
	s->assets = assets;
	if (load_tree(s, dir, "", 0, err, errlen) < 0 || set_finish(s, cat, err, errlen) < 0) {
		tpl_set_free(s);
		return NULL;
	}
	s->assets = NULL;
	return s;
}

/* ---- rendering ---- */

/* The context stack: each section that pushes an object adds one frame on
 * the C stack, pointing outwards. */
struct frame {
	const vm_obj *obj;
	const struct frame *outer;
};

struct render {
	const tpl_set *set;
	enum lang lang;
	buf *out;
	int partial_depth;
};

/* The first part of the name from the innermost frame outwards, then the
 * rest through objects; NULL when any part is missing. */
static const vm_value *resolve(const struct op *op, const struct frame *ctx)
{
	const vm_value *v = NULL;
	for (const struct frame *f = ctx; f && !v; f = f->outer)
		v = vm_get_hashed(f->obj, op->path[0], op->hashes[0]);
	for (int i = 1; v && i < op->path_len; i++)
		v = v->kind == VM_OBJ ? vm_get_hashed(v->u.obj, op->path[i], op->hashes[i]) : NULL;
	return v;
}

/* What an inverted section tests: missing, false, empty text or empty list. */
static bool is_empty(const vm_value *v)
{
	if (!v)
		return true;
	switch (v->kind) {
	case VM_TEXT:
	case VM_HTML:
	case VM_TEMPLATE: return !v->u.text || !v->u.text[0];
	case VM_BOOL: return !v->u.boolean;
	case VM_LIST: return vm_list_count(v->u.list) == 0;
	case VM_OBJ: return !v->u.obj;
	}
	return true;
}

static int render_ops(struct render *r, const struct program *p, int begin, int end,
                      const struct frame *ctx);

/* A partial, or a VM_TEMPLATE value, in place: counted as one level of
 * partials, so that a template that names itself ends. */
static int render_nested(struct render *r, const struct template *t, const struct frame *ctx)
{
	if (!t || r->partial_depth == TPL_MAX_PARTIAL_DEPTH)
		return -1;
	const struct program *p = &t->code[r->lang];
	r->partial_depth++;
	int rc = render_ops(r, p, 0, p->count, ctx);
	r->partial_depth--;
	return rc;
}

/* {{name}} escapes everything; {{&name}} passes VM_HTML through unchanged
 * and renders a VM_TEMPLATE in place; in a text template (OP_PLAIN) every
 * text goes out unchanged. */
static int render_value(struct render *r, const vm_value *v, enum op_kind kind,
                        const struct frame *ctx)
{
	if (v && v->kind == VM_TEMPLATE && v->u.text) {
		if (kind != OP_RAW)
			return 0;
		/* {{&name}} stands only in HTML: a text template there would go
		 * out unescaped. */
		const struct template *t = find_template(r->set, v->u.text);
		return t && !t->text ? render_nested(r, t, ctx) : -1;
	}
	if (!v || (v->kind != VM_TEXT && v->kind != VM_HTML) || !v->u.text)
		return 0;
	size_t len = strlen(v->u.text);
	if (kind == OP_PLAIN || (kind == OP_RAW && v->kind == VM_HTML))
		return buf_append(r->out, v->u.text, len) == BUF_OK ? 0 : -1;
	return buf_put_html(r->out, v->u.text, len) == BUF_OK ? 0 : -1;
}

static int render_section(struct render *r, const struct program *p, const struct op *op,
                          int body, const struct frame *ctx)
{
	const vm_value *v = resolve(op, ctx);
	if (op->kind == OP_INVERTED)
		return is_empty(v) ? render_ops(r, p, body, op->end, ctx) : 0;
	if (is_empty(v))
		return 0;
	if (v->kind == VM_LIST) {
		for (int i = 0; i < vm_list_count(v->u.list); i++) {
			struct frame item = { vm_list_at(v->u.list, i), ctx };
			if (render_ops(r, p, body, op->end, &item) < 0)
				return -1;
		}
		return 0;
	}
	if (v->kind == VM_OBJ) {
		struct frame object = { v->u.obj, ctx };
		return render_ops(r, p, body, op->end, &object);
	}
	return render_ops(r, p, body, op->end, ctx);
}

static int render_partial(struct render *r, const struct op *op, const struct frame *ctx)
{
	return render_nested(r, &r->set->templates[op->partial], ctx);
}

static int render_ops(struct render *r, const struct program *p, int begin, int end,
                      const struct frame *ctx)
{
	int i = begin;
	while (i < end) {
		const struct op *op = &p->ops[i];
		int rc = 0;
		switch (op->kind) {
		case OP_TEXT: rc = buf_append(r->out, op->text, op->len) == BUF_OK ? 0 : -1; break;
		case OP_VAR:
		case OP_RAW:
		case OP_PLAIN: rc = render_value(r, resolve(op, ctx), op->kind, ctx); break;
		case OP_SECTION:
		case OP_INVERTED: rc = render_section(r, p, op, i + 1, ctx); break;
		case OP_PARTIAL: rc = render_partial(r, op, ctx); break;
		}
		if (rc < 0)
			return -1;
		i = (op->kind == OP_SECTION || op->kind == OP_INVERTED) ? op->end : i + 1;
	}
	return 0;
}

int tpl_render(const tpl_set *s, const char *name, enum lang lang, const vm_obj *ctx, buf *out)
{
	const struct template *t = find_template(s, name);
	if (!t || !out || (int)lang < 0 || lang >= LANG_COUNT || vm_failed(ctx))
		return -1;
	struct render r = { .set = s, .lang = lang, .out = out };
	struct frame root = { ctx, NULL };
	size_t start = out->len;
	if (render_ops(&r, &t->code[lang], 0, t->code[lang].count, &root) == 0)
		return 0;
	/* Leave out as it was, so the caller never sends half a page. */
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return -1;
}
