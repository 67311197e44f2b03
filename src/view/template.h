/* Chamado's template engine: Mustache-like, escaping by default.
 *
 * Syntax:
 *   {{name}}            the value, HTML-escaped (& < > " ' all escaped);
 *                       dotted names walk objects: {{ticket.number}}
 *   {{&name}}           raw output, allowed only for VM_HTML values (trusted
 *                       HTML from our renderer); a text value is still escaped
 *   {{#name}}..{{/name}} section: once per list item, once for a true bool,
 *                       non-empty text or an object (pushed on the context)
 *   {{^name}}..{{/name}} inverted: when missing, false, empty text or empty list
 *   {{>name}}           partial: the template called name (e.g. partials/flash)
 *   {{_ Some text}}     translated at load time for each language, escaped
 *   {{@ /static/x.css}} a static file's URL, made at load time by the set's
 *                       assets (its content-hash version); the path as it is
 *                       when the set has none
 *   {{! comment}}
 * Names are looked up from the innermost context outwards.
 *
 * Templates are *.html files under one folder, named by their path without
 * ".html" ("pages/home", "layout"). They are compiled once at start-up, once
 * per language; a syntax error stops loading with file and line.
 *
 * Text templates (email bodies and subjects) are *.txt files, named WITH
 * their extension ("email/layout.txt"); the same holds for names given to
 * tpl_load_strings. In them nothing is escaped: {{name}} and {{&name}} print
 * the value as it is, {{_ text}} prints the translation as it is. A partial
 * must be of its includer's kind (loading fails otherwise). Never put the
 * output of a .txt template into an HTML page. */
#ifndef CHAMADO_TEMPLATE_H
#define CHAMADO_TEMPLATE_H

#include "base/buf.h"
#include "view/i18n.h"
#include "view/vm.h"

typedef struct tpl_set tpl_set;

/* What {{@ path}} becomes: url returns the URL to print for path, or NULL
 * for the path as it is (self is passed back). */
struct tpl_assets {
	const char *(*url)(const void *self, const char *path);
	const void *self;
};

/* Loads and compiles every template under dir for every language of cat.
 * On error returns NULL and writes "file:line: message" into err. assets
 * may be NULL. */
tpl_set *tpl_load_dir(const char *dir, const i18n_catalog *cat, const struct tpl_assets *assets,
                      char *err, size_t errlen);
/* Compiles templates from memory, for tests: names[i] -> sources[i]. */
tpl_set *tpl_load_strings(int count, const char *const *names, const char *const *sources,
                          const i18n_catalog *cat, char *err, size_t errlen);
tpl_set *tpl_load_strings_assets(int count, const char *const *names, const char *const *sources,
                                 const i18n_catalog *cat, const struct tpl_assets *assets,
                                 char *err, size_t errlen);
void tpl_set_free(tpl_set *s);
bool tpl_exists(const tpl_set *s, const char *name);

/* Renders template name in language lang into out, appending.
 * Returns 0, or -1 when the template is unknown, out of memory, the output
 * passes out's cap, or partials nest deeper than 16. Thread-safe. */
int tpl_render(const tpl_set *s, const char *name, enum lang lang, const vm_obj *ctx, buf *out);

#endif
