/* The view model: the values a template sees, built by a handler in the
 * request arena. An object maps names to values; a value is text (escaped
 * when shown), trusted HTML (only our own Markdown renderer makes it), a
 * boolean, a list of objects, or an object. */
#ifndef CHAMADO_VM_H
#define CHAMADO_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"

typedef struct vm_obj vm_obj;
typedef struct vm_list vm_list;

enum vm_kind { VM_TEXT, VM_HTML, VM_BOOL, VM_LIST, VM_OBJ, VM_TEMPLATE };

typedef struct vm_value {
	enum vm_kind kind;
	union {
		const char *text; /* VM_TEXT and VM_HTML; VM_TEMPLATE: its name */
		bool boolean;
		vm_list *list;
		vm_obj *obj;
	} u;
} vm_value;

/* All functions allocate from the arena given at creation; they return NULL
 * (or do nothing) when it is out of memory, and the render then fails.
 * Names are kept as given, not copied: a literal, or text in the arena. */
vm_obj *vm_new(arena *a);
void vm_set_text(vm_obj *o, const char *name, const char *text); /* copies nothing: text must outlive the render */
void vm_set_text_copy(vm_obj *o, const char *name, const char *text); /* copies text into the arena */
void vm_set_textf(vm_obj *o, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vm_set_int(vm_obj *o, const char *name, int64_t value);
void vm_set_bool(vm_obj *o, const char *name, bool value);
/* Raw HTML: only for output of view/markdown.c and of other templates. */
void vm_set_trusted_html(vm_obj *o, const char *name, const char *html);
/* A template of the same set, rendered where {{&name}} stands with the
 * context found there (a page inside its layout, without a copy of the
 * page); {{name}} shows nothing. */
void vm_set_template(vm_obj *o, const char *name, const char *template_name);
vm_obj *vm_set_obj(vm_obj *o, const char *name);  /* a new child object */
vm_list *vm_set_list(vm_obj *o, const char *name); /* a new empty list */
vm_obj *vm_list_add(vm_list *l);                  /* appends a new object */
/* Looks a plain name up in this object only; NULL when absent. */
const vm_value *vm_get(const vm_obj *o, const char *name);
/* The same with the name's vm_name_hash, worked out once (templates keep it). */
const vm_value *vm_get_hashed(const vm_obj *o, const char *name, uint32_t hash);
uint32_t vm_name_hash(const char *name);
arena *vm_arena(const vm_obj *o);
/* True when any allocation for this view model failed (o NULL included);
 * tpl_render then refuses to render a half-built page. */
bool vm_failed(const vm_obj *o);

/* Iteration, for the renderer. */
int vm_list_count(const vm_list *l);
const vm_obj *vm_list_at(const vm_list *l, int i);

#endif
