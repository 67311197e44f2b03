/* Clients created on someone's behalf, without a password: by staff in the
 * panel or through the API, or for an unknown sender whose email opens a
 * ticket. They set a password later with "Esqueceu a senha?". (A client
 * who registers themself goes through account_create.) */
#ifndef CHAMADO_CLIENT_H
#define CHAMADO_CLIENT_H

#include <stdint.h>

#include "domain/actor.h"
#include "store/db.h"

enum client_result {
	CLIENT_OK = 0,
	CLIENT_EMAIL_INVALID = 1,
	CLIENT_EMAIL_TAKEN = 2, /* another client has the address (*id: theirs) */
	CLIENT_NAME_INVALID = 3,
	CLIENT_FORBIDDEN = 4, /* this actor may not create clients */
};

/* Creates the client. who: staff (any channel), or an email sender
 * (channel email, account NULL) after the inbound rules allowed it.
 * lang NULL: pt-BR. CLIENT_OK with *id, another client_result, or < 0. */
int client_create(db *d, const struct actor *who, const char *email, const char *name,
                  const char *lang, int64_t now, int64_t *id);

#endif
