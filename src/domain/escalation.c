#include "domain/escalation.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/str.h"
#include "domain/audit.h"
#include "domain/sla.h"
#include "domain/ticket.h"
#include "store/queue_store.h"
#include "store/sla_store.h"
#include "view/i18n.h"

enum { CALENDARS_MAX = 100, BATCH = 100, ROUNDS_MAX = 50, NOTIFY_MAX = 60 };

const char *const escalation_conditions[ESCALATION_CONDITIONS] = {
	"first_soon", "resolve_soon", "first_breached", "resolve_breached", "unassigned",
};

static bool known_condition(const char *c)
{
	for (int i = 0; i < ESCALATION_CONDITIONS; i++)
		if (str_eq(c, escalation_conditions[i]))
			return true;
	return false;
}

bool escalation_condition_takes_minutes(const char *c)
{
	return str_eq(c, "first_soon") || str_eq(c, "resolve_soon") || str_eq(c, "unassigned");
}

const char *escalation_condition_label(const char *c)
{
	if (str_eq(c, "first_soon"))
		return N_("%lld business minutes before the first-response due time");
	if (str_eq(c, "resolve_soon"))
		return N_("%lld business minutes before the resolution due time");
	if (str_eq(c, "first_breached"))
		return N_("First response breached");
	if (str_eq(c, "resolve_breached"))
		return N_("Resolution breached");
	if (str_eq(c, "unassigned"))
		return N_("Waited %lld minutes without an assignee");
	return c;
}

const char *escalation_raise_label(const char *raise)
{
	if (str_eq(raise, "step"))
		return N_("Raise the priority one step");
	if (str_eq(raise, "medium"))
		return N_("Raise the priority to Medium");
	if (str_eq(raise, "high"))
		return N_("Raise the priority to High");
	return NULL;
}

static int priority_rank(const char *p)
{
	return str_eq(p, "high") ? 2 : str_eq(p, "medium") ? 1 : str_eq(p, "low") ? 0 : -1;
}

const char *escalation_raised_priority(const char *current, const char *raise)
{
	static const char *const names[] = {"low", "medium", "high"};
	int now = priority_rank(current);
	int to = str_eq(raise, "step") ? now + 1 : priority_rank(raise);
	if (now < 0 || to <= now || to > 2)
		return NULL;
	return names[to];
}

/* ---- the conditions ---- */

/* Due within minutes of business time, not yet passed. */
static bool due_soon(int64_t due, int64_t minutes, const struct bt_calendar *cal, int64_t now)
{
	return due >= 0 && now < due && bt_between(cal, now, due) <= minutes * 60;
}

bool escalation_matches(const struct escalation_row *r, const struct escalation_ticket *t,
                        const struct bt_calendar *cal, int64_t now)
{
	if (!r->enabled)
		return false;
	if (r->department_id > 0 && r->department_id != t->department_id)
		return false;
	if (r->priority && *r->priority && !str_eq(r->priority, t->priority))
		return false;
	if (str_eq(r->condition, "first_soon"))
		return due_soon(t->first_due, r->minutes, cal, now);
	if (str_eq(r->condition, "resolve_soon"))
		return due_soon(t->resolve_due, r->minutes, cal, now);
	if (str_eq(r->condition, "first_breached"))
		return t->first_due >= 0 && now >= t->first_due;
	if (str_eq(r->condition, "resolve_breached"))
		return t->resolve_due >= 0 && now >= t->resolve_due;
	if (str_eq(r->condition, "unassigned"))
		/* Waiting on the team: the client spoke last (or opened it). */
		return t->assignee_id <= 0 &&
		       (str_eq(t->status, "open") || str_eq(t->status, "customer-reply")) &&
		       now - t->last_reply_at >= r->minutes * 60;
	return false;
}

/* ---- firing ---- */

/* Adds c to the recipients unless already there. */
static void add_recipient(struct staff_contact *to, int *count, const struct staff_contact *c)
{
	for (int i = 0; i < *count; i++)
		if (to[i].id == c->id)
			return;
	if (*count < NOTIFY_MAX)
		to[(*count)++] = *c;
}

/* The emails of a firing, each staff member once, about the ticket as the
 * actions left it (the department it moved to, the person assigned). */
static int notify(db *d, const struct notifier *n, const struct escalation_row *r,
                  const struct ticket_row *t, arena *a)
{
	struct staff_contact to[NOTIFY_MAX], c;
	int count = 0, rc = 0;
	if (r->notify_assignee && t->assignee_id > 0) {
		rc = store_staff_contact_get(d, t->assignee_id, a, &c);
		if (rc == 1)
			add_recipient(to, &count, &c);
	}
	if (rc >= 0 && r->notify_department) {
		struct staff_contact staff[NOTIFY_MAX];
		int found = store_department_staff(d, t->department_id, a, staff, NOTIFY_MAX);
		rc = found < 0 ? found : 0;
		for (int i = 0; i < found; i++)
			add_recipient(to, &count, &staff[i]);
	}
	if (rc >= 0 && r->notify_staff_id > 0) {
		rc = store_staff_contact_get(d, r->notify_staff_id, a, &c);
		if (rc == 1)
			add_recipient(to, &count, &c);
	}
	if (rc < 0)
		return rc;
	struct notice notice = {.kind = NOTICE_ESCALATION_STAFF, .ticket = t, .message = r->name};
	return notice_queue_staff(d, n, &notice, to, count);
}

/* The changes the rule makes on t; targets that have gone (a department
 * deleted, a person deactivated) are left out. 0 or < 0. */
static int changes_of(db *d, const struct escalation_row *r, const struct ticket_row *t,
                      arena *a, struct ticket_changes *c)
{
	*c = (struct ticket_changes){.assignee_id = -1};
	c->priority = escalation_raised_priority(t->priority, r->raise_priority);
	if (r->move_department_id > 0 && store_department_name(d, r->move_department_id, a))
		c->department_id = r->move_department_id;
	if (r->assign_staff_id > 0) {
		struct staff_contact who;
		int rc = store_staff_contact_get(d, r->assign_staff_id, a, &who);
		if (rc < 0)
			return rc;
		if (rc == 1)
			c->assignee_id = r->assign_staff_id;
	}
	return 0;
}

/* The rule on one ticket, in one write transaction: re-reads the ticket
 * (it may have changed since it was found), checks the condition again,
 * records the firing (the primary key makes a second one fail), audits it
 * on the ticket and does the actions. 1 fired, 0 not, < 0. */
static int fire(db *d, const struct notifier *n, const struct escalation_row *r,
                int64_t ticket_id, int64_t now, arena *a)
{
	const struct actor system = actor_of(NULL, CHANNEL_SYSTEM);
	int rc = db_begin_write(d);
	if (rc < 0)
		return rc;
	struct ticket_row t = {0};
	struct sla_state st = {0};
	rc = store_ticket_id_get(d, ticket_id, a, &t);
	if (rc == 1)
		rc = store_sla_state_get(d, ticket_id, &st);
	struct bt_calendar cal;
	memset(&cal, 0, sizeof cal);
	cal.always_open = true;
	if (rc == 1 && st.calendar_id > 0 && sla_calendar_load(d, st.calendar_id, true, &cal) < 0)
		rc = DB_ERROR;
	if (rc != 1)
		goto out;
	struct escalation_ticket facts = {
		.department_id = t.department_id, .assignee_id = t.assignee_id,
		.priority = t.priority, .status = t.status, .last_reply_at = t.last_reply_at,
		.first_due = st.first_due, .resolve_due = st.resolve_due,
	};
	if (!escalation_matches(r, &facts, &cal, now)) {
		rc = 0;
		goto out;
	}
	rc = store_escalation_firing_add(d, r->id, t.id, now);
	if (rc == DB_CONSTRAINT) { /* another pass or node was first */
		rc = 0;
		goto out;
	}
	if (rc == 0)
		rc = ticket_audit(d, &system, t.id, "escalation", "", r->name, now);
	struct ticket_changes c;
	if (rc == 0)
		rc = changes_of(d, r, &t, a, &c);
	if (rc == 0 && (c.priority || c.department_id > 0 || c.assignee_id >= 0))
		rc = ticket_update_in_transaction(d, &system, &t, &c, a, now);
	if (rc == 0 && r->note && !str_blank(r->note))
		rc = ticket_note_in_transaction(d, &system, &t, r->note, a, now);
	struct ticket_row after;
	if (rc == 0)
		rc = store_ticket_id_get(d, t.id, a, &after) == 1 ? 0 : DB_ERROR;
	if (rc == 0)
		rc = notify(d, n, r, &after, a);
	if (rc == 0)
		rc = db_commit(d);
	if (rc == 0) {
		log_info("escalation: \"%s\" fired on ticket #%lld", r->name, (long long)t.number);
		return 1;
	}
	if (rc > 0) /* TICKET_INVALID: a change the ticket refused */
		rc = DB_ERROR;
out:
	db_rollback(d);
	return rc;
}

/* Fires r on the tickets of one candidate range, a batch at a time. The
 * range leaves out tickets r already fired on, so each batch is new work;
 * a batch where nothing fired (the tickets changed since) ends the range
 * until the next pass. Returns how many fired, or < 0. */
static int fire_range(db *d, const struct notifier *n, const struct escalation_row *r,
                      const struct escalation_range *range, int64_t now, arena *a)
{
	int64_t ids[BATCH];
	int fired = 0;
	for (int round = 0; round < ROUNDS_MAX; round++) {
		int count = store_escalation_candidates(d, range, ids, BATCH);
		if (count < 0)
			return count;
		int fired_now = 0;
		for (int i = 0; i < count; i++) {
			arena_reset(a);
			int rc = fire(d, n, r, ids[i], now, a);
			if (rc < 0) {
				log_error("escalation: \"%s\" on ticket %lld: %s", r->name, (long long)ids[i],
				          db_error(d));
				continue;
			}
			fired_now += rc;
		}
		fired += fired_now;
		if (count < BATCH || fired_now == 0)
			break;
	}
	return fired;
}

/* The candidates of one rule, by bounded ranges of an indexed column —
 * never a walk over the tickets:
 * - N business minutes before a due time: due in (now, the instant N
 *   business minutes (and a second) from now], one range per calendar,
 *   since N business minutes reach further across a closed night or
 *   weekend in one calendar than in another. Already-passed due times are
 *   the breached conditions' business.
 * - breached: due in (now - ESCALATION_LOOKBACK, now].
 * - waited N minutes: the client's last message in
 *   (now - N min - ESCALATION_LOOKBACK, now - N min], among unassigned
 *   tickets waiting on the team (a partial index holds only those).
 * The exact condition is checked again on each ticket when it fires. */
static int run_rule(db *d, const struct notifier *n, const struct escalation_row *r,
                    const struct calendar_row *cals, int ncals, int64_t now, arena *a)
{
	struct escalation_range range = {
		.department_id = r->department_id, .priority = r->priority, .rule_id = r->id,
	};
	bool first = str_starts_with(r->condition, "first_");
	range.column = first ? ESCALATION_FIRST_DUE : ESCALATION_RESOLVE_DUE;
	if (str_eq(r->condition, "first_breached") || str_eq(r->condition, "resolve_breached")) {
		range.after = now - ESCALATION_LOOKBACK;
		range.until = now;
		return fire_range(d, n, r, &range, now, a);
	}
	if (str_eq(r->condition, "unassigned")) {
		range.column = ESCALATION_WAITING;
		range.until = now - r->minutes * 60;
		range.after = range.until - ESCALATION_LOOKBACK;
		return fire_range(d, n, r, &range, now, a);
	}
	int fired = 0;
	for (int i = 0; i < ncals; i++) {
		struct bt_calendar cal;
		int rc = sla_calendar_load(d, cals[i].id, true, &cal);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		range.calendar_id = cals[i].id;
		range.after = now;
		range.until = bt_add(&cal, now, r->minutes * 60 + 1) - 1;
		rc = fire_range(d, n, r, &range, now, a);
		if (rc < 0)
			return rc;
		fired += rc;
	}
	return fired;
}

int escalation_run(db *d, const struct notifier *n, int64_t now)
{
	arena *a = arena_new(64 * 1024), *work = arena_new(16 * 1024);
	struct escalation_row *rules = a ? arena_alloc(a, ESCALATION_RULES_MAX * sizeof *rules) : NULL;
	struct calendar_row *cals = a ? arena_alloc(a, CALENDARS_MAX * sizeof *cals) : NULL;
	if (!rules || !cals || !work) {
		arena_free(a);
		arena_free(work);
		return DB_NOMEM;
	}
	int fired = 0;
	int nrules = store_escalation_list(d, 1, a, rules, ESCALATION_RULES_MAX);
	int ncals = nrules > 0 ? store_calendar_list(d, a, cals, CALENDARS_MAX) : 0;
	int rc = nrules < 0 ? nrules : ncals < 0 ? ncals : 0;
	for (int i = 0; i < nrules && rc == 0; i++) {
		int k = run_rule(d, n, &rules[i], cals, ncals, now, work);
		if (k < 0)
			rc = k;
		else
			fired += k;
	}
	arena_free(work);
	arena_free(a);
	return rc < 0 ? rc : fired;
}

/* ---- the admin's side ---- */

static bool is_admin(const struct actor *who)
{
	return actor_is_staff(who) && who->account->admin;
}

int escalation_list(db *d, arena *a, struct escalation_row *rows, int max)
{
	return store_escalation_list(d, 0, a, rows, max);
}

static const char *id_text(arena *a, int64_t id)
{
	return id > 0 ? arena_printf(a, "%lld", (long long)id) : "";
}

int escalation_form_load(db *d, int64_t id, arena *a, struct escalation_form *f)
{
	if (id <= 0) {
		*f = (struct escalation_form){
			.name = "", .condition = "resolve_breached", .minutes = "", .department = "",
			.priority = "", .enabled = true, .notify_department = true, .notify_staff = "",
			.raise_priority = "", .move_department = "", .assign_staff = "", .note = "",
		};
		return 1;
	}
	struct escalation_row r;
	int rc = store_escalation_get(d, id, a, &r);
	if (rc != 1)
		return rc;
	*f = (struct escalation_form){
		.name = r.name, .condition = r.condition,
		.minutes = escalation_condition_takes_minutes(r.condition)
		               ? arena_printf(a, "%lld", (long long)r.minutes) : "",
		.department = id_text(a, r.department_id), .priority = r.priority,
		.enabled = r.enabled, .notify_assignee = r.notify_assignee,
		.notify_department = r.notify_department, .notify_staff = id_text(a, r.notify_staff_id),
		.raise_priority = r.raise_priority, .move_department = id_text(a, r.move_department_id),
		.assign_staff = id_text(a, r.assign_staff_id), .note = r.note,
	};
	return 1;
}

/* An id chosen in a select: "" or "0" is none (0); false when not a
 * number. */
static bool parse_choice(const char *s, int64_t *id)
{
	*id = 0;
	if (!s || !*s || str_eq(s, "0"))
		return true;
	return str_to_int64(s, 1, INT64_MAX, id);
}

/* A department chosen in a select: 1 fine (0 for none), 0 no such one, < 0. */
static int check_department(db *d, const char *typed, arena *a, int64_t *id)
{
	if (!parse_choice(typed, id))
		return 0;
	return *id == 0 || store_department_name(d, *id, a) ? 1 : 0;
}

/* An active staff member chosen in a select: 1 fine (0 for none), 0, < 0. */
static int check_staff(db *d, const char *typed, arena *a, int64_t *id)
{
	if (!parse_choice(typed, id))
		return 0;
	if (*id == 0)
		return 1;
	struct staff_contact c;
	return store_staff_contact_get(d, *id, a, &c);
}

/* Check, then proceed: the whole form into r, or the errors. 0 when
 * valid, ESCALATION_INVALID, or < 0. */
static int validate(db *d, const struct escalation_form *f, arena *a, struct escalation_row *r,
                    struct escalation_errors *e)
{
	memset(e, 0, sizeof *e);
	char *name = arena_strdup(a, f->name ? f->name : "");
	if (!name)
		return DB_NOMEM;
	str_trim(name);
	r->name = name;
	if (!*name)
		e->name = N_("Give the rule a name.");
	else if (!str_utf8_valid(name, strlen(name)) || str_utf8_length(name) > ESCALATION_NAME_MAX)
		e->name = N_("The name can have at most 200 characters.");
	r->condition = f->condition ? f->condition : "";
	if (!known_condition(r->condition))
		e->condition = N_("Choose when the rule acts.");
	r->minutes = 0;
	if (known_condition(r->condition) && escalation_condition_takes_minutes(r->condition)) {
		char typed[32];
		snprintf(typed, sizeof typed, "%s", f->minutes ? f->minutes : "");
		str_trim(typed);
		if (!str_to_int64(typed, 1, ESCALATION_MINUTES_MAX, &r->minutes))
			e->minutes = N_("Write the minutes as a whole number from 1 to 100000.");
	}
	int rc = check_department(d, f->department, a, &r->department_id);
	if (rc == 0)
		e->department = N_("Choose a department, or Any department.");
	r->priority = f->priority ? f->priority : "";
	if (*r->priority && priority_rank(r->priority) < 0)
		e->priority = N_("Choose a priority, or Any priority.");
	r->notify_assignee = f->notify_assignee;
	r->notify_department = f->notify_department;
	int rs = rc < 0 ? rc : check_staff(d, f->notify_staff, a, &r->notify_staff_id);
	if (rs == 0)
		e->notify_staff = N_("Choose an active staff member, or nobody.");
	r->raise_priority = f->raise_priority ? f->raise_priority : "";
	if (*r->raise_priority && !escalation_raise_label(r->raise_priority))
		e->raise_priority = N_("Choose how to raise the priority, or leave it.");
	int rm = rs < 0 ? rs : check_department(d, f->move_department, a, &r->move_department_id);
	if (rm == 0)
		e->move_department = N_("Choose a department, or leave it where it is.");
	int ra = rm < 0 ? rm : check_staff(d, f->assign_staff, a, &r->assign_staff_id);
	if (ra == 0)
		e->assign_staff = N_("Choose an active staff member, or leave the assignee.");
	if (ra < 0)
		return ra;
	r->note = f->note ? f->note : "";
	if (strlen(r->note) > TICKET_MESSAGE_MAX)
		e->note = N_("The note is too long.");
	else if (str_blank(r->note))
		r->note = "";
	if (!r->notify_assignee && !r->notify_department && !r->notify_staff_id &&
	    !*r->raise_priority && !r->move_department_id && !r->assign_staff_id && !*r->note)
		e->actions = N_("Choose at least one action.");
	r->enabled = f->enabled;
	bool wrong = e->name || e->condition || e->minutes || e->department || e->priority ||
	             e->notify_staff || e->raise_priority || e->move_department || e->assign_staff ||
	             e->note || e->actions;
	return wrong ? ESCALATION_INVALID : 0;
}

/* Commits on rc 0, else rolls back; returns rc. */
static int finish(db *d, int rc)
{
	if (rc == 0)
		rc = db_commit(d);
	if (rc != 0)
		db_rollback(d);
	return rc;
}

int escalation_save(db *d, const struct actor *who, int64_t id, const struct escalation_form *f,
                    int64_t now, struct escalation_errors *e, int64_t *saved_id)
{
	memset(e, 0, sizeof *e);
	if (!is_admin(who))
		return ESCALATION_NOT_FOUND;
	arena *a = arena_new(4096);
	if (!a)
		return DB_NOMEM;
	struct escalation_row r = {.id = id}, existing;
	int rc = id > 0 ? store_escalation_get(d, id, a, &existing) : 1;
	if (rc == 1)
		rc = validate(d, f, a, &r, e);
	else if (rc == 0)
		rc = ESCALATION_NOT_FOUND;
	if (rc != 0) {
		arena_free(a);
		return rc;
	}
	rc = db_begin_write(d);
	if (rc < 0) {
		arena_free(a);
		return rc;
	}
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "escalation", id);
	if (rc == 0 && id > 0) {
		rc = store_escalation_update(d, &r, now);
	} else if (rc == 0) {
		int64_t new_id = store_escalation_insert(d, &r, now);
		rc = new_id < 0 ? (int)new_id : 0;
		id = new_id;
	}
	if (audit_end(d, &snap, who, rc == 0 ? id : 0, now) < 0 && rc == 0)
		rc = DB_ERROR;
	rc = finish(d, rc);
	arena_free(a);
	if (rc == 0 && saved_id)
		*saved_id = id;
	return rc;
}

/* Runs change on rule id with its before → after in the admin audit log. */
static int audited(db *d, const struct actor *who, int64_t id, int64_t now,
                   int (*change)(db *, int64_t, int64_t, int), int arg)
{
	if (!is_admin(who))
		return ESCALATION_NOT_FOUND;
	arena *a = arena_new(2048);
	if (!a)
		return DB_NOMEM;
	struct escalation_row existing;
	int rc = db_begin_write(d);
	if (rc < 0) {
		arena_free(a);
		return rc;
	}
	rc = store_escalation_get(d, id, a, &existing);
	arena_free(a);
	if (rc <= 0) {
		db_rollback(d);
		return rc == 0 ? ESCALATION_NOT_FOUND : rc;
	}
	struct audit_snapshot snap;
	rc = audit_begin(d, &snap, "escalation", id);
	if (rc == 0)
		rc = change(d, id, now, arg);
	if (audit_end(d, &snap, who, id, now) < 0 && rc == 0)
		rc = DB_ERROR;
	return finish(d, rc);
}

static int set_enabled(db *d, int64_t id, int64_t now, int enabled)
{
	return store_escalation_set_enabled(d, id, enabled, now);
}

static int delete_rule(db *d, int64_t id, int64_t now, int unused)
{
	(void)now;
	(void)unused;
	return store_escalation_delete(d, id);
}

int escalation_set_enabled(db *d, const struct actor *who, int64_t id, bool enabled, int64_t now)
{
	return audited(d, who, id, now, set_enabled, enabled ? 1 : 0);
}

int escalation_delete(db *d, const struct actor *who, int64_t id, int64_t now)
{
	return audited(d, who, id, now, delete_rule, 0);
}
