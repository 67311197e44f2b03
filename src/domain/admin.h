/* Administration: the rules for departments, staff accounts, clients and
 * their services, predefined replies and settings. Only admins reach these
 * functions (the web layer checks permission_administer first); what is
 * checked here is the data. Each save validates the whole form first and
 * fills one msgid per wrong field (check, then proceed); only a valid form
 * is written, in one transaction.
 *
 * Results: ADMIN_OK, ADMIN_INVALID (see the errors), ADMIN_NOT_FOUND,
 * ADMIN_REFUSED (see the function), or a negative DB_E* code. */
#ifndef CHAMADO_ADMIN_H
#define CHAMADO_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "domain/actor.h"
#include "domain/session.h"
#include "store/admin_store.h"
#include "store/ticket_store.h"
#include "store/db.h"

enum admin_result {
	ADMIN_OK = 0,
	ADMIN_INVALID = 1,
	ADMIN_NOT_FOUND = 2,
	ADMIN_REFUSED = 3,
};

enum {
	ADMIN_NAME_MAX = 100,          /* characters of a department's name */
	ADMIN_TEXT_MAX = 2000,         /* characters of a description */
	ADMIN_TITLE_MAX = 200,         /* characters of a reply's title or a service's label */
	ADMIN_BODY_MAX = 64 * 1024,    /* bytes of Markdown (reply bodies, signatures) */
	ADMIN_IDS_MAX = 200,           /* checkboxes in one form */
};

/* Every change below is written to the audit log (domain/audit.h) in its
 * transaction, with actor as who did it (NULL: the system). */

/* ---- departments ---- */

struct admin_department_form {
	const char *name, *description, *email; /* email "" for none */
	bool visible;
	const char *sort_order;                 /* as typed: an integer */
	const int64_t *members;                 /* staff ids */
	int nmembers;
};

struct admin_department_errors {
	const char *name, *description, *email, *sort_order, *members;
};

/* Creates (id 0) or updates a department with its members; *out_id is its
 * id. The inbound address, when given, must be valid and no other
 * department's (compared without case). */
int admin_department_save(db *d, const struct actor *actor, int64_t id, const struct admin_department_form *f, int64_t now,
                          struct admin_department_errors *e, int64_t *out_id);
/* ADMIN_REFUSED when tickets belong to the department: they would lose it.
 * Otherwise its members and its predefined replies go with it. */
int admin_department_delete(db *d, const struct actor *actor, int64_t id);

/* ---- staff ---- */

struct admin_staff_form {
	const char *name, *email, *role; /* role "admin" or "agent" */
	const char *signature;           /* Markdown, may be "" */
	const char *password;            /* required to create; "" keeps it on edit */
	bool active;
	const int64_t *departments;
	int ndepartments;
};

struct admin_staff_errors {
	const char *name, *email, *role, *signature, *password, *active, *departments;
};

/* Creates (id 0) or updates a staff member. actor is the admin doing it: an
 * admin can neither deactivate nor demote themself. Deactivating a member,
 * or giving them a new password, ends their sessions (the actor keeps the
 * current one). */
int admin_staff_save(db *d, const struct session *actor, int64_t id,
                     const struct admin_staff_form *f, int64_t now, struct admin_staff_errors *e,
                     int64_t *out_id);

/* ---- clients and services ---- */

struct admin_client_form {
	const char *name, *email, *language; /* "pt-BR" or "en" */
	bool active;
};

struct admin_client_errors {
	const char *name, *email, *language;
};

/* Clients whose name or email contains q (without case); q "" lists the
 * newest. At most max; the count or < 0. */
int admin_client_search(db *d, const char *q, arena *a, struct admin_client_row *rows, int max);
/* The client: 1 (row filled, strings in a), 0 none, < 0. */
int admin_client_get(db *d, int64_t id, arena *a, struct admin_client_row *row);
/* The client's newest tickets, at most max: the count or < 0. */
int admin_client_tickets(db *d, int64_t client_id, int max, arena *a, struct ticket_row *rows);
/* Deactivating a client ends their sessions. */
int admin_client_save(db *d, const struct actor *actor, int64_t id, const struct admin_client_form *f, int64_t now,
                      struct admin_client_errors *e);
/* A new client without a password (they set one through "Esqueceu a
 * senha?" or the link the admin sends); admins only (ADMIN_REFUSED).
 * *out_id. Audited. */
int admin_client_create(db *d, const struct actor *actor, const struct admin_client_form *f,
                        int64_t now, struct admin_client_errors *e, int64_t *out_id);
/* Removes a client's personal data and keeps the tickets for the
 * history and the reports: name, address, company, password, two-factor
 * secrets, sessions, pending address changes, the labels of their
 * services, the originals of their emails and the emails still to send
 * them. The client can no longer sign in nor be emailed. Admins only
 * (ADMIN_REFUSED); audited; cannot be undone. */
int admin_client_anonymise(db *d, const struct actor *actor, int64_t id, int64_t now);

struct admin_service_form {
	const char *kind;   /* hosting, domain, other */
	const char *label;
	const char *status; /* pending, active, suspended, cancelled, terminated, expired */
};

struct admin_service_errors {
	const char *kind, *label, *status;
};

/* Adds (service_id 0) or updates a service of the client. */
int admin_service_save(db *d, const struct actor *actor, int64_t client_id, int64_t service_id,
                       const struct admin_service_form *f, int64_t now,
                       struct admin_service_errors *e);
int admin_service_delete(db *d, const struct actor *actor, int64_t client_id, int64_t service_id);
/* A service of the client: 1 (row filled), 0 none or another client's, < 0. */
int admin_service_get(db *d, int64_t client_id, int64_t service_id, arena *a,
                      struct admin_service_row *row);

/* The kinds and statuses a service may have, as {value, msgid}, ended by
 * {NULL, NULL}. */
extern const char *const admin_service_kinds[][2];
extern const char *const admin_service_statuses[][2];
/* The msgid that names a kind or status (the value itself when unknown). */
const char *admin_service_kind_label(const char *kind);
const char *admin_service_status_label(const char *status);

/* ---- predefined replies ---- */

struct admin_reply_form {
	const char *title, *body;
	const char *department; /* a department id as typed; "0" or "" for every department */
};

struct admin_reply_errors {
	const char *title, *body, *department;
};

int admin_reply_save(db *d, const struct actor *actor, int64_t id, const struct admin_reply_form *f, int64_t now,
                     struct admin_reply_errors *e, int64_t *out_id);
int admin_reply_delete(db *d, const struct actor *actor, int64_t id);

/* ---- settings ---- */

/* The settings as the running system uses them. */
struct admin_settings {
	char company_name[128];
	char brand_color[8];            /* #rrggbb, lowercase */
	bool show_powered_by;
	bool registration_open;
	int auto_close_days;            /* 0: never */
	int ticket_number_digits;       /* 6..9 */
	bool ticket_number_sequential;  /* SUP-2026-000123 rather than random digits */
	char ticket_number_prefix[16];  /* "" or up to 10 of A-Z 0-9 */
	bool ticket_number_year;        /* the year in sequential numbers */
	int attachment_max_files;       /* 1..20 */
	int attachment_max_mb;          /* 1..50 */
	char attachment_extensions[96]; /* "jpg,png,pdf" */
	bool mail_refuse_unknown;       /* mail from unknown senders: refuse, or open a client record */
	char mail_banned_senders[2048]; /* addresses and @domains, one per line */
	char base_url[256];             /* "https://suporte.example.com" or "" (the default) */
};

/* The settings form as typed. */
struct admin_settings_form {
	const char *company_name, *brand_color;
	bool show_powered_by, registration_open;
	const char *auto_close_days, *ticket_number_digits, *attachment_max_files,
		*attachment_max_mb, *attachment_extensions;
	const char *ticket_number_format; /* "random" or "sequential" */
	const char *ticket_number_prefix;
	bool ticket_number_year;
	bool mail_refuse_unknown;
	const char *mail_banned_senders;
	const char *base_url;
};

struct admin_settings_errors {
	const char *company_name, *brand_color, *auto_close_days, *ticket_number_digits,
		*attachment_max_files, *attachment_max_mb, *attachment_extensions, *mail_banned_senders,
		*base_url, *ticket_number_prefix;
};

/* The extensions an admin may allow, comma-separated. */
extern const char ADMIN_ALLOWED_EXTENSIONS[];

/* The site's address as the setting base_url stores it: http(s)://host[:port][/path]
 * without a trailing slash, no spaces or quotes. Writes it into out (n
 * bytes); "" is valid (the default). false when in is not such an address. */
bool admin_base_url_normalise(const char *in, char *out, size_t n);

/* Reads every setting; a missing or malformed value reads as its default. */
void admin_settings_load(db *d, struct admin_settings *out);
/* Validates the form and writes every setting in one transaction. The
 * caller reloads what the running server caches (app_load_branding); other
 * app nodes read the new values when they restart. */
int admin_settings_save(db *d, const struct actor *actor, const struct admin_settings_form *f,
                        struct admin_settings_errors *e);

#endif
