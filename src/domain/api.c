#include "domain/api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/account.h"
#include "domain/admin.h"
#include "domain/client.h"
#include "domain/staff_ticket.h"
#include "domain/ticket.h"
#include "domain/ticket_tag.h"
#include "domain/ticket_cc.h"
#include "domain/ticket_search.h"
#include "store/account_store.h"
#include "store/queue_store.h"

enum { DEPARTMENTS_MAX = 200, STAFF_MAX = 1000, SUBJECT_FROM_BODY = 80 };

/* ---- vocabulary ---- */

static const struct {
	const char *ours, *zendesk;
} status_map[] = {
	{"open", "new"},
	{"customer-reply", "open"},
	{"in-progress", "open"},
	{"answered", "pending"},
	{"on-hold", "hold"},
	{"closed", "closed"},
};

const char *api_status_out(const char *status)
{
	for (size_t i = 0; i < sizeof status_map / sizeof status_map[0]; i++)
		if (str_eq(status, status_map[i].ours))
			return status_map[i].zendesk;
	return "open";
}

const char *api_status_in(const char *zendesk, const char *current)
{
	if (!zendesk)
		return NULL;
	if (str_eq(api_status_out(current), zendesk) ||
	    (str_eq(zendesk, "solved") && str_eq(current, "closed")))
		return current;
	if (str_eq(zendesk, "new"))
		return "open";
	if (str_eq(zendesk, "open"))
		return "in-progress";
	if (str_eq(zendesk, "pending"))
		return "answered";
	if (str_eq(zendesk, "hold"))
		return "on-hold";
	if (str_eq(zendesk, "solved") || str_eq(zendesk, "closed"))
		return "closed";
	return NULL;
}

int api_status_mask(const char *zendesk)
{
	int mask = 0;
	for (size_t i = 0; i < sizeof status_map / sizeof status_map[0]; i++)
		if (str_eq(zendesk, status_map[i].zendesk))
			mask |= ticket_status_bit(status_map[i].ours);
	if (str_eq(zendesk, "solved"))
		mask |= STATUS_BIT_CLOSED;
	return mask;
}

const char *api_priority_out(const char *priority)
{
	return str_eq(priority, "medium") ? "normal" : priority;
}

const char *api_priority_in(const char *zendesk)
{
	if (str_eq(zendesk, "low"))
		return "low";
	if (str_eq(zendesk, "normal"))
		return "medium";
	if (str_eq(zendesk, "high") || str_eq(zendesk, "urgent"))
		return "high";
	return NULL;
}

const char *api_search_pattern(arena *a, const char *words)
{
	if (!words || str_blank(words))
		return "";
	size_t n = strlen(words);
	char *out = arena_alloc(a, n * 2 + 3);
	if (!out)
		return "";
	size_t j = 0;
	out[j++] = '%';
	for (size_t i = 0; i < n; i++) {
		char ch = words[i];
		if (ch == '%' || ch == '_' || ch == '\\')
			out[j++] = '\\';
		out[j++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
	}
	out[j++] = '%';
	out[j] = '\0';
	return out;
}

const char *api_email_key(arena *a, const char *email)
{
	char *out = arena_strdup(a, email ? email : "");
	if (!out)
		return "";
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return out;
}

/* ---- representations ---- */

json_t *api_json_time(int64_t t)
{
	char text[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return json_null();
	strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(text);
}

static json_t *id_or_null(int64_t id)
{
	return id > 0 ? json_integer(id) : json_null();
}

json_t *api_json_ticket(const struct ticket_row *t, const char *description, const char *base_url)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	int64_t requester = api_uid_client(t->client_id);
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "url", json_sprintf("%s/api/v2/tickets/%lld.json", base_url, (long long)t->id));
	/* The number people see: a display number (a string) when the ticket
	 * has one (domain/ticket_number.h), else the number as before. */
	json_object_set_new(o, "number", t->number_label && *t->number_label ? json_string(t->number_label)
	                                                                     : json_integer(t->number));
	json_object_set_new(o, "subject", json_string(t->subject));
	json_object_set_new(o, "raw_subject", json_string(t->subject));
	json_object_set_new(o, "description", json_string(description ? description : ""));
	json_object_set_new(o, "status", json_string(api_status_out(t->status)));
	json_object_set_new(o, "priority", json_string(api_priority_out(t->priority)));
	json_object_set_new(o, "type", json_null());
	json_object_set_new(o, "requester_id", json_integer(requester));
	json_object_set_new(o, "submitter_id", json_integer(requester));
	json_object_set_new(o, "assignee_id", id_or_null(t->assignee_id > 0 ? api_uid_staff(t->assignee_id) : 0));
	json_object_set_new(o, "group_id", json_integer(t->department_id));
	json_object_set_new(o, "service_id", id_or_null(t->service_id));
	json_object_set_new(o, "tags", json_array());
	json_object_set_new(o, "created_at", api_json_time(t->created_at));
	json_object_set_new(o, "updated_at", api_json_time(t->updated_at));
	/* Our own words, for integrations that know Chamado. */
	json_t *ours = json_object();
	json_object_set_new(ours, "status", json_string(t->status));
	json_object_set_new(ours, "priority", json_string(t->priority));
	json_object_set_new(ours, "department", json_string(t->department_name ? t->department_name : ""));
	json_object_set_new(ours, "service", json_string(t->service_label ? t->service_label : ""));
	json_object_set_new(o, "chamado", ours);
	return o;
}

int api_json_ticket_ccs(db *d, const struct ticket_row *t, json_t *o)
{
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct cc_row rows[TICKET_CC_MAX];
	int n = ticket_cc_list(d, t->id, a, rows, TICKET_CC_MAX);
	json_t *ids = json_array(), *ccs = json_array();
	for (int i = 0; i < n; i++) {
		int64_t client = store_client_id_by_email(d, rows[i].email);
		int64_t staff = client > 0 ? 0 : store_staff_id_by_email(d, rows[i].email);
		int64_t uid = client > 0 ? api_uid_client(client) : staff > 0 ? api_uid_staff(staff) : 0;
		if (uid > 0)
			json_array_append_new(ids, json_integer(uid));
		json_t *cc = json_object();
		json_object_set_new(cc, "user_id", id_or_null(uid));
		json_object_set_new(cc, "user_email", json_string(rows[i].email));
		json_object_set_new(cc, "user_name", json_string(rows[i].name ? rows[i].name : ""));
		json_array_append_new(ccs, cc);
	}
	json_object_set_new(o, "email_cc_ids", ids);
	json_object_set_new(o, "email_ccs", ccs);
	arena_free(a);
	return n < 0 ? n : 0;
}

json_t *api_json_user(const struct api_user_row *u, const char *base_url)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(u->uid));
	json_object_set_new(o, "url", json_sprintf("%s/api/v2/users/%lld.json", base_url, (long long)u->uid));
	json_object_set_new(o, "name", json_string(u->name));
	json_object_set_new(o, "email", json_string(u->email));
	json_object_set_new(o, "role", json_string(u->role));
	json_object_set_new(o, "active", json_boolean(u->active));
	json_object_set_new(o, "verified", json_true());
	json_object_set_new(o, "locale", json_string(u->language));
	json_object_set_new(o, "created_at", api_json_time(u->created_at));
	json_object_set_new(o, "updated_at", api_json_time(u->updated_at));
	/* A client's contact (sub-account): the owner's user id, in the place
	 * Zendesk leaves for what is ours, and its two permissions. */
	if (u->owner_id > 0) {
		json_t *ours = json_object();
		json_object_set_new(ours, "contact_of", json_integer(api_uid_client(u->owner_id)));
		json_object_set_new(ours, "can_open_and_see_tickets", json_boolean(u->contact_tickets));
		json_object_set_new(ours, "gets_ticket_emails", json_boolean(u->contact_emails));
		json_object_set_new(o, "chamado", ours);
	}
	return o;
}

json_t *api_json_service(const struct api_service_row *s, const char *base_url)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(s->id));
	json_object_set_new(o, "url", json_sprintf("%s/api/v2/services/%lld.json", base_url, (long long)s->id));
	json_object_set_new(o, "user_id", json_integer(api_uid_client(s->client_id)));
	json_object_set_new(o, "kind", json_string(s->kind));
	json_object_set_new(o, "label", json_string(s->label));
	json_object_set_new(o, "status", json_string(s->status));
	json_object_set_new(o, "created_at", api_json_time(s->created_at));
	return o;
}

/* ---- tickets ---- */

int api_ticket_get(db *d, const struct session *staff, int64_t id, arena *a, struct ticket_row *row)
{
	if (id <= 0)
		return 0;
	int rc = store_ticket_id_get(d, id, a, row);
	if (rc != 1)
		return rc;
	/* The one rule of who may act on a ticket decides. */
	struct actor who = actor_of(staff, CHANNEL_API);
	return ticket_row_for(d, &who, row);
}

void api_ticket_get_prefetch(db *d, int64_t id)
{
	if (id > 0)
		store_ticket_id_get_prefetch(d, id);
}

const char *api_ticket_description(db *d, int64_t ticket_id, arena *a)
{
	struct message_row first;
	int n = store_message_list(d, ticket_id, 1, a, &first, 1);
	return n == 1 ? first.body : "";
}

/* The same arguments as api_ticket_description, api_json_ticket_extras
 * and api_json_ticket_ccs use. */
void api_ticket_prefetch(db *d, const struct ticket_row *t)
{
	store_message_list_prefetch(d, t->id, 1, 1);
	ticket_tags_prefetch(d, t->id, TICKET_TAGS_MAX);
	custom_fields_list_prefetch(d, t->department_id, false);
	ticket_field_values_prefetch(d, t->id, false);
	ticket_cc_list_prefetch(d, t->id);
}

int api_ticket_list(db *d, const struct session *staff, struct api_ticket_query *q, arena *a,
                    struct ticket_row *rows, int64_t *total)
{
	q->staff_id = staff->user_id;
	q->all_departments = staff->admin;
	/* Free words search what the staff's queue searches. */
	q->match = q->words ? ticket_search_match(d, a, q->words) : NULL;
	if (total) {
		*total = store_api_ticket_count(d, q);
		if (*total < 0)
			return (int)*total;
	}
	return store_api_ticket_list(d, q, a, rows);
}

/* The body's first line, cut at a word near SUBJECT_FROM_BODY characters. */
static const char *subject_from_body(arena *a, const char *body)
{
	while (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t')
		body++;
	size_t len = strcspn(body, "\r\n");
	size_t chars = 0, cut = 0;
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)body[i] & 0xC0) != 0x80) {
			if (chars == SUBJECT_FROM_BODY)
				break;
			chars++;
		}
		cut = i + 1;
	}
	return arena_strndup(a, body, cut);
}

/* The client the ticket is for: by uid, or by email (created when new). */
static int find_requester(db *d, const struct session *staff, const struct api_ticket_new *n,
                          int64_t now, struct api_errors *e, int64_t *client_id)
{
	if (n->requester_uid > 0) {
		struct account_row row;
		int rc = n->requester_uid % 2 == 0 ? store_account_get(d, "client", n->requester_uid / 2, &row) : 0;
		if (rc < 0)
			return rc;
		if (rc == 0 || !row.active) {
			api_error_add(e, "requester_id", "is not an active end-user");
			return API_INVALID;
		}
		*client_id = row.id;
		return API_OK;
	}
	if (!n->requester_email) {
		api_error_add(e, "requester", "is required: give requester_id or requester.email");
		return API_INVALID;
	}
	/* Monitoring files for the same few requesters again and again: look
	 * them up first, and write a new client only for a new address. */
	int64_t known = store_client_id_by_email(d, n->requester_email);
	if (known != 0) {
		*client_id = known;
		return known < 0 ? (int)known : API_OK;
	}
	struct api_user_form f = {.name = n->requester_name, .email = n->requester_email};
	int64_t uid;
	int rc = api_user_create(d, staff, &f, now, e, &uid);
	if (rc == API_OK) {
		*client_id = uid / 2;
		return API_OK;
	}
	if (rc != API_EXISTS)
		return rc;
	e->n = 0;
	int64_t id = store_client_id_by_email(d, n->requester_email);
	if (id < 0)
		return (int)id;
	if (id == 0) {
		api_error_add(e, "requester", "is a staff member; a ticket's requester is an end-user");
		return API_INVALID;
	}
	*client_id = id;
	return API_OK;
}

/* The department: the one named (an agent's own only) or the staff
 * member's first. */
static int choose_group(db *d, const struct session *staff, int64_t group_id, arena *a,
                        struct api_errors *e, int64_t *department_id)
{
	struct named_row deps[DEPARTMENTS_MAX];
	/* From the database, not a page's copy: it decides where a ticket goes. */
	int n = store_departments_for_staff(d, staff->user_id, staff->admin, a, deps,
	                                    DEPARTMENTS_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (group_id > 0 && deps[i].id != group_id)
			continue;
		const char *name;
		int rc = ticket_department_name(d, deps[i].id, a, &name);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			*department_id = deps[i].id;
			return API_OK;
		}
	}
	api_error_add(e, "group_id", group_id > 0 ? "is not a group this token may open tickets in"
	                                          : "is required: the token's staff member has no group");
	return API_INVALID;
}

static const char tags_error[] =
	"must be tags of letters, digits, '-', '_' and '.' (spaces become '-'), at most 40 characters "
	"each and 20 on a ticket";
static const char fields_error[] =
	"a value does not fit its field (a required field left empty, not a number, not one of the "
	"options), or the field is not of this ticket's group";

/* The JSON values as the text a field takes: a string as it is, a number
 * in decimal, true "1", false and null "". In a. */
static int field_inputs(const struct api_field_list *l, arena *a, struct field_input *out)
{
	for (int i = 0; i < l->n; i++) {
		json_t *v = l->e[i].value;
		const char *text = "";
		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_integer(v))
			text = arena_printf(a, "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			text = arena_printf(a, "%.15g", json_real_value(v));
		else if (json_is_true(v))
			text = "1";
		out[i] = (struct field_input){l->e[i].id, text ? text : ""};
	}
	return l->n;
}

/* A field id the department does not have is an error for the API (the
 * form ignores them: it only sends its own). */
static bool fields_of_department(db *d, int64_t department_id, const struct api_field_list *l, arena *a)
{
	struct field_row rows[CUSTOM_FIELDS_MAX];
	int n = custom_fields_list(d, department_id, false, a, rows, CUSTOM_FIELDS_MAX);
	for (int i = 0; i < l->n; i++) {
		bool found = false;
		for (int k = 0; k < n; k++)
			found |= rows[k].id == l->e[i].id;
		if (!found)
			return false;
	}
	return true;
}

static void ticket_errors_to_api(const struct ticket_errors *te, struct api_errors *e)
{
	if (te->tags)
		api_error_add(e, "tags", tags_error);
	if (te->fields.n)
		api_error_add(e, "custom_fields", fields_error);
	if (te->department)
		api_error_add(e, "group_id", te->department);
	if (te->subject)
		api_error_add(e, "subject", te->subject);
	if (te->service)
		api_error_add(e, "service_id", te->service);
	if (te->priority)
		api_error_add(e, "priority", te->priority);
	if (te->message)
		api_error_add(e, "comment", te->message);
}

/* Check: every address of email_ccs, before anything is written. */
static void check_ccs(const struct api_cc_change *ccs, int n, struct api_errors *e)
{
	for (int i = 0; i < n; i++)
		if (!account_email_valid(ccs[i].email)) {
			api_error_add(e, "email_ccs", "has an entry whose user_email is not an email address");
			return;
		}
}

/* Proceed: each entry through the CC door, as the panel's form does. */
static int apply_ccs(db *d, const struct notifier *n, const struct actor *who, int64_t number,
                     const struct api_cc_change *ccs, int count, int64_t now, struct api_errors *e)
{
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	int rc = TICKET_OK;
	for (int i = 0; i < count && rc == TICKET_OK; i++) {
		const char *error = NULL;
		if (!ccs[i].remove) {
			rc = ticket_cc_add(d, n, who, number, ccs[i].email, ccs[i].name, now, &error);
		} else {
			struct ticket_row t;
			struct cc_row cc;
			rc = store_ticket_get_by_number(d, number, a, &t);
			rc = rc == 1 ? store_cc_by_email(d, t.id, ccs[i].email, a, &cc) : rc;
			/* Not a CC: nothing to stop, as Zendesk answers. */
			rc = rc == 1 ? ticket_cc_remove(d, who, number, cc.id, now) : rc < 0 ? rc : TICKET_OK;
		}
		if (rc == TICKET_INVALID) {
			api_error_add(e, "email_ccs", error ? "has an address that cannot be copied (a support address, "
			              "a name over 100 characters, or more than 10 copies)" : "was refused");
			rc = API_INVALID;
		}
	}
	arena_free(a);
	return rc == TICKET_NOT_FOUND ? API_NOT_FOUND : rc;
}

int api_ticket_create(db *d, const struct notifier *n, const struct session *staff,
                      const struct api_ticket_new *t, int64_t now, struct api_errors *e,
                      int64_t *id)
{
	memset(e, 0, sizeof *e);
	if (str_blank(t->body))
		api_error_add(e, "comment", "is required: a ticket starts with comment.body");
	const char *priority = t->priority ? api_priority_in(t->priority) : "medium";
	if (!priority)
		api_error_add(e, "priority", "must be low, normal, high or urgent");
	check_ccs(t->ccs, t->nccs, e);
	if (e->n)
		return API_INVALID;
	arena *a = arena_new(16384);
	if (!a)
		return DB_NOMEM;
	int64_t department_id = 0, client_id = 0;
	int rc = choose_group(d, staff, t->group_id, a, e, &department_id);
	if (rc == API_OK)
		rc = find_requester(d, staff, t, now, e, &client_id);
	if (rc != API_OK)
		goto out;
	struct ticket_form f = {
		.department_id = department_id,
		.service_id = t->service_id,
		.subject = str_blank(t->subject) ? subject_from_body(a, t->body) : t->subject,
		.priority = priority,
		.message = t->body,
		.client_id = client_id,
		.tags = t->tags.list,
		.ntags = t->tags.n,
	};
	struct field_input fields[CUSTOM_FIELDS_MAX];
	f.fields = fields;
	f.nfields = field_inputs(&t->fields, a, fields);
	if (!fields_of_department(d, department_id, &t->fields, a)) {
		api_error_add(e, "custom_fields", fields_error);
		rc = API_INVALID;
		goto out;
	}
	struct ticket_errors te;
	struct actor who = actor_of(staff, CHANNEL_API);
	struct ticket_opened opened;
	rc = ticket_open(d, n, &who, &f, now, &te, &opened);
	if (rc == TICKET_INVALID) {
		ticket_errors_to_api(&te, e);
		rc = API_INVALID;
	} else if (rc == TICKET_NOT_FOUND) {
		api_error_add(e, "requester_id", "is not an active end-user");
		rc = API_INVALID;
	} else if (rc == TICKET_OK) {
		*id = opened.id;
		rc = apply_ccs(d, n, &who, opened.number, t->ccs, t->nccs, now, e);
	}
out:
	arena_free(a);
	return rc;
}

static bool named_rows_contain(const struct named_row *rows, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (rows[i].id == id)
			return true;
	return false;
}

/* Check: every field of the change, before anything is written. */
static int check_change(db *d, const struct ticket_row *t, const struct api_ticket_change *c,
                        arena *a, struct api_errors *e, struct ticket_changes *out)
{
	*out = (struct ticket_changes){.assignee_id = -1};
	if (c->status && !(out->status = api_status_in(c->status, t->status)))
		api_error_add(e, "status", "must be new, open, pending, hold, solved or closed");
	if (c->priority && !(out->priority = api_priority_in(c->priority)))
		api_error_add(e, "priority", "must be low, normal, high or urgent");
	if (c->group_id > 0) {
		struct named_row *deps = arena_alloc(a, DEPARTMENTS_MAX * sizeof *deps);
		int n = deps ? staff_all_departments(d, a, deps, DEPARTMENTS_MAX) : DB_NOMEM;
		if (n < 0)
			return n;
		if (named_rows_contain(deps, n, c->group_id))
			out->department_id = c->group_id;
		else
			api_error_add(e, "group_id", "is not a group");
	}
	if (c->assignee_uid == 0) {
		out->assignee_id = 0;
	} else if (c->assignee_uid > 0) {
		struct named_row *staff = arena_alloc(a, STAFF_MAX * sizeof *staff);
		int n = staff ? staff_active_members(d, a, staff, STAFF_MAX) : DB_NOMEM;
		if (n < 0)
			return n;
		if (c->assignee_uid % 2 == 1 && named_rows_contain(staff, n, c->assignee_uid / 2))
			out->assignee_id = c->assignee_uid / 2;
		else
			api_error_add(e, "assignee_id", "is not an active agent");
	}
	check_ccs(c->ccs, c->nccs, e);
	if (c->comment && str_blank(c->comment))
		api_error_add(e, "comment", "body can't be blank");
	else if (c->comment && strlen(c->comment) > TICKET_MESSAGE_MAX)
		api_error_add(e, "comment", "body is too long (64 KiB at most)");
	return e->n ? API_INVALID : API_OK;
}

int api_ticket_update(db *d, const struct notifier *n, const struct session *staff, int64_t id,
                      const struct api_ticket_change *c, int64_t now, struct api_errors *e,
                      arena *out, struct ticket_row *after)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(16384);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	struct ticket_changes changes;
	int rc = api_ticket_get(d, staff, id, a, &t);
	if (rc <= 0) {
		rc = rc < 0 ? rc : API_NOT_FOUND;
		goto out;
	}
	rc = check_change(d, &t, c, a, e, &changes);
	/* Tags and custom fields: checked before anything is written too. */
	struct tag_change tags = {
		.add = c->tags.sent ? c->tags.list : c->additional_tags.list,
		.nadd = c->tags.sent ? c->tags.n : c->additional_tags.n,
		.remove = c->remove_tags.list, .nremove = c->remove_tags.n, .replace = c->tags.sent,
	};
	char bad[TAG_BYTES_MAX * 2];
	if (ticket_tags_check(&tags, bad))
		api_error_add(e, "tags", tags_error);
	struct field_input fields[CUSTOM_FIELDS_MAX], checked[CUSTOM_FIELDS_MAX];
	int nfields = field_inputs(&c->fields, a, fields), nchecked = 0;
	struct field_errors fe;
	if (nfields && (!fields_of_department(d, t.department_id, &c->fields, a) ||
	                custom_fields_check_all(d, t.department_id, false, false, fields, nfields, a,
	                                        checked, &nchecked, &fe) != 0))
		api_error_add(e, "custom_fields", fields_error);
	if (rc == API_OK && e->n)
		rc = API_INVALID;
	if (rc != API_OK)
		goto out;
	/* Proceed: the comment and the fields in one transaction. */
	struct actor who = actor_of(staff, CHANNEL_API);
	if (c->comment) {
		struct ticket_post p = {.message = c->comment, .confirmed = true};
		struct ticket_errors te;
		rc = ticket_reply_and_update(d, n, &who, t.number, &p, !c->comment_public, &changes, now, &te);
		if (rc == TICKET_INVALID && te.message) {
			ticket_errors_to_api(&te, e);
			rc = API_INVALID;
		}
	} else if (changes.status || changes.priority || changes.department_id ||
	           changes.assignee_id >= 0) {
		rc = ticket_update(d, &who, t.number, &changes, now);
	}
	if (rc == TICKET_OK && (tags.nadd || tags.nremove || tags.replace)) {
		const char *why;
		rc = ticket_tags_change(d, &who, t.number, &tags, now, &why, bad);
		if (rc == TICKET_INVALID) {
			api_error_add(e, "tags", tags_error);
			rc = API_INVALID;
		}
	}
	if (rc == TICKET_OK && nfields) {
		rc = ticket_fields_save(d, &who, t.number, fields, nfields, now, &fe);
		if (rc == FIELD_INVALID) {
			api_error_add(e, "custom_fields", fields_error);
			rc = API_INVALID;
		}
	}
	if (rc == TICKET_INVALID) {
		api_error_add(e, "ticket", "the change was refused");
		rc = API_INVALID;
	}
	if (rc == TICKET_NOT_FOUND)
		rc = API_NOT_FOUND;
	if (rc == API_OK)
		rc = apply_ccs(d, n, &who, t.number, c->ccs, c->nccs, now, e);
	if (rc == API_OK && store_ticket_id_get(d, id, out, after) != 1)
		rc = DB_ERROR;
out:
	arena_free(a);
	return rc;
}

/* ---- users ---- */

int api_user_get(db *d, int64_t uid, arena *a, struct api_user_row *row)
{
	return store_api_user_get(d, uid, a, row);
}

int api_user_list(db *d, struct api_user_query *q, arena *a, struct api_user_row *rows,
                  int64_t *total)
{
	if (total) {
		*total = store_api_user_count(d, q);
		if (*total < 0)
			return (int)*total;
	}
	return store_api_user_list(d, q, a, rows);
}

static const char *locale_in(const char *locale)
{
	if (!locale || str_case_eq(locale, "pt-BR") || str_case_eq(locale, "pt-br") || str_eq(locale, "pt"))
		return "pt-BR";
	if (str_eq(locale, "en") || str_case_eq(locale, "en-US") || str_case_eq(locale, "en-GB"))
		return "en";
	return NULL;
}

int api_user_create(db *d, const struct session *staff, const struct api_user_form *f, int64_t now,
                    struct api_errors *e, int64_t *uid)
{
	if (f->role && !str_eq(f->role, "end-user"))
		api_error_add(e, "role", "only end-users are created through the API; staff are added in the panel");
	if (!f->email || !account_email_valid(f->email))
		api_error_add(e, "email", "is not a valid email address");
	const char *lang = locale_in(f->locale);
	if (!lang)
		api_error_add(e, "locale", "must be pt-BR or en");
	char name[ADMIN_NAME_MAX * 4 + 1] = "";
	if (f->name && strlen(f->name) < sizeof name)
		snprintf(name, sizeof name, "%s", f->name);
	str_trim(name);
	if (f->name && (!*name || str_utf8_length(name) > ADMIN_NAME_MAX))
		api_error_add(e, "name", "must have 1 to 100 characters");
	if (e->n)
		return API_INVALID;
	if (!*name) /* Zendesk lets a requester come with an email alone */
		snprintf(name, sizeof name, "%.*s", (int)strcspn(f->email, "@"), f->email);
	int64_t staff_id = store_staff_id_by_email(d, f->email);
	if (staff_id != 0)
		return staff_id < 0 ? (int)staff_id : API_EXISTS;
	struct actor who = actor_of(staff, CHANNEL_API);
	int64_t id = 0;
	int rc = client_create(d, &who, f->email, name, lang, now, &id);
	switch (rc) {
	case CLIENT_OK:
		*uid = api_uid_client(id);
		return API_OK;
	case CLIENT_EMAIL_TAKEN:
		return API_EXISTS;
	case CLIENT_EMAIL_INVALID:
		api_error_add(e, "email", "is not a valid email address");
		return API_INVALID;
	case CLIENT_NAME_INVALID:
		api_error_add(e, "name", "must have 1 to 100 characters");
		return API_INVALID;
	case CLIENT_FORBIDDEN:
		return API_FORBIDDEN;
	default:
		return rc < 0 ? rc : DB_ERROR;
	}
}

/* Writes f over the client's current values through the admin's rule. */
static int update_client(db *d, const struct session *staff, int64_t client_id,
                         const struct api_user_form *f, int64_t now, struct api_errors *e)
{
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct admin_client_row row;
	int rc = store_admin_client_get(d, client_id, a, &row);
	if (rc <= 0) {
		arena_free(a);
		return rc < 0 ? rc : API_NOT_FOUND;
	}
	const char *lang = f->locale ? locale_in(f->locale) : row.language;
	if (!lang) {
		api_error_add(e, "locale", "must be pt-BR or en");
		arena_free(a);
		return API_INVALID;
	}
	struct admin_client_form form = {
		.name = f->name ? f->name : row.name,
		.email = f->email ? f->email : row.email,
		.language = lang,
		.active = row.active,
	};
	struct admin_client_errors ae;
	struct actor actor = actor_of(staff, CHANNEL_API); /* audited as this token's staff member */
	rc = admin_client_save(d, &actor, client_id, &form, now, &ae);
	arena_free(a);
	if (rc == ADMIN_INVALID) {
		if (ae.name)
			api_error_add(e, "name", ae.name);
		if (ae.email)
			api_error_add(e, "email", ae.email);
		if (ae.language)
			api_error_add(e, "locale", ae.language);
		return API_INVALID;
	}
	return rc == ADMIN_NOT_FOUND ? API_NOT_FOUND : rc;
}

int api_user_create_or_update(db *d, const struct session *staff, const struct api_user_form *f,
                              int64_t now, struct api_errors *e, int64_t *uid, bool *created)
{
	memset(e, 0, sizeof *e);
	*created = false;
	if (!f->email || !account_email_valid(f->email)) {
		api_error_add(e, "email", "is not a valid email address");
		return API_INVALID;
	}
	int64_t client_id = store_client_id_by_email(d, f->email);
	if (client_id < 0)
		return (int)client_id;
	if (client_id > 0) {
		if (!staff->admin)
			return API_FORBIDDEN;
		*uid = api_uid_client(client_id);
		return update_client(d, staff, client_id, f, now, e);
	}
	int rc = api_user_create(d, staff, f, now, e, uid);
	if (rc == API_EXISTS) {
		api_error_add(e, "email", "belongs to a staff member");
		return API_INVALID;
	}
	*created = rc == API_OK;
	return rc;
}

int api_user_update(db *d, const struct session *staff, int64_t uid, const struct api_user_form *f,
                    int64_t now, struct api_errors *e)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(1024);
	if (!a)
		return DB_NOMEM;
	struct api_user_row row;
	int rc = store_api_user_get(d, uid, a, &row);
	arena_free(a);
	if (rc <= 0)
		return rc < 0 ? rc : API_NOT_FOUND;
	if (!staff->admin)
		return API_FORBIDDEN;
	if (uid % 2 == 1) {
		api_error_add(e, "id", "is a staff member; staff are changed in the panel");
		return API_INVALID;
	}
	if (f->role && !str_eq(f->role, "end-user")) {
		api_error_add(e, "role", "an end-user stays an end-user");
		return API_INVALID;
	}
	return update_client(d, staff, uid / 2, f, now, e);
}

/* ---- groups and services ---- */

int api_groups(db *d, arena *a, struct admin_department_row *rows, int max)
{
	return store_admin_department_list(d, a, rows, max);
}

/* The client behind an end-user uid: its id, 0 when none. */
static int64_t end_user(db *d, int64_t uid)
{
	if (uid <= 0 || uid % 2 == 1)
		return 0;
	struct account_row row;
	int rc = store_account_get(d, "client", uid / 2, &row);
	return rc < 0 ? rc : (rc == 1 ? row.id : 0);
}

int api_services_of(db *d, int64_t uid, arena *a, struct api_service_row *rows, int max,
                    bool *found)
{
	int64_t client_id = end_user(d, uid);
	*found = client_id > 0;
	if (client_id <= 0)
		return client_id < 0 ? (int)client_id : 0;
	return store_api_service_list(d, client_id, a, rows, max);
}

int api_service_get(db *d, int64_t id, arena *a, struct api_service_row *row)
{
	return store_api_service_get(d, id, a, row);
}

static bool in_list(const char *const list[][2], const char *value)
{
	for (int i = 0; list[i][0]; i++)
		if (str_eq(list[i][0], value))
			return true;
	return false;
}

static void service_errors_to_api(const struct admin_service_errors *se, struct api_errors *e)
{
	if (se->kind)
		api_error_add(e, "kind", se->kind);
	if (se->label)
		api_error_add(e, "label", se->label);
	if (se->status)
		api_error_add(e, "status", se->status);
}

int api_service_create(db *d, const struct session *staff, int64_t uid,
                       const struct api_service_form *f, int64_t now, struct api_errors *e,
                       int64_t *id)
{
	memset(e, 0, sizeof *e);
	if (!staff->admin)
		return API_FORBIDDEN;
	int64_t client_id = end_user(d, uid);
	if (client_id <= 0)
		return client_id < 0 ? (int)client_id : API_NOT_FOUND;
	const char *kind = f->kind ? f->kind : "hosting";
	const char *status = f->status ? f->status : "active";
	if (!in_list(admin_service_kinds, kind))
		api_error_add(e, "kind", "must be hosting, domain or other");
	if (!in_list(admin_service_statuses, status))
		api_error_add(e, "status", "must be pending, active, suspended, cancelled, terminated or expired");
	char label[ADMIN_TITLE_MAX * 4 + 1] = "";
	if (f->label && strlen(f->label) < sizeof label)
		snprintf(label, sizeof label, "%s", f->label);
	str_trim(label);
	if (!*label || str_utf8_length(label) > ADMIN_TITLE_MAX)
		api_error_add(e, "label", "must have 1 to 200 characters");
	if (e->n)
		return API_INVALID;
	int64_t new_id = store_api_service_insert(d, client_id, kind, label, status, now);
	if (new_id < 0)
		return (int)new_id;
	*id = new_id;
	return API_OK;
}

int api_service_update(db *d, const struct session *staff, int64_t id,
                       const struct api_service_form *f, int64_t now, struct api_errors *e)
{
	memset(e, 0, sizeof *e);
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct api_service_row row;
	int rc = store_api_service_get(d, id, a, &row);
	if (rc <= 0) {
		rc = rc < 0 ? rc : API_NOT_FOUND;
	} else if (!staff->admin) {
		rc = API_FORBIDDEN;
	} else {
		struct admin_service_form form = {
			.kind = f->kind ? f->kind : row.kind,
			.label = f->label ? f->label : row.label,
			.status = f->status ? f->status : row.status,
		};
		struct admin_service_errors se;
		rc = admin_service_save(d, &(struct actor){staff, CHANNEL_API}, row.client_id, id, &form, now, &se);
		if (rc == ADMIN_INVALID) {
			service_errors_to_api(&se, e);
			rc = API_INVALID;
		} else if (rc == ADMIN_NOT_FOUND) {
			rc = API_NOT_FOUND;
		}
	}
	arena_free(a);
	return rc;
}

int api_service_delete(db *d, const struct session *staff, int64_t id)
{
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct api_service_row row;
	int rc = store_api_service_get(d, id, a, &row);
	if (rc <= 0)
		rc = rc < 0 ? rc : API_NOT_FOUND;
	else if (!staff->admin)
		rc = API_FORBIDDEN;
	else
		rc = admin_service_delete(d, &(struct actor){staff, CHANNEL_API}, row.client_id, id);
	if (rc == ADMIN_NOT_FOUND)
		rc = API_NOT_FOUND;
	arena_free(a);
	return rc;
}

/* ---- tags and custom fields ---- */

static const char *zendesk_field_type(const char *kind)
{
	return str_eq(kind, "number") ? "decimal" : str_eq(kind, "select") ? "tagger" : kind;
}

int api_json_ticket_extras(db *d, const struct ticket_row *t, arena *a, json_t *o)
{
	const char *tags[TICKET_TAGS_MAX];
	int n = ticket_tags(d, t->id, a, tags, TICKET_TAGS_MAX);
	if (n < 0)
		return n;
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, json_string(tags[i]));
	json_object_set_new(o, "tags", list);
	struct field_row fields[CUSTOM_FIELDS_MAX];
	struct field_value_row values[CUSTOM_FIELDS_MAX * 2];
	int nf = custom_fields_list(d, t->department_id, false, a, fields, CUSTOM_FIELDS_MAX);
	int nv = nf < 0 ? nf : ticket_field_values(d, t->id, false, a, values, CUSTOM_FIELDS_MAX * 2);
	if (nv < 0)
		return nv;
	json_t *cf = json_array();
	/* The department's fields, then values of fields of another one (the
	 * ticket moved). */
	for (int i = 0; i < nf + nv; i++) {
		int64_t id = i < nf ? fields[i].id : values[i - nf].field_id;
		const char *kind = i < nf ? fields[i].kind : values[i - nf].kind;
		const char *value = NULL;
		bool listed = false;
		for (int k = 0; k < nv; k++)
			if (values[k].field_id == id)
				value = values[k].value;
		for (int k = 0; i >= nf && k < nf; k++)
			listed |= fields[k].id == id;
		if (listed)
			continue;
		json_t *f = json_object();
		json_object_set_new(f, "id", json_integer(id));
		if (str_eq(kind, "checkbox"))
			json_object_set_new(f, "value", json_boolean(value && *value));
		else
			json_object_set_new(f, "value", value ? json_string(value) : json_null());
		json_array_append_new(cf, f);
	}
	json_object_set_new(o, "custom_fields", cf);
	return 0;
}

json_t *api_json_ticket_fields(db *d, const struct session *staff, arena *a, const char *base_url)
{
	enum { FIELDS_ALL_MAX = 1000, DEPS_MAX = 200 };
	struct field_row *rows = arena_alloc(a, FIELDS_ALL_MAX * sizeof *rows);
	struct named_row deps[DEPS_MAX];
	int n = rows ? custom_fields_list(d, 0, false, a, rows, FIELDS_ALL_MAX) : DB_NOMEM;
	int nd = n < 0 ? n : store_departments_for_staff(d, staff->user_id, staff->admin, a, deps,
	                                                 DEPS_MAX);
	if (nd < 0)
		return NULL;
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		bool mine = false;
		for (int k = 0; k < nd; k++)
			mine |= deps[k].id == rows[i].department_id;
		if (!mine)
			continue;
		json_t *f = json_object();
		json_object_set_new(f, "id", json_integer(rows[i].id));
		json_object_set_new(f, "url", json_string(arena_printf(a, "%s/api/v2/ticket_fields/%lld.json",
		                                                         base_url, (long long)rows[i].id)));
		json_object_set_new(f, "type", json_string(zendesk_field_type(rows[i].kind)));
		json_object_set_new(f, "title", json_string(rows[i].label));
		json_object_set_new(f, "title_in_portal", json_string(rows[i].label));
		json_object_set_new(f, "description", json_string(""));
		json_object_set_new(f, "position", json_integer(rows[i].sort_order));
		json_object_set_new(f, "active", json_true());
		json_object_set_new(f, "required", json_boolean(rows[i].required));
		json_object_set_new(f, "required_in_portal", json_boolean(rows[i].required && rows[i].client_visible));
		json_object_set_new(f, "visible_in_portal", json_boolean(rows[i].client_visible));
		json_object_set_new(f, "editable_in_portal", json_boolean(rows[i].client_visible));
		json_object_set_new(f, "group_id", json_integer(rows[i].department_id));
		json_t *options = json_array();
		const char *opts[FIELD_OPTIONS_MAX];
		int no = str_eq(rows[i].kind, "select") ? custom_field_options(rows[i].options, a, opts, FIELD_OPTIONS_MAX) : 0;
		for (int k = 0; k < no; k++) {
			json_t *opt = json_object();
			json_object_set_new(opt, "id", json_integer(rows[i].id * 1000 + k + 1));
			json_object_set_new(opt, "name", json_string(opts[k]));
			json_object_set_new(opt, "value", json_string(opts[k]));
			json_array_append_new(options, opt);
		}
		json_object_set_new(f, "custom_field_options", options);
		json_array_append_new(list, f);
	}
	json_t *o = json_object();
	json_object_set_new(o, "ticket_fields", list);
	json_object_set_new(o, "next_page", json_null());
	json_object_set_new(o, "previous_page", json_null());
	json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(list)));
	return o;
}
