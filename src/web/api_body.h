/* The API's JSON bodies turned into the domain's structs, before anything
 * reaches the database: pure functions over jansson values, so they can be
 * unit-tested and fuzzed alone (tests/fuzz/api_json_fuzz.c). Strings in the
 * structs point into the JSON value, which must outlive them. Each wrong
 * member adds one error to e (Zendesk's RecordInvalid details). */
#ifndef CHAMADO_API_BODY_H
#define CHAMADO_API_BODY_H

#include <jansson.h>
#include <stddef.h>

#include "domain/api.h"

/* A request body as a JSON object (duplicate keys refused): a new
 * reference, or NULL with jansson's reason in err. */
json_t *api_body_parse(const char *text, size_t len, char *err, size_t errlen);
/* A string member of obj: NULL when absent or null; an error in e when it
 * is there but not a string. */
const char *api_string(json_t *obj, const char *key, struct api_errors *e);
/* An id member (integer > 0): 0 when absent or null; -1 with an error in e
 * when it is something else. */
int64_t api_id(json_t *obj, const char *key, struct api_errors *e);
/* The object wrapped in name ({"ticket": {...}}) of body; NULL with an
 * error in e when it is missing. */
json_t *api_body_wrapped(json_t *body, const char *name, struct api_errors *e);

/* {"ticket": {...}} of POST /tickets.json (in: the inner object). */
struct api_ticket_new api_body_ticket_new(json_t *in, struct api_errors *e);
/* {"ticket": {...}} of PUT /tickets/{id}.json. */
struct api_ticket_change api_body_ticket_change(json_t *in, struct api_errors *e);
/* {"user": {...}} */
struct api_user_form api_body_user(json_t *in, struct api_errors *e);
/* {"service": {...}} */
struct api_service_form api_body_service(json_t *in, struct api_errors *e);

#endif
