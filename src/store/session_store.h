/* Sessions, one-time tokens (password resets, email changes) and login
 * attempts. Only hashes of tokens are stored. user_kind is "client" or
 * "staff". */
#ifndef CHAMADO_SESSION_STORE_H
#define CHAMADO_SESSION_STORE_H

#include <stdint.h>

#include "store/db.h"

struct session_row {
	int64_t id;
	char user_kind[8];
	int64_t user_id;
	char csrf_secret[72];
	int64_t created_at, last_seen_at, expires_at;
	/* the account, joined */
	char name[256];
	char email[256];
	char role[16];     /* staff: admin|agent; clients: "" */
	char language[16];
	int active;
	int twofa;         /* the account signs in with a second factor */
	int64_t owner_id;  /* a client contact's account (0021); 0 otherwise */
	int contact_tickets;
};

/* ip and user_agent say where the session was opened (may be NULL). */
int64_t store_session_insert(db *d, const char *token_hash, const char *user_kind, int64_t user_id,
                             const char *csrf_secret, const char *ip, const char *user_agent,
                             int64_t now, int64_t expires_at);
/* 1 found (row filled), 0 none, < 0 error. */
int store_session_get(db *d, const char *token_hash, struct session_row *row);
int store_session_touch(db *d, int64_t id, int64_t now);
int store_session_delete(db *d, const char *token_hash);
/* Deletes every session of the account but keep_id (0 keeps none). */
int store_session_delete_user(db *d, const char *user_kind, int64_t user_id, int64_t keep_id);
int store_session_purge(db *d, int64_t now);

/* One of an account's sessions, as Sessões ativas lists them. */
struct session_list_row {
	int64_t id;
	char ip[64];
	char user_agent[512];
	int64_t created_at, last_seen_at;
};
/* The account's sessions not yet expired at now, most recently seen first;
 * at most max. The count or < 0. */
int store_session_list_user(db *d, const char *user_kind, int64_t user_id, int64_t now,
                            struct session_list_row *rows, int max);
/* Deletes the account's session id: 1 deleted, 0 not theirs, < 0. */
int store_session_delete_id(db *d, const char *user_kind, int64_t user_id, int64_t id);

/* Login attempts, by key ("email:…", "ip:…"). */
int store_attempt_add(db *d, const char *key, int succeeded, int64_t now);
/* Failures since `since`: their count and the oldest one's time. */
int store_attempt_failures(db *d, const char *key, int64_t since, int64_t *count, int64_t *oldest);
int store_attempt_clear(db *d, const char *key);

/* One-time tokens: table is "password_resets" or "email_changes" (chosen by
 * the function, never from input). new_email only for email changes. */
int64_t store_reset_insert(db *d, const char *token_hash, const char *user_kind, int64_t user_id,
                           int64_t now, int64_t expires_at);
struct token_row {
	int64_t id;
	char user_kind[8];
	int64_t user_id;
	int64_t expires_at;
	int64_t used_at; /* 0 when unused */
	char new_email[256];
};
int store_reset_get(db *d, const char *token_hash, struct token_row *row);
int store_reset_use(db *d, int64_t id, int64_t now);
/* Recent reset requests of an account, for rate limiting. */
int64_t store_reset_count_since(db *d, const char *user_kind, int64_t user_id, int64_t since);
int64_t store_email_change_insert(db *d, const char *token_hash, const char *user_kind,
                                  int64_t user_id, const char *new_email, int64_t now,
                                  int64_t expires_at);
int store_email_change_get(db *d, const char *token_hash, struct token_row *row);
int store_email_change_use(db *d, int64_t id, int64_t now);

#endif
