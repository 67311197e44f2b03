/* libFuzzer target on the template engine (view/template.c, view/vm.c):
 * a fuzzed template and a fuzzed partial are compiled, as HTML and as text
 * templates, for both languages, and rendered with fuzzed values (text,
 * nested objects, a list, booleans). Input: the main template, NUL, the
 * partial "p", NUL, then up to six values separated by NUL.
 *
 * The engine promises that {{name}} and {{&name}} of a text value and
 * {{_ text}} escape & < > " ' (template.h). So when neither template's own
 * bytes hold any of < > " ', no HTML render may either: every such
 * character would have come from a value or a translation unescaped. The
 * catalog's one translation is full of them, and so may the values be.
 * Text (.txt) templates escape nothing by design: crashes and leaks only.
 * Built and run by tests/fuzz/run (seeds: corpus/template/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "view/i18n.h"
#include "view/template.h"
#include "view/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { VALUES = 6, OUTPUT_CAP = 256 * 1024 };

static i18n_catalog *catalog;

static bool has_markup(const char *s)
{
	return strpbrk(s, "<>\"'") != NULL;
}

static vm_obj *view_model(arena *a, const char *const *v)
{
	vm_obj *root = vm_new(a);
	vm_set_text(root, "a", v[0]);
	vm_set_text(root, "b", v[1]);
	vm_set_text(root, "empty", "");
	vm_set_bool(root, "on", true);
	vm_set_bool(root, "off", false);
	vm_obj *o = vm_set_obj(root, "o");
	vm_set_text(o, "a", v[2]);
	vm_set_text(vm_set_obj(o, "o"), "c", v[3]);
	vm_list *items = vm_set_list(root, "items");
	for (int i = 0; i < 3; i++) {
		vm_obj *it = vm_list_add(items);
		vm_set_text(it, "a", v[4 + i % 2]);
		vm_set_bool(it, "on", i == 1);
	}
	vm_set_list(root, "none");
	return root;
}

static void render(const char *const *names, const char *const *sources, bool html,
                   const vm_obj *ctx, bool check)
{
	char err[256];
	tpl_set *s = tpl_load_strings(2, names, sources, catalog, err, sizeof err);
	if (!s)
		return;
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		buf out;
		buf_init(&out, OUTPUT_CAP);
		if (tpl_render(s, names[0], (enum lang)lang, ctx, &out) == 0 && html && check &&
		    out.len && has_markup(buf_str(&out)))
			abort(); /* a value or translation came out unescaped */
		buf_free(&out);
	}
	tpl_set_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	if (!catalog) {
		static const char *const ids[] = {"Hello"};
		static const char *const pt[] = {"<b>Olá</b> \"a\" & 'b' <script>"};
		catalog = i18n_from_pairs(1, ids, pt);
		if (!catalog)
			abort();
	}
	char *text = malloc(size + 1);
	arena *a = arena_new(4096);
	if (!text || !a)
		goto done;
	memcpy(text, data, size);
	text[size] = '\0';
	const char *piece[2 + VALUES];
	int n = 0;
	for (const char *p = text; n < 2 + VALUES; n++) {
		if (p > text + size) {
			piece[n] = "<i>'\"&";
			continue;
		}
		piece[n] = p;
		p += strlen(p) + 1;
	}
	const vm_obj *ctx = view_model(a, piece + 2);
	if (vm_failed(ctx))
		goto done;
	const char *sources[2] = {piece[0], piece[1]};
	bool check = !has_markup(piece[0]) && !has_markup(piece[1]);
	static const char *const html_names[2] = {"main", "p"};
	static const char *const text_names[2] = {"main.txt", "p.txt"};
	render(html_names, sources, true, ctx, check);
	render(text_names, sources, false, ctx, false);
done:
	arena_free(a);
	free(text);
	return 0;
}
