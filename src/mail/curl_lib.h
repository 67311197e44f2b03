/* libcurl, opened the first time a transfer needs it (SMTP, IMAP, a
 * webhook's POST). With its TLS, Kerberos and LDAP libraries it adds about
 * 3 MB of resident pages, which a server that writes .eml files and has
 * no webhooks never needs (base/dynlib.h). Every file that uses libcurl
 * includes this header instead of <curl/curl.h> and calls libcurl.NAME(...)
 * once curl_lib_load gave 0. */
#ifndef CHAMADO_CURL_LIB_H
#define CHAMADO_CURL_LIB_H

#include <stddef.h>

/* Its type-checking macros would wrap libcurl.curl_easy_setopt(...) too. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "base/dynlib.h"

#define CURL_FUNCTIONS(X)                                                                          \
	X(curl_global_init)                                                                        \
	X(curl_easy_init)                                                                          \
	X(curl_easy_setopt)                                                                        \
	X(curl_easy_perform)                                                                       \
	X(curl_easy_getinfo)                                                                       \
	X(curl_easy_reset)                                                                         \
	X(curl_easy_cleanup)                                                                       \
	X(curl_easy_strerror)                                                                      \
	X(curl_multi_init)                                                                         \
	X(curl_multi_add_handle)                                                                   \
	X(curl_multi_remove_handle)                                                                \
	X(curl_multi_perform)                                                                      \
	X(curl_multi_poll)                                                                         \
	X(curl_multi_info_read)                                                                    \
	X(curl_multi_strerror)                                                                     \
	X(curl_multi_cleanup)                                                                      \
	X(curl_slist_append)                                                                       \
	X(curl_slist_free_all)                                                                     \
	X(curl_url)                                                                                \
	X(curl_url_set)                                                                            \
	X(curl_url_get)                                                                            \
	X(curl_url_cleanup)                                                                        \
	X(curl_free)

struct curl_functions {
	CURL_FUNCTIONS(DYNLIB_FIELD)
};

extern struct curl_functions libcurl;

/* Opens libcurl and runs its global initialisation, once for the process;
 * thread-safe. 0, or -1 with the reason in err (err may be NULL). */
int curl_lib_load(char *err, size_t errlen);

#endif
