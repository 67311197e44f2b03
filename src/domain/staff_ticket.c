#include "domain/staff_ticket.h"
#include "domain/custom_field.h"
#include "domain/ticket_tag.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "base/thread_copy.h"
#include "base/thread_slot.h"
#include "domain/permission.h"
#include "domain/ticket_search.h"
#include "store/account_store.h"
#include "store/ticket_store.h"
#include "view/i18n.h"

static const struct {
	const char *name;
	int bit;
} statuses[] = {
	{"open", STATUS_BIT_OPEN},
	{"answered", STATUS_BIT_ANSWERED},
	{"customer-reply", STATUS_BIT_CUSTOMER_REPLY},
	{"on-hold", STATUS_BIT_ON_HOLD},
	{"in-progress", STATUS_BIT_IN_PROGRESS},
	{"closed", STATUS_BIT_CLOSED},
};

int ticket_status_bit(const char *status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (str_eq(status, statuses[i].name))
			return statuses[i].bit;
	return 0;
}

bool ticket_status_valid(const char *status)
{
	return ticket_status_bit(status) != 0;
}

int staff_ticket_get(db *d, const struct session *staff, int64_t number, arena *a,
                     struct ticket_row *row)
{
	if (number <= 0)
		return 0;
	if (!staff || staff->kind != ACCOUNT_STAFF)
		return 0;
	int rc = store_ticket_get_by_number(d, number, a, row);
	if (rc != 1)
		return rc;
	return permission_ticket(d, staff, row);
}

int staff_queue(db *d, const struct session *staff, const struct queue_filter *f, arena *a,
                struct queue_row *rows)
{
	struct queue_query q = {
		.staff_id = staff->user_id,
		.all_departments = staff->admin,
		.department_id = f->department_id,
		.status_mask = f->status_mask ? f->status_mask : STATUS_BITS_NOT_CLOSED,
		.priority = f->priority ? f->priority : "",
		.assignee = f->assignee,
		.by_priority = f->by_priority,
		.by_due = f->by_due,
		.sla = f->sla,
		.now = f->now,
		.after_rank = f->after_rank,
		.after_updated = f->after_updated,
		.after_id = f->after_id,
		.limit = f->limit,
	};
	if (f->tag && *f->tag) {
		char *tag = arena_alloc(a, TAG_BYTES_MAX);
		if (!tag)
			return DB_NOMEM;
		/* A tag no ticket can have matches nothing. */
		if (ticket_tag_normalize(f->tag, tag))
			return 0;
		q.tag = tag;
	}
	if (f->field_id > 0) {
		struct field_row field;
		char *value = arena_alloc(a, FIELD_VALUE_BYTES);
		int rc = value ? custom_field_get(d, f->field_id, a, &field) : DB_NOMEM;
		if (rc <= 0)
			return rc;
		/* Compared as stored: "3,5" finds 3.5, "on" a ticked box. */
		field.required = false;
		if (custom_field_check(&field, f->field_value, value))
			return 0;
		q.field_id = f->field_id;
		q.field_value = value;
	}
	/* The search index; the number too, for a ticket indexed under an
	 * older number (a search is never wider than the filters above). Only
	 * a search catches the index up: a queue without words does not wait
	 * for the indexer's writes. */
	const char *match = f->text && *f->text ? ticket_search_match(d, a, f->text) : NULL;
	if (match) {
		q.text = match;
		q.number = ticket_number_parse(f->text);
	}
	return store_queue_list(d, &q, a, rows);
}

int staff_queue_counts(db *d, const struct session *staff, arena *a, struct queue_count *rows,
                       int max)
{
	return store_queue_counts(d, staff->user_id, staff->admin, a, rows, max);
}

int staff_departments_to_open(db *d, const struct session *staff, struct department_row *rows,
                              int max)
{
	int n = ticket_departments(d, rows, max);
	if (n <= 0 || staff->admin)
		return n;
	int kept = 0;
	for (int i = 0; i < n; i++) {
		int in = store_staff_in_department(d, staff->user_id, rows[i].id);
		if (in < 0)
			return in;
		if (in)
			rows[kept++] = rows[i];
	}
	return kept;
}

int staff_client_search(db *d, const char *q, arena *a, struct admin_client_row *rows, int max)
{
	return admin_client_search(d, q, a, rows, max);
}

void staff_queue_counts_prefetch(db *d, const struct session *staff, int max)
{
	store_queue_counts_prefetch(d, staff->user_id, staff->admin, max);
}

int staff_attachment(db *d, const struct session *staff, int64_t number, int64_t attachment_id,
                     arena *a, struct attachment_row *row)
{
	struct ticket_row t;
	int rc = staff_ticket_get(d, staff, number, a, &t);
	if (rc != 1)
		return rc;
	rc = store_attachment_get(d, attachment_id, a, row);
	if (rc != 1)
		return rc;
	return row->ticket_id == t.id ? 1 : 0;
}

int staff_client_summary(db *d, int64_t client_id, arena *a, const char **name, const char **email)
{
	struct account_row row;
	int rc = store_account_get(d, "client", client_id, &row);
	if (rc != 1)
		return rc;
	if (!row.active)
		return 0;
	*name = arena_strdup(a, row.name);
	*email = arena_strdup(a, row.email);
	return *name && *email ? 1 : DB_NOMEM;
}

int staff_client_services(db *d, int64_t client_id, arena *a, struct service_row *rows, int max)
{
	return store_service_list_by_client(d, client_id, a, rows, max);
}

int staff_ticket_audit(db *d, int64_t ticket_id, arena *a, struct audit_row *rows, int max)
{
	return store_audit_list(d, ticket_id, a, rows, max);
}

int staff_client_other_tickets(db *d, const struct session *staff, const struct ticket_row *t,
                               arena *a, struct ticket_row *rows, int max)
{
	return store_client_open_tickets(d, t->client_id, t->id, staff->user_id, staff->admin, a, rows,
	                                 max);
}

/* The lists of the staff pages' forms (every department for "move to",
 * the active staff for "assign to", a department's predefined replies, the
 * queue filter's departments of the staff member) rarely change and were a
 * sixth of the ticket page's statements: each is kept per thread for
 * LISTS_TTL seconds, and read again at once after a change on this node
 * (staff_ticket_lists_changed); another node's change shows within
 * LISTS_TTL, and saving a form checks its choices anyway. What decides
 * (the queue's rows, the API's department) reads the database. */
enum { LISTS_TTL = 5, LIST_NAMES_MAX = 100, LIST_REPLIES_MAX = 100 };
static atomic_uint lists_generation;

void staff_ticket_lists_changed(void)
{
	atomic_fetch_add(&lists_generation, 1);
}

struct names_copy {
	struct kept_list list; /* key: the staff member's, for their departments */
	struct named_row rows[LIST_NAMES_MAX];
};

struct replies_copy {
	struct kept_list list; /* key: the department */
	struct predefined_row rows[LIST_REPLIES_MAX];
};

struct lists_copy {
	struct names_copy departments, staff, own_departments;
	struct replies_copy replies;
};

static void lists_copy_free(void *p)
{
	struct lists_copy *c = p;
	if (!c)
		return;
	arena_free(c->departments.list.a);
	arena_free(c->staff.list.a);
	arena_free(c->own_departments.list.a);
	arena_free(c->replies.list.a);
	free(c);
}

static void *lists_copy_make(void)
{
	struct lists_copy *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->departments.list.a = arena_new(2048);
	c->staff.list.a = arena_new(2048);
	c->own_departments.list.a = arena_new(2048);
	c->replies.list.a = arena_new(8192);
	if (!c->departments.list.a || !c->staff.list.a || !c->own_departments.list.a ||
	    !c->replies.list.a) {
		lists_copy_free(c);
		return NULL;
	}
	return c;
}

static struct thread_slot lists_slot = THREAD_SLOT(lists_copy_make, lists_copy_free);

/* The thread's copies, empty the first time; NULL without memory. */
static struct lists_copy *lists_of_thread(void)
{
	return thread_slot_get(&lists_slot);
}

/* True while l holds key's list, fresh: else it is emptied for a new
 * read, which list_taken records (generation read before the rows). */
static bool list_current(struct kept_list *l, db *d, int64_t key, unsigned *generation)
{
	*generation = atomic_load(&lists_generation);
	return kept_list_current(l, d, key, time(NULL), LISTS_TTL, *generation);
}

static void list_taken(struct kept_list *l, db *d, int64_t key, int n, unsigned generation)
{
	kept_list_taken(l, d, key, n, time(NULL), generation);
}

/* Whether a prefetch is needed: l does not hold key's list, fresh. */
static bool list_stale(const struct kept_list *l, db *d, int64_t key)
{
	return l->key != key || !thread_copy_fresh(&l->copy, d, time(NULL), LISTS_TTL,
	                                           atomic_load(&lists_generation));
}

/* A list of names: every department, the active staff, or (key a staff
 * member's id) the departments that member works in. */
enum names_list { NAMES_DEPARTMENTS, NAMES_STAFF, NAMES_OWN_DEPARTMENTS };

static int names_read(db *d, enum names_list list, int64_t staff_id, bool admin, arena *a,
                      struct named_row *rows, int max)
{
	switch (list) {
	case NAMES_DEPARTMENTS: return store_departments_all(d, a, rows, max);
	case NAMES_STAFF: return store_staff_active(d, a, rows, max);
	default: return store_departments_for_staff(d, staff_id, admin, a, rows, max);
	}
}

static void names_prefetch(db *d, enum names_list list, int64_t staff_id, bool admin, int max)
{
	switch (list) {
	case NAMES_DEPARTMENTS: store_departments_all_prefetch(d, max); break;
	case NAMES_STAFF: store_staff_active_prefetch(d, max); break;
	default: store_departments_for_staff_prefetch(d, staff_id, admin, max);
	}
}

static struct names_copy *names_copy_of(struct lists_copy *c, enum names_list list)
{
	return list == NAMES_DEPARTMENTS ? &c->departments :
	       list == NAMES_STAFF       ? &c->staff :
	                                   &c->own_departments;
}

/* The copy's key: whose list it is (an admin's departments are all). */
static int64_t names_key(enum names_list list, int64_t staff_id, bool admin)
{
	return list == NAMES_OWN_DEPARTMENTS ? staff_id * 2 + admin : 0;
}

/* Reads list through the thread's copy; the names are copied into a, as
 * the copy may be read again before the caller is done with them. */
static int names_through(db *d, enum names_list list, int64_t staff_id, bool admin, arena *a,
                         struct named_row *rows, int max)
{
	struct lists_copy *lists = max <= LIST_NAMES_MAX ? lists_of_thread() : NULL;
	if (!lists)
		return names_read(d, list, staff_id, admin, a, rows, max);
	struct names_copy *c = names_copy_of(lists, list);
	int64_t key = names_key(list, staff_id, admin);
	unsigned generation;
	if (!list_current(&c->list, d, key, &generation)) {
		int read = names_read(d, list, staff_id, admin, c->list.a, c->rows, LIST_NAMES_MAX);
		list_taken(&c->list, d, key, read, generation);
		if (read < 0)
			return read;
	}
	int n = c->list.n < max ? c->list.n : max;
	for (int i = 0; i < n; i++) {
		rows[i] = (struct named_row){c->rows[i].id, arena_strdup(a, c->rows[i].name)};
		if (!rows[i].name)
			return DB_NOMEM;
	}
	return n;
}

/* A list whose copy is fresh is not asked for; otherwise the copy's own
 * read is sent ahead, with the copy's bound. */
static void names_through_prefetch(db *d, enum names_list list, int64_t staff_id, bool admin,
                                   int max)
{
	struct lists_copy *lists = max <= LIST_NAMES_MAX ? lists_of_thread() : NULL;
	if (!lists) {
		names_prefetch(d, list, staff_id, admin, max);
		return;
	}
	if (list_stale(&names_copy_of(lists, list)->list, d, names_key(list, staff_id, admin)))
		names_prefetch(d, list, staff_id, admin, LIST_NAMES_MAX);
}

int staff_departments(db *d, const struct session *staff, arena *a, struct named_row *rows, int max)
{
	return names_through(d, NAMES_OWN_DEPARTMENTS, staff->user_id, staff->admin, a, rows, max);
}

int staff_all_departments(db *d, arena *a, struct named_row *rows, int max)
{
	return names_through(d, NAMES_DEPARTMENTS, 0, false, a, rows, max);
}

int staff_active_members(db *d, arena *a, struct named_row *rows, int max)
{
	return names_through(d, NAMES_STAFF, 0, false, a, rows, max);
}

int staff_predefined_replies(db *d, int64_t department_id, arena *a, struct predefined_row *rows,
                             int max)
{
	struct lists_copy *lists = max <= LIST_REPLIES_MAX ? lists_of_thread() : NULL;
	if (!lists)
		return store_predefined_for_department(d, department_id, a, rows, max);
	struct replies_copy *c = &lists->replies;
	unsigned generation;
	if (!list_current(&c->list, d, department_id, &generation)) {
		int read = store_predefined_for_department(d, department_id, c->list.a, c->rows,
		                                           LIST_REPLIES_MAX);
		list_taken(&c->list, d, department_id, read, generation);
		if (read < 0)
			return read;
	}
	int n = c->list.n < max ? c->list.n : max;
	for (int i = 0; i < n; i++) {
		rows[i] = (struct predefined_row){c->rows[i].id, arena_strdup(a, c->rows[i].title),
		                                  arena_strdup(a, c->rows[i].body)};
		if (!rows[i].title || !rows[i].body)
			return DB_NOMEM;
	}
	return n;
}

void staff_ticket_audit_prefetch(db *d, int64_t ticket_id, int max)
{
	store_audit_list_prefetch(d, ticket_id, max);
}

void staff_client_other_tickets_prefetch(db *d, const struct session *staff,
                                         const struct ticket_row *t, int max)
{
	store_client_open_tickets_prefetch(d, t->client_id, t->id, staff->user_id, staff->admin,
	                                   max);
}

void staff_departments_prefetch(db *d, const struct session *staff, int max)
{
	names_through_prefetch(d, NAMES_OWN_DEPARTMENTS, staff->user_id, staff->admin, max);
}

void staff_all_departments_prefetch(db *d, int max)
{
	names_through_prefetch(d, NAMES_DEPARTMENTS, 0, false, max);
}

void staff_active_members_prefetch(db *d, int max)
{
	names_through_prefetch(d, NAMES_STAFF, 0, false, max);
}

void staff_predefined_replies_prefetch(db *d, int64_t department_id)
{
	struct lists_copy *c = lists_of_thread();
	if (!c || list_stale(&c->replies.list, d, department_id))
		store_predefined_for_department_prefetch(d, department_id);
}

int staff_oldest_waiting(db *d, const struct session *staff, arena *a, struct ticket_row *rows,
                         int max)
{
	return store_oldest_waiting(d, staff->user_id, staff->admin, a, rows, max);
}

int staff_tickets_per_day(db *d, int64_t since, int days, struct day_count *out)
{
	return store_tickets_per_day(d, since, days, out);
}
