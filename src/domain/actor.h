/* Who makes a change, and through which door. Every state change of the
 * domain (ticket_open, ticket_reply, ticket_note, ticket_update,
 * ticket_merge, client_create) takes an actor, so the web pages, inbound
 * email and the API reach the same rules: the caller only says who is
 * calling and how, never what the change does. */
#ifndef CHAMADO_ACTOR_H
#define CHAMADO_ACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/session.h"

enum channel {
	CHANNEL_WEB,   /* a page of the Client Area or the staff panel */
	CHANNEL_EMAIL, /* a message that came in by email, sender verified */
	CHANNEL_API,   /* an API token, acting as its staff member */
	CHANNEL_SYSTEM /* the application itself (auto-close, maintenance) */
};

struct actor {
	/* The client or staff member acting (for the API: the token's staff
	 * member; for email: the verified sender); NULL for the system. */
	const struct session *account;
	enum channel channel;
};

static inline struct actor actor_of(const struct session *account, enum channel channel)
{
	return (struct actor){.account = account, .channel = channel};
}

static inline bool actor_is_client(const struct actor *a)
{
	return a && a->account && a->account->kind == ACCOUNT_CLIENT;
}

/* A CC of a ticket (see session.h's cc_id): a client-side actor of that one
 * ticket, who may reply there and nothing else. */
static inline bool actor_is_cc(const struct actor *a)
{
	return actor_is_client(a) && a->account->cc_id > 0;
}

static inline bool actor_is_staff(const struct actor *a)
{
	return a && a->account && a->account->kind == ACCOUNT_STAFF;
}

/* The application itself (auto-close, escalations): no account, and the
 * system channel, which no page, email or token can ask for. */
static inline bool actor_is_system(const struct actor *a)
{
	return a && !a->account && a->channel == CHANNEL_SYSTEM;
}

/* The channel's name as messages store it: "web", "email", "api". */
static inline const char *channel_name(enum channel c)
{
	return c == CHANNEL_EMAIL ? "email" : c == CHANNEL_API ? "api" : "web";
}

#endif
