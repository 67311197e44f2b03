#include "mail/notice.h"

#include <stdio.h>
#include <string.h>

#include "domain/outbox.h"
#include "domain/ticket.h"
#include "domain/ticket_number.h"
#include "domain/ticket_ref.h"
#include "mail/compose.h"

enum { THREAD_REFERENCES_MAX = 600 };

static const char *template_of(enum notice_kind kind)
{
	switch (kind) {
	case NOTICE_TICKET_OPENED: return "ticket_opened";
	case NOTICE_TICKET_NEW_STAFF: return "ticket_new_staff";
	case NOTICE_CLIENT_REPLY_STAFF: return "ticket_client_reply_staff";
	case NOTICE_STAFF_REPLY: return "ticket_staff_reply";
	case NOTICE_PASSWORD_RESET: return "password_reset";
	case NOTICE_EMAIL_CHANGE: return "email_change";
	case NOTICE_MAIL_NOT_ADDED: return "mail_not_added";
	case NOTICE_MAIL_REFUSED: return "mail_refused";
	case NOTICE_MAIL_TOO_BIG: return "mail_too_big";
	case NOTICE_CSAT_REQUEST: return "csat_request";
	case NOTICE_CSAT_BAD_STAFF: return "csat_bad_staff";
	case NOTICE_CC_ADDED: return "ticket_cc_added";
	case NOTICE_TICKET_REPLY_COPY: return "ticket_reply_copy";
	case NOTICE_ESCALATION_STAFF: return "escalation_staff";
	}
	return NULL;
}

static bool to_staff(enum notice_kind kind)
{
	return kind == NOTICE_TICKET_NEW_STAFF || kind == NOTICE_CLIENT_REPLY_STAFF ||
	       kind == NOTICE_CSAT_BAD_STAFF || kind == NOTICE_ESCALATION_STAFF;
}

/* What every ticket email shows. */
static void ticket_context(const struct mailer *m, const struct notice *n, vm_obj *ctx)
{
	const struct ticket_row *t = n->ticket;
	char shown[TICKET_LABEL_MAX];
	vm_set_int(ctx, "number", t->number);
	vm_set_text_copy(ctx, "label", ticket_number_shown(t, shown));
	vm_set_text(ctx, "subject", t->subject);
	vm_set_text(ctx, "department", t->department_name);
	vm_set_text(ctx, "client_name", t->client_name);
	vm_set_text(ctx, "client_email", t->client_email);
	vm_set_text(ctx, "message", n->message);
	/* The client's and a CC's emails open the ticket by its access link,
	 * no password needed; staff go to the panel. */
	if (n->access_key && !to_staff(n->kind)) {
		vm_set_textf(ctx, "link", "%s/t/%lld/%s", m->base_url, (long long)t->number, n->access_key);
		vm_set_textf(ctx, "area_link", "%s/tickets/%lld", m->base_url, (long long)t->number);
	} else
		vm_set_textf(ctx, "link", "%s%s/tickets/%lld", m->base_url,
		             to_staff(n->kind) ? "/staff" : "", (long long)t->number);
	/* An email to several staff greets none of them by name. */
	vm_set_text(ctx, "name", n->to_name && !n->also_count ? n->to_name : "");
	if (to_staff(n->kind))
		vm_set_text(ctx, "priority", i18n_text(m->catalog, n->lang, ticket_priority_label(t->priority)));
	if (n->author_name) {
		vm_set_text(ctx, "staff_name", n->author_name);
		vm_set_text(ctx, "author", n->author_name);
	}
	if (n->kind == NOTICE_CSAT_REQUEST) { /* the one-click links of the survey */
		vm_set_textf(ctx, "good_link", "%s/csat/%s/good", m->base_url, n->token);
		vm_set_textf(ctx, "bad_link", "%s/csat/%s/bad", m->base_url, n->token);
	}
}

/* In-Reply-To the client's last email, else our first one; References both. */
static int ticket_threading(db *d, const struct notice *n, vm_obj *ctx, struct mail *mail,
                            char references[THREAD_REFERENCES_MAX])
{
	struct ticket_mail_thread th;
	int rc = ticket_mail_thread(d, n->ticket, vm_arena(ctx), &th);
	if (rc < 0)
		return rc;
	if (!th.first_sent)
		th.first_sent = n->first_sent;
	if (*th.ref)
		vm_set_text(ctx, "ref", arena_strdup(vm_arena(ctx), th.ref));
	mail->ticket_id = n->ticket->id;
	mail->in_reply_to = th.last_received ? th.last_received : th.first_sent;
	if (th.first_sent && th.last_received && strcmp(th.first_sent, th.last_received) != 0)
		snprintf(references, THREAD_REFERENCES_MAX, "%s %s", th.first_sent, th.last_received);
	else
		snprintf(references, THREAD_REFERENCES_MAX, "%s", mail->in_reply_to ? mail->in_reply_to : "");
	mail->references = *references ? references : NULL;
	return 0;
}

static void account_context(const struct mailer *m, const struct notice *n, vm_obj *ctx)
{
	const char *prefix = n->account_kind == ACCOUNT_STAFF ? "/staff" : "";
	vm_set_text(ctx, "name", n->to_name ? n->to_name : "");
	if (n->kind == NOTICE_EMAIL_CHANGE) {
		vm_set_text(ctx, "new_email", n->new_email);
		vm_set_textf(ctx, "link", "%s%s/account/email/%s", m->base_url, prefix, n->token);
	} else {
		vm_set_textf(ctx, "link", "%s%s/reset/%s", m->base_url, prefix, n->token);
	}
}

static void sender_context(const struct notice *n, vm_obj *ctx, struct mail *mail)
{
	vm_set_text(ctx, "subject", n->subject && *n->subject ? n->subject : "-");
	vm_set_int(ctx, "number", n->number);
	vm_set_textf(ctx, "label", "%lld", (long long)n->number);
	vm_set_text(ctx, "limit", n->limit ? n->limit : "");
	mail->in_reply_to = n->in_reply_to;
	mail->references = n->in_reply_to;
}

/* Composes n into an outbox email laid out in a (its templates, texts and
 * threading), not yet written. */
static int prepare_notice(void *self, db *d, const struct notice *n, arena *a,
                          struct outbox_prepared *out)
{
	const struct mailer *m = self;
	const char *name = template_of(n->kind);
	if (!name)
		return DB_ERROR;
	vm_obj *ctx = vm_new(a);
	vm_set_text(ctx, "company", m->company);
	vm_set_text(ctx, "base_url", m->base_url);
	struct mail mail = {.to = n->to, .to_name = n->to_name, .also = n->also,
	                    .also_count = n->also_count, .auto_generated = true};
	char references[THREAD_REFERENCES_MAX];
	int rc = 0;
	if (n->ticket) {
		ticket_context(m, n, ctx);
		rc = ticket_threading(d, n, ctx, &mail, references);
	} else if (n->kind == NOTICE_PASSWORD_RESET || n->kind == NOTICE_EMAIL_CHANGE) {
		account_context(m, n, ctx);
	} else {
		sender_context(n, ctx, &mail);
	}
	if (rc == 0 && mail_compose(m->templates, name, n->lang, ctx, &mail) < 0)
		rc = DB_ERROR;
	return rc < 0 ? rc : outbox_prepare(&mail, m->mail_from, a, out);
}

static int queue_notice(void *self, db *d, const struct notice *n)
{
	arena *a = arena_new(8192);
	if (!a)
		return DB_NOMEM;
	struct outbox_prepared p;
	int rc = prepare_notice(self, d, n, a, &p);
	if (rc == 0) {
		int64_t id = outbox_enqueue_prepared(d, &p, 0);
		rc = id < 0 ? (int)id : 0;
	}
	arena_free(a);
	return rc;
}

struct notifier mail_notifier(const struct mailer *m)
{
	return (struct notifier){.queue = queue_notice, .prepare = prepare_notice, .self = (void *)m};
}
