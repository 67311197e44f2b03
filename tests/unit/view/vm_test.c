#include <criterion/criterion.h>

#include <stdio.h>

#include "view/vm.h"

static arena *a;

static void setup(void)
{
	a = arena_new(1024);
}

static void teardown(void)
{
	arena_free(a);
}

TestSuite(vm, .init = setup, .fini = teardown);

Test(vm, stores_text_without_copying_it)
{
	vm_obj *o = vm_new(a);
	const char *subject = "Printer on fire";
	vm_set_text(o, "subject", subject);
	const vm_value *v = vm_get(o, "subject");
	cr_assert_not_null(v);
	cr_assert_eq(v->kind, VM_TEXT);
	cr_assert_eq(v->u.text, subject);
}

Test(vm, later_sets_of_the_same_name_replace_earlier_ones)
{
	vm_obj *o = vm_new(a);
	vm_set_text(o, "x", "first");
	vm_set_bool(o, "x", true);
	const vm_value *v = vm_get(o, "x");
	cr_assert_eq(v->kind, VM_BOOL);
	cr_assert(v->u.boolean);
}

Test(vm, formats_text_into_the_arena)
{
	vm_obj *o = vm_new(a);
	vm_set_textf(o, "title", "#%d %s", 42, "Login fails");
	cr_assert_str_eq(vm_get(o, "title")->u.text, "#42 Login fails");
}

Test(vm, stores_integers_as_decimal_text)
{
	vm_obj *o = vm_new(a);
	vm_set_int(o, "big", INT64_MIN);
	vm_set_int(o, "zero", 0);
	cr_assert_str_eq(vm_get(o, "big")->u.text, "-9223372036854775808");
	cr_assert_eq(vm_get(o, "big")->kind, VM_TEXT);
	cr_assert_str_eq(vm_get(o, "zero")->u.text, "0");
}

Test(vm, stores_negative_integers_with_their_sign)
{
	vm_obj *o = vm_new(a);
	vm_set_int(o, "n", -7);
	vm_set_int(o, "max", INT64_MAX);
	cr_assert_str_eq(vm_get(o, "n")->u.text, "-7");
	cr_assert_str_eq(vm_get(o, "max")->u.text, "9223372036854775807");
}

Test(vm, copies_text_when_asked)
{
	vm_obj *o = vm_new(a);
	char label[16] = "#1042";
	vm_set_text_copy(o, "label", label);
	label[0] = 'X';
	cr_assert_str_eq(vm_get(o, "label")->u.text, "#1042");
}

/* Names that share prefixes, lengths or letters each find their own value,
 * whether set once or replaced, in an object of many names. */
Test(vm, each_of_many_names_finds_its_own_value)
{
	vm_obj *o = vm_new(a);
	char name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, i % 2 ? "n%d" : "%dn", i);
		vm_set_int(o, arena_strdup(a, name), i); /* names are kept, not copied */
	}
	vm_set_text(o, "a", "one");
	vm_set_text(o, "ab", "two");
	vm_set_text(o, "ba", "three");
	vm_set_int(o, "17n", 1717); /* not a name set above: 17 is odd */
	vm_set_int(o, "n17", -17);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, i % 2 ? "n%d" : "%dn", i);
		char want[16];
		snprintf(want, sizeof want, "%d", i == 17 ? -17 : i);
		cr_assert_str_eq(vm_get(o, name)->u.text, want, "%s", name);
	}
	cr_assert_str_eq(vm_get(o, "a")->u.text, "one");
	cr_assert_str_eq(vm_get(o, "ab")->u.text, "two");
	cr_assert_str_eq(vm_get(o, "ba")->u.text, "three");
	cr_assert_str_eq(vm_get(o, "17n")->u.text, "1717");
	cr_assert_null(vm_get(o, "n300"));
	cr_assert_null(vm_get(o, ""));
}

Test(vm, marks_trusted_html_apart_from_text)
{
	vm_obj *o = vm_new(a);
	vm_set_trusted_html(o, "body", "<p>hi</p>");
	cr_assert_eq(vm_get(o, "body")->kind, VM_HTML);
}

Test(vm, lists_keep_their_items_in_order)
{
	vm_obj *o = vm_new(a);
	vm_list *l = vm_set_list(o, "tickets");
	for (int i = 0; i < 100; i++)
		vm_set_int(vm_list_add(l), "n", i);
	cr_assert_eq(vm_list_count(l), 100);
	cr_assert_eq(vm_get(o, "tickets")->u.list, l);
	for (int i = 0; i < 100; i++) {
		char want[8];
		snprintf(want, sizeof want, "%d", i);
		cr_assert_str_eq(vm_get(vm_list_at(l, i), "n")->u.text, want);
	}
	cr_assert_null(vm_list_at(l, 100));
	cr_assert_null(vm_list_at(l, -1));
}

Test(vm, child_objects_hang_off_their_parent)
{
	vm_obj *o = vm_new(a);
	vm_obj *user = vm_set_obj(o, "user");
	vm_set_text(user, "name", "Ana");
	const vm_value *v = vm_get(o, "user");
	cr_assert_eq(v->kind, VM_OBJ);
	cr_assert_str_eq(vm_get(v->u.obj, "name")->u.text, "Ana");
	cr_assert_eq(vm_arena(user), a);
}

Test(vm, missing_names_are_null)
{
	vm_obj *o = vm_new(a);
	cr_assert_null(vm_get(o, "nothing"));
	cr_assert_null(vm_get(NULL, "nothing"));
	cr_assert_eq(vm_list_count(NULL), 0);
}

Test(vm, every_function_accepts_the_null_a_failed_allocation_returns)
{
	vm_set_text(NULL, "a", "b");
	vm_set_textf(NULL, "a", "%d", 1);
	vm_set_int(NULL, "a", 1);
	vm_set_bool(NULL, "a", true);
	vm_set_trusted_html(NULL, "a", "b");
	cr_assert_null(vm_set_obj(NULL, "a"));
	cr_assert_null(vm_set_list(NULL, "a"));
	cr_assert_null(vm_list_add(NULL));
	cr_assert_null(vm_new(NULL));
	cr_assert(vm_failed(NULL));
}

Test(vm, a_fresh_model_has_not_failed)
{
	cr_assert_not(vm_failed(vm_new(a)));
}
