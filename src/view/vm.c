/* The view model: objects are name/value pairs chained in a few buckets by
 * their names' hash (a page has a few dozen names at most), lists are arrays
 * that double in the arena. Each pair keeps its name's hash: a queue row is
 * given ~25 names and a template looks each up, often missing in a row
 * before finding it in the page, and comparing every name took a seventh of
 * the queue's time; walking the page's one list of ~60 names still took a
 * tenth of its CPU under load (perf), the buckets a few names each. A set
 * puts the pair in front of its bucket without looking for an older one of
 * the same name (the lookup finds the newest first), and each object keeps
 * a mask of its names' hashes, so that most misses end without a walk.
 * Every object points to one shared status so that an allocation failure
 * anywhere in the tree makes the whole model refuse to render. */
#include "view/vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"

struct vm_status {
	arena *a;
	bool failed;
};

struct vm_field {
	uint32_t hash;
	const char *name;
	vm_value value;
	struct vm_field *next;
};

/* Buckets take the hash's bits above the mask's six. */
#define VM_BUCKETS 16

struct vm_obj {
	struct vm_status *status;
	uint64_t names; /* bit (hash % 64) of every name set */
	struct vm_field *buckets[VM_BUCKETS];
};

struct vm_list {
	struct vm_status *status;
	vm_obj **items;
	int count;
	int capacity;
};

static vm_obj *vm_obj_new(struct vm_status *status)
{
	vm_obj *o = arena_zalloc(status->a, sizeof *o);
	if (!o) {
		status->failed = true;
		return NULL;
	}
	o->status = status;
	return o;
}

vm_obj *vm_new(arena *a)
{
	if (!a)
		return NULL;
	struct vm_status *status = arena_zalloc(a, sizeof *status);
	if (!status)
		return NULL;
	status->a = a;
	return vm_obj_new(status);
}

uint32_t vm_name_hash(const char *name)
{
	return (uint32_t)str_hash_cstr(name);
}

static uint64_t name_bit(uint32_t hash)
{
	return (uint64_t)1 << (hash & 63);
}

static unsigned bucket_index(uint32_t hash)
{
	return (hash >> 6) % VM_BUCKETS;
}

/* Names are short: a loop in line costs less than a call to strcmp. */
static bool name_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static struct vm_field *find(const vm_obj *o, const char *name, uint32_t hash)
{
	if (!(o->names & name_bit(hash)))
		return NULL;
	for (struct vm_field *f = o->buckets[bucket_index(hash)]; f; f = f->next)
		if (f->hash == hash && name_eq(f->name, name))
			return f;
	return NULL;
}

/* A new value slot for name in o, in front of any older one of the same
 * name, which it hides. NULL (and the model marked failed) when out of
 * memory. The name is not copied (vm.h): a page sets ~500 of them. */
static vm_value *vm_slot(vm_obj *o, const char *name)
{
	if (!o)
		return NULL;
	uint32_t hash = vm_name_hash(name);
	struct vm_field *f = arena_alloc(o->status->a, sizeof *f);
	if (!f) {
		o->status->failed = true;
		return NULL;
	}
	struct vm_field **bucket = &o->buckets[bucket_index(hash)];
	f->hash = hash;
	f->name = name;
	f->next = *bucket;
	*bucket = f;
	o->names |= name_bit(hash);
	return &f->value;
}

static void vm_set_string(vm_obj *o, const char *name, enum vm_kind kind, const char *text)
{
	vm_value *v = vm_slot(o, name);
	if (!v)
		return;
	v->kind = kind;
	v->u.text = text;
}

void vm_set_text(vm_obj *o, const char *name, const char *text)
{
	vm_set_string(o, name, VM_TEXT, text);
}

void vm_set_text_copy(vm_obj *o, const char *name, const char *text)
{
	if (!o)
		return;
	char *copy = arena_strdup(o->status->a, text ? text : "");
	if (!copy) {
		o->status->failed = true;
		return;
	}
	vm_set_text(o, name, copy);
}

void vm_set_trusted_html(vm_obj *o, const char *name, const char *html)
{
	vm_set_string(o, name, VM_HTML, html);
}

void vm_set_template(vm_obj *o, const char *name, const char *template_name)
{
	vm_set_string(o, name, VM_TEMPLATE, template_name);
}

/* Formats into the arena; NULL when out of memory or on a format error. */
static char *vm_vformat(arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	char *text = arena_alloc(a, (size_t)n + 1);
	if (text)
		vsnprintf(text, (size_t)n + 1, fmt, ap);
	return text;
}

void vm_set_textf(vm_obj *o, const char *name, const char *fmt, ...)
{
	if (!o)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *text = vm_vformat(o->status->a, fmt, ap);
	va_end(ap);
	if (!text) {
		o->status->failed = true;
		return;
	}
	vm_set_text(o, name, text);
}

/* Without printf: it cost a queue page ~100k instructions of numbers. */
void vm_set_int(vm_obj *o, const char *name, int64_t value)
{
	char digits[STR_INT64_MAX];
	vm_set_text_copy(o, name, str_from_int64(digits, value));
}

void vm_set_bool(vm_obj *o, const char *name, bool value)
{
	vm_value *v = vm_slot(o, name);
	if (!v)
		return;
	v->kind = VM_BOOL;
	v->u.boolean = value;
}

vm_obj *vm_set_obj(vm_obj *o, const char *name)
{
	if (!o)
		return NULL;
	vm_obj *child = vm_obj_new(o->status);
	vm_value *v = child ? vm_slot(o, name) : NULL;
	if (!v)
		return NULL;
	v->kind = VM_OBJ;
	v->u.obj = child;
	return child;
}

vm_list *vm_set_list(vm_obj *o, const char *name)
{
	if (!o)
		return NULL;
	vm_list *l = arena_zalloc(o->status->a, sizeof *l);
	if (!l) {
		o->status->failed = true;
		return NULL;
	}
	l->status = o->status;
	vm_value *v = vm_slot(o, name);
	if (!v)
		return NULL;
	v->kind = VM_LIST;
	v->u.list = l;
	return l;
}

/* Doubles the item array; the old one stays in the arena until it is freed. */
static bool vm_list_grow(vm_list *l)
{
	if (l->capacity > INT32_MAX / 2)
		return false;
	int capacity = l->capacity ? l->capacity * 2 : 8;
	vm_obj **items = arena_alloc(l->status->a, (size_t)capacity * sizeof *items);
	if (!items)
		return false;
	if (l->count)
		memcpy(items, l->items, (size_t)l->count * sizeof *items);
	l->items = items;
	l->capacity = capacity;
	return true;
}

vm_obj *vm_list_add(vm_list *l)
{
	if (!l)
		return NULL;
	if (l->count == l->capacity && !vm_list_grow(l)) {
		l->status->failed = true;
		return NULL;
	}
	vm_obj *item = vm_obj_new(l->status);
	if (item)
		l->items[l->count++] = item;
	return item;
}

const vm_value *vm_get(const vm_obj *o, const char *name)
{
	return name ? vm_get_hashed(o, name, vm_name_hash(name)) : NULL;
}

const vm_value *vm_get_hashed(const vm_obj *o, const char *name, uint32_t hash)
{
	if (!o || !name)
		return NULL;
	const struct vm_field *f = find(o, name, hash);
	return f ? &f->value : NULL;
}

arena *vm_arena(const vm_obj *o)
{
	return o ? o->status->a : NULL;
}

bool vm_failed(const vm_obj *o)
{
	return !o || o->status->failed;
}

int vm_list_count(const vm_list *l)
{
	return l ? l->count : 0;
}

const vm_obj *vm_list_at(const vm_list *l, int i)
{
	if (!l || i < 0 || i >= l->count)
		return NULL;
	return l->items[i];
}
