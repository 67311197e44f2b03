#include "domain/ticket.h"
#include "domain/ticket_tag.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/random.h"
#include "base/str.h"
#include "base/thread_copy.h"
#include "base/thread_slot.h"
#include "domain/admin.h"
#include "domain/csat.h"
#include "domain/custom_field.h"
#include "domain/permission.h"
#include "domain/report.h"
#include "domain/webhook.h"
#include "domain/sla.h"
#include "domain/staff_ticket.h"
#include "domain/ticket_cc.h"
#include "domain/contact.h"
#include "domain/ticket_number.h"
#include "domain/ticket_search.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/mail_store.h"
#include "store/queue_store.h"
#include "view/i18n.h"

enum { NUMBER_TRIES = 20, STAFF_NOTIFY_MAX = 50 };
/* How long a thread's copy of something admins change (the settings, the
 * departments, their staff) answers without a read: a change on another
 * node shows within it. */
enum { SETTINGS_TTL = 5 };

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

static int visible_department_name(db *d, int64_t department_id, arena *a, const char **name);

/* Check, then proceed: every field of the form, against the client.
 * *dep_name (in a) is the department's name, NULL when it is not one
 * clients may choose. */
static bool validate_open(db *d, const struct session *client, const struct ticket_form *f,
                          struct ticket_errors *e, arena *a, const char **dep_name)
{
	memset(e, 0, sizeof *e);
	*dep_name = NULL;
	if (f->department_id <= 0 || visible_department_name(d, f->department_id, a, dep_name) != 1)
		e->department = N_("Choose a department.");
	size_t subject_len = f->subject ? str_utf8_length(f->subject) : 0;
	if (str_blank(f->subject))
		e->subject = N_("Write a subject.");
	else if (subject_len > TICKET_SUBJECT_MAX)
		e->subject = N_("The subject can have at most 200 characters.");
	char service_status[16];
	if (f->service_id > 0 && (store_service_status(d, f->service_id, session_ticket_account(client),
	                                               service_status,
	                                               sizeof service_status) != 1 ||
	                          !ticket_service_selectable(service_status)))
		e->service = N_("Choose one of your services, or None.");
	if (!valid_priority(f->priority))
		e->priority = N_("Choose a priority.");
	if (str_blank(f->message))
		e->message = N_("Write a message describing the problem.");
	else if (strlen(f->message) > TICKET_MESSAGE_MAX)
		e->message = N_("The message is too long. Attach long logs as files.");
	return !(e->department || e->subject || e->service || e->priority || e->message);
}

/* The CC field of the form: *ccs (in a) and how many, or < 0; e->cc set
 * when the field is wrong. */
static int validate_ccs(db *d, const struct ticket_form *f, struct ticket_errors *e, arena *a,
                        const char ***ccs)
{
	*ccs = arena_alloc(a, TICKET_CC_MAX * sizeof **ccs);
	if (!*ccs)
		return DB_NOMEM;
	const char *bad = NULL;
	int n = ticket_cc_parse(f->cc, a, *ccs, TICKET_CC_MAX, &e->cc, &bad);
	for (int i = 0; i < n && !e->cc; i++) {
		int rc = store_mail_is_department_address(d, (*ccs)[i]);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			e->cc = N_("%s is one of our support addresses: it cannot receive copies.");
			bad = (*ccs)[i];
		}
	}
	if (e->cc)
		snprintf(e->cc_value, sizeof e->cc_value, "%s", bad ? bad : "");
	return n;
}

/* A random number of `digits` digits (6 by default: #482913). */
static int64_t new_number(int digits)
{
	int64_t low = 1;
	for (int i = 1; i < digits; i++)
		low *= 10;
	/* At most nine digits: the span stays below 2^32. */
	return low + (int64_t)random_uniform((uint32_t)(low * 9));
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

/* An opening's emails to its client and to its department's staff,
 * composed before the write turn for the ticket as it will read (its
 * number chosen, no sequential label): the turn, which every write of the
 * node waits for, then only writes them. Used only when the ticket read
 * back in the turn is the one they were composed for. */
enum { OPENING_STAFF_EMAILS_MAX = 4 }; /* one per language */

struct opening_mail {
	bool ready;
	struct ticket_row t;     /* as composed: id 0 */
	char key[TOKEN_LEN + 1]; /* the client's access key in the link */
	struct outbox_prepared client;
	struct outbox_prepared staff[OPENING_STAFF_EMAILS_MAX];
	int nstaff;
};

/* Bumped after every change to staff accounts or to who works in a
 * department made in this process (ticket_staff_changed), so each thread
 * reads its kept department staff again at once. */
static atomic_uint staff_generation;

void ticket_staff_changed(void)
{
	atomic_fetch_add(&staff_generation, 1);
	staff_ticket_lists_changed(); /* the staff pages' departments and staff */
}

/* The last department's staff a thread notified, read at most every
 * SETTINGS_TTL seconds and at once after a change on this node (another
 * node's shows within SETTINGS_TTL): every opening and client reply tells
 * them, and under writes that read came from the file each time (two
 * pages of an opening's reads). */
struct staff_copy {
	struct kept_list list; /* key: the department */
	struct staff_contact rows[STAFF_NOTIFY_MAX];
};

static void staff_copy_free(void *p)
{
	struct staff_copy *c = p;
	arena_free(c->list.a);
	free(c);
}

static void *staff_copy_make(void)
{
	struct staff_copy *c = calloc(1, sizeof *c);
	if (c && !(c->list.a = arena_new(2048))) {
		free(c);
		return NULL;
	}
	return c;
}

static struct thread_slot staff_slot = THREAD_SLOT(staff_copy_make, staff_copy_free);

/* store_department_staff through the thread's copy; the rows' strings are
 * copied into a, as the copy may be read again before the caller is done. */
static int department_staff(db *d, int64_t department_id, arena *a, struct staff_contact *rows,
                            int max)
{
	struct staff_copy *c = thread_slot_get(&staff_slot);
	if (!c || max > STAFF_NOTIFY_MAX)
		return store_department_staff(d, department_id, a, rows, max);
	time_t now = time(NULL);
	unsigned generation = atomic_load(&staff_generation);
	if (!kept_list_current(&c->list, d, department_id, now, SETTINGS_TTL, generation)) {
		int read = store_department_staff(d, department_id, c->list.a, c->rows, STAFF_NOTIFY_MAX);
		kept_list_taken(&c->list, d, department_id, read, now, generation);
		if (read < 0)
			return read;
	}
	int n = c->list.n < max ? c->list.n : max;
	for (int i = 0; i < n; i++) {
		rows[i] = (struct staff_contact){.id = c->rows[i].id,
		                                 .name = arena_strdup(a, c->rows[i].name),
		                                 .email = arena_strdup(a, c->rows[i].email),
		                                 .language = arena_strdup(a, c->rows[i].language)};
		if (!rows[i].name || !rows[i].email || !rows[i].language)
			return DB_NOMEM;
	}
	return n;
}

/* Tells every active staff member of the ticket's department. */
static int notify_staff(db *d, const struct notifier *n, const struct ticket_row *t,
                        enum notice_kind kind, const char *message, arena *a,
                        const struct opening_mail *pm)
{
	if (pm) {
		for (int i = 0; i < pm->nstaff; i++) {
			int64_t id = outbox_enqueue_prepared(d, &pm->staff[i], t->id);
			if (id < 0)
				return (int)id;
		}
		return 0;
	}
	struct staff_contact staff[STAFF_NOTIFY_MAX];
	int count = department_staff(d, t->department_id, a, staff, STAFF_NOTIFY_MAX);
	if (count < 0)
		return count;
	struct notice notice = {.kind = kind, .ticket = t, .message = message};
	return notice_queue_staff(d, n, &notice, staff, count);
}

static struct notice client_notice(const struct ticket_row *t, enum notice_kind kind,
                                   const char *message, const char *author, const char *key)
{
	return (struct notice){.kind = kind, .to = t->client_email, .to_name = t->client_name,
	                       .lang = lang_or_default(t->client_language), .ticket = t,
	                       .message = message, .author_name = author, .access_key = key};
}

/* Tells the ticket's client, with a fresh key of their access link, and
 * the account's contacts who get ticket emails. who is the author: a
 * contact is not told of their own reply, but always gets the confirmation
 * of a ticket they opened. */
static int notify_client(db *d, const struct notifier *n, const struct ticket_row *t,
                         enum notice_kind kind, const char *message, const char *author,
                         const struct actor *who, int64_t now, const struct opening_mail *pm)
{
	if (!n || !n->queue)
		return 0;
	char key[TOKEN_LEN + 1];
	int rc;
	if (pm) {
		rc = ticket_access_key_store(d, t->id, 0, now, pm->key);
		int64_t id = rc < 0 ? rc : outbox_enqueue_prepared(d, &pm->client, t->id);
		rc = id < 0 ? (int)id : 0;
	} else {
		rc = ticket_access_key_issue(d, t->id, 0, now, key);
		struct notice notice = client_notice(t, kind, message, author, key);
		if (rc == 0)
			rc = notice_queue(d, n, &notice);
	}
	int64_t contact = who && session_is_contact(who->account) ? who->account->user_id : 0;
	if (rc == 0)
		rc = contact_notify(d, n, t, kind, message, author, contact,
		                    kind == NOTICE_TICKET_OPENED ? contact : 0);
	return rc;
}

/* The settings, read at most every few seconds per thread: every ticket
 * page shows the limits, and reading each setting is a query. A change by an
 * admin reaches every node within SETTINGS_TTL. */

static const struct admin_settings *cached_settings(db *d)
{
	static _Thread_local struct admin_settings settings;
	static _Thread_local struct thread_copy copy;
	time_t now = time(NULL);
	if (!thread_copy_fresh(&copy, d, now, SETTINGS_TTL, 0)) {
		admin_settings_load(d, &settings);
		thread_copy_taken(&copy, d, now, 0);
	}
	return &settings;
}

/* Inserts the ticket numbered first when > 0 (chosen before the turn),
 * else or when taken by a fresh random number; as ticket_insert_numbered. */
static int insert_numbered(db *d, int64_t client_id, const struct ticket_form *f,
                           const char *subject, const struct sla_state *sla, int64_t now,
                           int64_t first, int64_t *number)
{
	const struct admin_settings *settings = cached_settings(d);
	int digits = settings->ticket_number_digits;
	for (int i = 0; i < NUMBER_TRIES * 2; i++) {
		/* A crowded space (a long history) grows by a digit. */
		if (i == NUMBER_TRIES && digits < 9)
			digits++;
		*number = i == 0 && first > 0 ? first : new_number(digits);
		int64_t id = store_ticket_insert(d, *number, client_id, f->department_id, f->service_id,
		                                 subject, f->priority, f->submission_key, sla, now);
		/* The display number, in this transaction: a rollback gives the
		 * counter's value back. */
		if (id > 0)
			return ticket_number_assign(d, settings->ticket_number_sequential,
			                            settings->ticket_number_prefix,
			                            settings->ticket_number_year, id, now);
		if (id != DB_CONSTRAINT)
			return (int)id;
		/* The number was taken or the form was already sent. */
		int64_t existing = store_ticket_number_by_submission(d, client_id, f->submission_key ? f->submission_key : "");
		if (existing > 0) {
			*number = existing;
			return 1;
		}
	}
	return DB_CONSTRAINT;
}

int ticket_insert_numbered(db *d, int64_t client_id, const struct ticket_form *f,
                           const char *subject, const struct sla_state *sla, int64_t now,
                           int64_t *number)
{
	return insert_numbered(d, client_id, f, subject, sla, now, 0, number);
}

/* The client a ticket is opened for: the acting client, or for staff the
 * active client f->client_id. 1 with *client, 0 none, < 0. */
static int client_of_open(db *d, const struct actor *who, const struct ticket_form *f,
                          struct session *client)
{
	if (actor_is_client(who)) {
		/* A contact opens tickets for the account only with the permission. */
		if (session_ticket_account(who->account) <= 0)
			return 0;
		*client = *who->account;
		return 1;
	}
	if (!actor_is_staff(who) || f->client_id <= 0)
		return 0;
	struct account_row row;
	int rc = store_account_get(d, "client", f->client_id, &row);
	/* Staff who pick a contact open the ticket for the contact's account. */
	if (rc == 1 && row.owner_id > 0)
		rc = store_account_get(d, "client", row.owner_id, &row);
	if (rc <= 0 || !row.active)
		return rc < 0 ? rc : 0;
	*client = (struct session){.kind = ACCOUNT_CLIENT, .user_id = row.id};
	snprintf(client->name, sizeof client->name, "%s", row.name);
	snprintf(client->email, sizeof client->email, "%s", row.email);
	snprintf(client->language, sizeof client->language, "%s", row.language);
	return 1;
}

/* Writes a message with its files, in the caller's transaction. Returns
 * its id, 0 when the same submission was already saved, or < 0. */
static int64_t insert_message(db *d, const struct actor *who, const struct ticket_row *t,
                              const char *body, const struct attachment_in *files, int nfiles,
                              const char *submission_key, int internal, int64_t now)
{
	const struct session *s = who->account;
	bool staff = actor_is_staff(who);
	/* The system (an escalation's note) writes as no one. */
	const char *kind = !s ? "system" : staff ? "staff" : "client";
	int64_t client_id = s && !staff ? s->user_id : 0, staff_id = s && staff ? s->user_id : 0;
	int64_t mid = store_message_insert(d, t->id, kind, client_id, staff_id, s ? s->name : "", body,
	                                   channel_name(who->channel), internal, submission_key, now);
	if (mid == DB_CONSTRAINT && submission_key &&
	    store_message_id_by_submission(d, t->id, submission_key) > 0)
		return 0;
	if (mid < 0)
		return mid;
	int rc = ticket_store_attachments(d, mid, files, nfiles, now);
	if (rc == 0)
		rc = ticket_search_changed(d, t->id);
	return rc < 0 ? rc : mid;
}

/* What the caller learns of the ticket it opened, read in the opening's
 * transaction (for a double submit too: the first's ticket). */
static void opened_fill(const struct ticket_row *t, struct ticket_opened *opened)
{
	opened->id = t->id;
	opened->number = t->number;
	ticket_number_shown(t, opened->shown);
}

static int opened_read(db *d, int64_t number, arena *a, struct ticket_opened *opened)
{
	struct ticket_row t;
	int rc = store_ticket_get_by_number(d, number, a, &t);
	if (rc != 1)
		return rc < 0 ? rc : DB_ERROR;
	opened_fill(&t, opened);
	return TICKET_OK;
}

/* Composes the opening's emails before its turn when they can be (see
 * struct opening_mail): not for a sequential label (taken in the turn) nor
 * for a ticket opened by email (its confirmation answers that email, found
 * in the turn). Whatever fails here leaves mail->ready false: the turn then
 * composes them, and meets the failure itself if it lasts. */
static void opening_mail_prepare(db *d, const struct notifier *n, const struct actor *who,
                                 const struct session *client, const struct ticket_form *f,
                                 const char *dep_name, arena *a, struct opening_mail *mail)
{
	mail->ready = false;
	const struct admin_settings *settings = cached_settings(d);
	if (!notice_can_prepare(n) || settings->ticket_number_sequential ||
	    who->channel == CHANNEL_EMAIL ||
	    (f->submission_key && str_starts_with(f->submission_key, "email:")))
		return;
	struct ticket_row *t = &mail->t;
	*t = (struct ticket_row){.number = new_number(settings->ticket_number_digits),
	                         .client_id = session_ticket_account(client),
	                         .department_id = f->department_id, .subject = f->subject,
	                         .priority = f->priority, .status = "open", .number_label = ""};
	/* The account's name, email and language: the session's, read with it
	 * at the request's start, unless it is a contact's (the owner's are
	 * read). The department's: as the form's check read it. A change since
	 * shows when the ticket is read back in the turn (opening_mail_fits). */
	if (!dep_name)
		return;
	t->department_name = dep_name;
	struct account_row *row; /* a contact's owner, in a: the emails keep its strings */
	if (t->client_id == client->user_id) {
		t->client_name = client->name;
		t->client_email = client->email;
		t->client_language = client->language;
	} else if ((row = arena_alloc(a, sizeof *row)) &&
	           store_account_get(d, "client", t->client_id, row) == 1) {
		t->client_name = row->name;
		t->client_email = row->email;
		t->client_language = row->language;
	} else {
		return;
	}
	token_new(mail->key);
	struct notice notice = client_notice(t, NOTICE_TICKET_OPENED, f->message, NULL, mail->key);
	if (n->prepare(n->self, d, &notice, a, &mail->client) < 0)
		return;
	struct staff_contact staff[STAFF_NOTIFY_MAX];
	int count = department_staff(d, f->department_id, a, staff, STAFF_NOTIFY_MAX);
	/* In the turn the staff's email would find the client's in the outbox
	 * and answer it: so it does here. */
	notice = (struct notice){.kind = NOTICE_TICKET_NEW_STAFF, .ticket = t, .message = f->message,
	                         .first_sent = mail->client.message_id};
	mail->nstaff = count < 0 ? count
	                         : notice_prepare_staff(d, n, &notice, staff, count, a, mail->staff,
	                                                OPENING_STAFF_EMAILS_MAX);
	mail->ready = mail->nstaff >= 0;
}

static bool same_text(const char *x, const char *y)
{
	return str_eq(x ? x : "", y ? y : "");
}

/* Whether t, read back in the turn, reads as the ticket the emails were
 * composed for: what the emails show of it (a number taken meanwhile, a
 * renamed department or client compose them again in the turn). */
static bool opening_mail_fits(const struct opening_mail *mail, const struct ticket_row *t)
{
	const struct ticket_row *c = &mail->t;
	return t->number == c->number && same_text(t->number_label, "") &&
	       same_text(t->subject, c->subject) && same_text(t->priority, c->priority) &&
	       same_text(t->department_name, c->department_name) &&
	       same_text(t->client_name, c->client_name) &&
	       same_text(t->client_email, c->client_email) &&
	       same_text(t->client_language, c->client_language) && store_ticket_unmerged(t);
}

int ticket_open(db *d, const struct notifier *n, const struct actor *who,
                const struct ticket_form *f, int64_t now, struct ticket_errors *errors,
                struct ticket_opened *opened)
{
	int64_t number = 0;
	*opened = (struct ticket_opened){0};
	struct session client;
	if (actor_is_cc(who))
		return TICKET_NOT_FOUND;
	int rc = client_of_open(d, who, f, &client);
	if (rc <= 0)
		return rc < 0 ? rc : TICKET_NOT_FOUND;
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	char subject[TICKET_SUBJECT_MAX * 4 + 1];
	snprintf(subject, sizeof subject, "%s", f->subject ? f->subject : "");
	str_trim(subject);
	struct ticket_form form = *f;
	form.subject = subject;
	const char *dep_name;
	bool valid = validate_open(d, &client, &form, errors, a, &dep_name);
	const char **ccs = NULL;
	int nccs = validate_ccs(d, &form, errors, a, &ccs);
	if (nccs < 0) {
		rc = nccs;
		goto out;
	}
	valid = valid && !errors->cc;
	/* Custom fields of the department: a client sees and fills only the
	 * client-visible ones, and must fill the required ones on the web. */
	struct field_input *field_values = arena_alloc(a, CUSTOM_FIELDS_MAX * sizeof *field_values);
	int nfield_values = 0;
	if (!field_values) {
		rc = DB_NOMEM;
		goto out;
	}
	if (!errors->department) {
		bool client = actor_is_client(who);
		rc = custom_fields_check_all(d, form.department_id, client,
		                             client && who->channel == CHANNEL_WEB, form.fields, form.nfields,
		                             a, field_values, &nfield_values, &errors->fields);
		if (rc < 0)
			goto out;
		valid = valid && rc == 0;
	}
	/* Tags: staff's and the API's; a client's are ignored. */
	struct tag_change tags = {.add = form.tags, .nadd = actor_is_staff(who) ? form.ntags : 0};
	char bad_tag[TAG_BYTES_MAX * 2];
	errors->tags = ticket_tags_check(&tags, bad_tag);
	if (errors->tags) {
		snprintf(errors->tag_value, sizeof errors->tag_value, "%s", bad_tag);
		valid = false;
	}
	/* Staff open tickets only in the departments they work in. */
	if (valid && actor_is_staff(who) && !who->account->admin &&
	    store_staff_in_department(d, who->account->user_id, form.department_id) != 1) {
		errors->department = N_("Choose one of your departments.");
		valid = false;
	}
	if (!valid) {
		rc = TICKET_INVALID;
		goto out;
	}
	struct opening_mail *mail = arena_alloc(a, sizeof *mail);
	if (!mail) {
		rc = DB_NOMEM;
		goto out;
	}
	opening_mail_prepare(d, n, who, &client, &form, dep_name, a, mail);
	/* Most openings only add rows: they need not wait for other writers.
	 * A sequential label, CCs (addresses looked up, then added) and tags
	 * (their counts) read before they write. */
	bool adds_only = !cached_settings(d)->ticket_number_sequential && nccs == 0 && tags.nadd == 0;
	rc = adds_only ? db_begin_concurrent(d) : db_begin_write(d);
	if (rc < 0)
		goto out;
	/* The clock starts with the row: no second write of it. */
	struct sla_state sla;
	rc = sla_ticket_opening(d, form.department_id, form.priority, now, &sla);
	if (rc == 0)
		rc = insert_numbered(d, session_ticket_account(&client), &form, subject, &sla, now,
		                     mail->ready ? mail->t.number : 0, &number);
	if (rc == 1) { /* a double submit: the first one stands */
		/* Read before the rollback: on SQLite the first may be another part
		 * of the same batch, not yet committed, and seen only in it. */
		rc = opened_read(d, number, a, opened);
		db_rollback(d);
		goto out;
	}
	struct ticket_row t;
	if (rc == 0)
		rc = store_ticket_get_by_number(d, number, a, &t) == 1 ? 0 : DB_ERROR;
	if (rc == 0) {
		int64_t mid = insert_message(d, who, &t, form.message, form.files, form.nfiles, NULL, 0, now);
		rc = mid < 0 ? (int)mid : 0;
	}
	if (rc == 0)
		rc = ticket_fields_apply(d, who, &t, field_values, nfield_values, a, now);
	if (rc == 0 && tags.nadd)
		rc = ticket_tags_apply(d, who, &t, &tags, a, now);
	const struct opening_mail *pm = mail->ready && opening_mail_fits(mail, &t) ? mail : NULL;
	if (rc == 0)
		rc = notify_client(d, n, &t, NOTICE_TICKET_OPENED, form.message, NULL, who, now, pm);
	if (rc == 0)
		rc = notify_staff(d, n, &t, NOTICE_TICKET_NEW_STAFF, form.message, a, pm);
	for (int i = 0; i < nccs && rc == 0; i++) {
		const char *why = NULL;
		rc = ticket_cc_insert(d, n, who, &t, ccs[i], NULL, form.message, now, &why);
		/* The client's own address, a repeat: nothing to add. */
		rc = rc == TICKET_UNCHANGED || rc == TICKET_INVALID ? 0 : rc;
	}
	if (rc == 0)
		rc = webhook_queue_event(d, WEBHOOK_TICKET_CREATED, t.id, now);
	if (rc == 0)
		rc = report_on_open(d, form.department_id, now);
	if (rc < 0) {
		db_rollback(d);
		goto out;
	}
	rc = db_commit(d);
	if (rc == 0)
		opened_fill(&t, opened);
out:
	arena_free(a);
	return rc;
}

int ticket_get_for(db *d, const struct actor *who, int64_t number, arena *a, struct ticket_row *row)
{
	if (!who || !who->account || number <= 0)
		return 0;
	int rc = store_ticket_get_by_number(d, number, a, row);
	if (rc != 1)
		return rc;
	return ticket_row_for(d, who, row);
}

int ticket_row_for(db *d, const struct actor *who, const struct ticket_row *row)
{
	if (!who || !who->account)
		return 0;
	return permission_ticket(d, who->account, row);
}

void ticket_prefetch_by_number(db *d, int64_t number)
{
	if (number > 0)
		store_ticket_get_by_number_prefetch(d, number);
}

int ticket_for_client(db *d, const struct session *client, int64_t number, arena *a,
                      struct ticket_row *row)
{
	if (!client || number <= 0)
		return 0;
	int rc = store_ticket_get_by_number(d, number, a, row);
	if (rc != 1)
		return rc;
	int64_t account_id = session_ticket_account(client);
	return account_id > 0 && row->client_id == account_id ? 1 : 0;
}

enum { THREAD_MESSAGES_MAX = 500, THREAD_ATTACHMENTS_MAX = 1000 };

void ticket_thread_prefetch(db *d, int64_t ticket_id, bool with_internal)
{
	store_message_list_prefetch(d, ticket_id, with_internal, THREAD_MESSAGES_MAX);
	store_attachment_list_by_ticket_prefetch(d, ticket_id, THREAD_ATTACHMENTS_MAX);
}

int ticket_thread_load(db *d, int64_t ticket_id, bool with_internal, arena *a,
                       struct ticket_thread *t)
{
	t->messages = arena_alloc(a, THREAD_MESSAGES_MAX * sizeof *t->messages);
	t->attachments = arena_alloc(a, THREAD_ATTACHMENTS_MAX * sizeof *t->attachments);
	if (!t->messages || !t->attachments)
		return DB_NOMEM;
	t->nmessages = store_message_list(d, ticket_id, with_internal, a, t->messages, THREAD_MESSAGES_MAX);
	if (t->nmessages < 0)
		return t->nmessages;
	int n = store_attachment_list_by_ticket(d, ticket_id, a, t->attachments, THREAD_ATTACHMENTS_MAX);
	if (n < 0)
		return n;
	/* Attachments of internal notes stay with the notes. */
	t->nattachments = 0;
	for (int i = 0; i < n; i++)
		if (with_internal || !t->attachments[i].internal)
			t->attachments[t->nattachments++] = t->attachments[i];
	return 0;
}

/* Check, then proceed: the text of a reply or a note. */
static int check_post(const struct actor *who, const struct ticket_post *p,
                      struct ticket_errors *e)
{
	memset(e, 0, sizeof *e);
	if (str_blank(p->message)) {
		e->message = actor_is_client(who) ? N_("Write your reply.") : N_("Write a message.");
		return TICKET_INVALID;
	}
	if (strlen(p->message) > TICKET_MESSAGE_MAX) {
		e->message = N_("The message is too long. Attach long logs as files.");
		return TICKET_INVALID;
	}
	return TICKET_OK;
}

/* Two people on one ticket: a reply since the page opened is not crossed
 * silently. TICKET_OK, TICKET_COLLISION or < 0. */
static int check_collision(db *d, const struct ticket_row *t, const struct ticket_post *p)
{
	if (p->confirmed || p->seen_message_id <= 0)
		return TICKET_OK;
	int64_t last = store_message_last_visible(d, t->id);
	if (last < 0)
		return (int)last;
	return last > p->seen_message_id ? TICKET_COLLISION : TICKET_OK;
}

/* The number a reply to number lands on: the surviving ticket of a merge.
 * Permission is checked on that one (merges keep to one client). */
static int64_t reply_target(db *d, int64_t number)
{
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	int rc = store_ticket_get_by_number(d, number, a, &t);
	int64_t target = rc == 1 ? ticket_surviving_number(d, &t) : rc < 0 ? rc : number;
	arena_free(a);
	return target;
}

/* The ticket a change on number lands on, read in the caller's write
 * transaction: with follow, a merged-away number's survivor, where the
 * permission is checked (merges keep to one client). 1 with *t, 0 none, < 0. */
static int landing_ticket(db *d, const struct actor *who, int64_t number, bool follow, arena *a,
                          struct ticket_row *t)
{
	int rc = ticket_get_for(d, who, number, a, t);
	if (!follow || rc < 0 || (rc == 1 && store_ticket_unmerged(t)))
		return rc;
	/* Merged (the row in hand says where to), or not this actor's: its
	 * survivor may still be. */
	int64_t target = rc == 1 ? ticket_surviving_number(d, t) : reply_target(d, number);
	if (target < 0)
		return (int)target;
	if (target == number)
		return rc;
	return ticket_get_for(d, who, target, a, t);
}

/* ticket_transaction, following a merge when follow; *landed the number
 * of the ticket changed, when it was. */
static int transaction_on(db *d, const struct actor *who, int64_t number, bool follow,
                          int64_t *landed, ticket_change_fn change, const void *arg, int64_t now)
{
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	struct ticket_row t;
	int rc = db_begin_write(d);
	if (rc == 0) {
		rc = landing_ticket(d, who, number, follow, a, &t);
		rc = rc < 0 ? rc : rc == 0 ? TICKET_NOT_FOUND : change(d, who, &t, arg, a, now);
		if (rc == 0 || rc == TICKET_UNCHANGED)
			*landed = t.number;
		if (rc == 0)
			rc = db_commit(d);
		else
			db_rollback(d);
	}
	arena_free(a);
	return rc == TICKET_UNCHANGED ? TICKET_OK : rc;
}

int ticket_transaction(db *d, const struct actor *who, int64_t number,
                       ticket_change_fn change, const void *arg, int64_t now)
{
	int64_t landed;
	return transaction_on(d, who, number, false, &landed, change, arg, now);
}

struct post_args {
	const struct notifier *notifier;
	const struct ticket_post *post;
	bool note;
};

/* A reply's status, replier and clock, in one write of the ticket's row. */
static int touch(db *d, int64_t ticket_id, const char *status, const char *replier,
                 enum sla_event ev, int64_t now)
{
	struct sla_state sla;
	int rc = sla_ticket_next(d, ticket_id, status, ev, now, &sla);
	return rc < 0 ? rc : store_ticket_touch(d, ticket_id, status, replier, now, rc == 1 ? &sla : NULL);
}

/* A reply or a note on t. */
static int post_message(db *d, const struct actor *who, const struct ticket_row *t,
                        const void *arg, arena *a, int64_t now)
{
	const struct post_args *pa = arg;
	const struct ticket_post *p = pa->post;
	int rc;
	if (!pa->note && (rc = check_collision(d, t, p)) != TICKET_OK)
		return rc;
	int64_t mid = insert_message(d, who, t, p->message, p->files, p->nfiles, p->submission_key,
	                             pa->note, now);
	if (mid <= 0)
		return mid == 0 ? TICKET_UNCHANGED : (int)mid; /* 0: sent twice, the first stands */
	if (pa->note)
		return 0;
	if (actor_is_client(who)) {
		rc = touch(d, t->id, "customer-reply", "client", SLA_CHANGED, now);
		rc = rc ? rc : webhook_queue_event(d, WEBHOOK_CLIENT_REPLY, t->id, now);
		if (rc == 0)
			rc = notify_staff(d, pa->notifier, t, NOTICE_CLIENT_REPLY_STAFF, p->message, a, NULL);
		/* The other side of the copy: the CCs, and the client when a CC wrote. */
		if (rc == 0)
			rc = ticket_cc_notify(d, pa->notifier, t, p->message, who->account->name,
			                      who->account->cc_id, now);
		/* The account's side of the copy when a CC or a contact wrote. */
		if (rc == 0 && (actor_is_cc(who) || session_is_contact(who->account)))
			rc = notify_client(d, pa->notifier, t, NOTICE_TICKET_REPLY_COPY, p->message,
			                   who->account->name, who, now, NULL);
		return rc;
	}
	rc = touch(d, t->id, "answered", "staff", SLA_STAFF_REPLY, now);
	rc = rc ? rc : webhook_queue_event(d, WEBHOOK_STAFF_REPLY, t->id, now);
	if (rc == 0)
		rc = csat_after_change(d, pa->notifier, t, CSAT_STAFF_REPLIED, now);
	if (rc == 0)
		rc = notify_client(d, pa->notifier, t, NOTICE_STAFF_REPLY, p->message, who->account->name,
		                   who, now, NULL);
	return rc ? rc : ticket_cc_notify(d, pa->notifier, t, p->message, who->account->name, 0, now);
}

int64_t ticket_surviving_number(db *d, const struct ticket_row *t)
{
	/* The row says whether it was merged: most tickets never are, and
	 * their pages skip a query. */
	if (store_ticket_unmerged(t))
		return t->number;
	int64_t number = 0, final_id = 0;
	int rc = store_mail_ticket_number(d, t->id, &number, &final_id);
	if (rc < 0)
		return rc;
	return rc == 1 && number > 0 ? number : t->number;
}

int ticket_reply(db *d, const struct notifier *n, const struct actor *who, int64_t number,
                 const struct ticket_post *p, int64_t now, struct ticket_errors *errors)
{
	int64_t landed;
	return ticket_reply_landing(d, n, who, number, p, now, errors, &landed);
}

int ticket_reply_landing(db *d, const struct notifier *n, const struct actor *who, int64_t number,
                         const struct ticket_post *p, int64_t now, struct ticket_errors *errors,
                         int64_t *landed)
{
	*landed = 0;
	int rc = check_post(who, p, errors);
	if (rc != TICKET_OK)
		return rc;
	struct post_args args = {n, p, false};
	return transaction_on(d, who, number, true, landed, post_message, &args, now);
}

int ticket_note(db *d, const struct actor *who, int64_t number, const struct ticket_post *p,
                int64_t now, struct ticket_errors *errors)
{
	int rc = check_post(who, p, errors);
	if (rc != TICKET_OK)
		return rc;
	if (!actor_is_staff(who))
		return TICKET_NOT_FOUND;
	struct post_args args = {NULL, p, true};
	return ticket_transaction(d, who, number, post_message, &args, now);
}

struct reply_update_args {
	struct post_args post;
	const struct ticket_changes *changes;
};

static int reply_and_update(db *d, const struct actor *who, const struct ticket_row *t,
                            const void *arg, arena *a, int64_t now)
{
	const struct reply_update_args *ra = arg;
	int rc = post_message(d, who, t, &ra->post, a, now);
	if (rc != 0 && rc != TICKET_UNCHANGED)
		return rc;
	/* The message changed the status: compare the changes with the row as
	 * it is now, inside this transaction. */
	struct ticket_row now_row;
	rc = ticket_get_for(d, who, t->number, a, &now_row);
	if (rc != 1)
		return rc < 0 ? rc : TICKET_NOT_FOUND;
	return ticket_update_in_transaction(d, who, &now_row, ra->changes, a, now);
}

int ticket_reply_and_update(db *d, const struct notifier *n, const struct actor *who,
                            int64_t number, const struct ticket_post *p, bool note,
                            const struct ticket_changes *c, int64_t now,
                            struct ticket_errors *errors)
{
	int rc = check_post(who, p, errors);
	if (rc != TICKET_OK)
		return rc;
	if (note && !actor_is_staff(who))
		return TICKET_NOT_FOUND;
	struct reply_update_args args = {{note ? NULL : n, p, note}, c};
	int64_t landed;
	return transaction_on(d, who, number, !note, &landed, reply_and_update, &args, now);
}

int ticket_note_in_transaction(db *d, const struct actor *who, const struct ticket_row *t,
                               const char *text, arena *a, int64_t now)
{
	struct ticket_post p = {.message = text};
	struct ticket_errors e;
	int rc = check_post(who, &p, &e);
	if (rc != TICKET_OK)
		return rc;
	if (!actor_is_staff(who) && !actor_is_system(who))
		return TICKET_NOT_FOUND;
	struct post_args args = {NULL, &p, true};
	rc = post_message(d, who, t, &args, a, now);
	return rc == TICKET_UNCHANGED ? TICKET_OK : rc;
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
	return store_ticket_list_by_client(d, session_ticket_account(client), filter, after_updated, after_id, limit,
	                                   a, rows);
}

int64_t ticket_open_count(db *d, const struct session *client)
{
	return store_ticket_count_open_by_client(d, session_ticket_account(client),
	                                         TICKET_OPEN_COUNT_MAX + 1);
}

void ticket_open_count_prefetch(db *d, const struct session *client)
{
	store_ticket_count_open_by_client_prefetch(d, session_ticket_account(client),
	                                           TICKET_OPEN_COUNT_MAX + 1);
}

bool ticket_service_selectable(const char *status)
{
	return !str_eq(status, "cancelled") && !str_eq(status, "terminated");
}

int ticket_services_selectable(db *d, int64_t client_id, arena *a, struct service_row *rows, int max)
{
	int n = store_service_list_by_client(d, client_id, a, rows, max);
	int kept = 0;
	for (int i = 0; i < n; i++)
		if (ticket_service_selectable(rows[i].status))
			rows[kept++] = rows[i];
	return n < 0 ? n : kept;
}

int ticket_services_for_client(db *d, const struct session *client, arena *a,
                               struct service_row *rows, int max)
{
	return ticket_services_selectable(d, session_ticket_account(client), a, rows, max);
}

/* Bumped by every change to the departments made in this process, so each
 * thread reads its cached list (ticket_departments) again at once. */
static atomic_uint departments_generation;

void ticket_departments_changed(void)
{
	atomic_fetch_add(&departments_generation, 1);
	custom_fields_changed();
	ticket_staff_changed(); /* a department's staff are set with it */
}

/* The departments clients see, read at most every SETTINGS_TTL seconds per
 * thread, and at once after a change on this node: the home page and the
 * ticket form list them on every view, an opening checks its department
 * against them, and on PostgreSQL that one query costs as much as the rest
 * of the home page. Another node's change shows within SETTINGS_TTL (a
 * department deleted there fails an opening at its insert, on the foreign
 * key). */
enum { DEPARTMENTS_CACHED = 32 };

struct departments_copy {
	struct department_row rows[DEPARTMENTS_CACHED];
	int n; /* -1: none */
	struct thread_copy copy;
};
static _Thread_local struct departments_copy departments_kept = {.n = -1};

/* The thread's copy, read again when stale: NULL with *rc < 0 on error. */
static const struct departments_copy *departments_copy(db *d, int *rc)
{
	struct departments_copy *c = &departments_kept;
	time_t now = time(NULL);
	unsigned generation = atomic_load(&departments_generation);
	if (c->n < 0 || !thread_copy_fresh(&c->copy, d, now, SETTINGS_TTL, generation)) {
		c->n = store_department_list_visible(d, c->rows, DEPARTMENTS_CACHED);
		if (c->n < 0) {
			*rc = c->n;
			c->n = -1; /* the rows may be half overwritten */
			return NULL;
		}
		thread_copy_taken(&c->copy, d, now, generation);
	}
	return c;
}

int ticket_departments(db *d, struct department_row *rows, int max)
{
	if (max > DEPARTMENTS_CACHED)
		return store_department_list_visible(d, rows, max);
	int rc = 0;
	const struct departments_copy *c = departments_copy(d, &rc);
	if (!c)
		return rc;
	int n = c->n < max ? c->n : max;
	memcpy(rows, c->rows, (size_t)n * sizeof *rows);
	return n;
}

/* The name (in a) of a department clients may open tickets in: 1, 0 when
 * it is not one, < 0. From the copy, unless it holds as many as it can. */
static int visible_department_name(db *d, int64_t department_id, arena *a, const char **name)
{
	int rc = 0;
	const struct departments_copy *c = departments_copy(d, &rc);
	if (!c)
		return rc;
	for (int i = 0; i < c->n; i++)
		if (c->rows[i].id == department_id)
			return (*name = arena_strdup(a, c->rows[i].name)) ? 1 : DB_NOMEM;
	if (c->n < DEPARTMENTS_CACHED)
		return 0;
	return store_department_visible_name(d, department_id, a, name);
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
