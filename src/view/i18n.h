/* Translations. UI text is written in English in the code and templates
 * (the gettext msgid); po/pt_BR.po holds Brazilian Portuguese, the default
 * language. The compiled .mo catalogs are read directly, so a machine without
 * the pt_BR locale still shows Portuguese, and lookups need no locale state
 * (safe in any thread). */
#ifndef CHAMADO_I18N_H
#define CHAMADO_I18N_H

#include <stddef.h>

/* Marks a string for translation where it is defined (tables, returns);
 * it is looked up where it is shown. scripts/check-translations finds it. */
#define N_(msgid) (msgid)

enum lang { LANG_PT_BR = 0, LANG_EN = 1, LANG_COUNT = 2 };

typedef struct i18n_catalog i18n_catalog;

/* Reads DIR/pt_BR.mo (missing file: an error). NULL and err on failure. */
i18n_catalog *i18n_load(const char *mo_dir, char *err, size_t errlen);
/* Builds a catalog from pairs, for tests: msgids[i] -> pt_BR[i]. */
i18n_catalog *i18n_from_pairs(int count, const char *const *msgids, const char *const *pt_br);
void i18n_free(i18n_catalog *c);

/* The text in lang: the translation, or msgid itself when there is none
 * (English, or an untranslated string). Never NULL. cat may be NULL. */
const char *i18n_text(const i18n_catalog *cat, enum lang lang, const char *msgid);
/* Plural: n selects msgid or msgid_plural (pt-BR and English: n == 1). */
const char *i18n_ntext(const i18n_catalog *cat, enum lang lang, const char *msgid,
                       const char *msgid_plural, long n);

/* "pt-BR", "en". */
const char *lang_code(enum lang lang);
/* Parses "pt-BR", "pt_br", "pt", "en", "en-US"...; returns -1 when unknown. */
int lang_parse(const char *s);
/* The language named by code (an account's setting), pt-BR when NULL or
 * unknown. */
enum lang lang_or_default(const char *code);
/* Picks from an Accept-Language header by q-value; LANG_PT_BR when nothing fits. */
enum lang lang_from_accept(const char *header);

#endif
