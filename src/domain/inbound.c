#include "domain/inbound.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/str.h"
#include "domain/account.h"
#include "domain/attachment.h"
#include "domain/client.h"
#include "domain/staff_ticket.h"
#include "domain/ticket.h"
#include "domain/ticket_cc.h"
#include "domain/ticket_number.h"
#include "domain/ticket_ref.h"
#include "store/account_store.h"
#include "store/department_store.h"
#include "store/mail_store.h"
#include "store/settings_store.h"
#include "store/ticket_store.h"
#include "view/i18n.h"

#define INBOUND_KEY_MAX 300
#define INBOUND_BANNED_MAX 8192

/* Everything one delivery works with. */
struct delivery {
	db *d;
	const struct inbound_options *o;
	struct inbound_result *r;
	arena *a;
	struct inbound_msg m;
	char key[INBOUND_KEY_MAX]; /* mail_inbound.message_id */
	char submission[INBOUND_KEY_MAX + 8];
	int64_t row_id; /* mail_inbound.id */
	const char *email_id; /* the Message-ID the ticket's message keeps */
	enum lang lang; /* of the sender, for texts added to the body */
};

static void result_set(struct inbound_result *r, enum inbound_outcome outcome, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));

static void result_set(struct inbound_result *r, enum inbound_outcome outcome, const char *fmt, ...)
{
	r->outcome = outcome;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	/* The reason may quote an address or a subject: one printable line. */
	for (char *p = r->reason; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

static int64_t setting_int(db *d, const char *key, int64_t fallback, int64_t min, int64_t max)
{
	char value[32];
	int64_t n;
	store_setting_get(d, key, "", value, sizeof value);
	return str_to_int64(value, min, max, &n) ? n : fallback;
}

size_t inbound_max_bytes(db *d)
{
	return (size_t)setting_int(d, "mail_max_bytes", INBOUND_DEFAULT_MAX_BYTES, 1024,
	                           (int64_t)1 << 30);
}

static const char *tr(const struct delivery *dv, const char *msgid)
{
	return i18n_text(dv->o->catalog, dv->lang, msgid);
}

/* ---- step 1: once per message ------------------------------------------- */

/* "<sha256 of the bytes>@no-message-id.invalid" (a reserved domain: it
 * can name no real message), in a. */
static const char *hash_message_id(arena *a, const void *raw, size_t len)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof hash + 1];
	crypto_hash_sha256(hash, raw, len);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	return arena_printf(a, "%s@no-message-id.invalid", hex);
}

/* The deduplication key: the Message-ID, or a hash of the bytes. */
static void key_make(struct delivery *dv, const void *raw, size_t len)
{
	if (dv->m.message_id) {
		snprintf(dv->key, sizeof dv->key, "%s", dv->m.message_id);
		snprintf(dv->submission, sizeof dv->submission, "email:%s", dv->m.message_id);
		return;
	}
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof hash + 1];
	crypto_hash_sha256(hash, raw, len);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	snprintf(dv->key, sizeof dv->key, "sha256:%s", hex);
	snprintf(dv->submission, sizeof dv->submission, "email-sha256:%s", hex);
}

/* 1 when the message was taken before (r filled), 0 when this delivery
 * goes on with dv->row_id, < 0. */
static int log_arrival(struct delivery *dv, const void *raw, size_t len, bool keep_raw)
{
	const char *status = NULL;
	int rc = store_mail_inbound_status(dv->d, dv->key, &dv->row_id, &status);
	if (rc < 0)
		return rc;
	if (rc == 1 && strcmp(status, "received") != 0) {
		result_set(dv->r, INBOUND_DUPLICATE, "already taken (%s): %s", status, dv->key);
		return 1;
	}
	if (rc == 1) /* an earlier delivery did not finish: this one does */
		return 0;
	int64_t keep_days = setting_int(dv->d, "mail_raw_keep_days", INBOUND_DEFAULT_KEEP_DAYS, 0, 3650);
	struct mail_inbound_new n = {
		.message_id = dv->key,
		.source = dv->o->source,
		.sender = dv->m.from_address,
		.subject = dv->m.subject,
		.raw = keep_raw && keep_days > 0 ? raw : NULL,
		.raw_len = len,
		.now = dv->o->now,
	};
	int64_t id = store_mail_inbound_insert(dv->d, &n);
	if (id == DB_CONSTRAINT) { /* delivered twice at the same moment */
		result_set(dv->r, INBOUND_DUPLICATE, "already taken: %s", dv->key);
		return 1;
	}
	if (id < 0)
		return (int)id;
	dv->row_id = id;
	if (keep_days > 0)
		store_mail_inbound_purge_raw(dv->d, dv->o->now - keep_days * 86400);
	return 0;
}

static int finish(struct delivery *dv, const char *status, int64_t ticket_id, int64_t message_row)
{
	return store_mail_inbound_finish(dv->d, dv->row_id, status, dv->r->reason, ticket_id,
	                                 message_row, dv->o->now);
}

/* ---- step 2: loops and abuse -------------------------------------------- */

static bool local_part_is(const char *address, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(address, name, n) == 0 && address[n] == '@';
}

/* Auto-Submitted's value up to its first ';' is "no". */
static bool auto_submitted_no(const char *value)
{
	while (*value == ' ')
		value++;
	size_t n = strcspn(value, "; \t(");
	return n == 2 && strncasecmp(value, "no", 2) == 0;
}

static bool precedence_bulk(const char *value)
{
	while (*value == ' ')
		value++;
	static const char *const kinds[] = {"bulk", "junk", "list", "auto_reply"};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		size_t n = strlen(kinds[i]);
		if (strncasecmp(value, kinds[i], n) == 0 &&
		    (value[n] == '\0' || value[n] == ' ' || value[n] == ';'))
			return true;
	}
	return false;
}

/* The setting mail_banned_senders: "ana@x.com, @spam.example\n..." */
static bool sender_banned(db *d, const char *address)
{
	char list[INBOUND_BANNED_MAX];
	store_setting_get(d, "mail_banned_senders", "", list, sizeof list);
	const char *domain = strrchr(address, '@');
	for (char *p = list; *p;) {
		p += strspn(p, " \t\r\n,;");
		size_t n = strcspn(p, " \t\r\n,;");
		if (n == 0)
			break;
		char saved = p[n];
		p[n] = '\0';
		bool hit = *p == '@' ? (domain && str_case_eq(domain, p)) : str_case_eq(address, p);
		p[n] = saved;
		if (hit)
			return true;
		p += n;
	}
	return false;
}

/* The reason the message must be ignored, never answered; NULL when none. */
static const char *loop_reason(struct delivery *dv)
{
	const struct inbound_msg *m = &dv->m;
	if (!*m->from_address)
		return "no sender address";
	if (local_part_is(m->from_address, "mailer-daemon") ||
	    local_part_is(m->from_address, "postmaster"))
		return "a bounce (mailer-daemon/postmaster)";
	if (m->null_return_path || m->delivery_report)
		return "a bounce or report (empty Return-Path, multipart/report)";
	if (m->auto_submitted && !auto_submitted_no(m->auto_submitted))
		return "Auto-Submitted";
	if (m->precedence && precedence_bulk(m->precedence))
		return "Precedence bulk/junk/list";
	if (m->x_autoreply || m->x_autorespond)
		return "X-Autoreply/X-Autorespond";
	if (m->looks_auto_reply)
		return "an out-of-office reply (subject and automatic headers)";
	if (dv->o->our_address && str_case_eq(dv->o->our_address, m->from_address))
		return "sent from our own address";
	if (store_mail_is_department_address(dv->d, m->from_address) == 1)
		return "sent from a department's address";
	if (sender_banned(dv->d, m->from_address))
		return "a banned sender";
	return NULL;
}

/* One more hit on key's hourly counter; true while within max. Errors let
 * the message through (a limit must not lose mail). */
static bool within_limit(struct delivery *dv, const char *what, int64_t max)
{
	char key[320];
	char lower[256];
	snprintf(lower, sizeof lower, "%s", dv->m.from_address);
	for (char *p = lower; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	snprintf(key, sizeof key, "mail-%s:%s", what, lower);
	int64_t hits = store_rate_limit_hit(dv->d, key, dv->o->now - dv->o->now % 3600);
	return hits < 0 || hits <= max;
}

/* ---- auto-replies ----------------------------------------------------------- */

/* Answers the sender with email `name` (mail_not_added, mail_refused,
 * mail_too_big) and records the outcome, in one transaction. At most
 * INBOUND_BOUNCES_PER_HOUR per address; past that only the record. */
static int refuse(struct delivery *dv, enum notice_kind kind, int64_t number, const char *limit)
{
	bool answer = within_limit(dv, "bounce", INBOUND_BOUNCES_PER_HOUR);
	if (!answer) {
		size_t n = strlen(dv->r->reason);
		snprintf(dv->r->reason + n, sizeof dv->r->reason - n, "; no auto-reply (limit)");
	}
	int rc = db_begin_write(dv->d);
	if (rc < 0)
		return rc;
	/* An address the outbox will not take gets no answer; not an error. */
	if (answer && account_email_valid(dv->m.from_address)) {
		struct notice notice = {
			.kind = kind,
			.to = dv->m.from_address,
			.to_name = *dv->m.from_name ? dv->m.from_name : NULL,
			.lang = dv->lang,
			.in_reply_to = dv->m.message_id,
			.subject = dv->m.subject,
			.number = number,
			.limit = limit,
		};
		rc = notice_queue(dv->d, dv->o->notifier, &notice);
		if (rc == DB_CONSTRAINT)
			rc = 0;
	}
	dv->r->outcome = INBOUND_REFUSED;
	dv->r->ticket_number = number;
	if (rc == 0)
		rc = finish(dv, "refused", 0, 0);
	if (rc < 0) {
		db_rollback(dv->d);
		return rc;
	}
	return db_commit(dv->d);
}

static int ignore(struct delivery *dv)
{
	dv->r->outcome = INBOUND_IGNORED;
	log_info("mail-in: ignored %s from %s: %s", dv->key, dv->m.from_address, dv->r->reason);
	return finish(dv, "ignored", 0, 0);
}

/* ---- the body and its files ------------------------------------------------- */

/* A file name for a part sent without one. */
static const char *attachment_name(const struct inbound_attachment *at)
{
	if (*at->filename)
		return at->filename;
	if (str_case_eq(at->content_type, "image/png"))
		return "imagem.png";
	if (str_case_eq(at->content_type, "image/jpeg"))
		return "imagem.jpg";
	if (str_case_eq(at->content_type, "image/gif"))
		return "imagem.gif";
	/* Any other part sent without a name: the one the parser made from its
	 * type ("imagem-1.jpg" for image/jpg, "anexo-2.pdf"). */
	return at->name ? at->name : "";
}

/* Checks the attachments with the web form's limits (admin settings);
 * those that fail are named in notes (a line each, in the sender's
 * language). Sets *out (in the arena), returns how many, or < 0. */
static int files_check(struct delivery *dv, struct attachment_in **out, buf *notes)
{
	struct attachment_limits limits;
	ticket_attachment_limits(dv->d, dv->a, &limits);
	struct attachment_in *files =
	    arena_alloc(dv->a, (size_t)(limits.max_files > 0 ? limits.max_files : 1) * sizeof *files);
	if (!files)
		return DB_NOMEM;
	*out = files;
	int n = 0;
	for (int i = 0; i < dv->m.nattachments; i++) {
		const struct inbound_attachment *at = &dv->m.attachments[i];
		int rc = n >= limits.max_files
		             ? ATTACHMENT_TOO_MANY
		             : attachment_check_bytes(attachment_name(at), at->data, at->len, &limits,
		                                      dv->a, &files[n]);
		if (rc == ATTACHMENT_OK) {
			n++;
			continue;
		}
		const char *safe = attachment_safe_name(dv->a, attachment_name(at));
		const char *why = attachment_error_message(dv->a, tr(dv, attachment_error_text(rc)), rc,
		                                           safe ? safe : "", &limits);
		buf_printf(notes, "\n- %s", why ? why : "");
	}
	if (dv->m.parts_skipped > 0 && dv->m.nattachments == 0 && !*dv->m.text)
		buf_printf(notes, "\n- %s", tr(dv, N_("The email could not be read completely.")));
	return n;
}

/* Cuts text to at most max bytes on a UTF-8 boundary, with a mark. */
static const char *cut_to(struct delivery *dv, const char *text, size_t max)
{
	size_t len = strlen(text);
	if (len <= max)
		return text;
	size_t n = max - 64;
	while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
		n--;
	return arena_printf(dv->a, "%.*s\n\n[…] %s", (int)n, text,
	                    tr(dv, N_("(cut: the whole email is kept as the original)")));
}

/* The message for the ticket: the text, notes on files left out, or a
 * line saying there was no text. */
static const char *body_make(struct delivery *dv, const char *text, const buf *notes)
{
	bool blank = true;
	for (const char *p = text; *p && blank; p++)
		blank = *p == ' ' || *p == '\n' || *p == '\t';
	const char *body = blank ? tr(dv, N_("(The email had no text.)")) : text;
	if (notes->len)
		body = arena_printf(dv->a, "%s\n\n%s%s", body,
		                    tr(dv, N_("Attachments not saved:")), buf_str(notes));
	return body ? cut_to(dv, body, TICKET_MESSAGE_MAX) : NULL;
}

/* ---- step 4: a reply -------------------------------------------------------- */

/* The ticket the message answers: its id, 0 when none, < 0. */
static int64_t ticket_find(struct delivery *dv)
{
	const struct inbound_msg *m = &dv->m;
	/* Newest first: In-Reply-To, then References from the end. */
	for (int i = -1; i < m->nreferences; i++) {
		const char *id = i < 0 ? m->in_reply_to : m->references[m->nreferences - 1 - i];
		if (!id)
			continue;
		int64_t t = store_mail_ticket_by_sent_id(dv->d, id);
		if (t == 0)
			t = store_mail_ticket_by_received_id(dv->d, id);
		if (t != 0)
			return t;
	}
	/* "[Ticket ID: 482913]" or "[Ticket ID: SUP-2026-000123]" (a display
	 * number, domain/ticket_number.h) anywhere in the subject. */
	for (const char *p = m->subject; (p = strchr(p, '[')) != NULL; p++) {
		static const char tag[] = "[Ticket ID:";
		if (strncasecmp(p, tag, sizeof tag - 1) != 0)
			continue;
		const char *digits = p + sizeof tag - 1;
		while (*digits == ' ' || *digits == '#')
			digits++;
		size_t nd = strspn(digits, "0123456789");
		int64_t t = 0;
		if (nd > 0 && nd <= 9 && digits[nd] == ']')
			t = store_mail_ticket_id_by_number(dv->d, strtoll(digits, NULL, 10));
		size_t nl = strspn(digits, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-");
		if (t == 0 && nl > 0 && nl < TICKET_LABEL_MAX && digits[nl] == ']') {
			char label[TICKET_LABEL_MAX];
			for (size_t i = 0; i < nl; i++) /* prefixes are stored uppercase */
				label[i] = (char)toupper((unsigned char)digits[i]);
			label[nl] = '\0';
			t = store_mail_ticket_id_by_label(dv->d, label);
		}
		if (t != 0)
			return t;
	}
	int64_t number = ticket_ref_find(dv->d, m->text);
	if (number == 0 && *m->html_text)
		number = ticket_ref_find(dv->d, m->html_text);
	return number > 0 ? store_mail_ticket_id_by_number(dv->d, number) : number;
}

static void session_fill(struct session *s, enum account_kind kind, const struct account_row *row)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->user_id = row->id;
	s->admin = kind == ACCOUNT_STAFF && str_eq(row->role, "admin");
	snprintf(s->name, sizeof s->name, "%s", row->name);
	snprintf(s->email, sizeof s->email, "%s", row->email);
	snprintf(s->language, sizeof s->language, "%s", row->language);
	s->owner_id = kind == ACCOUNT_CLIENT ? row->owner_id : 0;
	s->contact_tickets = s->owner_id > 0 && row->contact_tickets;
}

/* After the domain saved it: the message is marked as email, the log row
 * as stored. */
static int stored(struct delivery *dv, int64_t number, const char *submission_key)
{
	int64_t ticket_id = store_mail_ticket_id_by_number(dv->d, number);
	if (ticket_id < 0)
		return (int)ticket_id;
	int64_t row = ticket_id > 0 && dv->email_id
	                  ? store_mail_message_mark_email(dv->d, ticket_id, submission_key, dv->email_id)
	                  : 0;
	if (row < 0)
		return (int)row;
	dv->r->outcome = INBOUND_STORED;
	dv->r->ticket_number = number;
	return finish(dv, "stored", ticket_id, row);
}

static int reply_add(struct delivery *dv, int64_t ticket_id)
{
	int64_t number = 0, final_id = 0;
	int rc = store_mail_ticket_number(dv->d, ticket_id, &number, &final_id);
	if (rc <= 0)
		return rc;
	struct ticket_row t;
	rc = store_ticket_get_by_number(dv->d, number, dv->a, &t);
	if (rc <= 0)
		return rc < 0 ? rc : DB_ERROR;
	struct account_row row;
	struct session who;
	bool is_client = str_case_eq(t.client_email, dv->m.from_address);
	/* A contact of the ticket's account who may open and see its tickets
	 * writes as themselves, on the client's side. */
	bool is_contact = false;
	if (!is_client) {
		rc = store_account_get_by_email(dv->d, "client", dv->m.from_address, &row);
		if (rc < 0)
			return rc;
		is_contact = rc == 1 && row.owner_id > 0 && row.owner_id == t.client_id &&
		             row.contact_tickets;
	}
	const char *kind = is_client || is_contact ? "client" : "staff";
	rc = store_account_get_by_email(dv->d, kind, dv->m.from_address, &row);
	if (rc < 0)
		return rc;
	if (rc == 1 && !row.active) {
		result_set(dv->r, INBOUND_IGNORED, "inactive %s account %s", kind, dv->m.from_address);
		return ignore(dv);
	}
	if (rc == 1)
		dv->lang = lang_or_default(row.language);
	struct attachment_in *files = NULL;
	buf notes;
	buf_init(&notes, 16384);
	int nfiles = files_check(dv, &files, &notes);
	if (nfiles < 0) {
		buf_free(&notes);
		return nfiles;
	}
	const char *body = body_make(dv, dv->m.reply, &notes);
	buf_free(&notes);
	if (!body)
		return DB_NOMEM;
	struct ticket_errors errors;
	struct ticket_post post = {.message = body, .files = files, .nfiles = nfiles,
	                           .submission_key = dv->submission};
	struct cc_row cc;
	int is_cc = is_client || rc == 1 ? 0 : store_cc_by_email(dv->d, t.id, dv->m.from_address, dv->a, &cc);
	if (is_cc < 0)
		return is_cc;
	if (is_client || rc == 1) {
		session_fill(&who, is_client || is_contact ? ACCOUNT_CLIENT : ACCOUNT_STAFF, &row);
		struct actor sender = actor_of(&who, CHANNEL_EMAIL);
		rc = ticket_reply(dv->d, dv->o->notifier, &sender, number, &post, dv->o->now, &errors);
	} else if (is_cc) {
		/* A CC of the ticket: the message is theirs, on the client's side. */
		memset(&who, 0, sizeof who);
		who.kind = ACCOUNT_CLIENT;
		who.cc_id = cc.id;
		snprintf(who.name, sizeof who.name, "%s", *cc.name ? cc.name : cc.email);
		snprintf(who.email, sizeof who.email, "%s", cc.email);
		snprintf(who.language, sizeof who.language, "%s", t.client_language);
		struct actor sender = actor_of(&who, CHANNEL_EMAIL);
		rc = ticket_reply(dv->d, dv->o->notifier, &sender, number, &post, dv->o->now, &errors);
	} else {
		rc = TICKET_NOT_FOUND; /* neither the client, staff nor a CC */
	}
	if (rc < 0)
		return rc;
	if (rc == TICKET_NOT_FOUND) {
		result_set(dv->r, INBOUND_REFUSED, "%s may not write to ticket #%lld",
		           dv->m.from_address, (long long)number);
		return refuse(dv, NOTICE_MAIL_NOT_ADDED, number, NULL);
	}
	if (rc != TICKET_OK) {
		result_set(dv->r, INBOUND_IGNORED, "ticket #%lld refused the reply: %s", (long long)number,
		           errors.message ? errors.message : "invalid");
		return ignore(dv);
	}
	result_set(dv->r, INBOUND_STORED, "%s reply added to ticket #%lld",
	           is_client ? "client" : is_contact ? "contact" : is_cc ? "cc" : "staff", (long long)number);
	return stored(dv, number, dv->submission);
}

/* ---- step 5: a new ticket ----------------------------------------------- */

static int64_t department_pick(struct delivery *dv)
{
	for (int i = 0; i < dv->m.nrecipients; i++) {
		int64_t id = store_mail_department_by_address(dv->d, dv->m.recipients[i]);
		if (id != 0)
			return id;
	}
	int64_t chosen = setting_int(dv->d, "mail_default_department", 0, 1, INT64_MAX);
	if (chosen > 0) {
		const char *name;
		int rc = store_department_visible_name(dv->d, chosen, dv->a, &name);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return chosen;
	}
	return store_mail_first_department(dv->d);
}

/* The display name of an address with none: its local part. */
static const char *name_for(struct delivery *dv)
{
	if (*dv->m.from_name)
		return dv->m.from_name;
	size_t n = strcspn(dv->m.from_address, "@");
	return arena_strndup(dv->a, dv->m.from_address, n);
}

/* The sender's client account, created when the setting allows: 1 with
 * row, 0 refused (r filled), < 0. */
static int client_for(struct delivery *dv, struct account_row *row)
{
	int rc = store_account_get_by_email(dv->d, "client", dv->m.from_address, row);
	if (rc != 0)
		return rc;
	char policy[16];
	store_setting_get(dv->d, "mail_unknown_sender", "create", policy, sizeof policy);
	if (str_eq(policy, "refuse") || !account_email_valid(dv->m.from_address)) {
		result_set(dv->r, INBOUND_REFUSED, "unknown sender %s (mail_unknown_sender=%s)",
		           dv->m.from_address, policy);
		return 0;
	}
	char name[256];
	snprintf(name, sizeof name, "%s", name_for(dv));
	struct actor sender = {.channel = CHANNEL_EMAIL};
	int64_t id;
	rc = client_create(dv->d, &sender, dv->m.from_address, *name ? name : dv->m.from_address, NULL,
	                   dv->o->now, &id);
	if (rc == CLIENT_NAME_INVALID) /* a display name too long or broken: the address */
		rc = client_create(dv->d, &sender, dv->m.from_address, dv->m.from_address, NULL,
		                   dv->o->now, &id);
	if (rc < 0) /* CLIENT_EMAIL_TAKEN: created meanwhile */
		return rc;
	return store_account_get_by_email(dv->d, "client", dv->m.from_address, row);
}

/* The subject as a ticket takes it: trimmed, at most TICKET_SUBJECT_MAX
 * characters, never empty. */
static const char *subject_for(struct delivery *dv)
{
	const char *s = dv->m.subject;
	if (!*s)
		return tr(dv, N_("(no subject)"));
	size_t chars = 0, i = 0;
	for (; s[i] && chars < TICKET_SUBJECT_MAX; chars++) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return s[i] ? arena_strndup(dv->a, s, i) : s;
}

/* The Cc addresses of a message that opens a ticket, as the CC field of
 * ticket_open takes them (one a line, in the arena): valid ones only, never
 * the sender nor our own addresses, at most TICKET_CC_MAX. */
static const char *cc_list(struct delivery *dv)
{
	buf b;
	buf_init(&b, 8192);
	int taken = 0;
	for (int i = 0; i < dv->m.ncc && taken < TICKET_CC_MAX; i++) {
		const char *address = dv->m.cc[i];
		if (!address || !account_email_valid(address) || str_case_eq(address, dv->m.from_address) ||
		    (dv->o->our_address && str_case_eq(address, dv->o->our_address)) ||
		    store_mail_is_department_address(dv->d, address) != 0)
			continue;
		buf_printf(&b, "%s\n", address);
		taken++;
	}
	const char *out = arena_strndup(dv->a, b.len ? buf_str(&b) : "", b.len);
	buf_free(&b);
	return out;
}

static int ticket_new(struct delivery *dv)
{
	int64_t department = department_pick(dv);
	if (department < 0)
		return (int)department;
	if (department == 0) {
		result_set(dv->r, INBOUND_IGNORED, "no department takes new tickets");
		return ignore(dv);
	}
	int64_t per_hour = setting_int(dv->d, "mail_new_tickets_per_hour", INBOUND_DEFAULT_NEW_PER_HOUR,
	                               0, 1000000);
	if (!within_limit(dv, "new", per_hour)) {
		result_set(dv->r, INBOUND_IGNORED, "%s passed %lld new tickets by email in an hour",
		           dv->m.from_address, (long long)per_hour);
		return ignore(dv);
	}
	struct account_row row;
	int rc = client_for(dv, &row);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return refuse(dv, NOTICE_MAIL_REFUSED, 0, NULL);
	if (!row.active) {
		result_set(dv->r, INBOUND_IGNORED, "inactive client account %s", dv->m.from_address);
		return ignore(dv);
	}
	/* A contact opens tickets for the account only with the permission. */
	if (row.owner_id > 0 && !row.contact_tickets) {
		result_set(dv->r, INBOUND_IGNORED, "%s is a contact who may not open tickets",
		           dv->m.from_address);
		return ignore(dv);
	}
	dv->lang = lang_or_default(row.language);
	struct attachment_in *files = NULL;
	buf notes;
	buf_init(&notes, 16384);
	int nfiles = files_check(dv, &files, &notes);
	if (nfiles < 0) {
		buf_free(&notes);
		return nfiles;
	}
	const char *body = body_make(dv, dv->m.forwarded ? dv->m.text : dv->m.reply, &notes);
	buf_free(&notes);
	if (!body)
		return DB_NOMEM;
	struct session client;
	session_fill(&client, ACCOUNT_CLIENT, &row);
	struct actor sender = actor_of(&client, CHANNEL_EMAIL);
	const char *ccs = cc_list(dv);
	if (!ccs)
		return DB_NOMEM;
	struct ticket_form form = {
		.cc = ccs,
		.department_id = department,
		.subject = subject_for(dv),
		.priority = "medium",
		.message = body,
		.submission_key = dv->submission,
		.files = files,
		.nfiles = nfiles,
	};
	struct ticket_errors errors;
	struct ticket_opened opened;
	rc = ticket_open(dv->d, dv->o->notifier, &sender, &form, dv->o->now, &errors, &opened);
	int64_t number = opened.number;
	if (rc < 0)
		return rc;
	if (rc != TICKET_OK) {
		const char *why = errors.department ? errors.department
		                  : errors.subject  ? errors.subject
		                  : errors.message  ? errors.message
		                                    : "invalid";
		result_set(dv->r, INBOUND_IGNORED, "the ticket could not be opened: %s", why);
		return ignore(dv);
	}
	result_set(dv->r, INBOUND_STORED, "ticket #%lld opened for %s", (long long)number,
	           dv->m.from_address);
	return stored(dv, number, NULL);
}

/* ---- the whole delivery --------------------------------------------------- */

static int deliver(struct delivery *dv, const void *raw, size_t len, size_t max)
{
	bool too_big = len > max;
	key_make(dv, raw, len);
	int rc = log_arrival(dv, raw, len, !too_big);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	const char *loop = loop_reason(dv);
	if (loop) {
		result_set(dv->r, INBOUND_IGNORED, "%s: %s", loop, *dv->m.from_address ? dv->m.from_address : "-");
		return ignore(dv);
	}
	if (too_big) {
		result_set(dv->r, INBOUND_REFUSED, "too big: %zu bytes, the limit is %zu", len, max);
		char limit[32];
		snprintf(limit, sizeof limit, "%zu MB", max >> 20 ? max >> 20 : 1);
		return refuse(dv, NOTICE_MAIL_TOO_BIG, 0, limit);
	}
	int64_t ticket = ticket_find(dv);
	if (ticket < 0)
		return (int)ticket;
	return ticket > 0 ? reply_add(dv, ticket) : ticket_new(dv);
}

int inbound_deliver(db *d, const struct inbound_options *o, const struct inbound_msg *m,
                    const void *raw, size_t len, size_t max, struct inbound_result *r)
{
	memset(r, 0, sizeof *r);
	arena *a = arena_new(64 * 1024);
	if (!a)
		return DB_NOMEM;
	struct delivery dv = {.d = d, .o = o, .r = r, .a = a, .lang = LANG_PT_BR};
	if (m) {
		dv.m = *m;
		/* Without a Message-ID, the message is kept under one made from its
		 * bytes, so the staff can open the original all the same. */
		dv.email_id = m->message_id ? m->message_id : hash_message_id(a, raw, len);
	} else { /* not a message at all: logged by its hash, never answered */
		dv.m.from_address = dv.m.from_name = dv.m.subject = "";
		dv.m.text = dv.m.reply = dv.m.html_text = "";
	}
	int rc = deliver(&dv, raw, len, max);
	if (rc < 0 && !r->reason[0])
		snprintf(r->reason, sizeof r->reason, "database: %s", db_error(d));
	arena_free(a);
	return rc;
}

int inbound_original_for_staff(db *d, const struct session *staff, int64_t number,
                               int64_t message_row_id, arena *a, const char **data, size_t *len)
{
	struct ticket_row t;
	int rc = staff_ticket_get(d, staff, number, a, &t);
	if (rc <= 0)
		return rc;
	struct ticket_thread thread;
	if ((rc = ticket_thread_load(d, t.id, true, a, &thread)) < 0)
		return rc;
	bool of_ticket = false;
	for (int i = 0; i < thread.nmessages; i++)
		of_ticket = of_ticket || thread.messages[i].id == message_row_id;
	if (!of_ticket)
		return 0;
	return store_mail_inbound_raw(d, message_row_id, a, data, len);
}

int inbound_mailboxes(db *d, arena *a, struct mail_mailbox_row *rows, int max)
{
	return store_mail_mailboxes(d, a, rows, max);
}

int64_t inbound_mailbox_last_uid(db *d, const char *mailbox, int64_t uidvalidity)
{
	return store_imap_last_uid(d, mailbox, uidvalidity);
}

int inbound_mailbox_set_last_uid(db *d, const char *mailbox, int64_t uidvalidity, int64_t uid,
                                 int64_t now)
{
	return store_imap_set_last_uid(d, mailbox, uidvalidity, uid, now);
}
