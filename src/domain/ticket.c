#include "domain/ticket.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "mail/thread.h"
#include "domain/admin.h"
#include "domain/webhook.h"
#include "store/department_store.h"
#include "view/i18n.h"

enum { NUMBER_TRIES = 20, STAFF_NOTIFY_MAX = 50 };

const char *ticket_status_label(const char *status)
{
	static const char *const labels[][2] = {
		{"open", N_("Open")},
		{"answered", N_("Answered")},
		{"customer-reply", N_("Customer-Reply")},
		{"on-hold", N_("On Hold")},
		{"in-progress", N_("In Progress")},
		{"closed", N_("Closed")},
	};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (str_eq(status, labels[i][0]))
			return labels[i][1];
	return status;
}

const char *ticket_priority_label(const char *priority)
{
	if (str_eq(priority, "low"))
		return N_("Low");
	if (str_eq(priority, "high"))
		return N_("High");
	return N_("Medium");
}

int64_t ticket_number_parse(const char *s)
{
	int64_t n;
	if (!s)
		return 0;
	if (*s == '#')
		s++;
	return str_to_int64(s, 1, 999999999, &n) ? n : 0;
}

static bool valid_priority(const char *p)
{
	return str_eq(p, "low") || str_eq(p, "medium") || str_eq(p, "high");
}

/* Check, then proceed: every field of the form, against the client. */
static bool validate_open(db *d, const struct session *client, const struct ticket_form *f,
                          struct ticket_errors *e, arena *a)
{
	memset(e, 0, sizeof *e);
	const char *dep_name;
	if (f->department_id <= 0 || store_department_visible_name(d, f->department_id, a, &dep_name) != 1)
		e->department = N_("Choose a department.");
	size_t subject_len = f->subject ? str_utf8_length(f->subject) : 0;
	if (str_blank(f->subject))
		e->subject = N_("Write a subject.");
	else if (subject_len > TICKET_SUBJECT_MAX)
		e->subject = N_("The subject can have at most 200 characters.");
	if (f->service_id > 0 && store_service_owned(d, f->service_id, client->user_id) != 1)
		e->service = N_("Choose one of your services, or None.");
	if (!valid_priority(f->priority))
		e->priority = N_("Choose a priority.");
	if (str_blank(f->message))
		e->message = N_("Write a message describing the problem.");
	else if (strlen(f->message) > TICKET_MESSAGE_MAX)
		e->message = N_("The message is too long. Attach long logs as files.");
	return !(e->department || e->subject || e->service || e->priority || e->message);
}

/* A random number of `digits` digits (6 by default: #482913). */
static int64_t new_number(int digits)
{
	int64_t low = 1;
	for (int i = 1; i < digits; i++)
		low *= 10;
	/* At most nine digits: the span stays below 2^32. */
	return low + (int64_t)randombytes_uniform((uint32_t)(low * 9));
}

int ticket_store_attachments(db *d, int64_t message_id, const struct attachment_in *files, int n,
                       int64_t now)
{
	for (int i = 0; i < n; i++) {
		int64_t id = store_attachment_insert(d, message_id, files[i].name, files[i].content_type,
		                                     (int64_t)files[i].size, files[i].sha256,
		                                     files[i].data, files[i].size, now);
		if (id < 0)
			return (int)id;
	}
	return 0;
}

/* What every ticket email shows. */
static vm_obj *ticket_mail_ctx(arena *a, const struct mailer *m, const struct ticket_row *t,
                               const char *message, const char *path_prefix)
{
	vm_obj *ctx = vm_new(a);
	vm_set_int(ctx, "number", t->number);
	vm_set_text(ctx, "subject", t->subject);
	vm_set_text(ctx, "department", t->department_name);
	vm_set_text(ctx, "client_name", t->client_name);
	vm_set_text(ctx, "client_email", t->client_email);
	vm_set_text(ctx, "message", message);
	vm_set_textf(ctx, "link", "%s%s/tickets/%lld", m->base_url, path_prefix, (long long)t->number);
	return ctx;
}

/* Emails every active staff member of the ticket's department. */
static int notify_staff(db *d, const struct mailer *m, const struct ticket_row *t,
                        const char *template_name, const char *message, arena *a)
{
	struct staff_contact staff[STAFF_NOTIFY_MAX];
	int n = store_department_staff(d, t->department_id, a, staff, STAFF_NOTIFY_MAX);
	for (int i = 0; i < n; i++) {
		vm_obj *ctx = ticket_mail_ctx(a, m, t, message, "/staff");
		enum lang lang = lang_or_default(staff[i].language);
		vm_set_text(ctx, "name", staff[i].name);
		vm_set_text(ctx, "priority", i18n_text(m->catalog, lang, ticket_priority_label(t->priority)));
		int rc = mail_thread_notify(d, m, template_name, lang, ctx, staff[i].email, staff[i].name, t->id);
		if (rc < 0)
			return rc;
	}
	return n < 0 ? n : 0;
}

/* The settings, read at most every few seconds per thread: every ticket
 * page shows the limits, and reading each setting is a query. A change by an
 * admin reaches every node within SETTINGS_TTL. */
enum { SETTINGS_TTL = 5 };

static const struct admin_settings *cached_settings(db *d)
{
	static _Thread_local struct admin_settings settings;
	static _Thread_local time_t loaded_at;
	static _Thread_local const db *loaded_from;
	time_t now = time(NULL);
	if (loaded_from != d || now - loaded_at >= SETTINGS_TTL || now < loaded_at) {
		admin_settings_load(d, &settings);
		loaded_at = now;
		loaded_from = d;
	}
	return &settings;
}

static int insert_ticket(db *d, const struct session *client, const struct ticket_form *f,
                         const char *subject, int64_t now, int64_t *number)
{
	int digits = cached_settings(d)->ticket_number_digits;
	for (int i = 0; i < NUMBER_TRIES * 2; i++) {
		/* A crowded space (a long history) grows by a digit. */
		if (i == NUMBER_TRIES && digits < 9)
			digits++;
		*number = new_number(digits);
		int64_t id = store_ticket_insert(d, *number, client->user_id, f->department_id,
		                                 f->service_id, subject, f->priority, f->submission_key, now);
		if (id != DB_CONSTRAINT)
			return id < 0 ? (int)id : 0;
		/* The number was taken or the form was already sent. */
		int64_t existing = store_ticket_number_by_submission(d, client->user_id, f->submission_key ? f->submission_key : "");
		if (existing > 0) {
			*number = existing;
			return 1;
		}
	}
	return DB_CONSTRAINT;
}

int ticket_open(db *d, const struct mailer *m, const struct session *client,
                const struct ticket_form *f, int64_t now, struct ticket_errors *errors,
                int64_t *number)
{
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	char subject[TICKET_SUBJECT_MAX * 4 + 1];
	snprintf(subject, sizeof subject, "%s", f->subject ? f->subject : "");
	str_trim(subject);
	struct ticket_form form = *f;
	form.subject = subject;
	int rc;
	if (!validate_open(d, client, &form, errors, a)) {
		rc = TICKET_INVALID;
		goto out;
	}
	rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	rc = insert_ticket(d, client, &form, subject, now, number);
	if (rc == 1) { /* a double submit: the first one stands */
		db_rollback(d);
		rc = TICKET_OK;
		goto out;
	}
	struct ticket_row t;
	if (rc == 0)
		rc = store_ticket_get_by_number(d, *number, a, &t) == 1 ? 0 : DB_ERROR;
	if (rc == 0) {
		const struct session *author = form.staff ? form.staff : client;
		int64_t message_id = store_message_insert(d, t.id, form.staff ? "staff" : "client",
		                                          form.staff ? 0 : client->user_id,
		                                          form.staff ? form.staff->user_id : 0,
		                                          author->name, form.message, "web", 0, NULL, now);
		rc = message_id < 0 ? (int)message_id
		                    : ticket_store_attachments(d, message_id, form.files, form.nfiles, now);
	}
	if (rc == 0) {
		vm_obj *ctx = ticket_mail_ctx(a, m, &t, form.message, "");
		vm_set_text(ctx, "name", t.client_name);
		rc = mail_thread_notify(d, m, "ticket_opened", lang_or_default(t.client_language), ctx, t.client_email,
		                  t.client_name, t.id);
	}
	if (rc == 0)
		rc = notify_staff(d, m, &t, "ticket_new_staff", form.message, a);
	if (rc == 0)
		rc = webhook_queue_event(d, WEBHOOK_TICKET_CREATED, t.id, now);
	if (rc < 0) {
		db_rollback(d);
		goto out;
	}
	rc = db_commit(d);
out:
	arena_free(a);
	return rc;
}

int ticket_for_client(db *d, const struct session *client, int64_t number, arena *a,
                      struct ticket_row *row)
{
	if (!client || number <= 0)
		return 0;
	int rc = store_ticket_get_by_number(d, number, a, row);
	if (rc != 1)
		return rc;
	return row->client_id == client->user_id ? 1 : 0;
}

int ticket_thread_load(db *d, int64_t ticket_id, bool with_internal, arena *a,
                       struct ticket_thread *t)
{
	enum { MESSAGES_MAX = 500, ATTACHMENTS_MAX = 1000 };
	t->messages = arena_alloc(a, MESSAGES_MAX * sizeof *t->messages);
	t->attachments = arena_alloc(a, ATTACHMENTS_MAX * sizeof *t->attachments);
	if (!t->messages || !t->attachments)
		return DB_NOMEM;
	t->nmessages = store_message_list(d, ticket_id, with_internal, a, t->messages, MESSAGES_MAX);
	if (t->nmessages < 0)
		return t->nmessages;
	int n = store_attachment_list_by_ticket(d, ticket_id, a, t->attachments, ATTACHMENTS_MAX);
	if (n < 0)
		return n;
	/* Attachments of internal notes stay with the notes. */
	t->nattachments = 0;
	for (int i = 0; i < n; i++)
		if (with_internal || !t->attachments[i].internal)
			t->attachments[t->nattachments++] = t->attachments[i];
	return 0;
}

int ticket_reply_by_client(db *d, const struct mailer *m, const struct session *client,
                           int64_t number, const char *message, const struct attachment_in *files,
                           int nfiles, const char *submission_key, int64_t now,
                           struct ticket_errors *errors)
{
	memset(errors, 0, sizeof *errors);
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	int rc = ticket_for_client(d, client, number, a, &t);
	if (rc <= 0) {
		rc = rc < 0 ? rc : TICKET_NOT_FOUND;
		goto out;
	}
	if (str_blank(message)) {
		errors->message = N_("Write your reply.");
		rc = TICKET_INVALID;
		goto out;
	}
	if (strlen(message) > TICKET_MESSAGE_MAX) {
		errors->message = N_("The message is too long. Attach long logs as files.");
		rc = TICKET_INVALID;
		goto out;
	}
	rc = db_begin_write(d);
	if (rc < 0)
		goto out;
	int64_t mid = store_message_insert(d, t.id, "client", client->user_id, 0, client->name, message,
	                                   "web", 0, submission_key, now);
	if (mid == DB_CONSTRAINT && submission_key && store_message_id_by_submission(d, t.id, submission_key) > 0) {
		db_rollback(d); /* sent twice: the first one stands */
		rc = TICKET_OK;
		goto out;
	}
	rc = mid < 0 ? (int)mid : ticket_store_attachments(d, mid, files, nfiles, now);
	if (rc == 0)
		rc = store_ticket_touch(d, t.id, "customer-reply", "client", now);
	if (rc == 0)
		rc = webhook_queue_event(d, WEBHOOK_CLIENT_REPLY, t.id, now);
	if (rc == 0)
		rc = notify_staff(d, m, &t, "ticket_client_reply_staff", message, a);
	if (rc < 0) {
		db_rollback(d);
		goto out;
	}
	rc = db_commit(d);
out:
	arena_free(a);
	return rc;
}

int ticket_close_by_client(db *d, const struct session *client, int64_t number, int64_t now)
{
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	int rc = ticket_for_client(d, client, number, a, &t);
	if (rc == 1)
		rc = str_eq(t.status, "closed") ? TICKET_OK : store_ticket_set_status(d, t.id, "closed", now);
	else if (rc == 0)
		rc = TICKET_NOT_FOUND;
	if (rc == 0 && !str_eq(t.status, "closed"))
		rc = webhook_queue_event(d, WEBHOOK_STATUS_CHANGED, t.id, now);
	arena_free(a);
	return rc;
}

int ticket_attachment_for_client(db *d, const struct session *client, int64_t number,
                                 int64_t attachment_id, arena *a, struct attachment_row *row)
{
	struct ticket_row t;
	int rc = ticket_for_client(d, client, number, a, &t);
	if (rc != 1)
		return rc;
	rc = store_attachment_get(d, attachment_id, a, row);
	if (rc != 1)
		return rc;
	return row->ticket_id == t.id && !row->internal ? 1 : 0;
}

int ticket_list_for_client(db *d, const struct session *client, enum ticket_filter filter,
                           int64_t after_updated, int64_t after_id, int limit, arena *a,
                           struct ticket_row *rows)
{
	return store_ticket_list_by_client(d, client->user_id, filter, after_updated, after_id, limit,
	                                   a, rows);
}

int64_t ticket_open_count(db *d, const struct session *client)
{
	return store_ticket_count_open_by_client(d, client->user_id);
}

int ticket_services_for_client(db *d, const struct session *client, arena *a,
                               struct service_row *rows, int max)
{
	return store_service_list_by_client(d, client->user_id, a, rows, max);
}

int ticket_departments(db *d, struct department_row *rows, int max)
{
	return store_department_list_visible(d, rows, max);
}

int ticket_department_name(db *d, int64_t department_id, arena *a, const char **name)
{
	return store_department_visible_name(d, department_id, a, name);
}

void ticket_attachment_limits(db *d, arena *a, struct attachment_limits *l)
{
	struct admin_settings settings = *cached_settings(d);
	attachment_limits_default(l);
	l->max_files = settings.attachment_max_files;
	l->max_bytes = (size_t)settings.attachment_max_mb << 20;
	const char *ext = arena_strdup(a, settings.attachment_extensions);
	if (ext && *ext)
		l->extensions = ext;
}
