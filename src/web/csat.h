/* The satisfaction survey's public pages: /csat/:token/:rating records a
 * rating from the email's one-click link (no sign-in: the token is signed
 * for one ticket) and offers a comment box; POST /csat/:token saves the
 * comment (and a changed rating). 404 for a token that is not one. */
#ifndef CHAMADO_WEB_CSAT_H
#define CHAMADO_WEB_CSAT_H

#include "http/router.h"

int web_routes_csat(router *r);

#endif
